//! What the PostgreSQL server does for a configuration of cluster mode: the CPU time of all its
//! processes (the postmaster and its children, found through `postmaster.pid` in its data
//! directory) and the transactions that wrote (the advance of the next transaction id, so over
//! the whole server: the bench is its only client), read with `psql` before and after the load,
//! so the bench can print both per send.

use std::process::Command;
use std::time::Duration;

use crate::limits::{ProcStat, process_cpu_time};

/// A PostgreSQL server and database, as the bench reads them.
pub struct PgUsage {
    url: String,
    /// The postmaster's process id, when its data directory is readable here.
    postmaster: Option<String>,
}

/// One reading: CPU time of every process of the server, and its next transaction id.
#[derive(Clone, Copy, Default)]
pub struct PgReading {
    /// CPU time of the postmaster and its live children.
    pub cpu: Option<Duration>,
    /// The next transaction id (every transaction that wrote took one).
    pub next_xid: Option<u64>,
}

impl PgUsage {
    /// The server of database `url` (found only when it runs on this machine).
    pub fn new(url: &str) -> PgUsage {
        let postmaster = psql(url, "SELECT setting FROM pg_settings WHERE name = 'data_directory'")
            .and_then(|dir| std::fs::read_to_string(format!("{dir}/postmaster.pid")).ok())
            .and_then(|pid_file| pid_file.lines().next().map(|l| l.trim().to_owned()))
            .filter(|pid| !pid.is_empty());
        PgUsage { url: url.to_owned(), postmaster }
    }

    /// CPU time and commit count now.
    pub fn read(&self) -> PgReading {
        // The next transaction id, without taking one: every transaction that wrote took one.
        // (Not `pg_stat_database.xact_commit`: backends report it up to seconds late.)
        let next_xid = psql(&self.url, "SELECT pg_snapshot_xmax(pg_current_snapshot())").and_then(|n| n.parse().ok());
        PgReading { cpu: self.postmaster.as_deref().and_then(server_cpu_time), next_xid }
    }
}

/// CPU time of the postmaster `pid` and of every live child of it.
fn server_cpu_time(pid: &str) -> Option<Duration> {
    let mut total = process_cpu_time(pid)?;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name();
        let Some(child) = name.to_str().filter(|n| n.bytes().all(|b| b.is_ascii_digit())) else { continue };
        let Some(stat) = ProcStat::read(child) else { continue };
        if stat.parent() == Some(pid) {
            total += stat.cpu_time().unwrap_or_default();
        }
    }
    Some(total)
}

/// The single value `sql` returns on `url`, if psql runs and answers.
fn psql(url: &str, sql: &str) -> Option<String> {
    let out = Command::new("psql").args(["-X", "-At", "-d", url, "-c", sql]).output().ok()?;
    let value = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (out.status.success() && !value.is_empty()).then_some(value)
}
