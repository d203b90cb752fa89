"""`InboxReceiver`: WebhookApp's checks, a durable write before the 200, handlers only afterwards."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from inbox_support import TOKEN, payload, text_event

from megaapi.inbox import Inbox, InboxReceiver
from megaapi.webhooks import Event

URL = f"http://testserver/any/path?token={TOKEN}"
MakeInbox = Callable[..., Inbox]


async def post(app: InboxReceiver, content: bytes, url: str = URL) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        return await http.post(url, content=content, headers={"content-type": "application/json"})


async def test_an_event_is_stored_before_the_answer_and_handled_only_by_the_worker(
    sqlite_store: str, make_inbox: MakeInbox
) -> None:
    inbox = make_inbox(sqlite_store)
    handled: list[Event] = []
    inbox.on_event(lambda event, attempt: handled.append(event))
    app = inbox.receiver(token=TOKEN)
    response = await post(app, json.dumps(payload("vendor_3_2_conversation")).encode())
    assert response.status_code == 200
    assert [record.state for record in inbox.events()] == ["pending"]
    assert handled == []
    assert await inbox.run_pending() == 1
    assert [event.text for event in handled] == ["Olá bom dia"]
    # A redelivery is acknowledged as well, and absorbed.
    assert (await post(app, json.dumps(payload("vendor_3_2_conversation")).encode())).status_code == 200
    assert await inbox.run_pending() == 0


@pytest.mark.parametrize(
    ("url", "content", "status"),
    [
        ("http://testserver/?token=wrong-token-0123456789", b"{}", 401),
        (URL, b"not json", 400),
        (URL, b"[]", 400),
        (URL, b"x" * 2048, 413),
        (
            URL.replace("any/path", "other"),
            json.dumps({**text_event("A", "a"), "instance_key": "another"}).encode(),
            403,
        ),
    ],
)
async def test_webhook_app_checks_come_first_and_store_nothing(
    sqlite_store: str, make_inbox: MakeInbox, url: str, content: bytes, status: int
) -> None:
    inbox = make_inbox(sqlite_store)
    app = inbox.receiver(
        token=TOKEN, instance_key=payload("vendor_3_2_conversation")["instance_key"], max_body_size=1024
    )
    assert (await post(app, content, url)).status_code == status
    assert inbox.events() == []


async def test_nothing_is_acknowledged_when_the_store_fails(
    sqlite_store: str, make_inbox: MakeInbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = make_inbox(sqlite_store)
    app = inbox.receiver(token=TOKEN)

    def broken(body: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(inbox, "store", broken)
    response = await post(app, json.dumps(text_event("A", "a")).encode())
    assert response.status_code == 503


def test_handlers_belong_to_the_inbox_not_the_receiver(sqlite_store: str, make_inbox: MakeInbox) -> None:
    app = make_inbox(sqlite_store).receiver(token=TOKEN)
    with pytest.raises(TypeError, match="Inbox"):
        app.on("text")
    with pytest.raises(TypeError, match="Inbox"):
        app.on_any(print)
    assert TOKEN not in repr(app)
    with pytest.raises(ValueError, match="token"):
        make_inbox(sqlite_store).receiver(token="short")
