//! Actor lookup (API key ids to labels; user ids to nothing) and export deletion, through the
//! core client, with project isolation and bad input.

use hookbridge::{CreateEndpointOptions, CreateExportOptions, ErrorKind, SendOptions, Timestamp};
use reqwest::Method;
use serde_json::json;

use crate::harness::{Receiver, Server, eventually, wait_for_status};
use crate::support::{Raw, WAIT, client_for};

#[tokio::test(flavor = "multi_thread")]
async fn actors_resolve_this_projects_keys_to_labels_and_users_to_nothing() {
    let server = Server::start(&[]);
    let a = server.client();
    let ops = a.create_api_key("test", Some("ops robot")).await.unwrap();
    let unlabelled = a.create_api_key("test", None).await.unwrap();
    a.delete_api_key(&unlabelled.key_id).await.unwrap();
    let project_b = a.create_project("project b", None).await.unwrap();
    let raw = Raw::new(&server.url);
    let created_b = raw.post("/v1/api-keys", json!({"mode": "test", "label": "b's key", "project_id": project_b.id})).await;
    let key_b = created_b.expect_ok(201).clone();
    let b = client_for(&server.url, key_b["key"].as_str().unwrap());
    let b_id = key_b["key_id"].as_str().unwrap().to_owned();

    let ids = vec![ops.key_id.clone(), unlabelled.key_id.clone(), b_id.clone(), "key_unknown".to_owned()];
    let found = a.lookup_actors(&["user_1".to_owned()], &ids).await.unwrap();
    let keys = found.api_keys.expect("api_keys");
    assert_eq!(keys.len(), 2, "only this project's keys, a revoked one included: {keys:?}");
    assert_eq!(keys[&ops.key_id]["label"], "ops robot");
    assert_eq!(keys[&unlabelled.key_id]["label"], "");
    assert!(found.users.unwrap_or_default().is_empty(), "no user accounts on a self-hosted server");

    // B sees only its own key.
    let seen_by_b = b.lookup_actors(&[], &ids).await.unwrap().api_keys.unwrap();
    assert_eq!(seen_by_b.keys().collect::<Vec<_>>(), vec![&b_id]);
    // Nothing asked, nothing found.
    assert!(a.lookup_actors(&[], &[]).await.unwrap().api_keys.unwrap().is_empty());

    let many = (0..101).map(|i| format!("key_{i}")).collect::<Vec<_>>().join(",");
    let answer = raw.call(Method::GET, &format!("/v1/actors/lookup?api_key_id={many}"), None).await;
    assert!(answer.expect_error(400, "INVALID_REQUEST").contains("api_key_id"));
    let answer = raw.call(Method::GET, &format!("/v1/actors/lookup?user_id={}", "u".repeat(101)), None).await;
    assert!(answer.expect_error(400, "INVALID_REQUEST").contains("user_id"));
    Raw::with_key(&server.url, None).call(Method::GET, "/v1/actors/lookup", None).await.expect_error(401, "UNAUTHORIZED");
}

#[tokio::test(flavor = "multi_thread")]
async fn exports_can_be_deleted_by_their_project_only() {
    let server = Server::start(&[]);
    let a = server.client();
    let receiver = Receiver::start().await;
    let ep = a.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();
    let sent = a.send(&ep.id, &json!({"n": 1}), &SendOptions::default()).await.unwrap();
    wait_for_status(&a, &sent.message_id, "succeeded", WAIT).await;
    let options = CreateExportOptions {
        start_time: Timestamp::from_unix_millis(0).into(),
        end_time: Timestamp::now().into(),
        status: None,
        endpoint_id: None,
    };
    let export = a.create_export(&options).await.unwrap();
    let id = export.id.clone();
    eventually("the export to complete", WAIT, || {
        let (a, id) = (a.clone(), id.clone());
        async move { a.get_export(&id).await.ok().filter(|e| e.status == "completed") }
    })
    .await;
    let link = a.download_export(&id).await.expect("a download link");

    let project_b = a.create_project("project b", None).await.unwrap();
    let key_b = Raw::new(&server.url).post("/v1/api-keys", json!({"mode": "test", "project_id": project_b.id})).await;
    let b = client_for(&server.url, key_b.expect_ok(201)["key"].as_str().unwrap());
    assert_eq!(b.delete_export(&id).await.unwrap_err().kind(), ErrorKind::NotFound);
    assert!(a.get_export(&id).await.is_ok(), "B's call left A's export alone");

    a.delete_export(&id).await.expect("delete");
    assert_eq!(a.get_export(&id).await.unwrap_err().kind(), ErrorKind::NotFound);
    assert!(a.list_exports().await.unwrap().iter().all(|e| e.id != id));
    let file = reqwest::get(&link).await.unwrap();
    assert_eq!(file.status(), 404, "the signed link no longer serves the content");
    let again = a.delete_export(&id).await.unwrap_err();
    assert_eq!((again.kind(), again.code()), (ErrorKind::NotFound, "NOT_FOUND"));
    // A second export still works after a deletion.
    assert!(a.create_export(&options).await.is_ok());
}
