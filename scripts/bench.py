"""`nox -s bench`: what the SDK costs per call, under load, at start-up and in memory, measured side by side.

Every figure is a ratio of two things measured in the same run against the same local server, printed next to its
target with the absolute numbers for context. The client figures use a minimal responder in its own process (a raw
asyncio protocol that answers every request with a fixed JSON body), so the server is never the bottleneck; the
concurrency figure adds a fixed delay to each answer, standing in for the network between a client and Mega-api.
The server figures (`--servers`) serve WebhookApp, the emulator and their baselines with uvicorn in a child process
and count that process's CPU time. Every load is bounded in count and time and targets 127.0.0.1. Not a test.
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
from typing import Any, Literal

import httpx

ROOT = Path(__file__).resolve().parent.parent
KEY, TOKEN = "megastart-BenchKey0123456789", "bench-token-0123456789abcdef"
WEBHOOK_TOKEN = "bench-webhook-token-0123456789"  # noqa: S105 - a throwaway token for a loopback server
TO = "5511999999999@s.whatsapp.net"
TEXT = "Olá! Seu pedido #1234 saiu para entrega."
MB = 1024 * 1024
UPLOAD_BYTES = 15 * MB
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
SEND_BODY = json.dumps({"messageData": {"to": TO, "text": TEXT}}).encode()
EVENTS = ROOT / "tests" / "fixtures" / "webhooks"
# The README's kind of event: an inbound text message.
WEBHOOK_EVENT = (EVENTS / "vendor_3_2_conversation.json").read_bytes()

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


def _serve(port: int, delay: float, download_bytes: int) -> None:
    payload = json.dumps(
        {"error": False, "message": "ok", "data": "data:application/pdf;base64," + "QUJD" * (download_bytes // 3)}
    )
    download = _http(payload.encode())
    del payload

    async def main() -> None:
        loop = asyncio.get_running_loop()
        # A deep backlog: 256 clients connecting at once must not wait for SYN retries.
        server = await loop.create_server(lambda: _Responder(delay, download), "127.0.0.1", port, backlog=1024)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_serving(process: subprocess.Popen[bytes], port: int, name: str) -> None:
    """Return once `port` on 127.0.0.1 accepts connections; fail if `process` exits or a minute goes by first."""
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start") from None
            time.sleep(0.05)


@contextlib.contextmanager
def _child(arguments: list[str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    """This script run again with `arguments` as a server on `port`; stopped when the block ends."""
    process = subprocess.Popen([sys.executable, __file__, *arguments])
    try:
        wait_until_serving(process, port, f"the bench server {arguments}")
        yield process
    finally:
        process.terminate()
        process.wait()


@contextlib.contextmanager
def responder(delay: float = 0.0, download_bytes: int = MB) -> Iterator[str]:
    port = _free_port()
    arguments = ["--serve", str(port), "--delay", str(delay), "--download-bytes", str(download_bytes)]
    with _child(arguments, port):
        yield f"http://127.0.0.1:{port}"


# ---------------------------------------------------------------------------------------------- client figures


def _headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}", "User-Agent": "bench", "Content-Type": "application/json"}


def sync_overhead(base_url: str, calls: int, runs: int) -> dict[str, float]:
    """Seconds per call: MegaApi.messages.send_text against the same request with a raw httpx.Client.

    Short batches alternated, the fastest of each kind: on a shared machine other processes only ever add time.
    """
    from megaapi import MegaApi

    url = f"{base_url}/rest/sendMessage/{KEY}/text"
    batch = max(calls // 10, 20)
    raw_times, sdk_times = [], []
    with httpx.Client() as raw, MegaApi(instance_key=KEY, token=TOKEN, base_url=base_url) as api:
        for _ in range(200):  # warm both: connections, imports, caches
            raw.post(url, content=SEND_BODY, headers=_headers()).json()
            api.messages.send_text(TO, TEXT)
        for _ in range(runs * 10):
            start = time.perf_counter()
            for _ in range(batch):
                raw.post(url, content=SEND_BODY, headers=_headers()).json()
            raw_times.append((time.perf_counter() - start) / batch)
            start = time.perf_counter()
            for _ in range(batch):
                api.messages.send_text(TO, TEXT)
            sdk_times.append((time.perf_counter() - start) / batch)
    return {"raw": min(raw_times), "sdk": min(sdk_times), "batch": batch, "batches": runs * 10}


async def _bounded(calls: int, concurrency: int, one: Callable[[], Awaitable[object]]) -> float:
    gate = asyncio.Semaphore(concurrency)

    async def call() -> None:
        async with gate:
            await one()

    start = time.perf_counter()
    await asyncio.gather(*(call() for _ in range(calls)))
    return calls / (time.perf_counter() - start)


# Generous: a loaded machine opening hundreds of connections at once must not turn into timeouts.
SLOW = httpx.Timeout(60.0)


def _async_http(transport: str, concurrency: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    if transport == "httpx":
        return httpx.AsyncClient(limits=limits, timeout=SLOW)
    from megaapi.transports import aiohttp_transport

    return httpx.AsyncClient(transport=aiohttp_transport(limits=limits), timeout=SLOW)


def async_throughput(base_url: str, calls: int, concurrency: int, runs: int) -> dict[str, float]:
    """Calls per second at `concurrency` in flight: AsyncMegaApi on its default transport and on each transport by
    name, raw httpx.AsyncClient, raw aiohttp; and the sync client calling one after another."""
    from megaapi import AsyncMegaApi, MegaApi

    url = f"{base_url}/rest/sendMessage/{KEY}/text"

    async def measure() -> dict[str, list[float]]:
        import aiohttp

        rates: dict[str, list[float]] = {}
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with contextlib.AsyncExitStack() as stack:
            session = await stack.enter_async_context(aiohttp.ClientSession(connector=connector))
            raw_httpx = await stack.enter_async_context(_async_http("httpx", concurrency))
            raw_httpx_aiohttp = await stack.enter_async_context(_async_http("aiohttp", concurrency))
            clients = {"sdk_default": AsyncMegaApi(instance_key=KEY, token=TOKEN, base_url=base_url, timeout=SLOW)}
            for transport in ("httpx", "aiohttp"):
                http = _async_http(transport, concurrency)
                clients[f"sdk_{transport}"] = AsyncMegaApi(
                    instance_key=KEY, token=TOKEN, base_url=base_url, timeout=SLOW, http_client=http
                )
                stack.push_async_callback(http.aclose)
            for client in clients.values():
                stack.push_async_callback(client.aclose)

            async def raw_aiohttp() -> object:
                async with session.post(url, data=SEND_BODY, headers=_headers()) as response:
                    return json.loads(await response.read())

            async def raw_httpx_call() -> object:
                return (await raw_httpx.post(url, content=SEND_BODY, headers=_headers())).json()

            async def raw_httpx_aiohttp_call() -> object:
                return (await raw_httpx_aiohttp.post(url, content=SEND_BODY, headers=_headers())).json()

            calls_by_name: dict[str, Callable[[], Awaitable[object]]] = {
                "raw_aiohttp": raw_aiohttp,
                "raw_httpx": raw_httpx_call,
                "raw_httpx_aiohttp": raw_httpx_aiohttp_call,
            }
            for name, client in clients.items():
                calls_by_name[name] = lambda client=client: client.messages.send_text(TO, TEXT)  # type: ignore[misc]
            for one in calls_by_name.values():
                await _bounded(concurrency * 2, concurrency, one)
            for _ in range(runs):  # interleaved, so a burst of load elsewhere hits every contender alike
                for name, one in calls_by_name.items():
                    rates.setdefault(name, []).append(await _bounded(calls, concurrency, one))
        return rates

    # The best run of each: on a shared machine other processes only ever take throughput away.
    result = {name: max(values) for name, values in asyncio.run(measure()).items()}
    sequential = []
    with MegaApi(instance_key=KEY, token=TOKEN, base_url=base_url) as api:
        api.messages.send_text(TO, TEXT)
        for _ in range(runs):
            count = max(calls // 8, 50)
            start = time.perf_counter()
            for _ in range(count):
                api.messages.send_text(TO, TEXT)
            sequential.append(count / (time.perf_counter() - start))
    result["sync_sequential"] = max(sequential)
    return result


def _median_wall(programs: dict[str, str], runs: int, *arguments: str) -> dict[str, float]:
    """Median wall time of fresh interpreters running each program, interleaved.

    With bytecode cached, as users run installed packages (pip compiles them): an editable install under
    PYTHONDONTWRITEBYTECODE would compile the SDK from source in every process while httpx, installed, loads bytecode.
    """
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    times: dict[str, list[float]] = {name: [] for name in programs}
    for program in programs.values():  # writes the bytecode of whatever is not compiled yet
        subprocess.run([sys.executable, "-c", program, *arguments], check=True, env=env)
    for _ in range(runs):
        for name, program in programs.items():
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", program, *arguments], check=True, env=env)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def cold_import(runs: int) -> dict[str, float]:
    """Seconds a fresh interpreter spends importing, above the interpreter's own start-up."""
    programs = {
        "baseline": "pass",
        "httpx": "import httpx",
        "megaapi": "import megaapi",
        "MegaApi": "from megaapi import MegaApi",
    }
    times = _median_wall(programs, runs)
    return {name: value - times["baseline"] for name, value in times.items() if name != "baseline"}


