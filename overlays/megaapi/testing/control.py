"""The emulator's control API: the `Emulator` knobs over HTTP under `/control`, for clients in any language.

It is described in `control.yaml`, served at `/control/openapi.yaml` and kept apart from Mega-api's own description.
Every route takes the admin token; bodies are checked against that description before anything changes. Each route
calls one public `Emulator` method, so the Python object API and this one cannot drift apart.
"""

from __future__ import annotations

import base64
import functools
import hmac
import json
from collections.abc import Callable
from importlib.resources import files
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from megaapi.testing.faults import Fault, FaultKind

if TYPE_CHECKING:
    from megaapi.testing.emulator import Emulator
    from megaapi.testing.state import Instance

PREFIX = "/control"
_URI = "urn:megaapi:emulator-control"


@functools.cache
def control_spec_text() -> str:
    return (files("megaapi.testing") / "control.yaml").read_text(encoding="utf-8")


@functools.cache
def control_spec() -> dict[str, Any]:
    loaded = yaml.safe_load(control_spec_text())
    if not isinstance(loaded, dict):
        raise TypeError("control.yaml does not hold a mapping")
    return loaded


@functools.cache
def _body_validator(path: str, method: str) -> Draft202012Validator:
    """Validator of the request body of one control operation, resolving `$ref`s against the whole document."""
    registry: Registry[Any] = Registry().with_resource(_URI, DRAFT202012.create_resource(control_spec()))
    escaped = path.replace("~", "~0").replace("/", "~1")
    pointer = f"/paths/{escaped}/{method}/requestBody/content/application~1json/schema"
    return Draft202012Validator({"$ref": f"{_URI}#{pointer}"}, registry=registry)


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": True, "message": message}, status_code=status)


def _done() -> JSONResponse:
    return JSONResponse({"error": False})


Handler = Callable[["Emulator", Request, dict[str, Any]], Response]


def instance_state(instance: Instance) -> dict[str, Any]:
    return {
        "key": instance.key,
        "phone": instance.phone,
        "status": instance.state,
        "webhookUrlSet": bool(instance.webhook_url),
        "webhookEnabled": instance.webhook_enabled,
    }


def _instance(emulator: Emulator, request: Request) -> Instance:
    key = request.path_params["instance_key"]
    for instance in emulator.instances:
        if instance.key == key:
            return instance
    raise ControlError(404, "Instance not found")


def _inbound_common(body: dict[str, Any]) -> dict[str, Any]:
    return {"push_name": body.get("pushName"), "group": body.get("group")}


def _receive(kind: str, emulator: Emulator, request: Request, body: dict[str, Any]) -> Response:
    key = _instance(emulator, request).key
    sender, common = body["from"], _inbound_common(body) | {"instance_key": key}
    try:
        if kind == "text":
            event = emulator.receive_text(sender, body["text"], extended=body.get("extended", False), **common)
        elif kind == "media":
            data = base64.b64decode(body.get("base64", ""))
            event = emulator.receive_media(
                sender,
                body["kind"],
                data,
                mimetype=body.get("mimetype"),
                caption=body.get("caption"),
                file_name=body.get("fileName"),
                **common,
            )
        elif kind == "location":
            where = {"name": body.get("name"), "address": body.get("address")}
            event = emulator.receive_location(sender, body["latitude"], body["longitude"], **where, **common)
        elif kind == "contact":
            event = emulator.receive_contact(sender, body["displayName"], body["phoneNumber"], **common)
        elif kind == "list-reply":
            event = emulator.receive_list_reply(sender, body["rowId"], title=body.get("title"), **common)
        else:
            event = emulator.receive_button_reply(sender, body["buttonId"], body["displayText"], **common)
    except (ValueError, RuntimeError) as exc:  # not connected, unknown group, sender outside the group
        raise ControlError(409, str(exc)) from None
    return JSONResponse(event)


def _ack(emulator: Emulator, request: Request, body: dict[str, Any]) -> Response:
    key = _instance(emulator, request).key
    try:
        return JSONResponse(emulator.send_ack(body["messageId"], body["status"], instance_key=key))
    except LookupError as exc:
        raise ControlError(404, str(exc)) from None


def _disconnect(emulator: Emulator, request: Request, body: dict[str, Any]) -> Response:
    instance = _instance(emulator, request)
    emulator.disconnect(instance.key, body.get("reason", "connection lost"))
    return JSONResponse(instance_state(instance))


def _connect(emulator: Emulator, request: Request, body: dict[str, Any]) -> Response:
    instance = _instance(emulator, request)
    if not instance.connected:
        emulator.pair(instance.key)
    return JSONResponse(instance_state(instance))


