"""Serving a receiver with uvicorn and a worker beside it in one process: what `megaapi listen` runs."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import uvicorn

if TYPE_CHECKING:
    from ._inbox import Inbox
    from .receiver import InboxReceiver


class _Server(uvicorn.Server):
    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        # Like uvicorn, SIGINT and SIGTERM start a graceful shutdown; unlike it, the signal is not raised again once
        # the server has stopped, which would end the process before the worker has finished its handlers.
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


async def serve(inbox: Inbox, receiver: InboxReceiver, *, host: str, port: int, concurrency: int) -> None:
    """Serve `receiver` and run `inbox.work()` until SIGINT or SIGTERM; then stop both, letting handlers finish."""
    config = uvicorn.Config(receiver, host=host, port=port, log_level="warning", access_log=False, lifespan="off")
    stop = asyncio.Event()
    worker = asyncio.create_task(inbox.work(concurrency=concurrency, stop=stop))
    try:
        await _Server(config).serve()
    finally:
        stop.set()
        await worker
