"""Checked with ``mypy --strict`` by test_typing.py (never executed): every public method of
both clients called with the official signatures, results bound to their declared types."""

from datetime import datetime, timezone
from typing import Optional

import hookbridge
from hookbridge import (
    APIKeyInfo,
    AsyncHookBridge,
    CheckoutSession,
    CreateAPIKeyResponse,
    CreateEndpointResponse,
    CreateInboundEndpointResponse,
    DeleteResult,
    DLQMessagesResponse,
    Endpoint,
    ExportRecord,
    HookBridge,
    HookBridgeError,
    InboundEndpoint,
    InboundLogsResponse,
    InboundMetrics,
    InboundRejectionsResponse,
    InvoicesResponse,
    ListEndpointsResponse,
    ListInboundEndpointsResponse,
    LogsResponse,
    Message,
    Metrics,
    PauseState,
    PortalSession,
    Project,
    RateLimitError,
    ReplayAllMessagesResponse,
    ReplayBatchMessagesResponse,
    ReplayMessageResponse,
    RotateSecretResponse,
    SendWebhookResponse,
    SigningKey,
    Subscription,
    TimeSeriesMetrics,
    UpdateResult,
    UsageHistoryResponse,
    WebhookVerificationError,
)
from hookbridge.types import (
    AckPullEventsResponse,
    ActorLookupResult,
    AttemptsResponse,
    CreatePullEndpointResponse,
    DeleteAllResult,
    DeleteBatchResult,
    DeleteEventBatchResult,
    DeleteEventResult,
    DeleteMessageResult,
    DeletePullEventsAllResult,
    InboundMessage,
    ListenInboundEndpointResponse,
    ListPullEndpointsResponse,
    ListPullEventsResponse,
    PullEndpoint,
    PullEvent,
    PullLogsResponse,
    PullTimeSeriesMetrics,
)

NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)


