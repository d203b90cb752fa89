"""`WebhookApp`: a dependency-free ASGI app that receives Mega-api webhook deliveries and dispatches them.

Mega-api signs nothing, so the app checks a shared secret carried in the URL (`?token=`). It answers as soon as the
body is parsed and only then runs the handlers, so the sender never waits for a handler, and a server's graceful
shutdown still waits for every handler. Who waits depends on the lifespan:

- While a lifespan runs on the request's event loop (the server sent `lifespan.startup` there and no shutdown yet:
  `uvicorn app:app` does), an event whose handlers are all plain functions is handed to the worker threads as one
  unit that runs them in order, and the ASGI call returns at once; the lifespan shutdown runs what is queued and waits
  for the threads. Nothing comes back to the event loop for such an event, which saves a server a good part of the
  cost of a plain-function handler (BENCHMARKS.md).
- Otherwise (no lifespan, as under `uvicorn --lifespan off` or when mounted in another app, or an event with a
  coroutine-function handler), the ASGI call awaits each handler in turn, and a server's graceful shutdown waits for
  that call.

The price of answering first is that a failing handler cannot make the sender retry, so every failure is logged with
the event's type and id.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hmac
import inspect
import logging
import os
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, TypeAlias, TypeVar
from urllib.parse import parse_qsl, urlencode

from ..errors import ConfigurationError
from ..logs import MASK
from ._events import KINDS, Event, Kind
from ._parse import WebhookParseError, load, parse_payload
from ._threads import HandlerThreads

logger = logging.getLogger("megaapi.webhooks")

Scope: TypeAlias = MutableMapping[str, Any]
Message: TypeAlias = MutableMapping[str, Any]
Receive: TypeAlias = Callable[[], Awaitable[Message]]
Send: TypeAlias = Callable[[Message], Awaitable[None]]

Handler: TypeAlias = Callable[[Event], object]
"""A function or coroutine function taking one event; what it returns is ignored."""
H = TypeVar("H", bound=Callable[..., object])

TOKEN_ENV = "MEGAAPI_WEBHOOK_TOKEN"  # noqa: S105 - the variable's name, not a secret
# The vendor's own relay accepts bodies up to 100000 kB; media events carry base64 thumbnails inline.
DEFAULT_MAX_BODY_SIZE = 100 * 1024 * 1024
_MIN_TOKEN_LENGTH = 16
# Unreserved URL characters only, so the token reads the same in every URL and needs no escaping.
_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9._~-]+")
_MASKED_QUERY = f"token={MASK}".encode("ascii")
# Threads for plain-function handlers: asyncio's default for `to_thread`, which WebhookApp used before, so blocking
# handlers get the same concurrency; bounded, so a flood of slow handlers queues instead of starting threads.
MAX_HANDLER_THREADS = min(32, (os.cpu_count() or 1) + 4)


class Handlers:
    """Handlers registered by event kind; `WebhookApp` and the inbox (`megaapi.inbox.Inbox`) both keep theirs here."""

    def __init__(self) -> None:
        self._handlers: list[tuple[frozenset[str] | None, Callable[..., object]]] = []

    def on(self, *kinds: Kind) -> Callable[[H], H]:
        """Register the decorated function for events of these kinds.

        The kinds are `text` (conversation and extendedTextMessage), `image`, `video`, `audio`, `document`,
        `sticker`, `location`, `contact`, `interactive` (list and button replies and other messageContextInfo
        content), `ack`, `connection` and `unknown` (any other or malformed event; see `UnknownEvent`).
        """
        if not kinds:
            raise ValueError("on() needs at least one event kind, e.g. on('text'); use on_any for every event")
        unknown = sorted(set(kinds) - KINDS)
        if unknown:
            raise ValueError(f"unknown event kind(s) {unknown}; the kinds are {sorted(KINDS)}")
        wanted = frozenset(kinds)

        def register(handler: H) -> H:
            self._handlers.append((wanted, handler))
            return handler

        return register

    def on_ack(self, handler: H) -> H:
        """Register the decorated function for `message.ack` events (delivery and read receipts)."""
        return self.on("ack")(handler)

    def on_any(self, handler: H) -> H:
        """Register the decorated function for every event."""
        self._handlers.append((None, handler))
        return handler

    def handlers_for(self, event: Event) -> list[Callable[..., object]]:
        """The handlers registered for this event's kind, in registration order."""
        return [handler for kinds, handler in self._handlers if kinds is None or event.kind in kinds]


