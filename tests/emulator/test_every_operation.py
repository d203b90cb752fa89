"""Every operation of the spec is routed and accepts the spec's own example request, answering per the spec."""

from __future__ import annotations

import httpx
import pytest
from spec_requests import prepare

from megaapi.spec import operations
from megaapi.testing import Emulator, response_error
from megaapi.testing.ops import HANDLERS
from megaapi.testing.validation import check_request

OPERATIONS = {operation.operation_id: operation for operation in operations()}


def test_each_operation_of_the_spec_has_a_handler() -> None:
    assert OPERATIONS
    assert set(HANDLERS) == set(OPERATIONS)


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
async def test_example_request_is_accepted(operation_id: str, emulator: Emulator, client: httpx.AsyncClient) -> None:
    operation = OPERATIONS[operation_id]
    request = prepare(emulator, operation)
    path = {"instance_key": emulator.instance().key}
    error, _ = check_request(operation, path, request.params, request.body, request.body is not None)
    assert error is None, f"the example request itself is invalid: {error}"

    response = await client.request(
        request.method,
        request.url,
        params=request.params,
        json=request.body,
        headers={"Authorization": f"Bearer {request.token}"},
    )

    assert response.status_code == 200, response.text
    assert emulator.calls[operation_id] == 1
    if operation_id == "getQrCode":
        assert response.headers["content-type"] == "image/png"
        assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
        return
    body = response.json()
    assert body["error"] is False, body
    assert response_error(operation_id, 200, body) is None
