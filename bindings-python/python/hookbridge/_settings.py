"""The clients' settings as the official package keeps them, so code and tests that touch them
keep working: the private attributes ``_api_key``, ``_base_url``, ``_send_url``, ``_timeout``
and ``_retries`` read and write the live settings (assigning one makes later calls use it), and
``_client`` / ``_send_client`` show what tests read from the official package's httpx clients
(``headers``, ``timeout``, ``is_closed``, ``base_url``).

A timeout is what httpx accepts: a number of seconds, ``None`` (no limit), a
``(connect, read, write, pool)`` tuple or an ``httpx.Timeout``-like object.
"""

from typing import Any, Optional

from hookbridge import _native
from hookbridge._helpers import _build_common_headers

#: The settings that ``_<name>`` attributes read and write.
SETTINGS = ("api_key", "base_url", "send_url", "timeout", "retries")

#: The headers an httpx client adds to its own (``client._client.headers`` shows both).
HTTPX_DEFAULT_HEADERS = {"Accept-Encoding": "gzip, deflate", "Connection": "keep-alive"}

Seconds = Optional[float]


class Timeout:
    """A timeout split as httpx splits it: ``connect``, ``read``, ``write`` and ``pool`` seconds
    (``None`` is no limit). Equal to any object with the same four attributes (``httpx.Timeout``)."""

    def __init__(self, connect: Seconds, read: Seconds, write: Seconds, pool: Seconds) -> None:
        self.connect, self.read, self.write, self.pool = connect, read, write, pool

    @classmethod
    def of(cls, value: Any) -> "Timeout":
        """Reads a ``timeout=`` argument as httpx does; anything else is a ``TypeError``."""
        if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
            return cls(value, value, value, value)
        if isinstance(value, tuple):
            connect, read, write, pool = value  # httpx's own unpacking (and its ValueError)
            return cls(connect, read, write, pool)
        if all(hasattr(value, part) for part in ("connect", "read", "write", "pool")):
            return cls(value.connect, value.read, value.write, value.pool)
        raise TypeError(
            f"timeout must be a number of seconds, None, a (connect, read, write, pool) tuple or an "
            f"httpx.Timeout, not {type(value).__name__}"
        )

    def _parts(self) -> tuple[Seconds, Seconds, Seconds, Seconds]:
        return (self.connect, self.read, self.write, self.pool)

    def __eq__(self, other: object) -> bool:
        try:
            return self._parts() == (other.connect, other.read, other.write, other.pool)  # type: ignore[attr-defined]
        except AttributeError:
            return NotImplemented

    def __hash__(self) -> int:
        return hash(self._parts())

    def __repr__(self) -> str:
        if len(set(self._parts())) == 1:
            return f"Timeout(timeout={self.connect})"
        return f"Timeout(connect={self.connect}, read={self.read}, write={self.write}, pool={self.pool})"


class Headers(dict):  # type: ignore[type-arg]
    """The request headers, with case-insensitive lookups as ``httpx.Headers`` has."""

    def __init__(self, headers: dict[str, str]) -> None:
        super().__init__((k.lower(), v) for k, v in headers.items())

    def __getitem__(self, key: str) -> str:
        return str(super().__getitem__(key.lower()))

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(key.lower(), default)


class HTTPClientView:
    """What ``client._client`` / ``client._send_client`` show: one pooled native client serves
    both hosts here, where the official package has two httpx clients."""

    def __init__(self, owner: Any, send: bool) -> None:
        self._owner = owner
        self._send = send

    @property
    def headers(self) -> Headers:
        """The headers every request carries."""
        return Headers({**HTTPX_DEFAULT_HEADERS, **_build_common_headers(self._owner._api_key)})

    @property
    def timeout(self) -> Timeout:
        """The timeout in use, split as httpx splits it."""
        return Timeout.of(self._owner._timeout)

    @property
    def is_closed(self) -> bool:
        """Whether the client was closed."""
        return bool(self._owner._native.closed)

    @property
    def base_url(self) -> str:
        """The root URL requests go to."""
        return str(self._owner._native.send_url if self._send else self._owner._native.base_url)

    def __repr__(self) -> str:
        return f"<hookbridge HTTP client base_url={self.base_url!r}>"


def native_client(api_key: str, base_url: str, send_url: str, timeout: Any, retries: int, asynchronous: bool) -> Any:
    """A native client with these settings."""
    parts = Timeout.of(timeout)
    return _native.Client(api_key or "", base_url, send_url, parts.read, retries, asynchronous, parts.connect)


def configure(
    client: Any, api_key: str, base_url: str, send_url: str, timeout: Any, retries: int, asynchronous: bool
) -> None:
    """Sets up a new client: its native client and the settings its ``_<name>`` attributes show."""
    native = native_client(api_key, base_url, send_url, timeout, retries, asynchronous)
    live = {"api_key": api_key, "base_url": native.base_url, "send_url": native.send_url}
    client.__dict__.update(
        _live={**live, "timeout": timeout, "retries": retries},
        _native=native,
        _client=HTTPClientView(client, send=False),
        _send_client=HTTPClientView(client, send=True),
    )


def setting(name: str) -> property:
    """The ``_<name>`` attribute: reads the setting; assigning it applies it to later calls."""

    def read(client: Any) -> Any:
        return client._live[name]

    def write(client: Any, value: Any) -> None:
        settings = {**client._live, name: value}
        parts = Timeout.of(settings["timeout"])
        client._native.reconfigure(
            settings["api_key"] or "",
            settings["base_url"],
            settings["send_url"] or client._native.send_url,
            parts.read,
            settings["retries"],
            parts.connect,
        )
        client._live = settings

    return property(read, write, doc=f"The {name.replace('_', ' ')} in use; assigning it applies to later calls.")
