//! Pull endpoints (store and poll) through the core client against the real server: the
//! lifecycle (ingest, list, read, acknowledge, retention), every ingest check, preview reads,
//! cursor paging, deletion, logs and metrics after real traffic, and project isolation.

use hookbridge::{DeletePullEventsFilter, ErrorKind, Page, PullEndpointSettings, PullEventsQuery, PullLogsQuery, Timestamp};
use hookbridge_server::store::PullStore;
use hookbridge_server::store::postgres::PgStore;
use hookbridge_server::store::sqlite::{SqliteStore, Synchronous};
use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{Server, backend};
use crate::support::{Raw, client_for};

/// Posts `body` to an ingest URL with extra headers; (status, JSON body, Retry-After).
async fn post(url: &str, body: &Value, headers: &[(&str, String)]) -> (u16, Value, Option<String>) {
    let mut request = reqwest::Client::new().post(url).header("content-type", "application/json").body(body.to_string());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let retry_after = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    (status, response.json().await.unwrap_or(Value::Null), retry_after)
}

/// The event id of an accepted ingest answer.
fn accepted(answer: &(u16, Value, Option<String>), status: u16) -> String {
    assert_eq!(answer.0, status, "ingest answer {:?}", answer.1);
    answer.1["data"]["event_id"].as_str().expect("data.event_id").to_owned()
}

