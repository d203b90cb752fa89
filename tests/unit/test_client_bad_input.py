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
    "row snake_case": lambda api: api.messages.send_list(
        TO, "t", "b", [{"title": "A", "rows": [{"title": "x", "row_id": "1"}]}]
    ),
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


# Which argument each case gets wrong, and why, as the message must say it: a case refused for another reason
# than the one it names (a row without `title` where the case is about `rowId`) fails.
REASONS: dict[str, str] = {
    "to letters": "'abc' is not a phone number",
    "to empty": "recipient must not be empty",
    "to too short": "'1234' is not a phone number",
    "to unknown server": "'5511999999999@evil.com' is not a contact or group JID (unknown server 'evil.com')",
    "to int": "recipient must be a string, not int",
    "to None": "recipient must be a string, not NoneType",
    "to bytes": "recipient must be a string, not bytes",
    "to list": "recipient must be a string, not list",
    "check a group": "'120363042378568057@g.us' is not a person's JID",
    "pairing phone letters": "'phone' is not a phone number",
    "pairing code empty": "custom_pairing_code must not be empty",
    "messages of a bad chat": "'chat' is not a phone number",
    "group given a number": "'5511999999999' is not a group JID",
    "invite of a contact": "'5511999999999@s.whatsapp.net' is not a group JID",
    "leave junk": "'../x@g.us' is not a group JID",
    "block a group": "'120363042378568057@g.us' is not a person's JID",
    "mention a group": "'120363042378568057@g.us' is not a person's JID",
    "text empty": "text must not be empty",
    "text blank": "text must not be empty",
    "text over 65536": "text has 65537 characters; the limit is 65536",
    "text huge": "text has 5000000 characters; the limit is 65536",
    "text None": "text must be a string, not NoneType",
    "text int": "text must be a string, not int",
    "text bytes": "text must be a string, not bytes",
    "text non-UTF-8 bytes": "text must be a string, not bytes",
    "text lone surrogate": "text contains characters that are not valid Unicode text",
    "link preview str": "link_preview must be True or False, not str",
    "link preview int": "link_preview must be True or False, not int",
    "link text empty": "text_with_link must not be empty",
    "profile name empty": "name must not be empty",
    "profile name too long": "name has 257 characters; the limit is 256",
    "reply text empty": "text must not be empty",
    "many: a string": "to must be a list, not str",
    "many: empty": "to must not be empty",
    "many: a bad number": "'abc' is not a phone number",
    "many: None inside": "recipient must be a string, not NoneType",
    "many: a set": "to must be a list, not set",
    "mentions empty": "mentions must not be empty",
    "participants a string": "participants must be a list, not str",
    "participants empty": "participants must not be empty",
    "participants a group": "'120363042378568057@g.us' is not a person's JID",
    "participants bytes": "participants must be a list, not bytes",
    "group name empty": "name must not be empty",
    "group name too long": "name has 101 characters; the limit is 100",
    "group without members": "participants must not be empty",
    "media to many: a string": "to must be a list, not str",
    "latitude NaN": "latitude must be a finite number",
    "longitude inf": "longitude must be a finite number",
    "latitude 91": "latitude must be between -90 and 90, got 91",
    "longitude -180.5": "longitude must be between -180 and 180, got -180.5",
    "latitude bool": "latitude must be a number, not bool",
    "latitude str": "latitude must be a number, not str",
    "latitude None": "latitude must be a number, not NoneType",
    "location url": "url must be an absolute http(s) URL with a host, got 'maps'",
    "pin int": "pin must be True or False, not int",
    "block str": "block must be True or False, not str",
    "only admins int": "only_admins must be True or False, not int",
    "only admins None": "only_admins must be True or False, not NoneType",
    "list type bool": "list_type must be a non-negative integer",
    "list type str": "list_type must be a non-negative integer",
    "timestamp zero": "timestamp must be a Unix timestamp in seconds (a positive int) or an aware datetime",
    "timestamp float": "timestamp must be a Unix timestamp in seconds (a positive int) or an aware datetime",
    "timestamp bool": "message_timestamp must be a Unix timestamp in seconds (a positive int) or an aware datetime",
    "timestamp naive": "message_timestamp must be timezone-aware",
    "timestamp str": "message_timestamp must be a Unix timestamp in seconds (a positive int) or an aware datetime",
    "webhook enabled str": "enabled must be True or False, not str",
    "instance webhook flag int": "webhook_enabled must be True or False, not int",
    "presence unknown": "presence must be one of ",
    "presence None": "presence must be one of ",
    "picture size": "size must be one of ['icon', 'image'], not 'large'",
    "media type unknown": "media_type must be one of ",
    "media type of bytes": "media_type must be one of ",
    "media url ftp": "url must be an absolute http(s) URL with a host, got 'ftp://x/a.jpg'",
    "media url javascript": "url must be an absolute http(s) URL with a host, got 'javascript:alert(1)'",
    "mime type empty": "mime_type must not be empty",
    "template image not a url": "image_url must be an absolute http(s) URL with a host, got 'logo.jpg'",
    "profile picture not a url": "url must be an absolute http(s) URL with a host, got 'logo.jpg'",
    "webhook ftp": "url must be an absolute http(s) URL with a host, got 'ftp://example.com/hook'",
    "webhook relative": "url must be an absolute http(s) URL with a host, got '/hook'",
    "webhook without host": "url must be an absolute http(s) URL with a host, got 'https://'",
    "webhook None while enabled": "url is required to enable the webhook",
    "webhook blank while enabled": "url must not be empty",
    "webhook int": "url must be a string, not int",
    "instance webhook not a url": "url must be an absolute http(s) URL with a host, got 'hook'",
    "media source int": "Media must be a path, bytes, a binary file object or an http(s) URL, not int",
    "media source None": "Media must be a path, bytes, a binary file object or an http(s) URL, not NoneType",
    "media empty bytes": "The media file is empty",
    "media missing file": "No such file: /nonexistent/photo.jpg",
    "media file name empty": "file_name must not be empty",
    "media mime type empty": "mime_type must not be empty",
    "base64 data a str": "data must be bytes, not str",
    "base64 data empty": "The media file is empty",
    "sections empty": "sections must not be empty",
    "sections a string": "sections must be a list, not str",
    "section without rows": "section does not fit ListSection: rows: required field is missing",
    "section rows empty": "section rows must not be empty",
    "row id int": "section does not fit ListSection: rows[0].rowId: expected a string, got a number",
    "row snake_case": "section does not fit ListSection: rows[0].rowId: required field is missing",
    "list text empty": "text must not be empty",
    "list button empty": "button_text must not be empty",
    "buttons empty": "buttons must not be empty",
    "buttons a string": "buttons must be a list, not str",
    "button type unknown": "button does not fit TemplateButton: type: expected one of ['callButton', 'replyButton'",
    "button title empty": "button title must not be empty",
    "button without title": "button does not fit TemplateButton: title: required field is missing",
    "contact name empty": "full_name must not be empty",
    "contact phone letters": "'maria' is not a phone number",
    "contact phone None": "phone number must be a string, not NoneType",
    "key empty mapping": "key does not fit MessageKey: remoteJid: required field is missing",
    "key a string": "key must be a MessageKey or a mapping, not str",
    "key None": "key must be a MessageKey or a mapping, not NoneType",
    "key id int": "key does not fit MessageKey: id: expected a string, got a number",
    "key fromMe str": "key does not fit MessageKey: fromMe: expected a boolean, got a string",
    "key remoteJid empty": "key.remoteJid must not be empty",
    "key participant int": "key does not fit MessageKey: participant: expected a string, got a number",
    "forward empty message": "message must be the WhatsApp message object of the original",
    "forward message a string": "message must be a mapping, not str",
    "delete for me id empty": "message_id must not be empty",
    "buttons fields a string": "fields must be a mapping, not str",
    "buttons fields name to": "Give the recipient as `to`, not inside fields",
    "media keys empty": "media_keys does not fit MediaMessageKeys: mediaKey: required field is missing",
    "media keys blank field": "media_keys.media_key must not be empty",
    "media keys None": "media_keys is None: the event carries no file to download",
    "media keys int field": "media_keys does not fit MediaMessageKeys: messageType: expected a string, got a number",
    "new key empty": "instance_key must not be empty",
    "new key with slash": "instance_key must be printable ASCII without spaces, '/', '\\', '?', '#' or '%'",
    "new key None": "instance_key must be a string, not NoneType",
    "new key non-ASCII": "instance_key must be printable ASCII without spaces, '/', '\\', '?', '#' or '%'",
    "new key too long": "instance_key has 201 characters; the limit is 200",
    "delete key dots": "instance_key must be printable ASCII without spaces, '/', '\\', '?', '#' or '%'",
    "delete key int": "instance_key must be a string, not int",
    "section title None": "section does not fit ListSection: title: expected a string, got null",
    "row title empty": "row title must not be empty",
    "row description int": "section does not fit ListSection: rows[0].description: expected a string, got a number",
    "buttons fields not JSON": "The request contains a value JSON cannot carry",
    "buttons fields NaN": "The request contains a number that is not finite (nan or infinity)",
    "buttons fields lone surrogate": "The request contains characters that are not valid Unicode text",
    "forward content not JSON": "The request contains a value JSON cannot carry",
    "button payload int": "button does not fit TemplateButton: payload: expected a string, got a number",
}


