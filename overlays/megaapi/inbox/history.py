"""The message history Mega-api does not keep: inbound messages, our sends and their receipts, and queries on them.

Writes are idempotent and order-independent, so redeliveries and late events cannot corrupt the history: a message
row is keyed by WhatsApp's (message id, fromMe); content is filled in by whichever of the send, its `fromMe` echo
or a receipt comes first and completed by the others; the status only ever goes up (a late "delivered" after
"read" is ignored).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, case, func, or_, select, update
from sqlalchemy.engine import Row

from megaapi.store.inbox_tables import inbox_chat_reads, inbox_messages
from megaapi.webhooks import AckStatus, Event, MessageAckEvent, parse
from megaapi.webhooks._events import EVENT_TYPES

from .identity import MAX_KEY_LENGTH, clean
from .upsert import upsert

_MAX_INT = 2**31  # the Integer column's range on PostgreSQL; larger codes are not statuses
_MEDIA_KINDS = frozenset({"image", "video", "audio", "document", "sticker"})
# Events that are not messages: receipts update a message, connection changes belong to no chat.
_NOT_MESSAGES = frozenset({"ack", "connection"})
_CONTENT = (
    "chat",
    "sender",
    "sender_name",
    "type",
    "message_type",
    "text",
    "media_mimetype",
    "media_file_name",
    "media_length",
    "media_sha256",
)


@dataclass(frozen=True, slots=True)
class Media:
    """What the event said about a file; `path` is set once `Inbox.download_media` saved it."""

    mimetype: str | None
    file_name: str | None
    length: int | None
    sha256: str | None
    path: str | None


@dataclass(frozen=True, slots=True)
class Message:
    """One message of the history."""

    id: str
    chat: str
    from_me: bool
    timestamp: datetime
    type: str | None
    """The event kind: text, image, ..., interactive or unknown; None when only a receipt for it has been seen."""
    message_type: str | None
    text: str | None
    sender: str | None
    sender_name: str | None
    status: int | None
    """The highest `message.ack` code seen (see `AckStatus`); 1 (pending) right after a send through the SDK."""
    media: Media | None
    source: str
    """How it was first recorded: `webhook`, `sdk` (a send through the SDK) or `ack` (a receipt came first)."""
    echoed: bool
    """A `fromMe` webhook event for it arrived (for our sends: Mega-api echoed it)."""

    @property
    def status_name(self) -> str | None:
        """`sent`, `delivered`, `read`, ... or the bare code when `AckStatus` does not know it."""
        if self.status is None:
            return None
        known = AckStatus._value2member_map_.get(self.status)
        return str(self.status) if known is None else known.name.lower()

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: what `megaapi history --json` prints, one per line."""
        media = None
        if self.media is not None:
            media = {name: getattr(self.media, name) for name in ("mimetype", "file_name", "length", "sha256", "path")}
        return {
            "id": self.id,
            "chat": self.chat,
            "from_me": self.from_me,
            "timestamp": self.timestamp.isoformat(),
            "type": self.type,
            "message_type": self.message_type,
            "text": self.text,
            "sender": self.sender,
            "sender_name": self.sender_name,
            "status": self.status_name,
            "media": media,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class Chat:
    """A chat of the history with its newest message and how many inbound messages came after we last read it."""

    chat: str
    last_message: Message
    unread: int


# ---------------------------------------------------------------------------------------------------------- writing


def record_event(connection: Connection, event: Event, payload: Mapping[str, Any], now: float) -> None:
    """Add what one (new) webhook event says to the history."""
    if isinstance(event, MessageAckEvent):
        _record_ack(connection, event, now)
    elif event.kind not in _NOT_MESSAGES and event.message_id and event.chat_jid:
        _record_message(connection, event, payload, now, source="webhook")


def record_sent(connection: Connection, result: object, now: float) -> bool:
    """Add a message sent through the SDK, from the send's result; False when the result names no message."""
    to_dict = getattr(result, "to_dict", None)
    data = to_dict().get("messageData") if callable(to_dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("key"), dict) or not isinstance(data.get("message"), dict):
        return False
    content = [name for name in data["message"] if name != "messageContextInfo"]
    message_type = content[0] if len(content) == 1 and content[0] in EVENT_TYPES else "messageContextInfo"
    payload = {**data, "messageType": message_type}
    event = parse(payload)
    if not (event.message_id and event.chat_jid):
        return False
    _record_message(connection, event, payload, now, source="sdk", status=int(AckStatus.PENDING))
    return True


def _record_message(
    connection: Connection,
    event: Event,
    payload: Mapping[str, Any],
    now: float,
    *,
    source: str,
    status: int | None = None,
) -> None:
    timestamp = getattr(event, "timestamp", None)
    values: dict[str, Any] = {
        "message_id": _key(event.message_id),
        "from_me": event.from_me,
        "chat": _key(event.chat_jid),
        "sender": _key(event.sender_jid),
        "sender_name": _key(getattr(event, "sender_name", None)),
        "timestamp": timestamp.timestamp() if isinstance(timestamp, datetime) else now,
        "type": event.kind,
        "message_type": _key(event.message_type),
        "text": None if event.text is None else clean(event.text),
        "status": status,
        "status_at": None if status is None else now,
        "source": source,
        "echoed": source == "webhook" and event.from_me,
        "recorded_at": now,
        **_media(event, payload),
    }
    connection.execute(upsert(connection, _message_upsert), values)


def _message_upsert(insert: Any) -> Any:
    statement = insert(inbox_messages)
    table, new = inbox_messages.c, statement.excluded
    placeholder = table.type.is_(None)  # only a receipt was seen so far
    merged: dict[str, Any] = {name: func.coalesce(table[name], new[name]) for name in _CONTENT}
    merged |= {
        "timestamp": case((placeholder, new.timestamp), else_=table.timestamp),
        "source": case((or_(placeholder, new.source == "sdk"), new.source), else_=table.source),
        "echoed": or_(table.echoed, new.echoed),
        "status": _highest(table.status, new.status),
        "status_at": case((new.status > func.coalesce(table.status, -1), new.status_at), else_=table.status_at),
    }
    return statement.on_conflict_do_update(index_elements=["message_id", "from_me"], set_=merged)


def _record_ack(connection: Connection, event: MessageAckEvent, now: float) -> None:
    code, chat = event.ack_code, event.chat_jid
    if code is None or not 0 <= code < _MAX_INT or not event.message_id or not chat:
        return
    timestamp = event.timestamp
    values = {
        "message_id": _key(event.message_id),
        "from_me": event.from_me,
        "chat": _key(chat),
        "timestamp": timestamp.timestamp() if timestamp else now,
        "status": code,
        "status_at": now,
        "source": "ack",
        "echoed": False,
        "recorded_at": now,
    }
    connection.execute(upsert(connection, _ack_upsert), values)


def _ack_upsert(insert: Any) -> Any:
    statement = insert(inbox_messages)
    table, new = inbox_messages.c, statement.excluded
    raised = new.status > func.coalesce(table.status, -1)
    return statement.on_conflict_do_update(
        index_elements=["message_id", "from_me"],
        set_={
            "status": _highest(table.status, new.status),
            "status_at": case((raised, new.status_at), else_=table.status_at),
        },
    )


def _highest(current: Any, offered: Any) -> Any:
    return case((offered > func.coalesce(current, -1), offered), else_=current)


def _key(value: str | None) -> str | None:
    return None if value is None else clean(value, MAX_KEY_LENGTH)


def _media(event: Event, payload: Mapping[str, Any]) -> dict[str, Any]:
    message = payload.get("message")
    content = message.get(event.message_type) if isinstance(message, Mapping) else None
    if event.kind not in _MEDIA_KINDS or not isinstance(content, Mapping):
        return dict.fromkeys(("media_mimetype", "media_file_name", "media_length", "media_sha256"))
    length = content.get("fileLength")
    if isinstance(length, str) and length.isascii() and length.isdigit() and len(length) < 19:
        length = int(length)
    return {
        "media_mimetype": _string(content.get("mimetype")),
        "media_file_name": _string(content.get("fileName")),
        "media_length": length
        if isinstance(length, int) and not isinstance(length, bool) and 0 <= length < 2**63
        else None,
        "media_sha256": _string(content.get("fileSha256")),
    }


def _string(value: object) -> str | None:
    return clean(value, MAX_KEY_LENGTH) if isinstance(value, str) else None


# ---------------------------------------------------------------------------------------------------------- reading


class History:
    """Queries on the message history of one store; `Inbox.history` is one."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def messages(self, chat: str, *, limit: int = 50, offset: int = 0) -> list[Message]:
        """The chat's newest `limit` messages after skipping the `offset` newest, oldest first.

        Page back through a long chat with `offset=limit`, `offset=2 * limit`, ... Messages known only from a
        receipt (sent from the phone without an echo reaching us) are left out.
        """
        if limit < 1 or offset < 0:
            raise ValueError("limit must be positive and offset not negative")
        table = inbox_messages.c
        query = (
            select(inbox_messages)
            .where(table.chat == chat, table.type.is_not(None))
            .order_by(table.timestamp.desc(), table.recorded_at.desc(), table.message_id.desc())
            .limit(limit)
            .offset(offset)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [_message(row) for row in reversed(rows)]

    def message(self, message_id: str) -> Message | None:
        """One message by its WhatsApp id, with its delivery status; our own when both directions share the id."""
        table = inbox_messages.c
        query = select(inbox_messages).where(table.message_id == message_id).order_by(table.from_me.desc()).limit(1)
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else _message(row)

    def chats(self, *, limit: int = 100) -> list[Chat]:
        """Chats by their newest message, newest first, each with its count of unread inbound messages.

        An inbound message is unread until `mark_read` covers it or we send a message in the chat after it.
        """
        table = inbox_messages.c
        newest = func.row_number().over(
            partition_by=table.chat, order_by=(table.timestamp.desc(), table.recorded_at.desc())
        )
        ranked = select(inbox_messages, newest.label("rank")).where(table.type.is_not(None)).subquery()
        inbound, outbound = inbox_messages.alias("inbound"), inbox_messages.alias("outbound")
        last_out = (
            select(func.max(outbound.c.timestamp))
            .where(outbound.c.chat == ranked.c.chat, outbound.c.from_me.is_(True), outbound.c.type.is_not(None))
            .correlate(ranked)
            .scalar_subquery()
        )
        read_at = (
            select(inbox_chat_reads.c.read_at)
            .where(inbox_chat_reads.c.chat == ranked.c.chat)
            .correlate(ranked)
            .scalar_subquery()
        )
        greatest = func.greatest if self._engine.dialect.name == "postgresql" else func.max  # SQLite's max(a, b)
        seen_until = greatest(func.coalesce(last_out, -1.0), func.coalesce(read_at, -1.0))
        unread = (
            select(func.count())
            .select_from(inbound)
            .where(
                inbound.c.chat == ranked.c.chat,
                inbound.c.from_me.is_(False),
                inbound.c.type.is_not(None),
                inbound.c.timestamp > seen_until,
            )
            .correlate(ranked)
            .scalar_subquery()
        )
        query = (
            select(ranked, unread.label("unread"))
            .where(ranked.c.rank == 1)
            .order_by(ranked.c.timestamp.desc(), ranked.c.chat)
            .limit(limit)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [Chat(row.chat, _message(row), row.unread) for row in rows]

    def mark_read(self, chat: str, up_to: datetime | None = None) -> None:
        """Count the chat's inbound messages up to `up_to` (default: all of them) as read."""
        with self._engine.begin() as connection:
            if up_to is None:
                newest = select(func.max(inbox_messages.c.timestamp)).where(inbox_messages.c.chat == chat)
                read_at = connection.execute(newest).scalar() or 0.0
            else:
                read_at = up_to.timestamp()
            connection.execute(upsert(connection, _read_upsert), {"chat": chat, "read_at": read_at})

    def set_media_path(self, message_id: str, from_me: bool, path: str) -> None:
        table = inbox_messages.c
        with self._engine.begin() as connection:
            connection.execute(
                update(inbox_messages)
                .where(and_(table.message_id == message_id, table.from_me.is_(from_me)))
                .values(media_path=path)
            )


def _read_upsert(insert: Any) -> Any:
    statement = insert(inbox_chat_reads)
    return statement.on_conflict_do_update(index_elements=["chat"], set_={"read_at": statement.excluded.read_at})


def _message(row: Row[Any]) -> Message:
    media = None
    if row.type is not None and any(
        value is not None for value in (row.media_mimetype, row.media_file_name, row.media_length, row.media_path)
    ):
        media = Media(row.media_mimetype, row.media_file_name, row.media_length, row.media_sha256, row.media_path)
    return Message(
        id=row.message_id,
        chat=row.chat,
        from_me=bool(row.from_me),
        timestamp=datetime.fromtimestamp(row.timestamp, UTC),
        type=row.type,
        message_type=row.message_type,
        text=row.text,
        sender=row.sender,
        sender_name=row.sender_name,
        status=row.status,
        media=media,
        source=row.source,
        echoed=bool(row.echoed),
    )
