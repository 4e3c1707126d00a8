"""httpx mode: when a test has patched httpx's transports (pytest-httpx, respx), requests go
through an ``httpx.Client`` / ``httpx.AsyncClient`` so the mock sees them as it sees the
official package's. The Rust core still builds each request and runs the retry loop, the error
mapping and the parsing; this module only does the I/O and the waits between attempts.

Called from the native module (``bindings-python/src/py_transport.rs``).
"""

import sys
from typing import Any, Optional

_MODULE = "httpx._transports.default"
_ORIGINALS = {
    False: ("HTTPTransport", "handle_request", "HTTPTransport.handle_request"),
    True: ("AsyncHTTPTransport", "handle_async_request", "AsyncHTTPTransport.handle_async_request"),
}


def patched(asynchronous: bool) -> bool:
    """Whether httpx is imported and its (async) transport's request method is not httpx's own."""
    httpx = sys.modules.get("httpx")
    if httpx is None:
        return False
    cls_name, method, qualname = _ORIGINALS[asynchronous]
    try:
        fn = getattr(getattr(httpx, cls_name), method)
        return not (getattr(fn, "__module__", None) == _MODULE and getattr(fn, "__qualname__", None) == qualname)
    except Exception:
        return False


def make_client(asynchronous: bool) -> Any:
    """A fresh httpx client; headers and timeouts come with each request."""
    import httpx

    return httpx.AsyncClient() if asynchronous else httpx.Client()


def _timeout(parts: tuple[Optional[float], Optional[float], Optional[float], Optional[float]]) -> Any:
    import httpx

    connect, read, write, pool = parts
    return httpx.Timeout(connect=connect, read=read, write=write, pool=pool)


def _outcome(response: Any) -> tuple[Any, ...]:
    return ("response", response.status_code, list(response.headers.raw), response.content)


def _failure(error: BaseException) -> Optional[tuple[str, str]]:
    """The class of an httpx failure, as the official package sorts them; None for anything else."""
    import httpx

    if isinstance(error, httpx.TimeoutException):
        return ("timeout", str(error))
    if isinstance(error, httpx.ConnectError):
        return ("connect", str(error))
    if isinstance(error, httpx.RequestError):
        return ("error", str(error))
    return None


def send_sync(client: Any, method: str, url: str, headers: list[tuple[str, str]], content: Optional[bytes], timeout: Any) -> Any:
    """Sends one attempt; any exception that is not an httpx request error propagates."""
    try:
        response = client.request(method, url, headers=headers, content=content, timeout=_timeout(timeout))
    except Exception as error:
        failure = _failure(error)
        if failure is None:
            raise
        return failure
    return _outcome(response)


async def send_async(client: Any, method: str, url: str, headers: list[tuple[str, str]], content: Optional[bytes], timeout: Any) -> Any:
    """The async twin of :func:`send_sync`."""
    try:
        response = await client.request(method, url, headers=headers, content=content, timeout=_timeout(timeout))
    except Exception as error:
        failure = _failure(error)
        if failure is None:
            raise
        return failure
    return _outcome(response)


def sleep_sync(seconds: float) -> None:
    """Backoff wait through ``hookbridge.client.time.sleep``, the name tests patch."""
    from hookbridge import client

    client.time.sleep(seconds)


def sleep_async(seconds: float) -> Any:
    """Backoff wait through ``asyncio.sleep`` (looked up now, so a patch applies)."""
    import asyncio

    return asyncio.sleep(seconds)