class WebhookApp(Handlers):
    """An ASGI app for the webhook URL configured in Mega-api, e.g. `https://bot.example.com/megaapi?token=<token>`.

    `token` (or the `MEGAAPI_WEBHOOK_TOKEN` environment variable) is the shared secret: at least 16 URL-safe
    characters, such as `secrets.token_urlsafe(32)`. Requests without it get 401, other methods than POST 405, a
    body that is not a JSON object 400 and a body over `max_body_size` bytes 413. With `instance_key`, an event that
    names another instance gets 403. Everything else gets 200 and is dispatched to the handlers registered for its
    kind (see `on`), plus `handler` and the `on_any` handlers, in registration order, after the answer. Coroutine
    functions run on the event loop, plain functions on the app's own worker threads (see docs/webhooks.md), which
    the lifespan shutdown ends after they have run what is queued. While a lifespan runs, the request's ASGI call
    returns as soon as an event whose handlers are all plain functions is handed to the threads (the lifespan
    shutdown waits for them); otherwise it returns once every handler has run. Only asyncio servers (uvicorn,
    hypercorn) are supported.
    """

    def __init__(
        self,
        handler: Handler | None = None,
        *,
        token: str | None = None,
        instance_key: str | None = None,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    ) -> None:
        token = os.environ.get(TOKEN_ENV) if token is None else token
        if not token:
            raise ConfigurationError(f"WebhookApp needs token=... or the {TOKEN_ENV} environment variable")
        if len(token) < _MIN_TOKEN_LENGTH or not _TOKEN_PATTERN.fullmatch(token):
            raise ConfigurationError(
                f"the webhook token must be at least {_MIN_TOKEN_LENGTH} characters from A-Z a-z 0-9 . _ ~ -; "
                "secrets.token_urlsafe(32) makes a good one"
            )
        if instance_key is not None and not instance_key:
            raise ConfigurationError("instance_key must be a non-empty string or None")
        if max_body_size < 1:
            raise ConfigurationError("max_body_size must be a positive number of bytes")
        self._token = token.encode()
        self._instance_key = None if instance_key is None else instance_key.encode()
        self._max_body_size = max_body_size
        self._threads: HandlerThreads | None = None
        # The loop of the running lifespan (between its startup and its shutdown): requests there need not wait for
        # their plain-function handlers, since the lifespan shutdown does.
        self._lifespan_loop: asyncio.AbstractEventLoop | None = None
        super().__init__()
        if handler is not None:
            self.on_any(handler)

    def __repr__(self) -> str:
        return f"WebhookApp(handlers={len(self._handlers)}, max_body_size={self._max_body_size})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send, self._lifespan_started, self._stop_threads)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        else:
            await self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._authorized(scope):
            logger.warning("Rejected a webhook request without the right token (client %s)", _client(scope))
            await respond(send, 401, "unauthorized")
            return
        if scope["method"] != "POST":
            await respond(send, 405, "method not allowed", [(b"allow", b"POST")])
            return
        body = await self._read_body(scope, receive, send)
        if body is None:
            return
        try:
            payload = load(body)
        except WebhookParseError as exc:
            logger.warning("Rejected a webhook delivery: %s", exc)
            await respond(send, 400, str(exc))
            return
        if not self._same_instance(payload.get("instance_key")):
            logger.warning("Rejected a webhook delivery addressed to another instance")
            await respond(send, 403, "wrong instance")
            return
        await self._accept(payload, send)

    async def _accept(self, payload: dict[str, Any], send: Send) -> None:
        """Answer a verified delivery and act on it: here, answer 200 and then run the handlers."""
        event = parse_payload(payload)
        handlers = self.handlers_for(event)
        await respond(send, 200, "ok")
        if not handlers:
            logger.debug("No webhook handler for a %s event", event.kind)
            return
        threads = self._handler_threads()
        if threads.loop is self._lifespan_loop and not any(map(inspect.iscoroutinefunction, handlers)):
            # The lifespan shutdown waits for the threads, so this call need not: hand the handlers over as one unit
            # that runs them in order, and return.
            threads.submit(_run_in_thread, handlers, event, threads)
            return
        for handler in handlers:
            await _run(handler, event, threads)

    def _handler_threads(self) -> HandlerThreads:
        """The threads for plain-function handlers, made for the running loop on first use."""
        loop = asyncio.get_running_loop()
        if self._threads is None or self._threads.loop is not loop:
            # A new loop (the app served again, or tests) gets its own; the old one's threads end when idle.
            self._threads = HandlerThreads(loop, MAX_HANDLER_THREADS)
        return self._threads

    def _lifespan_started(self) -> None:
        self._lifespan_loop = asyncio.get_running_loop()

    async def _stop_threads(self) -> None:
        # Requests from now on wait for their handlers again; what was handed over already runs before aclose ends.
        self._lifespan_loop = None
        threads, self._threads = self._threads, None
        if threads is not None and threads.loop is asyncio.get_running_loop():
            await threads.aclose()

    def _authorized(self, scope: Scope) -> bool:
        query = scope.get("query_string", b"")
        if query.startswith(b"token=") and not any(byte in query for byte in b"&%+"):
            # The URL as configured, `?token=<token>` and nothing to unquote: no need to parse and rebuild it.
            scope["query_string"] = _MASKED_QUERY
            return hmac.compare_digest(query[6:], self._token)
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        offered = [value for name, value in pairs if name == "token"]
        if offered:
            # Servers log the request line from this scope after the response starts (uvicorn's access log does);
            # mask the token so it never reaches a log.
            masked = [(name, MASK if name == "token" else value) for name, value in pairs]
            scope["query_string"] = urlencode(masked, safe="*").encode("ascii")
        return len(offered) == 1 and hmac.compare_digest(offered[0].encode(), self._token)

    def _same_instance(self, instance_key: object) -> bool:
        # Events without an instance_key pass: acks and connection events may not carry one.
        if self._instance_key is None or not isinstance(instance_key, str):
            return True
        return hmac.compare_digest(instance_key.encode(), self._instance_key)

    async def _read_body(self, scope: Scope, receive: Receive, send: Send) -> bytes | None:
        """The request body, or None once a response has been sent (too large) or the client has gone."""
        declared = next((value for name, value in scope.get("headers", ()) if name == b"content-length"), b"")
        if declared.isdigit() and int(declared) > self._max_body_size:
            await respond(send, 413, "body too large")
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self._max_body_size:
                await respond(send, 413, "body too large")
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


