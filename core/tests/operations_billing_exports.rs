//! Billing and exports, each operation exercised over real HTTP
//! against a recording server.

mod common;

use common::{Scripted, exchange, ts};
use hookbridge::{
    CheckoutSession, CreateExportOptions, Date, ExportRecord, Invoice, InvoiceLine, InvoicesResponse, PortalSession,
    Subscription, SubscriptionLimits, SubscriptionUsage, TimeArg, UsageHistoryResponse, UsageHistoryRow,
};
use serde_json::json;

const EXPORT: &str = "01935abc-def0-7123-4567-890abcdef077";
const EP: &str = "ep_550e8400e29b41d4a716446655440000";

fn date(text: &str) -> Date {
    Date::parse(text).unwrap()
}

#[tokio::test]
async fn get_subscription_parses_nested_objects() {
    let data = json!({"plan": "starter", "status": "active",
        "limits": {"plan": "starter", "messages_per_month": 100000, "max_projects": 3, "max_endpoints": 20, "retention_days": 30, "max_retries": 8},
        "usage": {"messages_used": 1234, "period_start": "2025-12-01T00:00:00Z", "period_end": "2026-01-01T00:00:00Z"},
        "cancel_at_period_end": false, "current_period_end": "2026-01-01T00:00:00Z"});
    let (sub, req) = exchange(Scripted::data(data), async |c| c.get_subscription().await).await;
    req.expect("GET", "/v1/billing/subscription", None).expect_no_body();
    assert_eq!(
        sub,
        Subscription {
            plan: "starter".into(),
            status: "active".into(),
            limits: SubscriptionLimits {
                plan: "starter".into(),
                messages_per_month: 100000,
                max_projects: 3,
                max_endpoints: 20,
                retention_days: 30,
                max_retries: Some(8),
            },
            usage: SubscriptionUsage {
                messages_used: 1234,
                period_start: ts("2025-12-01T00:00:00Z"),
                period_end: ts("2026-01-01T00:00:00Z"),
            },
            cancel_at_period_end: Some(false),
            current_period_end: Some(ts("2026-01-01T00:00:00Z")),
        }
    );

    let minimal = json!({"plan": "self_hosted", "status": "active",
        "limits": {"plan": "self_hosted", "messages_per_month": 0, "max_projects": 0, "max_endpoints": 0, "retention_days": 7},
        "usage": {"messages_used": 0, "period_start": "2025-12-01T00:00:00Z", "period_end": "2026-01-01T00:00:00Z"},
        "current_period_end": ""});
    let (sub, _) = exchange(Scripted::data(minimal), async |c| c.get_subscription().await).await;
    assert_eq!((sub.limits.max_retries, sub.cancel_at_period_end, sub.current_period_end), (None, None, None));
}

#[tokio::test]
async fn create_checkout_sends_plan_and_interval() {
    let data = json!({"session_id": "cs_test_1", "checkout_url": "https://checkout.stripe.com/c/cs_test_1"});
    let (session, req) = exchange(Scripted::data(data), async |c| c.create_checkout("pro", "monthly").await).await;
    req.expect("POST", "/v1/billing/checkout", None).expect_json(json!({"plan": "pro", "interval": "monthly"}));
    assert_eq!(req.json_keys(), ["plan", "interval"]);
    assert_eq!(
        session,
        CheckoutSession { session_id: "cs_test_1".into(), checkout_url: "https://checkout.stripe.com/c/cs_test_1".into() }
    );
}

#[tokio::test]
async fn create_portal_sends_no_body_without_return_url() {
    let data = json!({"portal_url": "https://billing.stripe.com/p/session_1"});
    let (portal, req) = exchange(Scripted::data(data.clone()), async |c| c.create_portal(None).await).await;
    req.expect("POST", "/v1/billing/portal", None).expect_no_body();
    assert_eq!(req.header("content-type"), Some("application/json"), "Content-Type even without a body");
    assert_eq!(portal, PortalSession { portal_url: "https://billing.stripe.com/p/session_1".into() });

    let (_, req) = exchange(Scripted::data(data), async |c| c.create_portal(Some("https://app.example.com/billing")).await).await;
    req.expect("POST", "/v1/billing/portal", None).expect_json(json!({"return_url": "https://app.example.com/billing"}));
}

