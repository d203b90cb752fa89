"""The SDK honours what openapi.yaml declares about each operation, on a real socket.

Every operation of the spec is called through both clients against a server on 127.0.0.1 that reads the whole
request and then drops the connection without answering: whether the message went out is unknown, so an operation
declared `x-megaapi-retry-safe: false` must be sent exactly once and the others 1 + max_retries times, and the error
says `safe_to_retry` exactly for the latter. The same
server answering 403 gives `NotOnWhatsAppError` exactly on the operations declared `x-megaapi-recipient: true`.
The expectations come from the spec, so a new operation, or a changed declaration, is covered without editing this.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator

import pytest
from unit_calls import CASES
from unit_wire import ADMIN_TOKEN, KEY, TOKEN

from megaapi import AsyncMegaApi, MegaApi
from megaapi.errors import APIConnectionError, NotOnWhatsAppError, PermissionDeniedError
from megaapi.spec import Operation, operations

MAX_RETRIES = 2
_REFUSAL = b'{"error": true, "message": "Forbidden"}'
FORBIDDEN = b"HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (
    len(_REFUSAL),
    _REFUSAL,
)

each_operation = pytest.mark.parametrize("op", operations(), ids=lambda op: op.operation_id)


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        stream = self.request.makefile("rb")
        while True:
            head = b""
            while not head.endswith(b"\r\n\r\n"):
                line = stream.readline()
                if not line:
                    return
                head += line
            length = 0
            for line in head.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            stream.read(length)
            self.server.count += 1
            if self.server.answer is None:
                self.request.shutdown(socket.SHUT_RDWR)  # read in full, never answered
                return
            self.request.sendall(self.server.answer)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    count = 0
    answer: bytes | None = None


@pytest.fixture
def server() -> Iterator[_Server]:
    with _Server(("127.0.0.1", 0), _Handler) as running:
        thread = threading.Thread(target=running.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        thread.start()
        yield running
        running.shutdown()
        thread.join()


def _options(server: _Server) -> dict[str, object]:
    host, port = server.server_address[:2]
    assert isinstance(host, str)
    return {
        "instance_key": KEY,
        "token": TOKEN,
        "admin_token": ADMIN_TOKEN,
        "base_url": f"http://{host}:{port}",
        "max_retries": MAX_RETRIES,
        "timeout": 5.0,
    }


def _expected_requests(op: Operation) -> int:
    return 1 + MAX_RETRIES if op.retry_safe else 1


@each_operation
def test_sync_sends_as_often_as_the_spec_allows(op: Operation, server: _Server) -> None:
    with MegaApi(**_options(server)) as api, pytest.raises(APIConnectionError) as raised:  # type: ignore[arg-type]
        CASES[op.operation_id].call(api)
    assert server.count == _expected_requests(op)
    assert raised.value.safe_to_retry is op.retry_safe


@each_operation
async def test_async_sends_as_often_as_the_spec_allows(op: Operation, server: _Server) -> None:
    async with AsyncMegaApi(**_options(server)) as api:  # type: ignore[arg-type]
        with pytest.raises(APIConnectionError) as raised:
            await CASES[op.operation_id].call(api)
    assert server.count == _expected_requests(op)
    assert raised.value.safe_to_retry is op.retry_safe


@each_operation
def test_403_means_not_on_whatsapp_exactly_where_declared(op: Operation, server: _Server) -> None:
    server.answer = FORBIDDEN
    with MegaApi(**_options(server)) as api, pytest.raises(PermissionDeniedError) as raised:  # type: ignore[arg-type]
        CASES[op.operation_id].call(api)
    assert isinstance(raised.value, NotOnWhatsAppError) is op.recipient
    assert server.count == 1


def test_the_behaviour_follows_the_declaration_not_the_method(server: _Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """`send_text` flipped in the operation table (as `nox -s generate` would after a flip in the spec)."""
    from megaapi import generated_api

    flipped = generated_api.OPERATIONS["sendText"]._replace(retry_safe=True, recipient=False)
    monkeypatch.setitem(generated_api.OPERATIONS, "sendText", flipped)
    with MegaApi(**_options(server)) as api:  # type: ignore[arg-type]
        with pytest.raises(APIConnectionError):
            CASES["sendText"].call(api)
        assert server.count == 1 + MAX_RETRIES
        server.answer = FORBIDDEN
        with pytest.raises(PermissionDeniedError) as raised:
            CASES["sendText"].call(api)
    assert not isinstance(raised.value, NotOnWhatsAppError)
