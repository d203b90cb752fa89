"""Malformed input against a live emulator: each case raises an `InvalidInputError` that names what is wrong, and
the emulator's call counter proves that not a single request reached it. Run through both clients.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from megaapi import AsyncMegaApi, InvalidInputError, MegaApi
from megaapi.media import MAX_UPLOAD_BYTES
from megaapi.testing import Emulator, ServedEmulator, serve

TO = "5511988887777"
GROUP = "120363042378568057@g.us"
KEY = {"remoteJid": f"{TO}@s.whatsapp.net", "fromMe": False, "id": "3EB0C767D26A1D4B1F9E"}
ROW = {"title": "PIX", "rowId": "pix"}
BUTTON = {"type": "replyButton", "title": "Sim"}
OVERSIZE = MAX_UPLOAD_BYTES + 1
LONE_SURROGATE = "Olá \ud83d"  # half of an emoji's UTF-16 pair: no UTF-8 encoding exists
NOT_UTF8 = b"\xff\xfe caf\xe9".decode("utf-8", "surrogateescape")  # how Python decodes undecodable bytes

Call = Callable[[Any, Path], Any]

# name -> (the call, a word the error message must contain to say what is wrong)
SWEEP: dict[str, tuple[Call, str]] = {
    # phone numbers and JIDs
    "phone with letters": (lambda api, _: api.messages.send_text("55 11 9888-PIZZA", "Oi"), "phone number"),
    "phone too short": (lambda api, _: api.messages.send_text("9888", "Oi"), "phone number"),
    "phone too long": (lambda api, _: api.messages.send_text("55119888877771234", "Oi"), "phone number"),
    "phone blank": (lambda api, _: api.messages.send_text("   ", "Oi"), "recipient"),
    "JID of an unknown server": (lambda api, _: api.messages.send_text(f"{TO}@example.com", "Oi"), "unknown server"),
    "JID with letters": (lambda api, _: api.messages.send_text("maria@s.whatsapp.net", "Oi"), "digits"),
    "group JID for a person": (lambda api, _: api.chats.block_contact(GROUP), "person"),
    "number for a group": (lambda api, _: api.groups.get_group(TO), "group JID"),
    "group JID with letters": (lambda api, _: api.groups.leave_group("abc@g.us"), "group JID"),
    "pairing phone with letters": (lambda api, _: api.instance.get_pairing_code("celular"), "phone number"),
    "instance key with a slash": (lambda api, _: api.account.delete_instance("../other"), "instance_key"),
    # empty text
    "text empty": (lambda api, _: api.messages.send_text(TO, ""), "text"),
    "text blank": (lambda api, _: api.messages.send_text(TO, " \n\t"), "text"),
    "reply empty": (lambda api, _: api.messages.reply_to_message(TO, "", KEY, {"conversation": "Oi"}), "text"),
    "group name empty": (lambda api, _: api.groups.create_group("", [TO]), "name"),
    # oversize media
    "media bytes over 16 MB": (lambda api, _: api.messages.send_media(TO, bytes(OVERSIZE)), "limit"),
    "media file over 16 MB": (lambda api, tmp: api.messages.send_media(TO, tmp / "video.mp4"), "limit"),
    "base64 media over 16 MB": (
        lambda api, _: api.messages.send_media_base_64(
            TO, bytes(OVERSIZE), media_type="document", mime_type="application/pdf"
        ),
        "limit",
    ),
    "media empty": (lambda api, _: api.messages.send_media(TO, b""), "empty"),
    "media file missing": (lambda api, tmp: api.messages.send_media(TO, tmp / "missing.jpg"), "No such file"),
    # wrong types
    "recipient an int": (lambda api, _: api.messages.send_text(5511988887777, "Oi"), "string"),
    "text bytes": (lambda api, _: api.messages.send_text(TO, b"Oi"), "text"),
    "text None": (lambda api, _: api.messages.send_text(TO, None), "text"),
    "pin a string": (lambda api, _: api.chats.pin_chat(TO, "sim"), "pin"),
    "only admins an int": (lambda api, _: api.groups.set_who_can_send_message(GROUP, 1), "only_admins"),
    "participants a string": (lambda api, _: api.groups.create_group("Equipe", TO), "participants"),
    "media source an int": (lambda api, _: api.messages.send_media(TO, 42), "Media"),
    "latitude a string": (lambda api, _: api.messages.send_location(TO, "-23.56", -46.65), "latitude"),
    "key a string": (lambda api, _: api.chats.mark_message_read("3EB0C767D26A1D4B1F9E"), "key"),
    "timestamp a float": (lambda api, _: api.chats.delete_message_for_me(TO, "3EB0", 1.7e9), "timestamp"),
    # huge strings
    "text of 65,537 characters": (lambda api, _: api.messages.send_text(TO, "a" * 65_537), "limit"),
    "text of 20 MB": (lambda api, _: api.messages.send_text(TO, "a" * 20_000_000), "limit"),
    "group name of 101 characters": (lambda api, _: api.groups.create_group("g" * 101, [TO]), "limit"),
    "caption of 100,000 characters": (
        lambda api, _: api.messages.send_media(TO, b"%PDF-1.4", caption="c" * 100_000),
        "caption",
    ),
    "instance key of 201 characters": (lambda api, _: api.account.create_instance("k" * 201), "instance_key"),
    # lone surrogates and non-UTF-8 bytes
    "text with a lone surrogate": (lambda api, _: api.messages.send_text(TO, LONE_SURROGATE), "Unicode"),
    "text with undecodable bytes": (lambda api, _: api.messages.send_text(TO, NOT_UTF8), "Unicode"),
    "text as non-UTF-8 bytes": (lambda api, _: api.messages.send_text(TO, b"\xff\xfe caf\xe9"), "text"),
    "file name with undecodable bytes": (
        lambda api, _: api.messages.send_media(TO, b"%PDF-1.4", file_name=f"nota-{NOT_UTF8}.pdf"),
        "file_name",
    ),
    "profile name with a lone surrogate": (lambda api, _: api.instance.set_profile_name(LONE_SURROGATE), "Unicode"),
    # empty lists
    "no recipients": (lambda api, _: api.messages.send_text_to_many([], "Oi"), "to"),
    "no participants": (lambda api, _: api.groups.create_group("Equipe", []), "participants"),
    "no one to add": (lambda api, _: api.groups.add_participants(GROUP, []), "participants"),
    "no mentions": (lambda api, _: api.messages.send_text_with_mentions(GROUP, "Oi", []), "mentions"),
    "no sections": (lambda api, _: api.messages.send_list(TO, "Menu", "Abrir", []), "sections"),
    "no buttons": (lambda api, _: api.messages.send_template(TO, "Confirma?", []), "buttons"),
    # NaN and out-of-range coordinates
    "latitude NaN": (lambda api, _: api.messages.send_location(TO, math.nan, -46.65), "latitude"),
    "longitude NaN": (lambda api, _: api.messages.send_location(TO, -23.56, math.nan), "longitude"),
    "latitude infinite": (lambda api, _: api.messages.send_location(TO, math.inf, -46.65), "latitude"),
    "latitude 90.5": (lambda api, _: api.messages.send_location(TO, 90.5, -46.65), "latitude"),
    "longitude -181": (lambda api, _: api.messages.send_location(TO, -23.56, -181), "longitude"),
    # values deep inside lists, models and free-form mappings
    "list row title empty": (
        lambda api, _: api.messages.send_list(TO, "Menu", "Abrir", [{"title": "A", "rows": [{**ROW, "title": ""}]}]),
        "title",
    ),
    "list section title with a lone surrogate": (
        lambda api, _: api.messages.send_list(TO, "Menu", "Abrir", [{"title": LONE_SURROGATE, "rows": [ROW]}]),
        "Unicode",
    ),
    "button payload with a lone surrogate": (
        lambda api, _: api.messages.send_template(TO, "Confirma?", [{**BUTTON, "payload": LONE_SURROGATE}]),
        "Unicode",
    ),
    "forwarded content with a lone surrogate": (
        lambda api, _: api.messages.forward_message(TO, KEY, {"conversation": LONE_SURROGATE}),
        "Unicode",
    ),
    "button fields with NaN": (
        lambda api, _: api.messages.send_buttons(TO, {"text": "Nota", "score": math.nan}),
        "NaN",
    ),
}


@pytest.fixture(scope="module")
def served() -> Iterator[ServedEmulator]:
    with Emulator() as emulator, serve(emulator) as served:
        yield served


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("media")
    with (folder / "video.mp4").open("wb") as video:
        video.truncate(OVERSIZE)  # sparse: no 16 MB written to disk
    return folder


@pytest.fixture(params=["sync", "async"])
async def client(request: pytest.FixtureRequest, served: ServedEmulator) -> AsyncIterator[MegaApi | AsyncMegaApi]:
    kind = MegaApi if request.param == "sync" else AsyncMegaApi
    api = kind(
        instance_key=served.instance_key, token=served.token, admin_token=served.admin_token, base_url=served.base_url
    )
    yield api
    if isinstance(api, MegaApi):
        api.close()
    else:
        await api.aclose()


async def attempt(call: Call, client: MegaApi | AsyncMegaApi, tmp: Path) -> None:
    """Run the case whether the method refuses its arguments at once or when awaited."""
    pending = call(client, tmp)
    if inspect.isawaitable(pending):
        await pending


def cases() -> list[Any]:
    return [pytest.param(call, word, id=name) for name, (call, word) in SWEEP.items()]


@pytest.mark.parametrize(("call", "word"), cases())
async def test_malformed_input_is_refused_clearly_and_nothing_is_sent(
    call: Call, word: str, client: MegaApi | AsyncMegaApi, served: ServedEmulator, tmp: Path
) -> None:
    served.emulator.reset_calls()
    try:
        with pytest.raises(InvalidInputError) as raised:
            await attempt(call, client, tmp)
    finally:
        assert served.emulator.calls == {}, "a request reached the emulator"
    message = str(raised.value)
    assert word.lower() in message.lower()
    assert len(message) < 300, "the bad value is not copied whole into the message"
