//! The configured key and `--dev` at start-up, and how keys are stored: a revoked configured
//! key stays revoked, `--dev` runs only on a data dir `--dev` created, keys are kept as SHA-256
//! hashes, and the migration to key scopes makes the bootstrap key the admin key.

use std::process::Command;

use serde_json::json;

use crate::harness::{DEV_KEY, Server, backend};
use crate::support::{Raw, sha256_hex};

const CONFIGURED: &str = "hb_live_configured00000000000000000000000";

fn temp_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("hb-startup-{}", uuid::Uuid::now_v7()))
}

/// Stops a server but keeps its data dir for the next one.
fn stop_keeping_data(mut server: Server) {
    server.kill();
    std::mem::forget(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_configured_key_stays_revoked_after_a_restart() {
    let dir = temp_dir();
    let server = Server::start_production(&dir, &["--api-key", CONFIGURED]);
    let configured = Raw::with_key(&server.url, Some(CONFIGURED));
    let spare = configured.post("/v1/api-keys", json!({"admin": true})).await.expect_ok(201)["key"].as_str().unwrap().to_owned();
    let keys = configured.get("/v1/api-keys").await;
    let configured_id = keys.expect_ok(200)[0]["key_id"].as_str().unwrap().to_owned();
    let spare_client = Raw::with_key(&server.url, Some(&spare));
    spare_client.call(reqwest::Method::DELETE, &format!("/v1/api-keys/{configured_id}"), None).await.expect_ok(200);
    stop_keeping_data(server);

    let server = Server::start_production(&dir, &["--api-key", CONFIGURED]);
    Raw::with_key(&server.url, Some(CONFIGURED)).get("/v1/api-keys").await.expect_error(401, "UNAUTHORIZED");
    Raw::with_key(&server.url, Some(&spare)).get("/v1/api-keys").await.expect_ok(200);
    stop_keeping_data(server);

    // The same holds for the dev key on a dev data dir.
    let mut dev = Server::start(&[]);
    let admin = Raw::new(&dev.url);
    let spare = admin.post("/v1/api-keys", json!({"admin": true})).await.expect_ok(201)["key"].as_str().unwrap().to_owned();
    let dev_id = admin.get("/v1/api-keys").await.expect_ok(200)[0]["key_id"].as_str().unwrap().to_owned();
    admin.call(reqwest::Method::DELETE, &format!("/v1/api-keys/{dev_id}"), None).await.expect_ok(200);
    dev.restart();
    Raw::new(&dev.url).get("/v1/api-keys").await.expect_error(401, "UNAUTHORIZED");
    Raw::with_key(&dev.url, Some(&spare)).get("/v1/api-keys").await.expect_ok(200);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn dev_mode_is_refused_on_a_data_dir_it_did_not_create() {
    let dir = temp_dir();
    stop_keeping_data(Server::start_production(&dir, &["--api-key", CONFIGURED]));
    let refused = Command::new(env!("CARGO_BIN_EXE_hookbridge-server"))
        .args(["--dev", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&dir)
        .args(backend::server_args(&dir))
        .env("HOOKBRIDGE_LOG", "warn")
        .output()
        .expect("the binary runs");
    assert!(!refused.status.success(), "--dev must not start on a production data dir");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("--dev refused") && stderr.contains("not created in dev mode"), "{stderr}");

    // The public dev key was not added on the way.
    let server = Server::start_production(&dir, &["--api-key", CONFIGURED]);
    Raw::with_key(&server.url, Some(DEV_KEY)).get("/v1/api-keys").await.expect_error(401, "UNAUTHORIZED");
    Raw::with_key(&server.url, Some(CONFIGURED)).get("/v1/api-keys").await.expect_ok(200);
}

#[tokio::test(flavor = "multi_thread")]
async fn api_keys_are_stored_only_as_sha256_hashes() {
    let server = Server::start(&[]);
    let created = Raw::new(&server.url).post("/v1/api-keys", json!({"label": "stored"})).await;
    let key = created.expect_ok(201)["key"].as_str().unwrap().to_owned();
    if backend::is_postgres() {
        let hashes = backend::database_sql(&server.data_dir, "SELECT key_hash FROM api_keys");
        assert!(hashes.contains(&sha256_hex(key.as_bytes())) && hashes.contains(&sha256_hex(DEV_KEY.as_bytes())));
        let every_row = backend::database_sql(&server.data_dir, "SELECT t::text FROM api_keys t");
        for secret in [key.as_str(), DEV_KEY] {
            assert!(!every_row.contains(secret), "api_keys holds a plaintext key");
        }
        return;
    }
    let db = rusqlite::Connection::open(server.data_dir.join("hookbridge.db")).unwrap();
    let hashes: Vec<String> = db
        .prepare("SELECT key_hash FROM api_keys")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(hashes.contains(&sha256_hex(key.as_bytes())) && hashes.contains(&sha256_hex(DEV_KEY.as_bytes())));
    drop(db);
    for file in ["hookbridge.db", "hookbridge.db-wal"] {
        let bytes = std::fs::read(server.data_dir.join(file)).unwrap_or_default();
        for secret in [key.as_str(), DEV_KEY] {
            assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "{file} holds a plaintext key");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_scope_migration_makes_the_bootstrap_key_the_admin_key() {
    // A data dir as the server before key scopes left it: the bootstrap key (no label) and a
    // key made through the API (with a label) in the default project.
    if backend::is_postgres() {
        eprintln!("SQLite migration test: nothing to check on PostgreSQL (its schema starts with key scopes)");
        return;
    }
    let dir = temp_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let minted = "hb_live_mintedbyapi000000000000000000000";
    {
        let db = rusqlite::Connection::open(dir.join("hookbridge.db")).unwrap();
        db.execute_batch(include_str!("../../src/store/sqlite/migrations/0001_initial.sql")).unwrap();
        db.execute_batch(include_str!("../../src/store/sqlite/migrations/0002_exports_direction.sql")).unwrap();
        db.execute_batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL); \
             INSERT INTO schema_migrations VALUES (1, 0), (2, 0); \
             INSERT INTO projects (id, tenant_id, name, created_at) VALUES ('01935abc-def0-7123-4567-890abcdef012', 'tenant_t', 'Default', 1);",
        )
        .unwrap();
        for (id, key, label) in [("key_boot", CONFIGURED, None), ("key_api", minted, Some(""))] {
            db.execute(
                "INSERT INTO api_keys (id, project_id, key_hash, prefix, mode, label, created_at) \
                 VALUES (?1, '01935abc-def0-7123-4567-890abcdef012', ?2, ?3, 'live', ?4, 2)",
                rusqlite::params![id, sha256_hex(key.as_bytes()), &key[..11], label],
            )
            .unwrap();
        }
    }
    let server = Server::start_production(&dir, &[]);
    Raw::with_key(&server.url, Some(CONFIGURED)).post("/v1/projects", json!({"name": "by admin"})).await.expect_ok(201);
    let tenant = Raw::with_key(&server.url, Some(minted));
    tenant.post("/v1/projects", json!({"name": "by tenant"})).await.expect_error(403, "FORBIDDEN");
    tenant.get("/v1/api-keys").await.expect_ok(200);
}
