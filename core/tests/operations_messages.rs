//! Sending, messages, logs, metrics and the dead letter queue, each
//! operation exercised over real HTTP against a recording server.

mod common;

use common::{MockServer, Scripted, exchange, strings, ts};
use hookbridge::models::HeaderMap;
use hookbridge::{
    Client, ClientConfig, DlqMessagesResponse, LogsQuery, LogsResponse, Message, MessageSummary, Metrics, Page,
    ReplayAllMessagesResponse, ReplayAllOptions, ReplayBatchMessagesResponse, ReplayBatchResult, SendOptions,
    SendWebhookResponse, TimeArg, TimeSeriesBucket, TimeSeriesMetrics,
};
use serde_json::json;

const MSG: &str = "01935abc-def0-7123-4567-890abcdef013";
const MSG2: &str = "01935abc-def0-7123-4567-890abcdef014";
const EP: &str = "ep_550e8400e29b41d4a716446655440000";

#[tokio::test]
async fn send_goes_to_the_send_host_with_truthy_optional_fields() {
    let api = MockServer::always(Scripted::error(500, "WRONG_HOST", "send must not reach the API host"));
    let send = MockServer::always(Scripted::json(
        202,
        json!({"data": {"message_id": MSG, "status": "queued"}, "meta": {"request_id": "r"}}),
    ));
    let client = Client::new(ClientConfig::new(common::API_KEY).with_base_url(api.url()).with_send_url(send.url())).unwrap();
    let payload = json!({"event": "order.created", "order": {"id": 42, "note": "Zoë ✓"}});
    let mut headers = HeaderMap::new();
    headers.insert("X-Tenant".into(), "t-1".into());
    let options = SendOptions { headers: Some(headers), idempotency_key: Some("order-42".into()) };

    let sent = client.send(EP, &payload, &options).await.unwrap();

    assert_eq!(sent, SendWebhookResponse { message_id: MSG.into(), status: "queued".into() });
    assert_eq!(api.hits(), 0, "send must not touch base_url");
    let req = send.only_request();
    req.expect("POST", "/v1/webhooks/send", None).expect_sdk_headers().expect_json(json!({
        "endpoint_id": EP,
        "payload": payload,
        "headers": {"X-Tenant": "t-1"},
        "idempotency_key": "order-42",
    }));
    assert_eq!(req.json_keys(), ["endpoint_id", "payload", "headers", "idempotency_key"]);
}

#[tokio::test]
async fn send_omits_empty_headers_and_empty_idempotency_key() {
    let options = SendOptions { headers: Some(HeaderMap::new()), idempotency_key: Some(String::new()) };
    let reply = Scripted::data(json!({"message_id": MSG, "status": "queued"}));
    let (_, req) = exchange(reply, async |c| c.send(EP, &json!({"a": 1}), &options).await).await;
    req.expect("POST", "/v1/webhooks/send", None).expect_json(json!({"endpoint_id": EP, "payload": {"a": 1}}));

    let reply = Scripted::data(json!({"message_id": MSG, "status": "queued"}));
    let (_, req) = exchange(reply, async |c| c.send(EP, &json!({}), &SendOptions::default()).await).await;
    req.expect_json(json!({"endpoint_id": EP, "payload": {}}));
}

fn message_json() -> serde_json::Value {
    json!({
        "id": MSG, "project_id": "proj-12345", "endpoint_id": EP, "status": "pending_retry",
        "attempt_count": 2, "replay_count": 1, "content_type": "application/json", "size_bytes": 256,
        "payload_sha256": "abc123", "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:01.500Z",
        "idempotency_key": "order-42", "next_attempt_at": "2025-01-01T00:30:00+00:00", "last_error": "HTTP 503",
        "response_status": 503, "response_latency_ms": 50, "delivered_at": null, "extra_field": "ignored"
    })
}

#[tokio::test]
async fn get_message_parses_every_field() {
    let (message, req) = exchange(Scripted::data(message_json()), async |c| c.get_message(MSG).await).await;
    req.expect("GET", &format!("/v1/messages/{MSG}"), None).expect_no_body();
    assert_eq!(
        message,
        Message {
            id: MSG.into(),
            project_id: "proj-12345".into(),
            endpoint_id: EP.into(),
            status: "pending_retry".into(),
            attempt_count: 2,
            replay_count: 1,
            content_type: "application/json".into(),
            size_bytes: 256,
            payload_sha256: "abc123".into(),
            created_at: ts("2025-01-01T00:00:00Z"),
            updated_at: ts("2025-01-01T00:00:01.500Z"),
            idempotency_key: Some("order-42".into()),
            next_attempt_at: Some(ts("2025-01-01T00:30:00Z")),
            last_error: Some("HTTP 503".into()),
            response_status: Some(503),
            response_latency_ms: Some(50),
            deleted_at: None,
            deleted_by_user_id: None,
            deleted_by_api_key_id: None,
        }
    );
    assert_eq!(message.updated_at.unix_millis() - message.created_at.unix_millis(), 1500);
}

