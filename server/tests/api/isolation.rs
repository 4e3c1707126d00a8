//! A key never sees another project's data: every lookup across projects is a 404.

use hookbridge::{
    CreateEndpointOptions, CreateExportOptions, ErrorKind, LogsQuery, Page, ReplayAllOptions, SendOptions, Timestamp,
};
use reqwest::Method;
use serde_json::json;

use crate::harness::{Receiver, Server, wait_for_status};
use crate::support::{Raw, WAIT, client_for};

#[tokio::test(flavor = "multi_thread")]
async fn a_second_project_sees_nothing_of_the_first() {
    let server = Server::start(&[]);
    let a = server.client();
    let receiver = Receiver::start().await;
    let ep = a.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();
    let sent = a.send(&ep.id, &json!({"secret": "of project a"}), &SendOptions::default()).await.unwrap();
    wait_for_status(&a, &sent.message_id, "succeeded", WAIT).await;
    let export = a
        .create_export(&CreateExportOptions {
            start_time: Timestamp::from_unix_millis(0).into(),
            end_time: Timestamp::now().into(),
            status: None,
            endpoint_id: None,
        })
        .await
        .unwrap();

    // Project B, with its own key (self-hosted extension: `project_id` on key creation).
    let project_b = a.create_project("project b", None).await.unwrap();
    let raw_a = Raw::new(&server.url);
    let key_b = raw_a.post("/v1/api-keys", json!({"mode": "test", "project_id": project_b.id})).await;
    let key_b = key_b.expect_ok(201)["key"].as_str().unwrap().to_owned();
    let b = client_for(&server.url, &key_b);

    let not_found = |r: hookbridge::Result<()>| {
        let err = r.unwrap_err();
        assert_eq!((err.kind(), err.status()), (ErrorKind::NotFound, Some(404)), "{err}");
    };
    not_found(b.get_endpoint(&ep.id).await.map(|_| ()));
    not_found(b.update_endpoint(&ep.id, &Default::default()).await);
    not_found(b.pause_endpoint(&ep.id).await.map(|_| ()));
    not_found(b.list_endpoint_signing_keys(&ep.id).await.map(|_| ()));
    not_found(b.create_endpoint_signing_key(&ep.id).await.map(|_| ()));
    not_found(b.send(&ep.id, &json!({"x": 1}), &SendOptions::default()).await.map(|_| ()));
    not_found(b.get_message(&sent.message_id).await.map(|_| ()));
    not_found(b.replay(&sent.message_id).await);
    not_found(b.cancel_retry(&sent.message_id).await);
    not_found(b.retry_now(&sent.message_id).await);
    not_found(b.replay_from_dlq(&sent.message_id).await);
    not_found(b.get_export(&export.id).await.map(|_| ()));
    not_found(b.download_export(&export.id).await.map(|_| ()));
    not_found(b.delete_endpoint(&ep.id).await);
    let a_keys = a.list_api_keys().await.unwrap();
    not_found(b.delete_api_key(&a_keys[0].key_id).await);

    assert!(b.list_endpoints(&Page::default()).await.unwrap().endpoints.is_empty());
    assert!(b.get_logs(&LogsQuery::default()).await.unwrap().messages.is_empty());
    assert!(b.get_dlq_messages(&Page::default()).await.unwrap().messages.is_empty());
    assert!(b.list_exports().await.unwrap().is_empty());
    assert_eq!(b.get_metrics("24h").await.unwrap().total_messages, 0);
    assert_eq!(b.get_subscription().await.unwrap().usage.messages_used, 0);
    let batch = b.replay_batch_messages(std::slice::from_ref(&sent.message_id)).await.unwrap();
    assert_eq!((batch.replayed, batch.failed), (0, 1));
    assert_eq!(batch.results[0].error.as_deref(), Some("message not found"));
    assert_eq!(b.replay_all_messages(&ReplayAllOptions::status("failed_permanent")).await.unwrap().replayed, 0);
    let b_keys = b.list_api_keys().await.unwrap();
    assert_eq!(b_keys.len(), 1);
    assert!(b_keys.iter().all(|k| a_keys.iter().all(|ak| ak.key_id != k.key_id)));

    // Project A still has everything, untouched.
    assert!(!a.get_endpoint(&ep.id).await.unwrap().paused);
    assert_eq!(a.get_message(&sent.message_id).await.unwrap().replay_count, 0);
    assert_eq!(a.get_metrics("24h").await.unwrap().total_messages, 1);
    let raw_b = Raw::with_key(&server.url, Some(&key_b));
    raw_b
        .call(Method::DELETE, &format!("/v1/endpoints/{}/signing-keys/sk_0", ep.id), None)
        .await
        .expect_error(404, "ENDPOINT_NOT_FOUND");
}
