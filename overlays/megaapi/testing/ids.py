"""Identifiers shaped like WhatsApp's, from one seedable generator so a seeded emulator repeats itself."""

from __future__ import annotations

import base64
import random
import secrets
import string

_BASE62 = string.digits + string.ascii_letters
_PAIRING = "ABCDEFGHJKLMNPQRSTVWXYZ23456789"  # no look-alikes: I/1, O/0, U/V


class Ids:
    def __init__(self, seed: int | str | None = None) -> None:
        self._rng = random.Random(seed)  # noqa: S311 - test identifiers, not secrets

    def _hex(self, length: int) -> str:
        return "".join(self._rng.choice("0123456789ABCDEF") for _ in range(length))

    def _digits(self, length: int) -> str:
        return "".join(self._rng.choice(string.digits) for _ in range(length))

    def fraction(self) -> float:
        return self._rng.random()

    def sent_message_id(self) -> str:
        """Ids of messages sent through the API: `3EB0` and 16 hex digits, as WhatsApp Web makes them."""
        return "3EB0" + self._hex(16)

    def received_message_id(self) -> str:
        """Ids of messages sent from a phone: 32 hex digits."""
        return self._hex(32)

    def group_jid(self) -> str:
        return "1203630" + self._digits(11) + "@g.us"

    def invite_code(self) -> str:
        return "".join(self._rng.choice(_BASE62) for _ in range(22))

    def pairing_code(self) -> str:
        code = "".join(self._rng.choice(_PAIRING) for _ in range(8))
        return f"{code[:4]}-{code[4:]}"

    def phone(self) -> str:
        """A Brazilian mobile number (São Paulo area code)."""
        return "55119" + self._digits(8)

    def key_bytes(self, length: int = 32) -> str:
        """Base64 of random bytes, the shape of media keys and key hashes."""
        return base64.b64encode(self._rng.randbytes(length)).decode("ascii")

    def cdn_path(self) -> str:
        """A WhatsApp CDN direct path for an encrypted media file."""
        name = f"{self._digits(8)}_{self._digits(16)}_{self._digits(19)}_n.enc"
        return f"/v/t62.7118-24/{name}?ccb=11-4&oh=01_{self._hex(40)}&oe={self._hex(8)}"


def new_instance_key() -> str:
    """Instance keys and tokens are credentials: drawn from `secrets`, never from the seeded generator."""
    return "megaapi-" + secrets.token_hex(8)


def new_token() -> str:
    return secrets.token_urlsafe(24)
