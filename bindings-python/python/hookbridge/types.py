"""Result types of the HookBridge API: frozen dataclasses, field for field those of the
official ``hookbridge`` 2.0.0 package (same names, order, types and defaults), plus the three
session-only classes of 1.4.0 (:class:`Project`, :class:`CheckoutSession`,
:class:`PortalSession`) that 2.0.0 dropped.

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
InboundEndpointMode = Literal["forward", "cli"]
PullEndpointMode = Literal["pull"]
PullEventStatus = Literal["stored", "fetched", "delivered"]
PullEventListStatus = Literal["stored", "fetched", "delivered", "all"]
PullEventTypeSource = Literal["body", "header"]
SignatureScheme = Literal["hookbridge", "standard_webhooks"]
VerificationPreset = Literal["custom", "stripe", "github", "shopify", "slack", "standard_webhooks"]


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
    deleted_at: Optional[datetime] = None
    deleted_by_user_id: Optional[str] = None
    deleted_by_api_key_id: Optional[str] = None


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
    deleted_at: Optional[datetime] = None


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
    # Not in the official package: how deliveries are signed (the server says ``hookbridge``
    # unless the endpoint was set to ``standard_webhooks``).
    signature_scheme: Optional[SignatureScheme] = None


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
    mode: InboundEndpointMode
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
    # Not in the official package: which provider's signatures are verified (``custom`` = the
    # generic HMAC and token settings).
    verification_preset: Optional[VerificationPreset] = None


@dataclass(frozen=True)
class InboundEndpointSummary:
    """An inbound endpoint as listed."""

    id: str
    name: str
    url: str
    mode: InboundEndpointMode
    active: bool
    paused: bool
    created_at: datetime


@dataclass(frozen=True)
class CreateInboundEndpointResponse:
    """A new inbound endpoint; ``ingest_url`` and ``secret_token`` are shown only this once."""

    id: str
    name: str
    url: str
    mode: InboundEndpointMode
    ingest_url: str
    secret_token: str
    created_at: datetime
    signing_key_id: Optional[str] = None
    signing_secret: Optional[str] = None
    key_hint: Optional[str] = None


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
    deleted_at: Optional[datetime] = None


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



# --- Added by the official 2.0.0: attempts, inbound message detail, listen ---------------------


@dataclass(frozen=True)
class AttemptRecord:
    """One delivery attempt of a message, with only the figures the server measured."""

    id: str
    attempt_no: int
    created_at: datetime
    response_status: Optional[int] = None
    response_latency_ms: Optional[int] = None
    processing_ms: Optional[int] = None
    error_text: Optional[str] = None
    response_headers: Optional[dict[str, str]] = None
    retry_type: Optional[str] = None
    retry_after_seconds: Optional[int] = None
    resolved_ip: Optional[str] = None
    request_headers: Optional[dict[str, str]] = None
    dns_ms: Optional[int] = None
    tcp_connect_ms: Optional[int] = None
    tls_handshake_ms: Optional[int] = None
    ttfb_ms: Optional[int] = None
    transfer_ms: Optional[int] = None
    conn_reused: Optional[bool] = None
    response_body_url: Optional[str] = None
    response_body_truncated: Optional[bool] = None


@dataclass(frozen=True)
class AttemptsResponse:
    """The attempts of one message, oldest first."""

    attempts: list[AttemptRecord]
    has_more: bool


@dataclass(frozen=True)
class InboundMessage:
    """The full state of one inbound message."""

    id: str
    project_id: str
    inbound_endpoint_id: str
    status: MessageStatus
    attempt_count: int
    replay_count: int
    received_at: datetime
    updated_at: datetime
    content_type: Optional[str] = None
    size_bytes: Optional[int] = None
    payload_sha256: Optional[str] = None
    idempotency_key: Optional[str] = None
    next_attempt_at: Optional[datetime] = None
    last_error: Optional[str] = None
    response_status: Optional[int] = None
    response_latency_ms: Optional[int] = None
    queue_wait_ms: Optional[int] = None
    total_delivery_ms: Optional[int] = None
    delivered_at: Optional[datetime] = None
    failed_at: Optional[datetime] = None
    deleted_at: Optional[datetime] = None
    deleted_by_user_id: Optional[str] = None
    deleted_by_api_key_id: Optional[str] = None


@dataclass(frozen=True)
class ListenMessage:
    """One request stored by a CLI-mode inbound endpoint."""

    message_id: str
    content_type: str
    headers: dict[str, str]
    size_bytes: int
    received_at: datetime
    body: object = None
    body_encoding: Optional[str] = None
    body_error: Optional[str] = None


@dataclass(frozen=True)
class ListenInboundEndpointResponse:
    """A page of stored requests of a CLI-mode inbound endpoint, oldest first."""

    messages: list[ListenMessage]
    next_cursor: Optional[str] = None


# --- Added by the official 2.0.0: pull endpoints ----------------------------------------------


@dataclass(frozen=True)
class PullEndpointCounts:
    """How many events of a pull endpoint are in each status."""

    stored: Optional[int] = None
    fetched: Optional[int] = None
    delivered: Optional[int] = None
    total: Optional[int] = None


@dataclass(frozen=True)
class PullEndpoint:
    """A pull endpoint: senders post to its ingest URL, receivers poll its events."""

    id: str
    mode: PullEndpointMode
    ingest_url: str
    active: bool
    paused: bool
    created_at: datetime
    updated_at: datetime
    name: Optional[str] = None
    description: Optional[str] = None
    retention_days: Optional[int] = None
    event_type_source: Optional[PullEventTypeSource] = None
    event_type_path: Optional[str] = None
    counts: Optional[PullEndpointCounts] = None
    verify_static_token: Optional[bool] = None
    token_header_name: Optional[str] = None
    token_query_param: Optional[str] = None
    verify_hmac: Optional[bool] = None
    hmac_header_name: Optional[str] = None
    timestamp_header_name: Optional[str] = None
    timestamp_ttl_seconds: Optional[int] = None
    verify_ip_allowlist: Optional[bool] = None
    allowed_cidrs: Optional[list[str]] = None
    ingest_response_code: Optional[int] = None
    idempotency_header_names: Optional[list[str]] = None


@dataclass(frozen=True)
class CreatePullEndpointResponse(PullEndpoint):
    """A new pull endpoint; its ``secret_token`` is shown only this once."""

    secret_token: Optional[str] = None


@dataclass(frozen=True)
class PullEndpointSummary:
    """A pull endpoint as listed."""

    id: str
    active: bool
    paused: bool
    ingest_url: str
    created_at: datetime
    name: Optional[str] = None


@dataclass(frozen=True)
class ListPullEndpointsResponse:
    """A page of pull endpoints."""

    endpoints: list[PullEndpointSummary]
    has_more: bool
    next_cursor: Optional[str] = None


@dataclass(frozen=True)
class PullTimingBreakdown:
    """How long each step of a pull event's life took."""

    ingest_processing_ms: Optional[int] = None
    time_to_fetch_ms: Optional[int] = None
    time_to_ack_ms: Optional[int] = None
    total_lifecycle_ms: Optional[int] = None


