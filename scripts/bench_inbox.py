"""`nox -s bench` (inbox part): what storing before acknowledging costs, and how soon handlers run under load.

Throughput: webhook deliveries acknowledged per second by `WebhookApp` with no handler (parse and answer: the
baseline), by the inbox's receiver storing into SQLite and into PostgreSQL, each served by uvicorn in its own
process and driven by the same client with the same concurrency; runs interleaved, median of several. Latency: a
steady rate of deliveries to a receiver with a worker beside it (what `megaapi listen` runs), from the moment a
delivery is sent to the moment its handler starts; p50 and p99. PostgreSQL is a throwaway server started here
(Debian's `postgresql`, as in the tests). Not part of the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from bench import wait_until_serving  # this script's folder is on the path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token-0123456789abcdef"  # noqa: S105 - a throwaway token for a local server
TEMPLATE = json.loads((ROOT / "tests" / "fixtures" / "webhooks" / "vendor_3_2_conversation.json").read_text())
CHATS = 50


def delivery(number: int, run: str) -> bytes:
    event = {**TEMPLATE, "messageTimestamp": 1_700_000_000 + number}
    event["key"] = {"remoteJid": f"55119{number % CHATS:08d}@s.whatsapp.net", "fromMe": False, "id": f"{run}-{number}"}
    return json.dumps(event).encode()


# ---------------------------------------------------------------------------------------------------- the servers


def serve(kind: str, store: str, port: int, out: str) -> None:
    """Run one receiver until SIGTERM (in its own process)."""
    import uvicorn

    from megaapi.inbox import Inbox
    from megaapi.webhooks import Event, WebhookApp

    handled: dict[str, float] = {}
    inbox = None if kind == "webhook" else Inbox(store)
    app: Any = WebhookApp(token=TOKEN) if inbox is None else inbox.receiver(token=TOKEN)

    if inbox is None or kind != "listen":
        # Stored only: no worker runs. uvicorn ends the process with the SIGTERM it caught once it has stopped.
        config = uvicorn.Config(app, port=port, log_level="warning", access_log=False, lifespan="off")
        uvicorn.Server(config).run()
        return

    @inbox.on_event
    async def note(event: Event, attempt: int) -> None:
        handled[event.message_id or ""] = time.time()

    asyncio.run(inbox.serve(app, port=port))
    Path(out).write_text(json.dumps(handled))
    inbox.close()


@contextmanager
def served(kind: str, store: str) -> Iterator[tuple[str, Path]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    out = Path(tempfile.mkdtemp(prefix="megaapi-bench-")) / "handled.json"
    argv = [sys.executable, __file__, "--serve", kind, "--store", store, "--port", str(port), "--out", str(out)]
    process = subprocess.Popen(argv)
    wait_until_serving(process, port, f"the {kind} server")
    try:
        yield f"http://127.0.0.1:{port}/megaapi?token={TOKEN}", out
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=120)


# ---------------------------------------------------------------------------------------------------- the client


async def blast(url: str, count: int, concurrency: int) -> float:
    """Acknowledged deliveries per second over `concurrency` keep-alive connections.

    A raw asyncio HTTP/1.1 client with the requests encoded beforehand, so that the client costs far less than the
    servers it measures (httpx would be the bottleneck on a small machine).
    """
    target = httpx.URL(url)
    run = uuid.uuid4().hex[:8]
    path = target.raw_path.decode()
    requests = [_request(path, target.port or 80, delivery(number, run)) for number in range(count)]
    queue = list(reversed(requests))

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(target.host, target.port)
        try:
            await _exchange(reader, writer, _request(path, target.port or 80, delivery(-1, uuid.uuid4().hex)))
            await ready.wait()
            while queue:
                await _exchange(reader, writer, queue.pop())
        finally:
            writer.close()

    ready = asyncio.Event()
    connections = [asyncio.create_task(connection()) for _ in range(concurrency)]
    await asyncio.sleep(0.5)  # every connection open and warm
    start = time.perf_counter()
    ready.set()
    await asyncio.gather(*connections)
    return count / (time.perf_counter() - start)


def _request(path: str, port: int, body: bytes) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
    return f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> None:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    if not lines[0].startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"the server answered {lines[0]!r}")
    length = next(line for line in lines if line.lower().startswith(b"content-length:"))
    await reader.readexactly(int(length.split(b":")[1]))


async def steady(url: str, rate: float, seconds: float) -> dict[str, float]:
    """Send at a steady rate; returns when each delivery was sent, by message id."""
    run = uuid.uuid4().hex[:8]
    sent: dict[str, float] = {}
    async with httpx.AsyncClient(timeout=60) as http:
        tasks = []
        start = time.monotonic()
        for number in range(int(rate * seconds)):
            await asyncio.sleep(max(0.0, start + number / rate - time.monotonic()))
            sent[f"{run}-{number}"] = time.time()
            tasks.append(asyncio.create_task(http.post(url, content=delivery(number, run))))
        for response in await asyncio.gather(*tasks):
            response.raise_for_status()
    return sent


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# ---------------------------------------------------------------------------------------------------- the run


class Stores:
    """A fresh store for every run: a new SQLite file, or a new database on the benchmark's PostgreSQL server."""

    def __init__(self, postgres: str | None) -> None:
        self.postgres = postgres
        self.folder = Path(tempfile.mkdtemp(prefix="megaapi-bench-store-"))

    def new(self, backend: str) -> str:
        name = "b_" + uuid.uuid4().hex[:12]
        if backend == "sqlite":
            return f"sqlite:///{self.folder / name}.db"
        import sqlalchemy

        assert self.postgres is not None
        admin = sqlalchemy.create_engine(self.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return self.postgres.rsplit("/", 1)[0] + "/" + name


def measure(stores: Stores, backends: list[str], events: int, concurrency: int, runs: int) -> None:
    throughput: dict[str, list[float]] = {"webhook": [], **{backend: [] for backend in backends}}
    for _ in range(runs):
        for kind in throughput:
            store = stores.new(kind) if kind != "webhook" else ""
            with served("webhook" if kind == "webhook" else "inbox", store) as (url, _):
                throughput[kind].append(asyncio.run(blast(url, events, concurrency)))
    baseline = statistics.median(throughput["webhook"])
    print(f"\nAcknowledged deliveries per second, {concurrency} in flight, median of {runs} runs of {events}:")
    print(f"  WebhookApp, no storage (baseline): {baseline:8.0f}/s")
    for backend in backends:
        rate = statistics.median(throughput[backend])
        print(f"  inbox receiver, {backend:<10}:       {rate:8.0f}/s  = {rate / baseline:.2f}x the baseline")

    rate, seconds = 50.0, 10.0
    print(f"\nHandler latency (delivery sent -> handler starts), {rate:g} deliveries/s for {seconds:g} s:")
    for backend in backends:
        with served("listen", stores.new(backend)) as (url, out):
            sent = asyncio.run(steady(url, rate, seconds))
            time.sleep(2)  # let the last events be handled
        handled = json.loads(out.read_text())
        latencies = [(handled[key] - at) * 1000 for key, at in sent.items() if key in handled]
        missing = len(sent) - len(latencies)
        print(
            f"  {backend:<10}: p50 {percentile(latencies, 0.5):6.1f} ms, p99 {percentile(latencies, 0.99):6.1f} ms"
            + (f"  ({missing} not handled yet)" if missing else "")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1000, help="deliveries per throughput run")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.store, args.port, args.out)
        return
    sys.path.insert(0, str(ROOT / "tests"))
    from postgres_server import postgres_bin, running_postgres  # type: ignore[import-not-found]  # tests/

    binaries = postgres_bin()
    if binaries is None:
        print("PostgreSQL is not installed (apt-get install postgresql): measuring SQLite only")
        measure(Stores(None), ["sqlite"], args.events, args.concurrency, args.runs)
        return
    with running_postgres(binaries) as postgres:
        measure(Stores(postgres), ["sqlite", "postgresql"], args.events, args.concurrency, args.runs)


if __name__ == "__main__":
    main()
