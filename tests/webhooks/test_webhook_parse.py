"""`megaapi.webhooks.parse`: errors, unknown and malformed events, and the conveniences' edge cases."""

from __future__ import annotations

import copy
import json
import logging
import os
import subprocess
import sys
import types
from datetime import UTC, datetime
from typing import Any

import pytest
from webhook_payloads import ROOT, payload, spec

import megaapi_client.models as generated
from megaapi import webhooks
from megaapi.conformance import unsupported_annotations
from megaapi.webhooks import AckStatus, WebhookParseError, parse
from megaapi.webhooks._events import EVENT_TYPES

IMAGE = "vendor_3_6_image"
TEXT = "vendor_3_2_conversation"
ACK = "handwritten_message_ack"
SENT_AT = datetime(2023, 7, 10, 14, 14, 51, tzinfo=UTC)


def changed(name: str, **top: Any) -> dict[str, Any]:
    """The fixture payload with top-level fields replaced (a deep copy, so fixtures stay intact)."""
    data = copy.deepcopy(payload(name))
    data.update(top)
    return data


# --- bodies that are not a JSON object ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b'{"messageType": "conversation",',
        b"\xff\xfe\xfa\x00garbage",  # not text in any JSON encoding
        "[1, 2]",
        "null",
        "42",
        '"conversation"',
        '{"messageType": NaN}',
        '{"messageType": "conversation", "messageTimestamp": Infinity}',
        '{"n": ' + "9" * 5000 + "}",  # longer than Python converts
        "[" * 100_000 + "]" * 100_000,
        [{"messageType": "conversation"}],
        None,
        3.5,
    ],
)
def test_anything_but_a_json_object_raises_webhook_parse_error(body: Any) -> None:
    with pytest.raises(WebhookParseError):
        parse(body)


def test_webhook_parse_error_is_a_value_error_and_never_quotes_the_body() -> None:
    with pytest.raises(ValueError, match="not valid JSON") as caught:
        parse(b'{"instance_key": "megaapi-private-key", "text": oops}')
    assert "megaapi-private-key" not in str(caught.value)
    assert "oops" not in str(caught.value)


def test_any_mapping_is_accepted() -> None:
    event = parse(types.MappingProxyType(payload(TEXT)))
    assert isinstance(event, webhooks.ConversationEvent)
    assert event.text == "Olá bom dia"


# --- unknown types and malformed known ones ------------------------------------------------------------------------


def test_an_unlisted_message_type_is_an_unknown_event_with_the_whole_payload() -> None:
    data = changed(TEXT, messageType="pollUpdateMessage")
    event = parse(json.dumps(data))
    assert isinstance(event, webhooks.UnknownEvent)
    assert isinstance(event, generated.UnknownEvent)
    assert event.message_type == "pollUpdateMessage"
    assert event.reason is None
    assert event.raw == data
    assert event["pushName"] == "Megaapi"
    assert (event.chat_jid, event.sender_jid, event.message_id) == (
        "556195562618@s.whatsapp.net",
        "556195562618@s.whatsapp.net",
        "23DECC1FEB57D4A269C9C24D8C69E744",
    )
    assert event.timestamp == SENT_AT