@dataclass(frozen=True)
class PullEventSummary:
    """A pull event as listed (without its payload)."""

    id: str
    status: PullEventStatus
    size_bytes: int
    received_at: datetime
    event_type: Optional[str] = None
    fetched_at: Optional[datetime] = None
    delivered_at: Optional[datetime] = None
    timing: Optional["PullTimingBreakdown"] = None
    deleted_at: Optional[datetime] = None


@dataclass(frozen=True)
class PullEvent:
    """One pull event with its payload."""

    id: str
    status: PullEventStatus
    content_type: str
    payload: object
    size_bytes: int
    received_at: datetime
    event_type: Optional[str] = None
    headers: Optional[dict[str, str]] = None
    fetched_at: Optional[datetime] = None
    delivered_at: Optional[datetime] = None
    timing: Optional["PullTimingBreakdown"] = None
    deleted_at: Optional[datetime] = None
    deleted_by_user_id: Optional[str] = None
    deleted_by_api_key_id: Optional[str] = None


@dataclass(frozen=True)
class ListPullEventsResponse:
    """A page of pull events."""

    events: list[PullEventSummary]
    has_more: bool
    next_cursor: Optional[str] = None


@dataclass(frozen=True)
class AckPullEventsResponse:
    """How many events an acknowledgement moved to ``delivered``."""

    acknowledged: int


