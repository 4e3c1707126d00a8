"""Result types of the HookBridge API: frozen dataclasses, field for field those of the
official ``hookbridge`` 1.4.0 package (same names, order, types and defaults).

The native module builds them by class name, so every class here is registered with it at the
bottom of this module.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Optional

from hookbridge import _native

MessageStatus = Literal["queued", "delivering", "succeeded", "pending_retry", "failed_permanent"]
ReplayableMessageStatus = Literal["failed_permanent", "pending_retry"]
MetricsWindow = Literal["1h", "24h", "7d", "30d"]
APIKeyMode = Literal["live", "test"]


@dataclass(frozen=True)
class SendWebhookResponse:
    """A send accepted and stored: the new message's id and its status (``queued``)."""

    message_id: str
    status: Literal["queued"]


@dataclass(frozen=True)
class ReplayMessageResponse:
    """An inbound message queued again for forwarding."""

    message_id: str
    status: str


@dataclass(frozen=True)
class Message:
    """The full state of one outbound message."""

    id: str
    project_id: str
    endpoint_id: str
    status: MessageStatus
    attempt_count: int
    replay_count: int
    content_type: str
    size_bytes: int
    payload_sha256: str
    created_at: datetime
    updated_at: datetime
    idempotency_key: Optional[str] = None
    next_attempt_at: Optional[datetime] = None
    last_error: Optional[str] = None
    response_status: Optional[int] = None
    response_latency_ms: Optional[int] = None


@dataclass(frozen=True)
class MessageSummary:
    """One row of the delivery logs or of the dead letter queue."""

    message_id: str
    endpoint: str
    status: MessageStatus
    attempt_count: int
    created_at: datetime
    delivered_at: Optional[datetime] = None
    next_attempt_at: Optional[datetime] = None
    response_status: Optional[int] = None
    response_latency_ms: Optional[int] = None
    last_error: Optional[str] = None


@dataclass(frozen=True)
class LogsResponse:
    """A page of delivery logs, newest first."""

    messages: list[MessageSummary]
    has_more: bool
    next_cursor: Optional[str] = None


@dataclass(frozen=True)
class DLQMessagesResponse:
    """A page of the dead letter queue."""

    messages: list[MessageSummary]
    has_more: bool
    next_cursor: Optional[str] = None


@dataclass(frozen=True)
class Metrics:
    """Aggregate delivery metrics over a window."""

    window: MetricsWindow
    total_messages: int
    succeeded: int
    failed: int
    retries: int
    success_rate: float
    avg_latency_ms: int


@dataclass(frozen=True)
class InboundMetrics:
    """Aggregate inbound metrics over a window, with the mean receipt-to-delivery time."""

    window: MetricsWindow
    total_messages: int
    succeeded: int
    failed: int
    retries: int
    success_rate: float
    avg_latency_ms: int
    avg_delivery_time_ms: int


@dataclass(frozen=True)
class APIKeyInfo:
    """An API key as listed (never its secret)."""

    key_id: str
    label: str
    prefix: str
    created_at: datetime
    last_used_at: Optional[datetime] = None


@dataclass(frozen=True)
class CreateAPIKeyResponse:
    """A new API key; ``key`` is shown only this once."""

    key_id: str
    key: str
    prefix: str
    label: str
    created_at: datetime


@dataclass(frozen=True)
class SigningKey:
    """A signing key of an endpoint (hint only, no secret)."""

    id: str
    key_hint: str
    created_at: datetime


@dataclass(frozen=True)
class Endpoint:
    """An outbound endpoint (without its signing secret)."""

    id: str
    url: str
    created_at: datetime
    updated_at: datetime
    paused: bool
    description: Optional[str] = None
    rate_limit_rps: Optional[int] = None
    burst: Optional[int] = None
    headers: Optional[dict[str, str]] = None


@dataclass(frozen=True)
class EndpointSummary:
    """An outbound endpoint as listed."""

    id: str
    url: str
    created_at: datetime
    paused: bool
    description: Optional[str] = None


@dataclass(frozen=True)
class CreateEndpointResponse:
    """A new endpoint; ``signing_secret`` is shown only this once."""

    id: str
    url: str
    signing_secret: str
    created_at: datetime
    description: Optional[str] = None
    signing_key_id: Optional[str] = None
    key_hint: Optional[str] = None


@dataclass(frozen=True)
class ListEndpointsResponse:
    """A page of outbound endpoints."""

    endpoints: list[EndpointSummary]
    has_more: bool
    next_cursor: Optional[str] = None


@dataclass(frozen=True)
class RotateSecretResponse:
    """A new signing key; ``signing_secret`` is shown only this once."""

    id: str
    signing_secret: str
    key_hint: Optional[str] = None
    created_at: Optional[datetime] = None


@dataclass(frozen=True)
class TimeSeriesBucket:
    """One bucket of a metrics time series."""

    timestamp: datetime
    total: int
    succeeded: int
    failed: int
    retrying: int
    avg_latency_ms: int


@dataclass(frozen=True)
class TimeSeriesMetrics:
    """Metrics bucketed over a window, oldest bucket first."""

    window: MetricsWindow
    buckets: list[TimeSeriesBucket]


@dataclass(frozen=True)
class SubscriptionLimits:
    """The limits of the current plan."""

    plan: str
    messages_per_month: int
    max_projects: int
    max_endpoints: int
    retention_days: int
    max_retries: Optional[int] = None


@dataclass(frozen=True)
class SubscriptionUsage:
    """Usage in the current billing period."""

    messages_used: int
    period_start: datetime
    period_end: datetime


@dataclass(frozen=True)
class Subscription:
    """The project's plan, limits and usage."""

    plan: str
    status: str
    limits: SubscriptionLimits
    usage: SubscriptionUsage
    cancel_at_period_end: Optional[bool] = None
    current_period_end: Optional[datetime] = None


