"""The emulated WhatsApp world: instances, the groups they share, the CDN holding media, and message flow.

Handlers and the public `Emulator` both act through this class while holding `lock`, because the served app runs
in another thread than the test that injects events.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any

from megaapi.testing import content, events
from megaapi.testing.ids import Ids
from megaapi.testing.state import (
    LID_SUFFIX,
    Group,
    Instance,
    StoredMessage,
    is_group,
    normalize_jid,
    phone_of,
)


class ApiError(Exception):
    """An answer other than success: an ErrorResponse with this HTTP status (200 for the `error: true` quirk).

    On routes that name a recipient, 403 means only "the number is not on WhatsApp", as the spec documents it;
    the other refusals there are application errors (HTTP 200, `error: true`).
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


Deliver = Callable[[str, dict[str, Any]], None]


class World:
    def __init__(
        self,
        *,
        ids: Ids,
        clock: Callable[[], float],
        deliver: Deliver,
        auto_pair: bool,
        auto_ack: bool,
        retention: int | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.ids = ids
        self._clock = clock
        self._deliver = deliver
        self.auto_pair = auto_pair
        self.auto_ack = auto_ack
        self.retention = retention
        self.instances: dict[str, Instance] = {}
        self.groups: dict[str, Group] = {}
        self.media: dict[tuple[str, str], tuple[str, bytes]] = {}
        self.not_on_whatsapp: set[str] = set()
        self.refuses_group_adds: set[str] = set()
        # Brazilian accounts from before the ninth digit: the number people dial -> the JID WhatsApp knows.
        self.known_as: dict[str, str] = {}
        self.profile_pictures: dict[str, str | None] = {}

    def now(self) -> int:
        return int(self._clock())

    # ------------------------------------------------------------------ instances and connection

    def create_instance(self, key: str, token: str, *, phone: str, push_name: str, connected: bool) -> Instance:
        if key in self.instances:
            raise ApiError(403, "An instance with this key already exists")
        instance = Instance(key=key, token=token, phone=phone, push_name=push_name)
        self.instances[key] = instance
        if connected:
            self.complete_pairing(instance)
        return instance

    def complete_pairing(self, instance: Instance) -> None:
        """The phone scanned the QR code or typed the pairing code."""
        instance.state = "connected"
        instance.pairing_code = None
        self.emit(instance, events.connection_event(instance, self.now()))

    def logout(self, instance: Instance, reason: str) -> None:
        was_connected = instance.connected
        instance.state = "disconnected"
        instance.pairing_code = None
        if was_connected:
            self.emit(instance, events.connection_event(instance, self.now(), close_reason=reason))

    def _trim(self, kept: list[Any]) -> None:
        """Forget the oldest entries beyond the retention limit, so memory stays flat however long a run is."""
        if self.retention is not None and len(kept) > self.retention:
            del kept[: len(kept) - self.retention]

    def _keep(self, instance: Instance, message: StoredMessage) -> None:
        instance.messages.append(message)
        self._trim(instance.messages)

    def _forget_old_chats(self, instance: Instance) -> None:
        """A campaign to many numbers opens as many chats and contacts: beyond the retention the oldest go, except
        blocked contacts (a setting, not a record).
        """
        if self.retention is None:
            return
        excess = len(instance.chats) - self.retention
        for jid in list(islice(instance.chats, max(excess, 0))):
            del instance.chats[jid]
        excess = len(instance.contacts) - self.retention
        if excess > 0:
            unblocked = (jid for jid, contact in instance.contacts.items() if not contact.blocked)
            for jid in list(islice(unblocked, excess)):
                del instance.contacts[jid]

    def reset(self) -> None:
        """Forget everything but the instances, their credentials, connection state and webhook settings."""
        for instance in self.instances.values():
            for kept in (instance.messages, instance.events):
                kept.clear()
            instance.chats.clear()
            instance.contacts.clear()
        for recorded in (self.groups, self.media, self.profile_pictures):
            recorded.clear()
        self.not_on_whatsapp.clear()
        self.refuses_group_adds.clear()

    def emit(self, instance: Instance, event: dict[str, Any]) -> None:
        instance.events.append(event)
        self._trim(instance.events)
        if instance.webhook_enabled and instance.webhook_url:
            self._deliver(instance.webhook_url, event)

    # ------------------------------------------------------------------ who is on WhatsApp

    def is_on_whatsapp(self, jid: str) -> bool:
        if jid.endswith(LID_SUFFIX):
            return True
        phone = phone_of(jid)
        return phone is not None and phone not in self.not_on_whatsapp

    def local_instance(self, jid: str) -> Instance | None:
        """The connected emulator instance whose account is `jid`, if any."""
        phone = phone_of(jid)
        for instance in self.instances.values():
            if instance.connected and instance.phone == phone:
                return instance
        return None

    def check_recipient(self, instance: Instance, jid: str) -> None:
        if is_group(jid):
            group = self.groups.get(jid)
            if group is None:
                raise ApiError(404, "Group not found")
            if instance.jid not in group.participants:
                raise ApiError(200, "The instance is not a participant of this group")
            if group.announce and not group.is_admin(instance.jid):
                raise ApiError(200, "Only admins can send messages to this group")
            return
        if not self.is_on_whatsapp(jid):
            raise ApiError(403, "The number is not on WhatsApp")
        if jid in instance.contacts and instance.contacts[jid].blocked:
            raise ApiError(200, "The contact is blocked")

    # ------------------------------------------------------------------ messages

    def store_media(self, message: dict[str, Any], data: bytes) -> None:
        """Keep a media file on the emulated CDN so `downloadMediaMessage` can return it."""
        for value in message.values():
            if isinstance(value, dict) and "mediaKey" in value:
                self.media[(value["mediaKey"], value["directPath"])] = (value["mimetype"], data)
        while self.retention is not None and len(self.media) > self.retention:
            del self.media[next(iter(self.media))]  # the oldest file: dicts keep insertion order

    def send(self, instance: Instance, to: str, message: dict[str, Any]) -> dict[str, Any]:
        """Send `message` to `to`; return the `SentMessage` the API answers with."""
        jid = normalize_jid(to)
        self.check_recipient(instance, jid)
        key = {"remoteJid": jid, "fromMe": True, "id": self.ids.sent_message_id()}
        now = self.now()
        self._keep(instance, StoredMessage(key, message, now))
        instance.chat(jid).timestamp = now
        if not is_group(jid):
            instance.contact(jid)
        self._forget_old_chats(instance)
        if self.auto_ack:
            for status in (events.ACK_SENT, events.ACK_DELIVERED, events.ACK_READ):
                self.emit(instance, events.ack_event(instance, key, status))
        self._deliver_locally(instance, jid, message)
        return {"key": key, "message": message, "messageTimestamp": str(now), "status": "PENDING"}

    def _deliver_locally(self, sender: Instance, jid: str, message: dict[str, Any]) -> None:
        """Messages between two instances of this emulator arrive at the other one's webhook."""
        if is_group(jid):
            members = self.groups[jid].participants
            targets = [i for i in self.instances.values() if i.connected and i.jid in members and i is not sender]
            for target in targets:
                self.receive(target, chat=jid, sender=sender.jid, message=message, push_name=sender.push_name)
            return
        recipient = self.local_instance(jid)
        if recipient is not None and recipient is not sender:
            self.receive(recipient, chat=sender.jid, sender=sender.jid, message=message, push_name=sender.push_name)

    def receive(
        self, instance: Instance, *, chat: str, sender: str, message: dict[str, Any], push_name: str
    ) -> dict[str, Any]:
        """A message arrives at `instance`; return the webhook event it produced."""
        if not instance.connected:
            raise RuntimeError("messages only reach a connected instance; pair it first")
        key: dict[str, Any] = {"remoteJid": chat, "fromMe": False, "id": self.ids.received_message_id()}
        if is_group(chat):
            key["participant"] = sender
        now = self.now()
        full = {**message, "messageContextInfo": events.device_list_metadata(self.ids, now)}
        self._keep(instance, StoredMessage(key, full, now, push_name))
        conversation = instance.chat(chat)
        conversation.unread += 1
        conversation.timestamp = now
        instance.contact(sender).name = push_name
        if is_group(chat):
            conversation.name = self.groups[chat].subject
        else:
            conversation.name = push_name
        self._forget_old_chats(instance)
        event = events.message_event(
            instance,
            message_type=content.message_type(message),
            key=key,
            message=full,
            timestamp=now,
            push_name=push_name,
        )
        self.emit(instance, event)
        return event

    # ------------------------------------------------------------------ groups

    def groups_of(self, instance: Instance) -> list[Group]:
        return [group for group in self.groups.values() if instance.jid in group.participants]

    def member_group(self, instance: Instance, jid: str) -> Group:
        group = self.groups.get(jid)
        if group is None or instance.jid not in group.participants:
            raise ApiError(404, "Group not found")
        return group

    def admin_group(self, instance: Instance, jid: str) -> Group:
        group = self.member_group(instance, jid)
        if not group.is_admin(instance.jid):
            raise ApiError(403, "The instance is not an admin of this group")
        return group

    def add_result(self, group: Group, jid: str) -> str:
        """WhatsApp's per-member result code for adding `jid` to `group`; adds the member on success."""
        if jid in group.participants:
            return "409"
        phone = phone_of(jid)
        if not self.is_on_whatsapp(jid) or phone in self.refuses_group_adds:
            return "403"
        group.participants[jid] = None
        return "200"

    def create_group(
        self, owner: Instance, subject: str, participants: Iterable[str], *, jid: str | None = None
    ) -> Group:
        group = Group(
            jid=jid or self.ids.group_jid(),
            subject=subject,
            owner=owner.jid,
            creation=self.now(),
            invite_code=self.ids.invite_code(),
            participants={owner.jid: "superadmin"},
        )
        for participant in participants:
            self.add_result(group, normalize_jid(participant))
        self.groups[group.jid] = group
        return group