#[tokio::test]
async fn get_message_treats_null_empty_and_missing_optionals_as_absent() {
    for next_attempt_at in [json!(null), json!(""), json!("__missing__")] {
        let mut data = message_json();
        let obj = data.as_object_mut().unwrap();
        for key in ["idempotency_key", "last_error", "response_status", "response_latency_ms"] {
            obj.remove(key);
        }
        if next_attempt_at == json!("__missing__") {
            obj.remove("next_attempt_at");
        } else {
            obj.insert("next_attempt_at".into(), next_attempt_at);
        }
        let (message, _) = exchange(Scripted::data(data), async |c| c.get_message(MSG).await).await;
        assert_eq!(message.next_attempt_at, None);
        assert_eq!((message.idempotency_key, message.last_error), (None, None));
        assert_eq!((message.response_status, message.response_latency_ms), (None, None));
    }
}

#[tokio::test]
async fn message_ids_are_escaped_as_one_path_segment() {
    let (_, req) = exchange(Scripted::data(message_json()), async |c| c.get_message("a/b c?d").await).await;
    req.expect("GET", "/v1/messages/a%2Fb%20c%3Fd", None);
}

#[tokio::test]
async fn replay_cancel_and_retry_now_post_without_body_and_ignore_the_answer() {
    let hosted =
        Scripted::json(200, json!({"message": "Message queued for replay", "data": {"message_id": MSG, "status": "queued"}}));
    let (_, req) = exchange(hosted, async |c| c.replay(MSG).await).await;
    req.expect("POST", &format!("/v1/messages/{MSG}/replay"), None).expect_no_body();

    let (_, req) = exchange(Scripted::empty(204), async |c| c.cancel_retry(MSG).await).await;
    req.expect("POST", &format!("/v1/messages/{MSG}/cancel"), None).expect_no_body();

    let (_, req) = exchange(Scripted::raw(202, "not json at all"), async |c| c.retry_now(MSG).await).await;
    req.expect("POST", &format!("/v1/messages/{MSG}/retry-now"), None).expect_no_body();
}

#[tokio::test]
async fn replay_all_messages_sends_the_query_in_order_and_no_body() {
    let data = json!({"replayed": 2, "failed": 1, "stuck": 1, "replayed_message_ids": [MSG, MSG2], "stuck_message_ids": ["s1"]});
    let options = ReplayAllOptions { status: "failed_permanent".into(), endpoint_id: Some(EP.into()), limit: Some(50) };
    let (result, req) = exchange(Scripted::data(data), async |c| c.replay_all_messages(&options).await).await;
    req.expect("POST", "/v1/messages/replay-all", Some(&format!("status=failed_permanent&endpoint_id={EP}&limit=50")))
        .expect_no_body();
    assert_eq!(
        result,
        ReplayAllMessagesResponse {
            replayed: 2,
            failed: 1,
            stuck: 1,
            replayed_message_ids: strings(&[MSG, MSG2]),
            stuck_message_ids: strings(&["s1"]),
        }
    );

    let data = json!({"replayed": 0, "failed": 0, "stuck": 0});
    let options = ReplayAllOptions::status("pending_retry");
    let (result, req) = exchange(Scripted::data(data), async |c| c.replay_all_messages(&options).await).await;
    req.expect("POST", "/v1/messages/replay-all", Some("status=pending_retry"));
    assert!(result.replayed_message_ids.is_empty() && result.stuck_message_ids.is_empty());
}

#[tokio::test]
async fn replay_batch_messages_always_sends_the_id_list() {
    let data = json!({"replayed": 1, "failed": 1, "stuck": 0, "results": [
        {"message_id": MSG, "status": "replayed"},
        {"message_id": MSG2, "status": "failed", "error": "message not replayable"}
    ]});
    let ids = strings(&[MSG, MSG2]);
    let (result, req) = exchange(Scripted::data(data), async |c| c.replay_batch_messages(&ids).await).await;
    req.expect("POST", "/v1/messages/replay-batch", None).expect_json(json!({"message_ids": [MSG, MSG2]}));
    assert_eq!(
        result,
        ReplayBatchMessagesResponse {
            replayed: 1,
            failed: 1,
            stuck: 0,
            results: vec![
                ReplayBatchResult { message_id: MSG.into(), status: "replayed".into(), error: None },
                ReplayBatchResult {
                    message_id: MSG2.into(),
                    status: "failed".into(),
                    error: Some("message not replayable".into())
                },
            ],
        }
    );

    let (result, req) =
        exchange(Scripted::data(json!({"replayed": 0, "failed": 0, "stuck": 0})), async |c| c.replay_batch_messages(&[]).await)
            .await;
    req.expect_json(json!({"message_ids": []}));
    assert!(result.results.is_empty());
}

