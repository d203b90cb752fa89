"""The inbox's tables: received events with their processing state, and the message history.

Times are Unix seconds as floats, taken from the inbox's clock, so tests can move time without sleeping and both
backends compare them the same way.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Float, Index, Integer, String, Table, Text

from megaapi.store.tables import metadata

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
_ID = BigInteger().with_variant(Integer(), "sqlite")

inbox_events = Table(
    "inbox_events",
    metadata,
    # Arrival order: events of one chat are handled in the order of this id.
    Column("id", _ID, primary_key=True, autoincrement=True),
    # A digest of what makes two deliveries the same event (see megaapi.inbox.identity); a redelivery conflicts here.
    Column("identity", String(64), nullable=False, unique=True),
    Column("chat", String(255), nullable=False),  # "" for events of the whole instance (connection changes)
    Column("kind", String(32), nullable=False),
    Column("message_type", String(64), nullable=False),
    Column("message_id", String(255)),
    Column("received_at", Float, nullable=False),
    Column("deliveries", Integer, nullable=False),  # how many times the sender posted it
    Column("payload", Text),  # the JSON as received; NULL once the retention period has passed
    Column("state", String(16), nullable=False),  # pending, running, done or dead
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", Float, nullable=False),
    Column("locked_by", String(64)),
    Column("locked_until", Float),
    Column("finished_at", Float),
    Column("last_error", Text),
    Index("ix_inbox_events_state_next_attempt_at", "state", "next_attempt_at"),
    Index("ix_inbox_events_chat_state_id", "chat", "state", "id"),  # "is an earlier event of this chat open?"
    Index("ix_inbox_events_received_at", "received_at"),
)

inbox_messages = Table(
    "inbox_messages",
    metadata,
    # WhatsApp identifies a message by its id and direction; an echo of our own send shares both with the send.
    Column("message_id", String(255), primary_key=True),
    Column("from_me", Boolean, primary_key=True),
    Column("chat", String(255), nullable=False),
    Column("sender", String(255)),
    Column("sender_name", String(255)),
    Column("timestamp", Float, nullable=False),
    Column("type", String(32)),  # the event kind (text, image, ...); NULL while only an ack has been seen
    Column("message_type", String(64)),
    Column("text", Text),
    Column("status", Integer),  # the highest ack code seen (AckStatus); it never goes down
    Column("status_at", Float),
    Column("source", String(16), nullable=False),  # webhook, sdk or ack
    Column("echoed", Boolean, nullable=False),  # a fromMe webhook event was seen for it
    Column("media_mimetype", String(255)),
    Column("media_file_name", Text),
    Column("media_length", BigInteger),
    Column("media_sha256", String(255)),
    Column("media_path", Text),  # where `download_media` saved the file
    Column("recorded_at", Float, nullable=False),
    Index("ix_inbox_messages_chat_timestamp", "chat", "timestamp"),
)

inbox_chat_reads = Table(
    "inbox_chat_reads",
    metadata,
    Column("chat", String(255), primary_key=True),
    Column("read_at", Float, nullable=False),  # inbound messages up to this timestamp count as read
)
