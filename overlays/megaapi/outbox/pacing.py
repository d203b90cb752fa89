"""How fast one instance may send: a rate with jitter, a daily cap, a warm-up ramp, quiet hours and typing time.

`Pacing` is plain configuration plus the arithmetic; the outbox keeps the shared state (the next free slot, today's
count) in the database, so every worker of an instance, on any machine, follows one pace.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..errors import InvalidInputError


@dataclass(frozen=True)
class PaceState:
    """What the pace of one instance remembers between sends (kept in the store's `outbox_pace` table)."""

    next_at: datetime | None = None
    day: date | None = None
    day_count: int = 0
    first_day: date | None = None


@dataclass(frozen=True)
class Pacing:
    """The pace of one instance.

    rate_per_minute: average messages per minute; None sends as fast as the workers go (no pacing at all).
    jitter: each gap between two sends is the average gap times a random factor in [1 - jitter, 1 + jitter],
        so the rhythm never looks mechanical and the average rate holds.
    daily_cap: at most this many messages per day (days in `timezone`); None for no cap.
    warmup: daily caps for a new number's first days, e.g. (20, 50, 100, 200): day 1 sends at most 20; after the
        ramp, `daily_cap` applies.
    quiet_hours: (start, end) local times in `timezone` when nothing is sent, e.g. (time(21), time(8)).
    timezone: an IANA name; days and quiet hours are counted there.
    typing: show "typing..." (`updatePresence` composing) before each message, for a time proportional to its text:
        `typing_chars_per_second`, between `typing_min` and `typing_max` seconds.
    """

    rate_per_minute: float | None = 20.0
    jitter: float = 0.3
    daily_cap: int | None = None
    warmup: Sequence[int] = ()
    quiet_hours: tuple[time, time] | None = None
    timezone: str = "America/Sao_Paulo"
    typing: bool = True
    typing_chars_per_second: float = 15.0
    typing_min: float = 1.0
    typing_max: float = 8.0
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.rate_per_minute is not None and not (0 < self.rate_per_minute <= 6000):
            raise InvalidInputError("rate_per_minute must be above 0 and at most 6000 (or None for no pacing)")
        if not 0 <= self.jitter < 1:
            raise InvalidInputError("jitter must be at least 0 and below 1")
        if self.daily_cap is not None and self.daily_cap < 1:
            raise InvalidInputError("daily_cap must be at least 1 (or None for no cap)")
        if any(not isinstance(cap, int) or cap < 1 for cap in self.warmup):
            raise InvalidInputError("warmup must list daily caps of at least 1")
        if self.quiet_hours is not None and self.quiet_hours[0] == self.quiet_hours[1]:
            raise InvalidInputError("quiet_hours must start and end at different times")
        if not (self.typing_chars_per_second > 0 and 0 <= self.typing_min <= self.typing_max):
            raise InvalidInputError("typing needs a positive speed and 0 <= typing_min <= typing_max")
        try:
            zone = ZoneInfo(self.timezone)
        except (KeyError, ValueError) as error:
            raise InvalidInputError(f"unknown time zone {self.timezone!r}") from error
        object.__setattr__(self, "_zone", zone)

    @classmethod
    def off(cls) -> Pacing:
        """No pacing, no typing: as fast as the workers and the server go (for tests and benchmarks)."""
        return cls(rate_per_minute=None, jitter=0.0, typing=False)

    def gap(self, rng: random.Random) -> timedelta:
        """Time from one send to the next: the average gap with jitter."""
        if self.rate_per_minute is None:
            return timedelta(0)
        factor = 1 + self.jitter * (2 * rng.random() - 1)
        return timedelta(seconds=60.0 / self.rate_per_minute * factor)

    def typing_time(self, text: str | None) -> timedelta:
        """How long "typing..." shows before a message with this text."""
        if not self.typing:
            return timedelta(0)
        seconds = len(text or "") / self.typing_chars_per_second
        return timedelta(seconds=min(max(seconds, self.typing_min), self.typing_max))

    def local_day(self, when: datetime) -> date:
        return when.astimezone(self._zone).date()

    def cap_on(self, day: date, first_day: date | None) -> int | None:
        """The most messages that may go out on `day`, given the first day the number sent."""
        index = 0 if first_day is None else max((day - first_day).days, 0)
        if index < len(self.warmup):
            ramp = self.warmup[index]
            return ramp if self.daily_cap is None else min(ramp, self.daily_cap)
        return self.daily_cap

    def next_day(self, when: datetime) -> datetime:
        """Midnight after `when`, local time, as UTC."""
        local = when.astimezone(self._zone)
        midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=self._zone)
        return midnight.astimezone(UTC)

    def quiet_until(self, when: datetime) -> datetime | None:
        """The end of the quiet hours `when` falls in, as UTC; None when sending is allowed at `when`."""
        if self.quiet_hours is None:
            return None
        start, end = self.quiet_hours
        local = when.astimezone(self._zone)
        now = local.time()
        quiet = start <= now < end if start < end else (now >= start or now < end)
        if not quiet:
            return None
        day = local.date() if now < end else local.date() + timedelta(days=1)
        return datetime.combine(day, end, tzinfo=self._zone).astimezone(UTC)

    @property
    def shared(self) -> bool:
        """Whether sends need a slot from the shared pace (False when nothing limits them)."""
        limited = self.rate_per_minute is not None or self.daily_cap is not None
        return limited or bool(self.warmup) or self.quiet_hours is not None

    def reserve(
        self, state: PaceState, now: datetime, lead: timedelta, rng: random.Random
    ) -> tuple[datetime, PaceState]:
        """The next send slot at or after `now + lead` (`lead`: the typing time shown first), and the new state.

        The slot respects the previous slot's gap, quiet hours and the day's cap (moving to the next day when it is
        used up); the new state holds the gap to the slot after it.
        """
        slot = max(now + lead, state.next_at or now)
        for _ in range(1000):  # each turn skips quiet hours or a full day; a year of full days stops it
            quiet = self.quiet_until(slot)
            if quiet is not None:
                slot = quiet + lead
                continue
            day = self.local_day(slot)
            count = state.day_count if state.day == day else 0
            cap = self.cap_on(day, state.first_day or day)
            if cap is None or count < cap:
                break
            slot = self.next_day(slot) + lead
        else:
            raise RuntimeError("no send slot within 1000 days")
        after = PaceState(next_at=slot + self.gap(rng), day=day, day_count=count + 1, first_day=state.first_day or day)
        return slot, after

    def eta(self, remaining: int) -> timedelta | None:
        """Time the remaining messages need at the average rate (quiet hours and caps aside)."""
        if self.rate_per_minute is None:
            return None
        return timedelta(seconds=math.ceil(remaining * 60.0 / self.rate_per_minute))
