"""How the emulator judges requests: bearer tokens (401), instances (404), the spec (400), and lenient parsing."""

from __future__ import annotations

import json

import httpx
import pytest
from spec_requests import ADMIN_TOKEN, TOKEN, prepare

from megaapi.spec import operations
from megaapi.testing import Emulator, response_error

OPERATIONS = {operation.operation_id: operation for operation in operations()}
WITH_INSTANCE = sorted(op for op, spec in OPERATIONS.items() if "{instance_key}" in spec.path)


def _error(response: httpx.Response, operation_id: str, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] is True
    assert response_error(operation_id, status, body) is None
    return dict(body)


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "Basic dXNlcjpwYXNz", "Bearer "])
async def test_missing_or_wrong_token_is_401(
    operation_id: str, authorization: str | None, emulator: Emulator, client: httpx.AsyncClient
) -> None:
    request = prepare(emulator, OPERATIONS[operation_id])
    headers = {} if authorization is None else {"Authorization": authorization}
    client.headers.pop("Authorization")
    response = await client.request(
        request.method, request.url, params=request.params, json=request.body, headers=headers
    )
    _error(response, operation_id, 401)
    assert emulator.calls[operation_id] == 1


@pytest.mark.parametrize("operation_id", sorted(op for op, spec in OPERATIONS.items() if spec.admin))
async def test_account_operations_refuse_the_instance_token(
    operation_id: str, emulator: Emulator, client: httpx.AsyncClient
) -> None:
    request = prepare(emulator, OPERATIONS[operation_id])
    headers = {"Authorization": f"Bearer {TOKEN}"}
    response = await client.request(
        request.method, request.url, params=request.params, json=request.body, headers=headers
    )
    _error(response, operation_id, 401)


@pytest.mark.parametrize("operation_id", sorted(op for op, spec in OPERATIONS.items() if not spec.admin))
async def test_instance_operations_refuse_the_admin_token(
    operation_id: str, emulator: Emulator, client: httpx.AsyncClient
) -> None:
    request = prepare(emulator, OPERATIONS[operation_id])
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    response = await client.request(
        request.method, request.url, params=request.params, json=request.body, headers=headers
    )
    _error(response, operation_id, 401)


@pytest.mark.parametrize("operation_id", WITH_INSTANCE)
async def test_unknown_instance_is_404(operation_id: str, emulator: Emulator, client: httpx.AsyncClient) -> None:
    request = prepare(emulator, OPERATIONS[operation_id])
    url = request.url.replace(emulator.instance().key, "megaapi-unknown")
    headers = {"Authorization": f"Bearer {request.token}"}
    response = await client.request(request.method, url, params=request.params, json=request.body, headers=headers)
    body = _error(response, operation_id, 404)
    assert body["message"] == "Instance not found"


def _invalid_variants(operation_id: str) -> list[str]:
    spec = OPERATIONS[operation_id]
    variants = []
    if spec.body_pointer is not None:
        variants += ["wrong-type", "not-json"]
        if spec.body_required:
            variants.append("missing")
    if any(p.location == "query" and p.required for p in spec.parameters):
        variants.append("missing-query")
    return variants


INVALID = [(op, variant) for op in sorted(OPERATIONS) for variant in _invalid_variants(op)]


@pytest.mark.parametrize(("operation_id", "variant"), INVALID)
async def test_request_the_spec_rejects_is_400(
    operation_id: str, variant: str, emulator: Emulator, client: httpx.AsyncClient
) -> None:
    request = prepare(emulator, OPERATIONS[operation_id])
    headers = {"Authorization": f"Bearer {request.token}", "Content-Type": "application/json"}
    params, content = request.params, json.dumps(request.body)
    if variant == "wrong-type":
        content = "[]"
    elif variant == "not-json":
        content = "{not json"
    elif variant == "missing":
        content = ""
    else:
        params = {}
    response = await client.request(request.method, request.url, params=params, content=content, headers=headers)
    _error(response, operation_id, 400)
    assert emulator.calls[operation_id] == 1


async def test_400_names_the_offending_field(client: httpx.AsyncClient) -> None:
    body = {"messageData": {"to": "5511999999999", "text": ""}}
    response = await client.post("/rest/sendMessage/megaapi-test-key/text", json=body)
    assert response.status_code == 400
    assert response.json()["message"].startswith("messageData.text:")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