def _sent(emulator: Emulator, request: Request, body: dict[str, Any]) -> Response:
    instance = _instance(emulator, request)
    to = request.query_params.get("to")
    messages = emulator.sent(instance.key, to=to)
    return JSONResponse({"messages": messages})


def _events(emulator: Emulator, request: Request, body: dict[str, Any]) -> Response:
    return JSONResponse({"events": emulator.events(_instance(emulator, request).key)})


def _masked(url: str) -> str:
    parts = urlsplit(url)
    query = urlencode([(name, "***") for name, _ in parse_qsl(parts.query, keep_blank_values=True)], safe="*")
    return urlunsplit(parts._replace(query=query, netloc=parts.netloc.rpartition("@")[2]))


def _deliveries(emulator: Emulator, request: Request, body: dict[str, Any]) -> Response:
    records = [
        {"url": _masked(d.url), "ok": d.ok, "statusCode": d.status_code, "error": d.error, "event": d.event}
        for d in emulator.deliveries
    ]
    return JSONResponse({"deliveries": records})


def _instances(emulator: Emulator, request: Request, body: dict[str, Any]) -> Response:
    return JSONResponse({"instances": [instance_state(i) for i in emulator.instances]})


_FAULT_FIELDS = {"operation": "operation_id", "fraction": "fraction", "times": "times", "seconds": "delay"}
_FAULT_FIELDS |= {"status": "status", "retryAfter": "retry_after", "message": "message"}


def fault_from_json(body: dict[str, Any]) -> Fault:
    """A fault rule from its control-API form (already checked against control.yaml)."""
    kind = body["kind"]
    options: dict[str, Any] = {attribute: body[name] for name, attribute in _FAULT_FIELDS.items() if name in body}
    if kind == "rate_limit":
        defaults: dict[str, Any] = {"status": 429, "retry_after": 1, "message": "Too many requests"}
        return Fault(FaultKind.STATUS, **defaults | options)
    if kind == "status":
        options.setdefault("message", f"Injected HTTP {options.get('status', 503)}")
        return Fault(FaultKind.STATUS, **options)
    if kind == "drop":
        return Fault(FaultKind.DROP_AFTER if body.get("afterProcessing") else FaultKind.DROP_BEFORE, **options)
    if kind == "app_error":
        options.setdefault("message", "Erro ao processar a requisição")
        return Fault(FaultKind.APP_ERROR, **options)
    return Fault(FaultKind.LATENCY, **options)


def fault_to_json(fault: Fault) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": fault.kind.value, "fraction": fault.fraction}
    if fault.kind in (FaultKind.DROP_BEFORE, FaultKind.DROP_AFTER):
        data |= {"kind": "drop", "afterProcessing": fault.kind is FaultKind.DROP_AFTER}
    elif fault.kind is FaultKind.LATENCY:
        data["seconds"] = fault.delay
    elif fault.kind is FaultKind.STATUS:
        data |= {"status": fault.status, "message": fault.message}
        if fault.retry_after is not None:
            data["retryAfter"] = fault.retry_after
    else:
        data["message"] = fault.message
    if fault.operation_id is not None:
        data["operation"] = fault.operation_id
    if fault.times is not None:
        data["times"] = fault.times
    return data


def _add_fault(emulator: Emulator, request: Request, body: dict[str, Any]) -> Response:
    return JSONResponse(fault_to_json(emulator.faults.add(fault_from_json(body))), status_code=201)


def _list_faults(emulator: Emulator, request: Request, body: dict[str, Any]) -> Response:
    return JSONResponse({"faults": [fault_to_json(fault) for fault in emulator.faults.rules]})


def _clear_faults(emulator: Emulator, request: Request, body: dict[str, Any]) -> Response:
    emulator.faults.clear()
    return _done()


def _not_on_whatsapp(emulator: Emulator, request: Request, body: dict[str, Any]) -> Response:
    emulator.mark_not_on_whatsapp(*body["numbers"])
    return _done()


def _calls(emulator: Emulator, request: Request, body: dict[str, Any]) -> Response:
    return JSONResponse({"calls": dict(emulator.calls)})


def _reset(emulator: Emulator, request: Request, body: dict[str, Any]) -> Response:
    emulator.reset()
    return _done()


async def _spec(request: Request) -> Response:
    return Response(control_spec_text(), media_type="application/yaml")


