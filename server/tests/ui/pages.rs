//! The operator pages beyond the lists: one outbound endpoint (edit its settings, rotate and
//! delete signing keys), one inbound endpoint (its messages and rejections with reason codes)
//! and one inbound message (payload, attempts, replay). Every action goes through the CSRF check.

use hookbridge::{CreateEndpointOptions, InboundEndpointSettings, InboundLogsQuery};

use crate::harness::{DEV_KEY, Receiver, Server, eventually};
use crate::support::{WAIT, csrf_of, get_page, http, login, post_form};

#[tokio::test(flavor = "multi_thread")]
async fn an_endpoint_is_edited_from_its_page_with_the_api_validation() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    let other = Receiver::start().await;
    let options = CreateEndpointOptions { description: Some("before".into()), ..Default::default() };
    let ep = client.create_endpoint(&receiver.url, &options).await.unwrap();
    let (_, cookie) = login(&server, DEV_KEY).await;

    let (_, list) = get_page(&server, &cookie, "/ui/endpoints").await;
    let path = format!("/ui/endpoints/{}", ep.id);
    assert!(list.contains(&format!(r#"href="{path}""#)), "the list links to the endpoint's page");
    let (status, page) = get_page(&server, &cookie, &path).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("<title>Endpoint {} · HookBridge</title>", ep.id)), "its own title");
    assert!(page.contains(r#"<label for="rate_limit_rps">"#) && page.contains(r#"value="before""#), "a labelled, filled form");
    let csrf = csrf_of(&page);

    let form = |url: &str, description: &str, rate: &str, burst: &str, scheme: &str| {
        format!(
            "csrf={csrf}&url={}&description={description}&rate_limit_rps={rate}&burst={burst}&signature_scheme={scheme}",
            url.replace(':', "%3A").replace('/', "%2F")
        )
    };
    // Without the token nothing changes.
    let refused = form(&other.url, "after", "5", "10", "standard_webhooks").replacen(&format!("csrf={csrf}"), "csrf=", 1);
    assert_eq!(post_form(&server, &cookie, &path, &refused, Some(&server.url)).await.0, 403);
    assert_eq!(client.get_endpoint(&ep.id).await.unwrap().url, receiver.url, "a refused edit changes nothing");

    let (status, location, _) =
        post_form(&server, &cookie, &path, &form(&other.url, "after", "5", "10", "standard_webhooks"), Some(&server.url)).await;
    assert_eq!((status, location.as_str()), (303, format!("{path}?done=updated").as_str()));
    let saved = client.get_endpoint(&ep.id).await.unwrap();
    assert_eq!(saved.url, other.url);
    assert_eq!(saved.description.as_deref(), Some("after"));
    assert_eq!((saved.rate_limit_rps, saved.burst), (Some(5), Some(10)));
    assert_eq!(saved.signature_scheme.as_str(), "standard_webhooks");
    let (_, page) = get_page(&server, &cookie, &format!("{path}?done=updated")).await;
    assert!(page.contains("Endpoint saved."), "the notice after saving");
    assert!(page.contains(r#"<option value="standard_webhooks" selected>"#), "the saved scheme is selected");

    // An emptied description is cleared; empty numbers mean "no limit".
    let (status, _, _) = post_form(&server, &cookie, &path, &form(&other.url, "", "", "", "hookbridge"), None).await;
    assert_eq!(status, 303);
    let saved = client.get_endpoint(&ep.id).await.unwrap();
    assert_eq!(saved.description, None);
    assert_eq!(saved.rate_limit_rps.unwrap_or(0), 0);

    // Bad values get the API's error as a page naming the field, and change nothing.
    let (status, _, body) = post_form(&server, &cookie, &path, &form(&other.url, "x", "fast", "0", "hookbridge"), None).await;
    assert_eq!(status, 400);
    assert!(body.contains("INVALID_REQUEST") && body.contains("rate_limit_rps must be a whole number"), "{body}");
    let (status, _, body) = post_form(&server, &cookie, &path, &form(&other.url, "x", "5000", "0", "hookbridge"), None).await;
    assert_eq!(status, 400);
    assert!(body.contains("rate_limit_rps must be between 0 and 1000"), "{body}");
    let (status, _, body) = post_form(&server, &cookie, &path, &form(&other.url, "x", "1", "0", "nonsense"), None).await;
    assert_eq!(status, 400);
    assert!(body.contains("signature_scheme must be one of"), "{body}");
    assert_eq!(client.get_endpoint(&ep.id).await.unwrap().description, None, "refused edits changed nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_keys_are_rotated_and_deleted_from_the_endpoint_page() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    let ep = client.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();
    let (_, cookie) = login(&server, DEV_KEY).await;
    let path = format!("/ui/endpoints/{}", ep.id);
    let (_, page) = get_page(&server, &cookie, &path).await;
    let csrf = format!("csrf={}", csrf_of(&page));

    let (status, _, shown) = post_form(&server, &cookie, &format!("{path}/rotate"), &csrf, Some(&server.url)).await;
    assert_eq!(status, 200);
    assert!(shown.contains("copy the signing secret now"));
    let keys = client.list_endpoint_signing_keys(&ep.id).await.unwrap();
    assert_eq!(keys.len(), 2, "rotating added a key");
    let (_, page) = get_page(&server, &cookie, &path).await;
    for key in &keys {
        assert!(page.contains(&format!("{path}/keys/{}/delete", key.id)), "each key has its delete button");
    }

    let old = &keys[0].id;
    let delete = format!("{path}/keys/{old}/delete");
    assert_eq!(post_form(&server, &cookie, &delete, "csrf=wrong", None).await.0, 403, "not without the token");
    let (status, location, _) = post_form(&server, &cookie, &delete, &csrf, Some(&server.url)).await;
    assert_eq!((status, location), (303, format!("{path}?done=key_deleted")));
    let left = client.list_endpoint_signing_keys(&ep.id).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_ne!(&left[0].id, old, "the deleted key is gone");

    let last = format!("{path}/keys/{}/delete", left[0].id);
    let (status, _, body) = post_form(&server, &cookie, &last, &csrf, None).await;
    assert_eq!(status, 409, "the last key stays");
    assert!(body.contains("CANNOT_DELETE_LAST_SIGNING_KEY"), "{body}");
    assert_eq!(client.list_endpoint_signing_keys(&ep.id).await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_inbound_endpoint_page_lists_its_messages_and_rejections_and_a_message_is_replayed() {
    let server = Server::start(&[]);
    let client = server.client();
    let receiver = Receiver::start().await;
    let endpoint = client.create_inbound_endpoint(&receiver.url, &InboundEndpointSettings::default()).await.unwrap();
    let accepted = http().post(&endpoint.ingest_url).body(r#"{"event":"<b>ping</b>"}"#).send().await.unwrap();
    assert!(accepted.status().is_success(), "{}", accepted.status());
    let refused = http().get(&endpoint.ingest_url).send().await.unwrap();
    assert_eq!(refused.status(), 405, "a GET is refused and recorded as a rejection");
    let query = InboundLogsQuery { inbound_endpoint_id: Some(endpoint.id.clone()), ..Default::default() };
    let (logs_client, query) = (&client, &query);
    let message_id = eventually("the inbound message is forwarded", WAIT, || async move {
        let logs = logs_client.get_inbound_logs(query).await.ok()?;
        logs.entries.first().filter(|e| e.status == "succeeded").map(|e| e.message_id.clone())
    })
    .await;
    let (_, cookie) = login(&server, DEV_KEY).await;

    let (_, list) = get_page(&server, &cookie, "/ui/inbound").await;
    let path = format!("/ui/inbound/{}", endpoint.id);
    assert!(list.contains(&format!(r#"href="{path}""#)), "the inbound list links to the endpoint's page");
    let (status, page) = get_page(&server, &cookie, &path).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("<title>Inbound endpoint {} · HookBridge</title>", endpoint.name)), "{page}");
    assert!(page.contains(&format!(r#"href="/ui/inbound/messages/{message_id}""#)), "its message is listed");
    assert!(page.contains("<code>invalid_method</code>"), "its rejection is listed with its reason code");

    let message_path = format!("/ui/inbound/messages/{message_id}");
    let (status, page) = get_page(&server, &cookie, &message_path).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("<title>Inbound message {message_id} · HookBridge</title>")));
    assert!(page.contains("&lt;b&gt;ping&lt;/b&gt;") && !page.contains("<b>ping</b>"), "the payload, escaped");
    assert!(page.contains(r#"<td data-label="Response status">200</td>"#), "the forwarding attempt");
    let (status, location, _) =
        post_form(&server, &cookie, &format!("{message_path}/replay"), &format!("csrf={}", csrf_of(&page)), Some(&server.url))
            .await;
    assert_eq!((status, location), (303, format!("{message_path}?done=replayed")));
    receiver.wait_for(2, WAIT).await;
    let message = client.get_inbound_message(&message_id).await.unwrap();
    assert_eq!(message.replay_count, 1, "the replay went through the API's replay");

    // Unknown or malformed ids are a 404 page, not an error of the database.
    for bad in ["/ui/inbound/not-a-uuid", "/ui/inbound/messages/not-a-uuid", "/ui/inbound/0190a000-0000-7000-8000-000000000001"] {
        let (status, body) = get_page(&server, &cookie, bad).await;
        assert_eq!(status, 404, "{bad}");
        assert!(body.contains("NOT_FOUND"), "{bad}: {body}");
    }
}
