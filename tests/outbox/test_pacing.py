"""Pacing: the arithmetic of slots, then workers on a controllable clock (no sleeps) against the emulator."""

from __future__ import annotations

import random
import time as wall
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from megaapi import AsyncMegaApi
from megaapi.errors import InvalidInputError
from megaapi.outbox import ManualClock, Outbox, Pacing, Status
from megaapi.outbox.pacing import PaceState
from megaapi.testing import ServedEmulator

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NOON = datetime(2026, 3, 2, 12, 0, tzinfo=SAO_PAULO)
NO_LEAD = timedelta(0)


def _slots(pacing: Pacing, count: int, start: datetime = NOON, seed: int = 1) -> list[datetime]:
    """Slots reserved back to back by a worker that is always ready (the worst case for the pace)."""
    rng, state, found = random.Random(seed), PaceState(), []
    for _ in range(count):
        slot, state = pacing.reserve(state, start, NO_LEAD, rng)
        found.append(slot)
    return found


def test_gaps_stay_within_the_jitter_and_average_to_the_rate() -> None:
    slots = _slots(Pacing(rate_per_minute=6, jitter=0.3), 300)
    gaps = [(b - a).total_seconds() for a, b in pairwise(slots)]
    assert min(gaps) >= 10 * 0.7
    assert max(gaps) <= 10 * 1.3
    assert sum(gaps) / len(gaps) == pytest.approx(10, rel=0.05)
    assert len(set(gaps)) > 100  # not a fixed rhythm


def test_nothing_is_sent_in_quiet_hours() -> None:
    pacing = Pacing(rate_per_minute=2, jitter=0, quiet_hours=(time(21), time(8)))
    slots = _slots(pacing, 2000, start=datetime(2026, 3, 2, 20, 0, tzinfo=SAO_PAULO))
    local = [slot.astimezone(SAO_PAULO) for slot in slots]
    assert all(time(8) <= moment.time() < time(21) for moment in local)
    assert local[120].time() == time(8)  # 60 minutes at 2 a minute fill 20:00-21:00; the next waits for 08:00


def test_quiet_hours_within_one_day() -> None:
    pacing = Pacing(rate_per_minute=60, jitter=0, quiet_hours=(time(12), time(14)))
    assert pacing.quiet_until(NOON) == datetime(2026, 3, 2, 14, 0, tzinfo=SAO_PAULO)
    assert pacing.quiet_until(NOON + timedelta(hours=2)) is None


def test_the_daily_cap_moves_the_rest_to_the_next_day() -> None:
    slots = _slots(Pacing(rate_per_minute=60, jitter=0, daily_cap=5), 12)
    days = Counter(slot.astimezone(SAO_PAULO).date() for slot in slots)
    assert list(days.values()) == [5, 5, 2]
    assert slots[5].astimezone(SAO_PAULO) == datetime(2026, 3, 3, 0, 0, tzinfo=SAO_PAULO)


def test_the_warm_up_ramps_the_cap_then_the_daily_cap_applies() -> None:
    pacing = Pacing(rate_per_minute=600, jitter=0, warmup=(2, 4, 8), daily_cap=5)
    days = Counter(slot.astimezone(SAO_PAULO).date() for slot in _slots(pacing, 20))
    assert list(days.values()) == [2, 4, 5, 5, 4]
    assert pacing.cap_on(date(2026, 3, 2), first_day=None) == 2


def test_typing_time_grows_with_the_text_within_bounds() -> None:
    pacing = Pacing(typing_chars_per_second=10, typing_min=1, typing_max=5)
    assert pacing.typing_time("oi") == timedelta(seconds=1)
    assert pacing.typing_time("x" * 30) == timedelta(seconds=3)
    assert pacing.typing_time("x" * 500) == timedelta(seconds=5)
    assert Pacing(typing=False).typing_time("x" * 30) == timedelta(0)


@pytest.mark.parametrize(
    "options",
    [
        {"rate_per_minute": 0},
        {"jitter": 1.0},
        {"daily_cap": 0},
        {"warmup": (10, 0)},
        {"quiet_hours": (time(8), time(8))},
        {"timezone": "Mars/Olympus_Mons"},
    ],
)
def test_bad_pacing_is_refused(options: dict[str, object]) -> None:
    with pytest.raises(InvalidInputError):
        Pacing(**options)  # type: ignore[arg-type]


def _sending_times(outbox: Outbox) -> list[datetime]:
    times = [item.sending_at for item in outbox.items() if item.status is Status.SENT]
    assert None not in times
    return sorted(t for t in times if t is not None)


async def test_a_worker_honours_caps_and_quiet_hours_on_a_controllable_clock(
    outbox_for: Callable[..., Outbox], served: ServedEmulator, api: AsyncMegaApi
) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 20, 30, tzinfo=SAO_PAULO), autojump=True)
    pacing = Pacing(rate_per_minute=1, daily_cap=4, quiet_hours=(time(21), time(8)), typing_min=2)
    outbox = outbox_for(pacing=pacing, clock=clock)
    for n in range(10):
        outbox.queue(f"55119000000{n:02d}", f"Olá {n}", campaign="c")
    await outbox.run(api, until_idle=True, seed=3)
    sent = [moment.astimezone(SAO_PAULO) for moment in _sending_times(outbox)]
    assert len(sent) == 10
    assert all(time(8) <= moment.time() < time(21) for moment in sent)
    assert max(Counter(moment.date() for moment in sent).values()) <= 4
    gaps = [(b - a).total_seconds() for a, b in pairwise(sent)]
    assert min(gaps) >= 60 * 0.7
    assert served.emulator.calls["updatePresence"] == 10  # "typing..." before each message
    assert served.emulator.calls["sendText"] == 10


def test_two_workers_on_one_instance_never_exceed_the_pace(
    outbox_for: Callable[..., Outbox], served: ServedEmulator
) -> None:
    # Two workers, each with its own engine (as on two machines), in two threads, sharing the store and the clock.
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), autojump=True)
    pacing = Pacing(rate_per_minute=30, jitter=0.2, typing=False)
    first, second = outbox_for(pacing=pacing, clock=clock), outbox_for(pacing=pacing, clock=clock)
    for n in range(24):
        first.queue(f"55119000000{n:02d}", "Olá", campaign="c")
    credentials = {"base_url": served.base_url, "instance_key": served.instance_key, "token": served.token}
    clock.attach()  # hold time still until both workers are waiting for their first slot
    handles = [box.start_thread(until_idle=True, **credentials) for box in (first, second)]
    deadline = wall.monotonic() + 30
    while clock.sleeping < 2 and wall.monotonic() < deadline:
        wall.sleep(0.01)
    clock.detach()
    for handle in handles:
        handle.join(60)
        assert handle.error is None
    sent = _sending_times(first)
    assert len(sent) == 24
    gaps = [(b - a).total_seconds() for a, b in pairwise(sent)]
    assert min(gaps) >= 2 * 0.8
    assert served.emulator.calls["sendText"] == 24


def test_pacing_off_takes_no_shared_slot(outbox_for: Callable[..., Outbox]) -> None:
    clock = ManualClock()
    outbox = outbox_for(pacing=Pacing.off(), clock=clock)
    assert outbox.reserve_slot(NO_LEAD, random.Random(0)) == clock.now()
