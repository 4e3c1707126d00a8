"""Prints, as JSON, the public surface of whichever ``hookbridge`` this interpreter imports:
``__all__``, the clients' method signatures, the dataclasses' fields, the exceptions' hierarchy,
constructors and behaviour. Run by test_parity.py under the official package and under ours."""

import dataclasses
import inspect
import json
import sys
import typing
from typing import Any

import hookbridge
import hookbridge.client
import hookbridge.errors
import hookbridge.types

CLIENT_DUNDERS = ("__init__", "__enter__", "__exit__", "__aenter__", "__aexit__")


def methods(cls: type) -> dict[str, Any]:
    out = {}
    for name in sorted(dir(cls)):
        if name.startswith("_") and name not in CLIENT_DUNDERS:
            continue
        function = getattr(cls, name)
        if not callable(function) or (name.startswith("__") and name not in vars(cls) and name != "__init__"):
            continue
        out[name] = {"signature": str(inspect.signature(function)), "coroutine": inspect.iscoroutinefunction(function)}
    return out


def dataclass_shape(cls: type) -> dict[str, Any]:
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    return {
        "frozen": params.frozen,
        "eq": params.eq,
        "module": cls.__module__,
        "fields": [
            [f.name, str(f.type), None if f.default is dataclasses.MISSING else repr(f.default), f.default_factory is not dataclasses.MISSING]
            for f in dataclasses.fields(cls)
        ],
    }


def exception_shape(cls: type) -> dict[str, Any]:
    init = inspect.signature(cls.__init__)
    required = [p for p in list(init.parameters.values())[1:] if p.default is inspect.Parameter.empty]
    sample = cls(*["m"] * len(required))
    return {
        "mro": [f"{c.__module__}.{c.__qualname__}" for c in cls.__mro__],
        "init": str(init),
        "str": str(sample),
        "attrs": {a: repr(getattr(sample, a, "<absent>")) for a in ("code", "request_id", "status_code", "retry_after")},
        "args": repr(sample.args),
    }


def main() -> None:
    names = list(hookbridge.__all__)
    objects = {name: getattr(hookbridge, name) for name in names}
    surface = {
        "version": hookbridge.__version__,
        "all": sorted(names),
        "modules": {m: hasattr(hookbridge, m) for m in ("client", "errors", "types")},
        "constants": {c: repr(getattr(hookbridge.client, c)) for c in ("DEFAULT_BASE_URL", "DEFAULT_SEND_URL", "DEFAULT_TIMEOUT", "DEFAULT_RETRIES")},
        "clients": {name: methods(objects[name]) for name in ("HookBridge", "AsyncHookBridge")},
        "dataclasses": {n: dataclass_shape(o) for n, o in objects.items() if dataclasses.is_dataclass(o)},
        "aliases": {n: repr(o) for n, o in objects.items() if typing.get_origin(o) is typing.Literal},
        "exceptions": {n: exception_shape(o) for n, o in objects.items() if isinstance(o, type) and issubclass(o, BaseException)},
        "module_of": {n: getattr(o, "__module__", None) for n, o in objects.items() if isinstance(o, type)},
    }
    json.dump(surface, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
