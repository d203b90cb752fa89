"""`megaapi.jid`: phone numbers and JIDs in the notations people use, normalised; everything else refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from megaapi import InvalidInputError, MegaApiError, jid

CONTACT = "5511999999999@s.whatsapp.net"
GROUP = "120363042378568057@g.us"


@pytest.mark.parametrize(
    ("value", "digits"),
    [
        ("5511999999999", "5511999999999"),
        ("+55 (11) 99999-9999", "5511999999999"),
        ("+55 11 99999 9999", "5511999999999"),
        ("55.11.99999.9999", "5511999999999"),
        ("55/11/99999-9999", "5511999999999"),
        ("0055 11 99999-9999", "5511999999999"),
        ("+55\u00a011\u00a099999-9999", "5511999999999"),
        ("\t+55 (11) 99999-9999\n", "5511999999999"),
        ("+1 (415) 555-2671", "14155552671"),
        ("+44 20 7946 0958", "442079460958"),
        ("+55 11 3333-4444", "551133334444"),
        ("12345678", "12345678"),
        ("123456789012345", "123456789012345"),
        ("5511999999999@s.whatsapp.net", "5511999999999"),
        ("5511999999999@c.us", "5511999999999"),
        ("5511999999999:12@s.whatsapp.net", "5511999999999"),
        ("5511999999999@S.WhatsApp.Net", "5511999999999"),
    ],
)
def test_phone_accepts_common_notations(value: str, digits: str) -> None:
    assert jid.phone(value) == digits


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5511999999999", CONTACT),
        ("+55 (11) 99999-9999", CONTACT),
        (CONTACT, CONTACT),
        (" 5511999999999@s.whatsapp.net ", CONTACT),
        ("5511999999999@c.us", CONTACT),
        ("5511999999999:3@s.whatsapp.net", CONTACT),
        (GROUP, GROUP),
        ("120363042378568057@G.US", GROUP),
        ("5511999999999-1600000000@g.us", "5511999999999-1600000000@g.us"),
        ("123456789012345@lid", "123456789012345@lid"),
        ("123456789012345:7@lid", "123456789012345@lid"),
    ],
)
def test_chat_normalises_people_and_groups(value: str, expected: str) -> None:
    assert jid.chat(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("+55 11 99999-9999", CONTACT), ("5511999999999@c.us", CONTACT), ("98765432101@lid", "98765432101@lid")],
)
def test_person_normalises_contacts(value: str, expected: str) -> None:
    assert jid.person(value) == expected


def test_group_keeps_group_jids() -> None:
    assert jid.group(f"  {GROUP}") == GROUP
    assert jid.is_group(GROUP)
    assert not jid.is_group(CONTACT)


BAD_EVERYWHERE: list[object] = [
    "",
    "   ",
    "abc",
    "+",
    "1234567",
    "1234567890123456",
    "55 11 9999a-9999",
    "++5511999999999",
    "55+11999999999",
    "\u0665\u0665\u0661\u0661\u0669\u0669\u0669\u0669\u0669\u0669\u0669\u0669\u0669",  # Arabic-Indic digits
    "\uff15\uff15\uff11\uff11\uff19\uff19\uff19\uff19\uff19\uff19\uff19\uff19\uff19",  # fullwidth digits
    "5511999999999\ud800",
    "x@unknown.net",
    "5511999999999@",
    "@s.whatsapp.net",
    "5511999999999@s.whatsapp.net@g.us",
    "status@broadcast",
    "120363000000000000@newsletter",
    "5511 99999@s.whatsapp.net",
    "../5511999999999@s.whatsapp.net",
    "abc@g.us",
    "5" * 10_000,
    None,
    5511999999999,
    b"5511999999999",
    ["5511999999999"],
]


@pytest.mark.parametrize("value", BAD_EVERYWHERE, ids=lambda v: repr(v)[:30])
@pytest.mark.parametrize("convert", [jid.phone, jid.chat, jid.person, jid.group], ids=lambda f: f.__name__)
def test_malformed_values_are_refused(convert: Callable[[str], str], value: object) -> None:
    with pytest.raises(InvalidInputError) as raised:
        convert(value)  # type: ignore[arg-type]
    assert isinstance(raised.value, ValueError)
    assert isinstance(raised.value, MegaApiError)
    assert str(raised.value)


@pytest.mark.parametrize(
    ("convert", "value"),
    [
        (jid.phone, GROUP),
        (jid.phone, "123456789012345@lid"),
        (jid.person, GROUP),
        (jid.group, "5511999999999"),
        (jid.group, CONTACT),
        (jid.group, "120363042378568057:1@g.us"),
        (jid.chat, "12@lid"),
    ],
    ids=repr,
)
def test_values_of_the_wrong_kind_are_refused(convert: Callable[[str], str], value: str) -> None:
    with pytest.raises(InvalidInputError):
        convert(value)


def test_long_values_are_shortened_in_messages() -> None:
    with pytest.raises(InvalidInputError) as raised:
        jid.chat("x" * 500 + "@unknown.net")
    assert len(str(raised.value)) < 200
