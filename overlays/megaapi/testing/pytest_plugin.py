"""pytest fixtures for code that calls Mega-api: a fresh local emulator and SDK clients wired to it.

Registered through the `pytest11` entry point, so they are available wherever megaapi is installed. pytest loads
this module in every run, with or without the `testing` extra, so it imports nothing beyond pytest until a
fixture is used.

    def test_greets(megaapi_client, megaapi_emulator):
        megaapi_client.messages.send_text(to="5511988887777", text="Olá")
        assert megaapi_emulator.emulator.calls["sendText"] == 1
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from megaapi import AsyncMegaApi, MegaApi
    from megaapi.testing import ServedEmulator


def _async_fixture(function: Callable[..., AsyncIterator[Any]]) -> Any:
    try:
        import pytest_asyncio
    except ImportError:  # another async plugin (anyio's, say) takes plain fixtures
        return pytest.fixture(function)
    return pytest_asyncio.fixture(function)


@pytest.fixture
def megaapi_emulator() -> Iterator[ServedEmulator]:
    """A fresh emulator on a free loopback port with one connected instance; stopped after the test.

    `.base_url`, `.instance_key`, `.token` and `.admin_token` connect to it; `.emulator` holds the knobs
    (inbound messages, faults, call counts, webhook deliveries).
    """
    from megaapi.testing import Emulator, serve

    with Emulator() as emulator, serve(emulator) as served:
        yield served


@pytest.fixture
def megaapi_client(megaapi_emulator: ServedEmulator) -> Iterator[MegaApi]:
    """A `megaapi.MegaApi` bound to the emulator's instance (admin token included), closed after the test."""
    from megaapi import MegaApi

    served = megaapi_emulator
    with MegaApi(
        instance_key=served.instance_key, token=served.token, base_url=served.base_url, admin_token=served.admin_token
    ) as client:
        yield client


@_async_fixture
async def megaapi_async_client(megaapi_emulator: ServedEmulator) -> AsyncIterator[AsyncMegaApi]:
    """A `megaapi.AsyncMegaApi` bound to the emulator's instance (admin token included), closed after the test."""
    from megaapi import AsyncMegaApi

    served = megaapi_emulator
    async with AsyncMegaApi(
        instance_key=served.instance_key, token=served.token, base_url=served.base_url, admin_token=served.admin_token
    ) as client:
        yield client
