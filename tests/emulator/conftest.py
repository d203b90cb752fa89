"""Fixtures for the emulator's own tests: an emulator and an httpx client that calls its ASGI app in process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from megaapi.testing import Emulator
from spec_requests import ADMIN_TOKEN, KEY, TOKEN


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
