"""Plain-function handlers on `WebhookApp`'s own threads (`HandlerThreads`): off the loop, concurrent up to a bound,
each event once, the caller's context, and ended by the lifespan shutdown."""

from __future__ import annotations

import asyncio
import contextvars
import json
import socket
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import uvicorn
from webhook_payloads import payload

from megaapi import webhooks
from megaapi.webhooks import WebhookApp, _app
from megaapi.webhooks._threads import HandlerThreads

TOKEN = "test-token-0123456789abcdef"
URL = f"http://testserver/megaapi?token={TOKEN}"
GUARD = 30  # seconds: only a deadlock guard, so that a broken hand-over fails instead of hanging


def event(message_id: str) -> bytes:
    data = payload("vendor_3_2_conversation")
    data["key"]["id"] = message_id
    return json.dumps(data).encode()


def client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def wait_for(flag: threading.Event) -> None:
    assert await asyncio.to_thread(flag.wait, GUARD)


async def lifespan(app: WebhookApp) -> tuple[asyncio.Queue[dict[str, str]], list[str], asyncio.Task[None]]:
    """Start `app`'s lifespan; put {"type": "lifespan.shutdown"} in the queue to end it; sent types are logged."""
    incoming: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    log: list[str] = []

    async def send(message: Any) -> None:
        log.append(message["type"])

    task = asyncio.create_task(app({"type": "lifespan"}, incoming.get, send))
    await incoming.put({"type": "lifespan.startup"})
    while not log:
        await asyncio.sleep(0)
    return incoming, log, task


# --- through WebhookApp --------------------------------------------------------------------------------------------


async def test_a_blocking_plain_handler_holds_up_neither_the_loop_nor_other_events() -> None:
    started, release = threading.Event(), threading.Event()
    handled: list[str] = []
    app = WebhookApp(token=TOKEN)

    @app.on_any
    def handler(event: webhooks.Event) -> None:
        if event.message_id == "BLOCKS":
            started.set()
            release.wait(GUARD)
        handled.append(event.message_id or "")

    async with client(app) as http:
        blocked = asyncio.create_task(http.post(URL, content=event("BLOCKS")))
        await wait_for(started)
        response = await asyncio.wait_for(http.post(URL, content=event("OTHER")), GUARD)
        assert response.status_code == 200
        assert handled == ["OTHER"]
        release.set()
        assert (await blocked).status_code == 200
    assert handled == ["OTHER", "BLOCKS"]


async def test_every_event_is_handled_once_on_a_bounded_number_of_threads() -> None:
    handled: list[str] = []
    threads: set[threading.Thread] = set()
    app = WebhookApp(token=TOKEN)

    @app.on("text")
    def handler(event: webhooks.Event) -> None:
        threads.add(threading.current_thread())
        handled.append(event.message_id or "")

    ids = [f"EVENT{number:04d}" for number in range(300)]
    async with client(app) as http:
        responses = await asyncio.gather(*(http.post(URL, content=event(message_id)) for message_id in ids))
    assert {response.status_code for response in responses} == {200}
    assert sorted(handled) == ids  # none lost, none twice
    assert threading.main_thread() not in threads
    assert 1 <= len(threads) <= _app.MAX_HANDLER_THREADS


async def test_handlers_see_the_context_of_the_request() -> None:
    request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="none")
    seen: list[str] = []
    app = WebhookApp(token=TOKEN)

    @app.on_any
    def handler(event: webhooks.Event) -> None:
        seen.append(request_id.get())
        request_id.set("changed by the handler")

    async def middleware(scope: Any, receive: Any, send: Any) -> None:
        request_id.set(scope["path"])
        await app(scope, receive, send)
        seen.append(request_id.get())

    async with client(middleware) as http:
        await http.post(URL, content=event("ONE"))
    # The handler reads the request's value; what it sets stays in its own copy, as with asyncio.to_thread.
    assert seen == ["/megaapi", "/megaapi"]


async def test_the_lifespan_shutdown_waits_for_running_handlers_and_ends_the_threads() -> None:
    started, release = threading.Event(), threading.Event()
    threads: list[threading.Thread] = []
    app = WebhookApp(token=TOKEN)
    incoming, log, running = await lifespan(app)

    @app.on_any
    def handler(event: webhooks.Event) -> None:
        threads.append(threading.current_thread())
        started.set()
        release.wait(GUARD)
        log.append("handled")

    async with client(app) as http:
        request = asyncio.create_task(http.post(URL, content=event("SLOW")))
        await wait_for(started)
        await incoming.put({"type": "lifespan.shutdown"})
        release.set()
        await asyncio.wait_for(running, GUARD)
        assert (await request).status_code == 200
    assert log == ["lifespan.startup.complete", "handled", "lifespan.shutdown.complete"]
    assert not threads[0].is_alive()


