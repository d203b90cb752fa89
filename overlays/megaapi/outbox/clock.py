"""Time for the outbox: every wait and every "now" goes through a clock, so tests control time instead of sleeping.

`SystemClock` is the real one. `ManualClock` is for tests (yours and ours): time stands still until `advance()` is
called, or, with `autojump=True`, jumps to the next deadline as soon as every attached worker is asleep, the way
trio's `MockClock(autojump_threshold=0)` does. Work done between sleeps takes no virtual time, so a test can run a
day of paced sending in a fraction of a second and check the exact times each message went out.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, aware and in UTC."""
        ...

    async def sleep_until(self, when: datetime) -> None:
        """Return at `when` (at once if it has passed)."""
        ...

    def attach(self) -> None:
        """A worker task starts using this clock (ManualClock's autojump waits for every attached task)."""
        ...

    def detach(self) -> None:
        """A worker task stops using this clock."""
        ...


class SystemClock:
    """Wall-clock time and asyncio sleeps."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep_until(self, when: datetime) -> None:
        seconds = (when - self.now()).total_seconds()
        if seconds > 0:
            await asyncio.sleep(seconds)

    def attach(self) -> None:
        pass

    def detach(self) -> None:
        pass


SYSTEM_CLOCK = SystemClock()


class ManualClock:
    """Virtual time for tests. Safe to share between worker threads, each with its own event loop."""

    def __init__(self, start: datetime | None = None, *, autojump: bool = False) -> None:
        start = start or datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("start must be an aware datetime")
        self._now = start.astimezone(UTC)
        self._autojump = autojump
        self._lock = threading.Lock()
        self._order = itertools.count()
        self._sleepers: list[tuple[datetime, int, asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._attached = 0

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward, waking every sleeper whose time has come."""
        with self._lock:
            self._now += timedelta(seconds=seconds)
            self._wake_due()

    @property
    def sleeping(self) -> int:
        """How many tasks are waiting in `sleep_until`."""
        with self._lock:
            return len(self._sleepers)

    def attach(self) -> None:
        with self._lock:
            self._attached += 1

    def detach(self) -> None:
        with self._lock:
            self._attached -= 1
            self._maybe_jump()

    async def sleep_until(self, when: datetime) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        entry = (when, next(self._order), loop, future)
        with self._lock:
            if when <= self._now:
                return
            heapq.heappush(self._sleepers, entry)
            self._maybe_jump()
        try:
            await future
        finally:
            with self._lock:
                if entry in self._sleepers:  # cancelled before its time
                    self._sleepers.remove(entry)
                    heapq.heapify(self._sleepers)
                    self._maybe_jump()

    def _maybe_jump(self) -> None:
        if self._autojump and self._sleepers and len(self._sleepers) >= self._attached:
            self._now = max(self._now, self._sleepers[0][0])
            self._wake_due()

    def _wake_due(self) -> None:
        while self._sleepers and self._sleepers[0][0] <= self._now:
            _, _, loop, future = heapq.heappop(self._sleepers)
            loop.call_soon_threadsafe(_resolve, future)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
