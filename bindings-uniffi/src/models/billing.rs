//! Subscription, usage history and invoices.

use super::{date, list, mirror, nested, opt_ts, same, ts};

mirror! {
    /// Limits of the current plan.
    SubscriptionLimits from hookbridge::SubscriptionLimits {
        /// Plan name.
        plan: String => same,
        /// Messages included per month.
        messages_per_month: i64 => same,
        /// Projects allowed.
        max_projects: i64 => same,
        /// Endpoints allowed.
        max_endpoints: i64 => same,
        /// Payload retention in days.
        retention_days: i64 => same,
        /// Delivery attempts allowed per message.
        max_retries: Option<i64> => same,
    }
}

mirror! {
    /// Usage in the current billing period.
    SubscriptionUsage from hookbridge::SubscriptionUsage {
        /// Messages sent this period.
        messages_used: i64 => same,
        /// Period start (RFC 3339).
        period_start: String => ts,
        /// Period end (RFC 3339).
        period_end: String => ts,
    }
}

mirror! {
    /// The project's subscription.
    Subscription from hookbridge::Subscription {
        /// Plan name (`self_hosted` on a self-hosted server).
        plan: String => same,
        /// `active`, `canceled`, `past_due`, `trialing` or `unpaid`.
        status: String => same,
        /// Plan limits.
        limits: SubscriptionLimits => nested,
        /// Current usage.
        usage: SubscriptionUsage => nested,
        /// Whether the subscription ends with the period.
        cancel_at_period_end: Option<bool> => same,
        /// End of the current period (RFC 3339).
        current_period_end: Option<String> => opt_ts,
    }
}

mirror! {
    /// A hosted checkout session.
    CheckoutSession from hookbridge::CheckoutSession {
        /// Session id.
        session_id: String => same,
        /// Where to send the user.
        checkout_url: String => same,
    }
}

mirror! {
    /// A hosted billing portal session.
    PortalSession from hookbridge::PortalSession {
        /// Where to send the user.
        portal_url: String => same,
    }
}

mirror! {
    /// Usage of one calendar month.
    UsageHistoryRow from hookbridge::UsageHistoryRow {
        /// First day of the month (`YYYY-MM-DD`).
        period_start: String => date,
        /// Last day of the month (`YYYY-MM-DD`).
        period_end: String => date,
        /// Messages sent.
        message_count: i64 => same,
        /// Messages beyond the plan limit.
        overage_count: i64 => same,
        /// The plan limit, if any.
        plan_limit: Option<i64> => same,
    }
}

mirror! {
    /// A page of usage history (offset pagination).
    UsageHistoryResponse from hookbridge::UsageHistoryResponse {
        /// Months, newest first.
        rows: Vec<UsageHistoryRow> => list,
        /// Months available.
        total: i64 => same,
        /// Page size.
        limit: i64 => same,
        /// Page offset.
        offset: i64 => same,
        /// Whether another page exists.
        has_more: bool => same,
    }
}

mirror! {
    /// One line of an invoice.
    InvoiceLine from hookbridge::InvoiceLine {
        /// What was billed.
        description: String => same,
        /// Amount in minor units.
        amount: i64 => same,
        /// Quantity.
        quantity: i64 => same,
    }
}

mirror! {
    /// An invoice.
    Invoice from hookbridge::Invoice {
        /// Invoice id (`in_...`).
        id: String => same,
        /// Invoice status.
        status: String => same,
        /// Amount due in minor units.
        amount_due: i64 => same,
        /// Amount paid in minor units.
        amount_paid: i64 => same,
        /// ISO currency code.
        currency: String => same,
        /// Period start (RFC 3339).
        period_start: String => ts,
        /// Period end (RFC 3339).
        period_end: String => ts,
        /// Creation time (RFC 3339).
        created: String => ts,
        /// Lines.
        lines: Vec<InvoiceLine> => list,
        /// PDF link.
        invoice_pdf: Option<String> => same,
        /// Hosted page link.
        hosted_invoice_url: Option<String> => same,
    }
}

mirror! {
    /// A page of invoices.
    InvoicesResponse from hookbridge::InvoicesResponse {
        /// The invoices.
        invoices: Vec<Invoice> => list,
        /// Whether another page exists.
        has_more: bool => same,
    }
}
