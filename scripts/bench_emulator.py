"""Memory of the emulator over many sends (a benchmark, not a test): resident memory after each step of sends.

    python scripts/bench_emulator.py [--sends 100000] [--retention N]

The sends go through the emulator's ASGI app in process (request validation, handlers, acks) with plain httpx,
so the figure is the emulator's own, not the SDK's. Resident memory is read from /proc (Linux).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import inspect
from pathlib import Path

import httpx

from megaapi.testing import Emulator

KEY = "megaapi-bench"
TOKEN = "bench-token"  # noqa: S105 - the emulator instance this script creates


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


async def run(sends: int, retention: int | None, recipients: int) -> None:
    options = {} if retention is None else {"retention": retention}
    if retention is not None and "retention" not in inspect.signature(Emulator).parameters:
        raise SystemExit("this emulator has no retention option")
    emulator = Emulator(**options)  # type: ignore[arg-type]
    emulator.add_instance(KEY, TOKEN)
    transport = httpx.ASGITransport(app=emulator.app)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    steps = sorted({sends // 10, sends // 2, sends})
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator", headers=headers) as client:
        url = f"/rest/sendMessage/{KEY}/text"
        for i in range(200):  # warm up caches (validators, routes) before the baseline
            await client.post(url, json={"messageData": {"to": f"55119{i % recipients:08d}", "text": "warm up"}})
        gc.collect()
        baseline = rss_mb()
        print("| sends | RSS (MB) | above baseline (MB) | messages kept |")
        print("|---|---|---|---|")
        print(f"| 0 | {baseline:.0f} | 0 | {len(emulator.instance().messages)} |")
        done = 0
        for step in steps:
            for i in range(done, step):
                text = f"Olá, pedido {i} confirmado"
                response = await client.post(
                    url, json={"messageData": {"to": f"55119{i % recipients:08d}", "text": text}}
                )
                response.raise_for_status()
            done = step
            gc.collect()
            kept = len(emulator.instance().messages)
            print(f"| {step} | {rss_mb():.0f} | {rss_mb() - baseline:.0f} | {kept} |", flush=True)
    emulator.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sends", type=int, default=100_000)
    parser.add_argument("--retention", type=int, default=None, help="the emulator's retention (default: its own)")
    parser.add_argument("--recipients", type=int, default=50, help="distinct numbers the sends go to (default: 50)")
    args = parser.parse_args()
    asyncio.run(run(args.sends, args.retention, args.recipients))


if __name__ == "__main__":
    main()
