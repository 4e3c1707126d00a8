//! Inbound endpoints, inbound messages and inbound observability, each
//! operation exercised over real HTTP against a recording server.

mod common;

use common::{Scripted, exchange, strings, ts};
use hookbridge::{
    CreateInboundEndpointResponse, DeleteResult, InboundEndpoint, InboundEndpointSettings, InboundEndpointSummary,
    InboundLogEntry, InboundLogsQuery, InboundLogsResponse, InboundMetrics, InboundRejection, InboundRejectionsResponse,
    ListInboundEndpointsResponse, Page, PauseState, RejectionsQuery, ReplayAllMessagesResponse, ReplayMessageResponse, TimeArg,
    TimeSeriesBucket, UpdateResult,
};
use serde_json::json;

const IN: &str = "01935abc-def0-7123-4567-890abcdef099";
const MSG: &str = "01935abc-def0-7123-4567-890abcdef013";
const MSG2: &str = "01935abc-def0-7123-4567-890abcdef014";

fn every_setting() -> InboundEndpointSettings {
    InboundEndpointSettings {
        name: Some("Stripe".into()),
        description: Some(String::new()),
        mode: Some("forward".into()),
        verify_static_token: Some(false),
        token_header_name: Some("X-Webhook-Token".into()),
        token_query_param: Some("token".into()),
        token_value: Some("tok".into()),
        verify_hmac: Some(true),
        verification_preset: Some("custom".into()),
        hmac_header_name: Some("Stripe-Signature".into()),
        hmac_secret: Some("whsec_in".into()),
        timestamp_header_name: Some("X-Ts".into()),
        timestamp_ttl_seconds: Some(0),
        verify_ip_allowlist: Some(false),
        allowed_cidrs: Some(vec![]),
        idempotency_header_names: Some(strings(&["Idempotency-Key", "X-Event-Id"])),
        ingest_response_code: Some(202),
        signing_enabled: Some(false),
    }
}

const SETTING_KEYS: [&str; 18] = [
    "name",
    "description",
    "mode",
    "verify_static_token",
    "token_header_name",
    "token_query_param",
    "token_value",
    "verify_hmac",
    "verification_preset",
    "hmac_header_name",
    "hmac_secret",
    "timestamp_header_name",
    "timestamp_ttl_seconds",
    "verify_ip_allowlist",
    "allowed_cidrs",
    "idempotency_header_names",
    "ingest_response_code",
    "signing_enabled",
];

fn created_json() -> serde_json::Value {
    json!({"id": IN, "name": "Stripe", "url": "https://example.com/in", "secret_token": "tok_abc",
        "ingest_url": format!("https://receive.hookbridge.io/v1/webhooks/receive/{IN}/tok_abc"), "created_at": "2025-12-06T12:00:00Z"})
}

#[tokio::test]
async fn create_inbound_endpoint_sends_every_non_none_setting_in_table_order() {
    let settings = every_setting();
    let (created, req) =
        exchange(Scripted::data(created_json()), async |c| c.create_inbound_endpoint("https://example.com/in", &settings).await)
            .await;
    req.expect("POST", "/v1/inbound-endpoints", None).expect_json(json!({
        "url": "https://example.com/in", "name": "Stripe", "description": "", "mode": "forward", "verify_static_token": false,
        "token_header_name": "X-Webhook-Token", "token_query_param": "token", "token_value": "tok", "verify_hmac": true,
        "verification_preset": "custom", "hmac_header_name": "Stripe-Signature", "hmac_secret": "whsec_in",
        "timestamp_header_name": "X-Ts", "timestamp_ttl_seconds": 0, "verify_ip_allowlist": false, "allowed_cidrs": [],
        "idempotency_header_names": ["Idempotency-Key", "X-Event-Id"], "ingest_response_code": 202, "signing_enabled": false
    }));
    let mut keys = vec!["url"];
    keys.extend(SETTING_KEYS);
    assert_eq!(req.json_keys(), keys);
    assert_eq!(
        created,
        CreateInboundEndpointResponse {
            id: IN.into(),
            name: "Stripe".into(),
            url: "https://example.com/in".into(),
            mode: "forward".into(),
            ingest_url: format!("https://receive.hookbridge.io/v1/webhooks/receive/{IN}/tok_abc"),
            secret_token: "tok_abc".into(),
            created_at: ts("2025-12-06T12:00:00Z"),
            signing_key_id: None,
            signing_secret: None,
            key_hint: None,
        }
    );

    let (_, req) = exchange(Scripted::data(created_json()), async |c| {
        c.create_inbound_endpoint("https://example.com/in", &InboundEndpointSettings::default()).await
    })
    .await;
    req.expect_json(json!({"url": "https://example.com/in"}));
}

