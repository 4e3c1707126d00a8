//! `hb dlq ls|replay [--all]`.

use hookbridge::{Client, Page};
use serde_json::json;

use crate::args::{Dlq, Format, PageArgs};
use crate::failure::Failure;
use crate::output::{self, Table, opt};

/// The page size read while replaying everything.
const REPLAY_PAGE: i64 = 100;

/// Runs one DLQ command.
pub async fn run(client: &Client, format: Format, command: Dlq) -> Result<(), Failure> {
    match command {
        Dlq::Ls(PageArgs { limit, cursor }) => {
            let page = client.get_dlq_messages(&Page { limit, cursor }).await?;
            output::print(format, &page, |p| {
                let mut t = Table::new(&["MESSAGE", "ENDPOINT", "ATTEMPTS", "HTTP", "CREATED", "ERROR"]);
                for m in &p.messages {
                    t.row(vec![
                        m.message_id.clone(),
                        m.endpoint.clone(),
                        m.attempt_count.to_string(),
                        opt(&m.response_status),
                        m.created_at.to_string(),
                        opt(&m.last_error),
                    ]);
                }
                let more = p.next_cursor.as_ref().map(|c| format!("more: --cursor {c}\n")).unwrap_or_default();
                t.render() + &more
            });
        }
        Dlq::Replay { ids, all } => {
            if ids.is_empty() && !all {
                return Err(Failure::usage("name the message ids to replay, or pass --all".to_owned()));
            }
            let ids = if all { every_dlq_message(client).await? } else { ids };
            for id in &ids {
                client.replay_from_dlq(id).await?;
                if format == Format::Table {
                    println!("{id}: re-queued");
                }
            }
            if format == Format::Json {
                println!("{}", json!({ "requeued": ids }));
            } else if all {
                println!("{} message(s) re-queued", ids.len());
            }
        }
    }
    Ok(())
}

/// The ids of every message in the dead letter queue, read page by page before any replay
/// (so replayed messages do not shift the pages being read).
async fn every_dlq_message(client: &Client) -> Result<Vec<String>, Failure> {
    let mut ids = Vec::new();
    let mut cursor = None;
    loop {
        let page = client.get_dlq_messages(&Page { limit: Some(REPLAY_PAGE), cursor }).await?;
        ids.extend(page.messages.into_iter().map(|m| m.message_id));
        match page.next_cursor.filter(|c| !c.is_empty()) {
            Some(next) if page.has_more => cursor = Some(next),
            _ => return Ok(ids),
        }
    }
}
