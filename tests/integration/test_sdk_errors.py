"""Error mapping and retries of both clients against the emulator and its fault knobs.

Waits between retries are recorded instead of slept (`waits`), so the suite stays fast and the tests still see
that `Retry-After` was honoured. The emulator's call counter tells how many attempts reached it, and its stored
messages tell whether a send went out more than once.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import httpx
import pytest
from either_client import Client, done, number

import megaapi.retries
from megaapi import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncMegaApi,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    MegaApi,
    NotFoundError,
    NotOnWhatsAppError,
    OperationFailedError,
    PermissionDeniedError,
    RateLimitError,
)

if TYPE_CHECKING:
    from conftest import Setup

# Under `nox -s prism` the proxy answers a request that breaks the spec itself, before the emulator sees it.
BEHIND_PRISM = bool(os.environ.get("MEGAAPI_PRISM"))


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pauses the clients chose before each retry; they are recorded and skipped."""
    chosen: list[float] = []
    choose = megaapi.retries.delay

    def recorded(attempt: int, retry_after: float | None) -> float | None:
        pause = choose(attempt, retry_after)
        if pause is not None:
            chosen.append(pause)
            return 0.0
        return None

    monkeypatch.setattr(megaapi.retries, "delay", recorded)
    return chosen


def other_client(client: Client, setup: Setup, *, instance_key: str, token: str) -> Client:
    kind = type(client)
    return kind(instance_key=instance_key, token=token, base_url=setup.base_url, max_retries=0)


async def close(client: Client) -> None:
    if isinstance(client, MegaApi):
        client.close()
    else:
        await client.aclose()


def texts_sent(setup: Setup) -> list[str]:
    return [message.message["extendedTextMessage"]["text"] for message in setup.instance.messages]


async def test_a_wrong_token_is_an_authentication_error_that_keeps_secrets(client: Client, setup: Setup) -> None:
    wrong = other_client(client, setup, instance_key=setup.instance.key, token="wrong-token-0123456789")
    try:
        with pytest.raises(AuthenticationError) as raised:
            await done(wrong.instance.get_instance_status())
    finally:
        await close(wrong)
    assert raised.value.status_code == 401
    assert raised.value.operation == "GET /rest/instance/***"
    for secret in (setup.instance.key, "wrong-token-0123456789"):
        assert secret not in str(raised.value)
        assert secret not in repr(raised.value)
    assert setup.emulator.calls["getInstanceStatus"] == 1


async def test_an_unknown_instance_is_not_found(client: Client, setup: Setup) -> None:
    unknown = other_client(client, setup, instance_key="megaapi-no-such-instance", token=setup.instance.token)
    try:
        with pytest.raises(NotFoundError) as raised:
            await done(unknown.messages.send_text(number(), "Olá"))
    finally:
        await close(unknown)
    assert raised.value.status_code == 404
    assert setup.emulator.calls["sendText"] == 1


async def test_a_number_without_whatsapp_is_refused_and_nothing_is_sent(client: Client, setup: Setup) -> None:
    missing = number()
    setup.emulator.mark_not_on_whatsapp(missing)
    with pytest.raises(NotOnWhatsAppError) as raised:
        await done(client.messages.send_text(missing, "Olá"))
    assert isinstance(raised.value, PermissionDeniedError)
    assert raised.value.status_code == 403
    with pytest.raises(NotOnWhatsAppError):
        await done(client.messages.send_location(missing, -22.9519, -43.2105))
    assert setup.instance.messages == []
    assert (setup.emulator.calls["sendText"], setup.emulator.calls["sendLocation"]) == (1, 1)


def _without_text(request: httpx.Request) -> httpx.Request:
    """The same request without `messageData.text`, which the spec requires: a request the SDK never makes."""
    body = json.loads(request.content)
    del body["messageData"]["text"]
    headers = {name: value for name, value in request.headers.items() if name.lower() != "content-length"}
    return httpx.Request(request.method, request.url, headers=headers, json=body)


class _Tamper(httpx.BaseTransport):
    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        return self._inner.handle_request(_without_text(request))

    def close(self) -> None:
        self._inner.close()