#[tokio::test]
async fn list_inbound_endpoints_derives_has_more_from_next_cursor() {
    let item = json!({"id": IN, "name": "Stripe", "url": "https://example.com/in", "active": true, "paused": false, "created_at": "2025-12-06T12:00:00Z"});
    let body = json!({"data": [item], "meta": {"next_cursor": "n1", "request_id": "r"}});
    let page = Page { limit: Some(25), cursor: Some("n0".into()) };
    let (list, req) = exchange(Scripted::json(200, body), async |c| c.list_inbound_endpoints(&page).await).await;
    req.expect("GET", "/v1/inbound-endpoints", Some("limit=25&cursor=n0")).expect_no_body();
    assert_eq!(
        list,
        ListInboundEndpointsResponse {
            endpoints: vec![InboundEndpointSummary {
                id: IN.into(),
                name: "Stripe".into(),
                url: "https://example.com/in".into(),
                mode: "forward".into(),
                active: true,
                paused: false,
                created_at: ts("2025-12-06T12:00:00Z"),
            }],
            has_more: true,
            next_cursor: Some("n1".into()),
        }
    );
    for body in [
        json!({"data": []}),
        json!({"data": [], "meta": {"next_cursor": null}}),
        json!({"data": [], "meta": {"next_cursor": ""}}),
    ] {
        let (list, req) =
            exchange(Scripted::json(200, body.clone()), async |c| c.list_inbound_endpoints(&Page::default()).await).await;
        req.expect("GET", "/v1/inbound-endpoints", None);
        assert!(!list.has_more, "for {body}");
    }
}

#[tokio::test]
async fn get_inbound_endpoint_parses_every_field() {
    let data = json!({"id": IN, "name": "Stripe", "url": "https://example.com/in", "active": true, "paused": true,
        "verify_static_token": true, "verify_hmac": false, "verify_ip_allowlist": true, "ingest_response_code": 200,
        "idempotency_header_names": ["Idempotency-Key"], "signing_enabled": true, "created_at": "2025-12-06T12:00:00Z",
        "updated_at": "2025-12-07T12:00:00Z", "description": "payments", "mode": "forward"});
    let (endpoint, req) = exchange(Scripted::data(data.clone()), async |c| c.get_inbound_endpoint(IN).await).await;
    req.expect("GET", &format!("/v1/inbound-endpoints/{IN}"), None).expect_no_body();
    assert_eq!(
        endpoint,
        InboundEndpoint {
            id: IN.into(),
            name: "Stripe".into(),
            url: "https://example.com/in".into(),
            mode: "forward".into(),
            active: true,
            paused: true,
            verify_static_token: true,
            verify_hmac: false,
            verification_preset: "custom".into(),
            verify_ip_allowlist: true,
            ingest_response_code: 200,
            idempotency_header_names: strings(&["Idempotency-Key"]),
            signing_enabled: true,
            created_at: ts("2025-12-06T12:00:00Z"),
            updated_at: ts("2025-12-07T12:00:00Z"),
            description: Some("payments".into()),
        }
    );
    let mut minimal = data;
    minimal.as_object_mut().unwrap().remove("idempotency_header_names");
    minimal.as_object_mut().unwrap().remove("description");
    let (endpoint, _) = exchange(Scripted::data(minimal), async |c| c.get_inbound_endpoint(IN).await).await;
    assert_eq!((endpoint.idempotency_header_names, endpoint.description), (Vec::<String>::new(), None));
}

