"""Completing an async call on whichever event loop awaits it, as httpx (on anyio) does for the
official package: asyncio (and uvloop, and anyio's asyncio backend) or trio (and anyio's trio
backend).

The native module starts the request on its own runtime and calls back from one of its threads
when it is done. With asyncio the result is handed over with ``call_soon_threadsafe``, unless
the loop was closed meanwhile: then nobody can be waiting, and the result is dropped quietly
(the official package prints nothing either). Tasks still waiting on a request when the
interpreter exits are not reported as "destroyed but pending" either, as with the official
package. Cancelling the awaiting task cancels the request.

Timeouts of requests made together (a ``gather`` of calls with the same timeout) reach the loop in
one iteration, as the official package's do (its timeouts are timers of the loop). Ours end on
runtime threads that take turns for the GIL, so each timeout waits up to ``TIMEOUT_GATHERING`` for
the others before it is delivered. Otherwise a gather that ends on the first timeout can stop its
loop before it has seen a later one, and asyncio would report that task's error as never
retrieved, which the official package never prints.
"""

import asyncio
import atexit
import sys
import weakref
from typing import Any, Callable

from hookbridge.errors import TimeoutError as _HookBridgeTimeout

# asyncio tasks waiting on one of our futures.
_waiting: "weakref.WeakSet[asyncio.Task[Any]]" = weakref.WeakSet()

# Longest a timeout waits for other timeouts of the same loop, in seconds (see the module doc).
TIMEOUT_GATHERING = 0.01


class _Timeouts:
    """Timeouts of one loop waiting to be delivered together (used on the loop's thread only)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.waiting: "list[tuple[Callable[[bool, Any], None], Any]]" = []

    def hold(self, settle: Callable[[bool, Any], None], error: Any) -> None:
        if not self.waiting:
            self.loop.call_later(TIMEOUT_GATHERING, self.deliver)
        self.waiting.append((settle, error))

    def deliver(self) -> None:
        waiting, self.waiting = self.waiting, []
        for settle, error in waiting:
            settle(False, error)


_timeouts: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Timeouts]" = weakref.WeakKeyDictionary()


def _hold_timeout(loop: asyncio.AbstractEventLoop, settle: Callable[[bool, Any], None], error: Any) -> None:
    """On the loop's thread: delivers `error` with the other timeouts of the loop."""
    timeouts = _timeouts.get(loop)
    if timeouts is None:
        timeouts = _timeouts[loop] = _Timeouts(loop)
    timeouts.hold(settle, error)


def awaitable(pending: Any) -> Any:
    """The awaitable of a native call (``_native.Pending``) for the running event loop."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        if _trio_is_running():
            return _on_trio(pending)
        raise RuntimeError("no running event loop") from None
    return _on_asyncio(pending, loop)


def _trio_is_running() -> bool:
    trio = sys.modules.get("trio")
    if trio is None:
        return False
    try:
        trio.lowlevel.current_trio_token()
    except RuntimeError:
        return False
    return True


def _on_asyncio(pending: Any, loop: asyncio.AbstractEventLoop) -> "asyncio.Future[Any]":
    future = loop.create_future()

    def settle(ok: bool, value: Any) -> None:
        if not future.done():
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
                # This future is internal: the awaiting task re-raises the error when it resumes.
                # If its loop is closed first, asyncio must not report it as never retrieved
                # (the official package's requests just stay pending then).
                future.exception()

    def finished(ok: bool, value: Any) -> None:  # on a runtime thread
        if loop.is_closed():
            return
        try:
            if not ok and isinstance(value, _HookBridgeTimeout):
                loop.call_soon_threadsafe(_hold_timeout, loop, settle, value)
            else:
                loop.call_soon_threadsafe(settle, ok, value)
        except RuntimeError:  # closed since the check: nobody is waiting
            pass

    task = asyncio.current_task(loop)
    if task is not None:
        _waiting.add(task)

    def cancelled(done: "asyncio.Future[Any]") -> None:
        if task is not None:
            _waiting.discard(task)
        if done.cancelled():
            pending.cancel()

    future.add_done_callback(cancelled)
    pending.start(finished)
    return future


@atexit.register
def _quiet_at_exit() -> None:
    """Tasks still waiting on a request at exit are torn down silently (see the module doc)."""
    for task in list(_waiting):
        task._log_destroy_pending = False  # type: ignore[attr-defined]


async def _on_trio(pending: Any) -> Any:
    import outcome
    import trio

    token = trio.lowlevel.current_trio_token()
    task = trio.lowlevel.current_task()
    waiting = [True]

    def wake(result: Any) -> None:  # on trio's thread
        if waiting[0]:
            waiting[0] = False
            trio.lowlevel.reschedule(task, result)

    def finished(ok: bool, value: Any) -> None:  # on a runtime thread
        result = outcome.Value(value) if ok else outcome.Error(value)
        try:
            token.run_sync_soon(wake, result)
        except trio.RunFinishedError:  # the run is over: nobody is waiting
            pass

    def abort(_raise_cancel: Callable[[], Any]) -> Any:
        waiting[0] = False
        pending.cancel()
        return trio.lowlevel.Abort.SUCCEEDED

    pending.start(finished)
    return await trio.lowlevel.wait_task_rescheduled(abort)
