//! Exports and the janitor with several server processes on one PostgreSQL database: the
//! content of an export lives in the database (any node serves its download), an export whose
//! builder is killed mid-way is finished by another node, the retention janitor is led by one
//! node at a time, and expired export content is deleted from the database. (On SQLite, which
//! runs one process per data dir, these tests only print a note.)

mod harness;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use harness::{Receiver, Server, backend};
use hookbridge::{CreateExportOptions, SendOptions, Timestamp};
use serde_json::json;

/// Generous bound for anything that should happen within a few seconds on a loaded machine.
const WAIT: Duration = Duration::from_secs(60);
/// The advisory lock class of cluster-wide jobs ("HBJB").
const JOB_LOCK: i64 = 0x4842_4a42;

fn skip_on_sqlite(test: &str) -> bool {
    if backend::is_postgres() {
        return false;
    }
    println!("{test}: runs only on PostgreSQL (set {}); skipped", backend::POSTGRES_ENV);
    true
}

/// A second node on `first`'s database: its own data dir (no shared files), whose name maps to
/// the same test database, and the first node's secrets key.
fn second_node(first: &Server, parent: &Path, extra: &[&str]) -> Server {
    let name = first.data_dir.file_name().expect("a data dir name");
    let data_dir: PathBuf = parent.join(name);
    assert_eq!(backend::database_name(&data_dir), backend::database_name(&first.data_dir));
    let key = first.data_dir.join("secrets.key");
    assert!(key.is_file(), "the first node keeps its secrets key in {}", key.display());
    let mut args = vec!["--secrets-key-file", key.to_str().expect("a UTF-8 path")];
    args.extend_from_slice(extra);
    Server::start_in(&data_dir, &args)
}

/// Polls `check` until it answers, panicking after [`WAIT`].
async fn until<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn export_status(client: &hookbridge::Client, id: &str) -> hookbridge::ExportRecord {
    client.get_export(id).await.expect("get export")
}

/// Downloads an export through `client`'s node and returns the message ids of its rows.
async fn downloaded_ids(client: &hookbridge::Client, export_id: &str) -> Vec<String> {
    let link = client.download_export(export_id).await.expect("a download link");
    let answer = reqwest::get(&link).await.expect("the download link answers");
    assert_eq!(answer.status(), 200, "download of {export_id}");
    let text = answer.text().await.expect("the export content");
    text.lines()
        .map(|line| {
            let row: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            row["message_id"].as_str().expect("a message id").to_owned()
        })
        .collect()
}

fn whole_range(start: Timestamp) -> CreateExportOptions {
    CreateExportOptions { start_time: start.into(), end_time: Timestamp::now().into(), status: None, endpoint_id: None }
}

/// A `psql` session holding `LOCK TABLE messages` in an open transaction: every export build
/// blocks on its first page until [`TableLock::release`].
struct TableLock {
    psql: Child,
}

impl TableLock {
    fn take(data_dir: &Path) -> TableLock {
        let url = backend::database_url(data_dir).expect("PostgreSQL");
        let mut psql = Command::new("psql")
            .args(["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", &url])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("psql starts");
        let stdin = psql.stdin.as_mut().expect("stdin");
        stdin.write_all(b"BEGIN;\nLOCK TABLE messages IN ACCESS EXCLUSIVE MODE;\nSELECT 'locked';\n").expect("send to psql");
        stdin.flush().expect("flush");
        let mut line = String::new();
        BufReader::new(psql.stdout.as_mut().expect("stdout")).read_line(&mut line).expect("psql answers");
        assert_eq!(line.trim(), "locked");
        TableLock { psql }
    }

    fn release(mut self) {
        self.psql.stdin.take().expect("stdin").write_all(b"COMMIT;\n").expect("send to psql");
        assert!(self.psql.wait().expect("psql exits").success());
    }
}

