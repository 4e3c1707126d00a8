//! Billing on a self-hosted server: an always-active `self_hosted` plan with real usage counts,
//! usage history per calendar month (UTC), no invoices, and no checkout or portal.

use crate::http::openapi::op;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use hookbridge::{Date, Subscription, SubscriptionLimits, SubscriptionUsage, UsageHistoryRow};
use serde::Deserialize;

use super::auth::Caller;
use super::extract::{QueryParams, limit};
use super::{ApiError, ApiResult, AppState, Reply, Route};
use crate::clock::{now_millis, timestamp};

/// The plan of every self-hosted project.
pub const PLAN: &str = "self_hosted";

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    let r = |method, path, summary, handler, doc| Route { method, path, summary, authenticated: true, handler, doc };
    vec![
        r(
            "GET",
            "/v1/billing/subscription",
            "Plan, limits and this month's usage",
            get(subscription),
            op("get_subscription").data::<hookbridge::Subscription>(),
        ),
        r(
            "POST",
            "/v1/billing/checkout",
            "Not available on a self-hosted server (403 BILLING_DISABLED)",
            post(disabled),
            op("create_checkout").statuses(&[]),
        ),
        r(
            "POST",
            "/v1/billing/portal",
            "Not available on a self-hosted server (403 BILLING_DISABLED)",
            post(disabled),
            op("create_portal").statuses(&[]),
        ),
        r(
            "GET",
            "/v1/billing/usage-history",
            "Messages per calendar month (offset pagination)",
            get(usage_history),
            op("get_usage_history").query::<HistoryQuery>().data::<Vec<hookbridge::UsageHistoryRow>>(),
        ),
        r(
            "GET",
            "/v1/billing/invoices",
            "Invoices (always empty on a self-hosted server)",
            get(invoices),
            op("get_invoices").query::<InvoicesQuery>().data::<Vec<hookbridge::Invoice>>(),
        ),
        r(
            "POST",
            "/v1/billing/webhook",
            "Stripe webhook receiver (acknowledged, ignored)",
            post(stripe_webhook),
            op("handle_stripe_webhook").optional_body::<serde_json::Value>().bare::<StripeAck>(),
        ),
    ]
}

fn month_start(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default()
}

fn next_month(d: NaiveDate) -> NaiveDate {
    if d.month() == 12 { month_start(d.year() + 1, 1) } else { month_start(d.year(), d.month() + 1) }
}

fn previous_month(d: NaiveDate) -> NaiveDate {
    if d.month() == 1 { month_start(d.year() - 1, 12) } else { month_start(d.year(), d.month() - 1) }
}

fn millis(d: NaiveDate) -> i64 {
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default()).timestamp_millis()
}

fn current_month(now_ms: i64) -> NaiveDate {
    let now = Utc.timestamp_millis_opt(now_ms).single().unwrap_or_default();
    month_start(now.year(), now.month())
}

async fn subscription(State(state): State<AppState>, caller: Caller) -> ApiResult<Reply> {
    let start = current_month(now_millis());
    let end = next_month(start);
    let used = state.store.count_messages_in(&caller.project_id, vec![(millis(start), millis(end))]).await?;
    Ok(Reply::ok(Subscription {
        plan: PLAN.into(),
        status: "active".into(),
        limits: SubscriptionLimits {
            plan: PLAN.into(),
            messages_per_month: 1_000_000_000,
            max_projects: 1_000,
            max_endpoints: 100_000,
            retention_days: i64::from(state.config.payload_retention_days),
            max_retries: Some(i64::from(state.config.max_attempts)),
        },
        usage: SubscriptionUsage {
            messages_used: used.first().copied().unwrap_or(0),
            period_start: timestamp(millis(start)),
            period_end: timestamp(millis(end)),
        },
        cancel_at_period_end: Some(false),
        current_period_end: Some(timestamp(millis(end))),
    }))
}

#[derive(Deserialize, schemars::JsonSchema)]
struct HistoryQuery {
    #[schemars(range(min = 1, max = 24))]
    limit: Option<i64>,
    offset: Option<i64>,
}

async fn usage_history(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(q): QueryParams<HistoryQuery>,
) -> ApiResult<Reply> {
    let limit = limit("limit", q.limit, 12, 24)?;
    let offset = q.offset.unwrap_or(0);
    if offset < 0 {
        return Err(ApiError::invalid(format!("offset must be 0 or more, got {offset}")));
    }
    let project = state
        .store
        .get_project(&caller.tenant_id, &caller.project_id)
        .await?
        .ok_or_else(|| ApiError::not_found("project", &caller.project_id))?;
    let first = current_month(project.created_at);
    let mut months = Vec::new();
    let mut month = current_month(now_millis());
    while month >= first && months.len() < 1200 {
        months.push(month);
        month = previous_month(month);
    }
    let total = months.len() as i64;
    let page: Vec<NaiveDate> = months.into_iter().skip(offset as usize).take(limit).collect();
    let ranges = page.iter().map(|m| (millis(*m), millis(next_month(*m)))).collect();
    let counts = state.store.count_messages_in(&caller.project_id, ranges).await?;
    let rows: Vec<UsageHistoryRow> = page
        .iter()
        .zip(counts)
        .map(|(m, count)| UsageHistoryRow {
            period_start: Date(*m),
            period_end: Date(next_month(*m).pred_opt().unwrap_or(*m)),
            message_count: count,
            overage_count: 0,
            plan_limit: None,
        })
        .collect();
    let has_more = offset + (rows.len() as i64) < total;
    Ok(Reply::ok(rows).meta("total", total).meta("limit", limit).meta("offset", offset).meta("has_more", has_more))
}

#[derive(Deserialize, schemars::JsonSchema)]
struct InvoicesQuery {
    #[schemars(range(min = 1, max = 100))]
    limit: Option<i64>,
}

async fn invoices(_caller: Caller, QueryParams(q): QueryParams<InvoicesQuery>) -> ApiResult<Reply> {
    limit("limit", q.limit, 12, 100)?;
    Ok(Reply::ok(Vec::<hookbridge::Invoice>::new()).meta("has_more", false))
}

async fn disabled(_caller: Caller) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "BILLING_DISABLED",
        "billing is not available on a self-hosted HookBridge server (plan self_hosted has no checkout or portal)",
    )
}

/// The acknowledgement of a Stripe webhook.
#[derive(serde::Serialize, schemars::JsonSchema)]
struct StripeAck {
    /// Always true.
    received: bool,
}

async fn stripe_webhook(_caller: Caller) -> axum::Json<StripeAck> {
    axum::Json(StripeAck { received: true })
}
