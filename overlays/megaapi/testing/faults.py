"""Fault knobs: misbehaviour a test switches on for one operation or for a fraction of all calls."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import Enum

from megaapi.testing.ids import Ids


class FaultKind(Enum):
    LATENCY = "latency"
    """Wait `delay` seconds before handling the request (combines with the other kinds)."""
    STATUS = "status"
    """Answer `status` with an ErrorResponse instead of handling the request."""
    DROP_BEFORE = "drop_before"
    """Close the connection without answering, before the request is handled."""
    DROP_AFTER = "drop_after"
    """Handle the request, then close the connection instead of answering."""
    APP_ERROR = "app_error"
    """Answer HTTP 200 with `{"error": true}`, Mega-api's application-error quirk; nothing is handled."""


@dataclass
class Fault:
    kind: FaultKind
    operation_id: str | None = None
    fraction: float = 1.0
    times: int | None = None
    status: int = 503
    retry_after: int | None = None
    delay: float = 0.0
    message: str = "Injected fault"

    def matches(self, operation_id: str) -> bool:
        return self.operation_id is None or self.operation_id == operation_id


class Faults:
    """The active fault rules. Each rule applies to one operationId (or all) and fires for a fraction of the calls,
    decided by the emulator's seedable generator, optionally only `times` times.
    """

    def __init__(self, ids: Ids) -> None:
        self._ids = ids
        self._rules: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        if not 0.0 <= fault.fraction <= 1.0:
            raise ValueError("fraction must be between 0 and 1")
        if fault.times is not None and fault.times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._rules.append(fault)
        return fault

    def latency(
        self, seconds: float, *, operation: str | None = None, fraction: float = 1.0, times: int | None = None
    ) -> Fault:
        return self.add(Fault(FaultKind.LATENCY, operation, fraction, times, delay=seconds))

    def status(
        self,
        status: int = 503,
        *,
        operation: str | None = None,
        fraction: float = 1.0,
        times: int | None = None,
        retry_after: int | None = None,
        message: str | None = None,
    ) -> Fault:
        if not 400 <= status <= 599:
            raise ValueError("status must be an HTTP error status (4xx or 5xx)")
        text = message or f"Injected HTTP {status}"
        return self.add(Fault(FaultKind.STATUS, operation, fraction, times, status, retry_after, message=text))

    def rate_limit(
        self, retry_after: int = 1, *, operation: str | None = None, fraction: float = 1.0, times: int | None = None
    ) -> Fault:
        return self.status(
            429,
            operation=operation,
            fraction=fraction,
            times=times,
            retry_after=retry_after,
            message="Too many requests",
        )

    def drop(
        self,
        *,
        after_processing: bool = False,
        operation: str | None = None,
        fraction: float = 1.0,
        times: int | None = None,
    ) -> Fault:
        kind = FaultKind.DROP_AFTER if after_processing else FaultKind.DROP_BEFORE
        return self.add(Fault(kind, operation, fraction, times))

    def app_error(
        self,
        message: str = "Erro ao processar a requisição",
        *,
        operation: str | None = None,
        fraction: float = 1.0,
        times: int | None = None,
    ) -> Fault:
        return self.add(Fault(FaultKind.APP_ERROR, operation, fraction, times, message=message))

    @property
    def rules(self) -> list[Fault]:
        """The rules in force, oldest first."""
        with self._lock:
            return list(self._rules)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def fire(self, operation_id: str) -> list[Fault]:
        """The rules that fire for this call; each firing uses up one of a rule's `times`."""
        fired = []
        with self._lock:
            for rule in list(self._rules):
                if not rule.matches(operation_id):
                    continue
                if rule.fraction < 1.0 and self._ids.fraction() >= rule.fraction:
                    continue
                fired.append(rule)
                if rule.times is not None:
                    rule.times -= 1
                    if rule.times == 0:
                        self._rules.remove(rule)
        return fired
