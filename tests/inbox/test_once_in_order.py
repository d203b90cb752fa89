"""Each event is handled once, in arrival order per chat, retried with backoff, dead-lettered and replayable.

Every test runs on SQLite and on a real PostgreSQL. Time is the test's clock: retries become due when the test
moves it, never by sleeping.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from inbox_support import CHAT, Clock, ack_event, payload, text_event

from megaapi.inbox import Inbox
from megaapi.webhooks import Event, MessageAckEvent, WebhookParseError

MakeInbox = Callable[..., Inbox]
FIXTURES = [
    "vendor_3_2_conversation",
    "vendor_3_4_audio",
    "vendor_3_5_video",
    "vendor_3_6_image",
    "vendor_3_7_document",
    "vendor_3_9_contact",
    "handwritten_message_ack",
    "handwritten_connection_update_message",
    "handwritten_group_message",
    "handwritten_reaction_unknown",
]


def recorder(inbox: Inbox) -> list[tuple[str, str | None, int]]:
    seen: list[tuple[str, str | None, int]] = []

    @inbox.on_event
    def record(event: Event, attempt: int) -> None:
        seen.append((event.kind, event.message_id, attempt))

    return seen


async def test_redeliveries_of_real_payloads_in_any_order_are_handled_once(
    any_store: str, clock: Clock, make_inbox: MakeInbox
) -> None:
    inbox = make_inbox(any_store)
    seen = recorder(inbox)
    deliveries = [payload(name) for name in FIXTURES] * 3
    random.Random(12).shuffle(deliveries)
    new = [inbox.store(delivery)[1] for delivery in deliveries]
    assert sum(new) == len(FIXTURES)
    assert await inbox.run_pending() == len(FIXTURES)
    assert len(seen) == len(FIXTURES)
    assert {record.deliveries for record in inbox.events()} == {3}
    # A redelivery after the event was handled is absorbed too.
    inbox.store(payload("vendor_3_2_conversation"))
    assert await inbox.run_pending() == 0


async def test_what_identifies_an_event(any_store: str, clock: Clock, make_inbox: MakeInbox) -> None:
    inbox = make_inbox(any_store)
    assert inbox.store(text_event("A", "one"))[1]
    assert not inbox.store(text_event("A", "one, edited in transit"))[1]  # same message id and type
    assert inbox.store(text_event("A", "one", chat="5511900000000@s.whatsapp.net"))[1]  # another chat
    assert inbox.store(ack_event("A", 3))[1]
    assert not inbox.store(ack_event("A", "3"))[1]  # the same receipt, spelled as a string
    assert inbox.store(ack_event("A", 4))[1]  # the next receipt of the same message


async def test_a_chat_is_handled_in_arrival_order_and_one_event_at_a_time(
    any_store: str, clock: Clock, make_inbox: MakeInbox
) -> None:
    inbox = make_inbox(any_store)
    active: set[str] = set()
    overlapped: list[str] = []
    order: dict[str, list[str]] = {}

    @inbox.on_event
    async def handle(event: Event, attempt: int) -> None:
        chat = event.chat_jid or ""
        if chat in active:
            overlapped.append(chat)
        active.add(chat)
        await asyncio.sleep(0)  # let other chats' events interleave
        order.setdefault(chat, []).append(event.text or "")
        active.discard(chat)

    chats = [f"55119000000{n:02d}@s.whatsapp.net" for n in range(4)]
    for number in range(10):
        for chat in chats:
            # Message timestamps are deliberately backwards: arrival order is what counts.
            inbox.store(text_event(f"{chat}-{number}", str(number), chat=chat, timestamp=2_000_000_000 - number))
    stop = asyncio.Event()
    worker = asyncio.create_task(inbox.work(concurrency=4, poll_interval=0.01, stop=stop))
    while len(inbox.events(state="done")) < 40:
        await asyncio.sleep(0.01)
    stop.set()
    await worker
    assert overlapped == []
    assert order == {chat: [str(n) for n in range(10)] for chat in chats}


async def test_failures_are_retried_with_backoff_then_dead_lettered_then_replayed(
    any_store: str, clock: Clock, make_inbox: MakeInbox
) -> None:
    inbox = make_inbox(any_store, max_attempts=3, retry_delay=lambda attempt: 10.0 * attempt)
    attempts: list[int] = []
    healthy = False

    @inbox.on("text")
    def flaky(event: Event, attempt: int) -> None:
        attempts.append(attempt)
        if not healthy:
            raise RuntimeError(f"downstream refused {event.message_id}")

    inbox.store(text_event("FAILING", "hello"))
    inbox.store(text_event("LATER", "same chat, after it"))
    assert await inbox.run_pending() == 1
    assert attempts == [1]
    clock.advance(9)
    assert await inbox.run_pending() == 0  # not due yet, and the next event of the chat waits behind it
    clock.advance(1)
    assert await inbox.run_pending() == 1
    clock.advance(20)
    assert await inbox.run_pending() == 2  # third attempt fails: a dead letter, which no longer holds the chat up
    assert attempts == [1, 2, 3, 1]
    dead = inbox.dead_letters()
    assert [(record.message_id, record.attempts) for record in dead] == [("FAILING", 3)]
    assert "RuntimeError: downstream refused FAILING" in (dead[0].last_error or "")

    healthy = True
    clock.advance(10)
    assert await inbox.run_pending() == 1  # LATER's second attempt
    assert inbox.replay(dead=True) == 1
    assert await inbox.run_pending() == 1
    assert attempts == [1, 2, 3, 1, 2, 1]  # the replayed event's attempts start over
    assert inbox.dead_letters() == []
    assert {record.state for record in inbox.events()} == {"done"}


async def test_a_time_range_is_replayed_in_order(any_store: str, clock: Clock, make_inbox: MakeInbox) -> None:
    inbox = make_inbox(any_store)
    seen = recorder(inbox)
    for number in range(5):
        inbox.store(text_event(f"M{number}", str(number)))
        clock.advance(60)
    await inbox.run_pending()
    seen.clear()
    since = datetime.fromtimestamp(clock.now - 4 * 60, UTC)  # the second event's arrival
    until = datetime.fromtimestamp(clock.now - 60, UTC)  # before the fifth's
    assert inbox.replay(since=since, until=until) == 3
    await inbox.run_pending()
    assert [message_id for _, message_id, _ in seen] == ["M1", "M2", "M3"]
    with pytest.raises(ValueError, match="replay"):
        inbox.replay()
    with pytest.raises(ValueError, match="time zone"):
        inbox.replay(since=datetime(2026, 1, 1))


async def test_an_abandoned_event_is_taken_over_when_its_lease_expires(
    any_store: str, clock: Clock, make_inbox: MakeInbox
) -> None:
    inbox = make_inbox(any_store, lease=30)
    seen = recorder(inbox)
    inbox.store(text_event("ABANDONED", "hello"))
    claimed = inbox._claim("a-worker-that-dies")
    assert claimed is not None
    assert claimed.attempt == 1
    assert await inbox.run_pending() == 0  # still leased
    clock.advance(31)
    assert await inbox.run_pending() == 1
    assert seen == [("text", "ABANDONED", 2)]


async def test_handlers_get_typed_events_by_kind(sqlite_store: str, clock: Clock, make_inbox: MakeInbox) -> None:
    inbox = make_inbox(sqlite_store)
    acks: list[Any] = []
    inbox.on_ack(lambda event, attempt: acks.append((type(event), event.ack, attempt)))
    inbox.store(payload("handwritten_message_ack"))
    inbox.store(payload("vendor_3_2_conversation"))
    assert await inbox.run_pending() == 2
    assert [(kind, int(ack), attempt) for kind, ack, attempt in acks] == [(MessageAckEvent, 3, 1)]


def test_bodies_that_are_not_events_are_refused(sqlite_store: str, make_inbox: MakeInbox) -> None:
    inbox = make_inbox(sqlite_store)
    with pytest.raises(WebhookParseError):
        inbox.store(b"[1, 2]")
    assert inbox.events() == []


def test_hostile_values_are_stored(any_store: str, make_inbox: MakeInbox) -> None:
    inbox = make_inbox(any_store)
    event = text_event("X" * 5000, "nul \x00 and a lone surrogate \ud800", chat="\x00" * 300)
    assert inbox.store(event)[1]
    [record] = inbox.events()
    assert record.payload == event
    assert record.chat == "\ufffd" * 255
    huge = payload("vendor_3_6_image")
    huge["message"]["imageMessage"]["fileLength"] = 10**30
    assert inbox.store(huge)[1]
    assert inbox.store(ack_event("X", 10**30))[1]


def test_raw_payloads_are_purged_after_the_retention_period_and_cannot_be_replayed(
    sqlite_store: str, clock: Clock, make_inbox: MakeInbox
) -> None:
    inbox = make_inbox(sqlite_store, raw_retention=3600)
    inbox.store(text_event("OLD", "old"))
    asyncio.run(inbox.run_pending())
    clock.advance(3601)
    inbox.store(text_event("NEW", "new"))
    assert inbox.purge() == 1
    assert [record.payload is None for record in inbox.events()] == [True, False]
    assert inbox.history.message("OLD") is not None  # the history stays
    assert inbox.replay(since=datetime.fromtimestamp(0, UTC)) == 0


def test_settings_are_checked(sqlite_store: str, make_inbox: MakeInbox) -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        make_inbox(sqlite_store, max_attempts=0)
    with pytest.raises(ValueError, match="lease"):
        make_inbox(sqlite_store, lease=0)
    assert CHAT not in repr(make_inbox(sqlite_store))


async def test_a_worker_keeps_going_when_the_store_fails_for_a_moment(
    sqlite_store: str, make_inbox: MakeInbox, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = make_inbox(sqlite_store, clock=time.time)
    seen = recorder(inbox)
    claim, failures = inbox._claim, [OSError("the database went away")]

    def flaky(worker: str) -> Any:
        if failures:
            raise failures.pop()
        return claim(worker)

    monkeypatch.setattr(inbox, "_claim", flaky)
    inbox.store(text_event("A", "a"))
    stop = asyncio.Event()
    worker = asyncio.create_task(inbox.work(poll_interval=0.01, stop=stop))
    while not seen and not worker.done():
        await asyncio.sleep(0.01)
    stop.set()
    await worker
    assert seen == [("text", "A", 1)]
    assert "Could not claim an event" in caplog.text
