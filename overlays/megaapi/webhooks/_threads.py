"""`HandlerThreads`: the worker threads that run `WebhookApp`'s plain-function handlers off the event loop.

Written by hand because the libraries hand over one call at a time: `asyncio.to_thread` (`concurrent.futures`) and
anyio wake a thread for every call and wake the event loop again for every result, and under load those wake-ups,
and the interpreter lock passing between the threads after each, cost more than the rest of `WebhookApp`
(BENCHMARKS.md). Here the loop hands over what it submitted in one go, at most once every `HAND_OVER_INTERVAL`
while it is busy, a thread runs one function after another until nothing is queued, and the results come back with
the next submission or exchange; a thread wakes the loop only for results nobody else is due to collect. Functions
still run concurrently: while more are queued than threads are free, the loop looks again within the interval and
wakes or starts another thread if none has come back for them, up to `max_threads`, so a function that blocks holds
up the others by that interval at most. `submit` hands over a function whose result nobody awaits: nothing comes
back to the loop for it, which spares the loop the result and the wake-up of the task that awaited it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import threading
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

# (the caller's context, the function, its arguments, the future the caller awaits: None for `submit`)
_Item: TypeAlias = tuple[contextvars.Context, Callable[..., object], tuple[Any, ...], "asyncio.Future[object] | None"]
# (that future, the function's result, the exception it raised)
_Outcome: TypeAlias = tuple["asyncio.Future[object]", object, BaseException | None]

HAND_OVER_INTERVAL = 0.005
"""Seconds between two hand-overs to the threads while functions keep coming: the delay a busy server adds before a
function starts, in exchange for fewer wake-ups (the interpreter lock's own switch interval is the same 5 ms)."""
IDLE_TIMEOUT = 10.0
"""Seconds a thread waits for work before it ends; threads are started again when work comes."""

logger = logging.getLogger("megaapi.webhooks")


class _Worker(threading.Thread):
    def __init__(self, pool: HandlerThreads, name: str) -> None:
        super().__init__(target=pool._work, args=(self,), name=name, daemon=True)
        # Held while the thread is parked, released by whoever hands it work: a one-slot semaphore.
        self.wake = threading.Lock()
        self.wake.acquire()


class HandlerThreads:
    """Run plain functions for the event loop `loop` on at most `max_threads` threads, each in the caller's context.

    `run` and `submit` are called on the loop's thread. `aclose` lets the threads run what is queued, ends them and
    waits for them. A thread also ends after `IDLE_TIMEOUT` seconds without work, so none stays behind for long when
    nobody calls `aclose` (a server without lifespan events); they are daemon threads, so none holds up the
    interpreter's exit.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, max_threads: int, name: str = "megaapi-handler") -> None:
        if max_threads < 1:
            raise ValueError("max_threads must be at least 1")
        self.loop = loop
        self._max_threads = max_threads
        self._name = name
        # The loop's thread only:
        self._submitted: list[_Item] = []
        self._last_hand_over = float("-inf")
        self._ended: asyncio.Future[None] | None = None
        # Every thread, under the lock:
        self._lock = threading.Lock()
        self._queue: deque[_Item] = deque()
        self._outcomes: list[_Outcome] = []
        self._exchange_due = False  # `_exchange` is scheduled on the loop
        self._threads: set[_Worker] = set()
        self._parked: list[_Worker] = []  # waiting for work, the most recently parked last
        self._free = 0  # threads that will look at the queue before they park: neither parked nor in a function
        self._closing = False
        self._count = 0  # threads ever started, to name them

    def run(self, function: Callable[..., object], *args: object) -> asyncio.Future[object]:
        """Queue `function(*args)` in a copy of the current context; the future gets its result or exception."""
        future: asyncio.Future[object] = self.loop.create_future()
        self._queue_item((contextvars.copy_context(), function, args, future))
        return future

    def submit(self, function: Callable[..., object], *args: object) -> None:
        """Queue `function(*args)` in a copy of the current context, with nothing to come back to the loop.

        `function` is to handle its own failures: whatever it raises anyway is logged (on `megaapi.webhooks`) and
        dropped. `aclose` still waits for it.
        """
        self._queue_item((contextvars.copy_context(), function, args, None))

    def await_on_loop(self, awaitable: Awaitable[object]) -> object:
        """From a function running in one of the threads: await `awaitable` on the loop, in the function's context,
        and wait for its result, which this returns or raises (`concurrent.futures.CancelledError` if cancelled).

        The thread stays busy meanwhile, so `aclose` waits for it too.
        """

        async def on_the_loop() -> object:
            return await awaitable

        # The task runs in a copy of this thread's current context, the function's own.
        return asyncio.run_coroutine_threadsafe(on_the_loop(), self.loop).result()

    def _queue_item(self, item: _Item) -> None:
        self._submitted.append(item)
        if self._outcomes:  # results have come back: deliver them now rather than at the next exchange
            self._deliver()
        if not self._exchange_due:  # only the loop's thread sets it back to False, so True is reliable
            with self._lock:
                due, self._exchange_due = self._exchange_due, True
            if not due:
                delay = self._last_hand_over + HAND_OVER_INTERVAL - self.loop.time()
                if delay > 0:
                    self.loop.call_later(delay, self._exchange)
                else:
                    self.loop.call_soon(self._exchange)

    async def aclose(self) -> None:
        """Let the threads run every queued function, then end them and wait until they have ended."""
        with self._lock:
            self._closing = True
        self._exchange()  # hand over what is still submitted
        with self._lock:
            parked, self._parked = self._parked, []
            self._free += len(parked)
            if self._threads:
                self._ended = self.loop.create_future()
            ended, threads = self._ended, list(self._threads)
        for worker in parked:
            worker.wake.release()
        if ended is not None:
            await ended
        for worker in threads:
            worker.join()
        self._exchange()  # deliver the last results

    # --- the loop's thread ------------------------------------------------------------------------------------------

    def _exchange(self) -> None:
        """Hand over what was submitted since the last exchange, see that threads take the queue, and deliver the
        results that have come back."""
        items, self._submitted = self._submitted, []
        with self._lock:
            self._queue.extend(items)
            new = self._add_free_thread() if self._queue and self._free == 0 else None
            # Items beyond the free threads wait for a thread to come back from a function, which may block: look
            # again within the interval, and wake another thread then if none has come back for them.
            again = len(self._queue) > self._free and (bool(self._parked) or len(self._threads) < self._max_threads)
            self._exchange_due = again
        if items:
            self._last_hand_over = self.loop.time()
        if new is not None:
            new.start()
        if again:
            self.loop.call_later(HAND_OVER_INTERVAL, self._exchange)
        self._deliver()

    def _deliver(self) -> None:
        with self._lock:
            outcomes, self._outcomes = self._outcomes, []
        for future, result, error in outcomes:
            if future.cancelled():  # the caller stopped waiting (its request was cancelled)
                continue
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)

    def _thread_ended(self) -> None:
        if self._ended is not None and not self._ended.done():
            self._ended.set_result(None)

    def _add_free_thread(self) -> _Worker | None:
        """Wake a parked thread, or make a new one that the caller starts once it has released the lock."""
        if self._parked:
            self._free += 1
            self._parked.pop().wake.release()
        elif len(self._threads) < self._max_threads:
            self._free += 1
            self._count += 1
            worker = _Worker(self, f"{self._name}-{self._count}")
            self._threads.add(worker)
            return worker
        # else every thread is in a function, and the first to finish takes the queue
        return None

    # --- the worker threads -----------------------------------------------------------------------------------------

    def _work(self, me: _Worker) -> None:
        while (item := self._take(me)) is not None:
            context, function, args, future = item
            outcome: _Outcome | None = None
            try:
                if future is None:  # `submit`: nothing comes back
                    context.run(function, *args)
                else:
                    outcome = (future, context.run(function, *args), None)
            except BaseException as error:
                if future is not None:  # handed to the awaiting coroutine, as asyncio.to_thread does
                    outcome = (future, None, error)
                else:  # nobody awaits it: log it here, and keep the thread
                    logger.exception("%s raised in a handler thread", getattr(function, "__qualname__", function))
            del item, context, function, args, future  # hold no event while parked
            with self._lock:
                self._free += 1
                if outcome is not None:
                    self._outcomes.append(outcome)

    def _take(self, me: _Worker) -> _Item | None:
        """The next queued item, or None once the thread is to end (closing, or idle for `IDLE_TIMEOUT`)."""
        while True:
            with self._lock:
                item = self._next_item()
                ending = item is None and self._closing
                self._free -= 1
                if ending:
                    last = self._end(me)
                elif item is None:
                    self._parked.append(me)
                # When the last free thread starts a function (which may block) or parks, the results must not wait
                # for it: an exchange delivers them, the one due anyway under load or one scheduled now.
                exchange = self._free == 0 and bool(self._outcomes) and not self._exchange_due
                if exchange:
                    self._exchange_due = True
            if exchange:
                self._schedule(self._exchange)
            if item is not None:
                return item
            if ending:
                if last:
                    self._schedule(self._thread_ended)
                return None
            if not self._park(me):
                return None

    def _next_item(self) -> _Item | None:
        while self._queue:
            item = self._queue.popleft()
            if item[3] is None or not item[3].cancelled():  # else its request was cancelled before it started
                return item
        return None

    def _park(self, me: _Worker) -> bool:
        """Wait to be woken; False if the thread waited `IDLE_TIMEOUT` in vain and has ended."""
        if me.wake.acquire(timeout=IDLE_TIMEOUT):
            return True  # whoever woke it counted it free again
        with self._lock:
            if me in self._parked:
                self._parked.remove(me)
                self._end(me)
                return False
        me.wake.acquire()  # woken just as the wait ended: take the wake-up
        return True

    def _end(self, me: _Worker) -> bool:
        """Count the thread out (lock held); True if it is the last while closing."""
        self._threads.discard(me)
        return self._closing and not self._threads

    def _schedule(self, callback: Callable[[], None]) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is waiting any more
            self.loop.call_soon_threadsafe(callback)
