"""`Outbox`: durable, idempotent queuing of messages for one instance, their statuses, and reconciliation.

Sending is the worker's job (`megaapi.outbox.worker`); this module holds everything that reads or writes the store.
"""

from __future__ import annotations

import os
import random
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, and_, bindparam, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from .. import arguments, jid
from ..errors import InvalidInputError
from ..store import migrate as migrate_store
from ..store.engine import StoreUser
from ..store.outbox_tables import outbox_items, outbox_numbers, outbox_opt_outs, outbox_pace
from .clock import SYSTEM_CLOCK, Clock
from .items import Counts, Item, Status
from .liveness import Liveness
from .pacing import PaceState, Pacing

if TYPE_CHECKING:
    from .. import AsyncMegaApi
    from ..webhooks import Event
    from .worker import WorkerHandle

DEFAULT_OPT_OUT_WORDS = ("sair", "stop", "parar", "cancelar", "descadastrar", "unsubscribe")
MAX_KEY_LENGTH = 255
# Advisory locks in PostgreSQL's two-integer key space (apart from the single-bigint one migrations use): the
# first integer says "outbox worker", the second is the worker's id. A live worker holds its lock on a connection of
# its own; when the process dies, the server drops the lock, and that is how other workers know its claims are free.
_WORKER_LOCK_CLASS = 0x6F7574
_ACK_SENT, _ACK_DELIVERED, _ACK_READ = 2, 3, 4  # message.ack codes (megaapi.webhooks.AckStatus)
_PUNCTUATION = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Message:
    """One message to queue with `Outbox.queue_many`; the arguments mean what they mean for `Outbox.queue`."""

    to: str
    text: str | None = None
    media: str | None = None
    key: str | None = None
    campaign: str | None = None
    priority: int = 0
    not_before: datetime | None = None


