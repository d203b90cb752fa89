"""The outbox's tables, declared on the store's shared metadata (their migrations are the Alembic branch `outbox`)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect

from megaapi.store.tables import metadata


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend: SQLite keeps no time zone, so values are stored and read as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("the outbox stores aware datetimes only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# One message to send. `status` moves queued -> sending -> sent | failed | unknown; numbers that are not on WhatsApp
# and opted-out recipients end as `not_on_whatsapp` and `opted_out` without a request. `claimed_by` marks a queued
# item a worker holds while it waits for its pacing slot (nothing was sent: a dead worker's claim is simply freed).
outbox_items = Table(
    "outbox_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(255), nullable=False, unique=True),
    Column("instance", String(64), nullable=False),
    Column("campaign", String(255), nullable=True),
    Column("recipient", String(64), nullable=False),  # the normalised number or JID the caller gave
    Column("jid", String(64), nullable=True),  # where it goes: settled by checkNumber for phone numbers
    Column("text", Text, nullable=True),
    Column("media", Text, nullable=True),  # a file path or an http(s) URL; `text` is then the caption
    Column("priority", Integer, nullable=False, default=0),
    Column("status", String(16), nullable=False),
    Column("reason", Text, nullable=True),
    Column("not_before", UtcDateTime(), nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("claimed_by", BigInteger, nullable=True),
    Column("message_id", String(128), nullable=True),
    Column("ack", Integer, nullable=True),  # highest message.ack status seen: 3 delivered, 4 read, 5 played
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sending_at", UtcDateTime(), nullable=True),
    Column("finished_at", UtcDateTime(), nullable=True),
    Column("delivered_at", UtcDateTime(), nullable=True),
    Column("read_at", UtcDateTime(), nullable=True),
    Index("ix_outbox_items_next", "instance", "status", "priority", "id"),
    Index("ix_outbox_items_campaign", "campaign", "status"),
    Index("ix_outbox_items_message_id", "message_id"),
    Index("ix_outbox_items_jid", "jid", "status"),
)

# The pace of one instance, shared by every worker through compare-and-set on `version`.
outbox_pace = Table(
    "outbox_pace",
    metadata,
    Column("instance", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("next_at", UtcDateTime(), nullable=True),  # earliest start of the next send
    Column("day", Date, nullable=True),  # the day (in the pacing time zone) `day_count` counts
    Column("day_count", Integer, nullable=False),
    Column("first_day", Date, nullable=True),  # first day this instance sent, for the warm-up ramp
)

# What checkNumber said about a number: whether it has WhatsApp and the JID WhatsApp knows it by.
outbox_numbers = Table(
    "outbox_numbers",
    metadata,
    Column("number", String(32), primary_key=True),
    Column("on_whatsapp", Boolean, nullable=False),
    Column("jid", String(64), nullable=True),
    Column("checked_at", UtcDateTime(), nullable=False),
)

# People who asked not to receive messages from an instance.
outbox_opt_outs = Table(
    "outbox_opt_outs",
    metadata,
    Column("instance", String(64), primary_key=True),
    Column("number", String(64), primary_key=True),
    Column("reason", Text, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

# A campaign from a file: its template and settings, so that running it again resumes it.
outbox_campaigns = Table(
    "outbox_campaigns",
    metadata,
    Column("name", String(255), primary_key=True),
    Column("instance", String(64), nullable=False),
    Column("source", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("media", Text, nullable=True),
    Column("settings", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)
