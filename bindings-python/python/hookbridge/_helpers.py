"""The private helpers that the official ``hookbridge.client`` module defines at its top level
(``_parse_datetime``, ``_parse_message``, ``_handle_error_response``, ...), for code and tests
that import them from there. The clients themselves do not use them: the Rust core parses
answers and maps errors. ``_handle_error_response`` asks the core, so it maps exactly as the
clients do; the ``_parse_*`` functions build the result dataclasses from a decoded ``data``
object by their fields (required fields are read with ``[]``, optional ones with ``.get``).
"""

import dataclasses
import typing
from datetime import date, datetime
from typing import Any, Callable, TypeVar
from urllib.parse import urlencode

from hookbridge import _native
from hookbridge.types import (
    ActorLookupResult,
    AttemptRecord,
    AttemptsResponse,
    DeleteAllResult,
    DeleteBatchResult,
    DeleteEventBatchResult,
    DeleteEventResult,
    DeleteMessageResult,
    DeletePartialError,
    DeletePullEventsAllResult,
    InboundMessage,
    PullEndpoint,
    PullEndpointSummary,
    PullEvent,
    PullEventSummary,
    PullLogEntry,
    PullTimeSeriesMetrics,
    APIKeyInfo,
    Endpoint,
    EndpointSummary,
    ExportRecord,
    InboundEndpoint,
    InboundEndpointSummary,
    InboundLogEntry,
    InboundMetrics,
    InboundRejection,
    Invoice,
    Message,
    MessageSummary,
    Metrics,
    Project,
    ReplayAllMessagesResponse,
    ReplayBatchMessagesResponse,
    RotateSecretResponse,
    SigningKey,
    Subscription,
    TimeSeriesMetrics,
    UsageHistoryRow,
)

#: The ``User-Agent`` the official package sends (and so does this one).
USER_AGENT = "hookbridge-python/1.2.0"

T = TypeVar("T")


def _parse_datetime(value: str) -> datetime:
    """An RFC 3339 timestamp (``Z`` accepted) as an aware ``datetime``."""
    if value.endswith("Z"):
        value = f"{value[:-1]}+00:00"
    return datetime.fromisoformat(value)


def _parse_date(value: str) -> date:
    """A ``YYYY-MM-DD`` date."""
    return date.fromisoformat(value)


def _query_string(params: dict[str, Any]) -> str:
    """URL-encoded query: ``None`` values left out, dates as ``isoformat()``, others as ``str()``."""
    return urlencode(
        {k: v.isoformat() if isinstance(v, (datetime, date)) else str(v) for k, v in params.items() if v is not None}
    )


def _with_query(path: str, params: dict[str, Any]) -> str:
    """``path`` with the query of ``params`` appended (nothing when all are ``None``)."""
    query = _query_string(params)
    return f"{path}?{query}" if query else path


def _json_value(value: Any) -> Any:
    """A date or datetime as ``isoformat()`` text; anything else unchanged."""
    return value.isoformat() if isinstance(value, (datetime, date)) else value


def _build_common_headers(api_key: str) -> dict[str, str]:
    """The headers every request carries."""
    return {
        "Authorization": f"Bearer {api_key}",
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }


def _handle_error_response(response: Any) -> None:
    """Raises the exception for an HTTP error answer (an ``httpx.Response`` or anything with
    ``status_code``, ``content`` and ``headers``), mapped by the core exactly as the clients map it."""
    retry_after = response.headers.get("Retry-After")
    raise _native.error_from_response(int(response.status_code), bytes(response.content), retry_after)


def _parser(cls: type[T], *, lenient_lists: bool = True) -> Callable[[dict[str, Any]], T]:
    """A function building ``cls`` from a decoded object: datetimes and dates parsed, nested result
    classes built recursively, a missing optional field ``None`` and a missing list ``[]``
    (unless ``lenient_lists`` is off)."""
    hints = typing.get_type_hints(cls)

    def convert(kind: Any, value: Any) -> Any:
        kind = next((a for a in typing.get_args(kind) if a is not type(None)), kind) if _is_optional(kind) else kind
        if kind is datetime:
            return _parse_datetime(value)
        if kind is date:
            return _parse_date(value)
        if dataclasses.is_dataclass(kind):
            return _parser(kind)(value)  # type: ignore[arg-type]
        if typing.get_origin(kind) is list:
            (item,) = typing.get_args(kind)
            return [convert(item, v) for v in value]
        return value

    def parse(data: dict[str, Any]) -> T:
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            kind = hints[f.name]
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            if typing.get_origin(kind) is list and lenient_lists:
                values[f.name] = convert(kind, data.get(f.name, []))
            elif required:
                values[f.name] = convert(kind, data[f.name])
            else:
                raw = data.get(f.name)
                values[f.name] = convert(kind, raw) if raw else (raw if not _is_time(kind) else None)
        return cls(**values)

    parse.__annotations__ = {"data": dict[str, Any], "return": cls}
    parse.__doc__ = f"Builds a {cls.__name__} from a decoded answer."
    return parse


