//! `hb send ENDPOINT --data @file.json|-|JSON`.

use std::io::Read;

use hookbridge::api::SendOptions;
use hookbridge::{Client, HeaderMap};

use crate::args::{Format, Send};
use crate::failure::Failure;
use crate::output::{self, fields};

/// Sends one webhook and prints its message id.
pub async fn run(client: &Client, format: Format, args: Send) -> Result<(), Failure> {
    let text = read_data(&args.data)?;
    let payload: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| Failure::usage(format!("--data is not valid JSON: {e}")))?;
    let mut headers = HeaderMap::new();
    for header in &args.headers {
        let (name, value) =
            header.split_once(':').ok_or_else(|| Failure::usage(format!("--header must be `Name: value`, got {header:?}")))?;
        headers.insert(name.trim().to_owned(), value.trim().to_owned());
    }
    let options = SendOptions { headers: (!headers.is_empty()).then_some(headers), idempotency_key: args.idempotency_key };
    let sent = client.send(&args.endpoint, &payload, &options).await?;
    output::print(format, &sent, |s| fields(&[("message_id", s.message_id.clone()), ("status", s.status.clone())]));
    Ok(())
}

/// The payload text: `-` reads stdin, `@path` reads a file, anything else is the JSON itself.
fn read_data(data: &str) -> Result<String, Failure> {
    if data == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| Failure::usage(format!("cannot read stdin: {e}")))?;
        Ok(text)
    } else if let Some(path) = data.strip_prefix('@') {
        std::fs::read_to_string(path).map_err(|e| Failure::usage(format!("cannot read {path}: {e}")))
    } else {
        Ok(data.to_owned())
    }
}
