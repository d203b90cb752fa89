"""Every fixture payload parses to the right event class with the right convenience values, and fits the spec."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from webhook_payloads import FIXTURE_NAMES, body, payload, validator

import megaapi_client.models as generated
from megaapi import webhooks
from megaapi.webhooks import AckStatus

CONTACT = "556195562618@s.whatsapp.net"
OWN_NUMBER = "556181278471@s.whatsapp.net"
GROUP = "120363025246125486@g.us"


def at(hour: int, minute: int, second: int) -> datetime:
    return datetime(2023, 7, 10, hour, minute, second, tzinfo=UTC)


@dataclass(frozen=True)
class Expected:
    event_class: type
    kind: str
    message_id: str | None = None
    chat_jid: str | None = CONTACT
    sender_jid: str | None = CONTACT
    from_me: bool = False
    is_group: bool = False
    text: str | None = None
    timestamp: datetime | None = None
    media_kind: str | None = None
    reply_to: tuple[str, str | None, str | None] | None = None  # id, participant, quoted text
    extra: dict[str, Any] = field(default_factory=dict)  # other properties by name


EXPECTED = {
    "vendor_3_2_conversation": Expected(
        webhooks.ConversationEvent,
        "text",
        "23DECC1FEB57D4A269C9C24D8C69E744",
        text="Olá bom dia",
        timestamp=at(14, 14, 51),
        extra={"sender_name": "Megaapi"},
    ),
    "vendor_3_3_extended_text_readme": Expected(
        webhooks.ExtendedTextEvent,
        "text",
        "23DECC1FEB57D4A269C9C24D8C69E744",
        text="Olá bom dia",  # the README puts it under `conversation`
        timestamp=at(14, 14, 51),
    ),
    "vendor_3_4_audio": Expected(
        webhooks.AudioEvent,
        "audio",
        "5FD1F41408F697B674CA3ADD605687A1",
        timestamp=at(14, 20, 45),
        media_kind="audio",
        extra={"is_voice_note": True},
    ),
    "vendor_3_5_video": Expected(
        webhooks.VideoEvent, "video", "DB14180A5E463B5C8E07F1FEFA705EF9", timestamp=at(14, 22, 30), media_kind="video"
    ),
    "vendor_3_6_image": Expected(
        webhooks.ImageEvent, "image", "5496701AC02ECA38DF6D086E3C4EEF00", timestamp=at(14, 23, 39), media_kind="image"
    ),
    "vendor_3_7_document": Expected(
        webhooks.DocumentEvent,
        "document",
        "8C214F71959E3EA008D129EE1B743334",
        timestamp=at(14, 25, 7),
        media_kind="document",
    ),
    "vendor_3_8_location": Expected(
        webhooks.LocationEvent, "location", "F898EA4B2090B20B31A7355A57FA252A", timestamp=at(14, 37, 37)
    ),
    "vendor_3_9_contact": Expected(
        webhooks.ContactEvent, "contact", "65DC5A8B44D117A791EF84855ED866B8", timestamp=at(14, 39, 6)
    ),
    "vendor_3_10_sticker": Expected(
        webhooks.StickerEvent,
        "sticker",
        "53A80274EFAEA9AA2DB3C0B127004574",
        timestamp=at(14, 41, 48),
        media_kind="sticker",
    ),
    "vendor_3_11_interactive_order_review": Expected(
        webhooks.InteractiveEvent,
        "interactive",
        "93B9DA99E50EE89C9CC2E8FAB30551AD",
        timestamp=at(14, 45, 22),
        reply_to=("0B90675CF538A5889039E8EAAF04C9E2", CONTACT, None),
        extra={"selected_id": None, "selected_text": None},
    ),
    "handwritten_button_reply": Expected(
        webhooks.InteractiveEvent,
        "interactive",
        "7F6E5D4C3B2A19087F6E5D4C3B2A1908",
        timestamp=at(15, 1, 40),  # given as a string
        reply_to=("3EB0F1E2D3C4B5A69788", OWN_NUMBER, None),
        extra={"selected_id": "confirmar", "selected_text": "Confirmar pedido"},
    ),
    "handwritten_list_reply": Expected(
        webhooks.InteractiveEvent,
        "interactive",
        "2A1B9C7D5E3F4A6B8C0D1E2F3A4B5C6D",
        timestamp=at(15, 0, 0),
        reply_to=("3EB0A1B2C3D4E5F60718", OWN_NUMBER, None),
        extra={"selected_id": "pizza-g", "selected_text": "Pizza grande"},
    ),
    "handwritten_group_message": Expected(
        webhooks.ConversationEvent,
        "text",
        "1D2C3B4A5F6E7D8C9B0A1D2C3B4A5F6E",
        chat_jid=GROUP,
        sender_jid=CONTACT,  # key.participant, not the group
        is_group=True,
        text="Bom dia, grupo!",
        timestamp=at(15, 3, 20),
        extra={"sender_name": "Maria"},
    ),
    "handwritten_extended_text_reply": Expected(
        webhooks.ExtendedTextEvent,
        "text",
        "AB12CD34EF56AB12CD34EF56AB12CD34",
        text="Sim, pode enviar",
        timestamp=at(15, 5, 0),
        reply_to=("3EB0C767D26A1D4B1F9E", OWN_NUMBER, "Posso enviar o orçamento?"),
    ),
    "handwritten_message_ack": Expected(
        webhooks.MessageAckEvent,
        "ack",
        "3EB0C767D26A1D4B1F9E",
        sender_jid=None,  # sent by the instance, whose number an ack does not carry
        from_me=True,
        extra={"ack": AckStatus.DELIVERED, "ack_code": 3, "is_sent": True, "is_delivered": True, "is_read": False},
    ),
    "handwritten_message_ack_string_status": Expected(
        webhooks.MessageAckEvent,
        "ack",
        "3EB0C767D26A1D4B1F9E",
        sender_jid=None,
        from_me=True,
        extra={"ack": AckStatus.READ, "ack_code": 4, "is_sent": True, "is_delivered": True, "is_read": True},
    ),
    "handwritten_connection_update_state": Expected(
        webhooks.ConnectionUpdateEvent,
        "connection",
        chat_jid=None,
        sender_jid=None,
        extra={
            "state": "close",
            "changed_at": at(14, 56, 40),
            "timestamp": 1689001000,  # this event's own field, left as delivered
            "close_reason": "connection lost",
        },
    ),
    "handwritten_connection_update_message": Expected(
        webhooks.ConnectionUpdateEvent,
        "connection",
        chat_jid=None,
        sender_jid=None,
        extra={"state": "phone_connected", "changed_at": None, "jid": OWN_NUMBER},
    ),
    "handwritten_reaction_unknown": Expected(
        webhooks.UnknownEvent,
        "unknown",
        "C0FFEE00C0FFEE00C0FFEE00C0FFEE00",
        timestamp=at(15, 6, 40),
        extra={"message_type": "reactionMessage", "reason": None},
    ),
}


def test_every_fixture_has_expectations() -> None:
    assert sorted(EXPECTED) == FIXTURE_NAMES


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_parses_to_the_expected_event(name: str) -> None:
    expected = EXPECTED[name]
    event = webhooks.parse(body(name))

    assert type(event) is expected.event_class
    assert event.kind == expected.kind
    assert event.message_id == expected.message_id
    assert event.chat_jid == expected.chat_jid
    assert event.sender_jid == expected.sender_jid
    assert event.from_me is expected.from_me
    assert event.is_group is expected.is_group
    assert event.text == expected.text
    if not isinstance(event, webhooks.ConnectionUpdateEvent):
        assert event.timestamp == expected.timestamp
    for name_, value in expected.extra.items():
        assert getattr(event, name_) == value, name_


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_media_keys_are_copied_from_the_media_object(name: str) -> None:
    expected = EXPECTED[name]
    event = webhooks.parse(body(name))
    if expected.media_kind is None:
        assert event.media is None
        return
    content = payload(name)["message"][f"{expected.media_kind}Message"]
    assert event.media == generated.MediaMessageKeys(
        media_key=content["mediaKey"],
        direct_path=content["directPath"],
        url=content["url"],
        mimetype=content["mimetype"],
        message_type=expected.media_kind,
    )
    assert isinstance(event.media, generated.MediaMessageKeys)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_reply_to_names_the_quoted_message(name: str) -> None:
    expected = EXPECTED[name]
    quoted = webhooks.parse(body(name)).reply_to
    if expected.reply_to is None:
        assert quoted is None
    else:
        assert quoted is not None
        assert (quoted.id, quoted.participant, quoted.text) == expected.reply_to


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_typed_events_are_the_generated_models_and_keep_every_field(name: str) -> None:
    event = webhooks.parse(body(name))
    if isinstance(event, webhooks.UnknownEvent):
        assert event.raw == payload(name)
        assert event.to_dict() == payload(name)
    else:
        generated_class = getattr(generated, type(event).__name__)
        assert isinstance(event, generated_class)
        assert event.to_dict() == payload(name)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_validates_against_the_spec(name: str) -> None:
    errors = [error.message for error in validator("WebhookEvent").iter_errors(payload(name))]
    assert errors == []


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_str_bytes_and_mapping_bodies_give_the_same_event(name: str) -> None:
    from_bytes = webhooks.parse(body(name))
    assert webhooks.parse(body(name).decode()) == from_bytes
    assert webhooks.parse(payload(name)) == from_bytes
    assert webhooks.parse(bytearray(body(name))) == from_bytes
    assert webhooks.parse(memoryview(body(name))) == from_bytes
