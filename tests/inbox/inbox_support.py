"""Shared by the inbox tests: payload fixtures, a clock the test moves, and stores on both backends."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "webhooks"
CHAT = "556195562618@s.whatsapp.net"
TOKEN = "inbox-test-token-0123456789"


def payload(name: str) -> dict[str, Any]:
    loaded = json.loads((FIXTURES / f"{name}.json").read_text())
    assert isinstance(loaded, dict)
    return loaded


def text_event(message_id: str, text: str, *, chat: str = CHAT, timestamp: int = 1700000000) -> dict[str, Any]:
    """The vendor's received-text example with another id, chat, text and time."""
    event = copy.deepcopy(payload("vendor_3_2_conversation"))
    event["key"] = {"remoteJid": chat, "fromMe": False, "id": message_id}
    event["message"]["conversation"] = text
    event["messageTimestamp"] = timestamp
    return event


def ack_event(message_id: str, status: int | str, *, chat: str = CHAT) -> dict[str, Any]:
    event = payload("handwritten_message_ack")
    event["key"] = {"remoteJid": chat, "fromMe": True, "id": message_id}
    event["update"] = {"status": status}
    return event


class Clock:
    """Time as the test says it is."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
