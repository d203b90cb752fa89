"""The worker: takes queued items in turn and sends them through the SDK, on the instance's shared pace.

For each item: skip it if the recipient opted out; settle its number with checkNumber (a batch at a time); reserve a
slot from the shared pace; show "typing..." for a time proportional to the text; mark it `sending` in the store;
send; record the outcome from the error's `safe_to_retry`:

- success: `sent`, with the message id;
- the request provably did not reach the server (or was refused before acting): queued again after a pause for
  transient refusals (connection never made, 429, 408), `not_on_whatsapp` for a 403 on the recipient, `failed` for
  the others (a bad request stays bad);
- otherwise (timeout after sending, 5xx, a dropped answer, `error: true`): `unknown`, never resent automatically.

A worker killed at any moment leaves either a claimed item (nothing was sent: freed for the next worker) or a
`sending` one (the request may be out: it becomes `unknown`), so no message goes twice and none is lost unseen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import random
import secrets
import signal
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    MegaApiError,
    NotFoundError,
    NotOnWhatsAppError,
    RateLimitError,
)
from .items import Item, Status

if TYPE_CHECKING:
    from .. import AsyncMegaApi
    from .outbox import Outbox

logger = logging.getLogger("megaapi.outbox")
T = TypeVar("T")
POLL = timedelta(seconds=2)
RECOVER_EVERY = timedelta(seconds=30)
MAX_BACKOFF = timedelta(minutes=5)


class StopWorker(MegaApiError):
    """The worker cannot go on: the credentials or the instance are wrong. No item was lost; fix and restart."""


class Worker:
    """Sends one outbox's items with one `AsyncMegaApi`; `concurrency` items at once."""

    def __init__(
        self,
        outbox: Outbox,
        api: AsyncMegaApi,
        *,
        concurrency: int = 1,
        campaign: str | None = None,
        seed: int | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.outbox = outbox
        self.api = api
        self.concurrency = concurrency
        self.campaign = campaign
        self.id = secrets.randbelow(2**31 - 1) + 1  # also a PostgreSQL advisory lock key (an int4)
        self._rng = random.Random(seed)  # noqa: S311 (jitter, not cryptography)
        self._next_recovery = outbox.clock.now()

    async def run(self, *, until_idle: bool = False) -> None:
        """Work until cancelled, or until no item is pending (`until_idle`). Cancelling lets a request in flight
        finish and be recorded.
        """
        with self.outbox.worker_lease(self.id):
            try:
                async with asyncio.TaskGroup() as group:
                    for _ in range(self.concurrency):
                        group.create_task(self._loop(until_idle))
            except BaseExceptionGroup as group:
                # The first failure stops every task; it is the one the caller needs (StopWorker, say).
                raise group.exceptions[0] from None

    async def _db(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        # The store is used through SQLAlchemy's blocking API, off the event loop.
        return await asyncio.to_thread(function, *args, **kwargs)

    async def _loop(self, until_idle: bool) -> None:
        clock = self.outbox.clock
        clock.attach()
        try:
            while True:
                if clock.now() >= self._next_recovery:
                    self._next_recovery = clock.now() + RECOVER_EVERY
                    recovered = await self._db(self.outbox.recover)
                    if recovered:
                        logger.warning("freed %d items of workers that stopped", recovered)
                item = await self._claim()
                if item is None:
                    if until_idle and not await self._db(self.outbox.has_pending, campaign=self.campaign):
                        return
                    await clock.sleep_until(clock.now() + POLL)
                    continue
                try:
                    await self._handle(item)
                except BaseException:
                    self.outbox.release(item, self.id)  # a no-op once its request started: that is recorded
                    raise
        finally:
            clock.detach()

    async def _claim(self) -> Item | None:
        # Without a slot to wait for, an item is claimed straight into `sending`, saving a transaction.
        pacing = self.outbox.pacing
        direct = not pacing.shared and not pacing.typing
        claiming = asyncio.ensure_future(self._db(self.outbox.claim, self.id, campaign=self.campaign, sending=direct))
        try:
            return await asyncio.shield(claiming)
        except asyncio.CancelledError:  # stopping: the claim may have been made all the same; give it back
            item = await claiming
            if item is not None:
                self.outbox.release(item, self.id)
            raise

    async def _handle(self, item: Item) -> None:
        outbox, clock = self.outbox, self.outbox.clock
        if item.status is Status.SENDING:
            await self._shielded_send(item)
            return
        if item.jid is None:
            item = await self._settle(item)
            if item.status is not Status.QUEUED or item.jid is None:
                return  # skipped (no WhatsApp), or put back to be tried again later

        lead = outbox.pacing.typing_time(item.text)
        slot = await self._db(outbox.reserve_slot, lead, self._rng)
        if lead:
            await clock.sleep_until(slot - lead)
            await self._presence(item.jid)
        await clock.sleep_until(slot)
        if not await self._db(outbox.start_sending, item, self.id):
            return  # recovered by another worker meanwhile (this one looked dead): it is theirs now
        await self._shielded_send(item)

    async def _shielded_send(self, item: Item) -> None:
        # A stop request waits for the request in flight and its record: a graceful stop leaves nothing unknown.
        sending = asyncio.ensure_future(self._send_and_record(item))
        try:
            await asyncio.shield(sending)
        except asyncio.CancelledError:
            await sending
            raise

    async def _settle(self, item: Item) -> Item:
        from .numbers import check_numbers

        try:
            await check_numbers(self.outbox, self.api, batches=1, first=item.recipient)
        except MegaApiError as error:
            self._stop_if_misconfigured(error)
            await self._db(self.outbox.requeue, item, self.id, delay=_backoff(item), reason=f"checkNumber: {error}")
            return await self._reload(item)
        return await self._reload(item)

    async def _reload(self, item: Item) -> Item:
        found = await self._db(self.outbox.item, item.key)
        if found is None:  # deleted from the store behind the worker's back
            raise LookupError(f"item {item.key!r} disappeared from the store")
        return found

    async def _presence(self, target: str) -> None:
        try:
            await self.api.chats.update_presence(target, "composing")
        except MegaApiError as error:  # only a nicety: the message goes anyway
            logger.info("typing presence not shown: %s", error)

    async def _send_and_record(self, item: Item) -> None:
        outbox = self.outbox
        assert item.jid is not None
        try:
            if item.media is not None:
                reply = await self.api.messages.send_media(item.jid, item.media, caption=item.text)
            else:
                assert item.text is not None  # queue() takes a text, a media or both
                reply = await self.api.messages.send_text(item.jid, item.text)
        except MegaApiError as error:
            await self._record_error(item, error)
            return
        except Exception as error:  # not the SDK's: the request may have gone out all the same
            outbox.finish(item, self.id, Status.UNKNOWN, reason=f"unexpected {type(error).__name__} while sending")
            raise
        await self._db(outbox.finish, item, self.id, Status.SENT, message_id=reply.message_id, reason=None)

    async def _record_error(self, item: Item, error: MegaApiError) -> None:
        outbox, reason = self.outbox, str(error)
        if not error.safe_to_retry:
            await self._db(outbox.finish, item, self.id, Status.UNKNOWN, reason=reason)
            return
        if isinstance(error, NotOnWhatsAppError):
            await self._db(outbox.finish, item, self.id, Status.NOT_ON_WHATSAPP, reason=reason)
            return
        if isinstance(error, AuthenticationError | NotFoundError):
            await self._db(outbox.release, item, self.id)  # not the message's fault: it keeps its attempts
            self._stop_if_misconfigured(error)
        if _transient(error):
            retry_after = error.retry_after if isinstance(error, RateLimitError) else None
            delay = timedelta(seconds=retry_after) if retry_after is not None else _backoff(item)
            await self._db(outbox.requeue, item, self.id, delay=delay, reason=reason)
            return
        await self._db(outbox.finish, item, self.id, Status.FAILED, reason=reason)

    @staticmethod
    def _stop_if_misconfigured(error: MegaApiError) -> None:
        if isinstance(error, AuthenticationError | NotFoundError):
            raise StopWorker(f"stopping: {error}") from error


def _transient(error: MegaApiError) -> bool:
    """A refusal that may pass: no connection, 429 or 408 (the message itself is fine)."""
    if isinstance(error, APIConnectionError):
        return True
    return isinstance(error, APIStatusError) and error.status_code in (408, 429)


def _backoff(item: Item) -> timedelta:
    return min(timedelta(seconds=5 * 2**item.attempts), MAX_BACKOFF)


class WorkerHandle:
    """A worker running in a thread or a process: `stop()` asks it to finish the item in hand and waits."""

    def __init__(self) -> None:
        self.error: BaseException | None = None
        self._stop: Callable[[], None] = lambda: None
        self._join: Callable[[float | None], None] = lambda timeout: None
        self._alive: Callable[[], bool] = lambda: False

    @property
    def alive(self) -> bool:
        return self._alive()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the worker to end (with `until_idle`, when nothing is left to send)."""
        self._join(timeout)

    def stop(self, timeout: float | None = 60) -> None:
        self._stop()
        self._join(timeout)


def _client(options: dict[str, Any]) -> Any:
    from .. import AsyncMegaApi

    return AsyncMegaApi(**options)


def start_thread(outbox: Outbox, *, campaign: str | None, until_idle: bool, client: dict[str, Any]) -> WorkerHandle:
    handle = WorkerHandle()
    ready = threading.Event()
    state: dict[str, Any] = {}

    async def main() -> None:
        state["loop"], state["task"] = asyncio.get_running_loop(), asyncio.current_task()
        ready.set()
        async with _client(client) as api:
            await outbox.run(api, campaign=campaign, until_idle=until_idle)

    def target() -> None:
        try:
            asyncio.run(main())
        except asyncio.CancelledError:
            pass
        except BaseException as error:  # kept for the caller, who reads handle.error
            handle.error = error
        finally:
            ready.set()

    thread = threading.Thread(target=target, name="megaapi-outbox-worker", daemon=True)
    thread.start()
    ready.wait()

    def stop() -> None:
        if "task" in state and thread.is_alive():
            state["loop"].call_soon_threadsafe(state["task"].cancel)

    handle._stop, handle._join, handle._alive = stop, thread.join, thread.is_alive
    return handle


def start_process(outbox: Outbox, *, campaign: str | None, until_idle: bool, client: dict[str, Any]) -> WorkerHandle:
    if outbox.engine.url.get_backend_name() == "sqlite" and outbox.engine.url.database in (None, "", ":memory:"):
        raise ValueError("a worker process needs a store both processes can open, not an in-memory database")
    settings = {
        "instance": outbox.instance,
        "pacing": outbox.pacing,
        "opt_out_words": sorted(outbox.opt_out_words),
        "max_attempts": outbox.max_attempts,
    }
    process = multiprocessing.get_context("spawn").Process(
        target=_process_main,
        args=(outbox.url, settings, campaign, until_idle, client),
        name="megaapi-outbox-worker",
        daemon=True,
    )
    process.start()
    handle = WorkerHandle()
    handle._stop, handle._join, handle._alive = process.terminate, process.join, process.is_alive
    return handle


def _process_main(url: str, settings: dict[str, Any], campaign: str | None, until_idle: bool, client: Any) -> None:
    from .outbox import Outbox

    async def main() -> None:
        task = asyncio.current_task()
        assert task is not None
        # SIGTERM (WorkerHandle.stop) is a graceful stop: the request in flight finishes and is recorded.
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        outbox = Outbox(url, **settings)
        async with _client(client) as api:
            await outbox.run(api, campaign=campaign, until_idle=until_idle)

    with contextlib.suppress(asyncio.CancelledError):
        asyncio.run(main())
