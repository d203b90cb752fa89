"""What makes two deliveries the same event, and which chat an event belongs to.

Mega-api documents no retry policy, so the same event may arrive twice. A message event is the same event when its
instance, chat, direction, message id and `messageType` are; a receipt when its instance, chat, message id and status
are (one message gets several receipts). Anything else, connection changes included, is the same event only when
its whole payload is.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from megaapi.webhooks import Event, MessageAckEvent

# Longer values do not fit an index; no real JID or message id comes near this.
MAX_KEY_LENGTH = 255


def identity(event: Event, payload: dict[str, Any]) -> str:
    """A digest naming the event: equal for redeliveries of one event, different for different events."""
    instance = payload.get("instance_key")
    instance = instance if isinstance(instance, str) else ""
    message_id, chat = event.message_id, event.chat_jid or ""
    if isinstance(event, MessageAckEvent) and message_id is not None:
        parts = ["ack", instance, chat, message_id, str(event.ack_code)]
    elif event.kind != "connection" and message_id is not None:
        parts = ["message", instance, chat, str(event.from_me), message_id, event.message_type]
    else:
        parts = ["payload", json.dumps(payload, sort_keys=True, ensure_ascii=True, separators=(",", ":"))]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()


def chat_of(event: Event) -> str:
    """The key events are ordered by: the chat's JID, or "" for events of the whole instance."""
    return clean(event.chat_jid or "", MAX_KEY_LENGTH)


def clean(value: str, limit: int | None = None) -> str:
    """`value` made storable in any database: no NUL, no lone surrogates, at most `limit` characters."""
    value = value.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")
    return value if limit is None else value[:limit]