class _ControlEndpoint:
    """Checks the admin token and the body against control.yaml, then runs the handler under the emulator."""

    def __init__(self, emulator: Emulator, spec_path: str, method: str, handler: Handler) -> None:
        self.emulator = emulator
        self.method = method.lower()
        self.handler = handler
        operation = control_spec()["paths"][spec_path][self.method]
        self.body_required = bool(operation.get("requestBody", {}).get("required"))
        self.validator = _body_validator(spec_path, self.method) if "requestBody" in operation else None
        # The control API's query parameters are plain strings, so their schemas need no `$ref` resolution.
        self.query = {
            parameter["name"]: Draft202012Validator(parameter["schema"])
            for parameter in operation.get("parameters", [])
            if parameter.get("in") == "query"
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            self._authorize(request)
            self._check_query(request)
            body = await self._body(request)
            response = self.handler(self.emulator, request, body)
        except ControlError as exc:
            response = _error(exc.status, exc.message)
        await response(scope, receive, send)

    def _authorize(self, request: Request) -> None:
        scheme, _, token = request.headers.get("authorization", "").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ControlError(401, "Missing bearer token (the emulator's admin token)")
        if not hmac.compare_digest(token.strip().encode(), self.emulator.admin_token.encode()):
            raise ControlError(401, "Invalid token: the control API takes the emulator's admin token")

    def _check_query(self, request: Request) -> None:
        for name, validator in self.query.items():
            value = request.query_params.get(name)
            error = None if value is None else best_match(validator.iter_errors(value))
            if error is not None:
                raise ControlError(400, f"query parameter {name}: {error.message}"[:300])

    async def _body(self, request: Request) -> dict[str, Any]:
        raw = await request.body()
        if self.validator is None or not raw:
            if self.body_required:
                raise ControlError(400, "request body is required")
            return {}
        try:
            body = json.loads(raw, parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError):
            raise ControlError(400, "request body is not valid JSON") from None
        error = best_match(self.validator.iter_errors(body))
        if error is not None:
            where = ".".join(str(part) for part in error.absolute_path) or "body"
            raise ControlError(400, f"{where}: {error.message}"[:300])
        return dict(body)


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


INBOUND_KINDS = ("text", "media", "location", "contact", "list-reply", "button-reply")


class _Resource:
    """One path and its methods; any other method is answered 405 with every method the path has in `Allow`."""

    def __init__(self, methods: dict[str, _ControlEndpoint]) -> None:
        self.methods = methods

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = self.methods.get(scope["method"])
        if endpoint is None:
            response = _error(405, "Method not allowed")
            response.headers["Allow"] = ", ".join(self.methods)
            await response(scope, receive, send)
            return
        await endpoint(scope, receive, send)


_ROUTES: list[tuple[str, str, Handler]] = [
    ("/instances", "GET", _instances),
    *(
        (f"/instances/{{instance_key}}/inbound/{kind}", "POST", functools.partial(_receive, kind))
        for kind in INBOUND_KINDS
    ),
    ("/instances/{instance_key}/acks", "POST", _ack),
    ("/instances/{instance_key}/disconnect", "POST", _disconnect),
    ("/instances/{instance_key}/connect", "POST", _connect),
    ("/instances/{instance_key}/sent", "GET", _sent),
    ("/instances/{instance_key}/events", "GET", _events),
    ("/deliveries", "GET", _deliveries),
    ("/faults", "GET", _list_faults),
    ("/faults", "POST", _add_fault),
    ("/faults", "DELETE", _clear_faults),
    ("/not-on-whatsapp", "POST", _not_on_whatsapp),
    ("/calls", "GET", _calls),
    ("/reset", "POST", _reset),
]


async def _not_found(scope: Scope, receive: Receive, send: Send) -> None:
    await _error(404, "No such control route; see /control/openapi.yaml")(scope, receive, send)


def with_control(app: ASGIApp, emulator: Emulator) -> ASGIApp:
    """`app` (the Mega-api routes) with the control API answering under `/control`."""
    resources: dict[str, dict[str, _ControlEndpoint]] = {}
    for path, method, handler in _ROUTES:
        resources.setdefault(PREFIX + path, {})[method] = _ControlEndpoint(emulator, PREFIX + path, method, handler)
    routes = [Route(PREFIX + "/openapi.yaml", _spec, methods=["GET"])]
    routes += [Route(path, _Resource(methods)) for path, methods in resources.items()]
    router = Router(routes=routes, default=_not_found)
    router.redirect_slashes = False

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (path == PREFIX or path.startswith(PREFIX + "/")):
            await router(scope, receive, send)
        else:
            await app(scope, receive, send)

    return dispatch