#[tokio::test]
async fn update_inbound_endpoint_sends_only_given_settings() {
    let reply = || Scripted::data(json!({"id": IN, "updated": true}));
    let settings = every_setting();
    let (result, req) = exchange(reply(), async |c| c.update_inbound_endpoint(IN, &settings).await).await;
    req.expect("PATCH", &format!("/v1/inbound-endpoints/{IN}"), None);
    assert_eq!(req.json_keys(), SETTING_KEYS);
    assert_eq!(req.json()["timestamp_ttl_seconds"], json!(0));
    assert_eq!(result, UpdateResult { id: IN.into(), updated: true });

    let paused_only = InboundEndpointSettings { verify_hmac: Some(false), ..InboundEndpointSettings::default() };
    let (_, req) = exchange(reply(), async |c| c.update_inbound_endpoint(IN, &paused_only).await).await;
    req.expect_json(json!({"verify_hmac": false}));

    let (_, req) = exchange(reply(), async |c| c.update_inbound_endpoint(IN, &InboundEndpointSettings::default()).await).await;
    assert_eq!(req.body, b"{}");
}

#[tokio::test]
async fn update_inbound_endpoint_fields_passes_keys_through_and_drops_nulls() {
    let fields =
        json!({"name": "renamed", "future_option": {"nested": [1, 2]}, "description": null, "verify_hmac": false, "url": ""});
    let fields = fields.as_object().unwrap().clone();
    let (result, req) = exchange(Scripted::data(json!({"id": IN, "updated": false})), async |c| {
        c.update_inbound_endpoint_fields(IN, &fields).await
    })
    .await;
    req.expect("PATCH", &format!("/v1/inbound-endpoints/{IN}"), None)
        .expect_json(json!({"name": "renamed", "future_option": {"nested": [1, 2]}, "verify_hmac": false, "url": ""}));
    assert_eq!(req.json_keys(), ["name", "future_option", "verify_hmac", "url"]);
    assert_eq!(result, UpdateResult { id: IN.into(), updated: false });
}

#[tokio::test]
async fn delete_inbound_endpoint() {
    let (result, req) =
        exchange(Scripted::data(json!({"id": IN, "deleted": true})), async |c| c.delete_inbound_endpoint(IN).await).await;
    req.expect("DELETE", &format!("/v1/inbound-endpoints/{IN}"), None).expect_no_body();
    assert_eq!(result, DeleteResult { deleted: true, id: Some(IN.into()) });
    let (result, _) = exchange(Scripted::data(json!({"deleted": true})), async |c| c.delete_inbound_endpoint(IN).await).await;
    assert_eq!(result, DeleteResult { deleted: true, id: None });
}

#[tokio::test]
async fn pause_and_resume_inbound_endpoint_return_what_the_server_says() {
    let (state, req) = exchange(Scripted::data(json!({"id": IN, "paused": true, "messages_requeued": 4})), async |c| {
        c.pause_inbound_endpoint(IN).await
    })
    .await;
    req.expect("POST", &format!("/v1/inbound-endpoints/{IN}/pause"), None).expect_no_body();
    assert_eq!(state, PauseState { id: IN.into(), paused: true, messages_requeued: Some(4) });

    let (state, req) = exchange(Scripted::data(json!({"id": IN, "paused": false, "messages_requeued": 4})), async |c| {
        c.resume_inbound_endpoint(IN).await
    })
    .await;
    req.expect("POST", &format!("/v1/inbound-endpoints/{IN}/resume"), None).expect_no_body();
    assert_eq!(state, PauseState { id: IN.into(), paused: false, messages_requeued: Some(4) });
}

#[tokio::test]
async fn replay_inbound_message() {
    let (result, req) =
        exchange(Scripted::data(json!({"message_id": MSG, "status": "queued"})), async |c| c.replay_inbound_message(MSG).await)
            .await;
    req.expect("POST", &format!("/v1/inbound-messages/{MSG}/replay"), None).expect_no_body();
    assert_eq!(result, ReplayMessageResponse { message_id: MSG.into(), status: "queued".into() });
}

