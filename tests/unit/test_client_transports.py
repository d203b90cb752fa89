"""AsyncMegaApi's transports: aiohttp by default when megaapi[aiohttp] is installed, with httpx's own error classes,
so the retry policy reads a failure the same on either (tests/integration runs every async test on both)."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar

import httpx
import pytest
from httpx_aiohttp import HttpxAiohttpClient
from unit_http import http_server
from unit_wire import SENT

import megaapi.transports
from megaapi import APIConnectionError, AsyncMegaApi, MegaApi
from megaapi.transports import aiohttp_transport

KEY, TOKEN = "megastart-TransportKey1", "transport-token-1"


async def test_the_default_async_client_runs_on_aiohttp_when_installed() -> None:
    async with AsyncMegaApi(instance_key=KEY, token=TOKEN, base_url="http://127.0.0.1:9") as api:
        assert isinstance(api._runner.http, HttpxAiohttpClient)


def test_the_sync_client_imports_neither_asyncio_nor_aiohttp() -> None:
    """Failed before: the runner imported the async transports, and asyncio with them, into every process."""
    probe = (
        "import sys\n"
        "from megaapi import APIConnectionError, MegaApi\n"
        "with MegaApi(instance_key='k', token='t', base_url='http://127.0.0.1:9', max_retries=0) as api:\n"
        "    try:\n"
        "        api.messages.send_text('5511999999999', 'oi')\n"
        "    except APIConnectionError:\n"
        "        pass\n"
        "print(sorted({'asyncio', 'aiohttp', 'httpx_aiohttp'} & set(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
async def test_a_refused_connection_is_never_sent_so_even_a_send_is_retried(
    transport: str, sleeps: list[float]
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"  # bound, not listening: connections are refused
        async with contextlib.AsyncExitStack() as stack:
            http = httpx.AsyncClient(transport=aiohttp_transport() if transport == "aiohttp" else None)
            await stack.enter_async_context(http)
            api = AsyncMegaApi(instance_key=KEY, token=TOKEN, base_url=url, http_client=http)
            with pytest.raises(APIConnectionError) as raised:
                await api.messages.send_text("5511999999999", "oi")
    assert raised.value.safe_to_retry
    assert "ConnectError" in str(raised.value)
    assert len(sleeps) == 2  # both retries of the default budget


class _Proxy(BaseHTTPRequestHandler):
    """A forward proxy that answers every request itself and records its request line."""

    lines: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.lines.append(self.requestline)
        body = json.dumps(SENT).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    with http_server(_Proxy) as url:
        for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", url)
        _Proxy.lines = []
        yield _Proxy.lines


@pytest.mark.parametrize("kind", ["sync", "aiohttp", "httpx-own"])
async def test_the_sdks_own_client_goes_through_a_proxy_from_the_environment(
    kind: str, proxy: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SDK's own client sends past httpx's client layer (megaapi.direct), yet on the transport httpx would pick."""
    url = "http://127.0.0.1:9"  # nothing listens there: only the proxy can answer
    if kind == "sync":
        with MegaApi(instance_key=KEY, token=TOKEN, base_url=url) as api:
            assert api._runner.own
            api.messages.send_text("5511999999999", "oi")
    else:
        if kind == "httpx-own":
            monkeypatch.setattr(megaapi.transports, "_aiohttp_client_class", lambda: None)
        async with AsyncMegaApi(instance_key=KEY, token=TOKEN, base_url=url) as async_api:
            assert async_api._runner.own
            await async_api.messages.send_text("5511999999999", "oi")
    assert proxy == [f"POST {url}/rest/sendMessage/{KEY}/text HTTP/1.1"]


@pytest.fixture
def truncating_server() -> Iterator[tuple[str, list[bytes]]]:
    """Answers each request with a 200 whose body stops short of its Content-Length, then hangs up."""
    requests: list[bytes] = []
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(5)
                received = b""
                while b"\r\n\r\n" not in received:
                    received += connection.recv(65536)
                head, _, body = received.partition(b"\r\n\r\n")
                length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
                while length and len(body) < int(length.group(1)):  # all of it: unread bytes would reset the close
                    body += connection.recv(65536)
                requests.append(head.split(b"\r\n", 1)[0])
                connection.sendall(
                    b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"error": fa'
                )

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", requests
    stop.set()
    thread.join()
    listener.close()


@pytest.mark.parametrize("kind", ["aiohttp", "aiohttp-given", "httpx-own", "httpx-given"])
async def test_a_reply_cut_short_is_the_same_error_on_every_transport(
    kind: str, truncating_server: tuple[str, list[bytes]], sleeps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SDK's own aiohttp client reads a reply whole inside the transport, a given one streams it: a body cut
    short is a RemoteProtocolError either way, and a send that may have gone out is not retried."""
    url, requests = truncating_server
    async with contextlib.AsyncExitStack() as stack:
        http = None
        if kind.endswith("-given"):
            transport = aiohttp_transport() if kind.startswith("aiohttp") else None
            http = await stack.enter_async_context(httpx.AsyncClient(transport=transport))
        elif kind == "httpx-own":
            monkeypatch.setattr(megaapi.transports, "_aiohttp_client_class", lambda: None)
        api = await stack.enter_async_context(
            AsyncMegaApi(instance_key=KEY, token=TOKEN, base_url=url, http_client=http)
        )
        with pytest.raises(APIConnectionError) as raised:
            await api.messages.send_text("5511999999999", "oi")
    assert "RemoteProtocolError" in str(raised.value)
    assert raised.value.safe_to_retry is False
    assert len(requests) == 1
    assert sleeps == []