@pytest.mark.parametrize("message_type", [None, 5, ["conversation"]])
def test_a_missing_or_non_string_message_type_is_an_unknown_event(message_type: Any) -> None:
    data = changed(TEXT, messageType=message_type)
    if message_type is None:
        del data["messageType"]
    event = parse(data)
    assert isinstance(event, webhooks.UnknownEvent)
    assert event.message_type == ""
    assert event.reason == "messageType: missing or not a string"
    assert event.raw == data


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d.update(key="23DECC1F"), "key: expected an object, got a string"),
        (lambda d: d.update(key=[["remoteJid", "x"], ["fromMe", False], ["id", "y"]]), "key: expected an object"),
        (lambda d: d["key"].update(fromMe="false"), "key.fromMe: expected a boolean, got a string"),
        (lambda d: d["key"].pop("id"), "key.id: required field is missing"),
        (lambda d: d.pop("message"), "message: required field is missing"),
        (lambda d: d.update(key=None), "key: required field is missing"),  # null counts as absent
        (lambda d: d.update(messageTimestamp=1688998491.0), "messageTimestamp: expected an integer or a string"),
        (lambda d: d.update(broadcast=0), "broadcast: expected a boolean, got a number"),
        (
            lambda d: d["message"]["imageMessage"].update(scanLengths=[1, "2"]),
            "message.imageMessage.scanLengths[1]: expected an integer, got a string",
        ),
        (
            lambda d: d["message"]["imageMessage"].update(contextInfo={"mentionedJid": "x"}),
            "message.imageMessage.contextInfo.mentionedJid: expected a list, got a string",
        ),
    ],
)
def test_a_known_type_that_does_not_match_the_spec_becomes_an_unknown_event_with_the_reason(
    change: Any, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    data = copy.deepcopy(payload(IMAGE))
    change(data)
    with caplog.at_level(logging.WARNING, logger="megaapi.webhooks"):
        event = parse(json.dumps(data).encode())

    assert isinstance(event, webhooks.UnknownEvent)
    assert event.message_type == "imageMessage"
    assert event.raw == data
    assert event.reason is not None
    assert event.reason.startswith(reason)
    assert event.media is None
    (record,) = caplog.records
    assert record.name == "megaapi.webhooks"
    assert reason in record.getMessage()
    assert data["instance_key"] not in record.getMessage()


def test_an_unknown_event_from_a_malformed_known_type_keeps_the_usable_envelope() -> None:
    data = changed(IMAGE, messageTimestamp=True)
    event = parse(data)
    assert isinstance(event, webhooks.UnknownEvent)
    assert event.chat_jid == "556195562618@s.whatsapp.net"
    assert event.message_id == "5496701AC02ECA38DF6D086E3C4EEF00"
    assert event.timestamp is None


# --- leniency: unknown fields, nulls, new values ---------------------------------------------------------------------


def test_unknown_fields_are_kept_at_every_level() -> None:
    data = changed(IMAGE, newTopLevel={"a": [1, None]})
    data["key"]["senderLid"] = "123@lid"
    data["message"]["imageMessage"]["annotations"] = []
    event = parse(data)
    assert isinstance(event, webhooks.ImageEvent)
    assert event["newTopLevel"] == {"a": [1, None]}
    assert event.key["senderLid"] == "123@lid"
    assert event.to_dict() == data


def test_a_null_field_counts_as_absent() -> None:
    data = changed(IMAGE, verifiedBizName=None, status=None)
    data["message"]["imageMessage"]["caption"] = None
    event = parse(data)
    assert isinstance(event, webhooks.ImageEvent)
    assert event.text is None
    assert "verifiedBizName" not in event.to_dict()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1688998491, SENT_AT),
        ("1688998491", SENT_AT),
        (1688998491000, SENT_AT),  # milliseconds
        ("1688998491000", SENT_AT),
        ("", None),
        ("yesterday", None),
        ("١٦٨٨٩٩٨٤٩١", None),  # digits, but not ASCII ones
        (-5, None),
        (10**30, None),
        ("9" * 40, None),
    ],
)
def test_timestamp_is_an_aware_utc_datetime(value: Any, expected: datetime | None) -> None:
    event = parse(changed(TEXT, messageTimestamp=value))
    assert isinstance(event, webhooks.ConversationEvent)
    assert event.timestamp == expected
    if expected is not None:
        assert event.timestamp is not None
        assert event.timestamp.tzinfo is UTC


@pytest.mark.parametrize(
    ("status", "ack", "code", "flags"),
    [
        (0, AckStatus.ERROR, 0, (False, False, False)),
        (1, AckStatus.PENDING, 1, (False, False, False)),
        (2, AckStatus.SENT, 2, (True, False, False)),
        ("3", AckStatus.DELIVERED, 3, (True, True, False)),
        (4, AckStatus.READ, 4, (True, True, True)),
        (5, AckStatus.PLAYED, 5, (True, True, True)),
        ("DELIVERY_ACK", AckStatus.DELIVERED, 3, (True, True, False)),
        ("read", AckStatus.READ, 4, (True, True, True)),
        (9, None, 9, (False, False, False)),
        ("soon", None, None, (False, False, False)),
    ],
)
def test_ack_status_accepts_numbers_digits_and_names(
    status: Any, ack: AckStatus | None, code: int | None, flags: tuple[bool, bool, bool]
) -> None:
    event = parse(changed(ACK, update={"status": status}))
    assert isinstance(event, webhooks.MessageAckEvent)
    assert (event.ack, event.ack_code) == (ack, code)
    assert (event.is_sent, event.is_delivered, event.is_read) == flags