async def test_json_constants_outside_the_standard_are_rejected(constant: str, client: httpx.AsyncClient) -> None:
    content = '{"messageData": {"to": "5511999999999", "latitude": LATITUDE, "longitude": 1}}'.replace(
        "LATITUDE", constant
    )
    response = await client.post("/rest/sendMessage/megaapi-test-key/location", content=content)
    assert response.status_code == 400


async def test_json_sent_as_text_plain_is_read_as_json(client: httpx.AsyncClient) -> None:
    body = {"group_data": {"group_name": "Vendas", "participants": ["5511999999999"]}}
    response = await client.post(
        "/rest/group/megaapi-test-key/create", content=json.dumps(body), headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 200
    assert response.json()["data"]["subject"] == "Vendas"


async def test_get_group_also_answers_with_a_trailing_slash(emulator: Emulator, client: httpx.AsyncClient) -> None:
    group = emulator.add_group("Vendas", ["5511999999999"])
    with_slash = await client.get("/rest/group/megaapi-test-key/group/", params={"jid": group.jid})
    without = await client.get("/rest/group/megaapi-test-key/group", params={"jid": group.jid})
    assert with_slash.status_code == without.status_code == 200
    assert with_slash.json() == without.json()
    assert emulator.calls["getGroup"] == 2


@pytest.mark.parametrize(("wire", "announce"), [("true", True), ("false", False)])
async def test_allow_only_admins_reads_the_documented_spellings(
    wire: str, announce: bool, emulator: Emulator, client: httpx.AsyncClient
) -> None:
    group = emulator.add_group("Avisos", ["5511999999999"])
    group.announce = not announce
    params = {"jid": group.jid, "allowOnlyAdmins": wire}
    response = await client.put("/rest/group/megaapi-test-key/setWhoCanSendMessage", params=params)
    assert response.json() == {"error": False, "message": "Group settings updated"}
    assert group.announce is announce


# The vendor's PHP sample puts `1` and an empty value on the wire; the spec declares a boolean, so they are refused.
@pytest.mark.parametrize("wire", ["1", "", "maybe"])
async def test_allow_only_admins_refuses_other_spellings(
    wire: str, emulator: Emulator, client: httpx.AsyncClient
) -> None:
    group = emulator.add_group("Avisos", ["5511999999999"])
    params = {"jid": group.jid, "allowOnlyAdmins": wire}
    response = await client.put("/rest/group/megaapi-test-key/setWhoCanChangeSettings", params=params)
    assert response.status_code == 400
    assert "allowOnlyAdmins" in response.json()["message"]
    assert group.restrict is False


async def test_query_booleans_are_checked_against_their_declared_type(client: httpx.AsyncClient) -> None:
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    bad = await client.post("/rest/instance/init", params={"disable_webhook": "yes"}, headers=headers)
    good = await client.post("/rest/instance/init", params={"disable_webhook": "true"}, headers=headers)
    assert bad.status_code == 400
    assert "disable_webhook" in bad.json()["message"]
    assert good.status_code == 200


async def test_a_body_over_16_mb_is_413_where_the_spec_declares_it(client: httpx.AsyncClient) -> None:
    body = {"messageData": {"to": "5511999999999", "base64": "A" * (16 * 1024 * 1024), "type": "image"}}
    response = await client.post("/rest/sendMessage/megaapi-test-key/mediaBase64", json=body)
    assert response.status_code == 413
    assert response_error("sendMediaBase64", 413, response.json()) is None


async def test_unknown_routes_and_methods_answer_json_errors(client: httpx.AsyncClient) -> None:
    missing = await client.get("/rest/nothing/here")
    wrong_method = await client.delete("/rest/sendMessage/megaapi-test-key/text")
    assert missing.status_code == 404
    assert missing.json()["error"] is True
    assert wrong_method.status_code == 405
    assert wrong_method.headers["allow"] == "POST"
    assert wrong_method.json()["error"] is True


async def test_the_spec_is_served(client: httpx.AsyncClient) -> None:
    from megaapi.spec import load_spec, spec_text

    assert (await client.get("/openapi.yaml")).text == spec_text()
    assert (await client.get("/openapi.json")).json() == load_spec()