async def call(handler: Callable[..., object], *args: object, threads: HandlerThreads | None = None) -> None:
    """Run one handler: a coroutine function on the event loop, a plain function in a worker thread (of `threads`)."""
    if inspect.iscoroutinefunction(handler):
        await handler(*args)
    else:
        result = await (asyncio.to_thread(handler, *args) if threads is None else threads.run(handler, *args))
        if inspect.isawaitable(result):  # an object whose __call__ is async
            await result


async def _run(handler: Callable[..., object], event: Event, threads: HandlerThreads) -> None:
    try:
        await call(handler, event, threads=threads)
    except asyncio.CancelledError:
        _log_failure("was cancelled", handler, event, with_traceback=False)
        raise
    except Exception:
        _log_failure("failed", handler, event, with_traceback=True)


def _run_in_thread(handlers: list[Callable[..., object]], event: Event, threads: HandlerThreads) -> None:
    """In a worker thread: run an event's plain-function handlers in order, logging each failure as `_run` does."""
    for handler in handlers:
        try:
            result = handler(event)
            if inspect.isawaitable(result):  # an object whose __call__ is async: awaited on the loop
                threads.await_on_loop(result)
        except concurrent.futures.CancelledError:  # the loop cancelled the awaitable (the server is forced down)
            _log_failure("was cancelled", handler, event, with_traceback=False)
        except Exception:
            _log_failure("failed", handler, event, with_traceback=True)


def _log_failure(what: str, handler: Callable[..., object], event: Event, *, with_traceback: bool) -> None:
    logger.error(
        "Webhook handler %s %s on a %s event (messageType %r, key.id %r)",
        getattr(handler, "__qualname__", type(handler).__qualname__),
        what,
        event.kind,
        event.message_type,
        event.message_id,
        exc_info=with_traceback,
    )


async def respond(send: Send, status: int, text: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _lifespan(
    receive: Receive, send: Send, on_startup: Callable[[], None], on_shutdown: Callable[[], Awaitable[None]]
) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            on_startup()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await on_shutdown()
            await send({"type": "lifespan.shutdown.complete"})
            return


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"
