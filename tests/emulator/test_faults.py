"""Fault knobs: error statuses, rate limits, application errors, latency and dropped connections."""

from __future__ import annotations

import httpx
import pytest
from spec_requests import KEY, prepare

from megaapi.spec import operations
from megaapi.testing import Emulator, response_error, serve

OPERATIONS = {operation.operation_id: operation for operation in operations()}

TEXT = f"/rest/sendMessage/{KEY}/text"
MESSAGE = {"messageData": {"to": "5511988887777", "text": "Oi"}}


async def test_a_status_fault_fires_the_given_number_of_times(emulator: Emulator, client: httpx.AsyncClient) -> None:
    emulator.faults.status(503, operation="sendText", times=1)
    first = await client.post(TEXT, json=MESSAGE)
    second = await client.post(TEXT, json=MESSAGE)
    assert first.status_code == 503
    assert first.json() == {"error": True, "message": "Injected HTTP 503", "statusCode": 503}
    assert second.status_code == 200
    assert emulator.calls["sendText"] == 2
    assert len(emulator.instance().messages) == 1


async def test_rate_limit_answers_429_with_retry_after(emulator: Emulator, client: httpx.AsyncClient) -> None:
    emulator.faults.rate_limit(retry_after=7, operation="getInstanceStatus")
    response = await client.get(f"/rest/instance/{KEY}")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response_error("getInstanceStatus", 429, response.json()) is None


async def test_faults_for_one_operation_leave_the_others_alone(emulator: Emulator, client: httpx.AsyncClient) -> None:
    emulator.faults.status(500, operation="sendText")
    assert (await client.get(f"/rest/instance/{KEY}")).status_code == 200
    assert (await client.post(TEXT, json=MESSAGE)).status_code == 500


async def test_the_application_error_quirk_handles_nothing(emulator: Emulator, client: httpx.AsyncClient) -> None:
    emulator.faults.app_error("Erro interno", operation="sendText")
    response = await client.post(TEXT, json=MESSAGE)
    assert response.status_code == 200
    assert response.json() == {"error": True, "message": "Erro interno"}
    assert emulator.instance().messages == []


async def test_cleared_faults_stop_firing(emulator: Emulator, client: httpx.AsyncClient) -> None:
    emulator.faults.status(502)
    emulator.faults.clear()
    assert (await client.post(TEXT, json=MESSAGE)).status_code == 200


async def _pattern(seed: int, fraction: float, calls: int = 40) -> list[int]:
    with Emulator(seed=seed) as emulator:
        instance = emulator.add_instance()
        emulator.faults.status(503, fraction=fraction)
        transport = httpx.ASGITransport(app=emulator.app)
        headers = {"Authorization": f"Bearer {instance.token}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator", headers=headers) as own:
            return [(await own.get(f"/rest/instance/{instance.key}")).status_code for _ in range(calls)]


async def test_a_fraction_of_calls_fails_the_same_way_for_the_same_seed() -> None:
    first, again, other = await _pattern(3, 0.5), await _pattern(3, 0.5), await _pattern(4, 0.5)
    assert first == again
    assert first != other
    assert {200, 503} == set(first)
    assert set(await _pattern(3, 0.0)) == {200}
    assert set(await _pattern(3, 1.0)) == {503}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [({"fraction": 1.5}, "fraction"), ({"times": 0}, "times"), ({"status": 200}, "status")],
)
def test_fault_arguments_are_checked(arguments: dict[str, float], message: str, emulator: Emulator) -> None:
    with pytest.raises(ValueError, match=message):
        emulator.faults.status(**arguments)  # type: ignore[arg-type]


async def test_in_process_a_dropped_connection_raises_what_httpx_would(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    emulator.faults.drop(operation="sendText")
    with pytest.raises(httpx.RemoteProtocolError):
        await client.post(TEXT, json=MESSAGE)


def test_served_latency_can_outlast_a_client_timeout() -> None:
    with serve() as served:
        served.emulator.faults.latency(0.5, operation="getInstanceStatus", times=1)
        headers = {"Authorization": f"Bearer {served.token}"}
        with (
            httpx.Client(base_url=served.base_url, headers=headers, timeout=0.05) as client,
            pytest.raises(httpx.ReadTimeout),
        ):
            client.get(f"/rest/instance/{served.instance_key}")
        assert served.emulator.calls["getInstanceStatus"] == 1


@pytest.mark.parametrize("after_processing", [False, True])
def test_served_dropped_connection_is_a_transport_error(after_processing: bool) -> None:
    with serve() as served:
        served.emulator.faults.drop(after_processing=after_processing, operation="sendText", times=1)
        headers = {"Authorization": f"Bearer {served.token}"}
        with httpx.Client(base_url=served.base_url, headers=headers) as client:
            with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
                client.post(f"/rest/sendMessage/{served.instance_key}/text", json=MESSAGE)
            stored = len(served.instance.messages)
            retried = client.post(f"/rest/sendMessage/{served.instance_key}/text", json=MESSAGE)
    assert served.emulator.calls["sendText"] == 2
    assert retried.status_code == 200
    # Dropped before processing, nothing was sent; dropped after, the message went out but its answer did not.
    assert stored == (1 if after_processing else 0)


JSON_SUCCESS = sorted(op for op in OPERATIONS if op != "getQrCode")  # getQrCode answers 200 with a PNG


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
@pytest.mark.parametrize("status", [429, 500])
async def test_declared_fault_statuses_conform_for_every_operation(
    operation_id: str, status: int, emulator: Emulator, client: httpx.AsyncClient
) -> None:
    request = prepare(emulator, OPERATIONS[operation_id])
    emulator.faults.status(status, operation=operation_id)
    headers = {"Authorization": f"Bearer {request.token}"}
    response = await client.request(
        request.method, request.url, params=request.params, json=request.body, headers=headers
    )
    assert response.status_code == status
    assert response_error(operation_id, status, response.json()) is None


@pytest.mark.parametrize("operation_id", JSON_SUCCESS)
async def test_the_application_error_quirk_conforms_for_every_json_operation(
    operation_id: str, emulator: Emulator, client: httpx.AsyncClient
) -> None:
    request = prepare(emulator, OPERATIONS[operation_id])
    emulator.faults.app_error(operation=operation_id)
    headers = {"Authorization": f"Bearer {request.token}"}
    response = await client.request(
        request.method, request.url, params=request.params, json=request.body, headers=headers
    )
    assert response.status_code == 200
    assert response.json()["error"] is True
    assert response_error(operation_id, 200, response.json()) is None
