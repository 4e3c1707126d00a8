//! Subscription, checkout, portal, usage history, invoices and the Stripe webhook.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::client::{Client, DataMeta};
use crate::error::Result;
use crate::models::{
    CheckoutSession, Invoice, InvoicesResponse, PortalSession, Subscription, UsageHistoryResponse, UsageHistoryRow,
};
use crate::query::Query;
use crate::transport::Call;

#[derive(Serialize)]
struct CheckoutBody<'a> {
    plan: &'a str,
    interval: &'a str,
}

#[derive(Serialize)]
struct PortalBody<'a> {
    return_url: &'a str,
}

#[derive(Deserialize)]
struct OffsetMeta {
    total: i64,
    limit: i64,
    offset: i64,
    has_more: bool,
}

#[derive(Deserialize)]
struct HasMoreMeta {
    has_more: bool,
}

#[derive(Deserialize)]
struct Received {
    #[serde(default)]
    received: serde_json::Value,
}

impl Client {
    /// The project's plan, limits and usage.
    pub async fn get_subscription(&self) -> Result<Subscription> {
        self.data(Call::new(Method::GET, "/v1/billing/subscription")).await
    }

    /// Starts a checkout for `plan` billed per `interval` (`monthly`, `annual`).
    pub async fn create_checkout(&self, plan: &str, interval: &str) -> Result<CheckoutSession> {
        self.data(Call::new(Method::POST, "/v1/billing/checkout").json(&CheckoutBody { plan, interval })?).await
    }

    /// Opens the billing portal; without `return_url` no body is sent.
    pub async fn create_portal(&self, return_url: Option<&str>) -> Result<PortalSession> {
        let mut call = Call::new(Method::POST, "/v1/billing/portal");
        if let Some(return_url) = return_url {
            call = call.json(&PortalBody { return_url })?;
        }
        self.data(call).await
    }

    /// Monthly usage, newest first (offset pagination; both parameters always sent).
    pub async fn get_usage_history(&self, limit: i64, offset: i64) -> Result<UsageHistoryResponse> {
        let mut q = Query::new();
        q.push("limit", limit).push("offset", offset);
        let page: DataMeta<Vec<UsageHistoryRow>, OffsetMeta> =
            self.decode(Call::new(Method::GET, "/v1/billing/usage-history").query(q)).await?;
        Ok(UsageHistoryResponse {
            rows: page.data,
            total: page.meta.total,
            limit: page.meta.limit,
            offset: page.meta.offset,
            has_more: page.meta.has_more,
        })
    }

    /// A page of invoices (Stripe-style pagination).
    pub async fn get_invoices(&self, limit: i64, starting_after: Option<&str>) -> Result<InvoicesResponse> {
        let mut q = Query::new();
        q.push("limit", limit).opt("starting_after", starting_after);
        let page: DataMeta<Vec<Invoice>, HasMoreMeta> =
            self.decode(Call::new(Method::GET, "/v1/billing/invoices").query(q)).await?;
        Ok(InvoicesResponse { invoices: page.data, has_more: page.meta.has_more })
    }

    /// Forwards a Stripe event; returns the top-level `received` flag (Python truthiness).
    pub async fn handle_stripe_webhook(&self, payload: &serde_json::Value) -> Result<bool> {
        let body = self.body(Call::new(Method::POST, "/v1/billing/webhook").json(payload)?).await?;
        if body.is_empty() {
            return Ok(false);
        }
        let received: Received = crate::client::decode(&body)?;
        Ok(match received.received {
            serde_json::Value::Null => false,
            serde_json::Value::Bool(b) => b,
            serde_json::Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
            serde_json::Value::String(s) => !s.is_empty(),
            serde_json::Value::Array(a) => !a.is_empty(),
            serde_json::Value::Object(o) => !o.is_empty(),
        })
    }
}
