"""Running workers: in a process of their own, in a thread, and stopping them gracefully."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from megaapi.outbox import Outbox, Pacing, Status
from megaapi.testing import ServedEmulator


def _credentials(served: ServedEmulator) -> dict[str, Any]:
    return {"base_url": served.base_url, "instance_key": served.instance_key, "token": served.token}


def test_a_worker_process_sends_the_queue(outbox_for: Callable[..., Outbox], served: ServedEmulator) -> None:
    outbox = outbox_for(pacing=Pacing.off())
    for n in range(5):
        outbox.queue(f"55119000000{n:02d}", "Olá", campaign="c")
    handle = outbox.start_process(until_idle=True, **_credentials(served))
    handle.join(120)
    assert not handle.alive
    assert outbox.counts()[Status.SENT] == 5
    assert served.emulator.calls["sendText"] == 5


def test_stopping_a_worker_leaves_nothing_unknown(outbox_for: Callable[..., Outbox], served: ServedEmulator) -> None:
    # A slow server: the stop request arrives while a send is in flight, which finishes and is recorded.
    served.emulator.faults.latency(0.3, operation="sendText")
    outbox = outbox_for(pacing=Pacing.off())
    for n in range(20):
        outbox.queue(f"55119000000{n:02d}", "Olá", campaign="c")
    handle = outbox.start_thread(**_credentials(served))
    deadline = time.monotonic() + 30
    while served.emulator.calls["sendText"] < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    handle.stop()
    assert handle.error is None
    counts = outbox.counts()
    assert counts[Status.UNKNOWN] == 0
    assert counts[Status.SENDING] == 0
    assert counts[Status.SENT] == served.emulator.calls["sendText"]
    assert counts[Status.QUEUED] == 20 - counts[Status.SENT]
    assert not any(item.status is Status.QUEUED and item.attempts for item in outbox.items())


def test_another_process_sees_a_live_worker_and_leaves_its_items_alone(
    outbox_for: Callable[..., Outbox], served: ServedEmulator
) -> None:
    served.emulator.faults.latency(1.0, operation="sendText", times=1)
    outbox = outbox_for(pacing=Pacing.off())
    outbox.queue("5511900000001", "Olá", key="k")
    handle = outbox.start_process(until_idle=True, **_credentials(served))
    deadline = time.monotonic() + 60
    while served.emulator.calls["sendText"] < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert outbox.recover() == 0  # the request is in flight in the other process: not this one's to judge
    handle.join(60)
    item = outbox.item("k")
    assert item is not None
    assert item.status is Status.SENT