_FIRST_SDK = f"""
import sys
from megaapi import MegaApi
with MegaApi(instance_key={KEY!r}, token={TOKEN!r}, base_url=sys.argv[1]) as api:
    api.messages.send_text({TO!r}, {TEXT!r})
"""
_FIRST_RAW = f"""
import sys, httpx
with httpx.Client() as http:
    http.post(sys.argv[1] + "/rest/sendMessage/{KEY}/text", content={SEND_BODY!r},
              headers={{"Authorization": "Bearer {TOKEN}", "Content-Type": "application/json"}}).json()
"""


def first_request(base_url: str, runs: int) -> dict[str, float]:
    """Whole processes: start, import, build the client, one send_text, exit; the SDK against raw httpx."""
    return _median_wall({"baseline": "pass", "sdk": _FIRST_SDK, "raw": _FIRST_RAW}, runs, base_url)


_MEMORY_PROBE = """
import base64, json, sys, tracemalloc
from pathlib import Path
import httpx
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
elif mode == "save":
    api.instance.save_media(keys, path)
elif mode == "download":
    data = api.instance.download_media(keys)
elif mode == "naive":
    answer = httpx.post(base_url + "/rest/instance/downloadMediaMessage/k", json={{"messageKeys": keys}}).json()
    data = base64.b64decode(answer["data"].partition(",")[2])
print(json.dumps(tracemalloc.get_traced_memory()[1] - before))
"""


