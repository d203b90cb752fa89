"""The SDK against the emulator over real HTTP on 127.0.0.1.

One emulator serves the whole session; every test gets a fresh instance of it and clients bound to that instance.
With `MEGAAPI_PRISM=<path to prism>` (as `nox -s prism` sets it) the clients talk to a `prism proxy` in front of the
emulator instead, so a tool we did not write validates every request and response against openapi.yaml.
Tests that cannot pass through a proxy carry the `direct` marker and are skipped there.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

import megaapi.transports
from megaapi import AsyncMegaApi, MegaApi
from megaapi.testing import Emulator, Instance, serve

ROOT = Path(__file__).resolve().parents[2]
PRISM = os.environ.get("MEGAAPI_PRISM")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "direct: needs the emulator itself, not a proxy in front of it")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if PRISM:
        # A proxy answers a dropped upstream connection with an error response of its own, and holds
        # connection-level behaviour (latency, aborts) that these tests observe directly.
        skip = pytest.mark.skip(reason="observes the connection itself, which the prism proxy replaces")
        for item in items:
            if item.get_closest_marker("direct"):
                item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def prism_proxy(upstream: str, prism: str) -> Iterator[str]:
    """`prism proxy --errors`: requests and responses that break openapi.yaml become errors the tests see."""
    port = _free_port()
    command = [prism, "proxy", str(ROOT / "openapi.yaml"), upstream, "--host", "127.0.0.1", "--port", str(port)]
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen([*command, "--errors"], stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise RuntimeError(f"prism did not start:\n{log.read()}") from None
                    time.sleep(0.2)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=10)


@dataclass
class Setup:
    """The session's emulator, the URL the clients use, and this test's instance."""

    emulator: Emulator
    base_url: str
    instance: Instance
    admin_token: str

    def client(self, http_client: httpx.Client | None = None) -> MegaApi:
        return MegaApi(
            instance_key=self.instance.key,
            token=self.instance.token,
            admin_token=self.admin_token,
            base_url=self.base_url,
            http_client=http_client,
        )

    @contextmanager
    def sync_client(self, kind: str) -> Iterator[MegaApi]:
        """`own`: the client the SDK makes; `given`: an `httpx.Client` passed in, which sends through httpx's client
        layer where the SDK's own one sends straight to its transport (megaapi.direct)."""
        with ExitStack() as stack:
            http = stack.enter_context(httpx.Client()) if kind == "given" else None
            yield stack.enter_context(self.client(http))

    @asynccontextmanager
    async def async_client(self, kind: str) -> AsyncIterator[AsyncMegaApi]:
        """`aiohttp`: the client users get by default (megaapi[aiohttp] is installed here); `httpx-own`: the one they
        get without megaapi[aiohttp], on httpx's own transport; `httpx`: an `httpx.AsyncClient` passed in."""
        async with AsyncExitStack() as stack:
            http = await stack.enter_async_context(httpx.AsyncClient()) if kind == "httpx" else None
            with pytest.MonkeyPatch.context() as patch:
                if kind == "httpx-own":
                    patch.setattr(megaapi.transports, "_aiohttp_client_class", lambda: None)
                client = AsyncMegaApi(
                    instance_key=self.instance.key,
                    token=self.instance.token,
                    admin_token=self.admin_token,
                    base_url=self.base_url,
                    http_client=http,
                )
            assert client._runner.own == (http is None)
            yield await stack.enter_async_context(client)


@pytest.fixture(scope="session")
def service() -> Iterator[tuple[Emulator, str]]:
    with Emulator() as emulator, serve(emulator) as served:
        if PRISM:
            with prism_proxy(served.base_url, PRISM) as url:
                yield emulator, url
        else:
            yield emulator, served.base_url


@pytest.fixture
def setup(service: tuple[Emulator, str]) -> Iterator[Setup]:
    emulator, base_url = service
    emulator.faults.clear()
    emulator.reset_calls()
    yield Setup(emulator, base_url, emulator.add_instance(), emulator.admin_token)
    emulator.faults.clear()


# Every test runs on each client and transport: the SDK's behaviour must depend on neither.
SYNC_CLIENTS = ["own", "given"]
ASYNC_CLIENTS = ["aiohttp", "httpx-own", "httpx"]


@pytest.fixture(params=SYNC_CLIENTS)
def api(request: pytest.FixtureRequest, setup: Setup) -> Iterator[MegaApi]:
    with setup.sync_client(request.param) as client:
        yield client


@pytest.fixture(params=ASYNC_CLIENTS)
async def async_api(request: pytest.FixtureRequest, setup: Setup) -> AsyncIterator[AsyncMegaApi]:
    async with setup.async_client(request.param) as client:
        yield client


@pytest.fixture(params=[*(f"sync-{kind}" for kind in SYNC_CLIENTS), *(f"async-{kind}" for kind in ASYNC_CLIENTS)])
async def client(request: pytest.FixtureRequest, setup: Setup) -> AsyncIterator[MegaApi | AsyncMegaApi]:
    """Each client in turn, for tests written once for both (see either_client.py)."""
    kind, _, transport = request.param.partition("-")
    if kind == "sync":
        with setup.sync_client(transport) as api:
            yield api
    else:
        async with setup.async_client(transport) as async_api:
            yield async_api
