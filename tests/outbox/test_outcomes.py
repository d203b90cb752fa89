"""What each kind of failure leaves behind, with the emulator's fault knobs: never a second send of a message that
may have gone out, and a clear status for every item.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from megaapi import AsyncMegaApi
from megaapi.outbox import ManualClock, Outbox, Pacing, Status, StopWorker
from megaapi.testing import ServedEmulator
from megaapi.webhooks import parse


def _received(served: ServedEmulator) -> list[str]:
    return [m.key["remoteJid"] for m in served.instance.messages if m.key["fromMe"]]


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(lambda e: e.faults.drop(after_processing=True, operation="sendText", times=1), id="answer-lost"),
        pytest.param(lambda e: e.faults.status(503, operation="sendText", times=1), id="503"),
        pytest.param(lambda e: e.faults.app_error(operation="sendText", times=1), id="error-true"),
    ],
)
async def test_an_outcome_that_may_be_a_send_is_unknown_and_never_resent(
    outbox_for: Callable[..., Outbox],
    served: ServedEmulator,
    api: AsyncMegaApi,
    fault: Callable[..., object],
) -> None:
    outbox = outbox_for(pacing=Pacing.off())
    outbox.queue("5511988887777", "Olá", key="k")
    fault(served.emulator)
    await outbox.run(api, until_idle=True)
    await outbox.run(api, until_idle=True)
    item = outbox.item("k")
    assert item is not None
    assert item.status is Status.UNKNOWN
    assert item.reason
    assert served.emulator.calls["sendText"] == 1


async def test_a_lost_answer_is_reconciled_from_the_ack(
    outbox_for: Callable[..., Outbox], served: ServedEmulator, api: AsyncMegaApi
) -> None:
    outbox = outbox_for(pacing=Pacing.off())
    outbox.queue("5511988887777", "Olá", key="k")
    served.emulator.faults.drop(after_processing=True, operation="sendText", times=1)
    await outbox.run(api, until_idle=True)
    for payload in served.emulator.events():  # the emulator acks every send: 2, 3, 4
        outbox.handle_event(parse(payload))
    item = outbox.item("k")
    assert item is not None
    assert item.status is Status.SENT
    assert item.message_id == served.instance.messages[-1].key["id"]
    assert item.delivered
    assert item.read


async def test_a_request_that_never_arrived_is_unknown_until_the_user_decides(
    outbox_for: Callable[..., Outbox], served: ServedEmulator, api: AsyncMegaApi
) -> None:
    # The connection closes before the server reads the request: from the client's side it may have arrived.
    outbox = outbox_for(pacing=Pacing.off())
    outbox.queue("5511988887777", "Olá", key="k")
    served.emulator.faults.drop(operation="sendText", times=1)
    await outbox.run(api, until_idle=True)
    assert _received(served) == []
    for payload in served.emulator.events():
        outbox.handle_event(parse(payload))
    assert outbox.counts()[Status.UNKNOWN] == 1  # no echo, no ack: it stays unknown
    outbox.retry("k")
    await outbox.run(api, until_idle=True)
    assert outbox.counts()[Status.SENT] == 1
    assert _received(served) == ["5511988887777@s.whatsapp.net"]


async def test_a_refused_request_waits_and_goes_once(
    outbox_for: Callable[..., Outbox], served: ServedEmulator, api: AsyncMegaApi
) -> None:
    clock = ManualClock(autojump=True)
    outbox = outbox_for(pacing=Pacing.off(), clock=clock)
    outbox.queue("5511988887777", "Olá", key="k")
    served.emulator.faults.rate_limit(retry_after=30, operation="sendText", times=2)
    start = clock.now()
    await outbox.run(api, until_idle=True)
    item = outbox.item("k")
    assert item is not None
    assert item.status is Status.SENT
    assert item.attempts == 2
    assert item.sending_at is not None
    assert (item.sending_at - start).total_seconds() >= 60
    assert len(_received(served)) == 1


async def test_out_of_attempts_is_failed(
    outbox_for: Callable[..., Outbox], served: ServedEmulator, api: AsyncMegaApi
) -> None:
    outbox = outbox_for(pacing=Pacing.off(), clock=ManualClock(autojump=True), max_attempts=3)
    outbox.queue("5511988887777", "Olá", key="k")
    served.emulator.faults.rate_limit(retry_after=1, operation="sendText")
    await outbox.run(api, until_idle=True)
    item = outbox.item("k")
    assert item is not None
    assert item.status is Status.FAILED
    assert "after 3 attempts" in (item.reason or "")


async def test_numbers_without_whatsapp_are_skipped_with_a_clear_status(
    outbox_for: Callable[..., Outbox], served: ServedEmulator, api: AsyncMegaApi
) -> None:
    served.emulator.mark_not_on_whatsapp("5511900000002")
    outbox = outbox_for(pacing=Pacing.off())
    for n in range(1, 4):
        outbox.queue(f"55119000000{n:02d}", "Olá", campaign="c")
    await outbox.run(api, until_idle=True)
    assert outbox.item("c:5511900000002").status is Status.NOT_ON_WHATSAPP  # type: ignore[union-attr]
    assert outbox.counts()[Status.SENT] == 2
    assert served.emulator.calls["sendText"] == 2
    assert served.emulator.calls["checkNumber"] == 3  # one batch


async def test_the_ninth_digit_is_settled_to_the_jid_whatsapp_knows(
    outbox_for: Callable[..., Outbox], served: ServedEmulator, api: AsyncMegaApi
) -> None:
    served.emulator.register_legacy_number("5511988887777", "551188887777")
    outbox = outbox_for(pacing=Pacing.off())
    outbox.queue("+55 (11) 98888-7777", "Olá", key="k")
    await outbox.run(api, until_idle=True)
    item = outbox.item("k")
    assert item is not None
    assert (item.recipient, item.jid) == ("5511988887777", "551188887777@s.whatsapp.net")
    assert _received(served) == ["551188887777@s.whatsapp.net"]


async def test_checked_numbers_are_not_asked_again(
    outbox_for: Callable[..., Outbox], served: ServedEmulator, api: AsyncMegaApi
) -> None:
    outbox = outbox_for(pacing=Pacing.off())
    outbox.queue("5511988887777", "Olá", key="first")
    await outbox.run(api, until_idle=True)
    outbox.queue("5511988887777", "De novo", key="second")
    await outbox.run(api, until_idle=True)
    assert served.emulator.calls["checkNumber"] == 1


async def test_wrong_credentials_stop_the_worker_and_keep_the_item(
    outbox_for: Callable[..., Outbox], served: ServedEmulator
) -> None:
    outbox = outbox_for(pacing=Pacing.off())
    outbox.queue("120363042378568057@g.us", "Olá", key="k")  # a group: straight to the send
    async with AsyncMegaApi(base_url=served.base_url, instance_key=served.instance_key, token="wrong") as api:
        with pytest.raises(StopWorker, match="401"):
            await outbox.run(api, until_idle=True)
    item = outbox.item("k")
    assert item is not None
    assert (item.status, item.attempts) == (Status.QUEUED, 0)


async def test_a_long_queue_is_checked_in_batches_in_sending_order(
    outbox_for: Callable[..., Outbox], served: ServedEmulator, api: AsyncMegaApi
) -> None:
    outbox = outbox_for(pacing=Pacing.off())
    for n in range(1, 121):
        outbox.queue(f"551190000{n:04d}", "Olá", campaign="c")
    outbox.queue("5511900000000", "código 123", key="otp", priority=10)  # last queued, lowest number, sent first
    await outbox.run(api, until_idle=True)
    assert outbox.counts()[Status.SENT] == 121
    assert served.emulator.calls["checkNumber"] == 121
    first = next(m for m in served.instance.messages if m.key["fromMe"])
    assert first.key["remoteJid"] == "5511900000000@s.whatsapp.net"