@dataclass(frozen=True)
class PullLogEntry:
    """One pull event in the pull logs."""

    event_id: str
    pull_endpoint_id: str
    status: PullEventStatus
    size_bytes: int
    received_at: datetime
    endpoint_name: Optional[str] = None
    event_type: Optional[str] = None
    fetched_at: Optional[datetime] = None
    delivered_at: Optional[datetime] = None
    timing: Optional["PullTimingBreakdown"] = None


@dataclass(frozen=True)
class PullLogsResponse:
    """A page of the pull logs."""

    entries: list[PullLogEntry]
    has_more: bool
    next_cursor: Optional[str] = None


@dataclass(frozen=True)
class PullTimeSeriesBucket:
    """Pull event counts of one time bucket."""

    timestamp: datetime
    succeeded: int
    stored: int
    fetched: int
    total: int


@dataclass(frozen=True)
class PullTimeSeriesMetrics:
    """Pull event counts bucketed over a window."""

    window: MetricsWindow
    buckets: list[PullTimeSeriesBucket]


# --- Added by the official 2.0.0: soft deletion and actors ------------------------------------

DeleteOutcome = Literal["deleted", "already_deleted", "not_found"]


@dataclass(frozen=True)
class DeleteMessageResult:
    """A message deleted (or found deleted already)."""

    message_id: str
    deleted_at: datetime
    already_deleted: bool


@dataclass(frozen=True)
class DeleteEventResult:
    """A pull event deleted (or found deleted already)."""

    event_id: str
    deleted_at: datetime
    already_deleted: bool


@dataclass(frozen=True)
class DeleteBatchItemResult:
    """What a batch deletion did to one message."""

    message_id: str
    outcome: DeleteOutcome
    deleted_at: Optional[datetime] = None


@dataclass(frozen=True)
class DeleteBatchResult:
    """The outcome of a batch deletion of messages."""

    results: list[DeleteBatchItemResult]
    deleted_count: int
    already_deleted_count: int
    not_found_count: int


@dataclass(frozen=True)
class DeleteEventBatchItemResult:
    """What a batch deletion did to one pull event."""

    event_id: str
    outcome: DeleteOutcome
    deleted_at: Optional[datetime] = None


@dataclass(frozen=True)
class DeleteEventBatchResult:
    """The outcome of a batch deletion of pull events."""

    results: list[DeleteEventBatchItemResult]
    deleted_count: int
    already_deleted_count: int
    not_found_count: int


@dataclass(frozen=True)
class DeletePartialError:
    """Why a delete-all stopped part way."""

    code: Literal["DELETE_FAILED", "PARTIAL_DELETE_FAILURE"]
    message: str


@dataclass(frozen=True)
class DeleteAllResult:
    """The outcome of deleting every message matching filters."""

    deleted: int
    deleted_message_ids: list[str]
    error: Optional[DeletePartialError] = None


@dataclass(frozen=True)
class DeletePullEventsAllResult:
    """The outcome of deleting every pull event matching filters."""

    deleted: int
    deleted_event_ids: list[str]
    error: Optional[DeletePartialError] = None


@dataclass(frozen=True)
class ActorLookupResult:
    """Labels of the actors (users, API keys) recorded on deletions, by id."""

    users: Optional[dict[str, dict[str, str]]] = None
    api_keys: Optional[dict[str, dict[str, str]]] = None


_native.register_types(
    {
        **{
            name: value
            for name, value in list(globals().items())
            if isinstance(value, type) and value.__module__ == __name__
        },
        # The core's name for the partial failure of a pull-event delete-all.
        "PullDeletePartialError": DeletePartialError,
    }
)
