//! Claim on send: a send to an endpoint with a free worker slot is claimed by the write that
//! stores it and delivered without a scan for due work, on SQLite and on PostgreSQL; it never
//! claims for a paused endpoint, and a send it cannot claim is delivered the usual way. The claim
//! takes the endpoint's oldest due message first (the store-level tests below for SQLite, and
//! `pg_queue.rs` for the PostgreSQL send batch).

mod harness;

use std::time::Duration;

use harness::{Receiver, Server, backend, new_send, wait_for_status};
use hookbridge::{CreateEndpointOptions, SendOptions};
use hookbridge_server::store::sqlite::{SqliteStore, Synchronous};
use hookbridge_server::store::{MessageStore, SendLease, SendOutcome};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(10);
const CLAIMED_ON_SEND: &str = "hookbridge_deliveries_claimed_on_send_total";
/// The lease of the store-level claims below.
const LEASE: SendLease = SendLease { lease_ms: 60_000, endpoint_limit: usize::MAX };

async fn metric(url: &str, sample: &str) -> u64 {
    harness::metric_sample(url, sample).await.0.unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_send_to_an_idle_endpoint_is_claimed_by_its_own_write_and_delivered() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    let ep = client.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();
    for n in 0..3 {
        let id = client.send(&ep.id, &json!({"n": n}), &SendOptions::default()).await.unwrap().message_id;
        wait_for_status(&client, &id, "succeeded", WAIT).await;
    }
    assert_eq!(receiver.received().len(), 3);
    assert_eq!(metric(&server.url, CLAIMED_ON_SEND).await, 3, "each send to the idle endpoint claimed itself");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_send_to_a_paused_endpoint_is_not_claimed_and_is_delivered_after_resume() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    let ep = client.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();
    client.pause_endpoint(&ep.id).await.unwrap();
    let id = client.send(&ep.id, &json!({"n": 1}), &SendOptions::default()).await.unwrap().message_id;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(client.get_message(&id).await.unwrap().status, "paused");
    assert!(receiver.received().is_empty(), "nothing is delivered while paused");
    client.resume_endpoint(&ep.id).await.unwrap();
    wait_for_status(&client, &id, "succeeded", WAIT).await;
    assert_eq!(metric(&server.url, CLAIMED_ON_SEND).await, 0, "a paused endpoint's send is left to the engine");
}

#[tokio::test(flavor = "multi_thread")]
async fn sends_beyond_the_endpoints_free_slots_are_delivered_the_usual_way() {
    // One attempt per endpoint at a time, and a receiver that answers slowly: the first send
    // claims the only slot, the others wait for the engine.
    let server = Server::start(&["--endpoint-concurrency", "1"]);
    let client = server.client();
    let receiver = Receiver::start().await;
    receiver.fallback(harness::Answer { delay: Some(Duration::from_millis(300)), ..harness::Answer::status(200) });
    let ep = client.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();
    let mut ids = Vec::new();
    for n in 0..4 {
        ids.push(client.send(&ep.id, &json!({"n": n}), &SendOptions::default()).await.unwrap().message_id);
    }
    for id in &ids {
        wait_for_status(&client, id, "succeeded", WAIT).await;
    }
    let mut got: Vec<i64> = receiver
        .received()
        .iter()
        .map(|d| serde_json::from_slice::<serde_json::Value>(&d.body).unwrap()["n"].as_i64().unwrap())
        .collect();
    got.sort_unstable();
    assert_eq!(got, vec![0, 1, 2, 3], "each send delivered once");
    let claimed = metric(&server.url, CLAIMED_ON_SEND).await;
    assert!((1..4).contains(&claimed), "the first send claimed itself, the sends behind it did not ({claimed})");
}