#[tokio::test]
async fn replay_all_inbound_messages_query_order() {
    let data = json!({"replayed": 1, "failed": 0, "stuck": 1, "replayed_message_ids": [MSG], "stuck_message_ids": [MSG2]});
    let (result, req) =
        exchange(Scripted::data(data), async |c| c.replay_all_inbound_messages("pending_retry", Some(IN), Some(10)).await).await;
    req.expect(
        "POST",
        "/v1/inbound-messages/replay-all",
        Some(&format!("status=pending_retry&inbound_endpoint_id={IN}&limit=10")),
    )
    .expect_no_body();
    assert_eq!(
        result,
        ReplayAllMessagesResponse {
            replayed: 1,
            failed: 0,
            stuck: 1,
            replayed_message_ids: strings(&[MSG]),
            stuck_message_ids: strings(&[MSG2])
        }
    );
    let (_, req) = exchange(Scripted::data(json!({"replayed": 0, "failed": 0, "stuck": 0})), async |c| {
        c.replay_all_inbound_messages("failed_permanent", None, None).await
    })
    .await;
    req.expect("POST", "/v1/inbound-messages/replay-all", Some("status=failed_permanent"));
}

#[tokio::test]
async fn replay_batch_inbound_messages() {
    let data = json!({"replayed": 0, "failed": 0, "stuck": 1, "results": [{"message_id": MSG, "status": "stuck"}]});
    let ids = strings(&[MSG]);
    let (result, req) = exchange(Scripted::data(data), async |c| c.replay_batch_inbound_messages(&ids).await).await;
    req.expect("POST", "/v1/inbound-messages/replay-batch", None).expect_json(json!({"message_ids": [MSG]}));
    assert_eq!((result.stuck, result.results[0].status.as_str(), result.results[0].error.as_deref()), (1, "stuck", None));
}

#[tokio::test]
async fn get_inbound_logs_query_order_and_entries() {
    let full = json!({"message_id": MSG, "inbound_endpoint_id": IN, "endpoint": "https://example.com/in", "status": "succeeded",
        "attempt_count": 1, "received_at": "2025-12-06T12:00:00Z", "delivered_at": "2025-12-06T12:00:00.250Z",
        "response_status": 200, "response_latency_ms": 12, "last_error": null, "total_delivery_ms": 250});
    let bare = json!({"message_id": MSG2, "inbound_endpoint_id": IN, "endpoint": "https://example.com/in", "status": "queued",
        "attempt_count": 0, "received_at": "2025-12-06T12:00:01Z", "delivered_at": ""});
    let body = json!({"data": [full, bare], "meta": {"has_more": true, "next_cursor": "in2"}});
    let query = InboundLogsQuery {
        status: Some("succeeded".into()),
        inbound_endpoint_id: Some(IN.into()),
        start_time: Some(TimeArg::Text("2025-12-06T00:00:00Z".into())),
        end_time: Some(TimeArg::At(ts("2025-12-07T00:00:00+02:00"))),
        limit: Some(2),
        cursor: Some("in1".into()),
    };
    let (logs, req) = exchange(Scripted::json(200, body), async |c| c.get_inbound_logs(&query).await).await;
    req.expect(
        "GET",
        "/v1/inbound-logs",
        Some(&format!(
            "status=succeeded&inbound_endpoint_id={IN}&start_time=2025-12-06T00%3A00%3A00Z&end_time=2025-12-07T00%3A00%3A00%2B02%3A00&limit=2&cursor=in1"
        )),
    )
    .expect_no_body();
    assert_eq!(
        logs,
        InboundLogsResponse {
            entries: vec![
                InboundLogEntry {
                    message_id: MSG.into(),
                    inbound_endpoint_id: IN.into(),
                    endpoint: "https://example.com/in".into(),
                    status: "succeeded".into(),
                    attempt_count: 1,
                    received_at: ts("2025-12-06T12:00:00Z"),
                    delivered_at: Some(ts("2025-12-06T12:00:00.250Z")),
                    response_status: Some(200),
                    response_latency_ms: Some(12),
                    last_error: None,
                    total_delivery_ms: Some(250),
                    deleted_at: None,
                },
                InboundLogEntry {
                    message_id: MSG2.into(),
                    inbound_endpoint_id: IN.into(),
                    endpoint: "https://example.com/in".into(),
                    status: "queued".into(),
                    attempt_count: 0,
                    received_at: ts("2025-12-06T12:00:01Z"),
                    delivered_at: None,
                    response_status: None,
                    response_latency_ms: None,
                    last_error: None,
                    total_delivery_ms: None,
                    deleted_at: None,
                },
            ],
            has_more: true,
            next_cursor: Some("in2".into()),
        }
    );
    let (_, req) = exchange(Scripted::json(200, json!({"data": [], "meta": {"has_more": false}})), async |c| {
        c.get_inbound_logs(&InboundLogsQuery::default()).await
    })
    .await;
    req.expect("GET", "/v1/inbound-logs", None);
}

