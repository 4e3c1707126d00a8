"""The HookBridge clients: :class:`HookBridge` (sync) and :class:`AsyncHookBridge` (asyncio).

Both have the public surface of the official ``hookbridge`` 2.0.0 package plus the session-only
project, checkout and portal methods of 1.4.0 (which 2.0.0 dropped), and this module offers
every name the official ``hookbridge.client`` of either version does (its private helpers come
from :mod:`hookbridge._helpers`). The methods are written once, on :class:`HookBridge`, each a
one-line forward to the native client (the Rust core does the HTTP, retries, error mapping and
parsing); :class:`AsyncHookBridge` (generated source, :mod:`hookbridge._async_client`) has an
``async def`` with the same signature for each of them. A sync native client returns the result (the GIL is released while it waits); an async
one returns an asyncio awaitable. Arguments are converted as the official package converts them
(:mod:`hookbridge._arguments`); the settings live behind the official private attributes
(:mod:`hookbridge._settings`).
"""

import os
import time  # noqa: F401 - the official module's namespace has it; tests patch time.sleep (httpx mode sleeps through it)
from datetime import date, datetime  # noqa: F401
from typing import Any, Optional, Union
from urllib.parse import urlencode  # noqa: F401

from hookbridge import _settings
from hookbridge._arguments import lenient
from hookbridge._helpers import (  # noqa: F401 - the official module's private helpers
    _build_common_headers,
    _handle_error_response,
    _json_value,
    _parse_actor_lookup,
    _parse_api_key_info,
    _parse_attempt_record,
    _parse_attempts_response,
    _parse_date,
    _parse_datetime,
    _parse_delete_all,
    _parse_delete_batch,
    _parse_delete_event,
    _parse_delete_event_batch,
    _parse_delete_message,
    _parse_endpoint,
    _parse_endpoint_summary,
    _parse_export_record,
    _parse_inbound_endpoint,
    _parse_inbound_endpoint_summary,
    _parse_inbound_log_entry,
    _parse_inbound_message,
    _parse_inbound_metrics,
    _parse_inbound_rejection,
    _parse_invoice,
    _parse_message,
    _parse_message_summary,
    _parse_metrics,
    _parse_project,
    _parse_pull_delete_all,
    _parse_pull_endpoint,
    _parse_pull_endpoint_summary,
    _parse_pull_event,
    _parse_pull_event_summary,
    _parse_pull_log_entry,
    _parse_pull_timeseries,
    _parse_replay_all_messages,
    _parse_replay_batch_messages,
    _parse_rotate_secret,
    _parse_signing_key,
    _parse_subscription,
    _parse_timeseries,
    _parse_usage_history_row,
    _query_string,
    _with_query,
)
from hookbridge.errors import (  # noqa: F401
    AuthenticationError,
    HookBridgeError,
    IdempotencyError,
    NetworkError,
    NotFoundError,
    RateLimitError,
    ReplayLimitError,
    TimeoutError,
    ValidationError,
)
from hookbridge.types import (  # noqa: F401
    AckPullEventsResponse,
    ActorLookupResult,
    APIKeyInfo,
    APIKeyMode,
    AttemptRecord,
    AttemptsResponse,
    CheckoutSession,
    CreateAPIKeyResponse,
    CreateEndpointResponse,
    CreateInboundEndpointResponse,
    CreatePullEndpointResponse,
    DeleteAllResult,
    DeleteBatchItemResult,
    DeleteBatchResult,
    DeleteEventBatchItemResult,
    DeleteEventBatchResult,
    DeleteEventResult,
    DeleteMessageResult,
    DeletePartialError,
    DeletePullEventsAllResult,
    DeleteResult,
    DLQMessagesResponse,
    Endpoint,
    EndpointSummary,
    ExportRecord,
    InboundEndpoint,
    InboundEndpointSummary,
    InboundLogEntry,
    InboundLogsResponse,
    InboundMessage,
    InboundMetrics,
    InboundRejection,
    InboundRejectionsResponse,
    Invoice,
    InvoiceLine,
    InvoicesResponse,
    ListEndpointsResponse,
    ListenInboundEndpointResponse,
    ListenMessage,
    ListInboundEndpointsResponse,
    ListPullEndpointsResponse,
    ListPullEventsResponse,
    LogsResponse,
    Message,
    MessageStatus,
    MessageSummary,
    Metrics,
    MetricsWindow,
    PauseState,
    PortalSession,
    Project,
    PullEndpoint,
    PullEndpointCounts,
    PullEndpointSummary,
    PullEvent,
    PullEventListStatus,
    PullEventStatus,
    PullEventSummary,
    PullLogEntry,
    PullLogsResponse,
    PullTimeSeriesBucket,
    PullTimeSeriesMetrics,
    PullTimingBreakdown,
    ReplayableMessageStatus,
    ReplayAllMessagesResponse,
    ReplayBatchMessagesResponse,
    ReplayBatchResult,
    ReplayMessageResponse,
    RotateSecretResponse,
    SendWebhookResponse,
    SignatureScheme,
    SigningKey,
    Subscription,
    SubscriptionLimits,
    SubscriptionUsage,
    TimeSeriesBucket,
    TimeSeriesMetrics,
    UpdateResult,
    UsageHistoryResponse,
    UsageHistoryRow,
    VerificationPreset,
)

