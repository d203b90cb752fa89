"""`nox -s bench`: what the SDK costs per call and under load, measured side by side in one run.

Every figure is a ratio of two things measured in the same run against the same local server, plus the absolute
numbers for context. The overhead figures use a minimal responder in its own process (a raw asyncio protocol that
answers every request with a fixed JSON body), so the server is never the bottleneck; the concurrency figures add a
fixed delay to each answer, standing in for the network between a client and Mega-api. Not part of the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
KEY, TOKEN = "megastart-BenchKey0123456789", "bench-token-0123456789abcdef"
TO = "5511999999999@s.whatsapp.net"
TEXT = "Olá! Seu pedido #1234 saiu para entrega."
MEDIA_BYTES = 15 * 1024 * 1024
SEND_REPLY = json.dumps(
    {
        "error": False,
        "message": "Message sent successfully",
        "messageData": {
            "key": {"remoteJid": TO, "fromMe": True, "id": "3EB0C767D26A1D4B1F9E"},
            "message": {"extendedTextMessage": {"text": TEXT}},
            "messageTimestamp": "1730154730",
            "status": "PENDING",
        },
    }
).encode()

# ---------------------------------------------------------------------------------------------- the responder


def _http(body: bytes) -> bytes:
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


class _Responder(asyncio.Protocol):
    """Reads a request (headers, then Content-Length bytes it discards) and writes the canned answer."""

    def __init__(self, delay: float, download: bytes) -> None:
        self._delay = delay
        self._download = download
        self._head = bytearray()
        self._body_left: int | None = None
        self._wants_download = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            if self._body_left is None:
                self._head += view
                view = memoryview(b"")
                end = self._head.find(b"\r\n\r\n")
                if end < 0:
                    return
                head, rest = bytes(self._head[:end]), bytes(self._head[end + 4 :])
                self._head.clear()
                length = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
                self._body_left = int(length.group(1)) if length else 0
                self._wants_download = b"/downloadMediaMessage/" in head.split(b"\r\n", 1)[0]
                view = memoryview(rest)
            taken = min(self._body_left, len(view))
            self._body_left -= taken
            view = view[taken:]
            if self._body_left == 0:
                self._body_left = None
                answer = self._download if self._wants_download else _http(SEND_REPLY)
                if self._delay:
                    asyncio.get_running_loop().call_later(self._delay, self._transport.write, answer)
                else:
                    self._transport.write(answer)


def _serve(port: int, delay: float) -> None:
    payload = json.dumps(
        {"error": False, "message": "ok", "data": "data:application/pdf;base64," + "QUJD" * (MEDIA_BYTES // 3)}
    )
    download = _http(payload.encode())

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: _Responder(delay, download), "127.0.0.1", port)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


@contextlib.contextmanager
def responder(delay: float = 0.0) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, __file__, "--serve", str(port), "--delay", str(delay)])
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait()


# ---------------------------------------------------------------------------------------------- measurements


def _sdk(base_url: str, **options: object) -> object:
    from megaapi import MegaApi

    return MegaApi(instance_key=KEY, token=TOKEN, base_url=base_url, **options)  # type: ignore[arg-type]


def _headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}", "User-Agent": "bench"}


def sync_overhead(base_url: str, calls: int, runs: int) -> dict[str, float]:
    """Seconds per call: MegaApi.messages.send_text against the same request with a raw httpx.Client."""
    from megaapi import MegaApi

    url = f"{base_url}/rest/sendMessage/{KEY}/text"
    body = {"messageData": {"to": TO, "text": TEXT}}
    raw_times, sdk_times = [], []
    with httpx.Client() as raw, MegaApi(instance_key=KEY, token=TOKEN, base_url=base_url) as api:
        for _ in range(200):  # warm both: connections, imports, caches
            raw.post(url, json=body, headers=_headers()).json()
            api.messages.send_text(TO, TEXT)
        for _ in range(runs):
            start = time.perf_counter()
            for _ in range(calls):
                raw.post(url, json=body, headers=_headers()).json()
            raw_times.append((time.perf_counter() - start) / calls)
            start = time.perf_counter()
            for _ in range(calls):
                api.messages.send_text(TO, TEXT)
            sdk_times.append((time.perf_counter() - start) / calls)
    return {"raw": statistics.median(raw_times), "sdk": statistics.median(sdk_times)}


async def _bounded(calls: int, concurrency: int, one: Callable[[], Awaitable[object]]) -> float:
    gate = asyncio.Semaphore(concurrency)

    async def call() -> None:
        async with gate:
            await one()

    start = time.perf_counter()
    await asyncio.gather(*(call() for _ in range(calls)))
    return calls / (time.perf_counter() - start)


def async_throughput(base_url: str, calls: int, concurrency: int, runs: int) -> dict[str, float]:
    """Calls per second: AsyncMegaApi and raw httpx.AsyncClient at `concurrency`, and the sync client in sequence."""
    from megaapi import AsyncMegaApi, MegaApi

    url = f"{base_url}/rest/sendMessage/{KEY}/text"
    body = {"messageData": {"to": TO, "text": TEXT}}

    async def measure() -> tuple[list[float], list[float]]:
        limits = httpx.Limits(max_connections=concurrency)
        sdk_rates, raw_rates = [], []
        async with (
            httpx.AsyncClient(limits=limits) as raw,
            AsyncMegaApi(
                instance_key=KEY, token=TOKEN, base_url=base_url, http_client=httpx.AsyncClient(limits=limits)
            ) as api,
        ):

            async def raw_call() -> object:
                return (await raw.post(url, json=body, headers=_headers())).json()

            async def sdk_call() -> object:
                return await api.messages.send_text(TO, TEXT)

            await _bounded(concurrency * 4, concurrency, raw_call)
            await _bounded(concurrency * 4, concurrency, sdk_call)
            for _ in range(runs):
                raw_rates.append(await _bounded(calls, concurrency, raw_call))
                sdk_rates.append(await _bounded(calls, concurrency, sdk_call))
        return sdk_rates, raw_rates

    sdk_rates, raw_rates = asyncio.run(measure())
    sequential = []
    with MegaApi(instance_key=KEY, token=TOKEN, base_url=base_url) as api:
        api.messages.send_text(TO, TEXT)
        for _ in range(runs):
            count = max(calls // 8, 50)
            start = time.perf_counter()
            for _ in range(count):
                api.messages.send_text(TO, TEXT)
            sequential.append(count / (time.perf_counter() - start))
    return {
        "async_sdk": statistics.median(sdk_rates),
        "async_raw": statistics.median(raw_rates),
        "sync_sequential": statistics.median(sequential),
    }


def cold_import(runs: int) -> dict[str, float]:
    """Seconds a fresh interpreter spends importing, above the interpreter's own start-up."""
    programs = {
        "baseline": "pass",
        "httpx": "import httpx",
        "megaapi": "import megaapi",
        "MegaApi": "from megaapi import MegaApi",
    }
    times: dict[str, list[float]] = {name: [] for name in programs}
    for _ in range(runs):
        for name, program in programs.items():
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", program], check=True)
            times[name].append(time.perf_counter() - start)
    baseline = statistics.median(times["baseline"])
    return {name: statistics.median(values) - baseline for name, values in times.items() if name != "baseline"}


