"""The HookBridge clients: :class:`HookBridge` (sync) and :class:`AsyncHookBridge` (asyncio).

Both have exactly the public surface of the official ``hookbridge`` 1.4.0 package, and this
module offers every name the official ``hookbridge.client`` does (its private helpers come from
:mod:`hookbridge._helpers`). The methods are written once, on :class:`HookBridge`, each a
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
    _parse_api_key_info,
    _parse_date,
    _parse_datetime,
    _parse_endpoint,
    _parse_endpoint_summary,
    _parse_export_record,
    _parse_inbound_endpoint,
    _parse_inbound_endpoint_summary,
    _parse_inbound_log_entry,
    _parse_inbound_metrics,
    _parse_inbound_rejection,
    _parse_invoice,
    _parse_message,
    _parse_message_summary,
    _parse_metrics,
    _parse_project,
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
    APIKeyInfo,
    APIKeyMode,
    CheckoutSession,
    CreateAPIKeyResponse,
    CreateEndpointResponse,
    CreateInboundEndpointResponse,
    DeleteResult,
    DLQMessagesResponse,
    Endpoint,
    EndpointSummary,
    ExportRecord,
    InboundEndpoint,
    InboundEndpointSummary,
    InboundLogEntry,
    InboundLogsResponse,
    InboundMetrics,
    InboundRejection,
    InboundRejectionsResponse,
    Invoice,
    InvoiceLine,
    InvoicesResponse,
    ListEndpointsResponse,
    ListInboundEndpointsResponse,
    LogsResponse,
    Message,
    MessageStatus,
    MessageSummary,
    Metrics,
    MetricsWindow,
    PauseState,
    PortalSession,
    Project,
    ReplayableMessageStatus,
    ReplayAllMessagesResponse,
    ReplayBatchMessagesResponse,
    ReplayBatchResult,
    ReplayMessageResponse,
    RotateSecretResponse,
    SendWebhookResponse,
    SigningKey,
    Subscription,
    SubscriptionLimits,
    SubscriptionUsage,
    TimeSeriesBucket,
    TimeSeriesMetrics,
    UpdateResult,
    UsageHistoryResponse,
    UsageHistoryRow,
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
    ) -> CreateEndpointResponse:
        """Creates an endpoint; its signing secret is returned only this once."""
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
    ) -> None:
        """Changes the given fields of an endpoint (``0``, ``""`` and ``{}`` are sent too)."""
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
        url: str,
        *,
        name: Optional[str] = None,
        description: Optional[str] = None,
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
    ) -> CreateInboundEndpointResponse:
        """Creates an inbound endpoint; its ingest URL and token are returned only this once."""
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