def sync_calls(c: HookBridge) -> None:
    sent: SendWebhookResponse = c.send("ep_1", {"a": 1}, headers={"X-A": "b"}, idempotency_key="k")
    message: Message = c.get_message(sent.message_id)
    c.replay(message.id)
    c.cancel_retry(message.id)
    c.retry_now(message.id)
    replayed: ReplayAllMessagesResponse = c.replay_all_messages(status="failed_permanent", endpoint_id="ep_1", limit=5)
    batch: ReplayBatchMessagesResponse = c.replay_batch_messages([message.id])
    logs: LogsResponse = c.get_logs(status="succeeded", start_time=NOW, end_time="2025-01-02T00:00:00Z", limit=10, cursor=None)
    metrics: Metrics = c.get_metrics("7d")
    series: TimeSeriesMetrics = c.get_timeseries_metrics("1h", endpoint_id="ep_1")
    subscription: Subscription = c.get_subscription()
    dlq: DLQMessagesResponse = c.get_dlq_messages(limit=10, cursor=None)
    c.replay_from_dlq(message.id)
    keys: list[APIKeyInfo] = c.list_api_keys()
    new_key: CreateAPIKeyResponse = c.create_api_key("test", label="ci")
    c.delete_api_key(new_key.key_id)
    projects: list[Project] = c.list_projects()
    project: Project = c.create_project("p", rate_limit_default=100)
    project = c.get_project(project.id)
    project = c.update_project(project.id, name="q", rate_limit_default=None)
    c.delete_project(project.id)
    endpoint: CreateEndpointResponse = c.create_endpoint(
        "https://example.com/hook", description="d", rate_limit_rps=5, burst=10, headers={"X-A": "b"}
    )
    got: Endpoint = c.get_endpoint(endpoint.id)
    listed: ListEndpointsResponse = c.list_endpoints(limit=10, cursor=None)
    c.update_endpoint(endpoint.id, url=None, description="e", rate_limit_rps=0, burst=None, headers={})
    paused: PauseState = c.pause_endpoint(endpoint.id)
    resumed: PauseState = c.resume_endpoint(endpoint.id)
    key: RotateSecretResponse = c.create_endpoint_signing_key(endpoint.id)
    signing_keys: list[SigningKey] = c.list_endpoint_signing_keys(endpoint.id)
    c.delete_endpoint_signing_key(endpoint.id, key.id)
    rotated: RotateSecretResponse = c.rotate_endpoint_secret(endpoint.id)
    c.delete_endpoint(endpoint.id)
    checkout: CheckoutSession = c.create_checkout(plan="pro", interval="monthly")
    portal: PortalSession = c.create_portal(return_url="https://example.com")
    usage: UsageHistoryResponse = c.get_usage_history(limit=12, offset=0)
    invoices: InvoicesResponse = c.get_invoices(limit=12, starting_after=None)
    received: bool = c.handle_stripe_webhook({"type": "invoice.paid"})
    inbound: CreateInboundEndpointResponse = c.create_inbound_endpoint(
        "https://example.com/in",
        name="n",
        description=None,
        verify_static_token=True,
        token_header_name="X-Token",
        token_query_param=None,
        token_value="t",
        verify_hmac=False,
        hmac_header_name=None,
        hmac_secret=None,
        timestamp_header_name=None,
        timestamp_ttl_seconds=300,
        verify_ip_allowlist=False,
        allowed_cidrs=["10.0.0.0/8"],
        idempotency_header_names=["X-Id"],
        ingest_response_code=202,
        signing_enabled=True,
    )
    inbound_list: ListInboundEndpointsResponse = c.list_inbound_endpoints(limit=10, cursor=None)
    inbound_got: InboundEndpoint = c.get_inbound_endpoint(inbound.id)
    updated: UpdateResult = c.update_inbound_endpoint(inbound.id, name="m", verify_hmac=None)
    inbound_paused: PauseState = c.pause_inbound_endpoint(inbound.id)
    inbound_resumed: PauseState = c.resume_inbound_endpoint(inbound.id)
    one: ReplayMessageResponse = c.replay_inbound_message("m")
    all_inbound: ReplayAllMessagesResponse = c.replay_all_inbound_messages(status="pending_retry", inbound_endpoint_id=inbound.id, limit=1)
    batch_inbound: ReplayBatchMessagesResponse = c.replay_batch_inbound_messages(["m"])
    inbound_logs: InboundLogsResponse = c.get_inbound_logs(
        status="queued", inbound_endpoint_id=inbound.id, start_time=NOW, end_time=None, limit=5, cursor=None
    )
    inbound_metrics: InboundMetrics = c.get_inbound_metrics("24h", inbound_endpoint_id=None)
    inbound_series: TimeSeriesMetrics = c.get_inbound_timeseries_metrics("30d", inbound_endpoint_id=inbound.id)
    rejections: InboundRejectionsResponse = c.list_inbound_rejections(
        inbound_endpoint_id=None, start_time="2025-01-01T00:00:00Z", end_time=NOW, limit=5, cursor=None
    )
    deleted: DeleteResult = c.delete_inbound_endpoint(inbound.id)
    export: ExportRecord = c.create_export(start_time=NOW, end_time="2025-01-02", status="succeeded", endpoint_id=None)
    exports: list[ExportRecord] = c.list_exports()
    export = c.get_export(export.id)
    url: str = c.download_export(export.id)
    c.close()


