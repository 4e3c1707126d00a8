//! Data at rest, against the real binary: private modes of the data dir and its files; signing
//! secrets, endpoint headers, inbound HMAC secrets and export download secrets absent from the
//! raw database and WAL bytes while deliveries still verify; the secrets key across restarts
//! (same key, wrong key, missing key file), rotation, older plaintext databases; export files
//! deleted when their download window ends, and the per-project export cap.

mod harness;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use harness::{Receiver, Server, backend, wait_for_status};
use hookbridge::signing::{VerifyOptions, verify};
use hookbridge::{CreateEndpointOptions, CreateExportOptions, InboundEndpointSettings, SendOptions, TimeArg, Timestamp};
use hookbridge_server::secrets::SecretsKey;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(30);

/// Whether the suite runs on PostgreSQL, where `what` does not apply (then it says so).
fn sqlite_only(what: &str) -> bool {
    let postgres = harness::backend::is_postgres();
    if postgres {
        println!("skipped on PostgreSQL: {what}");
    }
    postgres
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

fn fresh_dir() -> PathBuf {
    std::env::temp_dir().join(format!("hb-at-rest-{}", uuid::Uuid::now_v7()))
}

/// Polls `check` until it is true (panics after [`WAIT`]).
async fn until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Secrets planted through the API, in plaintext as the API handed them out or took them in.
struct Planted {
    endpoint_id: String,
    signing_secret: String,
    header_value: String,
    hmac_secret: String,
    ingest_url: String,
}

async fn plant(server: &Server, receiver: &Receiver) -> Planted {
    let client = server.client();
    let header_value = format!("Bearer receiver-credential-{}", uuid::Uuid::now_v7().simple());
    let mut headers = hookbridge::HeaderMap::new();
    headers.insert("X-Receiver-Auth".into(), header_value.clone());
    let ep = client
        .create_endpoint(&receiver.url, &CreateEndpointOptions { headers: Some(headers), ..Default::default() })
        .await
        .expect("create endpoint");
    let hmac_secret = format!("provider-hmac-secret-{}", uuid::Uuid::now_v7().simple());
    let settings = InboundEndpointSettings {
        verify_hmac: Some(true),
        hmac_header_name: Some("X-Signature".into()),
        hmac_secret: Some(hmac_secret.clone()),
        ..Default::default()
    };
    let inbound = client.create_inbound_endpoint(&receiver.url, &settings).await.expect("create inbound endpoint");
    Planted { endpoint_id: ep.id, signing_secret: ep.signing_secret, header_value, hmac_secret, ingest_url: inbound.ingest_url }
}

/// Sends one message and checks the delivery: signed with the secret the API returned, with
/// the endpoint's custom header.
async fn assert_delivery_verifies(server: &Server, receiver: &Receiver, planted: &Planted) {
    let client = server.client();
    let before = receiver.received().len();
    let sent = client.send(&planted.endpoint_id, &json!({"n": before}), &SendOptions::default()).await.expect("send");
    let got = receiver.wait_for(before + 1, WAIT).await;
    let delivery = got.iter().find(|d| d.header("x-webhook-id").as_deref() == Some(sent.message_id.as_str())).expect("delivered");
    let timestamp = delivery.header("x-webhook-timestamp").expect("timestamp");
    let signature = delivery.header("x-webhook-signature").expect("signature");
    verify(&delivery.body, &signature, &timestamp, &[&planted.signing_secret], VerifyOptions::default())
        .expect("the delivery verifies with the secret the API returned");
    assert_eq!(delivery.header("x-receiver-auth").as_deref(), Some(planted.header_value.as_str()));
    wait_for_status(&client, &sent.message_id, "succeeded", WAIT).await;
}

/// A request signed with the inbound HMAC secret is accepted; a wrong signature is refused.
async fn assert_inbound_hmac_works(server: &Server, planted: &Planted) {
    // The port changes across restarts; the path stays.
    let path = &planted.ingest_url[planted.ingest_url.find("/v1/").expect("an ingest path")..];
    let url = format!("{}{path}", server.url);
    use hmac::{KeyInit, Mac};
    let body = br#"{"event":"ping"}"#;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(planted.hmac_secret.as_bytes()).unwrap();
    mac.update(body);
    let good = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    let http = reqwest::Client::new();
    let post = |signature: String| http.post(&url).header("X-Signature", signature).body(body.to_vec()).send();
    let accepted = post(good).await.expect("ingest");
    assert!(accepted.status().is_success(), "signed ingest answered {}", accepted.status());
    let refused = post(format!("sha256={}", "0".repeat(64))).await.expect("ingest");
    assert_eq!(refused.status(), 401);
}

/// Everything the database holds on disk, as bytes: the SQLite database and WAL files, or a
/// `pg_dump` of the PostgreSQL database.
fn raw_database(data_dir: &Path) -> Vec<u8> {
    if let Some(url) = backend::database_url(data_dir) {
        let dump = Command::new("pg_dump").args(["--data-only", "-d", &url]).output().expect("pg_dump runs");
        assert!(dump.status.success(), "pg_dump: {}", String::from_utf8_lossy(&dump.stderr));
        return dump.stdout;
    }
    let mut bytes = std::fs::read(data_dir.join("hookbridge.db")).expect("database file");
    if let Ok(wal) = std::fs::read(data_dir.join("hookbridge.db-wal")) {
        bytes.extend_from_slice(&wal);
    }
    bytes
}

/// Runs SQL statements on the test's database (either backend).
fn execute(data_dir: &Path, sql: &str) {
    if backend::is_postgres() {
        backend::database_sql(data_dir, sql);
    } else {
        rusqlite::Connection::open(data_dir.join("hookbridge.db")).unwrap().execute_batch(sql).unwrap();
    }
}

/// The non-NULL values of one column (either backend).
fn column_values(data_dir: &Path, table: &str, column: &str) -> Vec<String> {
    let sql = format!("SELECT {column} FROM {table} WHERE {column} IS NOT NULL");
    if backend::is_postgres() {
        return backend::database_sql(data_dir, &sql).lines().filter(|l| !l.is_empty()).map(str::to_owned).collect();
    }
    let conn = rusqlite::Connection::open_with_flags(data_dir.join("hookbridge.db"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open the database read-only");
    let mut stmt = conn.prepare(&sql).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().collect::<Result<_, _>>().unwrap()
}

fn assert_absent(bytes: &[u8], needle: &str, what: &str) {
    assert!(!bytes.windows(needle.len()).any(|w| w == needle.as_bytes()), "{what} is stored in plain text");
}

fn assert_no_plaintext(data_dir: &Path, planted: &Planted) {
    let bytes = raw_database(data_dir);
    assert_absent(&bytes, &planted.signing_secret, "the signing secret");
    assert_absent(&bytes, &planted.header_value, "the endpoint header value");
    assert_absent(&bytes, &planted.hmac_secret, "the inbound HMAC secret");
}

/// Every stored secret column holds a value sealed under `key_id`; returns how many.
fn sealed_values(data_dir: &Path, key_id: &str) -> usize {
    let mut count = 0;
    for (table, column) in [
        ("signing_keys", "secret"),
        ("endpoints", "headers"),
        ("inbound_endpoints", "hmac_secret"),
        ("exports", "download_token"),
    ] {
        for value in column_values(data_dir, table, column) {
            assert!(value.starts_with(&format!("hbsec1:{key_id}:")), "{table}.{column} is not sealed under {key_id}: {value}");
            count += 1;
        }
    }
    count
}

fn key_file_id(data_dir: &Path) -> String {
    let text = std::fs::read_to_string(data_dir.join("secrets.key")).expect("the key file");
    SecretsKey::parse(&text).expect("a valid key").id().to_owned()
}

/// Starts the binary on `data_dir` expecting it to refuse; returns its stderr.
fn start_refused(data_dir: &Path, extra: &[&str]) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hookbridge-server"))
        .args(["--dev", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .args(backend::server_args(data_dir))
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start hookbridge-server");
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(!status.success(), "the server was expected to refuse to start");
            let mut stderr = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr).unwrap();
            return stderr;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server started although it should have refused");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

async fn completed_export(client: &hookbridge::Client) -> hookbridge::ExportRecord {
    let created = client
        .create_export(&CreateExportOptions {
            start_time: TimeArg::Text("2020-01-01T00:00:00Z".into()),
            end_time: Timestamp::now().into(),
            status: None,
            endpoint_id: None,
        })
        .await
        .expect("create export");
    let deadline = Instant::now() + WAIT;
    loop {
        let export = client.get_export(&created.id).await.expect("get export");
        if export.status == "completed" {
            return export;
        }
        assert!(Instant::now() < deadline, "export stuck in {}", export.status);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_data_dir_is_0700_and_its_files_0600_even_when_it_was_open_before() {
    let dir = fresh_dir();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let server = Server::start_in(&dir, &[]);
    let receiver = Receiver::start().await;
    let planted = plant(&server, &receiver).await;
    assert_delivery_verifies(&server, &receiver, &planted).await;
    assert_eq!(mode(&dir), 0o700, "the data dir");
    let files: &[&str] = if backend::is_postgres() {
        // On PostgreSQL the data dir holds only the secrets key.
        &["secrets.key"]
    } else {
        &["hookbridge.db", "hookbridge.db-wal", "hookbridge.db-shm", "hookbridge.lock", "secrets.key"]
    };
    for file in files {
        assert_eq!(mode(&dir.join(file)), 0o600, "{file}");
    }
    drop(server);
    if backend::is_postgres() {
        return;
    }

    // A database left 0644 by an older version is tightened at start.
    let dir = fresh_dir();
    let server = Server::start_in(&dir, &[]);
    let dir = server.stop_keeping_data();
    std::fs::set_permissions(dir.join("hookbridge.db"), std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let server = Server::start_in(&dir, &[]);
    assert_eq!((mode(&dir), mode(&dir.join("hookbridge.db"))), (0o700, 0o600));
    drop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_are_not_in_the_database_files_in_plain_text_and_deliveries_still_verify() {
    let server = Server::start(&[]);
    let receiver = Receiver::start().await;
    let planted = plant(&server, &receiver).await;
    assert_delivery_verifies(&server, &receiver, &planted).await;
    assert_inbound_hmac_works(&server, &planted).await;
    let client = server.client();
    // The endpoint API still shows the headers it was given.
    let ep = client.get_endpoint(&planted.endpoint_id).await.expect("get endpoint");
    assert_eq!(ep.headers.and_then(|h| h.get("X-Receiver-Auth").cloned()), Some(planted.header_value.clone()));
    // An export's download secret is sealed too, and its link still works.
    let export = completed_export(&client).await;
    let link = client.download_export(&export.id).await.expect("download link");
    assert_eq!(reqwest::get(&link).await.unwrap().status(), 200);

    assert_no_plaintext(&server.data_dir, &planted);
    let key_id = key_file_id(&server.data_dir);
    // The outbound signing key, the endpoint headers, the HMAC secret and the export secret.
    assert_eq!(sealed_values(&server.data_dir, &key_id), 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_key_restarts_and_a_wrong_or_missing_key_refuses_to_start() {
    let server = Server::start(&[]);
    let receiver = Receiver::start().await;
    let planted = plant(&server, &receiver).await;
    let dir = server.stop_keeping_data();
    let original = std::fs::read_to_string(dir.join("secrets.key")).unwrap();

    let server = Server::start_in(&dir, &[]);
    assert_delivery_verifies(&server, &receiver, &planted).await;
    let dir = server.stop_keeping_data();

    // Another key: refused before anything is read or signed, naming both key ids.
    let other = SecretsKey::generate().unwrap();
    std::fs::write(dir.join("secrets.key"), other.encode()).unwrap();
    let stderr = start_refused(&dir, &[]);
    let original_id = SecretsKey::parse(&original).unwrap().id().to_owned();
    assert!(stderr.contains("wrong secrets key") && stderr.contains(&original_id) && stderr.contains(other.id()), "{stderr}");

    // No key file: refused, and no new key is made up in its place.
    std::fs::remove_file(dir.join("secrets.key")).unwrap();
    let stderr = start_refused(&dir, &[]);
    assert!(stderr.contains("secrets.key") && stderr.contains("missing"), "{stderr}");
    assert!(!dir.join("secrets.key").exists());

    // The original key given with --secrets-key works without the file.
    let server = Server::start_in(&dir, &["--secrets-key", original.trim()]);
    assert_delivery_verifies(&server, &receiver, &planted).await;
    assert_inbound_hmac_works(&server, &planted).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rotation_re_encrypts_every_secret_under_the_new_key() {
    let server = Server::start(&[]);
    let receiver = Receiver::start().await;
    let planted = plant(&server, &receiver).await;
    let dir = server.stop_keeping_data();
    let old_id = key_file_id(&dir);
    assert_eq!(sealed_values(&dir, &old_id), 3);

    // The documented procedure: move the key file aside and start with it as the previous key;
    // a new key file is created and every value is sealed again under it.
    let old_file = dir.join("secrets.key.old");
    std::fs::rename(dir.join("secrets.key"), &old_file).unwrap();
    let server = Server::start_in(&dir, &["--secrets-key-previous-file", old_file.to_str().unwrap()]);
    let new_id = key_file_id(&dir);
    assert_ne!(new_id, old_id);
    assert_eq!(mode(&dir.join("secrets.key")), 0o600);
    assert_eq!(sealed_values(&dir, &new_id), 3, "every value is sealed under the new key");
    assert_delivery_verifies(&server, &receiver, &planted).await;
    let dir = server.stop_keeping_data();

    // The old key is no longer needed, and no longer accepted.
    let server = Server::start_in(&dir, &[]);
    assert_delivery_verifies(&server, &receiver, &planted).await;
    assert_inbound_hmac_works(&server, &planted).await;
    let dir = server.stop_keeping_data();
    let old = std::fs::read_to_string(&old_file).unwrap();
    let stderr = start_refused(&dir, &["--secrets-key", old.trim()]);
    assert!(stderr.contains("wrong secrets key"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn plaintext_secrets_of_an_older_database_are_encrypted_at_start() {
    let server = Server::start(&[]);
    let receiver = Receiver::start().await;
    let planted = plant(&server, &receiver).await;
    let dir = server.stop_keeping_data();

    // Turn it into what an older version left: plaintext values, no key check value, no key file.
    let headers = json!({"X-Receiver-Auth": planted.header_value}).to_string();
    execute(
        &dir,
        &format!(
            "UPDATE signing_keys SET secret = '{}' WHERE owner_id = '{}'; UPDATE endpoints SET headers = '{headers}' WHERE id = '{}'; \
             UPDATE inbound_endpoints SET hmac_secret = '{}'; DELETE FROM secrets_key;",
            planted.signing_secret, planted.endpoint_id, planted.endpoint_id, planted.hmac_secret
        ),
    );
    std::fs::remove_file(dir.join("secrets.key")).unwrap();
    let raw = raw_database(&dir);
    assert!(raw.windows(planted.hmac_secret.len()).any(|w| w == planted.hmac_secret.as_bytes()));

    let server = Server::start_in(&dir, &[]);
    let key_id = key_file_id(&dir);
    assert_eq!(sealed_values(&dir, &key_id), 3);
    assert_no_plaintext(&dir, &planted);
    assert_delivery_verifies(&server, &receiver, &planted).await;
    assert_inbound_hmac_works(&server, &planted).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn export_files_are_private_and_deleted_when_their_download_window_ends() {
    if sqlite_only("export files (PostgreSQL keeps export content in the database: see cluster_exports.rs)") {
        return;
    }
    // 5 s: long enough to fetch a link on a loaded machine, short enough to wait for.
    let server = Server::start(&["--export-ttl-secs", "5", "--janitor-interval-secs", "1"]);
    let client = server.client();
    let export = completed_export(&client).await;
    let (completed, expires) = (export.completed_at.unwrap().unix_millis(), export.expires_at.unwrap().unix_millis());
    assert_eq!(expires - completed, 5000, "--export-ttl-secs sets the download window");
    let file = server.data_dir.join("exports").join(format!("{}.jsonl", export.id));
    assert_eq!((mode(&server.data_dir.join("exports")), mode(&file)), (0o700, 0o600));
    let link = client.download_export(&export.id).await.expect("download link");

    until("the janitor to delete the expired export file", || !file.exists()).await;
    let export = client.get_export(&export.id).await.unwrap();
    assert_eq!(export.status, "expired");
    let err = client.download_export(&export.id).await.unwrap_err();
    assert_eq!((err.code(), err.status()), ("EXPORT_EXPIRED", Some(410)));
    let old_link = reqwest::get(&link).await.unwrap();
    assert_eq!(old_link.status(), 410);
    let conn = rusqlite::Connection::open(server.data_dir.join("hookbridge.db")).unwrap();
    let (path, token): (Option<String>, Option<String>) = conn
        .query_row("SELECT file_path, download_token FROM exports WHERE id = ?1", [&export.id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!((path, token), (None, None), "the expired export forgets its file and download secret");
}

#[tokio::test(flavor = "multi_thread")]
async fn exports_are_capped_per_project_until_one_expires() {
    // 8 s: the two exports must still be downloadable when the third is asked for, even on a loaded machine.
    let server = Server::start(&["--max-exports-per-project", "2", "--export-ttl-secs", "8", "--janitor-interval-secs", "1"]);
    let client = server.client();
    completed_export(&client).await;
    completed_export(&client).await;
    let over = reqwest::Client::new()
        .post(format!("{}/v1/exports", server.url))
        .bearer_auth(harness::DEV_KEY)
        .json(&json!({"start_time": "2020-01-01T00:00:00Z", "end_time": "2021-01-01T00:00:00Z"}))
        .send()
        .await
        .unwrap();
    assert_eq!(over.status(), 429);
    let body: serde_json::Value = over.json().await.unwrap();
    assert_eq!(body["error"]["code"], "EXPORT_LIMIT_EXCEEDED", "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("the limit is 2"), "{body}");
    assert_eq!(client.list_exports().await.unwrap().len(), 2, "nothing was stored");

    // Once the first two are past their download window the project may export again.
    let deadline = Instant::now() + WAIT;
    loop {
        let listed = client.list_exports().await.unwrap();
        if listed.iter().all(|e| e.status == "expired") {
            break;
        }
        assert!(Instant::now() < deadline, "exports never expired");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    completed_export(&client).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_cut_off_by_a_restart_fails_and_its_partial_file_is_deleted() {
    if sqlite_only("failing cut-off exports at start (on PostgreSQL another node finishes them: see cluster_exports.rs)") {
        return;
    }
    let server = Server::start(&["--max-exports-per-project", "1"]);
    let client = server.client();
    let export = completed_export(&client).await;
    let dir = server.stop_keeping_data();
    // What a crash in the middle of writing leaves: a `processing` row and a partial file.
    let conn = rusqlite::Connection::open(dir.join("hookbridge.db")).unwrap();
    conn.execute("UPDATE exports SET status = 'processing', expires_at = NULL WHERE id = ?1", [&export.id]).unwrap();
    drop(conn);
    let partial = dir.join("exports").join(format!("{}.jsonl", export.id));
    std::fs::write(&partial, b"{\"half\":").unwrap();

    let server = Server::start_in(&dir, &["--max-exports-per-project", "1"]);
    let client = server.client();
    let failed = client.get_export(&export.id).await.unwrap();
    assert_eq!(failed.status, "failed");
    assert!(failed.error_message.as_deref().is_some_and(|m| m.contains("restart")), "{:?}", failed.error_message);
    assert!(!partial.exists(), "the partial file is deleted");
    // It no longer holds the project's only export slot.
    completed_export(&client).await;
}
