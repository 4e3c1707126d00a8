//! `hb export --since --until -o file.jsonl`: starts an export job on the server, waits for it,
//! and downloads the file with a progress bar on stderr (when stderr is a terminal).

use std::io::{IsTerminal, Write};
use std::time::Duration;

use hookbridge::{Client, CreateExportOptions, TimeArg, Timestamp};

use crate::args::Export;
use crate::commands::time_arg;
use crate::failure::Failure;

/// How often the job's status is read while it runs.
const POLL: Duration = Duration::from_millis(250);
/// How long to wait for the job before giving up.
const JOB_DEADLINE: Duration = Duration::from_secs(600);

/// Runs the export and writes the file.
pub async fn run(client: &Client, args: Export) -> Result<(), Failure> {
    let options = CreateExportOptions {
        start_time: time_arg("since", &args.since)?,
        end_time: match &args.until {
            Some(until) => time_arg("until", until)?,
            None => TimeArg::At(Timestamp::now()),
        },
        status: args.status,
        endpoint_id: args.endpoint,
    };
    let mut progress = Progress::new();
    let mut job = client.create_export(&options).await?;
    let started = std::time::Instant::now();
    while job.status != "completed" {
        if job.status == "failed" {
            let why = job.error_message.unwrap_or_else(|| "no reason given".into());
            return Err(Failure { code: 1, message: format!("error: export {} failed: {why}", job.id) });
        }
        if started.elapsed() > JOB_DEADLINE {
            return Err(Failure { code: 7, message: format!("error: export {} still {} after 10 minutes", job.id, job.status) });
        }
        progress.status(&format!("export {}: {}", job.id, job.status));
        tokio::time::sleep(POLL).await;
        job = client.get_export(&job.id).await?;
    }
    let url = client.download_export(&job.id).await?;
    let mut response =
        reqwest::get(&url).await.map_err(|e| Failure { code: 7, message: format!("error: download failed: {e}") })?;
    if !response.status().is_success() {
        return Err(Failure { code: 1, message: format!("error: download answered HTTP {}", response.status()) });
    }
    let total = response.content_length().or(job.file_size_bytes.and_then(|n| u64::try_from(n).ok()));
    let fail = |e: std::io::Error| Failure::usage(format!("cannot write {}: {e}", args.out.display()));
    let mut file = std::fs::File::create(&args.out).map_err(fail)?;
    let mut written: u64 = 0;
    while let Some(chunk) =
        response.chunk().await.map_err(|e| Failure { code: 7, message: format!("error: download failed: {e}") })?
    {
        file.write_all(&chunk).map_err(fail)?;
        written += chunk.len() as u64;
        progress.bytes(written, total);
    }
    file.flush().map_err(fail)?;
    progress.done();
    eprintln!("wrote {} ({} rows, {written} bytes)", args.out.display(), job.row_count.unwrap_or(0));
    Ok(())
}

/// A one-line progress display on stderr, drawn only on a terminal.
struct Progress {
    enabled: bool,
}

impl Progress {
    fn new() -> Progress {
        Progress { enabled: std::io::stderr().is_terminal() }
    }

    fn status(&mut self, text: &str) {
        if self.enabled {
            eprint!("\r\x1b[2K{text}");
        }
    }

    fn bytes(&mut self, done: u64, total: Option<u64>) {
        if !self.enabled {
            return;
        }
        match total.filter(|t| *t > 0) {
            Some(total) => {
                let width = 30u64;
                let filled = (done.min(total) * width / total) as usize;
                let bar = format!("{}{}", "#".repeat(filled), "-".repeat(width as usize - filled));
                eprint!("\r\x1b[2K[{bar}] {}% {done}/{total} bytes", done.min(total) * 100 / total);
            }
            None => eprint!("\r\x1b[2K{done} bytes"),
        }
    }

    fn done(&mut self) {
        if self.enabled {
            eprintln!();
        }
    }
}
