"""What the outbox reports about a message: its status and the facts recorded on the way."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping


class Status(enum.StrEnum):
    """Where an item is. `queued -> sending -> sent | failed | unknown`; the last two skip the request."""

    QUEUED = "queued"
    SENDING = "sending"  # the request is (or was, if its worker died) on its way: the outcome is not known yet
    SENT = "sent"
    FAILED = "failed"  # provably not sent: refused locally or by the server, or out of attempts
    UNKNOWN = "unknown"  # may have been sent; never resent automatically (reconciled from echoes and acks)
    NOT_ON_WHATSAPP = "not_on_whatsapp"  # checkNumber says the number has no WhatsApp; nothing was sent
    OPTED_OUT = "opted_out"  # the recipient asked not to receive messages; nothing was sent


FINAL = frozenset({Status.SENT, Status.FAILED, Status.UNKNOWN, Status.NOT_ON_WHATSAPP, Status.OPTED_OUT})


@dataclass(frozen=True)
class Item:
    """One message in the outbox, as stored."""

    key: str
    instance: str
    campaign: str | None
    recipient: str
    jid: str | None
    text: str | None
    media: str | None
    priority: int
    status: Status
    reason: str | None
    message_id: str | None
    attempts: int
    ack: int | None
    not_before: datetime | None
    created_at: datetime
    sending_at: datetime | None
    finished_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any] | RowMapping) -> Item:
        fields = {name: row[name] for name in cls.__dataclass_fields__}
        fields["status"] = Status(row["status"])
        return cls(**fields)

    @property
    def delivered(self) -> bool:
        return self.delivered_at is not None

    @property
    def read(self) -> bool:
        return self.read_at is not None


@dataclass(frozen=True)
class Counts:
    """How many items are in each status, plus how many sent ones were delivered and read."""

    by_status: Mapping[Status, int]
    delivered: int
    read: int

    def __getitem__(self, status: Status | str) -> int:
        return self.by_status.get(Status(status), 0)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def pending(self) -> int:
        """Items not finished yet (queued or being sent)."""
        return self[Status.QUEUED] + self[Status.SENDING]

    def as_dict(self) -> dict[str, int]:
        data = {status.value: self[status] for status in Status}
        return data | {"delivered": self.delivered, "read": self.read, "total": self.total}
