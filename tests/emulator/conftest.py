"""Fixtures for the emulator's own tests: an emulator, an httpx client calling its ASGI app in process, and a
webhook receiver on the loopback interface.
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
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


@dataclass
class Receiver:
    """A webhook endpoint that records every JSON body posted to it (and the path it went to) and answers
    `status`.
    """

    url: str
    events: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    status: int = 200


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    recorded = Receiver(f"http://127.0.0.1:{server.server_address[1]}/hook?token=s3cr3t")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            recorded.events.append(json.loads(self.rfile.read(length)))
            recorded.paths.append(self.path)
            self.send_response(recorded.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output quiet

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield recorded
    server.shutdown()
    server.server_close()
    thread.join()