def memory(base_url: str, download_bytes: int) -> dict[str, float]:
    """Peak Python memory above the baseline, in multiples of the file size, each in a fresh interpreter."""
    probe = _MEMORY_PROBE.format(key=KEY, token=TOKEN)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "bench.pdf"
        source.write_bytes(b"%PDF-1.4\n" + os.urandom(UPLOAD_BYTES - 9))
        cases = {
            "send_path": (source, UPLOAD_BYTES),
            "send_bytes": (source, UPLOAD_BYTES),
            "save": (Path(tmp) / "download.pdf", download_bytes),
            "download": (source, download_bytes),
            "naive": (source, download_bytes),
        }
        for mode, (path, size) in cases.items():
            output = subprocess.run(
                [sys.executable, "-c", probe, mode, base_url, str(path)], check=True, capture_output=True, text=True
            ).stdout
            results[mode] = json.loads(output.strip().splitlines()[-1]) / size
    return results


def webhook_parse(rounds: int, repeats: int) -> dict[str, float]:
    """Seconds per event: megaapi.webhooks.parse() against json.loads of the same bytes, over every fixture.

    A CPU-bound microbenchmark on a shared machine: short batches, alternated, and the fastest of each kind (as
    `timeit` does), since other processes only ever add time.
    """
    from megaapi import webhooks

    bodies = [path.read_bytes() for path in sorted(EVENTS.glob("*.json"))]
    for body in bodies:  # warm the caches: model imports, type hints
        webhooks.parse(body)
    batches: dict[str, list[float]] = {"parse": [], "loads": []}
    for _ in range(repeats):
        for name, function in (("loads", json.loads), ("parse", webhooks.parse)):
            start = time.perf_counter()
            for _ in range(rounds):
                for body in bodies:
                    function(body)
            batches[name].append((time.perf_counter() - start) / (rounds * len(bodies)))
    return {"parse": min(batches["parse"]), "loads": min(batches["loads"]), "events": len(bodies)}


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


# ---------------------------------------------------------------------------------------------- server figures