_MEMORY_PROBE = """
import json, sys, tracemalloc
from pathlib import Path
from megaapi import MegaApi
mode, base_url, path = sys.argv[1:4]
api = MegaApi(instance_key={key!r}, token={token!r}, base_url=base_url)
api.messages.send_text("5511999999999", "warm up")
keys = {{"mediaKey": "k", "directPath": "/d", "url": "https://mmg.whatsapp.net/d.enc", "mimetype": "application/pdf",
        "messageType": "document"}}
import megaapi_client.api.instance.download_media_message, megaapi_client.api.messages.send_media_base_64
content = Path(path).read_bytes() if mode == "send_bytes" else None
tracemalloc.start()
before = tracemalloc.get_traced_memory()[0]
if mode == "send_path":
    api.messages.send_media("5511999999999", path)
elif mode == "send_bytes":
    api.messages.send_media("5511999999999", content, file_name="bench.pdf")
else:
    api.instance.save_media(keys, path)
print(json.dumps(tracemalloc.get_traced_memory()[1] - before))
"""


def memory(base_url: str) -> dict[str, float]:
    """Peak Python memory above the baseline, in multiples of the file size, each in a fresh interpreter."""
    probe = _MEMORY_PROBE.format(key=KEY, token=TOKEN)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "bench.pdf"
        source.write_bytes(b"%PDF-1.4\n" + os.urandom(MEDIA_BYTES - 9))
        for mode, path in (("send_path", source), ("send_bytes", source), ("save", Path(tmp) / "download.pdf")):
            output = subprocess.run(
                [sys.executable, "-c", probe, mode, base_url, str(path)], check=True, capture_output=True, text=True
            ).stdout
            results[mode] = json.loads(output.strip().splitlines()[-1]) / MEDIA_BYTES
    return results


