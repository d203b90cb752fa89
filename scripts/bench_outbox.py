"""`nox -s bench` (outbox part): the pace the outbox achieves, what it costs per message, and its throughput.

Against the same minimal responder `scripts/bench.py` uses (its own process, a fixed JSON answer), with a SQLite store
in a temporary folder (a PostgreSQL URL in MEGAAPI_BENCH_STORE measures that instead). Numbers are settled in the
store beforehand, so checkNumber is not part of the figures. Not part of the tests.

- Achieved rate: 100 messages at 300 a minute with 30 % jitter, two worker tasks sharing the pace, on the real clock;
  the rate between the first and the last send against the configured one.
- Scheduling overhead: per message, a worker (one at a time, pacing off) against plain sequential `AsyncMegaApi`
  sends; and the same with a shared pace slot taken per message (a daily cap, no waits).
- Throughput with pacing off, as a ratio to plain `AsyncMegaApi` sends: one at a time, and 8 at once on both sides.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench import KEY, TEXT, TOKEN, responder  # the SDK benchmark's responder (this script's folder is on the path)

from megaapi import AsyncMegaApi
from megaapi.outbox import Message, Outbox, Pacing

NUMBERS = [f"55119{n:08d}" for n in range(100_000)]


def _outbox(store: str, pacing: Pacing, count: int, tag: str) -> Outbox:
    outbox = Outbox(store, instance=f"bench-{tag}", pacing=pacing)
    numbers = NUMBERS[:count]
    outbox.queue_many([Message(number, TEXT, key=f"{tag}:{number}") for number in numbers])
    outbox.settle_numbers({n: (True, f"{n}@s.whatsapp.net") for n in numbers}, numbers)
    return outbox


async def _plain(api: AsyncMegaApi, count: int, concurrency: int) -> float:
    """Seconds for `count` plain sends, `concurrency` at a time."""
    gate = asyncio.Semaphore(concurrency)

    async def one(number: str) -> None:
        async with gate:
            await api.messages.send_text(number, TEXT)

    start = time.perf_counter()
    await asyncio.gather(*(one(number) for number in NUMBERS[:count]))
    return time.perf_counter() - start


async def _drained(outbox: Outbox, api: AsyncMegaApi, concurrency: int) -> float:
    start = time.perf_counter()
    await outbox.run(api, concurrency=concurrency, until_idle=True, seed=1)
    return time.perf_counter() - start


def achieved_rate(base_url: str, store: str) -> dict[str, float]:
    configured, count = 300.0, 100
    pacing = Pacing(rate_per_minute=configured, jitter=0.3, typing=False)
    outbox = _outbox(store, pacing, count, "rate")

    async def main() -> None:
        async with AsyncMegaApi(instance_key=KEY, token=TOKEN, base_url=base_url) as api:
            await outbox.run(api, concurrency=2, until_idle=True, seed=7)

    asyncio.run(main())
    times = sorted(item.sending_at for item in outbox.items() if item.sending_at is not None)
    outbox.close()
    achieved = (len(times) - 1) / (times[-1] - times[0]).total_seconds() * 60
    return {"configured": configured, "achieved": achieved, "messages": float(len(times))}


def overhead_and_throughput(base_url: str, store: str, count: int, runs: int) -> dict[str, float]:
    found: dict[str, list[float]] = {}

    def record(name: str, seconds: float) -> None:
        found.setdefault(name, []).append(seconds / count)

    async def main(run: int) -> None:
        async with AsyncMegaApi(instance_key=KEY, token=TOKEN, base_url=base_url, max_retries=0) as api:
            await _plain(api, 50, 1)  # warm the connections and imports
            cases: list[tuple[str, Callable[[], Awaitable[float]]]] = [
                ("plain 1", lambda: _plain(api, count, 1)),
                ("plain 8", lambda: _plain(api, count, 8)),
            ]
            for name, pacing, concurrency in (
                ("outbox 1", Pacing.off(), 1),
                ("outbox 8", Pacing.off(), 8),
                ("outbox shared 1", Pacing(rate_per_minute=None, daily_cap=10**9, typing=False), 1),
            ):
                box = _outbox(store, pacing, count, f"{name}-{run}".replace(" ", "-"))
                cases.append((name, _bound(_drained, box, api, concurrency)))
            for name, case in cases:
                record(name, await case())

    for run in range(runs):
        asyncio.run(main(run))
    return {name: statistics.median(values) for name, values in found.items()}


def _bound(function: Callable[..., Awaitable[float]], *args: Any) -> Callable[[], Awaitable[float]]:
    return lambda: function(*args)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = os.environ.get("MEGAAPI_BENCH_STORE") or f"sqlite:///{Path(folder) / 'bench.db'}"
        with responder() as base_url:
            rate = achieved_rate(base_url, store)
            per = overhead_and_throughput(base_url, store, count=400, runs=3)
    error = rate["achieved"] / rate["configured"] - 1
    print("\n## Outbox\n")
    print(f"store: {store.split(':')[0]}, {sys.version.split()[0]}\n")
    print("| figure | measured | target | context |")
    print("|---|---|---|---|")
    print(
        f"| achieved rate vs configured | {1 + error:.3f}x | within 5% | {rate['achieved']:.1f} vs "
        f"{rate['configured']:.0f}/min, {rate['messages']:.0f} messages, 30% jitter, 2 workers |"
    )
    for name, label in (("outbox 1", "pacing off"), ("outbox shared 1", "shared pace slot")):
        extra = (per[name] - per["plain 1"]) * 1e6
        print(
            f"| scheduling overhead per message, {label} | {extra:.0f} µs | — | "
            f"{per[name] * 1e6:.0f} vs {per['plain 1'] * 1e6:.0f} µs per message, one at a time |"
        )
    for width in (1, 8):
        ratio = per[f"plain {width}"] / per[f"outbox {width}"]
        print(
            f"| outbox throughput vs plain AsyncMegaApi, {width} at a time, pacing off | {ratio:.2f}x | — | "
            f"{1 / per[f'outbox {width}']:.0f} vs {1 / per[f'plain {width}']:.0f} messages/s |"
        )


if __name__ == "__main__":
    main()
