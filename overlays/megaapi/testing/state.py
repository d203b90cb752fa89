"""What the emulator remembers: instances, their contacts, chats and messages, and the groups they share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

ConnectionState = Literal["disconnected", "connecting", "connected"]
Role = Literal["admin", "superadmin"] | None

CONTACT_SUFFIX = "@s.whatsapp.net"
GROUP_SUFFIX = "@g.us"
LID_SUFFIX = "@lid"
_PHONE_JID = re.compile(r"(\d{8,15})(?::\d+)?@s\.whatsapp\.net")


def normalize_jid(value: str) -> str:
    """Complete bare digits to a contact JID, as the server does for `to`; leave anything else as given."""
    value = value.strip()
    return value if "@" in value else value + CONTACT_SUFFIX


def phone_of(jid: str) -> str | None:
    """The digits of a contact JID (device suffix dropped), or None when `jid` is no phone JID."""
    match = _PHONE_JID.fullmatch(jid)
    return match.group(1) if match else None


def is_group(jid: str) -> bool:
    return jid.endswith(GROUP_SUFFIX)


@dataclass
class Contact:
    jid: str
    name: str | None = None
    blocked: bool = False

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.jid}
        if self.name is not None:
            data["name"] = self.name
        return data


@dataclass
class Chat:
    jid: str
    name: str | None = None
    unread: int = 0
    pinned: bool = False
    timestamp: int = 0
    presence: str | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.jid,
            "unreadCount": self.unread,
            "conversationTimestamp": self.timestamp,
            "pinned": self.pinned,
        }
        if self.name is not None:
            data["name"] = self.name
        return data


@dataclass
class StoredMessage:
    key: dict[str, Any]
    message: dict[str, Any]
    timestamp: int
    push_name: str | None = None
    read: bool = False

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "message": self.message, "messageTimestamp": self.timestamp}
        if self.push_name is not None:
            data["pushName"] = self.push_name
        return data


@dataclass
class Group:
    jid: str
    subject: str
    owner: str
    creation: int
    invite_code: str
    participants: dict[str, Role] = field(default_factory=dict)
    desc: str | None = None
    announce: bool = False
    restrict: bool = False

    def role(self, jid: str) -> Role:
        return self.participants.get(jid)

    def is_admin(self, jid: str) -> bool:
        return self.participants.get(jid) in ("admin", "superadmin")

    def as_json(self, *, with_participants: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.jid,
            "subject": self.subject,
            "owner": self.owner,
            "creation": self.creation,
            "desc": self.desc,
            "announce": self.announce,
            "restrict": self.restrict,
            "size": len(self.participants),
        }
        if with_participants:
            data["participants"] = [{"id": jid, "admin": role} for jid, role in self.participants.items()]
        return data


@dataclass
class Instance:
    """One Mega-api instance and the WhatsApp session behind it."""

    key: str = field(repr=False)
    token: str = field(repr=False)
    phone: str
    push_name: str
    state: ConnectionState = "disconnected"
    pairing_code: str | None = None
    webhook_url: str = field(default="", repr=False)
    webhook_enabled: bool = False
    contacts: dict[str, Contact] = field(default_factory=dict, repr=False)
    chats: dict[str, Chat] = field(default_factory=dict, repr=False)
    messages: list[StoredMessage] = field(default_factory=list, repr=False)
    events: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @property
    def connected(self) -> bool:
        return self.state == "connected"

    @property
    def jid(self) -> str:
        """The JID of the account this instance is (or will be) linked to."""
        return self.phone + CONTACT_SUFFIX

    def info(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "status": self.state}
        if self.connected:
            data["user"] = {"id": self.jid, "name": self.push_name}
        return data

    def chat(self, jid: str) -> Chat:
        return self.chats.setdefault(jid, Chat(jid))

    def contact(self, jid: str) -> Contact:
        return self.contacts.setdefault(jid, Contact(jid))

    def find_message(self, remote_jid: str, message_id: str) -> StoredMessage | None:
        for stored in self.messages:
            if stored.key["id"] == message_id and stored.key["remoteJid"] == remote_jid:
                return stored
        return None