async def async_calls(c: AsyncHookBridge) -> None:
    sent: SendWebhookResponse = await c.send("ep_1", {"a": 1}, headers={"X-A": "b"}, idempotency_key="k")
    message: Message = await c.get_message(sent.message_id)
    await c.replay(message.id)
    await c.cancel_retry(message.id)
    await c.retry_now(message.id)
    replayed: ReplayAllMessagesResponse = await c.replay_all_messages(status="pending_retry")
    batch: ReplayBatchMessagesResponse = await c.replay_batch_messages([message.id])
    logs: LogsResponse = await c.get_logs(status="failed_permanent", start_time="2025-01-01", end_time=NOW)
    metrics: Metrics = await c.get_metrics()
    series: TimeSeriesMetrics = await c.get_timeseries_metrics("24h", endpoint_id=None)
    subscription: Subscription = await c.get_subscription()
    dlq: DLQMessagesResponse = await c.get_dlq_messages()
    await c.replay_from_dlq(message.id)
    keys: list[APIKeyInfo] = await c.list_api_keys()
    new_key: CreateAPIKeyResponse = await c.create_api_key("live")
    await c.delete_api_key(new_key.key_id)
    projects: list[Project] = await c.list_projects()
    project: Project = await c.create_project("p")
    project = await c.get_project(project.id)
    project = await c.update_project(project.id, name="q")
    await c.delete_project(project.id)
    endpoint: CreateEndpointResponse = await c.create_endpoint("https://example.com/hook")
    got: Endpoint = await c.get_endpoint(endpoint.id)
    listed: ListEndpointsResponse = await c.list_endpoints()
    await c.update_endpoint(endpoint.id, description="e")
    paused: PauseState = await c.pause_endpoint(endpoint.id)
    resumed: PauseState = await c.resume_endpoint(endpoint.id)
    key: RotateSecretResponse = await c.create_endpoint_signing_key(endpoint.id)
    signing_keys: list[SigningKey] = await c.list_endpoint_signing_keys(endpoint.id)
    await c.delete_endpoint_signing_key(endpoint.id, key.id)
    rotated: RotateSecretResponse = await c.rotate_endpoint_secret(endpoint.id)
    await c.delete_endpoint(endpoint.id)
    checkout: CheckoutSession = await c.create_checkout(plan="pro", interval="annual")
    portal: PortalSession = await c.create_portal()
    usage: UsageHistoryResponse = await c.get_usage_history()
    invoices: InvoicesResponse = await c.get_invoices(starting_after="in_1")
    received: bool = await c.handle_stripe_webhook({"type": "invoice.paid"})
    inbound: CreateInboundEndpointResponse = await c.create_inbound_endpoint("https://example.com/in", name="n")
    inbound_list: ListInboundEndpointsResponse = await c.list_inbound_endpoints(limit=1)
    inbound_got: InboundEndpoint = await c.get_inbound_endpoint(inbound.id)
    updated: UpdateResult = await c.update_inbound_endpoint(inbound.id, description="x")
    inbound_paused: PauseState = await c.pause_inbound_endpoint(inbound.id)
    inbound_resumed: PauseState = await c.resume_inbound_endpoint(inbound.id)
    one: ReplayMessageResponse = await c.replay_inbound_message("m")
    all_inbound: ReplayAllMessagesResponse = await c.replay_all_inbound_messages(status="failed_permanent")
    batch_inbound: ReplayBatchMessagesResponse = await c.replay_batch_inbound_messages(["m"])
    inbound_logs: InboundLogsResponse = await c.get_inbound_logs()
    inbound_metrics: InboundMetrics = await c.get_inbound_metrics("1h")
    inbound_series: TimeSeriesMetrics = await c.get_inbound_timeseries_metrics()
    rejections: InboundRejectionsResponse = await c.list_inbound_rejections(limit=5)
    deleted: DeleteResult = await c.delete_inbound_endpoint(inbound.id)
    export: ExportRecord = await c.create_export(start_time="2025-01-01T00:00:00Z", end_time=NOW)
    exports: list[ExportRecord] = await c.list_exports()
    export = await c.get_export(export.id)
    url: str = await c.download_export(export.id)
    await c.close()


