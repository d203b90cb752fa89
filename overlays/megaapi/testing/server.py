"""Serving an emulator over real HTTP on the loopback interface, with uvicorn."""

from __future__ import annotations

import functools
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from megaapi.testing.app import ABORT_EXTENSION
from megaapi.testing.emulator import Emulator
from megaapi.testing.state import Instance


class _AbortableApp:
    """Puts a callable in each request's scope that closes that request's connection without an answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.server: uvicorn.Server | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            extensions = {**(scope.get("extensions") or {}), ABORT_EXTENSION: functools.partial(self._abort, scope)}
            scope = {**scope, "extensions": extensions}
        await self.app(scope, receive, send)

    def _abort(self, scope: Scope) -> None:
        # uvicorn keeps its open connections (protocol objects with `client` and `transport`) in server_state.
        if self.server is None:
            raise RuntimeError("the app is not being served")
        for connection in list(self.server.server_state.connections):
            if getattr(connection, "client", None) == scope.get("client"):
                connection.transport.abort()


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening TCP socket; port 0 lets the system choose a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP spelled out: asyncio only sets TCP_NODELAY on accepted sockets whose proto says TCP, and
    # without it every small response waits for a delayed ACK (about 40 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def base_url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def make_server(emulator: Emulator) -> uvicorn.Server:
    app = _AbortableApp(emulator.app)
    # h11 everywhere, so dropped connections behave the same whether or not httptools is installed.
    config = uvicorn.Config(app, http="h11", lifespan="off", log_level="warning", access_log=False, log_config=None)
    server = uvicorn.Server(config)
    app.server = server
    return server


@dataclass
class ServedEmulator:
    """An emulator listening on `base_url`, with the credentials of its first instance at hand."""

    emulator: Emulator
    base_url: str
    instance_key: str = field(repr=False)
    token: str = field(repr=False)
    admin_token: str = field(repr=False)

    @property
    def instance(self) -> Instance:
        return self.emulator.instance(self.instance_key)


@contextmanager
def serve(emulator: Emulator | None = None, *, host: str = "127.0.0.1", port: int = 0) -> Iterator[ServedEmulator]:
    """Serve `emulator` (a new one with a connected instance by default) in a background thread.

    The socket is bound before the server starts, so `base_url` is known and the port cannot be taken meanwhile.
    The server stops, and webhook delivery finishes, when the block exits.
    """
    owned = emulator is None
    emulator = emulator or Emulator()
    instance = emulator.instances[0] if emulator.instances else emulator.add_instance()
    sock = bind(host, port)
    server = make_server(emulator)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="megaapi-emulator", daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the emulator's server did not start")
            time.sleep(0.01)
        yield ServedEmulator(emulator, base_url_of(sock), instance.key, instance.token, emulator.admin_token)
    finally:
        server.should_exit = True
        thread.join()
        sock.close()
        if owned:
            emulator.close()
