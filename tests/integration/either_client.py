"""Helpers for integration tests written once for both clients.

`await done(client.messages.send_text(...))` gives the result whether `client` is a `MegaApi` (the call has already
returned it) or an `AsyncMegaApi` (the call returned an awaitable). A call that fails raises inside the same
statement either way, so `pytest.raises` wraps both alike.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Awaitable
from typing import TypeAlias, TypeVar

from megaapi import AsyncMegaApi, MegaApi

T = TypeVar("T")
Client: TypeAlias = MegaApi | AsyncMegaApi

# The session's emulator remembers numbers marked as not on WhatsApp, so every test takes numbers of its own.
_numbers = itertools.count(1)


async def done(value: Awaitable[T] | T) -> T:
    if inspect.isawaitable(value):
        return await value
    return value


def number() -> str:
    """A Brazilian mobile number no other test of this session uses: 55 + area code 21 + 9 digits."""
    return f"55219{next(_numbers):08d}"


def contact(phone: str) -> str:
    return f"{phone}@s.whatsapp.net"
