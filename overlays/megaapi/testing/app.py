"""The ASGI app: one route per spec operation, each answering in this order:

fault knobs (latency, error status, dropped connection) -> bearer token (401) -> instance (404) -> request against
the spec (400) -> the `error: true` fault -> connection (HTTP 200, `error: true`) -> the operation's handler.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from megaapi.spec import Operation, load_spec, operations, spec_text
from megaapi.testing.faults import Fault, FaultKind, Faults
from megaapi.testing.ops import HANDLERS, Call, Registration, Reply
from megaapi.testing.validation import check_request
from megaapi.testing.world import ApiError, World

# Set by `megaapi.testing.server` in the ASGI scope: a callable that closes the client's connection at once.
ABORT_EXTENSION = "megaapi.abort_connection"
MAX_BODY = 16 * 1024 * 1024  # bodies above about 16 MB are reported to fail with 413


class _JSONResponse(JSONResponse):
    """Starlette's JSON response with its encoder made once: `json.dumps` with options makes one per call."""

    _encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))

    def render(self, content: Any) -> bytes:
        return self._encoder.encode(content).encode("utf-8")


def error_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": True, "message": message}
    if status != 200:
        body["statusCode"] = status
    return _JSONResponse(body, status_code=status, headers=headers)


def _bearer(header: str | None) -> str | None:
    scheme, _, token = (header or "").strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def _parse(body: bytes) -> tuple[object, str | None]:
    """The body as JSON whatever its Content-Type: a community client sends JSON labelled text/plain."""
    try:
        return json.loads(body, parse_constant=_reject_constant), None
    except (ValueError, UnicodeDecodeError):
        return None, "request body is not valid JSON"


async def _drop(request: Request) -> None:
    abort = request.scope.get("extensions", {}).get(ABORT_EXTENSION)
    if abort is None:
        # In process (httpx.ASGITransport) there is no socket to close: raise what httpx would have raised.
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
    abort()
    # Wait until the server has seen the connection go, so it neither answers nor logs a missing response.
    while (await request.receive())["type"] != "http.disconnect":
        pass


class _Endpoint:
    def __init__(
        self,
        operation: Operation,
        registration: Registration,
        world: World,
        faults: Faults,
        calls: Counter[str],
        admin_token: str,
    ) -> None:
        self.operation = operation
        self.registration = registration
        self.world = world
        self.faults = faults
        self.calls = calls
        self.admin_token = admin_token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        with self.world.lock:
            self.calls[self.operation.operation_id] += 1
        fired = self.faults.fire(self.operation.operation_id)
        delay = sum(fault.delay for fault in fired if fault.kind is FaultKind.LATENCY)
        if delay:
            await asyncio.sleep(delay)
        outcome = next((fault for fault in fired if fault.kind is not FaultKind.LATENCY), None)
        if outcome is not None and outcome.kind is FaultKind.STATUS:
            headers = None if outcome.retry_after is None else {"Retry-After": str(outcome.retry_after)}
            response: Response = error_response(outcome.status, outcome.message, headers)
        elif outcome is not None and outcome.kind is FaultKind.DROP_BEFORE:
            await _drop(request)
            return
        else:
            body = await request.body()
            with self.world.lock:
                response = self._handle(request, body, outcome)
            if outcome is not None and outcome.kind is FaultKind.DROP_AFTER:
                await _drop(request)
                return
        await response(scope, receive, send)

    def _authorize(self, request: Request) -> Response | Call:
        token = _bearer(request.headers.get("authorization"))
        if token is None:
            return error_response(401, "Missing bearer token")
        if self.operation.admin and not _same(token, self.admin_token):
            return error_response(401, "Invalid token")
        key = request.path_params.get("instance_key")
        instance = None if key is None else self.world.instances.get(key)
        if key is not None and instance is None:
            return error_response(404, "Instance not found")
        if not self.operation.admin and (instance is None or not _same(token, instance.token)):
            return error_response(401, "Invalid token")
        return Call(self.world, instance, {}, None)

    def _handle(self, request: Request, raw: bytes, outcome: Fault | None) -> Response:
        call = self._authorize(request)
        if isinstance(call, Response):
            return call
        if self.operation.declares(413) and len(raw) > MAX_BODY:
            return error_response(413, "Payload too large")
        body, parse_error = _parse(raw) if raw else (None, None)
        if parse_error is not None:
            return error_response(400, parse_error)
        query = dict(request.query_params) if request.scope.get("query_string") else {}
        error, call.query = check_request(self.operation, request.path_params, query, body, bool(raw))
        if error is not None:
            return error_response(400, error)
        call.body = body
        if outcome is not None and outcome.kind is FaultKind.APP_ERROR:
            return error_response(200, outcome.message)
        if self.registration.needs_connection and not call.me.connected:
            return error_response(200, "Instance not connected")
        try:
            result = self.registration.handler(call)
        except ApiError as exc:
            return error_response(exc.status, exc.message)
        if isinstance(result, Reply):
            return Response(result.body, media_type=result.media_type)
        return _JSONResponse(result)


class _OptionalTrailingSlash:
    """Mega-api's router, like Express by default, ignores one trailing slash: clients call `/group/?jid=`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and len(path) > 1 and path.endswith("/"):
            scope = {**scope, "path": path[:-1]}
        await self.app(scope, receive, send)


async def _spec_yaml(request: Request) -> Response:
    return Response(spec_text(), media_type="application/yaml")


async def _spec_json(request: Request) -> Response:
    return JSONResponse(load_spec())


async def _http_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):
        raise exc
    return error_response(exc.status_code, exc.detail, exc.headers)


async def _server_error(request: Request, exc: Exception) -> Response:
    return error_response(500, "Internal server error")


def build_app(world: World, faults: Faults, calls: Counter[str], admin_token: str) -> ASGIApp:
    missing = sorted({op.operation_id for op in operations()} - HANDLERS.keys())
    if missing:
        raise RuntimeError(f"operations without a handler: {', '.join(missing)}")
    # Literal paths first, so `/rest/instance/list` is not read as the status of an instance named "list".
    ordered = sorted(operations(), key=lambda op: op.path.count("{"))
    routes = [
        Route(
            op.path,
            _Endpoint(op, HANDLERS[op.operation_id], world, faults, calls, admin_token),
            methods=[op.method],
            name=op.operation_id,
        )
        for op in ordered
    ]
    routes += [Route("/openapi.yaml", _spec_yaml), Route("/openapi.json", _spec_json)]
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )
    app.router.redirect_slashes = False
    return _OptionalTrailingSlash(app)
