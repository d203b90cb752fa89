"""Bad input sweep: every malformed argument raises `InvalidInputError` (a `MegaApiError` and a `ValueError`) and
nothing reaches the transport. Run through both clients.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from unit_calls import BUTTONS, CONTENT, GROUP, KEY_OF_MESSAGE, MEDIA_KEYS, SECTIONS
from unit_wire import Wire

from megaapi import AsyncMegaApi, InvalidInputError, MegaApi, MegaApiError

TO = "5511999999999"
URL = "https://cdn.example.com/a.jpg"
ROW = {"title": "PIX", "rowId": "01"}

Case = Callable[[Any], Any]


def _section(*rows: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"title": "Pagamento", "rows": list(rows)}]


SWEEP: dict[str, Case] = {
    # recipients, phone numbers and JIDs
    "to letters": lambda api: api.messages.send_text("abc", "oi"),
    "to empty": lambda api: api.messages.send_text("", "oi"),
    "to too short": lambda api: api.messages.send_text("1234", "oi"),
    "to unknown server": lambda api: api.messages.send_text("5511999999999@evil.com", "oi"),
    "to int": lambda api: api.messages.send_text(5511999999999, "oi"),
    "to None": lambda api: api.messages.send_text(None, "oi"),
    "to bytes": lambda api: api.messages.send_text(b"5511999999999", "oi"),
    "to list": lambda api: api.messages.send_text([TO], "oi"),
    "check a group": lambda api: api.instance.check_number(GROUP),
    "pairing phone letters": lambda api: api.instance.get_pairing_code("phone"),
    "pairing code empty": lambda api: api.instance.get_pairing_code(TO, custom_pairing_code=""),
    "messages of a bad chat": lambda api: api.instance.list_messages("chat"),
    "group given a number": lambda api: api.groups.get_group(TO),
    "invite of a contact": lambda api: api.groups.get_group_invite_code(f"{TO}@s.whatsapp.net"),
    "leave junk": lambda api: api.groups.leave_group("../x@g.us"),
    "block a group": lambda api: api.chats.block_contact(GROUP),
    "mention a group": lambda api: api.messages.send_text_with_mentions(GROUP, "oi", [GROUP]),
    # text
    "text empty": lambda api: api.messages.send_text(TO, ""),
    "text blank": lambda api: api.messages.send_text(TO, " \n\t "),
    "text over 65536": lambda api: api.messages.send_text(TO, "x" * 65_537),
    "text huge": lambda api: api.messages.send_text(TO, "x" * 5_000_000),
    "text None": lambda api: api.messages.send_text(TO, None),
    "text int": lambda api: api.messages.send_text(TO, 42),
    "text bytes": lambda api: api.messages.send_text(TO, b"oi"),
    "text non-UTF-8 bytes": lambda api: api.messages.send_text(TO, b"\xff\xfe\xfd"),
    "text lone surrogate": lambda api: api.messages.send_text(TO, "oi \ud83d"),
    "link preview str": lambda api: api.messages.send_text(TO, "oi", link_preview="no"),
    "link preview int": lambda api: api.messages.send_text(TO, "oi", link_preview=0),
    "link text empty": lambda api: api.messages.send_link_preview(TO, ""),
    "profile name empty": lambda api: api.instance.set_profile_name(""),
    "profile name too long": lambda api: api.instance.set_profile_name("n" * 257),
    "reply text empty": lambda api: api.messages.reply_to_message(TO, "", KEY_OF_MESSAGE, CONTENT),
    # lists
    "many: a string": lambda api: api.messages.send_text_to_many(TO, "oi"),
    "many: empty": lambda api: api.messages.send_text_to_many([], "oi"),
    "many: a bad number": lambda api: api.messages.send_text_to_many([TO, "abc"], "oi"),
    "many: None inside": lambda api: api.messages.send_text_to_many([None], "oi"),
    "many: a set": lambda api: api.messages.send_text_to_many({TO}, "oi"),
    "mentions empty": lambda api: api.messages.send_text_with_mentions(GROUP, "oi", []),
    "participants a string": lambda api: api.groups.add_participants(GROUP, TO),
    "participants empty": lambda api: api.groups.remove_participants(GROUP, []),
    "participants a group": lambda api: api.groups.promote_participants(GROUP, [GROUP]),
    "participants bytes": lambda api: api.groups.demote_participants(GROUP, b"5511999999999"),
    "group name empty": lambda api: api.groups.create_group("", [TO]),
    "group name too long": lambda api: api.groups.create_group("g" * 101, [TO]),
    "group without members": lambda api: api.groups.create_group("Equipe", []),
    "media to many: a string": lambda api: api.messages.send_media_url_to_many(
        TO, URL, media_type="image", mime_type="image/jpeg"
    ),
    # coordinates
    "latitude NaN": lambda api: api.messages.send_location(TO, math.nan, 0.0),
    "longitude inf": lambda api: api.messages.send_location(TO, 0.0, math.inf),
    "latitude 91": lambda api: api.messages.send_location(TO, 91, 0),
    "longitude -180.5": lambda api: api.messages.send_location(TO, 0, -180.5),
    "latitude bool": lambda api: api.messages.send_location(TO, True, 0),
    "latitude str": lambda api: api.messages.send_location(TO, "-23.5", "-46.6"),
    "latitude None": lambda api: api.messages.send_location(TO, None, 0),
    "location url": lambda api: api.messages.send_location(TO, 0, 0, url="maps"),
    # booleans and integers
    "pin int": lambda api: api.chats.pin_chat(TO, 1),
    "block str": lambda api: api.chats.block_contact(TO, "yes"),
    "only admins int": lambda api: api.groups.set_who_can_send_message(GROUP, 1),
    "only admins None": lambda api: api.groups.set_who_can_change_settings(GROUP, None),
    "list type bool": lambda api: api.messages.send_list(TO, "t", "b", SECTIONS, list_type=True),
    "list type str": lambda api: api.messages.send_list(TO, "t", "b", SECTIONS, list_type="1"),
    "timestamp zero": lambda api: api.chats.delete_message_for_me(TO, "3EB0", 0),
    "timestamp float": lambda api: api.chats.delete_message_for_me(TO, "3EB0", 1.5e9),
    "timestamp bool": lambda api: api.chats.delete_message(KEY_OF_MESSAGE, message_timestamp=True),
    "timestamp naive": lambda api: api.chats.delete_message(KEY_OF_MESSAGE, message_timestamp=datetime(2024, 1, 1)),
    "timestamp str": lambda api: api.chats.delete_message(KEY_OF_MESSAGE, message_timestamp="1730116800"),
    "webhook enabled str": lambda api: api.webhook.configure_webhook("https://x.example/h", enabled="yes"),
    "instance webhook flag int": lambda api: api.account.create_instance("megabusiness-N1", webhook_enabled=1),
    # choices
    "presence unknown": lambda api: api.chats.update_presence(TO, "typing"),
    "presence None": lambda api: api.chats.update_presence(TO, None),
    "picture size": lambda api: api.instance.get_profile_picture(TO, size="large"),
    "media type unknown": lambda api: api.messages.send_media_url(TO, URL, media_type="sticker", mime_type="x/y"),
    "media type of bytes": lambda api: api.messages.send_media(TO, b"data", media_type="gif"),
    # URLs
    "media url ftp": lambda api: api.messages.send_media_url(TO, "ftp://x/a.jpg", media_type="image", mime_type="i/j"),
    "media url javascript": lambda api: api.messages.send_media_url(
        TO, "javascript:alert(1)", media_type="image", mime_type="image/jpeg"
    ),
    "mime type empty": lambda api: api.messages.send_media_url(TO, URL, media_type="image", mime_type=""),
    "template image not a url": lambda api: api.messages.send_template_with_media(TO, "t", BUTTONS, "logo.jpg"),
    "profile picture not a url": lambda api: api.instance.set_profile_picture_url(TO, "logo.jpg"),
    "webhook ftp": lambda api: api.webhook.configure_webhook("ftp://example.com/hook"),
    "webhook relative": lambda api: api.webhook.configure_webhook("/hook"),
    "webhook without host": lambda api: api.webhook.configure_webhook("https://"),
    "webhook None while enabled": lambda api: api.webhook.configure_webhook(None),
    "webhook blank while enabled": lambda api: api.webhook.configure_webhook("   "),
    "webhook int": lambda api: api.webhook.configure_webhook(8080),
    "instance webhook not a url": lambda api: api.account.create_instance("megabusiness-N1", webhook_url="hook"),
    # media
    "media source int": lambda api: api.messages.send_media(TO, 42),
    "media source None": lambda api: api.messages.send_media(TO, None),
    "media empty bytes": lambda api: api.messages.send_media(TO, b""),
    "media missing file": lambda api: api.messages.send_media(TO, "/nonexistent/photo.jpg"),
    "media file name empty": lambda api: api.messages.send_media(TO, b"data", file_name=""),
    "media mime type empty": lambda api: api.messages.send_media(TO, b"data", mime_type=""),
    "base64 data a str": lambda api: api.messages.send_media_base_64(
        TO, "aGVsbG8=", media_type="image", mime_type="image/png"
    ),
    "base64 data empty": lambda api: api.messages.send_media_base_64(TO, b"", media_type="image", mime_type="i/p"),
    # structured arguments
    "sections empty": lambda api: api.messages.send_list(TO, "t", "b", []),
    "sections a string": lambda api: api.messages.send_list(TO, "t", "b", "PIX"),
    "section without rows": lambda api: api.messages.send_list(TO, "t", "b", [{"title": "A"}]),
    "section rows empty": lambda api: api.messages.send_list(TO, "t", "b", [{"title": "A", "rows": []}]),
    "row id int": lambda api: api.messages.send_list(
        TO, "t", "b", [{"title": "A", "rows": [{"title": "x", "rowId": 1}]}]
    ),
    "row snake_case": lambda api: api.messages.send_list(TO, "t", "b", [{"title": "A", "rows": [{"row_id": "1"}]}]),
    "list text empty": lambda api: api.messages.send_list(TO, "", "b", SECTIONS),
    "list button empty": lambda api: api.messages.send_list(TO, "t", "", SECTIONS),
    "buttons empty": lambda api: api.messages.send_template(TO, "t", []),
    "buttons a string": lambda api: api.messages.send_template(TO, "t", "Sim"),
    "button type unknown": lambda api: api.messages.send_template(TO, "t", [{"type": "bogus", "title": "x"}]),
    "button title empty": lambda api: api.messages.send_template(TO, "t", [{"type": "replyButton", "title": ""}]),
    "button without title": lambda api: api.messages.send_template(TO, "t", [{"type": "replyButton"}]),
    "contact name empty": lambda api: api.messages.send_contact(TO, "", TO),
    "contact phone letters": lambda api: api.messages.send_contact(TO, "Maria", "maria"),
    "contact phone None": lambda api: api.messages.send_contact(TO, "Maria", None),
    "key empty mapping": lambda api: api.chats.mark_message_read({}),
    "key a string": lambda api: api.chats.mark_message_read("3EB0C767D26A1D4B1F9E"),
    "key None": lambda api: api.chats.mark_message_read(None),
    "key id int": lambda api: api.chats.mark_message_read({**KEY_OF_MESSAGE, "id": 5}),
    "key fromMe str": lambda api: api.chats.delete_message({**KEY_OF_MESSAGE, "fromMe": "false"}),
    "key remoteJid empty": lambda api: api.messages.forward_message(TO, {**KEY_OF_MESSAGE, "remoteJid": ""}, CONTENT),
    "key participant int": lambda api: api.chats.mark_message_read({**KEY_OF_MESSAGE, "participant": 5}),
    "forward empty message": lambda api: api.messages.forward_message(TO, KEY_OF_MESSAGE, {}),
    "forward message a string": lambda api: api.messages.forward_message(TO, KEY_OF_MESSAGE, "Olá"),
    "delete for me id empty": lambda api: api.chats.delete_message_for_me(TO, "", 1730116800),
    "buttons fields a string": lambda api: api.messages.send_buttons(TO, "fields"),
    "buttons fields name to": lambda api: api.messages.send_buttons(TO, {"to": "5521988887777"}),
    "media keys empty": lambda api: api.instance.download_media_message({}),
    "media keys blank field": lambda api: api.instance.download_media({**MEDIA_KEYS, "mediaKey": ""}),
    "media keys None": lambda api: api.instance.download_media_message(None),
    "media keys int field": lambda api: api.instance.save_media({**MEDIA_KEYS, "messageType": 1}, "received.jpg"),
    # account
    "new key empty": lambda api: api.account.create_instance(""),
    "new key with slash": lambda api: api.account.create_instance("a/b"),
    "new key None": lambda api: api.account.create_instance(None),
    "new key non-ASCII": lambda api: api.account.create_instance("chave-ção"),
    "new key too long": lambda api: api.account.create_instance("k" * 201),
    "delete key dots": lambda api: api.account.delete_instance(".."),
    "delete key int": lambda api: api.account.delete_instance(42),
    # values the spec's schema or JSON itself cannot carry
    "section title None": lambda api: api.messages.send_list(TO, "t", "b", [{"title": None, "rows": [ROW]}]),
    "row title empty": lambda api: api.messages.send_list(TO, "t", "b", _section({"title": "", "rowId": "1"})),
    "row description int": lambda api: api.messages.send_list(TO, "t", "b", _section({**ROW, "description": 3})),
    "buttons fields not JSON": lambda api: api.messages.send_buttons(TO, {"sent_at": datetime(2024, 1, 1)}),
    "buttons fields NaN": lambda api: api.messages.send_buttons(TO, {"score": math.nan}),
    "buttons fields lone surrogate": lambda api: api.messages.send_buttons(TO, {"text": "a\udc80"}),
    "forward content not JSON": lambda api: api.messages.forward_message(TO, KEY_OF_MESSAGE, {"conversation": {1, 2}}),
}

SWEEP["button payload int"] = lambda api: api.messages.send_template(
    TO, "t", [{"type": "urlButton", "title": "Site", "payload": 5}]
)


def _cases() -> list[Any]:
    return [pytest.param(case, id=name) for name, case in SWEEP.items()]


def _check(error: InvalidInputError) -> None:
    assert isinstance(error, MegaApiError)
    assert isinstance(error, ValueError)
    assert str(error)
    assert len(str(error)) < 400  # a huge argument is not copied into the message


@pytest.mark.parametrize("case", _cases())
def test_bad_input_is_refused_before_anything_is_sent(api: MegaApi, wire: Wire, case: Case) -> None:
    with pytest.raises(InvalidInputError) as raised:
        case(api)
    _check(raised.value)
    assert wire.requests == []


async def _call(case: Case, api: AsyncMegaApi) -> None:
    """Run the case whether the method refuses its arguments at once or when awaited."""
    pending = case(api)
    if inspect.isawaitable(pending):
        await pending


@pytest.mark.parametrize("case", _cases())
async def test_bad_input_is_refused_before_anything_is_sent_async(
    async_api: AsyncMegaApi, wire: Wire, case: Case
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        await _call(case, async_api)
    _check(raised.value)
    assert wire.requests == []


def test_the_sweep_covers_every_namespace() -> None:
    namespaces = {"instance", "webhook", "messages", "chats", "groups", "account"}
    touched = {name for case in SWEEP.values() for name in case.__code__.co_names if name in namespaces}
    assert touched == namespaces
