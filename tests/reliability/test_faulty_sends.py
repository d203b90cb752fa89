"""A thousand sends through injected failures: none is lost silently and none is delivered twice.

The emulator answers about one send in ten with 503, drops about one in ten connections (half before handling the
request, half after the message went out) and rate-limits a few. Whatever the client reports as sent must be in the
emulator exactly once under the id it returned; everything else must have raised a typed error, and a message that
went out although the client got no answer may only be one whose connection was dropped, and whose error does not
claim it is safe to retry.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from megaapi import (
    APIConnectionError,
    AsyncMegaApi,
    InternalServerError,
    MegaApi,
    MegaApiError,
    RateLimitError,
)
from megaapi.testing import Emulator, ServedEmulator, serve

SENDS = 1000
CONCURRENCY = 16
RECIPIENT = "5511988887777"


@dataclass
class Outcomes:
    sent: dict[str, str | None] = field(default_factory=dict)
    """text -> message id, for the sends the client reported as successful"""
    failed: dict[str, BaseException] = field(default_factory=dict)


@pytest.fixture
def served() -> Iterator[ServedEmulator]:
    with Emulator(seed="faulty-sends", auto_ack=False) as emulator, serve(emulator) as served:
        faults = emulator.faults
        faults.status(503, operation="sendText", fraction=0.10)
        faults.drop(operation="sendText", fraction=0.06)
        faults.drop(after_processing=True, operation="sendText", fraction=0.06)
        faults.rate_limit(retry_after=0, operation="sendText", fraction=0.04)
        yield served


def text_of(index: int) -> str:
    return f"Pedido {index:04d} confirmado"


def send_all_sync(served: ServedEmulator, http: httpx.Client | None) -> Outcomes:
    outcomes = Outcomes()
    with MegaApi(
        instance_key=served.instance_key, token=served.token, base_url=served.base_url, http_client=http
    ) as api:
        for index in range(SENDS):
            text = text_of(index)
            try:
                outcomes.sent[text] = api.messages.send_text(RECIPIENT, text).message_id
            except Exception as error:  # every failure is recorded, and judged in check()
                outcomes.failed[text] = error
    return outcomes


async def send_all_async(served: ServedEmulator, http: httpx.AsyncClient | None) -> Outcomes:
    outcomes = Outcomes()
    limit = asyncio.Semaphore(CONCURRENCY)

    async def send(api: AsyncMegaApi, text: str) -> None:
        async with limit:
            try:
                outcomes.sent[text] = (await api.messages.send_text(RECIPIENT, text)).message_id
            except Exception as error:  # every failure is recorded, and judged in check()
                outcomes.failed[text] = error

    async with AsyncMegaApi(
        instance_key=served.instance_key, token=served.token, base_url=served.base_url, http_client=http
    ) as api:
        await asyncio.gather(*(send(api, text_of(index)) for index in range(SENDS)))
    return outcomes


def check(served: ServedEmulator, outcomes: Outcomes) -> None:
    stored = served.instance.messages
    by_id = Counter(message.key["id"] for message in stored)
    by_text = Counter(message.message["extendedTextMessage"]["text"] for message in stored)
    text_of_id = {message.key["id"]: message.message["extendedTextMessage"]["text"] for message in stored}

    assert len(outcomes.sent) + len(outcomes.failed) == SENDS
    assert [text for text, count in by_text.items() if count > 1] == [], "delivered twice"
    assert [text for text, message_id in outcomes.sent.items() if by_id[message_id] != 1] == []
    assert [text for text, message_id in outcomes.sent.items() if text_of_id[message_id] != text] == []
    untyped = {text: repr(error) for text, error in outcomes.failed.items() if not isinstance(error, MegaApiError)}
    assert untyped == {}
    kinds = Counter(type(error).__name__ for error in outcomes.failed.values())
    assert set(kinds) <= {InternalServerError.__name__, APIConnectionError.__name__, RateLimitError.__name__}
    # Went out without the client hearing of it: only possible when the connection dropped after the send.
    unreported = {text for text in by_text if text not in outcomes.sent}
    assert {type(outcomes.failed[text]).__name__ for text in unreported} <= {APIConnectionError.__name__}
    # An error that says the send is safe to retry never hides a delivered message.
    assert [text for text in unreported if getattr(outcomes.failed[text], "safe_to_retry", None) is not False] == []
    # Both drop variants and the 503s really happened: connection errors with and without a delivered message.
    lost = {text for text, error in outcomes.failed.items() if isinstance(error, APIConnectionError)}
    assert kinds[InternalServerError.__name__] > 0
    assert lost & unreported
    assert lost - unreported
    # 429s were retried, and the retries delivered nothing twice (checked above).
    assert served.emulator.calls["sendText"] > SENDS


# `own`: the client the SDK makes, which sends straight to its transport (megaapi.direct); `given`: an httpx client
# passed in, which sends through httpx's client layer.
@pytest.mark.parametrize("http_client", ["own", "given"])
def test_sync_sends_through_faults_are_each_delivered_at_most_once(served: ServedEmulator, http_client: str) -> None:
    with httpx.Client() as http:
        check(served, send_all_sync(served, http if http_client == "given" else None))


@pytest.mark.parametrize("http_client", ["own", "given"])
async def test_concurrent_async_sends_through_faults_are_each_delivered_at_most_once(
    served: ServedEmulator, http_client: str
) -> None:
    async with httpx.AsyncClient() as http:
        check(served, await send_all_async(served, http if http_client == "given" else None))