def _is_optional(kind: Any) -> bool:
    return typing.get_origin(kind) is typing.Union and type(None) in typing.get_args(kind)


def _is_time(kind: Any) -> bool:
    return any(t in (datetime, date) for t in (kind, *typing.get_args(kind)))


_parse_message = _parser(Message)
_parse_message_summary = _parser(MessageSummary)
_parse_metrics = _parser(Metrics)
_parse_timeseries = _parser(TimeSeriesMetrics, lenient_lists=False)
_parse_subscription = _parser(Subscription)
_parse_api_key_info = _parser(APIKeyInfo)
_parse_endpoint = _parser(Endpoint)
_parse_endpoint_summary = _parser(EndpointSummary)
_parse_replay_all_messages = _parser(ReplayAllMessagesResponse)
_parse_replay_batch_messages = _parser(ReplayBatchMessagesResponse)
_parse_project = _parser(Project)
_parse_signing_key = _parser(SigningKey)
_parse_rotate_secret = _parser(RotateSecretResponse)
_parse_usage_history_row = _parser(UsageHistoryRow)
_parse_invoice = _parser(Invoice)
_parse_inbound_endpoint = _parser(InboundEndpoint)
_parse_inbound_endpoint_summary = _parser(InboundEndpointSummary)
_parse_inbound_log_entry = _parser(InboundLogEntry)
_parse_inbound_metrics = _parser(InboundMetrics)
_parse_inbound_rejection = _parser(InboundRejection)
_parse_export_record = _parser(ExportRecord)


# Added by the official 2.0.0.
_parse_pull_timeseries = _parser(PullTimeSeriesMetrics, lenient_lists=False)
_parse_pull_endpoint = _parser(PullEndpoint)
_parse_pull_endpoint_summary = _parser(PullEndpointSummary)
_parse_pull_event_summary = _parser(PullEventSummary)
_parse_pull_event = _parser(PullEvent)
_parse_pull_log_entry = _parser(PullLogEntry)
_parse_attempt_record = _parser(AttemptRecord)
_parse_inbound_message = _parser(InboundMessage)
_parse_delete_message = _parser(DeleteMessageResult)
_parse_delete_event = _parser(DeleteEventResult)
_parse_delete_batch = _parser(DeleteBatchResult)
_parse_delete_event_batch = _parser(DeleteEventBatchResult)
_parse_actor_lookup = _parser(ActorLookupResult)


def _parse_attempts_response(response: dict[str, Any]) -> AttemptsResponse:
    """Builds an AttemptsResponse from a whole answer (``data`` and ``meta``)."""
    return AttemptsResponse(
        attempts=[_parse_attempt_record(item) for item in response["data"]],
        has_more=response.get("meta", {}).get("has_more", False),
    )


def _partial_error(response: dict[str, Any]) -> Any:
    error = response.get("error")
    return DeletePartialError(code=error["code"], message=error["message"]) if error else None


def _parse_delete_all(response: dict[str, Any]) -> DeleteAllResult:
    """Builds a DeleteAllResult from a whole answer (``data`` and a top-level ``error``)."""
    data = response["data"]
    return DeleteAllResult(data["deleted"], list(data.get("deleted_message_ids", [])), _partial_error(response))


def _parse_pull_delete_all(response: dict[str, Any]) -> DeletePullEventsAllResult:
    """Builds a DeletePullEventsAllResult from a whole answer (``data`` and a top-level ``error``)."""
    data = response["data"]
    return DeletePullEventsAllResult(data["deleted"], list(data.get("deleted_event_ids", [])), _partial_error(response))
