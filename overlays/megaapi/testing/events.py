"""Webhook payloads, shaped like the vendor's examples (see the spec's `webhooks` section)."""

from __future__ import annotations

from typing import Any

from megaapi.testing.ids import Ids
from megaapi.testing.state import Instance

# `update.status` of `message.ack`: the vendor receiver maps these three.
ACK_SENT, ACK_DELIVERED, ACK_READ = 2, 3, 4


def device_list_metadata(ids: Ids, now: int) -> dict[str, Any]:
    """The opaque `messageContextInfo` that comes with most received messages."""
    return {
        "deviceListMetadata": {
            "senderKeyHash": ids.key_bytes(10),
            "senderTimestamp": str(now - 3600),
            "recipientKeyHash": ids.key_bytes(10),
            "recipientTimestamp": str(now - 60),
        },
        "deviceListMetadataVersion": 2,
    }


def message_event(
    instance: Instance,
    *,
    message_type: str,
    key: dict[str, Any],
    message: dict[str, Any],
    timestamp: int,
    push_name: str,
) -> dict[str, Any]:
    return {
        "instance_key": instance.key,
        "jid": instance.jid,
        "messageType": message_type,
        "key": key,
        "messageTimestamp": timestamp,
        "pushName": push_name,
        "broadcast": False,
        "message": message,
    }


def ack_event(instance: Instance, key: dict[str, Any], status: int) -> dict[str, Any]:
    return {"instance_key": instance.key, "messageType": "message.ack", "key": key, "update": {"status": status}}


def connection_event(instance: Instance, now: int, *, close_reason: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {
        "instance_key": instance.key,
        "messageType": "connection_update",
        "message": "phone_connected" if instance.connected else "phone_disconnected",
        "timestamp": now,
        "jid": instance.jid,
        "pushName": instance.push_name,
    }
    if close_reason is not None:
        event["closeReason"] = close_reason
    return event
