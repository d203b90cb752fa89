"""The events table as a work queue: store once, claim one at a time per chat, finish, retry, dead-letter, replay.

A claim is one `UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING`: on PostgreSQL, workers in
any number of processes skip the rows others are claiming instead of waiting for them; on SQLite, which renders no
row locks, the single statement is atomic under the database's write lock. An event is claimable when it is pending
and due, or running under an expired lease (its worker died), and no earlier event of its chat is still pending or
running; so a chat's events run one at a time in arrival order while different chats run in parallel. Dead letters
do not hold their chat up.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Float, String, and_, bindparam, exists, not_, or_, select, update
from sqlalchemy.engine import Row

from megaapi.store.inbox_tables import inbox_events
from megaapi.webhooks import Event

from .identity import MAX_KEY_LENGTH, chat_of, clean, identity
from .upsert import upsert

PENDING, RUNNING, DONE, DEAD = "pending", "running", "done", "dead"
_MAX_ERROR_LENGTH = 8000


@dataclass(frozen=True, slots=True)
class Claim:
    """An event a worker has claimed: it alone runs its handlers until it finishes, fails or its lease expires."""

    id: int
    payload: str
    attempt: int


@dataclass(frozen=True, slots=True)
class EventRecord:
    """A stored event and where its processing stands."""

    id: int
    chat: str
    kind: str
    message_type: str
    message_id: str | None
    received_at: datetime
    deliveries: int
    """How many times the sender posted it; more than 1 means redeliveries were absorbed."""
    state: str
    """`pending` (waiting or backing off), `running`, `done` or `dead` (out of attempts; see `last_error`)."""
    attempts: int
    last_error: str | None
    payload: dict[str, Any] | None
    """The JSON as received; None once the retention period has removed it."""


def store(connection: Connection, event: Event, payload: dict[str, Any], now: float) -> tuple[int, bool]:
    """Store a delivery; returns the event's id and whether it is new (False: a redelivery, counted only)."""
    values = {
        "identity": identity(event, payload),
        "chat": chat_of(event),
        "kind": event.kind,
        "message_type": clean(event.message_type, 64),
        "message_id": None if event.message_id is None else clean(event.message_id, MAX_KEY_LENGTH),
        "received_at": now,
        "deliveries": 1,
        # ASCII escapes keep lone surrogates and NUL characters, which the payload may hold, storable everywhere.
        "payload": json.dumps(payload, ensure_ascii=True, separators=(",", ":")),
        "state": PENDING,
        "attempts": 0,
        "next_attempt_at": now,
    }
    row = connection.execute(upsert(connection, _event_upsert), values).one()
    return row.id, row.deliveries == 1


def _event_upsert(insert: Any) -> Any:
    table = inbox_events.c
    return (
        insert(inbox_events)
        .on_conflict_do_update(index_elements=["identity"], set_={"deliveries": table.deliveries + 1})
        .returning(table.id, table.deliveries)
    )


def claim(engine: Engine, worker: str, now: float, lease: float) -> Claim | None:
    """Claim the oldest event that may run now, or None."""
    parameters = {"now": now, "worker": worker, "locked_until": now + lease}
    with engine.begin() as connection:
        row = connection.execute(_claim_statement(), parameters).first()
    return None if row is None else Claim(row.id, row.payload, row.attempts)