def _serve_app(kind: str, port: int) -> None:
    """Serve one of the measured ASGI apps with uvicorn on 127.0.0.1:`port` (in a child process)."""
    import uvicorn

    app: Any
    if kind == "emulator":
        from megaapi.testing import Emulator

        emulator = Emulator(auto_ack=False)
        emulator.add_instance(KEY, TOKEN)
        app = emulator.app
    elif kind in ("webhook_sync", "webhook_sync_waits", "webhook_async", "webhook_to_thread"):
        from megaapi.webhooks import Event, WebhookApp

        def on_event(event: Event) -> None:
            pass

        async def on_event_async(event: Event) -> None:
            pass

        async def on_event_to_thread(event: Event) -> None:
            await asyncio.to_thread(on_event, event)  # how WebhookApp ran a plain function before its own threads

        handlers = {
            "webhook_sync": on_event,
            "webhook_sync_waits": on_event,
            "webhook_async": on_event_async,
            "webhook_to_thread": on_event_to_thread,
        }
        app = WebhookApp(handlers[kind], token=WEBHOOK_TOKEN)
    else:  # the baselines: a bare Starlette endpoint parsing the body, answering a fixed text or the canned reply
        from starlette.applications import Starlette
        from starlette.concurrency import run_in_threadpool
        from starlette.requests import Request
        from starlette.responses import PlainTextResponse, Response
        from starlette.routing import Route

        async def loads(request: Request) -> Response:
            json.loads(await request.body())
            return PlainTextResponse("ok")

        def handler(payload: object) -> None:
            pass

        async def loads_then_thread(request: Request) -> Response:
            payload = json.loads(await request.body())
            await run_in_threadpool(handler, payload)  # how Starlette runs plain functions: off the event loop
            return PlainTextResponse("ok")

        async def send_text(request: Request) -> Response:
            json.loads(await request.body())
            return Response(SEND_REPLY, media_type="application/json")

        app = Starlette(
            routes=[
                Route("/hook", loads, methods=["POST"]),
                Route("/thread", loads_then_thread, methods=["POST"]),
                Route("/rest/{rest:path}", send_text, methods=["POST"]),
            ]
        )
    # The emulator's own server settings (megaapi.testing.server): h11, no access log, no lifespan. The WebhookApp
    # kinds get uvicorn's default lifespan ("auto"), what `uvicorn app:app` gives users: WebhookApp implements the
    # lifespan and, while one runs, returns without waiting for plain-function handlers. Their Starlette baselines
    # are served the same way, so each pair differs only in the app (a lifespan costs nothing per request).
    # webhook_sync_waits is WebhookApp without a lifespan, where each call waits for its handler.
    lifespan: Literal["off", "auto"] = "off" if kind in ("emulator", "minimal", "webhook_sync_waits") else "auto"
    config = uvicorn.Config(app, host="127.0.0.1", port=port, http="h11", lifespan=lifespan, log_level="warning")
    config.access_log = False
    uvicorn.Server(config).run()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


async def _load(url: str, body: bytes, headers: dict[str, str], calls: int, concurrency: int) -> float:
    """POST `body` `calls` times with `concurrency` in flight (aiohttp, keep-alive); returns requests per second."""
    import aiohttp

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:

        async def one() -> None:
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"{url} answered {response.status}")

        await _bounded(concurrency, concurrency, one)
        return await _bounded(calls, concurrency, one)


