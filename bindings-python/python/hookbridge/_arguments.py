"""Argument conversion as the official package does it, so calls that work there work here.

The official package puts ids into paths and values into query strings with ``str()``, so
``get_message(123)`` and ``get_logs(limit="10")`` send the same request as ``get_message("123")``
and ``get_logs(limit=10)``; it leaves out a falsy ``rate_limit_rps`` or ``burst`` (so ``None``
is fine); and it sends what it is given in bodies. The native client takes typed values, so
each method converts its arguments by their annotations first:

* a ``str`` (or ``Literal``) parameter given something else gets ``str(value)``
  (a ``datetime`` stays one where the parameter accepts it);
* an ``int`` parameter given a string of an integer gets that integer, and ``None`` where the
  parameter's default is a number gets that default;
* a ``list[str]`` parameter gets ``str()`` of every item that is not a ``str``.

Everything else passes unchanged and is checked by the native client.
"""

import functools
import inspect
import typing
from datetime import date, datetime
from typing import Any, Callable, Optional, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

Converter = Callable[[Any], Any]


def _is_int_literal(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def _to_str(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, date)) else str(value)


def _str_items(value: Any) -> Any:
    if isinstance(value, (list, tuple)) and not all(isinstance(item, str) for item in value):
        return [item if isinstance(item, str) else str(item) for item in value]
    return value


def _is_text(annotation: Any) -> bool:
    return annotation is str or typing.get_origin(annotation) is typing.Literal


def _converter(annotation: Any, default: Any) -> Optional[Converter]:
    """How to convert a value for a parameter of this annotation (``None``: leave it)."""
    if typing.get_origin(annotation) is typing.Union:
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
    else:
        options = [annotation]
    if any(_is_text(a) for a in options) and all(_is_text(a) or a in (datetime, date) for a in options):
        return _to_str
    if options == [int]:
        fallback = default if isinstance(default, int) else None

        def to_int(value: Any) -> Any:
            if value is None:
                return fallback
            if isinstance(value, str) and _is_int_literal(value):
                return int(value)
            return value

        return to_int
    if len(options) == 1 and typing.get_origin(options[0]) is list and typing.get_args(options[0]) == (str,):
        return _str_items
    return None


def lenient(method: F) -> F:
    """``method`` with its arguments converted as the module describes."""
    signature = inspect.signature(method)
    hints = typing.get_type_hints(method)
    converters: dict[str, Converter] = {}
    positional: list[str] = []
    for name, parameter in list(signature.parameters.items())[1:]:
        if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            positional.append(name)
        if name in hints and parameter.kind is not inspect.Parameter.VAR_KEYWORD:
            convert = _converter(hints[name], parameter.default)
            if convert is not None:
                converters[name] = convert
    if not converters:
        return method

    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        if len(args) <= len(positional):
            args = tuple(converters[n](a) if n in converters else a for n, a in zip(positional, args))
        for name in kwargs.keys() & converters.keys():
            kwargs[name] = converters[name](kwargs[name])
        return method(self, *args, **kwargs)

    return call  # type: ignore[return-value]
