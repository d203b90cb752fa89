"""`WebhookApp`: authentication, HTTP errors, dispatch to sync and async handlers, failure logging."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from webhook_payloads import body, payload

from megaapi import webhooks
from megaapi.webhooks import WebhookApp

TOKEN = "test-token-0123456789abcdef"
URL = f"http://testserver/megaapi?token={TOKEN}"
TEXT = "vendor_3_2_conversation"
IMAGE = "vendor_3_6_image"
ACK = "handwritten_message_ack"


def client(app: WebhookApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def post(app: WebhookApp, content: bytes, url: str = URL) -> httpx.Response:
    async with client(app) as http:
        return await http.post(url, content=content, headers={"content-type": "application/json"})


# --- configuration -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["", "short", "has spaces in it!!", "ünïcode-token-0123456789"])
def test_a_missing_short_or_unsafe_token_is_refused(token: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MEGAAPI_WEBHOOK_TOKEN", raising=False)
    with pytest.raises(ValueError, match="token") as caught:
        WebhookApp(token=token)
    if token:
        assert token not in str(caught.value)


def test_the_token_can_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEGAAPI_WEBHOOK_TOKEN", TOKEN)
    app = WebhookApp()
    assert TOKEN not in repr(app)
    monkeypatch.delenv("MEGAAPI_WEBHOOK_TOKEN")
    with pytest.raises(ValueError, match="MEGAAPI_WEBHOOK_TOKEN"):
        WebhookApp()


def test_other_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="instance_key"):
        WebhookApp(token=TOKEN, instance_key="")
    with pytest.raises(ValueError, match="max_body_size"):
        WebhookApp(token=TOKEN, max_body_size=0)


def test_on_needs_known_kinds() -> None:
    app = WebhookApp(token=TOKEN)
    with pytest.raises(ValueError, match="at least one"):
        app.on()
    with pytest.raises(ValueError, match=r"unknown event kind\(s\) \['txt'\]"):
        app.on("txt")  # type: ignore[arg-type]


# --- HTTP ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://testserver/megaapi",
        "http://testserver/megaapi?token=",
        "http://testserver/megaapi?token=wrong-token-0123456789abcd",
        f"http://testserver/megaapi?token={TOKEN}x",
        f"http://testserver/megaapi?token={TOKEN}&token={TOKEN}",
        f"http://testserver/megaapi?Token={TOKEN}",
        "http://testserver/megaapi?token=%C3%BC",
    ],
)
async def test_a_request_without_the_token_gets_401_and_runs_nothing(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[object] = []
    app = WebhookApp(seen.append, token=TOKEN)
    with caplog.at_level(logging.DEBUG, logger="megaapi.webhooks"):
        response = await post(app, body(TEXT), url)
    assert response.status_code == 401
    assert seen == []
    assert "token" in caplog.text
    assert TOKEN not in caplog.text


async def test_only_post_is_allowed() -> None:
    async with client(WebhookApp(token=TOKEN)) as http:
        response = await http.get(URL)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


@pytest.mark.parametrize("content", [b"", b"{oops", b"[]", b"\xff\xfe\xfa"])
async def test_a_body_that_is_not_a_json_object_gets_400(content: bytes) -> None:
    seen: list[object] = []
    response = await post(WebhookApp(seen.append, token=TOKEN), content)
    assert response.status_code == 400
    assert seen == []


async def test_a_body_over_the_limit_gets_413_whether_declared_or_streamed() -> None:
    app = WebhookApp(token=TOKEN, max_body_size=len(body(TEXT)) - 1)
    assert (await post(app, body(TEXT))).status_code == 413

    async def chunks() -> AsyncIterator[bytes]:
        yield body(TEXT)[:100]
        yield body(TEXT)[100:]

    async with client(app) as http:
        response = await http.post(URL, content=chunks())  # sent without a content-length
    assert response.status_code == 413


async def test_a_large_media_body_within_the_default_limit_is_accepted() -> None:
    data = payload(IMAGE)
    data["message"]["imageMessage"]["jpegThumbnail"] = "A" * (5 * 1024 * 1024)
    seen: list[object] = []
    response = await post(WebhookApp(seen.append, token=TOKEN), httpx.Request("POST", URL, json=data).read())
    assert response.status_code == 200
    assert [type(event) for event in seen] == [webhooks.ImageEvent]


async def test_an_event_for_another_instance_gets_403_when_the_instance_is_set() -> None:
    seen: list[object] = []
    app = WebhookApp(seen.append, token=TOKEN, instance_key="megaapi-sdkfjsdijfhftrgsdfk")
    assert (await post(app, body(TEXT))).status_code == 200
    assert (await post(app, body(IMAGE))).status_code == 403  # the image example names another instance
    assert (await post(app, b'{"messageType": "connection_update"}')).status_code == 200  # names none
    assert len(seen) == 2


async def test_the_token_is_masked_in_the_scope_servers_log_from() -> None:
    app = WebhookApp(token=TOKEN)
    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "path": "/megaapi",
        "query_string": f"a=1&token={TOKEN}".encode(),
        "headers": [],
    }
    messages = [{"type": "http.request", "body": body(TEXT), "more_body": False}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    await app(scope, receive, send)
    assert sent[0]["status"] == 200
    assert scope["query_string"] == b"a=1&token=***"


async def test_uvicorn_access_log_never_shows_the_token(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A uvicorn.Config with access_log=False, made by an earlier test, stops this logger from propagating.
    monkeypatch.setattr(logging.getLogger("uvicorn.access"), "propagate", True)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(WebhookApp(token=TOKEN), log_config=None, lifespan="on"))
    running = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        with caplog.at_level(logging.INFO, logger="uvicorn.access"):
            async with httpx.AsyncClient() as http:
                response = await http.post(f"http://127.0.0.1:{port}/megaapi?token={TOKEN}", content=body(TEXT))
    finally:
        server.should_exit = True
        await running
        listener.close()
    assert response.status_code == 200
    access = [record.getMessage() for record in caplog.records if record.name == "uvicorn.access"]
    assert access
    assert all(TOKEN not in line and "token=***" in line for line in access)


async def test_lifespan_and_websocket_scopes_are_answered() -> None:
    app = WebhookApp(token=TOKEN)
    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[Any] = []

    async def receive() -> Any:
        return incoming.pop(0)

    async def send(message: Any) -> None:
        sent.append(message)

    await app({"type": "lifespan"}, receive, send)
    await app({"type": "websocket"}, receive, send)
    assert [message["type"] for message in sent] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
        "websocket.close",
    ]


# --- dispatch ------------------------------------------------------------------------------------------------------


async def test_events_go_to_the_handlers_of_their_kind_sync_and_async() -> None:
    calls: list[tuple[str, str]] = []
    threads: list[bool] = []
    app = WebhookApp(lambda event: calls.append(("any", event.kind)), token=TOKEN)

    @app.on("text")
    async def on_text(event: webhooks.Event) -> None:
        calls.append(("text", event.kind))

    @app.on("image", "video")
    def on_media(event: webhooks.Event) -> None:
        threads.append(threading.current_thread() is not threading.main_thread())
        calls.append(("media", event.kind))

    @app.on_ack
    async def on_ack(event: webhooks.MessageAckEvent) -> None:
        calls.append(("ack", "delivered" if event.ack is webhooks.AckStatus.DELIVERED else "other"))

    @app.on("unknown")
    def on_unknown(event: webhooks.UnknownEvent) -> None:
        calls.append(("unknown", event.message_type))

    for name in (TEXT, IMAGE, ACK, "handwritten_reaction_unknown", "vendor_3_8_location"):
        assert (await post(app, body(name))).status_code == 200

    assert calls == [
        ("any", "text"),
        ("text", "text"),
        ("any", "image"),
        ("media", "image"),
        ("any", "ack"),
        ("ack", "delivered"),
        ("any", "unknown"),
        ("unknown", "reactionMessage"),
        ("any", "location"),
    ]
    assert threads == [True]  # a plain function runs in a worker thread, off the event loop


async def test_an_async_callable_object_is_awaited() -> None:
    seen: list[str] = []

    class Handler:
        async def __call__(self, event: webhooks.Event) -> None:
            seen.append(event.kind)

    app = WebhookApp(Handler(), token=TOKEN)
    assert (await post(app, body(TEXT))).status_code == 200
    assert seen == ["text"]


async def test_the_response_is_sent_before_the_handlers_run() -> None:
    sent: list[str] = []
    seen_before_handler: list[list[str]] = []
    app = WebhookApp(token=TOKEN)

    @app.on_any
    async def handler(event: webhooks.Event) -> None:
        seen_before_handler.append(list(sent))

    messages = [{"type": "http.request", "body": body(TEXT), "more_body": False}]

    async def receive() -> Any:
        return messages.pop(0)

    async def send(message: Any) -> None:
        sent.append(message["type"])

    scope = {"type": "http", "method": "POST", "query_string": f"token={TOKEN}".encode(), "headers": []}
    await app(scope, receive, send)
    assert seen_before_handler == [["http.response.start", "http.response.body"]]


async def test_a_failing_handler_is_logged_and_the_others_still_run(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[str] = []
    app = WebhookApp(token=TOKEN)

    @app.on("image")
    def broken(event: webhooks.Event) -> None:
        raise RuntimeError("database is down")

    @app.on("image")
    async def broken_async(event: webhooks.Event) -> None:
        raise KeyError("missing")

    @app.on("image")
    def working(event: webhooks.Event) -> None:
        seen.append(event.kind)

    with caplog.at_level(logging.ERROR, logger="megaapi.webhooks"):
        response = await post(app, body(IMAGE))

    assert response.status_code == 200
    assert seen == ["image"]
    failures = [record for record in caplog.records if record.name == "megaapi.webhooks"]
    assert len(failures) == 2
    for record, handler_name in zip(failures, ("broken", "broken_async"), strict=True):
        message = record.getMessage()
        assert handler_name in message
        assert "image event" in message
        assert "imageMessage" in message
        assert "5496701AC02ECA38DF6D086E3C4EEF00" in message  # key.id, to find the event again
        assert record.exc_info is not None
        assert TOKEN not in message
        assert payload(IMAGE)["instance_key"] not in message


async def test_a_cancelled_handler_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    started = asyncio.Event()
    app = WebhookApp(token=TOKEN)

    @app.on_any
    async def slow(event: webhooks.Event) -> None:
        started.set()
        await asyncio.Event().wait()

    messages = [{"type": "http.request", "body": body(ACK), "more_body": False}]

    async def receive() -> Any:
        return messages.pop(0)

    async def send(message: Any) -> None:
        return None

    scope = {"type": "http", "method": "POST", "query_string": f"token={TOKEN}".encode(), "headers": []}
    with caplog.at_level(logging.ERROR, logger="megaapi.webhooks"):
        call = asyncio.create_task(app(scope, receive, send))
        await started.wait()
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
    assert "slow was cancelled on a ack event" in caplog.text
    assert "3EB0C767D26A1D4B1F9E" in caplog.text


async def test_a_malformed_known_event_is_answered_and_dispatched_as_unknown() -> None:
    seen: list[webhooks.UnknownEvent] = []
    app = WebhookApp(token=TOKEN)
    app.on("unknown")(seen.append)
    response = await post(app, b'{"messageType": "imageMessage", "key": "x", "message": {}}')
    assert response.status_code == 200
    (event,) = seen
    assert event.reason == "key: expected an object, got a string"