def test_the_app_can_be_served_on_one_event_loop_after_another() -> None:
    handled: list[str] = []
    app = WebhookApp(lambda event: handled.append(event.message_id or ""), token=TOKEN)

    async def post(message_id: str) -> None:
        async with client(app) as http:
            await http.post(URL, content=event(message_id))

    asyncio.run(post("FIRST"))
    asyncio.run(post("SECOND"))
    assert handled == ["FIRST", "SECOND"]


async def test_uvicorn_shutdown_leaves_no_handler_thread_running() -> None:
    handled: list[str] = []
    threads: set[threading.Thread] = set()

    def handler(event: webhooks.Event) -> None:
        threads.add(threading.current_thread())
        handled.append(event.message_id or "")

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    app = WebhookApp(handler, token=TOKEN)
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="on"))
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient() as http:
            url = f"http://127.0.0.1:{port}/megaapi?token={TOKEN}"
            await asyncio.gather(*(http.post(url, content=event(f"E{number}")) for number in range(20)))
    finally:
        server.should_exit = True
        await serving
        listener.close()
    assert sorted(handled) == sorted(f"E{number}" for number in range(20))
    assert threads
    assert not any(thread.is_alive() for thread in threads)


# --- HandlerThreads itself -----------------------------------------------------------------------------------------


def blocking(started: threading.Event, release: threading.Event, value: str) -> Callable[[], str]:
    def function() -> str:
        started.set()
        release.wait(GUARD)
        return value

    return function


async def test_functions_handed_over_together_still_run_concurrently() -> None:
    started, release = threading.Event(), threading.Event()
    threads = HandlerThreads(asyncio.get_running_loop(), max_threads=2)
    # Both in one pass of the loop, so both are handed over at once: the thread that takes the first must not keep
    # the second waiting behind it.
    first = threads.run(blocking(started, release, "first"))
    second = threads.run(lambda: "second")
    assert await asyncio.wait_for(second, GUARD) == "second"
    assert not first.done()
    release.set()
    assert await asyncio.wait_for(first, GUARD) == "first"
    await threads.aclose()


async def test_at_most_max_threads_run_at_once() -> None:
    release = threading.Event()
    running: list[threading.Thread] = []
    two_running = threading.Event()
    lock = threading.Lock()

    def function() -> str:
        with lock:
            running.append(threading.current_thread())
            if len(running) == 2:
                two_running.set()
        release.wait(GUARD)
        return threading.current_thread().name

    threads = HandlerThreads(asyncio.get_running_loop(), max_threads=2)
    futures = [threads.run(function) for _ in range(3)]
    await wait_for(two_running)
    release.set()
    names = await asyncio.wait_for(asyncio.gather(*futures), GUARD)
    await threads.aclose()
    assert len(set(names)) == 2  # the third ran after one of the first two, on the same thread
    assert not any(thread.is_alive() for thread in running)


async def test_aclose_runs_what_is_queued_first() -> None:
    threads = HandlerThreads(asyncio.get_running_loop(), max_threads=1)
    futures = [threads.run(lambda number=number: number * 2) for number in range(5)]  # not handed over yet
    await threads.aclose()
    assert [future.result() for future in futures] == [0, 2, 4, 6, 8]


async def test_a_cancelled_call_that_has_not_started_never_runs() -> None:
    started, release = threading.Event(), threading.Event()
    ran: list[str] = []
    threads = HandlerThreads(asyncio.get_running_loop(), max_threads=1)
    first = threads.run(blocking(started, release, "first"))
    second = threads.run(lambda: ran.append("second"))
    await wait_for(started)
    second.cancel()
    release.set()
    assert await asyncio.wait_for(first, GUARD) == "first"
    await threads.aclose()
    assert ran == []


async def test_an_exception_reaches_the_caller() -> None:
    def fails() -> None:
        raise KeyError("missing")

    threads = HandlerThreads(asyncio.get_running_loop(), max_threads=1)
    with pytest.raises(KeyError, match="missing"):
        await asyncio.wait_for(threads.run(fails), GUARD)
    await threads.aclose()
