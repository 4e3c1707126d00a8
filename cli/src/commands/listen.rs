//! `hb listen INBOUND_ENDPOINT --forward-to URL`: relays the requests a CLI-mode inbound
//! endpoint stores to an app on this machine, as they arrive (polling the listen API).
//!
//! On start it skips what is already stored (`--from-start` relays that too), then polls every
//! `--interval` seconds. Each request goes to the local URL with its stored headers (hop-by-hop
//! headers dropped) and body: base64 bodies are decoded to their bytes; JSON bodies are sent as
//! compact JSON.

use std::time::{Duration, Instant};

use base64::Engine;
use hookbridge::{Client, ListenMessage};
use serde_json::json;

use crate::args::{Format, Listen};
use crate::failure::Failure;

/// Headers that describe one hop and are not relayed.
const HOP_BY_HOP: [&str; 6] = ["host", "content-length", "connection", "transfer-encoding", "keep-alive", "upgrade"];

/// Relays until interrupted.
pub async fn run(client: &Client, format: Format, args: Listen) -> Result<(), Failure> {
    let local = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .no_proxy()
        .build()
        .map_err(|e| Failure { code: 1, message: format!("error: cannot build the HTTP client: {e}") })?;
    let mut cursor: Option<String> = None;
    if !args.from_start {
        // Skip to the end of what is stored.
        loop {
            let page = client.listen_inbound_endpoint(&args.endpoint, cursor.as_deref()).await?;
            let last = page.messages.last().map(|m| m.message_id.clone());
            match page.next_cursor.filter(|c| !c.is_empty()).or(last) {
                Some(next) if cursor.as_deref() != Some(next.as_str()) => cursor = Some(next),
                _ => break,
            }
        }
    }
    if format == Format::Table {
        eprintln!("relaying requests of {} to {} (Ctrl-C to stop)", args.endpoint, args.forward_to);
    }
    let interval = Duration::from_secs_f64(args.interval.clamp(0.1, 3600.0));
    loop {
        let page = client.listen_inbound_endpoint(&args.endpoint, cursor.as_deref()).await?;
        for message in &page.messages {
            relay(&local, &args.forward_to, message, format).await;
            cursor = Some(message.message_id.clone());
        }
        if let Some(next) = page.next_cursor.filter(|c| !c.is_empty()) {
            cursor = Some(next);
        }
        if page.messages.is_empty() {
            tokio::time::sleep(interval).await;
        }
    }
}

/// Sends one stored request to the local app and prints what it answered.
async fn relay(local: &reqwest::Client, url: &str, message: &ListenMessage, format: Format) {
    let body = match (message.body.as_ref().map(|b| &b.0), message.body_encoding.as_deref()) {
        (Some(serde_json::Value::String(text)), Some("base64")) => {
            base64::engine::general_purpose::STANDARD.decode(text).unwrap_or_else(|_| text.clone().into_bytes())
        }
        (Some(value), _) => serde_json::to_vec(value).unwrap_or_default(),
        (None, _) => Vec::new(),
    };
    let mut request = local.post(url).body(body);
    for (name, value) in &message.headers {
        if !HOP_BY_HOP.contains(&name.to_ascii_lowercase().as_str()) {
            request = request.header(name.as_str(), value.as_str());
        }
    }
    let started = Instant::now();
    let answer = request.send().await;
    let latency_ms = started.elapsed().as_millis() as u64;
    let (status, error) = match &answer {
        Ok(response) => (Some(response.status().as_u16()), None),
        Err(e) => (None, Some(e.to_string())),
    };
    match format {
        Format::Json => println!(
            "{}",
            json!({ "message_id": message.message_id, "status_code": status, "latency_ms": latency_ms, "error": error })
        ),
        Format::Table => match (status, error) {
            (Some(code), _) => println!("{} {} -> {code} ({latency_ms} ms)", message.received_at, message.message_id),
            (None, error) => println!("{} {} -> failed: {}", message.received_at, message.message_id, error.unwrap_or_default()),
        },
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
}