def calls_added_in_2_0(c: HookBridge) -> None:
    attempts: AttemptsResponse = c.get_message_attempts("m1")
    inbound_attempts: AttemptsResponse = c.get_inbound_message_attempts("im_1")
    inbound_message: InboundMessage = c.get_inbound_message("im_1")
    cli: CreateInboundEndpointResponse = c.create_inbound_endpoint(mode="cli", name="local")
    listened: ListenInboundEndpointResponse = c.listen_inbound_endpoint(cli.id, after=None)
    key: RotateSecretResponse = c.create_inbound_signing_key(cli.id)
    keys: list[SigningKey] = c.list_inbound_signing_keys(cli.id)
    c.delete_inbound_signing_key(cli.id, key.id)
    c.delete_export("ex_1")
    deleted: DeleteMessageResult = c.delete_message("m1")
    batch: DeleteBatchResult = c.delete_messages_batch(["m1"])
    everything: DeleteAllResult = c.delete_messages_all(status="succeeded", endpoint_id="ep_1", created_after=NOW, limit=10)
    inbound_deleted: DeleteMessageResult = c.delete_inbound_message("im_1")
    inbound_batch: DeleteBatchResult = c.delete_inbound_messages_batch(["im_1"])
    inbound_all: DeleteAllResult = c.delete_inbound_messages_all(inbound_endpoint_id="ie_1", received_before="2025-01-01")
    actors: ActorLookupResult = c.lookup_actors(api_key_ids=["key_1"])
    pull: CreatePullEndpointResponse = c.create_pull_endpoint(name="orders", retention_days=7, event_type_source="body")
    pulls: ListPullEndpointsResponse = c.list_pull_endpoints(limit=5)
    got: PullEndpoint = c.get_pull_endpoint(pull.id)
    updated: PullEndpoint = c.update_pull_endpoint(pull.id, name="renamed")
    removed: DeleteResult = c.delete_pull_endpoint(pull.id)
    paused: PauseState = c.pause_pull_endpoint(pull.id)
    resumed: PauseState = c.resume_pull_endpoint(pull.id)
    events: ListPullEventsResponse = c.list_pull_events(pull.id, status="all", since=NOW, limit=10)
    event: PullEvent = c.get_pull_event(pull.id, "ev_1", preview=True)
    acked: AckPullEventsResponse = c.ack_pull_events(pull.id, [event.id])
    pull_logs: PullLogsResponse = c.get_pull_logs(pull_endpoint_id=pull.id, status="fetched")
    pull_metrics: Metrics = c.get_pull_metrics("24h", pull_endpoint_id=pull.id)
    pull_series: PullTimeSeriesMetrics = c.get_pull_timeseries_metrics("1h")
    one: DeleteEventResult = c.delete_pull_event(pull.id, event.id)
    some: DeleteEventBatchResult = c.delete_pull_events_batch(pull.id, [event.id])
    rest: DeletePullEventsAllResult = c.delete_pull_events_all(pull.id, status="delivered", received_after=NOW)


async def async_calls_added_in_2_0(c: AsyncHookBridge) -> None:
    attempts: AttemptsResponse = await c.get_message_attempts("m1")
    pull: CreatePullEndpointResponse = await c.create_pull_endpoint(name="orders")
    event: PullEvent = await c.get_pull_event(pull.id, "ev_1")
    rest: DeletePullEventsAllResult = await c.delete_pull_events_all(pull.id)
    listened: ListenInboundEndpointResponse = await c.listen_inbound_endpoint("ie_1")
    actors: ActorLookupResult = await c.lookup_actors(user_ids=["u1"])


def constructors_and_context_managers() -> None:
    with HookBridge("hb_test_x", base_url="http://127.0.0.1:1", send_url=None, timeout=5.0, retries=0) as c:
        sync_calls(c)
    base: str = c._base_url
    send: str = c._send_url
    timeout: float = c._timeout
    retries: int = c._retries
    version: str = hookbridge.__version__


async def async_context_manager() -> None:
    async with AsyncHookBridge("hb_test_x", base_url="http://127.0.0.1:1") as c:
        await async_calls(c)


def errors_and_verification(body: bytes, header: Optional[str], ts: str) -> bool:
    try:
        hookbridge.verify_webhook(body, header, ts, ["whsec_a", "whsec_b"], 300)
    except WebhookVerificationError as e:
        reason: str = e.reason
        return False
    except RateLimitError as e:
        retry_after: Optional[int] = e.retry_after
    except HookBridgeError as e:
        code: str = e.code
        status: Optional[int] = e.status_code
        request_id: Optional[str] = e.request_id
    signature: str = hookbridge.sign_webhook("whsec_a", ts, body)
    return hookbridge.is_valid_webhook(body, signature, int(ts), "whsec_a", tolerance=60)