#[tokio::test]
async fn get_inbound_metrics_and_timeseries() {
    let data = json!({"window": "7d", "total_messages": 10, "succeeded": 9, "failed": 1, "retries": 2, "success_rate": 0.9,
        "avg_latency_ms": 30, "avg_delivery_time_ms": 45});
    let (metrics, req) = exchange(Scripted::data(data), async |c| c.get_inbound_metrics("7d", Some(IN)).await).await;
    req.expect("GET", "/v1/inbound-metrics", Some(&format!("window=7d&inbound_endpoint_id={IN}"))).expect_no_body();
    assert_eq!(
        metrics,
        InboundMetrics {
            window: "7d".into(),
            total_messages: 10,
            succeeded: 9,
            failed: 1,
            retries: 2,
            success_rate: 0.9,
            avg_latency_ms: 30,
            avg_delivery_time_ms: 45
        }
    );
    let data = json!({"window": "24h", "total_messages": 0, "succeeded": 0, "failed": 0, "retries": 0, "success_rate": 0.0, "avg_latency_ms": 0, "avg_delivery_time_ms": 0});
    let (_, req) = exchange(Scripted::data(data), async |c| c.get_inbound_metrics("24h", None).await).await;
    req.expect("GET", "/v1/inbound-metrics", Some("window=24h"));

    let data = json!({"window": "30d", "buckets": [{"timestamp": "2025-12-01T00:00:00Z", "total": 3, "succeeded": 2, "failed": 1, "retrying": 0, "avg_latency_ms": 7}]});
    let (series, req) = exchange(Scripted::data(data), async |c| c.get_inbound_timeseries_metrics("30d", Some(IN)).await).await;
    req.expect("GET", "/v1/inbound-metrics/timeseries", Some(&format!("window=30d&inbound_endpoint_id={IN}"))).expect_no_body();
    assert_eq!(
        series.buckets,
        vec![TimeSeriesBucket {
            timestamp: ts("2025-12-01T00:00:00Z"),
            total: 3,
            succeeded: 2,
            failed: 1,
            retrying: 0,
            avg_latency_ms: 7
        }]
    );
    let (_, req) = exchange(Scripted::data(json!({"window": "1h", "buckets": []})), async |c| {
        c.get_inbound_timeseries_metrics("1h", None).await
    })
    .await;
    req.expect("GET", "/v1/inbound-metrics/timeseries", Some("window=1h"));
}

