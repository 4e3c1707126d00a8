//! `hb messages get|attempts|replay|cancel|retry`.

use hookbridge::Client;
use serde_json::json;

use crate::args::{Format, Messages};
use crate::failure::Failure;
use crate::output::{self, Table, fields, opt};

/// Runs one messages command.
pub async fn run(client: &Client, format: Format, command: Messages) -> Result<(), Failure> {
    let (id, action) = match command {
        Messages::Get { id } => {
            let m = client.get_message(&id).await?;
            output::print(format, &m, |m| {
                fields(&[
                    ("id", m.id.clone()),
                    ("endpoint_id", m.endpoint_id.clone()),
                    ("status", m.status.clone()),
                    ("attempt_count", m.attempt_count.to_string()),
                    ("replay_count", m.replay_count.to_string()),
                    ("size_bytes", m.size_bytes.to_string()),
                    ("idempotency_key", opt(&m.idempotency_key)),
                    ("next_attempt_at", opt(&m.next_attempt_at)),
                    ("last_error", opt(&m.last_error)),
                    ("response_status", opt(&m.response_status)),
                    ("created_at", m.created_at.to_string()),
                    ("updated_at", m.updated_at.to_string()),
                ])
            });
            return Ok(());
        }
        Messages::Attempts { id } => {
            let page = client.get_message_attempts(&id).await?;
            output::print(format, &page, |p| {
                let mut t = Table::new(&["#", "AT", "HTTP", "LATENCY", "RETRY", "ERROR"]);
                for a in &p.attempts {
                    t.row(vec![
                        a.attempt_no.to_string(),
                        a.created_at.to_string(),
                        opt(&a.response_status),
                        a.response_latency_ms.map_or_else(|| "-".to_owned(), |ms| format!("{ms} ms")),
                        opt(&a.retry_type),
                        opt(&a.error_text),
                    ]);
                }
                t.render()
            });
            return Ok(());
        }
        Messages::Replay { id } => {
            client.replay(&id).await?;
            (id, "replayed")
        }
        Messages::Cancel { id } => {
            client.cancel_retry(&id).await?;
            (id, "cancelled")
        }
        Messages::Retry { id } => {
            client.retry_now(&id).await?;
            (id, "retrying now")
        }
    };
    output::print(format, &json!({ "message_id": id, "result": action }), |_| format!("{id}: {action}\n"));
    Ok(())
}