#[tokio::test]
async fn get_usage_history_always_sends_limit_and_offset() {
    let body = json!({"data": [
            {"period_start": "2025-12-01", "period_end": "2025-12-31", "message_count": 1500, "overage_count": 0, "plan_limit": 100000},
            {"period_start": "2025-11-01", "period_end": "2025-11-30", "message_count": 20, "overage_count": 2, "plan_limit": null},
            {"period_start": "2025-10-01", "period_end": "2025-10-31", "message_count": 0, "overage_count": 0}
        ],
        "meta": {"total": 14, "limit": 3, "offset": 0, "has_more": true, "request_id": "r"}});
    let (history, req) = exchange(Scripted::json(200, body), async |c| c.get_usage_history(3, 0).await).await;
    req.expect("GET", "/v1/billing/usage-history", Some("limit=3&offset=0")).expect_no_body();
    let row = |start: &str, end: &str, count: i64, overage: i64, limit: Option<i64>| UsageHistoryRow {
        period_start: date(start),
        period_end: date(end),
        message_count: count,
        overage_count: overage,
        plan_limit: limit,
    };
    assert_eq!(
        history,
        UsageHistoryResponse {
            rows: vec![
                row("2025-12-01", "2025-12-31", 1500, 0, Some(100000)),
                row("2025-11-01", "2025-11-30", 20, 2, None),
                row("2025-10-01", "2025-10-31", 0, 0, None),
            ],
            total: 14,
            limit: 3,
            offset: 0,
            has_more: true,
        }
    );
    assert_eq!(history.rows[1].period_end.to_string(), "2025-11-30");

    let body = json!({"data": [], "meta": {"total": 14, "limit": 12, "offset": 12, "has_more": false}});
    let (_, req) = exchange(Scripted::json(200, body), async |c| c.get_usage_history(12, 12).await).await;
    req.expect("GET", "/v1/billing/usage-history", Some("limit=12&offset=12"));
}

#[tokio::test]
async fn get_usage_history_rejects_a_timestamp_where_a_date_belongs() {
    let body = json!({"data": [{"period_start": "2025-12-01T00:00:00Z", "period_end": "2025-12-31", "message_count": 1, "overage_count": 0}],
        "meta": {"total": 1, "limit": 12, "offset": 0, "has_more": false}});
    let server = common::MockServer::always(Scripted::json(200, body));
    let err = server.client().get_usage_history(12, 0).await.unwrap_err();
    assert_eq!(err.kind(), hookbridge::ErrorKind::InvalidResponse, "{err}");
}