impl Drop for TableLock {
    fn drop(&mut self) {
        let _ = self.psql.kill();
        let _ = self.psql.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn exports_survive_their_node_and_download_from_any_node() {
    if skip_on_sqlite("exports_survive_their_node_and_download_from_any_node") {
        return;
    }
    let parent = tempfile::tempdir().expect("a temporary directory");
    let mut a = Server::start(&[]);
    let client_a = a.client();
    let receiver = Receiver::start().await;
    let ep = client_a.create_endpoint(&receiver.url, &Default::default()).await.unwrap();
    let start = Timestamp::now();
    let mut sent = BTreeSet::new();
    for n in 0..30 {
        sent.insert(client_a.send(&ep.id, &json!({"n": n}), &SendOptions::default()).await.unwrap().message_id);
    }

    // An export completed on node A while it is the only node.
    let first = client_a.create_export(&whole_range(start)).await.unwrap();
    let first = until("the first export to complete on node A", async || {
        Some(export_status(&client_a, &first.id).await).filter(|e| e.status == "completed")
    })
    .await;
    assert_eq!(first.row_count, Some(30));

    // An export node A claims and is killed while building (its first page waits on a lock).
    let lock = TableLock::take(&a.data_dir);
    let second = client_a.create_export(&whole_range(start)).await.unwrap();
    let claim = until("node A to claim the second export", async || {
        let row =
            backend::database_sql(&a.data_dir, &format!("SELECT status, leased_by FROM exports WHERE id = '{}'", second.id));
        let row = row.trim().to_owned();
        row.starts_with("processing|pid").then_some(row)
    })
    .await;
    a.kill();
    lock.release();

    // Node B, on its own data dir, starts while A's lease still holds, and takes the export over.
    let b = second_node(&a, parent.path(), &[]);
    let client_b = b.client();
    let done = until("node B to finish the export node A was building", async || {
        Some(export_status(&client_b, &second.id).await).filter(|e| e.status == "completed")
    })
    .await;
    assert_eq!(done.row_count, Some(30), "the export was built again from the start ({claim})");
    assert!(done.started_at.is_some());
    let built_by_b = downloaded_ids(&client_b, &second.id).await;
    assert_eq!(built_by_b.len(), 30, "each message exactly once");
    assert_eq!(built_by_b.into_iter().collect::<BTreeSet<_>>(), sent);

    // The export completed on A downloads from B, which has no export files of its own.
    assert_eq!(downloaded_ids(&client_b, &first.id).await.into_iter().collect::<BTreeSet<_>>(), sent);
    assert!(!b.data_dir.join("exports").exists(), "export content is not kept in files on PostgreSQL");
}

/// Advisory locks of cluster-wide jobs held in the test database.
fn job_locks(data_dir: &Path) -> usize {
    let count = backend::database_sql(
        data_dir,
        &format!(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted \
             AND classid::bigint = {JOB_LOCK} AND objsubid = 2 AND database = \
             (SELECT oid FROM pg_database WHERE datname = current_database())"
        ),
    );
    count.trim().parse().expect("a count")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_janitor_runs_on_one_node_and_deletes_expired_content_from_the_database() {
    if skip_on_sqlite("the_janitor_runs_on_one_node_and_deletes_expired_content_from_the_database") {
        return;
    }
    let parent = tempfile::tempdir().expect("a temporary directory");
    let flags = ["--janitor-interval-secs", "1", "--export-ttl-secs", "3"];
    let mut a = Server::start(&flags);
    until("node A to lead the janitor", async || (job_locks(&a.data_dir) == 1).then_some(())).await;
    let b = second_node(&a, parent.path(), &flags);
    // Both nodes tick every second; only one holds the janitor's lock.
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_eq!(job_locks(&b.data_dir), 1, "exactly one node leads the janitor");
    }

    // Node B takes over when the leader dies, and deletes expired export content.
    let client_b = b.client();
    let hour_ago = Timestamp::from_unix_millis(Timestamp::now().unix_millis() - 3_600_000);
    let export = client_b.create_export(&whole_range(hour_ago)).await.unwrap();
    until("the export to complete", async || {
        Some(export_status(&client_b, &export.id).await).filter(|e| e.status == "completed")
    })
    .await;
    let parts = format!("SELECT count(*) FROM export_contents WHERE export_id = '{}'", export.id);
    assert_eq!(backend::database_sql(&b.data_dir, &parts).trim(), "1", "an empty export has one empty part");
    a.kill();
    until("the expired export's content to be deleted", async || {
        let gone = backend::database_sql(&b.data_dir, &parts).trim() == "0";
        let expired = export_status(&client_b, &export.id).await.status == "expired";
        (gone && expired).then_some(())
    })
    .await;
    assert_eq!(job_locks(&b.data_dir), 1, "node B leads the janitor once node A is gone");
}