fn hmac_hex(secret: &str, message: &[u8]) -> String {
    use hmac::{KeyInit, Mac};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

fn now_secs() -> i64 {
    Timestamp::now().unix_millis() / 1000
}

#[tokio::test(flavor = "multi_thread")]
async fn pull_lifecycle_ingest_list_read_ack() {
    let server = Server::start(&[]);
    let client = server.client();
    let created = client
        .create_pull_endpoint(&PullEndpointSettings {
            name: Some("orders".into()),
            retention_days: Some(14),
            event_type_source: Some("body".into()),
            event_type_path: Some("data.kind".into()),
            idempotency_header_names: Some(vec!["X-Delivery".into()]),
            ..Default::default()
        })
        .await
        .unwrap();
    let token = created.secret_token.clone().expect("the secret token is shown once");
    let ep = &created.endpoint;
    assert_eq!((ep.mode.as_str(), ep.active, ep.paused, ep.retention_days), ("pull", true, false, Some(14)));
    assert!(ep.ingest_url.ends_with(&format!("/v1/webhooks/pull/{}/{token}", ep.id)), "{}", ep.ingest_url);

    let first = accepted(&post(&ep.ingest_url, &json!({"data": {"kind": "order.paid"}, "n": 1}), &[]).await, 202);
    let second =
        accepted(&post(&ep.ingest_url, &json!({"data": {"kind": "order.shipped"}}), &[("X-Delivery", "d-2".into())]).await, 202);
    let repeat = post(&ep.ingest_url, &json!({"data": {"kind": "order.shipped"}}), &[("X-Delivery", "d-2".into())]).await;
    assert_eq!(accepted(&repeat, 202), second, "the same dedupe key answers with the original event");

    let fetched = client.get_pull_endpoint(&ep.id).await.unwrap();
    let counts = fetched.counts.expect("counts");
    assert_eq!((counts.stored, counts.total), (Some(2), Some(2)));
    assert!(!fetched.ingest_url.contains(&token), "the token is never shown again");

    let listed = client.list_pull_events(&ep.id, &PullEventsQuery::default()).await.unwrap();
    let ids: Vec<&str> = listed.events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, vec![second.as_str(), first.as_str()], "newest first");
    assert!(listed.events.iter().all(|e| e.status == "stored" && e.fetched_at.is_none()));
    assert_eq!(listed.events[1].event_type.as_deref(), Some("order.paid"));
    let typed = PullEventsQuery { event_type: Some("order.shipped".into()), ..Default::default() };
    assert_eq!(client.list_pull_events(&ep.id, &typed).await.unwrap().events.len(), 1);

    // A preview leaves the event stored; a read moves it to fetched once.
    let preview = client.get_pull_event(&ep.id, &first, true).await.unwrap();
    assert_eq!((preview.status.as_str(), preview.fetched_at), ("stored", None));
    assert_eq!(preview.payload.0, json!({"data": {"kind": "order.paid"}, "n": 1}));
    assert_eq!(preview.content_type, "application/json");
    let read = client.get_pull_event(&ep.id, &first, false).await.unwrap();
    assert_eq!(read.status, "fetched");
    let fetched_at = read.fetched_at.expect("fetched_at");
    let again = client.get_pull_event(&ep.id, &first, false).await.unwrap();
    assert_eq!((again.status.as_str(), again.fetched_at.as_ref()), ("fetched", Some(&fetched_at)));

    // Acknowledgement: stored or fetched -> delivered, counted once.
    let acked = client.ack_pull_events(&ep.id, &[first.clone(), second.clone(), "not-an-id".into()]).await.unwrap();
    assert_eq!(acked.acknowledged, 2);
    assert_eq!(client.ack_pull_events(&ep.id, std::slice::from_ref(&first)).await.unwrap().acknowledged, 0);
    let done = client.get_pull_event(&ep.id, &first, true).await.unwrap();
    assert_eq!(done.status, "delivered");
    assert!(done.delivered_at.is_some());
    let timing = done.timing.expect("timing");
    assert!(timing.total_lifecycle_ms.is_some() && timing.time_to_fetch_ms.is_some() && timing.ingest_processing_ms.is_some());
    let delivered = PullEventsQuery { status: Some("delivered".into()), ..Default::default() };
    assert_eq!(client.list_pull_events(&ep.id, &delivered).await.unwrap().events.len(), 2);
    let counts = client.get_pull_endpoint(&ep.id).await.unwrap().counts.unwrap();
    assert_eq!((counts.stored, counts.fetched, counts.delivered), (Some(0), Some(0), Some(2)));

    // The event type can come from a header instead.
    let updated = client
        .update_pull_endpoint(
            &ep.id,
            &PullEndpointSettings {
                event_type_source: Some("header".into()),
                event_type_path: Some("X-Event".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((updated.event_type_source.as_deref(), updated.name.as_deref()), (Some("header"), Some("orders")));
    let third = accepted(&post(&ep.ingest_url, &json!({"plain": true}), &[("X-Event", "push".into())]).await, 202);
    assert_eq!(client.get_pull_event(&ep.id, &third, true).await.unwrap().event_type.as_deref(), Some("push"));

    // The endpoint list, pause (ingest answers as a paused inbound endpoint does), resume, delete.
    let page = client.list_pull_endpoints(&Page::default()).await.unwrap();
    assert_eq!(page.endpoints.len(), 1);
    assert!(client.pause_pull_endpoint(&ep.id).await.unwrap().paused);
    let paused = post(&ep.ingest_url, &json!({}), &[]).await;
    assert_eq!((paused.0, paused.1["error"]["code"].as_str(), paused.2.as_deref()), (503, Some("ENDPOINT_PAUSED"), Some("60")));
    assert!(!client.resume_pull_endpoint(&ep.id).await.unwrap().paused);
    accepted(&post(&ep.ingest_url, &json!({}), &[]).await, 202);
    assert!(client.delete_pull_endpoint(&ep.id).await.unwrap().deleted);
    assert_eq!(post(&ep.ingest_url, &json!({}), &[]).await.0, 410);
    let gone = client.get_pull_endpoint(&ep.id).await.unwrap_err();
    assert_eq!((gone.kind(), gone.status()), (ErrorKind::NotFound, Some(404)));
}

#[tokio::test(flavor = "multi_thread")]
async fn pull_ingest_runs_every_inbound_check() {
    let server = Server::start(&[]);
    let client = server.client();
    let secret = "pull-hmac-secret";
    let created = client
        .create_pull_endpoint(&PullEndpointSettings {
            verify_static_token: Some(true),
            token_header_name: Some("X-Token".into()),
            token_value: Some("static-value".into()),
            verify_hmac: Some(true),
            hmac_header_name: Some("X-Signature".into()),
            hmac_secret: Some(secret.into()),
            timestamp_header_name: Some("X-Timestamp".into()),
            timestamp_ttl_seconds: Some(300),
            verify_ip_allowlist: Some(true),
            allowed_cidrs: Some(vec!["127.0.0.0/8".into()]),
            ingest_response_code: Some(200),
            ..Default::default()
        })
        .await
        .unwrap();
    let url = created.endpoint.ingest_url.clone();
    let body = json!({"type": "checked"});
    let signed = |ts: i64| {
        let sig = hmac_hex(secret, format!("{ts}.{body}").as_bytes());
        vec![("X-Token", "static-value".to_owned()), ("X-Timestamp", ts.to_string()), ("X-Signature", format!("sha256={sig}"))]
    };
    let code = |answer: &(u16, Value, Option<String>)| (answer.0, answer.1["error"]["code"].as_str().unwrap_or("").to_owned());

    let now = now_secs();
    let ok = post(&url, &body, &signed(now)).await;
    let event_id = accepted(&ok, 200);
    assert_eq!(code(&post(&url, &body, &signed(now)).await), (409, "SIGNATURE_REPLAYED".into()));
    let mut no_token = signed(now + 1);
    no_token.remove(0);
    assert_eq!(code(&post(&url, &body, &no_token).await), (401, "STATIC_TOKEN_FAILED".into()));
    let mut bad_sig = signed(now + 2);
    bad_sig[2].1 = format!("sha256={}", "0".repeat(64));
    assert_eq!(code(&post(&url, &body, &bad_sig).await), (401, "HMAC_FAILED".into()));
    assert_eq!(code(&post(&url, &body, &signed(now - 3600)).await), (401, "HMAC_FAILED".into()), "stale timestamp");
    let wrong_token = url.rsplit_once('/').map(|(base, _)| format!("{base}/wrong-token")).unwrap();
    assert_eq!(code(&post(&wrong_token, &body, &signed(now + 3)).await), (401, "INVALID_SECRET".into()));
    let get = reqwest::Client::new().get(&url).send().await.unwrap();
    assert_eq!(get.status().as_u16(), 405);
    let big = json!({"blob": "x".repeat(1024 * 1024 + 10)});
    assert_eq!(code(&post(&url, &big, &[]).await), (413, "PAYLOAD_TOO_LARGE".into()));
    let unknown = format!("{}/v1/webhooks/pull/00000000-0000-7000-8000-000000000000/token", server.url);
    assert_eq!(code(&post(&unknown, &body, &[]).await), (404, "ENDPOINT_NOT_FOUND".into()));

    // An allow-list that excludes 127.0.0.1.
    let fenced = client
        .create_pull_endpoint(&PullEndpointSettings {
            verify_ip_allowlist: Some(true),
            allowed_cidrs: Some(vec!["10.0.0.0/8".into()]),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(code(&post(&fenced.endpoint.ingest_url, &body, &[]).await), (403, "IP_NOT_ALLOWED".into()));

    // Only the accepted request was stored; the refusals are in the rejection log.
    let events = client.list_pull_events(&created.endpoint.id, &PullEventsQuery::default()).await.unwrap();
    assert_eq!(events.events.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), vec![event_id.as_str()]);
    assert!(client.list_pull_events(&fenced.endpoint.id, &PullEventsQuery::default()).await.unwrap().events.is_empty());
    let rejections =
        Raw::new(&server.url).get(&format!("/v1/inbound-rejections?inbound_endpoint_id={}", created.endpoint.id)).await;
    let reasons: Vec<String> =
        rejections.expect_ok(200).as_array().unwrap().iter().map(|r| r["reason_code"].as_str().unwrap().to_owned()).collect();
    for reason in
        ["signature_replayed", "static_token_failed", "hmac_failed", "invalid_secret", "invalid_method", "payload_too_large"]
    {
        assert!(reasons.iter().any(|r| r == reason), "{reason} recorded in {reasons:?}");
    }
    // The static token header is not kept with the event.
    let event = client.get_pull_event(&created.endpoint.id, &event_id, true).await.unwrap();
    let headers = event.headers.expect("headers");
    assert!(headers.contains_key("x-signature") && !headers.contains_key("x-token"), "{headers:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn pull_events_and_logs_page_with_a_cursor() {
    let server = Server::start(&[]);
    let client = server.client();
    let ep = client.create_pull_endpoint(&PullEndpointSettings::default()).await.unwrap().endpoint;
    let mut sent = Vec::new();
    for n in 0..5 {
        sent.push(accepted(&post(&ep.ingest_url, &json!({"n": n}), &[]).await, 202));
    }
    sent.reverse();
    let mut seen = Vec::new();
    let mut query = PullEventsQuery { limit: Some(2), ..Default::default() };
    loop {
        let page = client.list_pull_events(&ep.id, &query).await.unwrap();
        assert!(page.events.len() <= 2);
        seen.extend(page.events.into_iter().map(|e| e.id));
        match page.next_cursor {
            Some(cursor) => {
                assert!(page.has_more);
                query.cursor = Some(cursor);
            }
            None => break,
        }
    }
    assert_eq!(seen, sent, "every event once, newest first");
    let mut logs = Vec::new();
    let mut query = PullLogsQuery { pull_endpoint_id: Some(ep.id.clone()), limit: Some(3), ..Default::default() };
    loop {
        let page = client.get_pull_logs(&query).await.unwrap();
        logs.extend(page.entries.iter().map(|e| e.event_id.clone()));
        assert!(page.entries.iter().all(|e| e.pull_endpoint_id == ep.id && e.size_bytes > 0));
        match page.next_cursor {
            Some(cursor) => query.cursor = Some(cursor),
            None => break,
        }
    }
    assert_eq!(logs, sent);
    let raw = Raw::new(&server.url);
    let bad = raw.get(&format!("/v1/pull-endpoints/{}/events?cursor=%%%", ep.id)).await.expect_error(400, "INVALID_REQUEST");
    assert!(bad.contains("cursor"), "{bad}");
    let bad = raw.get(&format!("/v1/pull-endpoints/{}/events?limit=0", ep.id)).await.expect_error(400, "INVALID_REQUEST");
    assert!(bad.contains("limit"), "{bad}");
    let bad = raw.get(&format!("/v1/pull-endpoints/{}/events?status=lost", ep.id)).await.expect_error(400, "INVALID_REQUEST");
    assert!(bad.contains("status"), "{bad}");
    let bad = raw.get(&format!("/v1/pull-endpoints/{}/events?since=yesterday", ep.id)).await.expect_error(400, "INVALID_REQUEST");
    assert!(bad.contains("since"), "{bad}");
}

#[tokio::test(flavor = "multi_thread")]
async fn pull_event_deletion_purges_payloads_and_keeps_records() {
    let server = Server::start(&[]);
    let client = server.client();
    let settings = PullEndpointSettings { idempotency_header_names: Some(vec!["X-Id".into()]), ..Default::default() };
    let ep = client.create_pull_endpoint(&settings).await.unwrap().endpoint;
    let keyed = accepted(&post(&ep.ingest_url, &json!({"k": 1}), &[("X-Id", "one".into())]).await, 202);
    let others: Vec<String> = {
        let mut v = Vec::new();
        for n in 0..4 {
            v.push(accepted(&post(&ep.ingest_url, &json!({"n": n}), &[]).await, 202));
        }
        v
    };

    let deleted = client.delete_pull_event(&ep.id, &keyed).await.unwrap();
    assert!(!deleted.already_deleted);
    let again = client.delete_pull_event(&ep.id, &keyed).await.unwrap();
    assert!(again.already_deleted);
    assert_eq!(again.deleted_at, deleted.deleted_at);
    let record = client.get_pull_event(&ep.id, &keyed, false).await.unwrap();
    assert_eq!((record.payload.0.clone(), record.status.as_str()), (Value::Null, "stored"), "payload purged, not fetched");
    assert!(record.deleted_at.is_some() && record.deleted_by_api_key_id.is_some());
    assert_eq!(client.ack_pull_events(&ep.id, std::slice::from_ref(&keyed)).await.unwrap().acknowledged, 0);
    // The dedupe key is released: the same key makes a new event.
    let fresh = accepted(&post(&ep.ingest_url, &json!({"k": 1}), &[("X-Id", "one".into())]).await, 202);
    assert_ne!(fresh, keyed);

    let batch =
        client.delete_pull_events_batch(&ep.id, &[others[0].clone(), keyed.clone(), "nope".into(), uuid_like()]).await.unwrap();
    let outcomes: Vec<&str> = batch.results.iter().map(|r| r.outcome.as_str()).collect();
    assert_eq!(outcomes, vec!["deleted", "already_deleted", "not_found", "not_found"]);
    assert_eq!((batch.deleted_count, batch.already_deleted_count, batch.not_found_count), (1, 1, 2));
    let raw = Raw::new(&server.url);
    let empty = raw.post(&format!("/v1/pull-endpoints/{}/events/delete-batch", ep.id), json!({"message_ids": []})).await;
    assert!(empty.expect_error(400, "INVALID_REQUEST").contains("message_ids"));

    // delete-all with a filter: only fetched events go.
    client.get_pull_event(&ep.id, &others[1], false).await.unwrap();
    let filter = DeletePullEventsFilter { status: Some("fetched".into()), ..Default::default() };
    let all = client.delete_pull_events_all(&ep.id, &filter).await.unwrap();
    assert_eq!((all.deleted, all.deleted_event_ids.clone(), all.error), (1, vec![others[1].clone()], None));
    let rest = client.delete_pull_events_all(&ep.id, &DeletePullEventsFilter::default()).await.unwrap();
    assert_eq!(rest.deleted, 3, "the remaining live events: {:?}", rest.deleted_event_ids);
    let listed = client.list_pull_events(&ep.id, &PullEventsQuery::default()).await.unwrap();
    assert_eq!(listed.events.len(), 6, "records are kept");
    assert!(listed.events.iter().all(|e| e.deleted_at.is_some()));
    let unknown = client.delete_pull_event(&ep.id, &uuid_like()).await.unwrap_err();
    assert_eq!(unknown.status(), Some(404));
}

fn uuid_like() -> String {
    "01935abc-def0-7123-4567-890abcdef067".into()
}

#[tokio::test(flavor = "multi_thread")]
async fn pull_metrics_and_logs_count_real_traffic() {
    let server = Server::start(&[]);
    let client = server.client();
    let a = client.create_pull_endpoint(&PullEndpointSettings { name: Some("a".into()), ..Default::default() }).await.unwrap();
    let b = client.create_pull_endpoint(&PullEndpointSettings { name: Some("b".into()), ..Default::default() }).await.unwrap();
    let mut on_a = Vec::new();
    for n in 0..4 {
        on_a.push(accepted(&post(&a.endpoint.ingest_url, &json!({"n": n}), &[]).await, 202));
    }
    accepted(&post(&b.endpoint.ingest_url, &json!({"b": 1}), &[]).await, 202);
    client.get_pull_event(&a.endpoint.id, &on_a[0], false).await.unwrap();
    client.ack_pull_events(&a.endpoint.id, &on_a[1..3]).await.unwrap();

    let all = client.get_pull_metrics("24h", None).await.unwrap();
    assert_eq!((all.window.as_str(), all.total_messages, all.succeeded, all.failed), ("24h", 5, 2, 0));
    assert!((all.success_rate - 0.4).abs() < 1e-9, "{}", all.success_rate);
    let only_a = client.get_pull_metrics("1h", Some(&a.endpoint.id)).await.unwrap();
    assert_eq!((only_a.total_messages, only_a.succeeded), (4, 2));

    let series = client.get_pull_timeseries_metrics("1h", Some(&a.endpoint.id)).await.unwrap();
    assert_eq!(series.buckets.len(), 12);
    let last = series.buckets.last().unwrap();
    assert_eq!((last.total, last.succeeded, last.fetched, last.stored), (4, 2, 1, 1));
    assert_eq!(series.buckets.iter().map(|b| b.total).sum::<i64>(), 4);

    let logs = client.get_pull_logs(&PullLogsQuery::default()).await.unwrap();
    assert_eq!(logs.entries.len(), 5);
    assert!(!logs.has_more);
    let names: Vec<&str> = logs.entries.iter().filter_map(|e| e.endpoint_name.as_deref()).collect();
    assert!(names.contains(&"a") && names.contains(&"b"));
    let delivered = PullLogsQuery { status: Some("delivered".into()), ..Default::default() };
    assert_eq!(client.get_pull_logs(&delivered).await.unwrap().entries.len(), 2);

    let raw = Raw::new(&server.url);
    assert!(raw.get("/v1/pull-metrics?window=2h").await.expect_error(400, "INVALID_REQUEST").contains("window"));
    let bad = raw.get("/v1/pull-metrics/timeseries?pull_endpoint_id=ep_1").await.expect_error(400, "INVALID_REQUEST");
    assert!(bad.contains("pull_endpoint_id"), "{bad}");
    assert!(raw.get("/v1/pull-logs?status=all").await.expect_error(400, "INVALID_REQUEST").contains("status"));
}

#[tokio::test(flavor = "multi_thread")]
async fn pull_endpoint_errors_use_the_envelope() {
    let server = Server::start(&[]);
    let raw = Raw::new(&server.url);
    let missing = "01935abc-def0-7123-4567-890abcdef066";
    for (method, path) in [
        (Method::GET, format!("/v1/pull-endpoints/{missing}")),
        (Method::GET, "/v1/pull-endpoints/not-a-uuid".to_owned()),
        (Method::DELETE, format!("/v1/pull-endpoints/{missing}")),
        (Method::POST, format!("/v1/pull-endpoints/{missing}/pause")),
        (Method::GET, format!("/v1/pull-endpoints/{missing}/events")),
        (Method::GET, format!("/v1/pull-endpoints/{missing}/events/{missing}")),
    ] {
        raw.call(method, &path, None).await.expect_error(404, "NOT_FOUND");
    }
    for (body, field) in [
        (json!({"retention_days": 0}), "retention_days"),
        (json!({"event_type_source": "query"}), "event_type_source"),
        (json!({"verify_hmac": true}), "verify_hmac"),
        (json!({"ingest_response_code": 302}), "ingest_response_code"),
        (json!({"allowed_cidrs": ["bogus"]}), "allowed_cidrs"),
    ] {
        let message = raw.post("/v1/pull-endpoints", body).await.expect_error(400, "INVALID_REQUEST");
        assert!(message.contains(field), "{field} named in {message}");
    }
    let client = server.client();
    let ep = client.create_pull_endpoint(&PullEndpointSettings::default()).await.unwrap().endpoint;
    assert_eq!(ep.retention_days, Some(7), "the default retention");
    let message = raw.get(&format!("/v1/pull-endpoints/{}/events/{missing}", ep.id)).await.expect_error(404, "NOT_FOUND");
    assert!(message.contains(missing));
    let message =
        raw.post(&format!("/v1/pull-endpoints/{}/events/ack", ep.id), json!({})).await.expect_error(400, "INVALID_REQUEST");
    assert!(message.contains("event_ids"));
    let preview = raw.get(&format!("/v1/pull-endpoints/{}/events/{missing}?preview=maybe", ep.id)).await;
    assert!(preview.expect_error(400, "INVALID_REQUEST").contains("preview"));
}

#[tokio::test(flavor = "multi_thread")]
async fn pull_endpoints_are_isolated_between_projects() {
    let server = Server::start(&[]);
    let a = server.client();
    let ep = a.create_pull_endpoint(&PullEndpointSettings::default()).await.unwrap().endpoint;
    let event = accepted(&post(&ep.ingest_url, &json!({"secret": "of a"}), &[]).await, 202);

    let project_b = a.create_project("project b", None).await.unwrap();
    let key_b = Raw::new(&server.url).post("/v1/api-keys", json!({"mode": "test", "project_id": project_b.id})).await;
    let b = client_for(&server.url, key_b.expect_ok(201)["key"].as_str().unwrap());

    assert!(b.list_pull_endpoints(&Page::default()).await.unwrap().endpoints.is_empty());
    assert_eq!(b.get_pull_endpoint(&ep.id).await.unwrap_err().status(), Some(404));
    assert_eq!(b.list_pull_events(&ep.id, &PullEventsQuery::default()).await.unwrap_err().status(), Some(404));
    assert_eq!(b.get_pull_event(&ep.id, &event, false).await.unwrap_err().status(), Some(404));
    assert_eq!(b.ack_pull_events(&ep.id, std::slice::from_ref(&event)).await.unwrap_err().status(), Some(404));
    assert_eq!(b.delete_pull_event(&ep.id, &event).await.unwrap_err().status(), Some(404));
    assert_eq!(b.delete_pull_events_all(&ep.id, &DeletePullEventsFilter::default()).await.unwrap_err().status(), Some(404));
    assert_eq!(b.pause_pull_endpoint(&ep.id).await.unwrap_err().status(), Some(404));
    assert_eq!(b.delete_pull_endpoint(&ep.id).await.unwrap_err().status(), Some(404));
    let settings = PullEndpointSettings { name: Some("taken".into()), ..Default::default() };
    assert_eq!(b.update_pull_endpoint(&ep.id, &settings).await.unwrap_err().status(), Some(404));
    assert!(b.get_pull_logs(&PullLogsQuery::default()).await.unwrap().entries.is_empty());
    assert_eq!(b.get_pull_metrics("24h", None).await.unwrap().total_messages, 0);
    let b_logs = PullLogsQuery { pull_endpoint_id: Some(ep.id.clone()), ..Default::default() };
    assert!(b.get_pull_logs(&b_logs).await.unwrap().entries.is_empty());

    // Project A still sees its event untouched (still stored, payload intact).
    let read = a.get_pull_event(&ep.id, &event, true).await.unwrap();
    assert_eq!((read.status.as_str(), read.payload.0.clone()), ("stored", json!({"secret": "of a"})));
    assert_eq!(a.get_pull_endpoint(&ep.id).await.unwrap().name.as_deref(), Some(""));
}

#[tokio::test(flavor = "multi_thread")]
async fn pull_retention_purges_events_past_their_endpoint_retention() {
    let server = Server::start(&[]);
    let client = server.client();
    let short =
        client.create_pull_endpoint(&PullEndpointSettings { retention_days: Some(1), ..Default::default() }).await.unwrap();
    let long =
        client.create_pull_endpoint(&PullEndpointSettings { retention_days: Some(30), ..Default::default() }).await.unwrap();
    let old = accepted(&post(&short.endpoint.ingest_url, &json!({"n": 1}), &[]).await, 202);
    let kept = accepted(&post(&long.endpoint.ingest_url, &json!({"n": 2}), &[]).await, 202);

    // A pass two days from now: the 1-day endpoint's event is past retention, the 30-day one is not.
    let keys = hookbridge_server::secrets::SecretsSettings::in_data_dir(&server.data_dir);
    let store: Box<dyn PullStore> = match backend::database_url(&server.data_dir) {
        Some(url) => Box::new(PgStore::connect(&url, &keys).await.expect("open the server's database")),
        None => Box::new(SqliteStore::open(&server.data_dir, Synchronous::Normal, &keys).expect("open the server's database")),
    };
    let in_two_days = Timestamp::now().unix_millis() + 2 * 86_400_000;
    assert_eq!(store.purge_expired_pull_events(in_two_days).await.expect("purge"), 1);
    assert_eq!(client.get_pull_event(&short.endpoint.id, &old, true).await.unwrap_err().status(), Some(404));
    assert_eq!(client.get_pull_event(&long.endpoint.id, &kept, true).await.unwrap().payload.0, json!({"n": 2}));
    assert_eq!(store.purge_expired_pull_events(in_two_days).await.expect("purge"), 0);
}