#[tokio::test]
async fn list_inbound_rejections_query_order_and_entries() {
    let full = json!({"id": "rej-1", "reason_code": "hmac_failed", "received_at": "2025-12-06T12:00:00Z", "inbound_endpoint_id": IN,
        "reason_detail": "signature mismatch", "source_ip": "203.0.113.9", "headers_redacted": "{\"Stripe-Signature\":\"***\"}"});
    let bare = json!({"id": "rej-2", "reason_code": "endpoint_not_found", "received_at": "2025-12-06T12:00:01Z", "inbound_endpoint_id": null});
    let body = json!({"data": [full, bare], "meta": {"has_more": false, "next_cursor": null}});
    let query = RejectionsQuery {
        inbound_endpoint_id: Some(IN.into()),
        start_time: Some(TimeArg::At(ts("2025-12-06T00:00:00Z"))),
        end_time: None,
        limit: Some(100),
        cursor: None,
    };
    let (rejections, req) = exchange(Scripted::json(200, body), async |c| c.list_inbound_rejections(&query).await).await;
    req.expect(
        "GET",
        "/v1/inbound-rejections",
        Some(&format!("inbound_endpoint_id={IN}&start_time=2025-12-06T00%3A00%3A00%2B00%3A00&limit=100")),
    )
    .expect_no_body();
    assert_eq!(
        rejections,
        InboundRejectionsResponse {
            entries: vec![
                InboundRejection {
                    id: "rej-1".into(),
                    reason_code: "hmac_failed".into(),
                    received_at: ts("2025-12-06T12:00:00Z"),
                    inbound_endpoint_id: Some(IN.into()),
                    reason_detail: Some("signature mismatch".into()),
                    source_ip: Some("203.0.113.9".into()),
                    headers_redacted: Some("{\"Stripe-Signature\":\"***\"}".into()),
                },
                InboundRejection {
                    id: "rej-2".into(),
                    reason_code: "endpoint_not_found".into(),
                    received_at: ts("2025-12-06T12:00:01Z"),
                    inbound_endpoint_id: None,
                    reason_detail: None,
                    source_ip: None,
                    headers_redacted: None,
                },
            ],
            has_more: false,
            next_cursor: None,
        }
    );
    let query = RejectionsQuery { end_time: Some("2025-12-07".into()), cursor: Some("r 1".into()), ..RejectionsQuery::default() };
    let (_, req) = exchange(Scripted::json(200, json!({"data": [], "meta": {"has_more": false}})), async |c| {
        c.list_inbound_rejections(&query).await
    })
    .await;
    req.expect("GET", "/v1/inbound-rejections", Some("end_time=2025-12-07&cursor=r+1"));
}

#[tokio::test]
async fn create_inbound_endpoint_with_leaves_out_a_missing_url_and_reads_the_2_0_fields() {
    let settings = InboundEndpointSettings { mode: Some("cli".into()), name: Some("dev".into()), ..Default::default() };
    let data = json!({"id": IN, "name": "dev", "url": "", "mode": "cli", "secret_token": "tok_abc",
        "ingest_url": format!("https://h/v1/webhooks/receive/{IN}/tok_abc"), "created_at": "2025-12-06T12:00:00Z",
        "signing_key_id": "sk_1", "signing_secret": "whsec_abcd", "key_hint": "abcd"});
    let (created, req) = exchange(Scripted::data(data), async |c| c.create_inbound_endpoint_with(None, &settings).await).await;
    req.expect("POST", "/v1/inbound-endpoints", None).expect_json(json!({"name": "dev", "mode": "cli"}));
    assert_eq!(req.json_keys(), ["name", "mode"]);
    assert_eq!((created.mode.as_str(), created.url.as_str()), ("cli", ""));
    assert_eq!(
        (created.signing_key_id.as_deref(), created.signing_secret.as_deref(), created.key_hint.as_deref()),
        (Some("sk_1"), Some("whsec_abcd"), Some("abcd"))
    );
    assert!(!format!("{created:?}").contains("whsec_abcd"), "the signing secret stays out of Debug");

    // A 1.4.0-shaped answer (no mode, no url) parses with the 2.0.0 defaults.
    let old = json!({"id": IN, "name": "", "active": true, "paused": false, "created_at": "2025-12-06T12:00:00Z"});
    let (list, _) =
        exchange(Scripted::json(200, json!({"data": [old]})), async |c| c.list_inbound_endpoints(&Page::default()).await).await;
    assert_eq!((list.endpoints[0].mode.as_str(), list.endpoints[0].url.as_str()), ("forward", ""));
}