#[tokio::test]
async fn get_invoices_with_and_without_starting_after() {
    let body = json!({"data": [
            {"id": "in_1", "status": "paid", "amount_due": 2900, "amount_paid": 2900, "currency": "usd",
             "period_start": "2025-11-01T00:00:00Z", "period_end": "2025-12-01T00:00:00Z", "created": "2025-12-01T00:00:05Z",
             "invoice_pdf": "https://pay.stripe.com/invoice/in_1/pdf", "hosted_invoice_url": "https://invoice.stripe.com/i/in_1",
             "lines": [{"description": "Pro plan", "amount": 2900, "quantity": 1}]},
            {"id": "in_0", "status": "open", "amount_due": 100, "amount_paid": 0, "currency": "eur",
             "period_start": "2025-10-01T00:00:00Z", "period_end": "2025-11-01T00:00:00Z", "created": "2025-11-01T00:00:00Z"}
        ], "meta": {"has_more": true}});
    let (invoices, req) = exchange(Scripted::json(200, body), async |c| c.get_invoices(12, None).await).await;
    req.expect("GET", "/v1/billing/invoices", Some("limit=12")).expect_no_body();
    assert_eq!(
        invoices,
        InvoicesResponse {
            invoices: vec![
                Invoice {
                    id: "in_1".into(),
                    status: "paid".into(),
                    amount_due: 2900,
                    amount_paid: 2900,
                    currency: "usd".into(),
                    period_start: ts("2025-11-01T00:00:00Z"),
                    period_end: ts("2025-12-01T00:00:00Z"),
                    created: ts("2025-12-01T00:00:05Z"),
                    lines: vec![InvoiceLine { description: "Pro plan".into(), amount: 2900, quantity: 1 }],
                    invoice_pdf: Some("https://pay.stripe.com/invoice/in_1/pdf".into()),
                    hosted_invoice_url: Some("https://invoice.stripe.com/i/in_1".into()),
                },
                Invoice {
                    id: "in_0".into(),
                    status: "open".into(),
                    amount_due: 100,
                    amount_paid: 0,
                    currency: "eur".into(),
                    period_start: ts("2025-10-01T00:00:00Z"),
                    period_end: ts("2025-11-01T00:00:00Z"),
                    created: ts("2025-11-01T00:00:00Z"),
                    lines: vec![],
                    invoice_pdf: None,
                    hosted_invoice_url: None,
                },
            ],
            has_more: true,
        }
    );
    let (_, req) = exchange(Scripted::json(200, json!({"data": [], "meta": {"has_more": false}})), async |c| {
        c.get_invoices(5, Some("in_1")).await
    })
    .await;
    req.expect("GET", "/v1/billing/invoices", Some("limit=5&starting_after=in_1"));
}

#[tokio::test]
async fn handle_stripe_webhook_reads_received_at_the_top_level() {
    let payload = json!({"id": "evt_1", "type": "invoice.paid", "data": {"object": {"id": "in_1"}}});
    let (received, req) =
        exchange(Scripted::json(200, json!({"received": true})), async |c| c.handle_stripe_webhook(&payload).await).await;
    req.expect("POST", "/v1/billing/webhook", None).expect_json(payload.clone());
    assert_eq!(req.json_keys(), ["id", "type", "data"]);
    assert!(received);

    let cases = [
        (Scripted::json(200, json!({"received": false})), false),
        (Scripted::json(200, json!({"data": {"received": true}})), false),
        (Scripted::json(200, json!({"received": 1})), true),
        (Scripted::json(200, json!({"received": ""})), false),
        (Scripted::json(200, json!({"received": "yes"})), true),
        (Scripted::empty(204), false),
        (Scripted::empty(200), false),
    ];
    for (reply, expected) in cases {
        let shown = String::from_utf8_lossy(&reply.body).into_owned();
        let (received, _) = exchange(reply, async |c| c.handle_stripe_webhook(&payload).await).await;
        assert_eq!(received, expected, "answer {shown:?}");
    }
}

fn export_json() -> serde_json::Value {
    json!({"id": EXPORT, "project_id": "proj_abc123", "status": "completed", "filter_start_time": "2025-12-01T00:00:00Z",
        "filter_end_time": "2025-12-02T00:00:00Z", "created_at": "2025-12-02T00:00:01Z", "filter_status": "failed_permanent",
        "filter_endpoint_id": "550e8400-e29b-41d4-a716-446655440000", "row_count": 42, "file_size_bytes": 8192,
        "error_message": null, "started_at": "2025-12-02T00:00:02Z", "completed_at": "2025-12-02T00:00:03.123456Z",
        "expires_at": "2025-12-09T00:00:03Z", "direction": "outbound"})
}