class Outbox(StoreUser):
    """A durable outbox for one Mega-api instance, in the store (SQLite by default, PostgreSQL for many workers).

    `instance` names the instance whose number sends (any label you choose, one per Mega-api instance): the pace, the
    daily count and the opt-out list belong to it. Items are queued with an idempotency key; queuing a key that is
    already there changes nothing and returns the stored item, so a message is queued, and sent, once.

    Workers on PostgreSQL may run on many machines; on SQLite, in the processes of one machine (they know each other
    through lock files next to the database). `megaapi campaign` names its instance
    `megaapi.outbox.campaign.instance_label(instance_key)`.
    """

    def __init__(
        self,
        store: str | Engine | None = None,
        *,
        instance: str = "default",
        pacing: Pacing | None = None,
        clock: Clock = SYSTEM_CLOCK,
        opt_out_words: Iterable[str] = DEFAULT_OPT_OUT_WORDS,
        max_attempts: int = 5,
        migrate: bool = True,
    ) -> None:
        self._open_store(store)
        self._write_lock = _write_lock(self.engine)
        self.instance = arguments.text(instance, "instance", max_length=64)
        self.pacing = pacing or Pacing()
        self.clock = clock
        self.opt_out_words = frozenset(_folded(word) for word in opt_out_words)
        if max_attempts < 1:
            raise InvalidInputError("max_attempts must be at least 1")
        self.max_attempts = max_attempts
        if migrate:
            migrate_store(self.engine)

    def __repr__(self) -> str:
        return f"Outbox(store={self.engine.url.render_as_string(hide_password=True)!r}, instance={self.instance!r})"

    @property
    def url(self) -> str:
        """The store's URL, password included (for worker processes); do not print it."""
        return self.engine.url.render_as_string(hide_password=False)

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A write transaction. On SQLite, writers of this process take turns on a lock first (see `_write_lock`)."""
        with self._write_lock, self.engine.begin() as connection:
            yield connection

    # ------------------------------------------------------------------ queuing

    def queue(
        self,
        to: str,
        text: str | None = None,
        *,
        media: str | os.PathLike[str] | None = None,
        key: str | None = None,
        campaign: str | None = None,
        priority: int = 0,
        not_before: datetime | None = None,
    ) -> Item:
        """Queue one message to `to` (a phone number in any notation, a contact JID or a group JID).

        `text` is the message, or the caption when `media` (a file path or an http(s) URL) is given. `key` is the
        idempotency key; without one it is `<campaign>:<recipient>`, so `campaign` is then required. Higher
        `priority` goes first (a one-time code before a promotion); `not_before` holds the message until then.
        Returns the stored item: the existing one, unchanged, when the key was queued before.
        """
        source = None if media is None else os.fspath(media)
        message = Message(to, text, source, key, campaign, priority, not_before)
        return self.queue_many([message])[0]

    def queue_many(self, messages: Sequence[Message]) -> list[Item]:
        """Queue many messages in one transaction (checked first: one bad message queues none); items in order."""
        now = self.clock.now()
        rows = [self._row(message, now) for message in messages]
        with self._writing() as connection:
            if rows:
                connection.execute(_insert_ignoring_duplicates(connection).values(rows))
            keys = [row["key"] for row in rows]
            found = {item.key: item for item in self._select(connection, outbox_items.c.key.in_(keys))}
        return [found[key] for key in keys]

    def _row(self, message: Message, now: datetime) -> dict[str, Any]:
        recipient, target = _recipient(message.to)
        if message.text is None and message.media is None:
            raise InvalidInputError("give the message's text, its media, or both")
        content = None if message.text is None else arguments.text(message.text, "text")
        media = None if message.media is None else check_media(message.media)
        campaign = None if message.campaign is None else arguments.text(message.campaign, "campaign", max_length=200)
        if message.key is not None:
            key = arguments.text(message.key, "key", max_length=MAX_KEY_LENGTH)
        elif campaign is not None:
            key = f"{campaign}:{recipient}"
        else:
            raise InvalidInputError("give an idempotency key (key=...) or a campaign to derive it from")
        if isinstance(message.priority, bool) or not isinstance(message.priority, int):
            raise InvalidInputError("priority must be an integer")
        if message.not_before is not None and message.not_before.tzinfo is None:
            raise InvalidInputError("not_before must be an aware datetime")
        return {
            "key": key,
            "instance": self.instance,
            "campaign": campaign,
            "recipient": recipient,
            "jid": target,
            "text": content,
            "media": media,
            "priority": message.priority,
            "status": Status.QUEUED.value,
            "not_before": message.not_before,
            "attempts": 0,
            "created_at": now,
        }

    # ------------------------------------------------------------------ reading

    def item(self, key: str) -> Item | None:
        """The item queued with this idempotency key, or None."""
        with self.engine.connect() as connection:
            found = self._select(connection, outbox_items.c.key == key)
        return found[0] if found else None

    def items(self, *, campaign: str | None = None, status: Status | str | None = None) -> list[Item]:
        """This instance's items, oldest first, optionally of one campaign and/or in one status."""
        condition = outbox_items.c.instance == self.instance
        if campaign is not None:
            condition = and_(condition, outbox_items.c.campaign == campaign)
        if status is not None:
            condition = and_(condition, outbox_items.c.status == Status(status).value)
        with self.engine.connect() as connection:
            return self._select(connection, condition)

    def counts(self, *, campaign: str | None = None) -> Counts:
        """How many of this instance's items (of one campaign) are in each status, delivered and read."""
        condition = outbox_items.c.instance == self.instance
        if campaign is not None:
            condition = and_(condition, outbox_items.c.campaign == campaign)
        query = (
            select(
                outbox_items.c.status,
                func.count(),
                func.count(outbox_items.c.delivered_at),
                func.count(outbox_items.c.read_at),
            )
            .where(condition)
            .group_by(outbox_items.c.status)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return Counts(
            by_status={Status(status): count for status, count, _, _ in rows},
            delivered=sum(row[2] for row in rows),
            read=sum(row[3] for row in rows),
        )

    def _select(self, connection: Connection, condition: Any) -> list[Item]:
        rows = connection.execute(select(outbox_items).where(condition).order_by(outbox_items.c.id)).mappings()
        return [Item.from_row(row) for row in rows]

    # ------------------------------------------------------------------ decisions left to the user

    def retry(self, key: str) -> Item:
        """Queue an `unknown` or `failed` item again: your decision that it was not sent (it may be sent twice)."""
        return self._change(key, {Status.UNKNOWN, Status.FAILED}, Status.QUEUED, "queued again by the user")

    def mark_sent(self, key: str, message_id: str | None = None) -> Item:
        """Record that an `unknown` item did go out (you saw it on the phone, say)."""
        changed = self._change(key, {Status.UNKNOWN}, Status.SENT, "marked sent by the user")
        if message_id is not None:
            with self._writing() as connection:
                connection.execute(update(outbox_items).where(outbox_items.c.key == key).values(message_id=message_id))
            return self.item(key) or changed
        return changed

    def _change(self, key: str, allowed: set[Status], to: Status, reason: str) -> Item:
        with self._writing() as connection:
            done = connection.execute(
                update(outbox_items)
                .where(outbox_items.c.key == key, outbox_items.c.status.in_([s.value for s in allowed]))
                .values(status=to.value, reason=reason, not_before=None, attempts=0, finished_at=None)
            ).rowcount
        item = self.item(key)
        if item is None:
            raise InvalidInputError(f"no item has the key {key!r}")
        if not done and item.status is not to:
            allowed_names = " or ".join(sorted(s.value for s in allowed))
            raise InvalidInputError(f"item {key!r} is {item.status.value}, not {allowed_names}")
        return item

    # ------------------------------------------------------------------ opt-outs

    def opt_out(self, number: str, reason: str | None = None) -> None:
        """Never send to this person again from this instance (queued items to them end as `opted_out`)."""
        person = _person_number(number)
        with self._writing() as connection:
            statement = _dialect_insert(connection, outbox_opt_outs).values(
                instance=self.instance, number=person, reason=reason, created_at=self.clock.now()
            )
            connection.execute(statement.on_conflict_do_nothing())

    def opt_in(self, number: str) -> None:
        """Take a person off the opt-out list."""
        person = _person_number(number)
        with self._writing() as connection:
            connection.execute(
                outbox_opt_outs.delete().where(
                    outbox_opt_outs.c.instance == self.instance, outbox_opt_outs.c.number == person
                )
            )

    def is_opted_out(self, number: str) -> bool:
        with self.engine.connect() as connection:
            return self._opted_out(connection, [_person_number(number)])

    def _opted_out(self, connection: Connection, numbers: Sequence[str | None]) -> bool:
        wanted = [number for number in numbers if number]
        return bool(connection.execute(_OPTED_OUT, {"b_instance": self.instance, "b_numbers": wanted}).scalar_one())

    # ------------------------------------------------------------------ events from the inbox

    def handle_event(self, event: Event) -> Item | None:
        """Learn from one webhook event of this instance; call it for every event the inbox receives.

        - `message.ack` of a message the outbox sent records its progress (`delivered_at`, `read_at`, `ack`); an
          ack for an unknown message id reconciles an `unknown` item to `sent` only when it is the one `unknown` item
          of that chat, since nothing else can tell which message it is.
        - A `fromMe` message (the echo of a send) whose chat and text match an `unknown` item reconciles it to `sent`
          with the echo's message id.
        - A message from a contact, in a one-to-one chat, whose whole text is an opt-out word ("SAIR", "STOP", ...:
          `opt_out_words`, any case, accents and punctuation ignored) puts the sender on the opt-out list.

        Echoes are matched by chat and exact text, so the same text typed on the phone to the same chat would count
        as well; the outbox never resends, so the worst case is an item shown as sent that was not.

        Returns the item the event changed, if any. Events of other kinds are ignored; calling it twice with the same
        event changes nothing the second time.
        """
        from ..webhooks import MessageAckEvent

        if isinstance(event, MessageAckEvent):
            return self._record_ack(event.message_id, event.chat_jid, event.ack_code)
        if event.kind in ("connection", "unknown") or event.message_id is None:
            return None
        if event.from_me:
            return self._record_echo(event.message_id, event.chat_jid, event.text)
        sender, words = event.sender_jid, event.text
        if sender is None or words is None or event.is_group or _folded(words) not in self.opt_out_words:
            return None
        with suppress(InvalidInputError):  # a sender JID that names no person: nobody to opt out
            self.opt_out(sender, reason=f"replied {words.strip()[:40]!r}")
        return None

    def _record_ack(self, message_id: str | None, chat: str | None, code: int | None) -> Item | None:
        if message_id is None or code is None:
            return None
        now = self.clock.now()
        with self._writing() as connection:
            found = self._select(connection, outbox_items.c.message_id == message_id)
            if not found and code >= _ACK_SENT and chat is not None:
                candidates = self._unmatched_unknown(connection, chat)
                if len(candidates) != 1:
                    return None
                found = candidates
                self._reconcile(connection, found[0], message_id, "reconciled from a message.ack")
            if not found:
                return None
            item = found[0]
            values: dict[str, Any] = {"ack": max(code, item.ack or 0)}
            if code >= _ACK_DELIVERED and item.delivered_at is None:
                values["delivered_at"] = now
            if code >= _ACK_READ and item.read_at is None:
                values["read_at"] = now
            if item.status is Status.UNKNOWN and code >= _ACK_SENT:
                values |= {"status": Status.SENT.value, "reason": "reconciled from a message.ack"}
            connection.execute(update(outbox_items).where(outbox_items.c.key == item.key).values(values))
            return self._select(connection, outbox_items.c.key == item.key)[0]

    def _record_echo(self, message_id: str, chat: str | None, content: str | None) -> Item | None:
        with self._writing() as connection:
            known = self._select(connection, outbox_items.c.message_id == message_id)
            if known:
                return None
            if chat is None or content is None:
                return None
            for item in self._unmatched_unknown(connection, chat):
                if item.text == content:
                    self._reconcile(connection, item, message_id, "reconciled from the fromMe echo")
                    return self._select(connection, outbox_items.c.key == item.key)[0]
        return None

    def _unmatched_unknown(self, connection: Connection, chat: str) -> list[Item]:
        try:
            target = jid.chat(chat)
        except InvalidInputError:
            return []
        condition = and_(
            outbox_items.c.instance == self.instance,
            outbox_items.c.jid == target,
            outbox_items.c.status == Status.UNKNOWN.value,
            outbox_items.c.message_id.is_(None),
        )
        return sorted(self._select(connection, condition), key=lambda item: item.sending_at or item.created_at)

    def _reconcile(self, connection: Connection, item: Item, message_id: str, reason: str) -> None:
        connection.execute(
            update(outbox_items)
            .where(outbox_items.c.key == item.key, outbox_items.c.status == Status.UNKNOWN.value)
            .values(status=Status.SENT.value, message_id=message_id, reason=reason)
        )

    # ------------------------------------------------------------------ what workers do (see worker.py)

    def claim(self, worker: int, *, campaign: str | None = None, sending: bool = False) -> Item | None:
        """Take the next queued item (highest priority, then oldest) that is due; None when there is none.

        Items to people on the opt-out list are finished as `opted_out` on the way. With `sending`, an item whose JID
        is settled is marked `sending` at once (for workers that have no slot to wait for).
        """
        now = self.clock.now()
        query, parameters = _NEXT, {"b_instance": self.instance, "b_now": now}
        if campaign is not None:
            query, parameters = _NEXT_OF_CAMPAIGN, parameters | {"b_campaign": campaign}
        with self._writing() as connection:
            while True:
                row = connection.execute(query, parameters).mappings().first()
                if row is None:
                    return None
                item = Item.from_row(row)
                values: dict[str, Any] = {"b_key": item.key}
                if self._opted_out(connection, [item.recipient, _number_of(item.jid)]):
                    values |= {
                        "status": Status.OPTED_OUT.value,
                        "finished_at": now,
                        "reason": "the recipient opted out",
                    }
                    connection.execute(_BY_KEY, values)
                    continue
                values["claimed_by"] = worker
                if sending and item.jid is not None:
                    values |= {"status": Status.SENDING.value, "sending_at": now}
                    item = replace(item, status=Status.SENDING, sending_at=now)
                connection.execute(_BY_KEY, values)
                return item

    def has_pending(self, *, campaign: str | None = None) -> bool:
        """Whether any item is still queued or being sent (claimed or not, due or not)."""
        condition = and_(
            outbox_items.c.instance == self.instance,
            outbox_items.c.status.in_([Status.QUEUED.value, Status.SENDING.value]),
        )
        if campaign is not None:
            condition = and_(condition, outbox_items.c.campaign == campaign)
        with self.engine.connect() as connection:
            return bool(connection.execute(select(func.count()).where(condition)).scalar_one())

    def reserve_slot(self, lead: timedelta, rng: random.Random) -> datetime:
        """A send slot from the instance's shared pace (see `Pacing.reserve`), taken by compare-and-set."""
        if not self.pacing.shared:
            return self.clock.now() + lead
        while True:
            now = self.clock.now()
            with self._writing() as connection:
                row = connection.execute(_PACE, {"b_instance": self.instance}).mappings().first()
                if row is None:
                    statement = _dialect_insert(connection, outbox_pace).values(
                        instance=self.instance, version=0, day_count=0
                    )
                    connection.execute(statement.on_conflict_do_nothing())
                    continue
                state = PaceState(row["next_at"], row["day"], row["day_count"], row["first_day"])
                slot, after = self.pacing.reserve(state, now, lead, rng)
                taken = connection.execute(
                    _PACE_TAKEN,
                    {
                        "b_instance": self.instance,
                        "b_version": row["version"],
                        "version": row["version"] + 1,
                        "next_at": after.next_at,
                        "day": after.day,
                        "day_count": after.day_count,
                        "first_day": after.first_day,
                    },
                ).rowcount
            if taken:
                return slot

    def start_sending(self, item: Item, worker: int) -> bool:
        """Mark a claimed item `sending`, durably, before its request goes out; False if the claim was lost."""
        values = {"b_key": item.key, "b_worker": worker, "status": Status.SENDING.value, "sending_at": self.clock.now()}
        with self._writing() as connection:
            return bool(connection.execute(_START, values).rowcount)

    def finish(self, item: Item, worker: int, status: Status, **values: Any) -> None:
        """Record an item's outcome and release it."""
        parameters = {"b_key": item.key, "b_worker": worker, "status": status.value, "claimed_by": None}
        with self._writing() as connection:
            connection.execute(_FINISH, parameters | {"finished_at": self.clock.now(), **values})

    def requeue(self, item: Item, worker: int, *, delay: timedelta, reason: str) -> Status:
        """Put an item that provably was not sent back in the queue after `delay`; `failed` once out of attempts."""
        attempts = item.attempts + 1
        if attempts >= self.max_attempts:
            self.finish(item, worker, Status.FAILED, attempts=attempts, reason=f"{reason} (after {attempts} attempts)")
            return Status.FAILED
        with self._writing() as connection:
            connection.execute(
                update(outbox_items)
                .where(outbox_items.c.key == item.key, outbox_items.c.claimed_by == worker)
                .values(
                    status=Status.QUEUED.value,
                    claimed_by=None,
                    attempts=attempts,
                    reason=reason,
                    not_before=self.clock.now() + delay,
                )
            )
        return Status.QUEUED

    def release(self, item: Item, worker: int) -> None:
        """Give back an item the worker claimed but did not send (it is stopping before the request).

        Only for items whose request never started: an item still `sending` under this worker's claim goes back to
        the queue. (A worker records every request it started, so its claim is gone by then.)
        """
        with self._writing() as connection:
            connection.execute(
                update(outbox_items)
                .where(
                    outbox_items.c.key == item.key,
                    outbox_items.c.claimed_by == worker,
                    outbox_items.c.status.in_([Status.QUEUED.value, Status.SENDING.value]),
                )
                .values(claimed_by=None, status=Status.QUEUED.value, sending_at=None)
            )

    @contextmanager
    def worker_lease(self, worker: int) -> Iterator[None]:
        """Hold `worker`'s liveness for the block: a PostgreSQL advisory lock, or a lock file (see `liveness`)."""
        if not self.is_postgresql:
            with Liveness(self.engine.url.database).hold(worker):
                yield
            return
        with self.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:c, :w)"), {"c": _WORKER_LOCK_CLASS, "w": worker})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:c, :w)"), {"c": _WORKER_LOCK_CLASS, "w": worker})
                connection.commit()

    def recover(self) -> int:
        """Free the claims of workers that died: `sending` items become `unknown`, the others queued again.

        A worker that died while its request was out cannot say whether the message went: such an item is never
        resent automatically. Returns how many items were recovered.
        """
        with self._write_lock, self.engine.connect() as connection:
            owners = (
                connection.execute(
                    select(outbox_items.c.claimed_by)
                    .where(outbox_items.c.instance == self.instance, outbox_items.c.claimed_by.is_not(None))
                    .distinct()
                )
                .scalars()
                .all()
            )
            connection.rollback()
            recovered = 0
            local = Liveness(self.engine.url.database)
            for owner in owners:
                if self.is_postgresql:
                    free = connection.execute(
                        text("SELECT pg_try_advisory_lock(:c, :w)"), {"c": _WORKER_LOCK_CLASS, "w": owner}
                    ).scalar_one()
                else:
                    free = not local.is_alive(owner)
                if not free:
                    connection.rollback()
                    continue
                recovered += self._free_claims(connection, owner)
                if self.is_postgresql:
                    connection.execute(text("SELECT pg_advisory_unlock(:c, :w)"), {"c": _WORKER_LOCK_CLASS, "w": owner})
                connection.commit()
                if not self.is_postgresql:
                    local.forget(owner)
        return recovered

    def _free_claims(self, connection: Connection, owner: int) -> int:
        now = self.clock.now()
        unknown = connection.execute(
            update(outbox_items)
            .where(outbox_items.c.claimed_by == owner, outbox_items.c.status == Status.SENDING.value)
            .values(
                status=Status.UNKNOWN.value,
                claimed_by=None,
                finished_at=now,
                reason="its worker stopped while the request was out; it may have been sent",
            )
        ).rowcount
        freed = connection.execute(
            update(outbox_items).where(outbox_items.c.claimed_by == owner).values(claimed_by=None)
        ).rowcount
        return int(unknown) + int(freed)

    # ------------------------------------------------------------------ numbers

    def unchecked_numbers(self, limit: int) -> list[str]:
        """Numbers of queued items whose JID checkNumber has not settled yet, those sent first coming first."""
        query = (
            select(outbox_items.c.recipient)
            .where(
                outbox_items.c.instance == self.instance,
                outbox_items.c.status == Status.QUEUED.value,
                outbox_items.c.jid.is_(None),
            )
            .group_by(outbox_items.c.recipient)
            .order_by(func.max(outbox_items.c.priority).desc(), func.min(outbox_items.c.id))
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return list(connection.execute(query).scalars())

    def known_numbers(self, numbers: Sequence[str], since: datetime) -> dict[str, tuple[bool, str | None]]:
        """checkNumber answers stored since `since`: number -> (on WhatsApp, JID)."""
        query = select(outbox_numbers).where(outbox_numbers.c.number.in_(numbers), outbox_numbers.c.checked_at >= since)
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return {row["number"]: (row["on_whatsapp"], row["jid"]) for row in rows}

    def settle_numbers(self, answers: dict[str, tuple[bool, str | None]], fresh: Iterable[str]) -> None:
        """Store checkNumber's answers (`fresh`: the numbers just asked) and apply them to queued items."""
        now = self.clock.now()
        asked = [
            {"number": number, "on_whatsapp": answers[number][0], "jid": answers[number][1], "checked_at": now}
            for number in set(fresh)
        ]
        found = [{"b_number": number, "b_jid": target} for number, (yes, target) in answers.items() if yes]
        missing = [number for number, (yes, _) in answers.items() if not yes]
        with self._writing() as connection:
            if asked:
                upsert = _dialect_insert(connection, outbox_numbers)
                columns = ("on_whatsapp", "jid", "checked_at")
                upsert = upsert.on_conflict_do_update(
                    index_elements=["number"], set_={name: upsert.excluded[name] for name in columns}
                )
                connection.execute(upsert, asked)
            if found:
                connection.execute(_SETTLE, [{"b_instance": self.instance, **row} for row in found])
            if missing:
                connection.execute(
                    update(outbox_items)
                    .where(_WAITING, outbox_items.c.recipient.in_(missing))
                    .values(
                        status=Status.NOT_ON_WHATSAPP.value,
                        claimed_by=None,
                        finished_at=now,
                        reason="checkNumber: this number has no WhatsApp account",
                    ),
                    {"b_instance": self.instance},
                )

    # ------------------------------------------------------------------ running workers

    async def run(
        self,
        api: AsyncMegaApi,
        *,
        concurrency: int = 1,
        campaign: str | None = None,
        until_idle: bool = False,
        seed: int | None = None,
    ) -> None:
        """Send queued items with `api` (an `AsyncMegaApi`) until cancelled, or until none is left (`until_idle`).

        Run it as an asyncio task; `concurrency` items are handled at once, all on this instance's shared pace.
        """
        from .worker import Worker

        await Worker(self, api, concurrency=concurrency, campaign=campaign, seed=seed).run(until_idle=until_idle)

    def start_thread(self, *, campaign: str | None = None, until_idle: bool = False, **client: Any) -> WorkerHandle:
        """Run a worker in a thread of its own, with an `AsyncMegaApi(**client)` (credentials from the
        environment when left out). Stop it with `handle.stop()`.
        """
        from .worker import start_thread

        return start_thread(self, campaign=campaign, until_idle=until_idle, client=client)

    def start_process(self, *, campaign: str | None = None, until_idle: bool = False, **client: Any) -> WorkerHandle:
        """Run a worker in a process of its own (the store must be a database URL both processes can open)."""
        from .worker import start_process

        return start_process(self, campaign=campaign, until_idle=until_idle, client=client)

    async def check_numbers(self, api: AsyncMegaApi, *, batch_size: int = 50, concurrency: int = 4) -> int:
        """Settle the JID of every queued phone number with checkNumber, in batches; returns how many were asked."""
        from .numbers import check_numbers

        return await check_numbers(self, api, batch_size=batch_size, concurrency=concurrency)


# The statements of the per-message path, built once: building SQLAlchemy expressions costs more than running them.
# Parameters named b_* are bound in the WHERE clause; the others set columns.
_WAITING = and_(
    outbox_items.c.instance == bindparam("b_instance"),
    outbox_items.c.status == Status.QUEUED.value,
    outbox_items.c.jid.is_(None),
)
_SETTLE = (
    update(outbox_items)
    .where(_WAITING, outbox_items.c.recipient == bindparam("b_number"))
    .values(jid=bindparam("b_jid"))
)
_DUE = and_(
    outbox_items.c.instance == bindparam("b_instance"),
    outbox_items.c.status == Status.QUEUED.value,
    outbox_items.c.claimed_by.is_(None),
    or_(outbox_items.c.not_before.is_(None), outbox_items.c.not_before <= bindparam("b_now")),
)
# FOR UPDATE SKIP LOCKED on PostgreSQL: workers skip each other's rows instead of queueing on them. SQLite ignores it;
# its writers take turns (see `_write_lock`).
_NEXT = (
    select(outbox_items)
    .where(_DUE)
    .order_by(outbox_items.c.priority.desc(), outbox_items.c.id)
    .limit(1)
    .with_for_update(skip_locked=True)
)
_NEXT_OF_CAMPAIGN = _NEXT.where(outbox_items.c.campaign == bindparam("b_campaign"))
_OPTED_OUT = select(func.count()).where(
    outbox_opt_outs.c.instance == bindparam("b_instance"),
    outbox_opt_outs.c.number.in_(bindparam("b_numbers", expanding=True)),
)
_BY_KEY = update(outbox_items).where(outbox_items.c.key == bindparam("b_key"))
_FINISH = _BY_KEY.where(outbox_items.c.claimed_by == bindparam("b_worker"))
_START = _FINISH.where(outbox_items.c.status == Status.QUEUED.value)
_PACE = select(outbox_pace).where(outbox_pace.c.instance == bindparam("b_instance"))
_PACE_TAKEN = update(outbox_pace).where(
    outbox_pace.c.instance == bindparam("b_instance"), outbox_pace.c.version == bindparam("b_version")
)

_WRITE_LOCKS_LOCK = threading.Lock()
_SQLITE_WRITE_LOCKS: dict[str, threading.Lock] = {}


def _write_lock(engine: Engine) -> AbstractContextManager[object]:
    """One lock per SQLite file for the writers of this process; none for PostgreSQL.

    SQLite lets one writer in at a time and makes the others sleep and poll (its busy handler backs off up to 100 ms),
    and a transaction that read before writing fails outright when another wrote in between. Taking turns on a
    Python lock first hands the file over at once and avoids both.
    """
    if engine.dialect.name != "sqlite":
        return nullcontext()
    with _WRITE_LOCKS_LOCK:
        return _SQLITE_WRITE_LOCKS.setdefault(str(engine.url.database), threading.Lock())


def _insert_ignoring_duplicates(connection: Connection) -> Any:
    return _dialect_insert(connection, outbox_items).on_conflict_do_nothing(index_elements=["key"])


def _dialect_insert(connection: Connection, table: Any) -> Any:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _recipient(to: object) -> tuple[str, str | None]:
    """(recipient as stored, JID when already settled): phone numbers wait for checkNumber, JIDs go as they are."""
    if not isinstance(to, str):
        raise InvalidInputError(f"to must be a string, not {type(to).__name__}")
    if "@" in to:
        target = jid.chat(to)
        if target.endswith("@" + jid.USER_SERVER):
            return jid.phone(target), None
        return target, target
    return jid.phone(to), None


def _person_number(value: str) -> str:
    """The key of the opt-out list: a phone number's digits, or a `@lid` JID as it is."""
    person = jid.person(value)
    return jid.phone(person) if person.endswith("@" + jid.USER_SERVER) else person


def _number_of(target: str | None) -> str | None:
    if target is None or not target.endswith("@" + jid.USER_SERVER):
        return target
    return jid.phone(target)


def check_media(source: str) -> str:
    """A media source the worker will be able to send: an http(s) URL, or a readable file (made absolute)."""
    if source.startswith(("http://", "https://")):
        return arguments.http_url(source, "media")
    path = Path(source).expanduser()
    if not path.is_file():
        raise InvalidInputError(f"media {source!r} is not a file")
    if not os.access(path, os.R_OK):
        raise InvalidInputError(f"media {source!r} cannot be read")
    return str(path.resolve())


def _folded(value: str) -> str:
    """A reply reduced for comparison with opt-out words: no accents, case, punctuation or surrounding space."""
    decomposed = unicodedata.normalize("NFKD", value)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _PUNCTUATION.sub(" ", plain).strip().casefold()
