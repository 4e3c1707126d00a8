"""Verifying (and, for tests, signing) HookBridge webhook deliveries on the receiving side.

A delivery carries ``X-Webhook-Timestamp`` (Unix seconds) and ``X-Webhook-Signature``
(``sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>``, one entry per active signing
key, comma-separated). Verify against the raw request body exactly as received: a re-serialised
JSON body will not match. The checks are done by the Rust core (constant-time comparison).

    from hookbridge import verify_webhook, WebhookVerificationError

    try:
        verify_webhook(request.body, request.headers["X-Webhook-Signature"],
                       request.headers["X-Webhook-Timestamp"], "whsec_...")
    except WebhookVerificationError as e:
        return 400, e.reason          # missing / malformed / expired / mismatch

Endpoints with ``signature_scheme="standard_webhooks"`` sign the Standard Webhooks way
(``webhook-id``, ``webhook-timestamp``, ``webhook-signature: v1,<base64>``; the key is the
base64-decoded part of the secret after ``whsec_``): verify those with
:func:`verify_standard_webhook`.

    from hookbridge import verify_standard_webhook

    verify_standard_webhook(request.body, request.headers, "whsec_...")
"""

from typing import Mapping, Optional, Sequence, Union

from hookbridge import _native
from hookbridge.errors import WebhookVerificationError

#: Largest accepted distance between the signed timestamp and now, in seconds.
DEFAULT_TOLERANCE = 300


def verify_webhook(
    payload: Union[bytes, bytearray, str],
    signature_header: Optional[str],
    timestamp: Union[str, int, None],
    secret: Union[str, Sequence[str]],
    tolerance: int = DEFAULT_TOLERANCE,
    *,
    now: Optional[int] = None,
) -> None:
    """Raises :class:`WebhookVerificationError` unless the delivery is authentic and fresh.

    ``payload`` is the raw body; ``signature_header`` and ``timestamp`` are the raw
    ``X-Webhook-Signature`` and ``X-Webhook-Timestamp`` values; ``secret`` is the endpoint's
    signing secret, or a list of them while keys rotate (any match passes). ``tolerance`` bounds
    the age of the timestamp in both directions; ``now`` (Unix seconds) replaces the clock.
    """
    failure = _native.verify_webhook(payload, signature_header, timestamp, secret, tolerance, now)
    if failure is not None:
        reason, message = failure
        raise WebhookVerificationError(message, reason)


def is_valid_webhook(
    payload: Union[bytes, bytearray, str],
    signature_header: Optional[str],
    timestamp: Union[str, int, None],
    secret: Union[str, Sequence[str]],
    tolerance: int = DEFAULT_TOLERANCE,
    *,
    now: Optional[int] = None,
) -> bool:
    """Whether :func:`verify_webhook` would accept the delivery (never raises for a bad one)."""
    return _native.verify_webhook(payload, signature_header, timestamp, secret, tolerance, now) is None


def sign_webhook(secret: str, timestamp: Union[str, int], payload: Union[bytes, bytearray, str]) -> str:
    """The signature entry a delivery of ``payload`` at ``timestamp`` carries: ``sha256=<hex>``."""
    return _native.sign_webhook(secret, timestamp, payload)


def _header(headers: Mapping[str, str], name: str) -> Optional[str]:
    """The value of header ``name`` in any letter case (``None`` when absent)."""
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def verify_standard_webhook(
    payload: Union[bytes, bytearray, str],
    headers: Mapping[str, str],
    secret: Union[str, Sequence[str]],
    tolerance: int = DEFAULT_TOLERANCE,
    *,
    now: Optional[int] = None,
) -> None:
    """Raises :class:`WebhookVerificationError` unless a Standard Webhooks delivery is authentic and fresh.

    ``headers`` holds the request headers (any mapping; names in any letter case):
    ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` (space-separated
    ``v1,<base64>`` entries, one per active key). ``secret`` is ``whsec_<base64>`` (or a list
    while keys rotate); its key is the base64-decoded part after ``whsec_``. The reasons are
    those of :func:`verify_webhook`; a secret that is not base64 is ``malformed``.
    """
    failure = _native.verify_standard_webhook(
        payload,
        _header(headers, "webhook-id"),
        _header(headers, "webhook-timestamp"),
        _header(headers, "webhook-signature"),
        secret,
        tolerance,
        now,
    )
    if failure is not None:
        reason, message = failure
        raise WebhookVerificationError(message, reason)


def is_valid_standard_webhook(
    payload: Union[bytes, bytearray, str],
    headers: Mapping[str, str],
    secret: Union[str, Sequence[str]],
    tolerance: int = DEFAULT_TOLERANCE,
    *,
    now: Optional[int] = None,
) -> bool:
    """Whether :func:`verify_standard_webhook` would accept the delivery (never raises for a bad one)."""
    try:
        verify_standard_webhook(payload, headers, secret, tolerance, now=now)
    except WebhookVerificationError:
        return False
    return True


def sign_standard_webhook(
    secret: str, webhook_id: str, timestamp: Union[str, int], payload: Union[bytes, bytearray, str]
) -> str:
    """The ``v1,<base64>`` entry a Standard Webhooks delivery carries; ``ValueError`` for a secret that is not base64."""
    return _native.sign_standard_webhook(secret, webhook_id, timestamp, payload)