fn export_record() -> ExportRecord {
    ExportRecord {
        id: EXPORT.into(),
        project_id: "proj_abc123".into(),
        status: "completed".into(),
        filter_start_time: ts("2025-12-01T00:00:00Z"),
        filter_end_time: ts("2025-12-02T00:00:00Z"),
        created_at: ts("2025-12-02T00:00:01Z"),
        filter_status: Some("failed_permanent".into()),
        filter_endpoint_id: Some("550e8400-e29b-41d4-a716-446655440000".into()),
        row_count: Some(42),
        file_size_bytes: Some(8192),
        error_message: None,
        started_at: Some(ts("2025-12-02T00:00:02Z")),
        completed_at: Some(ts("2025-12-02T00:00:03.123456Z")),
        expires_at: Some(ts("2025-12-09T00:00:03Z")),
    }
}

#[tokio::test]
async fn create_export_sends_isoformat_times_and_optional_filters() {
    let options = CreateExportOptions {
        start_time: TimeArg::At(ts("2025-12-01T00:00:00Z")),
        end_time: TimeArg::Text("2025-12-02T00:00:00Z".into()),
        status: Some("failed_permanent".into()),
        endpoint_id: Some(EP.into()),
    };
    let (record, req) =
        exchange(Scripted::json(201, json!({"data": export_json()})), async |c| c.create_export(&options).await).await;
    req.expect("POST", "/v1/exports", None).expect_json(json!({
        "start_time": "2025-12-01T00:00:00+00:00", "end_time": "2025-12-02T00:00:00Z", "status": "failed_permanent", "endpoint_id": EP
    }));
    assert_eq!(req.json_keys(), ["start_time", "end_time", "status", "endpoint_id"]);
    assert_eq!(record, export_record());

    let options = CreateExportOptions {
        start_time: TimeArg::At(ts("2025-12-01T00:00:00")),
        end_time: TimeArg::At(ts("2025-12-01T12:00:00.25+05:30")),
        status: None,
        endpoint_id: None,
    };
    let pending = json!({"id": EXPORT, "project_id": "p", "status": "pending", "filter_start_time": "2025-12-01T00:00:00Z",
        "filter_end_time": "2025-12-02T00:00:00Z", "created_at": "2025-12-02T00:00:01Z", "started_at": "", "completed_at": null});
    let (record, req) = exchange(Scripted::data(pending), async |c| c.create_export(&options).await).await;
    req.expect_json(json!({"start_time": "2025-12-01T00:00:00", "end_time": "2025-12-01T12:00:00.250000+05:30"}));
    assert_eq!((record.started_at, record.completed_at, record.expires_at, record.row_count), (None, None, None, None));
}

#[tokio::test]
async fn list_and_get_exports() {
    let (records, req) = exchange(Scripted::data(json!([export_json()])), async |c| c.list_exports().await).await;
    req.expect("GET", "/v1/exports", None).expect_no_body();
    assert_eq!(records, vec![export_record()]);

    let (record, req) = exchange(Scripted::data(export_json()), async |c| c.get_export(EXPORT).await).await;
    req.expect("GET", &format!("/v1/exports/{EXPORT}"), None).expect_no_body();
    assert_eq!(record, export_record());
}

#[tokio::test]
async fn download_export_returns_the_redirect_location_verbatim() {
    let location = "https://files.example.com/exports/abc.csv?sig=a%2Bb&exp=1";
    for status in [301, 302, 303, 307, 308] {
        let reply = Scripted::empty(status).header("location", location);
        let (url, req) = exchange(reply, async |c| c.download_export(EXPORT).await).await;
        req.expect("GET", &format!("/v1/exports/{EXPORT}/download"), None).expect_no_body();
        assert_eq!(url, location, "status {status}");
    }
    let relative = Scripted::empty(302).header("location", "/v1/files/abc.csv");
    let (url, _) = exchange(relative, async |c| c.download_export(EXPORT).await).await;
    assert_eq!(url, "/v1/files/abc.csv", "the location is returned as given, not resolved or followed");
}
