"""WhatsApp identifiers (JIDs) and phone numbers.

A JID is `<user>@<server>`: `5511999999999@s.whatsapp.net` for a person, `120363042378568057@g.us` for a group,
`<id>@lid` for WhatsApp's privacy identifier. A linked device adds `:<device>` to the user part. People type numbers
as `+55 (11) 99999-9999`; these helpers turn every such form into the one the API expects, and reject the rest with
a clear `InvalidInputError` (a `ValueError`) before anything is sent.
"""

from __future__ import annotations

import re

from .errors import InvalidInputError

USER_SERVER = "s.whatsapp.net"
GROUP_SERVER = "g.us"
LID_SERVER = "lid"
# Servers that name one person; `c.us` is the legacy spelling of s.whatsapp.net.
_PERSON_SERVERS = frozenset({USER_SERVER, "c.us", LID_SERVER})
_PHONE_PUNCTUATION = re.compile(r"[\s().\-/]+")
_DIGITS = re.compile(r"[0-9]{8,15}")
_USER = re.compile(r"(?P<user>[0-9]{5,20})(?::(?P<device>[0-9]{1,4}))?")
# Group ids are digits; groups created before 2020 are `<creator>-<timestamp>`.
_GROUP = re.compile(r"[0-9]{5,20}(?:-[0-9]{5,12})?")


def phone(value: str) -> str:
    """Digits of a phone number with country code: `+55 (11) 99999-9999` -> `5511999999999`.

    A contact JID (`5511999999999@s.whatsapp.net`, with or without a device suffix) gives its number too.
    """
    text = _text(value, "phone number")
    if "@" in text:
        user, server = _split(text)
        if server not in (USER_SERVER, "c.us"):
            raise InvalidInputError(f"{_show(value)} is not a phone number or a contact JID")
        return _person_user(user, value)
    digits = _PHONE_PUNCTUATION.sub("", text)
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):  # international dialling prefix
        digits = digits[2:]
    if not _DIGITS.fullmatch(digits):
        raise InvalidInputError(
            f"{_show(value)} is not a phone number: give 8 to 15 digits with the country code, e.g. 5511999999999"
        )
    return digits


def chat(value: str) -> str:
    """A chat to send to: a person or a group, as the full JID the vendor's samples send.

    Phone numbers become `<digits>@s.whatsapp.net`; group and `@lid` JIDs are kept; device suffixes are dropped.
    """
    text = _text(value, "recipient")
    if "@" not in text:
        return f"{phone(text)}@{USER_SERVER}"
    _, server = _split(text)
    if server == GROUP_SERVER:
        return group(text)
    if server in _PERSON_SERVERS:
        return person(text)
    raise InvalidInputError(f"{_show(value)} is not a contact or group JID (unknown server {server!r})")


def person(value: str) -> str:
    """A person: a phone number or a contact/`@lid` JID, normalised; groups are rejected."""
    text = _text(value, "contact")
    if "@" not in text:
        return f"{phone(text)}@{USER_SERVER}"
    user, server = _split(text)
    if server not in _PERSON_SERVERS:
        raise InvalidInputError(f"{_show(value)} is not a person's JID (expected @{USER_SERVER} or @{LID_SERVER})")
    server = USER_SERVER if server == "c.us" else server
    return f"{_person_user(user, value)}@{server}"


def group(value: str) -> str:
    """A group JID such as `120363042378568057@g.us`; anything else is rejected."""
    text = _text(value, "group")
    if "@" not in text:
        raise InvalidInputError(f"{_show(value)} is not a group JID; group JIDs end in @{GROUP_SERVER}")
    user, server = _split(text)
    if server != GROUP_SERVER or not _GROUP.fullmatch(user):
        raise InvalidInputError(f"{_show(value)} is not a group JID such as 120363042378568057@{GROUP_SERVER}")
    return f"{user}@{GROUP_SERVER}"


def is_group(jid: str) -> bool:
    """True for a group JID (`...@g.us`)."""
    return jid.endswith("@" + GROUP_SERVER)


def _person_user(user: str, original: str) -> str:
    match = _USER.fullmatch(user)
    if match is None:
        raise InvalidInputError(f"{_show(original)} is not a valid JID: the part before @ must be digits")
    return match["user"]


def _split(text: str) -> tuple[str, str]:
    user, _, server = text.partition("@")
    return user, server.lower()


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"{what} must be a string, not {type(value).__name__}")
    text = value.strip()
    if not text:
        raise InvalidInputError(f"{what} must not be empty")
    return text


def _show(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")
