"""The default AsyncMegaApi reads a reply it reads whole without httpx's objects (megaapi.direct): on the wire and in
everything a caller sees (the result, the error, its response and request, the warning, the log line) it is the
same as the same aiohttp transport reached through httpx's client, for every kind of reply."""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar

import httpx
import pytest
from unit_http import http_server
from unit_wire import SENT

from megaapi import AsyncMegaApi, MegaApiError
from megaapi.transports import aiohttp_transport

KEY, TOKEN = "megastart-ExchangeKey1", "exchange-token-1"
TO = "5511999999999"


class _Scripted(BaseHTTPRequestHandler):
    """Answers every request with `reply` and records what it received."""

    reply: ClassVar[tuple[int, list[tuple[str, str]], bytes]] = (200, [], b"")
    received: ClassVar[list[tuple[str, list[tuple[str, str]], bytes]]] = []

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.received.append((self.requestline, list(self.headers.items()), body))
        status, headers, content = self.reply
        self.send_response_only(status)
        for name, value in [*headers, ("Content-Length", str(len(content)))]:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with http_server(_Scripted) as url:
        yield url


JSON = [("Content-Type", "application/json")]
REPLIES: dict[str, tuple[int, list[tuple[str, str]], bytes]] = {
    "sent": (200, JSON, json.dumps(SENT).encode()),
    "gzip": (200, [*JSON, ("Content-Encoding", "gzip")], gzip.compress(json.dumps(SENT).encode())),
    "error true": (200, JSON, b'{"error": true, "message": "instance disconnected"}'),
    "not json": (200, [("Content-Type", "text/html")], b"<html>ok</html>"),
    "json that is not": (200, JSON, b"{not json"),
    "mismatch": (200, JSON, b'{"error": false, "key": {"id": 5}}'),
    "not found": (404, JSON, b'{"error": true, "message": "no such instance"}'),
    "server error": (500, [("Content-Type", "text/plain"), ("Retry-After", "0")], b"upstream failed"),
    "html 502": (502, [("Content-Type", "text/html")], b"<h1>Bad gateway</h1>"),
}


def _outcome(result: Any) -> Any:
    """What a caller can see of a result or an error, without what differs from one request to the next."""
    if not isinstance(result, MegaApiError):
        return ("result", type(result).__name__, repr(result), getattr(result, "raw", None))
    seen: dict[str, Any] = {"class": type(result).__name__, "text": str(result), **vars(result)}
    response = seen.pop("response", None)
    if isinstance(response, httpx.Response):
        request = response.request
        assert isinstance(response.elapsed.total_seconds(), float)
        seen["response"] = (
            response.status_code,
            response.reason_phrase,
            response.http_version,
            [(name, value) for name, value in response.headers.multi_items() if name != "date"],
            response.content,
            request.method,
            str(request.url),
            request.headers.multi_items(),
            request.content,
            request.extensions.get("timeout"),
        )
    return seen


async def _call(kind: str, server: str, operation: str, caplog: pytest.LogCaptureFixture) -> tuple[Any, ...]:
    _Scripted.received = []
    async with contextlib.AsyncExitStack() as stack:
        http = None
        if kind == "through httpx's client":
            http = await stack.enter_async_context(httpx.AsyncClient(transport=aiohttp_transport()))
        api = await stack.enter_async_context(
            AsyncMegaApi(instance_key=KEY, token=TOKEN, base_url=server, http_client=http)
        )
        assert api._runner._on_aiohttp == (http is None)
        caplog.clear()
        with warnings.catch_warnings(record=True) as warned, caplog.at_level(logging.INFO, logger="httpx"):
            warnings.simplefilter("always")
            try:
                if operation == "send":
                    result: Any = await api.messages.send_text(TO, "oi")
                else:
                    result = await api.instance.check_number(TO)
            except MegaApiError as error:
                result = error
    logged = [record.getMessage() for record in caplog.records if record.name == "httpx"]
    return _outcome(result), [str(warning.message) for warning in warned], logged, _Scripted.received


@pytest.mark.parametrize("operation", ["send", "read"])
@pytest.mark.parametrize("reply", list(REPLIES))
async def test_the_default_client_gives_what_httpx_s_client_gives_on_the_same_transport(
    server: str, reply: str, operation: str, caplog: pytest.LogCaptureFixture
) -> None:
    _Scripted.reply = REPLIES[reply]
    reference = await _call("through httpx's client", server, operation, caplog)
    direct = await _call("the default client", server, operation, caplog)
    assert direct == reference
    outcome, _, logged, received = direct
    assert received, "nothing reached the server"
    assert logged
    assert all(KEY not in line for line in logged)
    if reply in ("sent", "gzip"):
        assert outcome[0] == "result"
