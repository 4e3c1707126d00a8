"""Completing an async call on whichever event loop awaits it, as httpx (on anyio) does for the
official package: asyncio (and uvloop, and anyio's asyncio backend) or trio (and anyio's trio
backend).

The native module starts the request on its own runtime and calls back from one of its threads
when it is done. With asyncio the result is handed over with ``call_soon_threadsafe``, unless
the loop was closed meanwhile: then nobody can be waiting, and the result is dropped quietly
(the official package prints nothing either). Tasks still waiting on a request when the
interpreter exits are not reported as "destroyed but pending" either, as with the official
package. Cancelling the awaiting task cancels the request.
"""

import asyncio
import atexit
import sys
import weakref
from typing import Any, Callable

# asyncio tasks waiting on one of our futures.
_waiting: "weakref.WeakSet[asyncio.Task[Any]]" = weakref.WeakSet()


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
