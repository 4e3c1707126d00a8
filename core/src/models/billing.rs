//! Subscription, usage history and invoices.

use serde::{Deserialize, Serialize};

use crate::time::{Date, Timestamp, optional_timestamp};

/// Limits of the current plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SubscriptionLimits {
    /// Plan name.
    pub plan: String,
    /// Messages included per month.
    pub messages_per_month: i64,
    /// Projects allowed.
    pub max_projects: i64,
    /// Endpoints allowed.
    pub max_endpoints: i64,
    /// Payload retention in days.
    pub retention_days: i64,
    /// Delivery attempts allowed per message.
    #[serde(default)]
    pub max_retries: Option<i64>,
}

/// Usage in the current billing period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SubscriptionUsage {
    /// Messages sent this period.
    pub messages_used: i64,
    /// Period start.
    pub period_start: Timestamp,
    /// Period end.
    pub period_end: Timestamp,
}

/// The project's subscription.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Subscription {
    /// Plan name (`self_hosted` on a self-hosted server).
    pub plan: String,
    /// `active`, `canceled`, `past_due`, `trialing` or `unpaid`.
    pub status: String,
    /// Plan limits.
    pub limits: SubscriptionLimits,
    /// Current usage.
    pub usage: SubscriptionUsage,
    /// Whether the subscription ends with the period.
    #[serde(default)]
    pub cancel_at_period_end: Option<bool>,
    /// End of the current period.
    #[serde(default, with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub current_period_end: Option<Timestamp>,
}

/// A hosted checkout session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CheckoutSession {
    /// Session id.
    pub session_id: String,
    /// Where to send the user.
    pub checkout_url: String,
}

/// A hosted billing portal session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PortalSession {
    /// Where to send the user.
    pub portal_url: String,
}

/// Usage of one calendar month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct UsageHistoryRow {
    /// First day of the month.
    pub period_start: Date,
    /// Last day of the month.
    pub period_end: Date,
    /// Messages sent.
    pub message_count: i64,
    /// Messages beyond the plan limit.
    pub overage_count: i64,
    /// The plan limit, if any.
    #[serde(default)]
    pub plan_limit: Option<i64>,
}

/// A page of usage history (offset pagination).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct UsageHistoryResponse {
    /// Months, newest first.
    pub rows: Vec<UsageHistoryRow>,
    /// Months available.
    pub total: i64,
    /// Page size.
    pub limit: i64,
    /// Page offset.
    pub offset: i64,
    /// Whether another page exists.
    pub has_more: bool,
}

/// One line of an invoice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InvoiceLine {
    /// What was billed.
    pub description: String,
    /// Amount in minor units.
    pub amount: i64,
    /// Quantity.
    pub quantity: i64,
}

/// An invoice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Invoice {
    /// Invoice id (`in_...`).
    pub id: String,
    /// Invoice status.
    pub status: String,
    /// Amount due in minor units.
    pub amount_due: i64,
    /// Amount paid in minor units.
    pub amount_paid: i64,
    /// ISO currency code.
    pub currency: String,
    /// Period start.
    pub period_start: Timestamp,
    /// Period end.
    pub period_end: Timestamp,
    /// Creation time.
    pub created: Timestamp,
    /// Lines.
    #[serde(default)]
    pub lines: Vec<InvoiceLine>,
    /// PDF link.
    #[serde(default)]
    pub invoice_pdf: Option<String>,
    /// Hosted page link.
    #[serde(default)]
    pub hosted_invoice_url: Option<String>,
}

/// A page of invoices.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InvoicesResponse {
    /// The invoices.
    pub invoices: Vec<Invoice>,
    /// Whether another page exists.
    pub has_more: bool,
}