@dataclass(frozen=True)
class ReplayAllMessagesResponse:
    """The outcome of replaying every message of a status."""

    replayed: int
    failed: int
    stuck: int
    replayed_message_ids: list[str]
    stuck_message_ids: list[str]


@dataclass(frozen=True)
class ReplayBatchResult:
    """The outcome for one id of a batch replay."""

    message_id: str
    status: Literal["replayed", "failed", "stuck"]
    error: Optional[str] = None


@dataclass(frozen=True)
class ReplayBatchMessagesResponse:
    """The outcome of replaying a list of messages."""

    replayed: int
    failed: int
    stuck: int
    results: list[ReplayBatchResult]


@dataclass(frozen=True)
class Project:
    """A project: the unit that owns keys, endpoints and messages."""

    id: str
    tenant_id: str
    name: str
    status: str
    rate_limit_default: int
    created_at: datetime


@dataclass(frozen=True)
class CheckoutSession:
    """A hosted checkout session."""

    session_id: str
    checkout_url: str


@dataclass(frozen=True)
class PortalSession:
    """A hosted billing portal session."""

    portal_url: str


@dataclass(frozen=True)
class UsageHistoryRow:
    """Usage of one calendar month."""

    period_start: date
    period_end: date
    message_count: int
    overage_count: int
    plan_limit: Optional[int] = None


@dataclass(frozen=True)
class UsageHistoryResponse:
    """A page of monthly usage (offset pagination)."""

    rows: list[UsageHistoryRow]
    total: int
    limit: int
    offset: int
    has_more: bool


@dataclass(frozen=True)
class InvoiceLine:
    """One line of an invoice."""

    description: str
    amount: int
    quantity: int


@dataclass(frozen=True)
class Invoice:
    """An invoice (amounts in minor units)."""

    id: str
    status: str
    amount_due: int
    amount_paid: int
    currency: str
    period_start: datetime
    period_end: datetime
    created: datetime
    lines: list[InvoiceLine]
    invoice_pdf: Optional[str] = None
    hosted_invoice_url: Optional[str] = None


@dataclass(frozen=True)
class InvoicesResponse:
    """A page of invoices."""

    invoices: list[Invoice]
    has_more: bool


@dataclass(frozen=True)
class InboundEndpoint:
    """An inbound endpoint (secrets and header names are never returned)."""

    id: str
    name: str
    url: str
    active: bool
    paused: bool
    verify_static_token: bool
    verify_hmac: bool
    verify_ip_allowlist: bool
    ingest_response_code: int
    idempotency_header_names: list[str]
    signing_enabled: bool
    created_at: datetime
    updated_at: datetime
    description: Optional[str] = None


@dataclass(frozen=True)
class InboundEndpointSummary:
    """An inbound endpoint as listed."""

    id: str
    name: str
    url: str
    active: bool
    paused: bool
    created_at: datetime


@dataclass(frozen=True)
class CreateInboundEndpointResponse:
    """A new inbound endpoint; ``ingest_url`` and ``secret_token`` are shown only this once."""

    id: str
    name: str
    url: str
    ingest_url: str
    secret_token: str
    created_at: datetime


@dataclass(frozen=True)
class ListInboundEndpointsResponse:
    """A page of inbound endpoints."""

    endpoints: list[InboundEndpointSummary]
    has_more: bool
    next_cursor: Optional[str] = None


@dataclass(frozen=True)
class UpdateResult:
    """The outcome of an update."""

    id: str
    updated: bool


@dataclass(frozen=True)
class DeleteResult:
    """The outcome of a delete."""

    deleted: bool
    id: Optional[str] = None


@dataclass(frozen=True)
class PauseState:
    """Pause state after pausing or resuming an endpoint."""

    id: str
    paused: bool
    messages_requeued: Optional[int] = None


@dataclass(frozen=True)
class InboundLogEntry:
    """One inbound message in the inbound logs."""

    message_id: str
    inbound_endpoint_id: str
    endpoint: str
    status: MessageStatus
    attempt_count: int
    received_at: datetime
    delivered_at: Optional[datetime] = None
    response_status: Optional[int] = None
    response_latency_ms: Optional[int] = None
    last_error: Optional[str] = None
    total_delivery_ms: Optional[int] = None


@dataclass(frozen=True)
class InboundLogsResponse:
    """A page of inbound logs."""

    entries: list[InboundLogEntry]
    has_more: bool
    next_cursor: Optional[str] = None


@dataclass(frozen=True)
class InboundRejection:
    """An ingest request that was refused."""

    id: str
    reason_code: str
    received_at: datetime
    inbound_endpoint_id: Optional[str] = None
    reason_detail: Optional[str] = None
    source_ip: Optional[str] = None
    headers_redacted: Optional[str] = None


@dataclass(frozen=True)
class InboundRejectionsResponse:
    """A page of refused ingest requests."""

    entries: list[InboundRejection]
    has_more: bool
    next_cursor: Optional[str] = None


@dataclass(frozen=True)
class ExportRecord:
    """A log export job and, once completed, the facts of its file."""

    id: str
    project_id: str
    status: str
    filter_start_time: datetime
    filter_end_time: datetime
    created_at: datetime
    filter_status: Optional[str] = None
    filter_endpoint_id: Optional[str] = None
    row_count: Optional[int] = None
    file_size_bytes: Optional[int] = None
    error_message: Optional[str] = None
    started_at: Optional[datetime] = None
    completed_at: Optional[datetime] = None
    expires_at: Optional[datetime] = None


_native.register_types(
    {
        name: value
        for name, value in list(globals().items())
        if isinstance(value, type) and value.__module__ == __name__
    }
)