class _AsyncTamper(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return await self._inner.handle_async_request(_without_text(request))

    async def aclose(self) -> None:
        await self._inner.aclose()


async def test_a_request_the_server_rejects_is_a_bad_request(client: Client, setup: Setup) -> None:
    key, token, url = setup.instance.key, setup.instance.token, setup.base_url
    if isinstance(client, MegaApi):
        with httpx.Client(transport=_Tamper()) as http, pytest.raises(APIStatusError) as raised:
            MegaApi(instance_key=key, token=token, base_url=url, http_client=http).messages.send_text(number(), "Oi")
    else:
        async with httpx.AsyncClient(transport=_AsyncTamper()) as async_http:
            tampered = AsyncMegaApi(instance_key=key, token=token, base_url=url, http_client=async_http)
            with pytest.raises(APIStatusError) as raised:
                await tampered.messages.send_text(number(), "Oi")
    if BEHIND_PRISM:
        # prism validated the request against openapi.yaml too, and refused it before the emulator could.
        assert raised.value.status_code == 422
        assert setup.emulator.calls["sendText"] == 0
    else:
        assert isinstance(raised.value, BadRequestError)
        assert "text" in str(raised.value)
        assert setup.emulator.calls["sendText"] == 1
    assert setup.instance.messages == []


async def test_http_200_with_error_true_is_an_operation_failure_not_retried(client: Client, setup: Setup) -> None:
    setup.emulator.faults.app_error("Erro ao enviar mensagem", operation="sendText")
    setup.emulator.faults.app_error("Erro ao listar grupos", operation="listGroups")
    with pytest.raises(OperationFailedError, match="Erro ao enviar mensagem") as raised:
        await done(client.messages.send_text(number(), "Olá"))
    assert raised.value.status_code == 200
    with pytest.raises(OperationFailedError, match="Erro ao listar grupos"):
        await done(client.groups.list_groups())
    assert setup.instance.messages == []
    assert (setup.emulator.calls["sendText"], setup.emulator.calls["listGroups"]) == (1, 1)


async def test_429_is_retried_after_retry_after_and_the_send_goes_once(
    client: Client, setup: Setup, waits: list[float]
) -> None:
    setup.emulator.faults.rate_limit(retry_after=3, operation="sendText", times=2)
    sent = await done(client.messages.send_text(number(), "Pedido confirmado"))
    assert waits == [3.0, 3.0]
    assert setup.emulator.calls["sendText"] == 3
    assert [message.key["id"] for message in setup.instance.messages] == [sent.message_id]


async def test_429_beyond_the_retries_is_a_rate_limit_error(client: Client, setup: Setup, waits: list[float]) -> None:
    setup.emulator.faults.rate_limit(retry_after=1, operation="sendText")
    with pytest.raises(RateLimitError) as raised:
        await done(client.messages.send_text(number(), "Olá"))
    assert raised.value.retry_after == 1.0
    assert waits == [1.0] * client.max_retries
    assert setup.emulator.calls["sendText"] == client.max_retries + 1
    assert setup.instance.messages == []


async def test_503_on_a_read_is_retried_with_backoff(client: Client, setup: Setup, waits: list[float]) -> None:
    setup.emulator.faults.status(503, operation="getInstanceStatus", times=2)
    assert (await done(client.instance.get_instance_status())).connected
    assert setup.emulator.calls["getInstanceStatus"] == 3
    assert len(waits) == 2
    assert 0 < waits[0] < waits[1]


async def test_503_on_a_send_is_raised_once_and_not_retried(client: Client, setup: Setup, waits: list[float]) -> None:
    setup.emulator.faults.status(503, operation="sendText", times=1)
    with pytest.raises(InternalServerError) as raised:
        await done(client.messages.send_text(number(), "Olá"))
    assert raised.value.status_code == 503
    assert waits == []
    assert setup.emulator.calls["sendText"] == 1
    assert setup.instance.messages == []


# A proxy in front of the emulator turns a dropped or slow upstream connection into an answer of its own, so the
# tests below, which watch the connection itself, run against the emulator directly.


@pytest.mark.direct
async def test_a_connection_dropped_before_a_send_is_processed_is_not_resent(
    client: Client, setup: Setup, waits: list[float]
) -> None:
    setup.emulator.faults.drop(operation="sendText", times=1)
    with pytest.raises(APIConnectionError) as raised:
        await done(client.messages.send_text(number(), "Primeira"))
    assert not isinstance(raised.value, APITimeoutError)
    assert (waits, setup.emulator.calls["sendText"], setup.instance.messages) == ([], 1, [])
    await done(client.messages.send_text(number(), "Segunda"))
    assert texts_sent(setup) == ["Segunda"]


@pytest.mark.direct
async def test_a_connection_dropped_after_a_send_was_processed_is_not_resent(
    client: Client, setup: Setup, waits: list[float]
) -> None:
    setup.emulator.faults.drop(after_processing=True, operation="sendText", times=1)
    with pytest.raises(APIConnectionError):
        await done(client.messages.send_text(number(), "Chegou uma vez"))
    assert (waits, setup.emulator.calls["sendText"]) == ([], 1)
    # The message went out although no answer came back; a resend would have delivered it twice.
    assert texts_sent(setup) == ["Chegou uma vez"]


@pytest.mark.direct
async def test_a_connection_dropped_during_a_read_is_retried(client: Client, setup: Setup, waits: list[float]) -> None:
    setup.emulator.faults.drop(operation="getInstanceStatus", times=1)
    assert (await done(client.instance.get_instance_status())).connected
    assert setup.emulator.calls["getInstanceStatus"] == 2
    assert len(waits) == 1


@pytest.mark.direct
async def test_latency_beyond_the_timeout_is_a_timeout_error(client: Client, setup: Setup, waits: list[float]) -> None:
    setup.emulator.faults.latency(1.5, operation="getInstanceStatus", times=1)
    with pytest.raises(APITimeoutError):
        await done(client.with_options(timeout=0.5, max_retries=0).instance.get_instance_status())
    assert setup.emulator.calls["getInstanceStatus"] == 1
    # With retries a read outlives one slow answer.
    setup.emulator.faults.latency(1.5, operation="getInstanceStatus", times=1)
    assert (await done(client.with_options(timeout=0.5).instance.get_instance_status())).connected
    assert setup.emulator.calls["getInstanceStatus"] == 3


@pytest.mark.direct
async def test_a_send_that_times_out_is_not_resent(client: Client, setup: Setup, waits: list[float]) -> None:
    setup.emulator.faults.latency(1.5, operation="sendText", times=1)
    with pytest.raises(APITimeoutError):
        await done(client.with_options(timeout=0.5).messages.send_text(number(), "Devagar"))
    assert (waits, setup.emulator.calls["sendText"]) == ([], 1)
