"""Every operation of the spec, called through both clients: what goes on the wire and what comes back."""

from __future__ import annotations

import inspect
from typing import Any

import httpx
import pytest
from unit_calls import CASES, Case
from unit_spec import OPERATIONS, Operation, wire_problems
from unit_wire import ADMIN_TOKEN, BASE_URL, KEY, TOKEN, Wire

import megaapi.client
from megaapi import AsyncMegaApi, MegaApi
from megaapi.direct import WHOLE_BODY
from megaapi_client import Client
from megaapi_client.types import File

each_operation = pytest.mark.parametrize("op", OPERATIONS, ids=str)


def test_every_operation_has_a_case() -> None:
    assert sorted(CASES) == sorted(op.operation_id for op in OPERATIONS)


def _check_request(op: Operation, case: Case, wire: Wire) -> None:
    request = wire.only()
    instance_key = KEY if case.instance_key is None else case.instance_key
    token = ADMIN_TOKEN if op.admin else TOKEN
    assert wire_problems(op, request, instance_key=instance_key, token=token) == []
    assert request.url.scheme == "https"
    assert request.url.host == "apistart01.megaapi.com.br"
    assert dict(request.url.params.multi_items()) == case.query
    assert wire.body() == case.body


def _check_result(op: Operation, result: Any) -> None:
    """The method returns what the generated client makes of the same reply (or a subclass with conveniences)."""
    expected = op.module._parse_response(client=Client(base_url=BASE_URL), response=op.ok_response())
    if isinstance(expected, File):
        assert result == expected.payload.read()
    else:
        assert isinstance(result, type(expected))
        assert result.to_dict() == expected.to_dict()


@each_operation
def test_sync_call_matches_the_spec(op: Operation, api: MegaApi, wire: Wire) -> None:
    case = CASES[op.operation_id]
    wire.answer(lambda request: op.ok_response())

    result = case.call(api)

    _check_request(op, case, wire)
    _check_result(op, result)


@each_operation
async def test_async_call_matches_the_spec(op: Operation, async_api: AsyncMegaApi, wire: Wire) -> None:
    case = CASES[op.operation_id]
    wire.answer(lambda request: op.ok_response())

    pending = case.call(async_api)
    assert inspect.isawaitable(pending)
    assert wire.requests == []  # nothing leaves before the call is awaited
    result = await pending

    _check_request(op, case, wire)
    _check_result(op, result)


def test_responses_keep_unknown_fields(api: MegaApi, wire: Wire) -> None:
    wire.reply(json_body={"error": False, "message": "ok", "instance": {"key": "k", "status": "syncing"}, "new": 1})

    status = api.instance.get_instance_status()

    assert status.additional_properties == {"new": 1}
    assert status.instance.status == "syncing"  # type: ignore[union-attr]


def test_requests_carry_the_default_timeout(api: MegaApi, wire: Wire) -> None:
    wire.reply(json_body={"error": False, "message": "ok"})

    api.instance.logout_instance()

    assert wire.only().extensions["timeout"] == httpx.Timeout(30.0, connect=5.0).as_dict()


@each_operation
def test_the_sdks_own_client_sends_what_httpx_would_send(op: Operation, monkeypatch: pytest.MonkeyPatch) -> None:
    """The request the runner builds for its own client (megaapi.direct) is the one httpx's client builds: the same
    method, URL, headers in the same order, body and timeout."""
    sent = []
    for own in (True, False):
        wire = Wire()
        wire.answer(lambda request: op.ok_response())
        with httpx.Client(transport=wire.transport) as http:
            monkeypatch.setattr(megaapi.client, "_own_http_client", lambda: http)
            options: dict[str, Any] = {"instance_key": KEY, "token": TOKEN, "admin_token": ADMIN_TOKEN}
            with MegaApi(host="apistart01", http_client=None if own else http, **options) as api:
                assert api._runner.own is own
                CASES[op.operation_id].call(api)
        request = wire.only()
        # The own client also tells its transport when the body will be read whole (megaapi.direct.WHOLE_BODY).
        extensions = {name: value for name, value in request.extensions.items() if name != WHOLE_BODY}
        sent.append((request.method, str(request.url), request.headers.raw, request.content, extensions))
    assert sent[0] == sent[1]
