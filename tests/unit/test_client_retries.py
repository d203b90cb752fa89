"""Retries: reads retry after any transient failure; sends only where the message provably was not accepted.

Attempts are counted on the transport; the runner's sleeps are recorded by the autouse `sleeps` fixture.
"""

from __future__ import annotations

import email.utils
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from unit_wire import SENT, Wire

import megaapi.retries
from megaapi import (
    APIConnectionError,
    APIError,
    APIStatusError,
    AsyncMegaApi,
    BadRequestError,
    InternalServerError,
    MegaApi,
    RateLimitError,
)

Call = Callable[[Any], Any]

READS: dict[str, Call] = {
    "GET": lambda api: api.instance.get_instance_status(),
    "DELETE": lambda api: api.instance.logout_instance(),
    "PUT": lambda api: api.groups.set_who_can_send_message("120363042378568057@g.us", True),
}
SENDS: dict[str, Call] = {
    "send_text": lambda api: api.messages.send_text("5511999999999", "oi"),
    "send_media upload": lambda api: api.messages.send_media("5511999999999", b"%PDF-1.4 tiny", file_name="a.pdf"),
    "send_text_to_many": lambda api: api.messages.send_text_to_many(["5511999999999"], "oi"),
}


def _failure(wire: Wire, kind: str | int, *, times: int) -> None:
    """Queue `times` failures of one kind: an HTTP status, or the name of an httpx transport error."""
    if isinstance(kind, int):
        wire.reply(kind, json_body={"error": True, "message": "try later"}, times=times)
    else:
        error_class: type[httpx.TransportError] = getattr(httpx, kind)
        wire.fail(error_class("failed"), times=times)


def _success(wire: Wire) -> None:
    wire.reply(json_body=SENT)


READ_FAILURES: list[str | int] = [
    "ConnectError",
    "ConnectTimeout",
    "ReadTimeout",
    "ReadError",
    408,
    429,
    500,
    502,
    503,
    504,
]


@pytest.mark.parametrize("failure", READ_FAILURES, ids=str)
@pytest.mark.parametrize("read", READS.values(), ids=READS.keys())
def test_reads_retry_transient_failures_until_success(
    api: MegaApi, wire: Wire, sleeps: list[float], read: Call, failure: str | int
) -> None:
    _failure(wire, failure, times=2)
    _success(wire)
    read(api)
    assert len(wire.requests) == 3
    assert len(sleeps) == 2
    assert len({(r.method, str(r.url), r.content) for r in wire.requests}) == 1


@pytest.mark.parametrize("failure", READ_FAILURES, ids=str)
def test_reads_give_up_after_max_retries(api: MegaApi, wire: Wire, sleeps: list[float], failure: str | int) -> None:
    _failure(wire, failure, times=3)
    with pytest.raises(APIError):
        api.instance.get_instance_status()
    assert len(wire.requests) == 3  # the first attempt and max_retries=2 more
    assert len(sleeps) == 2


@pytest.mark.parametrize("failure", ["ConnectError", "ConnectTimeout", 429], ids=str)
@pytest.mark.parametrize("send", SENDS.values(), ids=SENDS.keys())
def test_sends_retry_only_what_the_server_did_not_accept(
    api: MegaApi, wire: Wire, sleeps: list[float], send: Call, failure: str | int
) -> None:
    _failure(wire, failure, times=1)
    _success(wire)
    send(api)
    assert len(wire.requests) == 2
    assert len(sleeps) == 1
    first, second = wire.requests
    assert first.content == second.content  # a streamed upload is sent again in full
    assert len(first.content) == int(first.headers["content-length"])


@pytest.mark.parametrize(
    "failure",
    ["ReadTimeout", "WriteTimeout", "ReadError", "WriteError", "RemoteProtocolError", 408, 500, 502, 503, 504],
    ids=str,
)
@pytest.mark.parametrize("send", SENDS.values(), ids=SENDS.keys())
def test_sends_go_exactly_once_when_the_server_may_have_acted(
    api: MegaApi, wire: Wire, sleeps: list[float], send: Call, failure: str | int
) -> None:
    _failure(wire, failure, times=1)
    with pytest.raises(APIError):
        send(api)
    assert len(wire.requests) == 1
    assert sleeps == []


def test_creating_a_group_is_not_repeated_after_a_server_error(api: MegaApi, wire: Wire, sleeps: list[float]) -> None:
    wire.reply(502, content=b"Bad Gateway")
    with pytest.raises(InternalServerError):
        api.groups.create_group("Equipe", ["5511999999999"])
    assert len(wire.requests) == 1


def test_sends_give_up_on_429_after_max_retries(api: MegaApi, wire: Wire, sleeps: list[float]) -> None:
    _failure(wire, 429, times=3)
    with pytest.raises(RateLimitError):
        api.messages.send_text("5511999999999", "oi")
    assert len(wire.requests) == 3


def test_retry_after_in_seconds_is_waited_for(api: MegaApi, wire: Wire, sleeps: list[float]) -> None:
    wire.reply(429, json_body={"error": True, "message": "slow"}, headers={"Retry-After": "7"})
    wire.reply(503, json_body={"error": True, "message": "busy"}, headers={"Retry-After": "0"})
    _success(wire)
    api.instance.get_instance_status()
    assert sleeps == [7.0, 0.0]


def test_retry_after_as_an_http_date_is_waited_for(api: MegaApi, wire: Wire, sleeps: list[float]) -> None:
    later = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    wire.reply(429, json_body={"error": True, "message": "slow"}, headers={"Retry-After": later})
    _success(wire)
    api.messages.send_text("5511999999999", "oi")
    assert len(sleeps) == 1
    assert 20.0 <= sleeps[0] <= 30.0


