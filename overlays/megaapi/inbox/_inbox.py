"""`Inbox`: the store, the handlers and the worker that runs them, once per event and in order per chat."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine

from megaapi.media import safe_file_name
from megaapi.store import migrate
from megaapi.store.engine import StoreUser
from megaapi.webhooks import parse
from megaapi.webhooks._app import DEFAULT_MAX_BODY_SIZE, Handlers, call
from megaapi.webhooks._events import _MediaEvent
from megaapi.webhooks._parse import load, parse_payload

from . import queue
from .history import History, record_event, record_sent
from .queue import Claim, EventRecord

if TYPE_CHECKING:
    from .receiver import InboxReceiver

logger = logging.getLogger("megaapi.inbox")

H = TypeVar("H", bound=Callable[..., object])
Clock = Callable[[], float]
_PURGE_INTERVAL = 60.0  # seconds between a worker's purges of expired raw payloads


def default_retry_delay(attempt: int) -> float:
    """Seconds to wait after failed attempt number `attempt`: 1, 2, 4, ... up to five minutes."""
    return float(min(2 ** (attempt - 1), 300))


class Inbox(Handlers, StoreUser):
    """Webhook events stored durably and handled once, in order per chat, with retries, dead letters and replay.

    `store` is a store URL (`sqlite:///megaapi.db`, `postgresql://...`; default `MEGAAPI_STORE`, else
    `sqlite:///megaapi.db`) or an engine from `megaapi.store.open_engine`. Its schema is brought up to date on
    opening. Register handlers with `on(kind, ...)`, `on_ack` or `on_event` (every event); each is called as
    `handler(event, attempt)` with the typed event and the attempt number, 1 the first time. Serve `receiver()` to
    accept deliveries and run `work()` (or `run_worker()`) to handle them.

    A handler that raises makes the whole event fail: it is retried after `retry_delay(attempt)` seconds, and after
    `max_attempts` it becomes a dead letter holding the error. Handlers run at least once per event: after a crash
    the event runs again, so handlers must be idempotent. `lease` is how long a worker may go silent (it renews the
    lease while handlers run) before its events count as abandoned. `raw_retention` (seconds) bounds how long raw
    payloads of handled events are kept (see `purge`). `clock` gives the time, for tests.
    """

    def __init__(
        self,
        store: str | Engine | None = None,
        *,
        max_attempts: int = 5,
        retry_delay: Callable[[int], float] = default_retry_delay,
        lease: float = 60.0,
        raw_retention: float | None = None,
        clock: Clock = time.time,
    ) -> None:
        super().__init__()
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if lease <= 0 or (raw_retention is not None and raw_retention < 0):
            raise ValueError("lease must be positive and raw_retention not negative")
        self._open_store(store)
        migrate(self.engine)
        self.history = History(self.engine)
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay
        self.lease = lease
        self.raw_retention = raw_retention
        self.clock = clock
        self._wakeups: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

    def __repr__(self) -> str:
        url = self.engine.url.render_as_string(hide_password=True)
        return f"Inbox({url!r}, handlers={len(self._handlers)}, max_attempts={self.max_attempts})"

    def on_event(self, handler: H) -> H:
        """Register the decorated function for every event: `handler(event, attempt)`."""
        return self.on_any(handler)

    # ------------------------------------------------------------------------------------------------ receiving

    def receiver(
        self, *, token: str | None = None, instance_key: str | None = None, max_body_size: int = DEFAULT_MAX_BODY_SIZE
    ) -> InboxReceiver:
        """The ASGI app for the webhook URL: `WebhookApp`'s checks, then store, then 200 (see `InboxReceiver`)."""
        from .receiver import InboxReceiver

        return InboxReceiver(self, token=token, instance_key=instance_key, max_body_size=max_body_size)

    def store(self, body: bytes | str | Mapping[str, Any]) -> tuple[int, bool]:
        """Store one delivery durably and add it to the history; returns (event id, whether it is new).

        Use it from any web framework, after checking the token, and answer 200 only once it returns. Raises
        `WebhookParseError` for a body that is not a JSON object.
        """
        payload = load(body)
        event = parse_payload(payload)
        now = self.clock()
        with self.engine.begin() as connection:
            event_id, new = queue.store(connection, event, payload, now)
            if new:
                record_event(connection, event, payload, now)
        if new:
            self.wake()
        return event_id, new

    def record_sends(self, client: Any) -> None:
        """Keep every message sent through `client` (a `MegaApi` or `AsyncMegaApi`) in the history.

        Each successful send is recorded with its message id, so receipts update it and Mega-api's `fromMe` echo
        joins it. A failure to record is logged, never raised: the message has been sent either way.
        """
        client._runner.after_send.append(self._record_sent)

    def _record_sent(self, result: object) -> None:
        try:
            with self.engine.begin() as connection:
                record_sent(connection, result, self.clock())
        except Exception:
            logger.exception("Could not record a sent message in the history")

    # ------------------------------------------------------------------------------------------------ working

    async def run_pending(self, *, worker: str | None = None) -> int:
        """Handle, one after another, every event that may run now (by `clock`); returns how many were attempted."""
        worker = worker or _worker_id()
        count = 0
        while (claimed := await asyncio.to_thread(self._claim, worker)) is not None:
            await self._handle(claimed, worker)
            count += 1
        return count

    async def work(
        self, *, concurrency: int = 4, poll_interval: float = 1.0, stop: asyncio.Event | None = None
    ) -> None:
        """Handle events until `stop` is set: up to `concurrency` chats at once, one event at a time per chat.

        Run as many workers as you like, in any number of processes, on one PostgreSQL store; SQLite allows one.
        New events stored through this inbox wake the worker at once; others are picked up every `poll_interval`.
        """
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        stop = stop or asyncio.Event()
        worker = _worker_id()
        wakeup = asyncio.Event()
        entry = (asyncio.get_running_loop(), wakeup)
        self._wakeups.append(entry)
        running: dict[int, asyncio.Task[None]] = {}

        def finished(key: int) -> Callable[[asyncio.Task[None]], None]:
            def callback(task: asyncio.Task[None]) -> None:
                running.pop(key, None)
                wakeup.set()  # a slot is free, and the chat's next event may be due
                if not task.cancelled() and task.exception() is not None:
                    # The store failed while settling the event; its lease will expire and it will run again.
                    logger.error("Event %d could not be settled", key, exc_info=task.exception())

            return callback

        heartbeat = asyncio.create_task(self._heartbeat(worker, running, stop))
        purged_at = float("-inf")
        try:
            while not stop.is_set():
                wakeup.clear()  # before claiming, so a wake-up during the claim is not lost
                try:
                    claimed = await asyncio.to_thread(self._claim, worker) if len(running) < concurrency else None
                except Exception:
                    logger.exception("Could not claim an event; trying again in %g s", poll_interval)
                    claimed = None
                if claimed is not None:
                    running[claimed.id] = asyncio.create_task(self._handle(claimed, worker))
                    running[claimed.id].add_done_callback(finished(claimed.id))
                    continue
                await _first(wakeup.wait(), stop.wait(), timeout=poll_interval)
                if self.raw_retention is not None and self.clock() - purged_at >= _PURGE_INTERVAL:
                    purged_at = self.clock()
                    await asyncio.to_thread(self.purge)
        finally:
            self._wakeups.remove(entry)
            heartbeat.cancel()
            if running:
                await asyncio.gather(*running.values(), return_exceptions=True)

    async def serve(
        self, receiver: InboxReceiver, *, host: str = "127.0.0.1", port: int = 8080, concurrency: int = 4
    ) -> None:
        """Serve `receiver` with uvicorn and run a worker beside it until SIGINT or SIGTERM, then let the running
        handlers finish: `megaapi listen` in one call. Several chats are handled at once, up to `concurrency`.
        """
        from .serving import serve

        await serve(self, receiver, host=host, port=port, concurrency=concurrency)

    def run_worker(self, *, concurrency: int = 4, poll_interval: float = 1.0) -> None:
        """`work()` in a new event loop, until interrupted (Ctrl-C)."""
        asyncio.run(self.work(concurrency=concurrency, poll_interval=poll_interval))

    def wake(self) -> None:
        """Tell the workers of this process that an event is waiting."""
        for loop, wakeup in list(self._wakeups):
            loop.call_soon_threadsafe(wakeup.set)

    def _claim(self, worker: str) -> Claim | None:
        return queue.claim(self.engine, worker, self.clock(), self.lease)

    async def _handle(self, claimed: Claim, worker: str) -> None:
        event = parse_payload(json.loads(claimed.payload))
        try:
            for handler in self.handlers_for(event):
                await call(handler, event, claimed.attempt)
        except asyncio.CancelledError:
            await asyncio.shield(asyncio.to_thread(queue.release, self.engine, claimed, worker))
            raise
        except Exception as error:
            delay = self.retry_delay(claimed.attempt)
            text = "".join(traceback.format_exception(error))
            state = await asyncio.to_thread(
                queue.fail,
                self.engine,
                claimed,
                worker,
                self.clock(),
                text,
                max_attempts=self.max_attempts,
                delay=delay,
            )
            logger.warning(
                "Handling event %d (%s, key.id %r) failed on attempt %d: %s; %s",
                claimed.id,
                event.kind,
                event.message_id,
                claimed.attempt,
                type(error).__name__,
                "now a dead letter" if state == queue.DEAD else f"retrying in {delay:g} s",
            )
        else:
            if not await asyncio.to_thread(queue.finish, self.engine, claimed, worker, self.clock()):
                logger.warning("Event %d was handled after this worker's lease on it had expired", claimed.id)

    async def _heartbeat(self, worker: str, running: dict[int, asyncio.Task[None]], stop: asyncio.Event) -> None:
        while not stop.is_set():
            await _first(stop.wait(), timeout=self.lease / 3)
            await asyncio.to_thread(queue.renew, self.engine, list(running), worker, self.clock(), self.lease)

    # ------------------------------------------------------------------------------------------------ looking back

    def events(
        self,
        *,
        state: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> list[EventRecord]:
        """Stored events in arrival order: of one `state` (pending, running, done, dead), received in [since, until)."""
        return queue.records(self.engine, state=state, since=_seconds(since), until=_seconds(until), limit=limit)

    def dead_letters(self, *, limit: int | None = None) -> list[EventRecord]:
        """Events whose handlers failed `max_attempts` times, with the last error."""
        return self.events(state=queue.DEAD, limit=limit)

    def replay(self, *, dead: bool = False, since: datetime | None = None, until: datetime | None = None) -> int:
        """Queue events again for the handlers: the dead letters (`dead=True`) and/or every handled event received
        in [since, until). Attempts start over. Returns how many were queued.
        """
        if not dead and since is None and until is None:
            raise ValueError("say what to replay: dead=True, and/or since= and until=")
        state = queue.DEAD if dead else None
        count = queue.replay(self.engine, self.clock(), state=state, since=_seconds(since), until=_seconds(until))
        if count:
            self.wake()
        return count

    def purge(self) -> int:
        """Drop raw payloads of events handled more than `raw_retention` seconds ago; the history stays."""
        if self.raw_retention is None:
            return 0
        return queue.purge_payloads(self.engine, self.clock() - self.raw_retention)

    # ------------------------------------------------------------------------------------------------ media

    def download_media(self, client: Any, message_id: str, folder: str | Path) -> Path:
        """Download a received file with `client` (a `MegaApi`) into `folder` and note the path in the history.

        The file takes the event's `safe_file_name` (the sender's name without folders or dangerous characters, else
        the message id), with the message id added when another file already has that name; an existing file is
        never overwritten. The event must still have its payload (see `raw_retention`).
        """
        found = queue.records(self.engine, message_id=message_id)
        payloads = [record.payload for record in found if record.payload is not None and record.kind != "ack"]
        event = parse(payloads[-1]) if payloads else None
        if event is None or event.media is None or not isinstance(event, _MediaEvent):
            raise LookupError(f"no stored event with a downloadable file for message {message_id!r}")
        target = Path(folder) / event.safe_file_name
        if target.exists():
            target = target.with_name(f"{target.stem}-{safe_file_name(message_id, fallback='media')}{target.suffix}")
        path: Path = client.instance.save_media(event.media, target)
        self.history.set_media_path(message_id, event.from_me, str(path))
        return path


def _seconds(moment: datetime | None) -> float | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("give times with a time zone, e.g. datetime.now(UTC)")
    return moment.timestamp()


def _worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def _first(*waits: Any, timeout: float) -> None:
    """Wait until the first of these coroutines finishes or `timeout` passes; cancel the rest."""
    tasks = [asyncio.ensure_future(wait) for wait in waits]
    try:
        await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
