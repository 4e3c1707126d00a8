//! Retention: purged payloads make replays answer 410 while metadata stays (and a listener
//! of a cli endpoint is told the body is gone); rejection records of unknown endpoints are capped.

mod harness;

use std::time::Duration;

use harness::{Receiver, Server, backend, wait_for_status};
use hookbridge::{CreateEndpointOptions, ErrorKind, RejectionsQuery, SendOptions};
use hookbridge_server::store::RetentionStore;
use hookbridge_server::store::postgres::PgStore;
use hookbridge_server::store::sqlite::{SqliteStore, Synchronous};
use serde_json::json;

/// The retention side of the running server's store.
async fn retention_store(server: &Server) -> Box<dyn RetentionStore> {
    let keys = hookbridge_server::secrets::SecretsSettings::in_data_dir(&server.data_dir);
    match backend::database_url(&server.data_dir) {
        Some(url) => Box::new(PgStore::connect(&url, &keys).await.expect("open the server's database")),
        None => Box::new(SqliteStore::open(&server.data_dir, Synchronous::Normal, &keys).expect("open the server's database")),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn retention_purges_payloads_of_stored_cli_requests_and_listen_says_so() {
    let server = Server::start(&[]);
    let client = server.client();
    let settings = hookbridge::InboundEndpointSettings { mode: Some("cli".into()), ..Default::default() };
    let endpoint = client.create_inbound_endpoint_with(None, &settings).await.unwrap();
    let response = reqwest::Client::new()
        .post(&endpoint.ingest_url)
        .header("content-type", "application/json")
        .body("{\"n\":1}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let before = client.listen_inbound_endpoint(&endpoint.id, None).await.unwrap();
    assert_eq!(before.messages[0].body, Some(hookbridge::JsonValue(json!({"n": 1}))));

    let far = hookbridge::Timestamp::now().unix_millis() + 60_000;
    let pruned = retention_store(&server).await.prune(far, 0, 100).await.expect("prune");
    assert_eq!(pruned.payloads, 1, "a stored request is final: its payload is purged like a delivered one");
    let after = client.listen_inbound_endpoint(&endpoint.id, None).await.unwrap();
    let message = &after.messages[0];
    assert_eq!((message.message_id.as_str(), message.size_bytes), (before.messages[0].message_id.as_str(), 7));
    assert_eq!(message.body, None);
    assert!(message.body_error.as_deref().is_some_and(|e| e.contains("retention")), "{message:?}");
    let detail = client.get_inbound_message(&message.message_id).await.expect("metadata outlives the payload");
    assert_eq!(detail.status, "stored");
}

#[tokio::test(flavor = "multi_thread")]
async fn retention_purges_payloads_and_caps_unattributed_rejections() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    let ep = client.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();
    let sent = client.send(&ep.id, &json!({"n": 1}), &SendOptions::default()).await.unwrap();
    wait_for_status(&client, &sent.message_id, "succeeded", Duration::from_secs(20)).await;
    let http = reqwest::Client::new();
    for n in 0..5 {
        let url = format!("{}/v1/webhooks/receive/00000000-0000-7000-8000-00000000000{n}/token", server.url);
        assert_eq!(http.post(url).body("{}").send().await.unwrap().status(), 404);
    }
    let before = client.list_inbound_rejections(&RejectionsQuery::default()).await.unwrap();
    assert_eq!(before.entries.iter().filter(|r| r.reason_code == "endpoint_not_found").count(), 5);

    // A retention pass whose cut-offs lie in the future treats everything as expired.
    let store = retention_store(&server).await;
    let far = hookbridge::Timestamp::now().unix_millis() + 60_000;
    let pruned = store.prune(far, 0, 2).await.expect("prune");
    assert_eq!((pruned.payloads, pruned.rejections), (1, 3));

    let after = client.list_inbound_rejections(&RejectionsQuery::default()).await.unwrap();
    assert_eq!(after.entries.len(), 2, "only the newest unattributed rejections are kept");
    let message = client.get_message(&sent.message_id).await.expect("metadata outlives the payload");
    assert_eq!(message.status, "succeeded");
    let replay = client.replay(&sent.message_id).await.unwrap_err();
    assert_eq!((replay.kind(), replay.code(), replay.status()), (ErrorKind::Api, "PAYLOAD_UNAVAILABLE", Some(410)));
}
