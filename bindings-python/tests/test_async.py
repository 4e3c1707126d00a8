"""The async client's contract: real asyncio awaitables that never block the loop, cancellation
that cancels the request, one client usable across event loops (asyncio and uvloop) and from
many concurrent tasks."""

import asyncio
import inspect
import threading
import time
from typing import Any, Callable

import pytest

import hookbridge
from conftest import Server, uvloop
from helpers import HangingServer, Receiver, wait_until
from hookbridge import AsyncHookBridge, _native

LOOP_FACTORIES: list[Callable[[], asyncio.AbstractEventLoop]] = [asyncio.new_event_loop] + ([uvloop.new_event_loop] if uvloop else [])


def run(coro: Any, factory: Callable[[], asyncio.AbstractEventLoop] = asyncio.new_event_loop) -> Any:
    loop = factory()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


def test_methods_return_coroutines_whose_awaitables_are_asyncio_futures(server: Server) -> None:
    client = AsyncHookBridge(server.api_key, base_url=server.url)
    pending = client.get_subscription()
    assert inspect.iscoroutine(pending)
    pending.close()  # never awaited: nothing was sent

    async def scenario() -> None:
        awaitable = client._native.get_subscription()
        assert isinstance(awaitable, asyncio.Future)
        assert (await awaitable).plan == "self_hosted"

    run(scenario())


@pytest.mark.parametrize("factory", LOOP_FACTORIES)
def test_cancelling_the_task_cancels_the_request(hanging: HangingServer, factory: Callable[[], asyncio.AbstractEventLoop]) -> None:
    client = AsyncHookBridge("hb_test_x", base_url=hanging.url, timeout=30, retries=0)

    async def scenario() -> None:
        task = asyncio.ensure_future(client.get_message("m"))
        await asyncio.get_running_loop().run_in_executor(None, wait_until, lambda: hanging.accepted == 1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    started = time.monotonic()
    run(scenario(), factory)
    wait_until(lambda: hanging.closed == 1, timeout=5)  # the connection was dropped, not left to time out
    assert time.monotonic() - started < 10
    wait_until(lambda: _native.async_calls_in_flight() == 0, timeout=5)


def test_wait_for_timeout_cancels_the_request(hanging: HangingServer) -> None:
    client = AsyncHookBridge("hb_test_x", base_url=hanging.url, timeout=30, retries=0)

    async def scenario() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.get_endpoint("ep_1"), 0.3)

    run(scenario())
    wait_until(lambda: hanging.closed >= 1, timeout=5)


def test_the_event_loop_keeps_running_while_requests_wait(hanging: HangingServer) -> None:
    client = AsyncHookBridge("hb_test_x", base_url=hanging.url, timeout=0.6, retries=0)

    async def scenario() -> int:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticking = asyncio.ensure_future(ticker())
        with pytest.raises(hookbridge.TimeoutError):
            await asyncio.gather(*(client.get_message(f"m{i}") for i in range(5)))
        ticking.cancel()
        return ticks

    assert run(scenario()) >= 25  # ~60 possible in 0.6 s; a blocked loop would give 0


def test_one_client_across_many_event_loops_and_threads(server: Server, receiver: Receiver) -> None:
    client = AsyncHookBridge(server.api_key, base_url=server.url, send_url=server.url)
    endpoint = run(client.create_endpoint(receiver.endpoint_url()))
    for factory in LOOP_FACTORIES * 2:
        assert run(client.get_endpoint(endpoint.id), factory).id == endpoint.id
    assert asyncio.run(client.get_endpoint(endpoint.id)).id == endpoint.id

    results: list[str] = []
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            results.append(asyncio.run(client.send(endpoint.id, {"thread": i})).message_id)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(results)) == 4


@pytest.mark.parametrize("factory", LOOP_FACTORIES)
def test_gather_many_sends_with_bounded_concurrency(server: Server, receiver: Receiver, factory: Callable[[], asyncio.AbstractEventLoop]) -> None:
    async def scenario() -> list[str]:
        async with AsyncHookBridge(server.api_key, base_url=server.url, send_url=server.url) as client:
            endpoint = await client.create_endpoint(receiver.endpoint_url())
            limit = asyncio.Semaphore(50)

            async def one(i: int) -> str:
                async with limit:
                    return (await client.send(endpoint.id, {"i": i})).message_id

            return list(await asyncio.gather(*(one(i) for i in range(300))))

    ids = run(scenario(), factory)
    assert len(set(ids)) == 300
    wait_until(lambda: _native.async_calls_in_flight() == 0, timeout=5)


def test_errors_propagate_as_the_official_exceptions(server: Server) -> None:
    async def scenario() -> None:
        async with AsyncHookBridge(server.api_key, base_url=server.url) as client:
            results = await asyncio.gather(
                client.get_message("00000000-0000-7000-8000-000000000000"), client.get_subscription(), return_exceptions=True
            )
            assert isinstance(results[0], hookbridge.NotFoundError) and results[0].status_code == 404
            assert isinstance(results[1], hookbridge.Subscription)

    run(scenario())
