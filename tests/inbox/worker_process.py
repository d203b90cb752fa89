"""A worker process for the multi-process tests: `python worker_process.py STORE_URL READY_FILE [LEASE]`.

Its handler logs each event to the `test_handled` table (which worker, which attempt, when it started and ended).
A text "block" hangs on its first attempt, after creating `READY_FILE.blocked`, so a test can kill the process in
the middle of a handler. SIGTERM stops the worker cleanly.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, insert

from megaapi.inbox import Inbox
from megaapi.webhooks import Event

log_metadata = MetaData()
handled = Table(
    "test_handled",
    log_metadata,
    Column("message_id", String(255)),
    Column("chat", String(255)),
    Column("worker", Integer),
    Column("attempt", Integer),
    Column("started", Float),
    Column("ended", Float),
)


def main(store: str, ready: Path, lease: float) -> None:
    inbox = Inbox(store, lease=lease)
    log_metadata.create_all(inbox.engine)

    @inbox.on_event
    def record(event: Event, attempt: int) -> None:
        started = time.time()
        if event.text == "block" and attempt == 1:
            ready.with_suffix(".blocked").touch()
            time.sleep(600)  # killed here
        time.sleep(0.005)
        with inbox.engine.begin() as connection:
            connection.execute(
                insert(handled).values(
                    message_id=event.message_id,
                    chat=event.chat_jid,
                    worker=os.getpid(),
                    attempt=attempt,
                    started=started,
                    ended=time.time(),
                )
            )

    async def run() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        ready.touch()
        await inbox.work(concurrency=2, poll_interval=0.05, stop=stop)

    asyncio.run(run())
    inbox.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), float(sys.argv[3]) if len(sys.argv) > 3 else 60.0)
