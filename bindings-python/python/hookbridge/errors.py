"""Exceptions raised by the HookBridge clients: the classes, hierarchy, constructor signatures,
attributes and ``str()`` format of the official ``hookbridge`` package (the same in 1.4.0 and
2.0.0), plus :class:`WebhookVerificationError` for receivers.

The native module raises them by calling these classes (registered at the bottom).
"""

from typing import Optional

import hookbridge._native as _native


class HookBridgeError(Exception):
    """Base class of every HookBridge error: ``code``, ``request_id`` and ``status_code``."""

    def __init__(
        self,
        message: str,
        code: str = "UNKNOWN_ERROR",
        request_id: Optional[str] = None,
        status_code: Optional[int] = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.request_id = request_id
        self.status_code = status_code

    def __str__(self) -> str:
        text = super().__str__()
        if self.code:
            text += f" code={self.code}"
        if self.request_id:
            text += f" request_id={self.request_id}"
        return text


class AuthenticationError(HookBridgeError):
    """HTTP 401: the API key is missing, invalid or revoked."""

    def __init__(
        self,
        message: str = "Invalid or missing API key",
        request_id: Optional[str] = None,
    ) -> None:
        super().__init__(message, "UNAUTHORIZED", request_id, 401)


class NotFoundError(HookBridgeError):
    """HTTP 404: the resource does not exist."""

    def __init__(
        self,
        message: str = "Resource not found",
        request_id: Optional[str] = None,
    ) -> None:
        super().__init__(message, "NOT_FOUND", request_id, 404)


class ValidationError(HookBridgeError):
    """Invalid input detected by the client, e.g. an empty API key."""

    def __init__(
        self,
        message: str,
        code: str = "INVALID_REQUEST",
        request_id: Optional[str] = None,
    ) -> None:
        super().__init__(message, code, request_id, 400)


class RateLimitError(HookBridgeError):
    """HTTP 429: too many requests; ``retry_after`` is the server's hint in seconds, if any."""

    def __init__(
        self,
        message: str = "Rate limit exceeded",
        request_id: Optional[str] = None,
        retry_after: Optional[int] = None,
    ) -> None:
        super().__init__(message, "RATE_LIMIT_EXCEEDED", request_id, 429)
        self.retry_after = retry_after


class IdempotencyError(HookBridgeError):
    """HTTP 409: the idempotency key was already used with a different payload."""

    def __init__(
        self,
        message: str = "Idempotency key already used with different payload",
        request_id: Optional[str] = None,
    ) -> None:
        super().__init__(message, "IDEMPOTENCY_MISMATCH", request_id, 409)


class ReplayLimitError(HookBridgeError):
    """HTTP 429: the message was replayed too many times."""

    def __init__(
        self,
        message: str,
        request_id: Optional[str] = None,
    ) -> None:
        super().__init__(message, "REPLAY_LIMIT_EXCEEDED", request_id, 429)


class NetworkError(HookBridgeError):
    """The request got no HTTP answer (connection refused, reset, DNS failure).

    The message is worded as httpx words it in the official package; ``detail`` (not in the
    official package) is the full cause as the HTTP client reported it, when there is one.
    """

    detail: Optional[str] = None

    def __init__(self, message: str) -> None:
        super().__init__(message, "NETWORK_ERROR")


class TimeoutError(HookBridgeError):  # noqa: A001 - the official name shadows the builtin
    """The request timed out."""

    def __init__(self, message: str = "Request timed out") -> None:
        super().__init__(message, "TIMEOUT")


class WebhookVerificationError(HookBridgeError):
    """A received webhook failed verification (not in the official package).

    ``reason`` says why: ``missing`` (a header or the secret is absent), ``malformed`` (no
    ``sha256=<hex>`` entry, or a non-numeric timestamp), ``expired`` (timestamp outside the
    tolerance) or ``mismatch`` (no signature matches the payload and secret).
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message, "INVALID_SIGNATURE")
        self.reason = reason

    def __reduce__(self) -> "tuple[type[WebhookVerificationError], tuple[str, str]]":
        return (type(self), (str(self.args[0]), self.reason))


_native.register_errors(
    {
        "HookBridgeError": HookBridgeError,
        "AuthenticationError": AuthenticationError,
        "NotFoundError": NotFoundError,
        "ValidationError": ValidationError,
        "RateLimitError": RateLimitError,
        "IdempotencyError": IdempotencyError,
        "ReplayLimitError": ReplayLimitError,
        "NetworkError": NetworkError,
        "TimeoutError": TimeoutError,
    }
)