def generate_time(runs: int) -> float:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, str(ROOT / "scripts" / "regenerate.py"), tmp], check=True, capture_output=True
            )
            times.append(time.perf_counter() - start)
    return statistics.median(times)


# ---------------------------------------------------------------------------------------------- report


def _row(name: str, value: str, target: str, context: str) -> str:
    return f"| {name} | {value} | {target} | {context} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=2000, help="sequential calls per run (default 2000)")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure; medians are reported (default 5)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency", type=float, default=0.02, help="responder delay for the concurrency figure")
    parser.add_argument(
        "--generate", action="store_true", help="time the regeneration step only (needs the pinned generator)"
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--delay", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _serve(args.serve, args.delay)
        return
    if args.generate:
        print(f"| `nox -s generate` (regeneration step) | {generate_time(3):.1f} s | — | median of 3 |")
        return

    print(f"Python {sys.version.split()[0]}, httpx {httpx.__version__}; {args.runs} runs per figure, medians.")
    print("Responder: a minimal asyncio HTTP/1.1 server in its own process with a fixed JSON answer.\n")
    rows = ["| figure | measured | target | context |", "|---|---|---|---|"]
    with responder() as url:
        overhead = sync_overhead(url, args.calls, args.runs)
        rows.append(
            _row(
                "sync send_text vs raw httpx.Client",
                f"{overhead['sdk'] / overhead['raw']:.2f}x",
                "≤ 1.15x",
                f"{overhead['sdk'] * 1e6:.0f} µs vs {overhead['raw'] * 1e6:.0f} µs per call, {args.calls} calls",
            )
        )
        flat = async_throughput(url, args.calls, args.concurrency, args.runs)
        rows.append(
            _row(
                f"AsyncMegaApi vs raw httpx.AsyncClient, {args.concurrency} concurrent",
                f"{flat['async_raw'] / flat['async_sdk']:.2f}x",
                "≤ 1.15x (time)",
                f"{flat['async_sdk']:.0f} vs {flat['async_raw']:.0f} calls/s, no added latency",
            )
        )
        sizes = memory(url)
        for mode, label in (
            ("send_path", "send_media 15 MB from a path"),
            ("send_bytes", "send_media 15 MB from bytes"),
            ("save", "save_media 15 MB download to a file"),
        ):
            rows.append(_row(f"{label}: peak memory above baseline", f"{sizes[mode]:.2f}x", "≤ 3x file", "tracemalloc"))
    with responder(args.latency) as url:
        slow = async_throughput(url, args.calls, args.concurrency, args.runs)
        rows.append(
            _row(
                f"AsyncMegaApi ({args.concurrency} concurrent) vs sync sequential",
                f"{slow['async_sdk'] / slow['sync_sequential']:.1f}x",
                "≥ 5x throughput",
                f"{slow['async_sdk']:.0f} vs {slow['sync_sequential']:.0f} calls/s, "
                f"{args.latency * 1000:.0f} ms latency",
            )
        )
    imports = cold_import(max(args.runs, 5))
    rows.append(
        _row(
            "cold `from megaapi import MegaApi` vs `import httpx`",
            f"{imports['MegaApi'] / imports['httpx']:.2f}x",
            "≤ 1.5x",
            f"{imports['MegaApi'] * 1000:.0f} ms vs {imports['httpx'] * 1000:.0f} ms; "
            f"`import megaapi` alone {max(imports['megaapi'], 0) * 1000:.1f} ms",
        )
    )
    print("\n".join(rows))


if __name__ == "__main__":
    main()
