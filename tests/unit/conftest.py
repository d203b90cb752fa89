"""Fixtures of the unit tier: a strict recording transport, clients bound to it, no real sleeping, no stray
environment.
"""

from __future__ import annotations

import types
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from unit_wire import ADMIN_TOKEN, HOST, KEY, TOKEN, Wire

import megaapi.client
import megaapi.runner
import megaapi.transports
from megaapi import AsyncMegaApi, MegaApi

ENVIRONMENT = ("MEGAAPI_INSTANCE_KEY", "MEGAAPI_TOKEN", "MEGAAPI_ADMIN_TOKEN", "MEGAAPI_HOST", "MEGAAPI_BASE_URL")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own MEGAAPI_* settings must not change what a test sees."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays the runner asked for between attempts, recorded instead of slept (sync and async)."""
    recorded: list[float] = []

    def sleep(seconds: float) -> None:
        recorded.append(seconds)

    async def async_sleep(seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr(megaapi.runner, "time", types.SimpleNamespace(sleep=sleep))
    # The runner's own hook, not asyncio.sleep: servers other tiers leave running in other threads sleep too.
    monkeypatch.setattr(megaapi.runner, "_async_sleep", async_sleep)
    return recorded


@pytest.fixture
def wire() -> Iterator[Wire]:
    recorder = Wire()
    yield recorder
    assert not recorder.problems, recorder.problems
    assert recorder.pending == 0, f"{recorder.pending} queued replies were never requested"


# The client the SDK makes itself sends past httpx's client layer (megaapi.direct); one passed as `http_client` goes
# through it. Every test of either client runs both ways: `own` is the SDK's own client, put on the wire's transport.
HTTP_CLIENTS = ["own", "given"]


@pytest.fixture(params=HTTP_CLIENTS)
def api(request: pytest.FixtureRequest, wire: Wire, monkeypatch: pytest.MonkeyPatch) -> Iterator[MegaApi]:
    with httpx.Client(transport=wire.transport) as http:
        given = http if request.param == "given" else None
        monkeypatch.setattr(megaapi.client, "_own_http_client", lambda: http)
        with MegaApi(instance_key=KEY, token=TOKEN, admin_token=ADMIN_TOKEN, host=HOST, http_client=given) as client:
            assert client._runner.own == (given is None)
            yield client


@pytest.fixture(params=HTTP_CLIENTS)
async def async_api(
    request: pytest.FixtureRequest, wire: Wire, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[AsyncMegaApi]:
    async with httpx.AsyncClient(transport=wire.transport) as http:
        given = http if request.param == "given" else None
        monkeypatch.setattr(megaapi.transports, "async_http_client", lambda: http)
        async with AsyncMegaApi(
            instance_key=KEY, token=TOKEN, admin_token=ADMIN_TOKEN, host=HOST, http_client=given
        ) as client:
            assert client._runner.own == (given is None)
            yield client
