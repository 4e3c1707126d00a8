//! The server under test: a `hookbridge-server --dev` child process with a fresh data dir.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running server; killed and its data dir removed on drop.
pub struct ServerProcess {
    child: Child,
    /// Base URL the server printed, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    /// The server's data dir (SQLite database), under the bench's base dir.
    pub data_dir: PathBuf,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

impl ServerProcess {
    /// Starts `binary` in `--dev` mode (durable SQLite, the default `--sqlite-synchronous full`)
    /// with a fresh data dir under `base_dir`, and waits until it prints its address.
    pub fn start(binary: &str, base_dir: &Path) -> ServerProcess {
        let data_dir = base_dir.join(format!("hookbridge-bench-{}", std::process::id()));
        Self::start_with(binary, &data_dir, &[])
    }

    /// Starts `binary --dev` with `extra` flags on a fresh `data_dir` (removed first, and on
    /// drop), and waits until it prints its address.
    pub fn start_with(binary: &str, data_dir: &Path, extra: &[String]) -> ServerProcess {
        let data_dir = data_dir.to_owned();
        let _ = std::fs::remove_dir_all(&data_dir);
        let mut child = Command::new(binary)
            .args(["--dev", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(&data_dir)
            .args(extra)
            .env("HOOKBRIDGE_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {binary}: {e} (build it with: cargo build --release -p hookbridge-server)"));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("hookbridge-server listening on ") {
                    let _ = tx.send(url.to_owned());
                }
            }
        });
        // Generous: under a profiler such as valgrind the server starts tens of times slower.
        let url = rx.recv_timeout(Duration::from_secs(300)).expect("server prints its address");
        ServerProcess { child, url, data_dir }
    }

    /// Asks the server to shut down (SIGTERM, via `kill`) and waits up to `grace` for it to exit;
    /// then the drop kills it if it is still running.
    pub fn stop(mut self, grace: Duration) {
        let pid = self.child.id().to_string();
        if Command::new("kill").args(["-TERM", &pid]).status().is_ok_and(|s| s.success()) {
            let deadline = std::time::Instant::now() + grace;
            while std::time::Instant::now() < deadline {
                if matches!(self.child.try_wait(), Ok(Some(_))) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }

    /// Resident set size now, in bytes (`VmRSS`).
    pub fn rss_bytes(&self) -> Option<u64> {
        self.status_kib("VmRSS:").map(|kib| kib * 1024)
    }

    /// Peak resident set size since start, in bytes (`VmHWM`).
    pub fn peak_rss_bytes(&self) -> Option<u64> {
        self.status_kib("VmHWM:").map(|kib| kib * 1024)
    }

    /// CPU time the server process has used so far (user + system, all its threads).
    pub fn cpu_time(&self) -> Option<std::time::Duration> {
        crate::limits::process_cpu_time(&self.child.id().to_string())
    }

    fn status_kib(&self, field: &str) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status.lines().find_map(|l| l.strip_prefix(field)).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }
}
