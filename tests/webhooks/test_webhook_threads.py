"""Plain-function handlers on `WebhookApp`'s own threads (`HandlerThreads`): off the loop, concurrent up to a bound,
each event once, the caller's context, ended by the lifespan shutdown, and handed over without waiting for them
while a lifespan runs."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import socket
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import uvicorn
from webhook_payloads import body, payload

from megaapi import webhooks
from megaapi.webhooks import WebhookApp, _app
from megaapi.webhooks._threads import HandlerThreads

TOKEN = "test-token-0123456789abcdef"
URL = f"http://testserver/megaapi?token={TOKEN}"
IMAGE = "vendor_3_6_image"
ACK = "handwritten_message_ack"
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


# --- the early return, while a lifespan runs -----------------------------------------------------------------------


def returning(app: WebhookApp, log: list[str]) -> Any:
    """`app` behind a middleware that logs "returned" when the ASGI call of a request returns."""

    async def middleware(scope: Any, receive: Any, send: Any) -> None:
        await app(scope, receive, send)
        if scope["type"] == "http":
            log.append("returned")

    return middleware


async def shut_down(incoming: asyncio.Queue[dict[str, str]], running: asyncio.Task[None]) -> None:
    await incoming.put({"type": "lifespan.shutdown"})
    await asyncio.wait_for(running, GUARD)


async def test_with_a_lifespan_the_call_returns_before_a_blocked_handler_and_the_shutdown_waits_for_it() -> None:
    started, release = threading.Event(), threading.Event()
    app = WebhookApp(token=TOKEN)
    incoming, log, running = await lifespan(app)

    @app.on_any
    def handler(event: webhooks.Event) -> None:
        started.set()
        release.wait(GUARD)
        log.append("handled")

    async with client(returning(app, log)) as http:
        response = await asyncio.wait_for(http.post(URL, content=event("SLOW")), GUARD)
        assert response.status_code == 200
        assert log == ["lifespan.startup.complete", "returned"]  # answered and returned, the handler still to run
        await wait_for(started)
        await incoming.put({"type": "lifespan.shutdown"})
        while not incoming.empty():  # the lifespan has taken the shutdown and runs it up to its first wait
            await asyncio.sleep(0)
        assert not running.done()
        assert "lifespan.shutdown.complete" not in log
        release.set()
        await asyncio.wait_for(running, GUARD)
    assert log == ["lifespan.startup.complete", "returned", "handled", "lifespan.shutdown.complete"]


@pytest.mark.parametrize("lifespan_before", [False, True], ids=["no lifespan", "after the lifespan shutdown"])
async def test_without_a_running_lifespan_the_call_returns_after_its_plain_handlers(lifespan_before: bool) -> None:
    log: list[str] = []
    app = WebhookApp(lambda event: log.append("handled"), token=TOKEN)
    if lifespan_before:
        incoming, _, running = await lifespan(app)
        await shut_down(incoming, running)
    async with client(returning(app, log)) as http:
        assert (await http.post(URL, content=event("ONE"))).status_code == 200
    assert log == ["handled", "returned"]


async def test_with_a_lifespan_an_event_with_a_coroutine_handler_still_waits_for_its_handlers() -> None:
    log: list[str] = []
    app = WebhookApp(lambda event: log.append("plain"), token=TOKEN)
    incoming, _, running = await lifespan(app)

    @app.on_any
    async def coroutine(event: webhooks.Event) -> None:
        log.append("coroutine")

    async with client(returning(app, log)) as http:
        assert (await http.post(URL, content=event("ONE"))).status_code == 200
    assert log == ["plain", "coroutine", "returned"]
    await shut_down(incoming, running)


async def test_with_a_lifespan_handlers_run_in_order_and_a_failure_is_logged_without_stopping_the_next(
    caplog: pytest.LogCaptureFixture,
) -> None:
    loop_thread = threading.current_thread()
    app = WebhookApp(token=TOKEN)
    incoming, log, running = await lifespan(app)

    class AsyncCallable:  # a plain callable whose call returns an awaitable: awaited on the loop, in order
        async def __call__(self, event: webhooks.Event) -> None:
            log.append("awaitable" if threading.current_thread() is loop_thread else "awaitable off the loop")

    class FailingAsyncCallable:
        async def __call__(self, event: webhooks.Event) -> None:
            raise KeyError("missing")

    @app.on("image")
    def first(event: webhooks.Event) -> None:
        log.append("first")

    @app.on("image")
    def broken(event: webhooks.Event) -> None:
        raise RuntimeError("database is down")

    app.on("image")(AsyncCallable())
    app.on("image")(FailingAsyncCallable())

    @app.on("image")
    def last(event: webhooks.Event) -> None:
        log.append("last")

    with caplog.at_level(logging.ERROR, logger="megaapi.webhooks"):
        async with client(returning(app, log)) as http:
            assert (await http.post(URL, content=body(IMAGE))).status_code == 200
        await shut_down(incoming, running)  # runs what was handed over, and waits for it

    assert log == [
        "lifespan.startup.complete",
        "returned",
        "first",
        "awaitable",
        "last",
        "lifespan.shutdown.complete",
    ]
    failures = [record for record in caplog.records if record.name == "megaapi.webhooks"]
    assert len(failures) == 2
    for record, handler_name in zip(failures, ("broken", "FailingAsyncCallable"), strict=True):
        message = record.getMessage()
        assert message.startswith("Webhook handler ")
        assert f".{handler_name} failed on a image event (messageType 'imageMessage'" in message
        assert "key.id '5496701AC02ECA38DF6D086E3C4EEF00'" in message  # to find the event again
        assert record.exc_info is not None
    assert "database is down" in caplog.text  # the tracebacks
    assert "KeyError: 'missing'" in caplog.text
    assert TOKEN not in caplog.text
    assert payload(IMAGE)["instance_key"] not in caplog.text


async def test_with_a_lifespan_a_cancelled_awaitable_is_logged_and_the_next_handler_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    awaiting: list[asyncio.Task[object]] = []
    started = asyncio.Event()
    app = WebhookApp(token=TOKEN)
    incoming, log, running = await lifespan(app)

    class Forever:
        async def __call__(self, event: webhooks.Event) -> None:
            task = asyncio.current_task()
            assert task is not None
            awaiting.append(task)
            started.set()
            await asyncio.Event().wait()

    app.on_any(Forever())
    app.on_any(lambda event: log.append("next"))
    with caplog.at_level(logging.ERROR, logger="megaapi.webhooks"):
        async with client(app) as http:
            assert (await http.post(URL, content=body(ACK))).status_code == 200
        await asyncio.wait_for(started.wait(), GUARD)
        awaiting[0].cancel()  # as the server's loop does when it is forced down
        await shut_down(incoming, running)
    assert log == ["lifespan.startup.complete", "next", "lifespan.shutdown.complete"]
    assert "Forever was cancelled on a ack event" in caplog.text
    assert "3EB0C767D26A1D4B1F9E" in caplog.text


async def test_with_a_lifespan_handlers_see_the_context_of_the_request() -> None:
    request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="none")
    seen: list[str] = []
    loop_thread = threading.current_thread()
    app = WebhookApp(token=TOKEN)
    incoming, log, running = await lifespan(app)

    @app.on_any
    def handler(event: webhooks.Event) -> None:
        seen.append(request_id.get())

    class AsyncCallable:
        async def __call__(self, event: webhooks.Event) -> None:
            assert threading.current_thread() is loop_thread
            seen.append(request_id.get())

    app.on_any(AsyncCallable())

    async def middleware(scope: Any, receive: Any, send: Any) -> None:
        request_id.set(scope["path"])
        await app(scope, receive, send)
        log.append("returned")

    async with client(middleware) as http:
        await http.post(URL, content=event("ONE"))
    await shut_down(incoming, running)
    assert log == ["lifespan.startup.complete", "returned", "lifespan.shutdown.complete"]
    assert seen == ["/megaapi", "/megaapi"]


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


async def test_a_submitted_function_runs_in_the_callers_context_and_nothing_comes_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name: contextvars.ContextVar[str] = contextvars.ContextVar("name", default="none")
    seen: list[str] = []
    loop = asyncio.get_running_loop()
    woken_with: list[str] = []
    wake = loop.call_soon_threadsafe

    def recording(callback: Callable[..., object], *args: Any, **kwargs: Any) -> Any:
        woken_with.append(getattr(callback, "__name__", repr(callback)))
        return wake(callback, *args, **kwargs)

    monkeypatch.setattr(loop, "call_soon_threadsafe", recording)
    threads = HandlerThreads(loop, max_threads=1)
    name.set("caller")
    for _ in range(50):
        threads.submit(lambda: seen.append(name.get()))
    await threads.aclose()
    assert seen == ["caller"] * 50
    assert woken_with == ["_thread_ended"]  # only aclose's wait for the last thread to end woke the loop


async def test_a_submitted_function_that_raises_is_logged_and_the_thread_carries_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def fails() -> None:
        raise KeyError("missing")

    ran: list[str] = []
    threads = HandlerThreads(asyncio.get_running_loop(), max_threads=1)
    with caplog.at_level(logging.ERROR, logger="megaapi.webhooks"):
        threads.submit(fails)
        threads.submit(lambda: ran.append("next"))
        await threads.aclose()
    assert ran == ["next"]
    (record,) = caplog.records
    assert record.name == "megaapi.webhooks"
    assert "fails" in record.getMessage()
    assert record.exc_info is not None


async def test_aclose_waits_for_a_running_submitted_function() -> None:
    started, release = threading.Event(), threading.Event()
    ran: list[str] = []
    threads = HandlerThreads(asyncio.get_running_loop(), max_threads=1)
    threads.submit(lambda: ran.append(blocking(started, release, "first")()))
    await wait_for(started)
    closing = asyncio.create_task(threads.aclose())
    await asyncio.sleep(0)
    assert not closing.done()
    release.set()
    await asyncio.wait_for(closing, GUARD)
    assert ran == ["first"]


async def test_a_worker_can_await_on_the_loop() -> None:
    loop_thread = threading.current_thread()
    results: list[object] = []
    threads = HandlerThreads(asyncio.get_running_loop(), max_threads=1)

    async def on_the_loop() -> str:
        return "loop" if threading.current_thread() is loop_thread else "elsewhere"

    async def fails() -> None:
        raise KeyError("missing")

    def worker() -> None:
        results.append(threads.await_on_loop(on_the_loop()))
        try:
            threads.await_on_loop(fails())
        except KeyError as error:
            results.append(error)

    threads.submit(worker)
    await threads.aclose()
    assert results[0] == "loop"
    assert isinstance(results[1], KeyError)
