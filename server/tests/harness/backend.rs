//! Which storage backend the server under test uses. Every test runs against SQLite unless
//! `HB_TEST_POSTGRES` names a PostgreSQL server (`postgres://USER@HOST:PORT`, no database): then
//! each data dir gets its own fresh database on it, created on first start and kept across
//! restarts of the same data dir, and the server is started with `--database-url`.
//! `scripts/test.sh` runs the whole server suite both ways.

use std::path::Path;
use std::process::Command;

/// The environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_ENV: &str = "HB_TEST_POSTGRES";

/// The PostgreSQL server for tests, if the suite runs on PostgreSQL.
pub fn postgres() -> Option<String> {
    std::env::var(POSTGRES_ENV).ok().filter(|url| !url.is_empty()).map(|url| url.trim_end_matches('/').to_owned())
}

/// Whether the suite runs on PostgreSQL.
pub fn is_postgres() -> bool {
    postgres().is_some()
}

/// The database name of a data dir: its directory name, made safe for an identifier.
pub fn database_name(data_dir: &Path) -> String {
    let stem = data_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let safe: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    // PostgreSQL identifiers hold 63 bytes; keep the unique tail of long names.
    let tail = if safe.len() > 56 { safe[safe.len() - 56..].to_owned() } else { safe };
    format!("hb_{tail}")
}

/// The database URL a server on `data_dir` uses (creating the database on first use), or `None`
/// on SQLite.
pub fn database_url(data_dir: &Path) -> Option<String> {
    let base = postgres()?;
    let name = database_name(data_dir);
    ensure_database(&base, &name);
    Some(format!("{base}/{name}"))
}

/// Extra server flags for the backend under test.
/// On PostgreSQL the node id is stable per data dir, as the README asks of operators, so a
/// server restarted on the same data dir takes back at once the leases its killed run held.
pub fn server_args(data_dir: &Path) -> Vec<String> {
    match database_url(data_dir) {
        Some(url) => vec!["--database-url".to_owned(), url, "--node-id".to_owned(), database_name(data_dir)],
        None => Vec::new(),
    }
}

/// Runs SQL on the maintenance database `postgres` with `psql`; panics with its output on failure.
pub fn admin_sql(sql: &str) -> String {
    let base = postgres().expect("the suite runs on PostgreSQL");
    psql(&format!("{base}/postgres"), sql).unwrap_or_else(|e| panic!("psql failed on {sql:?}: {e}"))
}

/// Runs SQL on the database of `data_dir`; panics with psql's output on failure.
pub fn database_sql(data_dir: &Path, sql: &str) -> String {
    let url = database_url(data_dir).expect("the suite runs on PostgreSQL");
    psql(&url, sql).unwrap_or_else(|e| panic!("psql failed on {sql:?}: {e}"))
}

fn ensure_database(base: &str, name: &str) {
    let exists = psql(&format!("{base}/postgres"), &format!("SELECT 1 FROM pg_database WHERE datname = '{name}'"))
        .expect("psql reaches the test PostgreSQL server");
    if exists.trim() != "1" {
        // Two servers of one test may race to create it: "already exists" is fine.
        if let Err(e) = psql(&format!("{base}/postgres"), &format!("CREATE DATABASE {name}"))
            && !e.contains("already exists")
        {
            panic!("cannot create test database {name}: {e}");
        }
    }
}

fn psql(url: &str, sql: &str) -> Result<String, String> {
    let out = Command::new("psql")
        .args(["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
        .output()
        .map_err(|e| format!("cannot run psql: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// The suite's PostgreSQL server, for tests that stop and start it (`scripts/postgres.sh`
/// exports how). Started again when dropped while stopped, so a failing test never leaves the
/// database down for the next one.
pub struct TestPostgres {
    pg_ctl: String,
    data: String,
    log: String,
    options: String,
    stopped: bool,
}

impl TestPostgres {
    /// `None` when the environment does not say how to control the server.
    pub fn from_env() -> Option<TestPostgres> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Some(TestPostgres {
            pg_ctl: var("HB_TEST_PGCTL")?,
            data: var("HB_TEST_PGDATA")?,
            log: format!("{}/log", var("HB_TEST_PGSOCKET")?),
            options: var("HB_TEST_PGOPTIONS")?,
            stopped: false,
        })
    }

    /// Runs `pg_ctl` as the postgres user (it refuses root), waiting for it to finish.
    fn pg_ctl(&self, args: &[&str]) {
        assert!(self.try_pg_ctl(args), "pg_ctl {args:?} failed");
    }

    /// Stops the server with `mode` (`immediate`: every connection drops at once, as in a crash;
    /// `fast`: a clean shutdown).
    pub fn stop(&mut self, mode: &str) {
        self.pg_ctl(&["-m", mode, "stop"]);
        self.stopped = true;
    }

    /// Starts the server again with the options `scripts/postgres.sh` used. A few tries: after
    /// an immediate stop on a busy machine, a start can fail on what the old server left behind
    /// (a `postmaster.pid` whose process id was reused); each failure shows PostgreSQL's log.
    pub fn start(&mut self) {
        let (log, options) = (self.log.clone(), self.options.clone());
        for attempt in 1..=5 {
            if self.try_pg_ctl(&["-l", &log, "-o", &options, "start"]) {
                self.stopped = false;
                return;
            }
            let tail = std::fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = tail.lines().rev().take(20).collect();
            eprintln!("PostgreSQL did not start (try {attempt} of 5); its log ends with:");
            for line in tail.iter().rev() {
                eprintln!("  {line}");
            }
            // Not running (the stop finished): a lock file left behind is stale.
            if !self.try_pg_ctl(&["status"]) {
                let _ = std::fs::remove_file(Path::new(&self.data).join("postmaster.pid"));
            }
            std::thread::sleep(std::time::Duration::from_secs(2));
        }
        panic!("PostgreSQL did not start again after 5 tries; see its log above");
    }

    /// Runs `pg_ctl` as the postgres user (it refuses root), waiting for it to finish; whether it succeeded.
    fn try_pg_ctl(&self, args: &[&str]) -> bool {
        Command::new("runuser")
            .args(["-u", "postgres", "--", &self.pg_ctl, "-D", &self.data, "-w"])
            .args(args)
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        if self.stopped {
            self.start();
        }
    }
}