def test_an_ack_without_update_or_key_still_parses() -> None:
    event = parse({"messageType": "message.ack"})
    assert isinstance(event, webhooks.MessageAckEvent)
    assert (event.ack, event.message_id, event.chat_jid, event.from_me) == (None, None, None, False)


def test_ack_timestamp_is_read_when_the_delivery_carries_one() -> None:
    event = parse(changed(ACK, messageTimestamp="1688998491"))
    assert isinstance(event, webhooks.MessageAckEvent)
    assert event.timestamp == SENT_AT


# --- who sent it ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "sender"),
    [
        ({"remoteJid": "5511@s.whatsapp.net", "fromMe": False}, "5511@s.whatsapp.net"),
        ({"remoteJid": "5511@s.whatsapp.net", "fromMe": True}, "556181278471@s.whatsapp.net"),  # the instance
        ({"remoteJid": "120363@g.us", "fromMe": False, "participant": "5522@s.whatsapp.net"}, "5522@s.whatsapp.net"),
        ({"remoteJid": "120363@g.us", "fromMe": True}, "556181278471@s.whatsapp.net"),
        ({"remoteJid": "120363@g.us", "fromMe": False}, None),  # a group never is the sender
        ({"remoteJid": "120363@g.us", "fromMe": False, "participant": ""}, None),
        ({"remoteJid": "99887766@lid", "fromMe": False}, "99887766@lid"),
    ],
)
def test_sender_jid_knows_groups_and_own_messages(key: dict[str, Any], sender: str | None) -> None:
    event = parse(changed(TEXT, key={**key, "id": "ABC"}))
    assert event.sender_jid == sender
    assert event.is_group is key["remoteJid"].endswith("@g.us")
    assert event.from_me is key["fromMe"]


# --- text, captions, media, replies -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["vendor_3_6_image", "vendor_3_5_video", "vendor_3_7_document"])
def test_a_caption_is_the_text_of_an_image_video_or_document(name: str) -> None:
    data = copy.deepcopy(payload(name))
    content_key = data["messageType"]
    data["message"][content_key]["caption"] = "Veja isto"
    assert parse(data).text == "Veja isto"


def test_extended_text_prefers_extended_text_message_text() -> None:
    data = changed(
        "handwritten_extended_text_reply", message={"extendedTextMessage": {"text": "novo"}, "conversation": "antigo"}
    )
    assert parse(data).text == "novo"


def test_media_is_none_when_a_download_field_is_missing() -> None:
    data = copy.deepcopy(payload(IMAGE))
    del data["message"]["imageMessage"]["mediaKey"]
    event = parse(data)
    assert isinstance(event, webhooks.ImageEvent)
    assert event.media is None


def test_media_is_none_when_the_content_object_is_missing() -> None:
    event = parse(changed(IMAGE, message={}))
    assert isinstance(event, webhooks.ImageEvent)
    assert (event.media, event.text, event.reply_to) == (None, None, None)


@pytest.mark.parametrize(
    ("name", "content_key"),
    [
        ("vendor_3_6_image", "imageMessage"),
        ("vendor_3_8_location", "locationMessage"),
        ("vendor_3_9_contact", "contactMessage"),
    ],
)
def test_reply_to_reads_the_content_context_info(name: str, content_key: str) -> None:
    data = copy.deepcopy(payload(name))
    data["message"][content_key]["contextInfo"] = {
        "stanzaId": "QUOTED1",
        "participant": "5511@s.whatsapp.net",
        "quotedMessage": {"imageMessage": {"caption": "a foto"}},
    }
    quoted = parse(data).reply_to
    assert quoted == webhooks.QuotedMessage(
        id="QUOTED1", participant="5511@s.whatsapp.net", content={"imageMessage": {"caption": "a foto"}}
    )
    assert quoted.text == "a foto"


def test_context_info_without_a_quoted_id_is_no_reply() -> None:
    data = changed(
        "handwritten_extended_text_reply",
        message={"extendedTextMessage": {"text": "oi", "contextInfo": {"expiration": 60}}},
    )
    assert parse(data).reply_to is None