#[tokio::test]
async fn inbound_signing_key_operations() {
    let key = json!({"id": "sk_2", "signing_secret": "whsec_new", "key_hint": "_new", "created_at": "2025-12-06T12:00:00Z"});
    let (created, req) = exchange(Scripted::data(key), async |c| c.create_inbound_signing_key(IN).await).await;
    req.expect("POST", &format!("/v1/inbound-endpoints/{IN}/signing-keys"), None).expect_no_body();
    assert_eq!((created.id.as_str(), created.signing_secret.as_str()), ("sk_2", "whsec_new"));
    let listed = json!([{"id": "sk_1", "key_hint": "abcd", "created_at": "2025-12-06T12:00:00Z"}]);
    let (keys, req) = exchange(Scripted::data(listed), async |c| c.list_inbound_signing_keys(IN).await).await;
    req.expect("GET", &format!("/v1/inbound-endpoints/{IN}/signing-keys"), None);
    assert_eq!((keys.len(), keys[0].key_hint.as_str()), (1, "abcd"));
    let (_, req) =
        exchange(Scripted::data(json!({"deleted": true})), async |c| c.delete_inbound_signing_key(IN, "sk_1").await).await;
    req.expect("DELETE", &format!("/v1/inbound-endpoints/{IN}/signing-keys/sk_1"), None);
}

#[tokio::test]
async fn listen_inbound_endpoint_sends_after_and_parses_bodies() {
    let body = json!({"data": [
        {"message_id": MSG, "content_type": "application/json", "headers": {"x-event": "push"}, "size_bytes": 9,
         "received_at": "2025-12-06T12:00:00Z", "body": {"a": 1}},
        {"message_id": MSG2, "content_type": "application/octet-stream", "headers": {}, "size_bytes": 2,
         "received_at": "2025-12-06T12:00:01Z", "body": "AAE=", "body_encoding": "base64"}
    ], "meta": {"next_cursor": MSG2, "request_id": "r"}});
    let (page, req) = exchange(Scripted::json(200, body), async |c| c.listen_inbound_endpoint(IN, Some(MSG)).await).await;
    req.expect("GET", &format!("/v1/inbound-endpoints/{IN}/listen"), Some(&format!("after={MSG}"))).expect_no_body();
    assert_eq!(page.next_cursor.as_deref(), Some(MSG2));
    assert_eq!(page.messages[0].body, Some(hookbridge::JsonValue(json!({"a": 1}))));
    assert_eq!(page.messages[0].headers.get("x-event").map(String::as_str), Some("push"));
    assert_eq!((page.messages[1].body_encoding.as_deref(), page.messages[1].body_error.as_deref()), (Some("base64"), None));
    let (page, req) =
        exchange(Scripted::json(200, json!({"data": []})), async |c| c.listen_inbound_endpoint(IN, None).await).await;
    req.expect("GET", &format!("/v1/inbound-endpoints/{IN}/listen"), None);
    assert_eq!((page.messages.len(), page.next_cursor), (0, None));
}

#[tokio::test]
async fn get_inbound_message_parses_required_and_optional_fields() {
    let data = json!({"id": MSG, "project_id": "p", "inbound_endpoint_id": IN, "status": "succeeded", "attempt_count": 1,
        "replay_count": 0, "received_at": "2025-12-06T12:00:00Z", "updated_at": "2025-12-06T12:00:01Z",
        "content_type": "application/json", "size_bytes": 9, "delivered_at": "2025-12-06T12:00:01Z", "total_delivery_ms": 1000,
        "next_attempt_at": null, "deleted_at": ""});
    let (message, req) = exchange(Scripted::data(data), async |c| c.get_inbound_message(MSG).await).await;
    req.expect("GET", &format!("/v1/inbound-messages/{MSG}"), None).expect_no_body();
    assert_eq!((message.status.as_str(), message.attempt_count, message.total_delivery_ms), ("succeeded", 1, Some(1000)));
    assert_eq!(message.delivered_at, Some(ts("2025-12-06T12:00:01Z")));
    assert_eq!((message.next_attempt_at, message.deleted_at, message.deleted_by_api_key_id), (None, None, None));
}
