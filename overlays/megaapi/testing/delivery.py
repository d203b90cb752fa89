"""Webhook delivery: one JSON event per POST, from a background thread so API calls never wait on a receiver."""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import httpx

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class Delivery:
    """One attempt to POST an event. The URL often holds the receiver's secret, so it stays out of the repr."""

    url: str = field(repr=False)
    event: dict[str, Any] = field(repr=False)  # it carries the instance key
    status_code: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class WebhookDelivery:
    """Posts events in the order they were queued. No retries: Mega-api documents none."""

    def __init__(
        self, allowed_hosts: Collection[str] | None = LOOPBACK_HOSTS, timeout: float = 5.0, keep: int | None = None
    ) -> None:
        # None allows any host; the default keeps an emulator under test from posting outside the machine.
        self._allowed = None if allowed_hosts is None else frozenset(host.lower() for host in allowed_hosts)
        self._timeout = timeout
        self._queue: queue.Queue[tuple[str, dict[str, Any]] | None] = queue.Queue()
        self._done = threading.Condition()
        self._pending = 0
        self._records: deque[Delivery] = deque(maxlen=keep)  # the latest `keep` attempts (all with None)
        self._thread: threading.Thread | None = None
        self._closed = False

    def enqueue(self, url: str, event: dict[str, Any]) -> None:
        with self._done:
            if self._closed:
                raise RuntimeError("webhook delivery is closed")
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="megaapi-webhook-delivery", daemon=True)
                self._thread.start()
            # Under the lock, so a concurrent close() cannot queue its stop marker ahead of this event.
            self._queue.put((url, event))

    def clear_records(self) -> None:
        with self._done:
            self._records.clear()

    @property
    def records(self) -> list[Delivery]:
        with self._done:
            return list(self._records)

    def wait(self, timeout: float = 10.0) -> None:
        """Block until every queued event was attempted; raise TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        with self._done:
            while self._pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{self._pending} webhook deliveries still pending after {timeout} s")
                self._done.wait(remaining)

    def close(self) -> None:
        with self._done:
            self._closed = True
            thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join()

    def _refusal(self, url: str) -> str | None:
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            return "invalid webhook URL"
        if parsed.scheme not in ("http", "https") or not parsed.host:
            return "webhook URL must be an absolute http(s) URL"
        if self._allowed is not None and parsed.host.lower() not in self._allowed:
            return f"webhook host {parsed.host!r} is not allowed (allowed: {', '.join(sorted(self._allowed))})"
        return None

    def _post(self, client: httpx.Client, url: str, event: dict[str, Any]) -> Delivery:
        refusal = self._refusal(url)
        if refusal is not None:
            return Delivery(url, event, error=refusal)
        try:
            response = client.post(url, json=event)
        except (httpx.HTTPError, TypeError, ValueError) as exc:  # unreachable receiver, or an event not JSON
            return Delivery(url, event, error=f"{type(exc).__name__}: {exc}")
        if not response.is_success:
            return Delivery(url, event, response.status_code, f"receiver answered HTTP {response.status_code}")
        return Delivery(url, event, response.status_code)

    def _run(self) -> None:
        # trust_env=False: a proxy configured in the environment must not intercept loopback deliveries.
        with httpx.Client(timeout=self._timeout, trust_env=False, headers={"User-Agent": "megaapi-emulator"}) as client:
            while (item := self._queue.get()) is not None:
                record = self._post(client, *item)
                with self._done:
                    self._records.append(record)
                    self._pending -= 1
                    self._done.notify_all()