def _served(kind: str, calls: int, concurrency: int) -> tuple[float, float]:
    """(server CPU seconds per request, requests per second) of one app under a bounded load."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    headers = {"Content-Type": "application/json"}
    if kind in ("emulator", "minimal"):
        url, body = f"{base}/rest/sendMessage/{KEY}/text", SEND_BODY
        headers["Authorization"] = f"Bearer {TOKEN}"
    elif kind == "starlette":
        url, body = f"{base}/hook", WEBHOOK_EVENT
    elif kind == "starlette_thread":
        url, body = f"{base}/thread", WEBHOOK_EVENT
    else:
        url, body = f"{base}/hook?token={WEBHOOK_TOKEN}", WEBHOOK_EVENT
    with _child(["--serve-app", kind, "--port", str(port)], port) as process:
        asyncio.run(_load(url, body, headers, concurrency * 4, concurrency))  # warm up
        cpu = _cpu_seconds(process.pid)
        rate = asyncio.run(_load(url, body, headers, calls, concurrency))
        return (_cpu_seconds(process.pid) - cpu) / calls, rate


def servers(calls: int, runs: int) -> dict[str, tuple[float, float]]:
    """Medians over `runs` interleaved rounds of every served app."""
    kinds = {
        "starlette": 16,
        "starlette_thread": 16,
        "webhook_sync": 16,
        "webhook_sync_waits": 16,
        "webhook_to_thread": 16,
        "webhook_async": 16,
        "minimal": 16,
        "emulator": 16,
    }
    samples: dict[str, list[tuple[float, float]]] = {kind: [] for kind in kinds}
    for _ in range(runs):
        for kind, concurrency in kinds.items():
            samples[kind].append(_served(kind, calls, concurrency))
    return {
        kind: (statistics.median(cpu for cpu, _ in values), statistics.median(rate for _, rate in values))
        for kind, values in samples.items()
    }


# ---------------------------------------------------------------------------------------------- report


def _row(name: str, value: str, target: str, context: str) -> str:
    return f"| {name} | {value} | {target} | {context} |"


def _table(rows: list[str]) -> None:
    print("\n".join(["| figure | measured | target | context |", "|---|---|---|---|", *rows]), flush=True)


def client_figures(args: argparse.Namespace) -> None:
    download = args.download_mb * MB
    rows = []
    with responder(download_bytes=download) as url:
        first = first_request(url, max(args.runs, 7))
        rows.append(
            _row(
                "whole process: import, build the client, first send_text, vs raw httpx",
                f"{first['sdk'] / first['raw']:.2f}x",
                "≤ 1.3x",
                f"{first['sdk'] * 1000:.0f} ms vs {first['raw'] * 1000:.0f} ms "
                f"(an empty interpreter: {first['baseline'] * 1000:.0f} ms)",
            )
        )
        overhead = sync_overhead(url, args.calls, args.runs)
        rows.append(
            _row(
                "sync send_text vs raw httpx.Client",
                f"{overhead['sdk'] / overhead['raw']:.2f}x",
                "≤ 1.05x",
                f"{overhead['sdk'] * 1e6:.0f} µs vs {overhead['raw'] * 1e6:.0f} µs per call; fastest of "
                f"{overhead['batches']:.0f} alternated batches of {overhead['batch']:.0f} calls",
            )
        )
        for concurrency in (32, 256):
            flat = async_throughput(url, args.async_calls, concurrency, args.runs)
            rows.append(
                _row(
                    f"AsyncMegaApi vs raw aiohttp, {concurrency} in flight",
                    f"{flat['sdk_default'] / flat['raw_aiohttp']:.2f}x",
                    "≥ 0.5x (throughput)",
                    f"{flat['sdk_default']:.0f} vs {flat['raw_aiohttp']:.0f} calls/s; AsyncMegaApi on httpx's "
                    f"transport {flat['sdk_httpx']:.0f}, on httpx-aiohttp {flat['sdk_aiohttp']:.0f}; "
                    f"raw httpx.AsyncClient {flat['raw_httpx']:.0f}, on httpx-aiohttp {flat['raw_httpx_aiohttp']:.0f}",
                )
            )
            if concurrency == 32:
                rows.append(
                    _row(
                        "AsyncMegaApi vs raw httpx.AsyncClient, 32 in flight, both on httpx's transport",
                        f"{flat['raw_httpx'] / flat['sdk_httpx']:.2f}x",
                        "≤ 1.15x (time)",
                        f"{flat['sdk_httpx']:.0f} vs {flat['raw_httpx']:.0f} calls/s",
                    )
                )
        sizes = memory(url, download)
        rows.append(
            _row(
                f"download_media {args.download_mb} MB: peak memory above the start, vs file size",
                f"{sizes['download']:.2f}x",
                "≤ 1.5x",
                f"tracemalloc; `.json()` + b64decode with raw httpx: {sizes['naive']:.2f}x",
            )
        )
        for mode, label, size in (
            ("send_path", "send_media 15 MB from a path", 15),
            ("send_bytes", "send_media 15 MB from bytes", 15),
            ("save", "save_media to a file", args.download_mb),
        ):
            rows.append(
                _row(f"{label}: peak memory above the start", f"{sizes[mode]:.2f}x", "≤ 3x file", f"{size} MB file")
            )
    with responder(args.latency) as url:
        slow = async_throughput(url, args.async_calls, 32, args.runs)
        rows.append(
            _row(
                "AsyncMegaApi (32 in flight) vs sync sequential",
                f"{slow['sdk_default'] / slow['sync_sequential']:.1f}x",
                "≥ 5x throughput",
                f"{slow['sdk_default']:.0f} vs {slow['sync_sequential']:.0f} calls/s, "
                f"{args.latency * 1000:.0f} ms latency",
            )
        )
    imports = cold_import(max(args.runs, 7))
    rows.append(
        _row(
            "cold `from megaapi import MegaApi` vs `import httpx`",
            f"{imports['MegaApi'] / imports['httpx']:.2f}x",
            "≤ 1.5x",
            f"{imports['MegaApi'] * 1000:.0f} ms vs {imports['httpx'] * 1000:.0f} ms; "
            f"`import megaapi` alone {max(imports['megaapi'], 0) * 1000:.1f} ms",
        )
    )
    parsed = webhook_parse(args.parse_rounds, 20 * args.runs)
    rows.append(
        _row(
            "megaapi.webhooks.parse() per event vs json.loads",
            f"{parsed['parse'] / parsed['loads']:.1f}x",
            "≤ 3x",
            f"{parsed['parse'] * 1e6:.1f} µs vs {parsed['loads'] * 1e6:.1f} µs, mean over the "
            f"{parsed['events']:.0f} fixture events; fastest of {20 * args.runs} alternated batches",
        )
    )
    _table(rows)


def server_figures(args: argparse.Namespace) -> None:
    served = servers(args.server_calls, args.runs)
    bare_cpu = served["starlette"][0]
    rows = []
    for kind, label, target in (
        ("webhook_sync", "WebhookApp, sync handler, vs bare Starlette + json.loads", "≤ 1.2x"),
        ("webhook_async", "WebhookApp, async handler, vs bare Starlette + json.loads", "≤ 1.1x"),
    ):
        cpu = served[kind][0]
        context = f"{cpu * 1e6:.0f} µs vs {bare_cpu * 1e6:.0f} µs; 16 in flight, {args.server_calls} requests"
        if kind == "webhook_sync":
            thread_cpu, to_thread_cpu = served["starlette_thread"][0], served["webhook_to_thread"][0]
            waits_cpu = served["webhook_sync_waits"][0]
            context += (
                f"; served with a lifespan (uvicorn's default); without one, where each call waits for its handler: "
                f"{waits_cpu / bare_cpu:.2f}x; the same Starlette endpoint handing the payload to a plain function in "
                f"Starlette's thread pool: {thread_cpu / bare_cpu:.2f}x; WebhookApp handing it over with "
                f"asyncio.to_thread, as before its own threads: {to_thread_cpu / bare_cpu:.2f}x"
            )
        rows.append(_row(f"{label}: server CPU per request (uvicorn)", f"{cpu / bare_cpu:.2f}x", target, context))
    # On a shared machine the load generator competes with the server, so requests/s are context; the figure is the
    # server's CPU per request, which bounds its throughput.
    (emulator_cpu, emulator_rate), (minimal_cpu, minimal_rate) = served["emulator"], served["minimal"]
    rows.append(
        _row(
            "emulator send_text vs a minimal Starlette server: server CPU per request (uvicorn)",
            f"{emulator_cpu / minimal_cpu:.2f}x",
            "≤ 2x",
            f"{emulator_cpu * 1e6:.0f} µs vs {minimal_cpu * 1e6:.0f} µs; {emulator_rate:.0f} vs {minimal_rate:.0f} "
            f"requests/s at 16 in flight",
        )
    )
    _table(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=2000, help="sequential calls per run (default 2000)")
    parser.add_argument("--async-calls", type=int, default=1000, help="calls per async run (default 1000)")
    parser.add_argument("--server-calls", type=int, default=2000, help="requests per server run (default 2000)")
    parser.add_argument("--parse-rounds", type=int, default=10, help="passes over the webhook fixtures per batch")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure; medians are reported (default 5)")
    parser.add_argument("--latency", type=float, default=0.02, help="responder delay for the concurrency figure")
    parser.add_argument("--download-mb", type=int, default=50, help="size of the downloaded file (default 50)")
    parser.add_argument("--servers", action="store_true", help="the server figures only (needs megaapi[testing])")
    parser.add_argument(
        "--generate", action="store_true", help="time the regeneration step only (needs the pinned generator)"
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--delay", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--download-bytes", type=int, default=MB, help=argparse.SUPPRESS)
    parser.add_argument("--serve-app", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _serve(args.serve, args.delay, args.download_bytes)
    elif args.serve_app:
        _serve_app(args.serve_app, args.port)
    elif args.generate:
        _table([f"| `nox -s generate` (regeneration step) | {generate_time(3):.1f} s | — | median of 3 |"])
    elif args.servers:
        print(f"\nServers under uvicorn (h11) in a child process; {args.runs} interleaved runs, medians.\n")
        server_figures(args)
    else:
        print(f"Python {sys.version.split()[0]}, httpx {httpx.__version__}; {args.runs} runs per figure, medians.")
        print("Responder: a minimal asyncio HTTP/1.1 server in its own process with a fixed JSON answer.\n")
        client_figures(args)


if __name__ == "__main__":
    main()
