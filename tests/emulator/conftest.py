"""Fixtures for the emulator's own tests: an emulator, an httpx client calling its ASGI app in process, and a
webhook receiver on the loopback interface.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from local_receiver import Receiver, running_receiver
from spec_requests import ADMIN_TOKEN, KEY, TOKEN

from megaapi.testing import Emulator
from megaapi.testing.pytest_plugin import megaapi_async_client, megaapi_client, megaapi_emulator

# The plugin's fixtures, for the tests of the plugin itself (pytest finds them through the `pytest11` entry point
# once megaapi is installed; importing them here also covers running from a source checkout).
__all__ = ["megaapi_async_client", "megaapi_client", "megaapi_emulator"]


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(admin_token=ADMIN_TOKEN, seed=7) as emulator:
        emulator.add_instance(KEY, TOKEN, phone="5561981278471", push_name="Loja Teste")
        yield emulator


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=emulator.app)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator", headers=headers) as client:
        yield client


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as recorded:
        yield recorded