def _cases() -> list[Any]:
    return [pytest.param(case, REASONS[name], id=name) for name, case in SWEEP.items()]


def _check(error: InvalidInputError, reason: str) -> None:
    assert isinstance(error, MegaApiError)
    assert isinstance(error, ValueError)
    assert reason in str(error)
    assert len(str(error)) < 400  # a huge argument is not copied into the message


def test_every_case_says_what_it_expects() -> None:
    assert sorted(REASONS) == sorted(SWEEP)


@pytest.mark.parametrize(("case", "reason"), _cases())
def test_bad_input_is_refused_before_anything_is_sent(api: MegaApi, wire: Wire, case: Case, reason: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        case(api)
    _check(raised.value, reason)
    assert wire.requests == []


async def _call(case: Case, api: AsyncMegaApi) -> None:
    """Run the case whether the method refuses its arguments at once or when awaited."""
    pending = case(api)
    if inspect.isawaitable(pending):
        await pending


@pytest.mark.parametrize(("case", "reason"), _cases())
async def test_bad_input_is_refused_before_anything_is_sent_async(
    async_api: AsyncMegaApi, wire: Wire, case: Case, reason: str
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        await _call(case, async_api)
    _check(raised.value, reason)
    assert wire.requests == []


def test_the_sweep_covers_every_namespace() -> None:
    namespaces = {"instance", "webhook", "messages", "chats", "groups", "account"}
    touched = {name for case in SWEEP.values() for name in case.__code__.co_names if name in namespaces}
    assert touched == namespaces