@functools.cache
def _claim_statement() -> Any:
    candidate, earlier = inbox_events.alias("candidate"), inbox_events.alias("earlier")
    now = bindparam("now", type_=Float)
    due = or_(
        and_(candidate.c.state == PENDING, candidate.c.next_attempt_at <= now),
        and_(candidate.c.state == RUNNING, candidate.c.locked_until < now),
    )
    blocked = exists().where(
        earlier.c.chat == candidate.c.chat, earlier.c.id < candidate.c.id, earlier.c.state.in_((PENDING, RUNNING))
    )
    next_id = (
        select(candidate.c.id)
        .where(due, not_(blocked))
        .order_by(candidate.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    table = inbox_events.c
    return (
        update(inbox_events)
        .where(table.id == next_id)
        .values(
            state=RUNNING,
            attempts=table.attempts + 1,
            locked_by=bindparam("worker", type_=String),
            locked_until=bindparam("locked_until", type_=Float),
        )
        .returning(table.id, table.payload, table.attempts)
    )


def finish(engine: Engine, claim: Claim, worker: str, now: float) -> bool:
    """Mark a claimed event done; False if this worker no longer held it (its lease expired and another took it)."""
    return _settle(engine, claim, worker, state=DONE, finished_at=now, last_error=None)


def fail(
    engine: Engine, claim: Claim, worker: str, now: float, error: str, *, max_attempts: int, delay: float
) -> str | None:
    """Record a failed attempt: back to pending after `delay`, or dead once out of attempts. Returns the new state."""
    error = clean(error, _MAX_ERROR_LENGTH)
    if claim.attempt >= max_attempts:
        settled = _settle(engine, claim, worker, state=DEAD, finished_at=now, last_error=error)
        return DEAD if settled else None
    settled = _settle(engine, claim, worker, state=PENDING, next_attempt_at=now + delay, last_error=error)
    return PENDING if settled else None


def release(engine: Engine, claim: Claim, worker: str) -> None:
    """Give a claimed event back untouched (the worker is stopping); the interrupted attempt is not counted."""
    _settle(engine, claim, worker, state=PENDING, attempts=inbox_events.c.attempts - 1)


def _settle(engine: Engine, claim: Claim, worker: str, **values: Any) -> bool:
    table = inbox_events.c
    statement = (
        update(inbox_events)
        .where(table.id == claim.id, table.locked_by == worker, table.state == RUNNING)
        .values(locked_by=None, locked_until=None, **values)
    )
    with engine.begin() as connection:
        return connection.execute(statement).rowcount == 1


def renew(engine: Engine, ids: list[int], worker: str, now: float, lease: float) -> None:
    """Extend the leases of events this worker is still handling."""
    if not ids:
        return
    table = inbox_events.c
    with engine.begin() as connection:
        connection.execute(
            update(inbox_events)
            .where(table.id.in_(ids), table.locked_by == worker, table.state == RUNNING)
            .values(locked_until=now + lease)
        )


def records(
    engine: Engine,
    *,
    state: str | None = None,
    since: float | None = None,
    until: float | None = None,
    message_id: str | None = None,
    limit: int | None = None,
) -> list[EventRecord]:
    """Stored events in arrival order, optionally of one state, received in [since, until), about one message."""
    table = inbox_events.c
    conditions = _range(state, since, until)
    if message_id is not None:
        conditions.append(table.message_id == message_id)
    query = select(inbox_events).where(*conditions).order_by(table.id).limit(limit)
    with engine.connect() as connection:
        return [_record(row) for row in connection.execute(query)]


def replay(
    engine: Engine, now: float, *, state: str | None = None, since: float | None = None, until: float | None = None
) -> int:
    """Queue finished events (done or dead) again, as new: attempts start over. Returns how many.

    Events whose payload the retention period removed cannot be replayed and are left alone.
    """
    table = inbox_events.c
    statement = (
        update(inbox_events)
        .where(table.state.in_((DONE, DEAD)), table.payload.is_not(None), *_range(state, since, until))
        .values(state=PENDING, attempts=0, next_attempt_at=now, finished_at=None, last_error=None)
    )
    with engine.begin() as connection:
        return connection.execute(statement).rowcount


def purge_payloads(engine: Engine, finished_before: float) -> int:
    """Drop the raw payloads of events done before this time; the event rows and the history stay."""
    table = inbox_events.c
    statement = (
        update(inbox_events)
        .where(table.state == DONE, table.finished_at < finished_before, table.payload.is_not(None))
        .values(payload=None)
    )
    with engine.begin() as connection:
        return connection.execute(statement).rowcount


def _range(state: str | None, since: float | None, until: float | None) -> list[Any]:
    table = inbox_events.c
    conditions = [] if state is None else [table.state == state]
    if since is not None:
        conditions.append(table.received_at >= since)
    if until is not None:
        conditions.append(table.received_at < until)
    return conditions


def _record(row: Row[Any]) -> EventRecord:
    return EventRecord(
        id=row.id,
        chat=row.chat,
        kind=row.kind,
        message_type=row.message_type,
        message_id=row.message_id,
        received_at=datetime.fromtimestamp(row.received_at, UTC),
        deliveries=row.deliveries,
        state=row.state,
        attempts=row.attempts,
        last_error=row.last_error,
        payload=None if row.payload is None else json.loads(row.payload),
    )