/// The SQLite store of a server stopped after it created one endpoint (at a closed port), with
/// `sql` run on its database first; no engine runs, so the store alone decides what a send
/// claims. Returns the store, a connection to look at its rows, the project and the endpoint.
async fn store_without_engine(sql: &str) -> (SqliteStore, rusqlite::Connection, String, hookbridge::CreateEndpointResponse) {
    let server = Server::start(&[]);
    let ep = server.client().create_endpoint("http://127.0.0.1:9/hook", &CreateEndpointOptions::default()).await.unwrap();
    let data_dir = server.stop_keeping_data();
    let db = rusqlite::Connection::open(data_dir.join("hookbridge.db")).expect("database");
    let project: String =
        db.query_row("SELECT project_id FROM endpoints WHERE id = ?1", [&ep.id], |r| r.get(0)).expect("endpoint row");
    db.execute_batch(sql).expect("setup SQL");
    let keys = hookbridge_server::secrets::SecretsSettings::in_data_dir(&data_dir);
    let store = SqliteStore::open(&data_dir, Synchronous::Normal, &keys).expect("open the database");
    (store, db, project, ep)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_claim_with_a_send_takes_the_endpoints_oldest_due_message_and_none_of_a_paused_endpoint() {
    if backend::is_postgres() {
        return; // The PostgreSQL send batch: server/tests/pg_queue.rs.
    }
    let (store, db, project, ep) = store_without_engine("").await;

    let older = new_send(&project, &ep.id, r#"{"n":1}"#);
    let older_id = older.id.clone();
    assert!(matches!(store.accept_send(older).await.unwrap(), SendOutcome::Accepted("queued")));
    let newer = new_send(&project, &ep.id, r#"{"n":2}"#);
    let newer_id = newer.id.clone();
    let (outcome, claimed) = store.accept_send_and_claim(newer, LEASE).await.unwrap();
    assert!(matches!(outcome, SendOutcome::Accepted("queued")));
    let claimed = claimed.expect("a delivery is claimed with the send");
    assert_eq!(claimed.message_id, older_id, "the endpoint's oldest due message goes first");
    assert_eq!(claimed.attempt_no, 1);
    assert_eq!(claimed.payload, br#"{"n":1}"#);
    let status = |id: &str| db.query_row("SELECT status FROM messages WHERE id = ?1", [id], |r| r.get::<_, String>(0)).unwrap();
    assert_eq!((status(&older_id).as_str(), status(&newer_id).as_str()), ("delivering", "queued"));

    db.execute("UPDATE endpoints SET paused = 1 WHERE id = ?1", [&ep.id]).unwrap();
    let held = new_send(&project, &ep.id, r#"{"n":3}"#);
    let (outcome, claimed) = store.accept_send_and_claim(held, LEASE).await.unwrap();
    assert!(matches!(outcome, SendOutcome::Accepted("paused")));
    assert!(claimed.is_none(), "nothing is claimed for a paused endpoint");
    assert_eq!(status(&newer_id), "queued");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_send_with_nothing_older_waiting_is_stored_claimed_in_one_row_write() {
    if backend::is_postgres() {
        return; // The PostgreSQL send batch: server/tests/pg_queue.rs.
    }
    // Counts every rewrite of a message row: a send stored and then claimed would be one.
    let (store, db, project, ep) = store_without_engine(
        "CREATE TABLE test_message_updates (id TEXT NOT NULL); \
         CREATE TRIGGER test_count_message_updates AFTER UPDATE ON messages \
         BEGIN INSERT INTO test_message_updates VALUES (new.id); END;",
    )
    .await;

    let send = new_send(&project, &ep.id, r#"{"n":1}"#);
    let (id, created_at) = (send.id.clone(), send.created_at);
    let (outcome, claimed) = store.accept_send_and_claim(send, LEASE).await.unwrap();
    assert!(matches!(outcome, SendOutcome::Accepted("queued")), "the send is answered as before");
    let claimed = claimed.expect("the send itself is claimed");
    assert_eq!(claimed.message_id, id);
    assert_eq!((claimed.attempt_no, claimed.due_at, claimed.created_at), (1, created_at, created_at));
    assert_eq!(claimed.url, "http://127.0.0.1:9/hook");
    assert_eq!(claimed.payload, br#"{"n":1}"#);
    assert!(!claimed.secrets.is_empty(), "the delivery is signed with the endpoint's secret");
    let (status, lease_until, next_attempt_at): (String, i64, i64) = db
        .query_row("SELECT status, lease_until, next_attempt_at FROM messages WHERE id = ?1", [&id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((status.as_str(), lease_until, next_attempt_at), ("delivering", created_at + 60_000, created_at));
    let updates: i64 = db.query_row("SELECT COUNT(*) FROM test_message_updates", [], |r| r.get(0)).unwrap();
    assert_eq!(updates, 0, "the send's row is written once, already claimed");
}