def test_retry_after_in_the_past_means_now(api: MegaApi, wire: Wire, sleeps: list[float]) -> None:
    wire.reply(
        503, json_body={"error": True, "message": "busy"}, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}
    )
    _success(wire)
    api.instance.get_instance_status()
    assert sleeps == [0.0]


@pytest.mark.parametrize("value", ["soon", "", "inf", "nan", "Wed, 99 Foo 2015"])
def test_unusable_retry_after_falls_back_to_backoff(api: MegaApi, wire: Wire, sleeps: list[float], value: str) -> None:
    wire.reply(503, json_body={"error": True, "message": "busy"}, headers={"Retry-After": value})
    _success(wire)
    api.instance.get_instance_status()
    assert len(sleeps) == 1
    assert 0 < sleeps[0] <= megaapi.retries.INITIAL_DELAY


@pytest.mark.parametrize("value", ["61", "3600", "86400"])
def test_a_retry_after_above_a_minute_is_not_waited_for(
    api: MegaApi, wire: Wire, sleeps: list[float], value: str
) -> None:
    wire.reply(429, json_body={"error": True, "message": "come back tomorrow"}, headers={"Retry-After": value})
    with pytest.raises(RateLimitError) as raised:
        api.instance.get_instance_status()
    assert raised.value.retry_after == float(value)
    assert len(wire.requests) == 1
    assert sleeps == []


def _bounds(attempt: int) -> tuple[float, float]:
    """Capped exponential backoff, less up to a quarter of jitter."""
    full = min(megaapi.retries.INITIAL_DELAY * 2**attempt, megaapi.retries.MAX_DELAY)
    return 0.75 * full, full


def test_backoff_grows_and_is_capped(api: MegaApi, wire: Wire, sleeps: list[float]) -> None:
    patient = api.with_options(max_retries=9)
    _failure(wire, 503, times=10)
    with pytest.raises(InternalServerError):
        patient.instance.get_instance_status()
    assert len(wire.requests) == 10
    assert len(sleeps) == 9
    for attempt, delay in enumerate(sleeps):
        low, high = _bounds(attempt)
        assert low <= delay <= high, (attempt, delay)
    assert max(sleeps) <= megaapi.retries.MAX_DELAY
    assert sleeps[-1] >= 0.75 * megaapi.retries.MAX_DELAY


@pytest.mark.parametrize("draw", [0.0, 0.5, 0.999999])
def test_jitter_stays_in_range(monkeypatch: pytest.MonkeyPatch, draw: float) -> None:
    monkeypatch.setattr(random, "random", lambda: draw)
    delays = [megaapi.retries.delay(attempt, None) for attempt in range(8)]
    for attempt, delay in enumerate(delays):
        assert delay is not None
        low, high = _bounds(attempt)
        assert low <= delay <= high


def test_jitter_spreads_the_delays(monkeypatch: pytest.MonkeyPatch) -> None:
    draws = iter([0.0, 0.9])
    monkeypatch.setattr(random, "random", lambda: next(draws))
    assert megaapi.retries.delay(2, None) != megaapi.retries.delay(2, None)


def test_max_retries_zero_sends_once(api: MegaApi, wire: Wire, sleeps: list[float]) -> None:
    _failure(wire, 503, times=1)
    with pytest.raises(InternalServerError):
        api.with_options(max_retries=0).instance.get_instance_status()
    assert len(wire.requests) == 1
    assert sleeps == []


def test_a_final_non_retryable_answer_ends_the_retries(api: MegaApi, wire: Wire, sleeps: list[float]) -> None:
    _failure(wire, 503, times=1)
    wire.reply(400, json_body={"error": True, "message": "bad jid"})
    with pytest.raises(BadRequestError):
        api.instance.get_instance_status()
    assert len(wire.requests) == 2


@pytest.mark.parametrize("failure", ["ConnectError", "ReadTimeout", 502], ids=str)
async def test_async_reads_retry(async_api: AsyncMegaApi, wire: Wire, sleeps: list[float], failure: str | int) -> None:
    _failure(wire, failure, times=2)
    _success(wire)
    await async_api.instance.get_instance_status()
    assert len(wire.requests) == 3
    assert len(sleeps) == 2


@pytest.mark.parametrize("failure", ["ReadTimeout", "RemoteProtocolError", 500, 503], ids=str)
async def test_async_sends_go_once(
    async_api: AsyncMegaApi, wire: Wire, sleeps: list[float], failure: str | int
) -> None:
    _failure(wire, failure, times=1)
    with pytest.raises((APIStatusError, APIConnectionError)):
        await async_api.messages.send_text("5511999999999", "oi")
    assert len(wire.requests) == 1
    assert sleeps == []


async def test_async_upload_is_sent_again_in_full_after_a_connect_error(
    async_api: AsyncMegaApi, wire: Wire, sleeps: list[float]
) -> None:
    wire.fail(httpx.ConnectError("refused"))
    _success(wire)
    await async_api.messages.send_media("5511999999999", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    first, second = wire.requests
    assert first.content == second.content
    assert len(second.content) == int(second.headers["content-length"])
    assert len(sleeps) == 1


async def test_async_retry_after_is_waited_for(async_api: AsyncMegaApi, wire: Wire, sleeps: list[float]) -> None:
    wire.reply(429, json_body={"error": True, "message": "slow"}, headers={"Retry-After": "3"})
    _success(wire)
    await async_api.messages.send_text("5511999999999", "oi")
    assert sleeps == [3.0]
