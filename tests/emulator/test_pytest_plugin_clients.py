"""The plugin's SDK clients are wired to the emulator its `megaapi_emulator` fixture serves."""

from __future__ import annotations

from megaapi import AsyncMegaApi, MegaApi
from megaapi.testing import ServedEmulator


def test_the_client_fixture_talks_to_the_emulator(megaapi_client: MegaApi, megaapi_emulator: ServedEmulator) -> None:
    status = megaapi_client.instance.get_instance_status()
    assert status.connected
    assert status.user is not None
    assert status.user.id == megaapi_emulator.instance.jid
    assert megaapi_emulator.emulator.calls["getInstanceStatus"] == 1


async def test_the_async_client_fixture_talks_to_the_emulator(
    megaapi_async_client: AsyncMegaApi, megaapi_emulator: ServedEmulator
) -> None:
    status = await megaapi_async_client.instance.get_instance_status()
    assert status.connected
    assert status.user is not None
    assert status.user.id == megaapi_emulator.instance.jid
    assert megaapi_emulator.emulator.calls["getInstanceStatus"] == 1
