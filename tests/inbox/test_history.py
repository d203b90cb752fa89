"""The message history: inbound messages, our sends (through the SDK against the emulator), receipts, queries."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from inbox_support import CHAT, Clock, ack_event, payload, text_event

from megaapi import MegaApi
from megaapi.inbox import Inbox
from megaapi.testing import ServedEmulator

MakeInbox = Callable[..., Inbox]
OTHER = "5511988887777@s.whatsapp.net"


def test_receipts_only_move_forward_in_any_order(any_store: str, make_inbox: MakeInbox) -> None:
    inbox = make_inbox(any_store)
    inbox.store(ack_event("SENT-1", 4))  # read arrives first, before anything else about the message
    inbox.store(ack_event("SENT-1", 3))  # a late "delivered"
    inbox.store(ack_event("SENT-1", 2))
    message = inbox.history.message("SENT-1")
    assert message is not None
    assert (message.status, message.status_name, message.type) == (4, "read", None)
    inbox.store(ack_event("SENT-1", 5))
    assert inbox.history.message("SENT-1").status_name == "played"  # type: ignore[union-attr]
    # Known only from receipts, so not listed among the chat's messages.
    assert inbox.history.messages(CHAT) == []


def test_an_echo_joins_the_message_sent_through_the_sdk(
    megaapi_emulator: ServedEmulator, megaapi_client: MegaApi, any_store: str, make_inbox: MakeInbox, clock: Clock
) -> None:
    inbox = make_inbox(any_store)
    inbox.record_sends(megaapi_client)
    copy_client = megaapi_client.with_options(timeout=10)  # copies record too
    sent = megaapi_client.messages.send_text(OTHER, "Olá, pedido confirmado")
    clock.advance(1)  # both sends fall in the same second; the order they were recorded in breaks the tie
    copy_client.messages.send_text(OTHER, "second")
    for event in megaapi_emulator.emulator.events():  # the emulator's receipts 2, 3 and 4
        inbox.store(event)
    assert sent.message_id is not None
    echo = {
        "instance_key": megaapi_emulator.instance_key,
        "jid": megaapi_emulator.instance.jid,
        "messageType": "extendedTextMessage",
        "key": {"remoteJid": OTHER, "fromMe": True, "id": sent.message_id},
        "messageTimestamp": 1,
        "pushName": "Loja",
        "message": {"extendedTextMessage": {"text": "Olá, pedido confirmado"}},
    }
    inbox.store(echo)
    messages = inbox.history.messages(OTHER)
    assert [(m.id == sent.message_id, m.text, m.from_me, m.source) for m in messages] == [
        (True, "Olá, pedido confirmado", True, "sdk"),
        (False, "second", True, "sdk"),
    ]
    first = inbox.history.message(sent.message_id)
    assert first is not None
    assert first.echoed
    assert first.status_name == "read"
    assert first.timestamp.year >= 2024  # the send's own time, not the echo's


def test_a_sent_message_is_recorded_even_when_its_receipts_came_first(
    megaapi_emulator: ServedEmulator, megaapi_client: MegaApi, sqlite_store: str, make_inbox: MakeInbox
) -> None:
    inbox = make_inbox(sqlite_store)
    sent = megaapi_client.messages.send_text(OTHER, "hi")
    for event in megaapi_emulator.emulator.events():
        inbox.store(event)
    inbox.record_sends(megaapi_client)
    inbox._record_sent(sent)
    [message] = inbox.history.messages(OTHER)
    assert (message.text, message.status_name, message.source) == ("hi", "read", "sdk")


def test_a_failure_to_record_a_send_never_fails_the_send(
    megaapi_client: MegaApi, sqlite_store: str, make_inbox: MakeInbox
) -> None:
    inbox = make_inbox(sqlite_store)
    inbox.record_sends(megaapi_client)
    inbox.engine.dispose()
    Path(sqlite_store.removeprefix("sqlite:///")).unlink()
    Path(sqlite_store.removeprefix("sqlite:///")).mkdir()  # the store is now unusable
    assert megaapi_client.messages.send_text(OTHER, "still sent").message_id


def test_a_chats_messages_in_time_order_with_paging(any_store: str, make_inbox: MakeInbox) -> None:
    inbox = make_inbox(any_store)
    for number in reversed(range(7)):  # arriving newest first
        inbox.store(text_event(f"M{number}", f"text {number}", timestamp=1_700_000_000 + number))
    inbox.store(text_event("ELSEWHERE", "other chat", chat=OTHER))
    page = inbox.history.messages(CHAT, limit=3)
    assert [m.text for m in page] == ["text 4", "text 5", "text 6"]
    older = inbox.history.messages(CHAT, limit=3, offset=3)
    assert [m.text for m in older] == ["text 1", "text 2", "text 3"]
    assert [m.id for m in inbox.history.messages(CHAT, limit=3, offset=6)] == ["M0"]
    assert page[0].timestamp == datetime.fromtimestamp(1_700_000_004, UTC)


def test_chats_with_their_last_message_and_unread_count(any_store: str, make_inbox: MakeInbox, clock: Clock) -> None:
    inbox = make_inbox(any_store)
    inbox.store(text_event("A1", "first", timestamp=100))
    inbox.store(text_event("A2", "second", timestamp=200))
    inbox.store(text_event("B1", "other", chat=OTHER, timestamp=150))
    chats = inbox.history.chats()
    assert [(c.chat, c.last_message.text, c.unread) for c in chats] == [(CHAT, "second", 2), (OTHER, "other", 1)]
    inbox.history.mark_read(CHAT)
    inbox.store(text_event("A3", "third", timestamp=300))
    reply = copy.deepcopy(text_event("A4", "our answer", timestamp=250))
    reply["key"]["fromMe"] = True
    inbox.store(reply)  # our reply at 250 reads everything before it, not "third" at 300
    assert [(c.chat, c.unread) for c in inbox.history.chats()] == [(CHAT, 1), (OTHER, 1)]
    assert [c.chat for c in inbox.history.chats(limit=1)] == [CHAT]


def test_media_metadata_is_kept_and_the_file_downloads_under_a_safe_name(
    megaapi_emulator: ServedEmulator, megaapi_client: MegaApi, sqlite_store: str, make_inbox: MakeInbox, tmp_path: Path
) -> None:
    inbox = make_inbox(sqlite_store)
    event = megaapi_emulator.emulator.receive_media(
        "5511977776666", "document", b"%PDF-1.4 invoice", file_name="../../etc/passwd", mimetype="application/pdf"
    )
    event["key"]["id"] = "../../evil id"
    inbox.store(event)
    message = inbox.history.message("../../evil id")
    assert message is not None
    assert message.media is not None
    assert (message.media.mimetype, message.media.file_name, message.media.length) == (
        "application/pdf",
        "../../etc/passwd",
        16,
    )
    folder = tmp_path / "media"
    folder.mkdir()
    path = inbox.download_media(megaapi_client, "../../evil id", folder)
    assert path == folder / "passwd"
    assert path.read_bytes() == b"%PDF-1.4 invoice"
    assert inbox.history.message("../../evil id").media.path == str(path)  # type: ignore[union-attr]
    again = inbox.download_media(megaapi_client, "../../evil id", folder)  # never overwrites
    assert again.parent == folder
    assert again.name.startswith("passwd-")
    assert path.read_bytes() == again.read_bytes()


def test_other_fixture_kinds_land_in_the_history(sqlite_store: str, make_inbox: MakeInbox) -> None:
    inbox = make_inbox(sqlite_store)
    for name in [
        "vendor_3_4_audio",
        "vendor_3_8_location",
        "handwritten_group_message",
        "handwritten_connection_update_message",
    ]:
        inbox.store(payload(name))
    kinds = sorted(m.type or "" for chat in inbox.history.chats() for m in inbox.history.messages(chat.chat))
    assert kinds == ["audio", "location", "text"]
