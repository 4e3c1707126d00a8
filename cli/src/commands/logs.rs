//! `hb logs [--status] [--since] [--follow]`: recent outbound messages, oldest first; with
//! `--follow`, new messages are printed as they arrive (polling). JSON output is one object per
//! line (JSON Lines), so it can be piped while following. A poll reads at most 200 new
//! messages; when more arrive between two polls, the oldest of them are not printed.

use std::collections::HashSet;
use std::time::Duration;

use hookbridge::{Client, LogsQuery, MessageSummary, TimeArg};

use crate::args::{Format, Logs};
use crate::commands::time_arg;
use crate::failure::Failure;
use crate::output::{Table, opt};

/// The most messages read per poll while following.
const FOLLOW_PAGE: i64 = 200;

/// Prints the latest messages, then follows if asked.
pub async fn run(client: &Client, format: Format, args: Logs) -> Result<(), Failure> {
    let since = args.since.as_deref().map(|s| time_arg("since", s)).transpose()?;
    let query =
        LogsQuery { status: args.status.clone(), start_time: since.clone(), limit: Some(args.limit), ..Default::default() };
    let mut first = client.get_logs(&query).await?.messages;
    first.reverse();
    let mut seen: HashSet<String> = first.iter().map(|m| m.message_id.clone()).collect();
    let mut newest = first.last().map(|m| m.created_at);
    print_rows(format, &first, true);
    if !args.follow {
        return Ok(());
    }
    let interval = Duration::from_secs_f64(args.interval.clamp(0.1, 3600.0));
    loop {
        tokio::time::sleep(interval).await;
        let start_time = newest.map(TimeArg::At).or_else(|| since.clone());
        let query = LogsQuery { status: args.status.clone(), start_time, limit: Some(FOLLOW_PAGE), ..Default::default() };
        let page: Vec<MessageSummary> = client.get_logs(&query).await?.messages;
        let mut fresh: Vec<MessageSummary> = page.iter().filter(|m| !seen.contains(&m.message_id)).cloned().collect();
        fresh.reverse();
        // Later polls start at the newest time seen, so only this page's ids can come back.
        seen = page.into_iter().map(|m| m.message_id).collect();
        if let Some(last) = fresh.last() {
            newest = Some(last.created_at);
        }
        print_rows(format, &fresh, false);
    }
}

/// Prints messages as table rows (with the header on the first call) or JSON lines.
fn print_rows(format: Format, messages: &[MessageSummary], header: bool) {
    match format {
        Format::Json => {
            for m in messages {
                println!("{}", serde_json::to_string(m).unwrap_or_default());
            }
        }
        Format::Table => {
            let mut t = Table::new(&["CREATED", "MESSAGE", "ENDPOINT", "STATUS", "ATTEMPTS", "HTTP", "ERROR"]);
            for m in messages {
                t.row(vec![
                    m.created_at.to_string(),
                    m.message_id.clone(),
                    m.endpoint.clone(),
                    m.status.clone(),
                    m.attempt_count.to_string(),
                    opt(&m.response_status),
                    opt(&m.last_error),
                ]);
            }
            let text = t.render();
            // Later polls print rows only, under the first header.
            let text = if header { text.as_str() } else { text.split_once('\n').map_or("", |(_, rows)| rows) };
            print!("{text}");
        }
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
}