def test_reply_to_reads_an_interactive_response_context() -> None:
    data = changed(
        "handwritten_button_reply",
        message={"interactiveResponseMessage": {"contextInfo": {"stanzaId": "Q9", "quotedMessage": "not an object"}}},
    )
    event = parse(data)
    assert isinstance(event, webhooks.InteractiveEvent)
    assert event.reply_to == webhooks.QuotedMessage(id="Q9", participant=None, content={})
    assert (event.selected_id, event.selected_text) == (None, None)


def test_a_voice_note_is_told_from_an_audio_file() -> None:
    data = copy.deepcopy(payload("vendor_3_4_audio"))
    data["message"]["audioMessage"]["ptt"] = False
    event = parse(data)
    assert isinstance(event, webhooks.AudioEvent)
    assert event.is_voice_note is False


# --- the classes ---------------------------------------------------------------------------------------------------


def test_repr_is_short_and_hides_the_instance_key() -> None:
    event = parse(payload(IMAGE))
    text = repr(event)
    assert text == (
        "ImageEvent(message_type='imageMessage', id='5496701AC02ECA38DF6D086E3C4EEF00', "
        "chat='556195562618@s.whatsapp.net', from_me=False)"
    )
    unknown = parse(changed(IMAGE, key="x"))
    assert "reason='key: expected an object, got a string'" in repr(unknown)
    assert payload(IMAGE)["instance_key"] not in repr(unknown)


def test_the_public_names_are_pinned() -> None:
    assert sorted(webhooks.__all__) == [
        "AckStatus",
        "AudioEvent",
        "ConnectionUpdateEvent",
        "ContactEvent",
        "ConversationEvent",
        "DocumentEvent",
        "Event",
        "ExtendedTextEvent",
        "Handler",
        "ImageEvent",
        "InteractiveEvent",
        "KINDS",
        "Kind",
        "LocationEvent",
        "MessageAckEvent",
        "QuotedMessage",
        "StickerEvent",
        "UnknownEvent",
        "VideoEvent",
        "WebhookApp",
        "WebhookParseError",
        "parse",
    ]
    assert all(hasattr(webhooks, name) for name in webhooks.__all__)


def test_event_classes_subclass_the_generated_models_of_the_same_name() -> None:
    for event_class in [*EVENT_TYPES.values(), webhooks.UnknownEvent]:
        assert issubclass(event_class, getattr(generated, event_class.__name__))
        assert getattr(webhooks, event_class.__name__) is event_class


def test_generated_from_dict_builds_the_subclass() -> None:
    event = webhooks.ImageEvent.from_dict(payload(IMAGE))
    assert type(event) is webhooks.ImageEvent
    assert event.media is not None


def test_the_event_types_are_the_spec_webhook_variants() -> None:
    schemas = spec()["components"]["schemas"]
    variants = [ref["$ref"].rsplit("/", 1)[1] for ref in schemas["KnownWebhookEvent"]["oneOf"]]
    consts = {}
    for name in variants:
        schema = schemas[name]
        properties = schema.get("properties") or next(p["properties"] for p in schema["allOf"] if "properties" in p)
        if "const" in properties["messageType"]:
            consts[properties["messageType"]["const"]] = name
    assert {message_type: cls.__name__ for message_type, cls in EVENT_TYPES.items()} == consts
    assert set(variants) == set(consts.values())
    assert [ref["$ref"].rsplit("/", 1)[1] for ref in schemas["WebhookEvent"]["oneOf"]] == [*variants, "UnknownEvent"]
    assert schemas["UnknownEvent"]["properties"]["messageType"]["not"]["enum"] == list(consts)


def test_kinds_are_the_kinds_of_the_event_classes() -> None:
    assert {cls.kind for cls in EVENT_TYPES.values()} | {webhooks.UnknownEvent.kind} == webhooks.KINDS


@pytest.mark.parametrize("event_class", list(EVENT_TYPES.values()), ids=lambda cls: cls.__name__)
def test_the_parser_can_check_every_field_of_every_event(event_class: type) -> None:
    assert list(unsupported_annotations(event_class)) == []


def test_importing_megaapi_does_not_import_the_webhooks() -> None:
    code = "import sys, megaapi; assert 'megaapi.webhooks' not in sys.modules, 'imported'"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(ROOT / part) for part in ("overlays", "generated"))}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