fn summary_json(delivered_at: serde_json::Value) -> serde_json::Value {
    let mut item = json!({
        "message_id": MSG, "endpoint": "https://example.com/webhook", "status": "succeeded", "attempt_count": 1,
        "created_at": "2025-01-01T00:00:00Z", "response_status": 200, "response_latency_ms": 50
    });
    if delivered_at != json!("__missing__") {
        item["delivered_at"] = delivered_at;
    }
    item
}

fn summary(delivered_at: Option<&str>) -> MessageSummary {
    MessageSummary {
        message_id: MSG.into(),
        endpoint: "https://example.com/webhook".into(),
        status: "succeeded".into(),
        attempt_count: 1,
        created_at: ts("2025-01-01T00:00:00Z"),
        delivered_at: delivered_at.map(ts),
        next_attempt_at: None,
        response_status: Some(200),
        response_latency_ms: Some(50),
        last_error: None,
        deleted_at: None,
    }
}

#[tokio::test]
async fn get_logs_encodes_every_filter_like_urlencode() {
    let body = json!({
        "data": [summary_json(json!("2025-01-01T00:00:01Z")), summary_json(json!("")), summary_json(json!(null)), summary_json(json!("__missing__"))],
        "meta": {"has_more": true, "next_cursor": "c2", "request_id": "r"}
    });
    let query = LogsQuery {
        status: Some("failed_permanent".into()),
        start_time: Some(TimeArg::At(ts("2025-01-01T00:00:00Z"))),
        end_time: Some(TimeArg::Text("2025-01-02T00:00:00Z".into())),
        limit: Some(50),
        cursor: Some("abc/=+ x".into()),
    };
    let (logs, req) = exchange(Scripted::json(200, body), async |c| c.get_logs(&query).await).await;
    req.expect(
        "GET",
        "/v1/logs",
        Some("status=failed_permanent&start_time=2025-01-01T00%3A00%3A00%2B00%3A00&end_time=2025-01-02T00%3A00%3A00Z&limit=50&cursor=abc%2F%3D%2B+x"),
    )
    .expect_no_body();
    assert_eq!(
        logs,
        LogsResponse {
            messages: vec![summary(Some("2025-01-01T00:00:01Z")), summary(None), summary(None), summary(None)],
            has_more: true,
            next_cursor: Some("c2".into()),
        }
    );
}

#[tokio::test]
async fn get_logs_without_filters_has_no_query_and_keeps_an_empty_cursor_verbatim() {
    let body = json!({"data": [], "meta": {"has_more": false, "next_cursor": ""}});
    let (logs, req) = exchange(Scripted::json(200, body), async |c| c.get_logs(&LogsQuery::default()).await).await;
    req.expect("GET", "/v1/logs", None);
    assert_eq!(logs, LogsResponse { messages: vec![], has_more: false, next_cursor: Some(String::new()) });

    // Naive times stay naive and fractional seconds follow Python's isoformat().
    let query = LogsQuery {
        start_time: Some(TimeArg::At(ts("2025-01-01T00:00:00"))),
        end_time: Some(TimeArg::At(ts("2025-01-01T00:00:00.5Z"))),
        ..LogsQuery::default()
    };
    let body = json!({"data": [], "meta": {"has_more": false}});
    let (logs, req) = exchange(Scripted::json(200, body), async |c| c.get_logs(&query).await).await;
    req.expect("GET", "/v1/logs", Some("start_time=2025-01-01T00%3A00%3A00&end_time=2025-01-01T00%3A00%3A00.500000%2B00%3A00"));
    assert_eq!(logs.next_cursor, None);
}