# Read once, at import, as the official package does.
DEFAULT_BASE_URL = os.environ.get("HOOKBRIDGE_BASE_URL", "https://api.hookbridge.io")
DEFAULT_SEND_URL = os.environ.get("HOOKBRIDGE_SEND_URL", "https://send.hookbridge.io")
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3


def __getattr__(name: str) -> Any:
    """``hookbridge.client.httpx``, as in the official module, for code that reaches it there
    (imported on first use: this package does not need httpx)."""
    if name == "httpx":
        import httpx

        return httpx
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class HookBridge:
    """Synchronous HookBridge client; safe to share between threads."""

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        send_url: Optional[str] = None,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
    ) -> None:
        # An empty key is refused by the core: ValidationError("API key is required").
        _settings.configure(self, api_key, base_url, send_url or DEFAULT_SEND_URL, timeout, retries, False)

    def __enter__(self) -> "HookBridge":
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()

    def close(self) -> None:
        """Closes the connection pool; later calls raise ``RuntimeError``."""
        self._native.close()

    # --- Sending and messages ---------------------------------------------------------------

    def send(
        self,
        endpoint_id: str,
        payload: dict[str, Any],
        *,
        headers: Optional[dict[str, str]] = None,
        idempotency_key: Optional[str] = None,
    ) -> SendWebhookResponse:
        """Sends ``payload`` to an endpoint; the message is stored before this returns."""
        return self._native.send(endpoint_id, payload, _options(locals(), "endpoint_id", "payload"))

    def get_message(self, message_id: str) -> Message:
        """The full state of a message."""
        return self._native.get_message(message_id)

    def get_message_attempts(self, message_id: str) -> AttemptsResponse:
        """Every delivery attempt of a message, oldest first."""
        return self._native.get_message_attempts(message_id)

    def replay(self, message_id: str) -> None:
        """Queues a message for delivery again (at most 10 manual replays)."""
        return self._native.replay(message_id)

    def cancel_retry(self, message_id: str) -> None:
        """Cancels the pending retry of a message (it moves to the dead letter queue)."""
        return self._native.cancel_retry(message_id)

    def retry_now(self, message_id: str) -> None:
        """Makes the pending retry of a message due now."""
        return self._native.retry_now(message_id)

    def replay_all_messages(
        self,
        *,
        status: ReplayableMessageStatus,
        endpoint_id: Optional[str] = None,
        limit: Optional[int] = None,
    ) -> ReplayAllMessagesResponse:
        """Replays every message in ``status`` (optionally of one endpoint)."""
        return self._native.replay_all_messages(_options(locals()))

    def replay_batch_messages(self, message_ids: list[str]) -> ReplayBatchMessagesResponse:
        """Replays the given messages (at most 100)."""
        return self._native.replay_batch_messages(message_ids)

    def get_logs(
        self,
        *,
        status: Optional[MessageStatus] = None,
        start_time: Optional[Union[datetime, str]] = None,
        end_time: Optional[Union[datetime, str]] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> LogsResponse:
        """A page of outbound messages, newest first."""
        return self._native.get_logs(_options(locals()))

    def get_metrics(self, window: MetricsWindow = "24h") -> Metrics:
        """Aggregate delivery metrics over ``window``."""
        return self._native.get_metrics(window)

    def get_timeseries_metrics(
        self, window: MetricsWindow = "24h", *, endpoint_id: Optional[str] = None
    ) -> TimeSeriesMetrics:
        """Delivery metrics bucketed over ``window``."""
        return self._native.get_timeseries_metrics(window, endpoint_id)

    def get_subscription(self) -> Subscription:
        """The project's plan, limits and usage."""
        return self._native.get_subscription()

    # --- Dead letter queue, API keys, projects -----------------------------------------------

    def get_dlq_messages(
        self, *, limit: Optional[int] = None, cursor: Optional[str] = None
    ) -> DLQMessagesResponse:
        """A page of the dead letter queue."""
        return self._native.get_dlq_messages(limit, cursor)

    def replay_from_dlq(self, message_id: str) -> None:
        """Queues a message from the dead letter queue again."""
        return self._native.replay_from_dlq(message_id)

    def list_api_keys(self) -> list[APIKeyInfo]:
        """Every API key of the project (no secrets)."""
        return self._native.list_api_keys()

    def create_api_key(
        self, mode: APIKeyMode, *, label: Optional[str] = None
    ) -> CreateAPIKeyResponse:
        """Creates an API key; its secret is returned only this once."""
        return self._native.create_api_key(mode, label)

    def delete_api_key(self, key_id: str) -> None:
        """Revokes an API key."""
        return self._native.delete_api_key(key_id)

    def list_projects(self) -> list[Project]:
        """Every project visible to the key."""
        return self._native.list_projects()

    def create_project(self, name: str, *, rate_limit_default: Optional[int] = None) -> Project:
        """Creates a project."""
        return self._native.create_project(name, rate_limit_default)

    def get_project(self, project_id: str) -> Project:
        """One project."""
        return self._native.get_project(project_id)

    def update_project(
        self,
        project_id: str,
        *,
        name: Optional[str] = None,
        rate_limit_default: Optional[int] = None,
    ) -> Project:
        """Changes the given fields of a project."""
        return self._native.update_project(project_id, name, rate_limit_default)

    def delete_project(self, project_id: str) -> None:
        """Deletes a project."""
        return self._native.delete_project(project_id)

    # --- Outbound endpoints and signing keys --------------------------------------------------

    def create_endpoint(
        self,
        url: str,
        *,
        description: Optional[str] = None,
        rate_limit_rps: int = 0,
        burst: int = 0,
        headers: Optional[dict[str, str]] = None,
        signature_scheme: Optional[SignatureScheme] = None,
    ) -> CreateEndpointResponse:
        """Creates an endpoint; its signing secret is returned only this once.
        ``signature_scheme`` (``"hookbridge"`` or ``"standard_webhooks"``) is sent only when
        given; the server's default is ``"hookbridge"``."""
        return self._native.create_endpoint(url, _options(locals(), "url"))

    def get_endpoint(self, endpoint_id: str) -> Endpoint:
        """One endpoint (without its secret)."""
        return self._native.get_endpoint(endpoint_id)

    def list_endpoints(
        self, *, limit: Optional[int] = None, cursor: Optional[str] = None
    ) -> ListEndpointsResponse:
        """A page of endpoints."""
        return self._native.list_endpoints(limit, cursor)

    def update_endpoint(
        self,
        endpoint_id: str,
        *,
        url: Optional[str] = None,
        description: Optional[str] = None,
        rate_limit_rps: Optional[int] = None,
        burst: Optional[int] = None,
        headers: Optional[dict[str, str]] = None,
        signature_scheme: Optional[SignatureScheme] = None,
    ) -> None:
        """Changes the given fields of an endpoint (``0``, ``""`` and ``{}`` are sent too;
        ``None`` is not)."""
        return self._native.update_endpoint(endpoint_id, _options(locals(), "endpoint_id"))

    def delete_endpoint(self, endpoint_id: str) -> None:
        """Deletes an endpoint."""
        return self._native.delete_endpoint(endpoint_id)

    def pause_endpoint(self, endpoint_id: str) -> PauseState:
        """Pauses delivery to an endpoint (sends are still accepted)."""
        return self._native.pause_endpoint(endpoint_id)

    def resume_endpoint(self, endpoint_id: str) -> PauseState:
        """Resumes delivery to an endpoint."""
        return self._native.resume_endpoint(endpoint_id)

    def create_endpoint_signing_key(self, endpoint_id: str) -> RotateSecretResponse:
        """Adds a signing key to an endpoint (at most 2 active)."""
        return self._native.create_endpoint_signing_key(endpoint_id)

    def list_endpoint_signing_keys(self, endpoint_id: str) -> list[SigningKey]:
        """The signing keys of an endpoint (hints only)."""
        return self._native.list_endpoint_signing_keys(endpoint_id)

    def delete_endpoint_signing_key(self, endpoint_id: str, key_id: str) -> None:
        """Deletes a signing key (not the last one)."""
        return self._native.delete_endpoint_signing_key(endpoint_id, key_id)

    def rotate_endpoint_secret(self, endpoint_id: str) -> RotateSecretResponse:
        """Same as :meth:`create_endpoint_signing_key`."""
        return self._native.rotate_endpoint_secret(endpoint_id)

    # --- Pull endpoints (store and poll) -------------------------------------------------------

    def create_pull_endpoint(
        self,
        *,
        name: Optional[str] = None,
        description: Optional[str] = None,
        retention_days: Optional[int] = None,
        event_type_source: Optional[str] = None,
        event_type_path: Optional[str] = None,
        verify_static_token: Optional[bool] = None,
        token_header_name: Optional[str] = None,
        token_query_param: Optional[str] = None,
        token_value: Optional[str] = None,
        verify_hmac: Optional[bool] = None,
        hmac_header_name: Optional[str] = None,
        hmac_secret: Optional[str] = None,
        timestamp_header_name: Optional[str] = None,
        timestamp_ttl_seconds: Optional[int] = None,
        verify_ip_allowlist: Optional[bool] = None,
        allowed_cidrs: Optional[list[str]] = None,
        idempotency_header_names: Optional[list[str]] = None,
        ingest_response_code: Optional[int] = None,
    ) -> CreatePullEndpointResponse:
        """Creates a pull endpoint; its secret token is returned only this once."""
        return self._native.create_pull_endpoint(_options(locals()))

    def list_pull_endpoints(
        self, *, limit: Optional[int] = None, cursor: Optional[str] = None
    ) -> ListPullEndpointsResponse:
        """A page of pull endpoints."""
        return self._native.list_pull_endpoints(limit, cursor)

    def get_pull_endpoint(self, endpoint_id: str) -> PullEndpoint:
        """One pull endpoint with its event counts (without secrets)."""
        return self._native.get_pull_endpoint(endpoint_id)

    def update_pull_endpoint(self, endpoint_id: str, **kwargs: Any) -> PullEndpoint:
        """Changes the given settings; every keyword that is not ``None`` is sent as is."""
        return self._native.update_pull_endpoint(endpoint_id, kwargs)

    def delete_pull_endpoint(self, endpoint_id: str) -> DeleteResult:
        """Deletes a pull endpoint."""
        return self._native.delete_pull_endpoint(endpoint_id)

    def pause_pull_endpoint(self, endpoint_id: str) -> PauseState:
        """Pauses ingest on a pull endpoint."""
        return self._native.pause_pull_endpoint(endpoint_id)

    def resume_pull_endpoint(self, endpoint_id: str) -> PauseState:
        """Resumes ingest on a pull endpoint."""
        return self._native.resume_pull_endpoint(endpoint_id)

    def list_pull_events(
        self,
        endpoint_id: str,
        *,
        status: Optional[PullEventListStatus] = None,
        event_type: Optional[str] = None,
        since: Optional[Union[datetime, str]] = None,
        before: Optional[Union[datetime, str]] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> ListPullEventsResponse:
        """A page of a pull endpoint's events (without payloads), newest first."""
        return self._native.list_pull_events(endpoint_id, _options(locals(), "endpoint_id"))

    def get_pull_event(self, endpoint_id: str, event_id: str, *, preview: bool = False) -> PullEvent:
        """One event with its payload; unless ``preview``, a ``stored`` event becomes ``fetched``."""
        return self._native.get_pull_event(endpoint_id, event_id, bool(preview))

    def ack_pull_events(self, endpoint_id: str, event_ids: list[str]) -> AckPullEventsResponse:
        """Acknowledges events (they become ``delivered``)."""
        return self._native.ack_pull_events(endpoint_id, event_ids)

    def get_pull_logs(
        self,
        *,
        pull_endpoint_id: Optional[str] = None,
        status: Optional[PullEventStatus] = None,
        event_type: Optional[str] = None,
        start_time: Optional[Union[datetime, str]] = None,
        end_time: Optional[Union[datetime, str]] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> PullLogsResponse:
        """A page of pull events across endpoints, newest first."""
        return self._native.get_pull_logs(_options(locals()))

    def get_pull_metrics(
        self, window: MetricsWindow = "24h", *, pull_endpoint_id: Optional[str] = None
    ) -> Metrics:
        """Aggregate pull metrics over ``window``."""
        return self._native.get_pull_metrics(window, pull_endpoint_id)

    def get_pull_timeseries_metrics(
        self, window: MetricsWindow = "24h", *, pull_endpoint_id: Optional[str] = None
    ) -> PullTimeSeriesMetrics:
        """Pull event counts bucketed over ``window``."""
        return self._native.get_pull_timeseries_metrics(window, pull_endpoint_id)

    def delete_pull_event(self, endpoint_id: str, event_id: str) -> DeleteEventResult:
        """Deletes one event (payload purged, record kept); repeating it is harmless."""
        return self._native.delete_pull_event(endpoint_id, event_id)

    def delete_pull_events_batch(self, endpoint_id: str, event_ids: list[str]) -> DeleteEventBatchResult:
        """Deletes the given events (at most 100), with one outcome per id."""
        return self._native.delete_pull_events_batch(endpoint_id, event_ids)

    def delete_pull_events_all(
        self,
        endpoint_id: str,
        *,
        status: Optional[str] = None,
        event_type: Optional[str] = None,
        received_after: Optional[Union[datetime, str]] = None,
        received_before: Optional[Union[datetime, str]] = None,
        limit: Optional[int] = None,
    ) -> DeletePullEventsAllResult:
        """Deletes every event of a pull endpoint matching the filters."""
        return self._native.delete_pull_events_all(endpoint_id, _options(locals(), "endpoint_id"))

    # --- Billing ------------------------------------------------------------------------------

    def create_checkout(self, *, plan: str, interval: str) -> CheckoutSession:
        """Starts a checkout session."""
        return self._native.create_checkout(plan, interval)

    def create_portal(self, *, return_url: Optional[str] = None) -> PortalSession:
        """Opens a billing portal session."""
        return self._native.create_portal(return_url)

    def get_usage_history(self, *, limit: int = 12, offset: int = 0) -> UsageHistoryResponse:
        """Monthly usage, newest first."""
        return self._native.get_usage_history(limit, offset)

    def get_invoices(
        self, *, limit: int = 12, starting_after: Optional[str] = None
    ) -> InvoicesResponse:
        """A page of invoices."""
        return self._native.get_invoices(limit, starting_after)

    def handle_stripe_webhook(self, payload: dict[str, Any]) -> bool:
        """Forwards a Stripe event; returns the server's ``received`` flag."""
        return self._native.handle_stripe_webhook(payload)

    # --- Inbound endpoints and messages -------------------------------------------------------

    def create_inbound_endpoint(
        self,
        url: Optional[str] = None,
        *,
        name: Optional[str] = None,
        description: Optional[str] = None,
        mode: Optional[str] = None,
        verify_static_token: Optional[bool] = None,
        token_header_name: Optional[str] = None,
        token_query_param: Optional[str] = None,
        token_value: Optional[str] = None,
        verify_hmac: Optional[bool] = None,
        hmac_header_name: Optional[str] = None,
        hmac_secret: Optional[str] = None,
        timestamp_header_name: Optional[str] = None,
        timestamp_ttl_seconds: Optional[int] = None,
        verify_ip_allowlist: Optional[bool] = None,
        allowed_cidrs: Optional[list[str]] = None,
        idempotency_header_names: Optional[list[str]] = None,
        ingest_response_code: Optional[int] = None,
        signing_enabled: Optional[bool] = None,
        verification_preset: Optional[VerificationPreset] = None,
    ) -> CreateInboundEndpointResponse:
        """Creates an inbound endpoint; its ingest URL and token are returned only this once.
        ``mode="cli"`` endpoints have no ``url``: their requests are read with
        :meth:`listen_inbound_endpoint`. ``verification_preset`` (``"stripe"``, ``"github"``,
        ``"shopify"``, ``"slack"``, ``"standard_webhooks"`` or ``"custom"``) checks that
        provider's signature with ``hmac_secret``; sent only when given."""
        return self._native.create_inbound_endpoint(url, _options(locals(), "url"))

    def list_inbound_endpoints(
        self, *, limit: Optional[int] = None, cursor: Optional[str] = None
    ) -> ListInboundEndpointsResponse:
        """A page of inbound endpoints."""
        return self._native.list_inbound_endpoints(limit, cursor)

    def get_inbound_endpoint(self, endpoint_id: str) -> InboundEndpoint:
        """One inbound endpoint (without secrets)."""
        return self._native.get_inbound_endpoint(endpoint_id)

    def update_inbound_endpoint(self, endpoint_id: str, **kwargs: Any) -> UpdateResult:
        """Changes the given settings; every keyword that is not ``None`` is sent as is."""
        return self._native.update_inbound_endpoint(endpoint_id, kwargs)

    def delete_inbound_endpoint(self, endpoint_id: str) -> DeleteResult:
        """Deletes an inbound endpoint."""
        return self._native.delete_inbound_endpoint(endpoint_id)

    def pause_inbound_endpoint(self, endpoint_id: str) -> PauseState:
        """Pauses ingest on an inbound endpoint."""
        return self._native.pause_inbound_endpoint(endpoint_id)

    def resume_inbound_endpoint(self, endpoint_id: str) -> PauseState:
        """Resumes ingest on an inbound endpoint."""
        return self._native.resume_inbound_endpoint(endpoint_id)

    def create_inbound_signing_key(self, endpoint_id: str) -> RotateSecretResponse:
        """Adds a forwarding signing key to an inbound endpoint (at most 2 active)."""
        return self._native.create_inbound_signing_key(endpoint_id)

    def list_inbound_signing_keys(self, endpoint_id: str) -> list[SigningKey]:
        """The forwarding signing keys of an inbound endpoint (hints only)."""
        return self._native.list_inbound_signing_keys(endpoint_id)

    def delete_inbound_signing_key(self, endpoint_id: str, key_id: str) -> None:
        """Deletes a forwarding signing key (not the last one)."""
        return self._native.delete_inbound_signing_key(endpoint_id, key_id)

    def listen_inbound_endpoint(
        self, endpoint_id: str, *, after: Optional[str] = None
    ) -> ListenInboundEndpointResponse:
        """Up to 50 requests stored by a CLI-mode inbound endpoint, oldest first, after the
        cursor ``after``."""
        return self._native.listen_inbound_endpoint(endpoint_id, after)

    def get_inbound_message(self, message_id: str) -> InboundMessage:
        """The full state of an inbound message."""
        return self._native.get_inbound_message(message_id)

    def get_inbound_message_attempts(self, message_id: str) -> AttemptsResponse:
        """Every forwarding attempt of an inbound message, oldest first."""
        return self._native.get_inbound_message_attempts(message_id)

    def replay_inbound_message(self, message_id: str) -> ReplayMessageResponse:
        """Queues one inbound message for forwarding again."""
        return self._native.replay_inbound_message(message_id)

    def replay_all_inbound_messages(
        self,
        *,
        status: ReplayableMessageStatus,
        inbound_endpoint_id: Optional[str] = None,
        limit: Optional[int] = None,
    ) -> ReplayAllMessagesResponse:
        """Replays every inbound message in ``status``."""
        return self._native.replay_all_inbound_messages(status, inbound_endpoint_id, limit)

    def replay_batch_inbound_messages(self, message_ids: list[str]) -> ReplayBatchMessagesResponse:
        """Replays the given inbound messages (at most 100)."""
        return self._native.replay_batch_inbound_messages(message_ids)

    # --- Inbound observability and exports ----------------------------------------------------

    def get_inbound_logs(
        self,
        *,
        status: Optional[MessageStatus] = None,
        inbound_endpoint_id: Optional[str] = None,
        start_time: Optional[Union[datetime, str]] = None,
        end_time: Optional[Union[datetime, str]] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> InboundLogsResponse:
        """A page of inbound messages, newest first."""
        return self._native.get_inbound_logs(_options(locals()))

    def get_inbound_metrics(
        self, window: MetricsWindow = "24h", *, inbound_endpoint_id: Optional[str] = None
    ) -> InboundMetrics:
        """Aggregate inbound metrics over ``window``."""
        return self._native.get_inbound_metrics(window, inbound_endpoint_id)

    def get_inbound_timeseries_metrics(
        self, window: MetricsWindow = "24h", *, inbound_endpoint_id: Optional[str] = None
    ) -> TimeSeriesMetrics:
        """Inbound metrics bucketed over ``window``."""
        return self._native.get_inbound_timeseries_metrics(window, inbound_endpoint_id)

    def list_inbound_rejections(
        self,
        *,
        inbound_endpoint_id: Optional[str] = None,
        start_time: Optional[Union[datetime, str]] = None,
        end_time: Optional[Union[datetime, str]] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> InboundRejectionsResponse:
        """A page of refused ingest requests, newest first."""
        return self._native.list_inbound_rejections(_options(locals()))

    def create_export(
        self,
        *,
        start_time: Union[datetime, str],
        end_time: Union[datetime, str],
        status: Optional[MessageStatus] = None,
        endpoint_id: Optional[str] = None,
    ) -> ExportRecord:
        """Starts a log export job."""
        return self._native.create_export(_options(locals()))

    def list_exports(self) -> list[ExportRecord]:
        """Every export of the project."""
        return self._native.list_exports()

    def get_export(self, export_id: str) -> ExportRecord:
        """One export."""
        return self._native.get_export(export_id)

    def download_export(self, export_id: str) -> str:
        """The time-limited download URL of a completed export."""
        return self._native.download_export(export_id)

    def delete_export(self, export_id: str) -> None:
        """Deletes an export and its file."""
        return self._native.delete_export(export_id)

    # --- Soft deletion and actors -------------------------------------------------------------

    def delete_message(self, message_id: str) -> DeleteMessageResult:
        """Deletes a message (payload purged, record kept, never delivered afterwards);
        repeating it is harmless."""
        return self._native.delete_message(message_id)

    def delete_messages_batch(self, message_ids: list[str]) -> DeleteBatchResult:
        """Deletes the given messages (at most 100), with one outcome per id."""
        return self._native.delete_messages_batch(message_ids)

    def delete_messages_all(
        self,
        *,
        status: Optional[str] = None,
        endpoint_id: Optional[str] = None,
        created_after: Optional[Union[datetime, str]] = None,
        created_before: Optional[Union[datetime, str]] = None,
        limit: Optional[int] = None,
    ) -> DeleteAllResult:
        """Deletes every outbound message matching the filters."""
        return self._native.delete_messages_all(_options(locals()))

    def delete_inbound_message(self, message_id: str) -> DeleteMessageResult:
        """Deletes an inbound message (payload purged, record kept); repeating it is harmless."""
        return self._native.delete_inbound_message(message_id)

    def delete_inbound_messages_batch(self, message_ids: list[str]) -> DeleteBatchResult:
        """Deletes the given inbound messages (at most 100), with one outcome per id."""
        return self._native.delete_inbound_messages_batch(message_ids)

    def delete_inbound_messages_all(
        self,
        *,
        status: Optional[str] = None,
        inbound_endpoint_id: Optional[str] = None,
        received_after: Optional[Union[datetime, str]] = None,
        received_before: Optional[Union[datetime, str]] = None,
        limit: Optional[int] = None,
    ) -> DeleteAllResult:
        """Deletes every inbound message matching the filters."""
        return self._native.delete_inbound_messages_all(_options(locals()))

    def lookup_actors(
        self,
        *,
        user_ids: Optional[list[str]] = None,
        api_key_ids: Optional[list[str]] = None,
    ) -> ActorLookupResult:
        """Labels of API keys by id (a self-hosted server has no user accounts: user ids
        resolve to nothing)."""
        return self._native.lookup_actors(user_ids or [], api_key_ids or [])


def _options(arguments: dict[str, Any], *passed_apart: str) -> dict[str, Any]:
    """A method's parameters (its ``locals()``, taken first thing) as one options object for the
    native client, which reads it into the core's option struct; ``self`` and the parameters
    passed on their own (ids, payloads) are left out."""
    return {k: v for k, v in arguments.items() if k != "self" and k not in passed_apart}


for _name, _method in list(vars(HookBridge).items()):
    if callable(_method) and not _name.startswith("_") and _name != "close":
        setattr(HookBridge, _name, lenient(_method))

from hookbridge._async_client import AsyncHookBridge  # noqa: E402 - it forwards to HookBridge's methods

for _name in _settings.SETTINGS:
    setattr(HookBridge, f"_{_name}", _settings.setting(_name))
    setattr(AsyncHookBridge, f"_{_name}", _settings.setting(_name))
del _name, _method