#[tokio::test]
async fn get_metrics_sends_the_window_unencoded() {
    let data = json!({"window": "24h", "total_messages": 100, "succeeded": 95, "failed": 5, "retries": 10, "success_rate": 0.95, "avg_latency_ms": 120});
    let (metrics, req) = exchange(Scripted::data(data), async |c| c.get_metrics("24h").await).await;
    req.expect("GET", "/v1/metrics", Some("window=24h")).expect_no_body();
    assert_eq!(
        metrics,
        Metrics {
            window: "24h".into(),
            total_messages: 100,
            succeeded: 95,
            failed: 5,
            retries: 10,
            success_rate: 0.95,
            avg_latency_ms: 120
        }
    );
    let data = json!({"window": "7d", "total_messages": 0, "succeeded": 0, "failed": 0, "retries": 0, "success_rate": 0, "avg_latency_ms": 0});
    let (metrics, req) = exchange(Scripted::data(data), async |c| c.get_metrics(hookbridge::api::window::WEEK).await).await;
    req.expect("GET", "/v1/metrics", Some("window=7d"));
    assert_eq!(metrics.success_rate, 0.0);
}

#[tokio::test]
async fn get_timeseries_metrics_with_and_without_endpoint() {
    let data = json!({"window": "1h", "buckets": [
        {"timestamp": "2025-01-01T00:00:00Z", "total": 10, "succeeded": 8, "failed": 1, "retrying": 1, "avg_latency_ms": 42},
        {"timestamp": "2025-01-01T00:05:00+00:00", "total": 0, "succeeded": 0, "failed": 0, "retrying": 0, "avg_latency_ms": 0}
    ]});
    let (series, req) = exchange(Scripted::data(data), async |c| c.get_timeseries_metrics("1h", Some(EP)).await).await;
    req.expect("GET", "/v1/metrics/timeseries", Some(&format!("window=1h&endpoint_id={EP}"))).expect_no_body();
    assert_eq!(
        series,
        TimeSeriesMetrics {
            window: "1h".into(),
            buckets: vec![
                TimeSeriesBucket {
                    timestamp: ts("2025-01-01T00:00:00Z"),
                    total: 10,
                    succeeded: 8,
                    failed: 1,
                    retrying: 1,
                    avg_latency_ms: 42
                },
                TimeSeriesBucket {
                    timestamp: ts("2025-01-01T00:05:00Z"),
                    total: 0,
                    succeeded: 0,
                    failed: 0,
                    retrying: 0,
                    avg_latency_ms: 0
                },
            ],
        }
    );
    let (_, req) =
        exchange(Scripted::data(json!({"window": "24h", "buckets": []})), async |c| c.get_timeseries_metrics("24h", None).await)
            .await;
    req.expect("GET", "/v1/metrics/timeseries", Some("window=24h"));
}

#[tokio::test]
async fn get_dlq_messages_reads_the_page_inside_data() {
    let mut failed = summary_json(json!(null));
    failed["status"] = json!("failed_permanent");
    failed["last_error"] = json!("HTTP 410");
    failed["failed_at"] = json!("2025-01-01T01:00:00Z");
    let data = json!({"messages": [failed], "has_more": true, "next_cursor": "dlq2"});
    let page = Page { limit: Some(10), cursor: Some("dlq1".into()) };
    let (dlq, req) = exchange(Scripted::data(data), async |c| c.get_dlq_messages(&page).await).await;
    req.expect("GET", "/v1/dlq/messages", Some("limit=10&cursor=dlq1")).expect_no_body();
    let mut expected = summary(None);
    expected.status = "failed_permanent".into();
    expected.last_error = Some("HTTP 410".into());
    assert_eq!(dlq, DlqMessagesResponse { messages: vec![expected], has_more: true, next_cursor: Some("dlq2".into()) });

    let (dlq, req) =
        exchange(Scripted::data(json!({"has_more": false})), async |c| c.get_dlq_messages(&Page::default()).await).await;
    req.expect("GET", "/v1/dlq/messages", None);
    assert_eq!(dlq, DlqMessagesResponse { messages: vec![], has_more: false, next_cursor: None });
}

#[tokio::test]
async fn get_dlq_messages_requires_has_more() {
    let server = MockServer::always(Scripted::data(json!({"messages": []})));
    let err = server.client().get_dlq_messages(&Page::limit(5)).await.unwrap_err();
    assert_eq!(err.kind(), hookbridge::ErrorKind::InvalidResponse);
    assert_eq!(server.only_request().query.as_deref(), Some("limit=5"));
}

#[tokio::test]
async fn replay_from_dlq_posts_without_body() {
    let reply = Scripted::data(json!({"message_id": MSG, "status": "replayed"}));
    let (_, req) = exchange(reply, async |c| c.replay_from_dlq(MSG).await).await;
    req.expect("POST", &format!("/v1/dlq/replay/{MSG}"), None).expect_no_body();
}
