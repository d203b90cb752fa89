"""`Emulator`: a stateful local Mega-api, as an ASGI app plus the knobs a test turns."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from types import TracebackType
from typing import Any

from megaapi.testing import content, events
from megaapi.testing.app import build_app
from megaapi.testing.control import with_control
from megaapi.testing.delivery import LOOPBACK_HOSTS, Delivery, WebhookDelivery
from megaapi.testing.faults import Faults
from megaapi.testing.ids import Ids, new_instance_key, new_token
from megaapi.testing.state import Group, Instance, is_group, normalize_jid, phone_of
from megaapi.testing.world import World

MEDIA_KINDS = {"image": "image/jpeg", "video": "video/mp4", "audio": "audio/ogg; codecs=opus"}
MEDIA_KINDS |= {"document": "application/pdf", "sticker": "image/webp"}
DEFAULT_RETENTION = 10_000


class Emulator:
    """A local Mega-api for tests and demos.

    Serve `app` with any ASGI server (or use `megaapi.testing.serve`). Instances, groups and inbound messages are
    set up with the methods below; webhook events go to each instance's configured URL from a background thread.

    auto_pair: a pending QR or pairing code counts as scanned at the next `getInstanceStatus` poll.
    auto_ack: every sent message is followed by `message.ack` events with status 2, 3 and 4.
    webhook_hosts: hosts webhook events may be posted to (loopback only by default); None allows any host.
    seed: makes message ids, group ids, media keys and fault fractions repeat from run to run.
    retention: how many messages, events, chats, contacts and webhook delivery records each instance keeps (and
    media files the emulator keeps); the oldest are forgotten beyond it (blocked contacts stay), so memory stays flat
    over long runs. None keeps everything.

    The same knobs answer over HTTP under `/control` (described at `/control/openapi.yaml`), with the admin token.
    """

    def __init__(
        self,
        *,
        admin_token: str | None = None,
        seed: int | str | None = None,
        auto_pair: bool = True,
        auto_ack: bool = True,
        webhook_hosts: Collection[str] | None = LOOPBACK_HOSTS,
        clock: Callable[[], float] = time.time,
        retention: int | None = DEFAULT_RETENTION,
    ) -> None:
        if retention is not None and (isinstance(retention, bool) or not isinstance(retention, int) or retention < 1):
            raise ValueError("retention must be a positive number of messages, or None to keep everything")
        self.admin_token = admin_token or new_token()
        self._delivery = WebhookDelivery(webhook_hosts, keep=retention)
        self._world = World(
            ids=Ids(seed),
            clock=clock,
            deliver=self._delivery.enqueue,
            auto_pair=auto_pair,
            auto_ack=auto_ack,
            retention=retention,
        )
        self._calls: Counter[str] = Counter()
        # Fault fractions draw from their own generator, so switching faults on does not change message ids.
        self.faults = Faults(Ids(None if seed is None else f"faults-{seed}"))
        self.app = with_control(build_app(self._world, self.faults, self._calls, self.admin_token), self)

    def __repr__(self) -> str:
        return f"<Emulator instances={len(self._world.instances)}>"

    def __enter__(self) -> Emulator:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the webhook delivery thread once pending events are posted."""
        self._delivery.close()

    # ------------------------------------------------------------------ instances

    def add_instance(
        self,
        key: str | None = None,
        token: str | None = None,
        *,
        phone: str | None = None,
        push_name: str = "Loja Emulada",
        connected: bool = True,
    ) -> Instance:
        """Create an instance; connected (paired with `phone`) unless `connected=False`."""
        with self._world.lock:
            world = self._world
            number = phone_of(normalize_jid(phone)) if phone else world.ids.phone()
            if number is None:
                raise ValueError("phone must be digits with country and area code, or a contact JID")
            return world.create_instance(
                key or new_instance_key(), token or new_token(), phone=number, push_name=push_name, connected=connected
            )

    def instance(self, key: str | None = None) -> Instance:
        """The instance with this key; without a key, the first one added."""
        with self._world.lock:
            if key is None:
                if not self._world.instances:
                    raise LookupError("the emulator has no instance; call add_instance() first")
                return next(iter(self._world.instances.values()))
            return self._world.instances[key]

    @property
    def instances(self) -> list[Instance]:
        with self._world.lock:
            return list(self._world.instances.values())

    def pair(self, instance_key: str | None = None) -> None:
        """The phone scans the QR code (or types the pairing code): the instance becomes connected."""
        with self._world.lock:
            self._world.complete_pairing(self.instance(instance_key))

    def disconnect(self, instance_key: str | None = None, reason: str = "connection lost") -> None:
        """The WhatsApp session ends (the phone unlinked it, or it dropped)."""
        with self._world.lock:
            self._world.logout(self.instance(instance_key), reason)

    # ------------------------------------------------------------------ the rest of WhatsApp

    def mark_not_on_whatsapp(self, *numbers: str) -> None:
        """Numbers without WhatsApp: sends to them answer 403 and `checkNumber` says `exists: false`."""
        with self._world.lock:
            self._world.not_on_whatsapp.update(self._phones(numbers))

    def register_legacy_number(self, number: str, known_as: str) -> None:
        """`checkNumber` of `number` answers the JID `known_as`, as WhatsApp does for Brazilian accounts registered
        before mobile numbers gained their ninth digit (`5511988887777` known as `551188887777@s.whatsapp.net`).
        """
        with self._world.lock:
            self._world.known_as[normalize_jid(number)] = normalize_jid(known_as)

    def refuse_group_adds(self, *numbers: str) -> None:
        """Numbers whose privacy settings refuse being added to groups (their add result is `403`)."""
        with self._world.lock:
            self._world.refuses_group_adds.update(self._phones(numbers))

    def add_group(
        self,
        subject: str,
        participants: Iterable[str] = (),
        *,
        instance_key: str | None = None,
        admin: bool = True,
        jid: str | None = None,
    ) -> Group:
        """A group the instance belongs to: created by it (`admin=True`) or by the first participant.

        `jid` fixes the group's JID (for example one from the spec's examples); by default it is random.
        """
        with self._world.lock:
            me = self.instance(instance_key)
            members = [normalize_jid(p) for p in participants]
            if not admin and not members:
                raise ValueError("a group the instance does not administer needs another participant as its owner")
            if jid is not None and (not is_group(jid) or jid in self._world.groups):
                raise ValueError(f"{jid!r} is not a free group JID")
            group = self._world.create_group(me, subject, members, jid=jid)
            if not admin:
                group.owner = members[0]
                group.participants[members[0]] = "superadmin"
                group.participants[me.jid] = None
            return group

    @staticmethod
    def _phones(numbers: Iterable[str]) -> set[str]:
        found = set()
        for number in numbers:
            phone = phone_of(normalize_jid(number))
            if phone is None:
                raise ValueError(f"not a phone number or contact JID: {number!r}")
            found.add(phone)
        return found

    # ------------------------------------------------------------------ inbound messages

    def _receive(
        self, from_: str, message: dict[str, Any], instance_key: str | None, push_name: str | None, group: str | None
    ) -> dict[str, Any]:
        world = self._world
        sender = normalize_jid(from_)
        if phone_of(sender) is None and not sender.endswith("@lid"):
            raise ValueError(f"the sender must be a phone number or a contact JID, got {from_!r}")
        me = self.instance(instance_key)
        chat = sender
        if group is not None:
            chat = normalize_jid(group)
            members = world.groups[chat].participants if is_group(chat) and chat in world.groups else {}
            if me.jid not in members or sender not in members:
                raise ValueError("group messages need a known group with both the sender and the instance in it")
        known = me.contacts.get(sender)
        name = push_name or (known.name if known and known.name else f"Contato {sender.split('@')[0][-4:]}")
        return world.receive(me, chat=chat, sender=sender, message=message, push_name=name)

    def receive_text(
        self,
        from_: str,
        text: str,
        *,
        instance_key: str | None = None,
        push_name: str | None = None,
        group: str | None = None,
        extended: bool = False,
    ) -> dict[str, Any]:
        """A text arrives from `from_` (in `group` when given); returns the webhook event.

        Phones send plain text as `conversation`; `extended=True` sends it as `extendedTextMessage`, the way
        WhatsApp does for texts with a link preview, a quote or a mention.
        """
        message = content.text(text) if extended else {"conversation": text}
        with self._world.lock:
            return self._receive(from_, message, instance_key, push_name, group)

    def receive_media(
        self,
        from_: str,
        kind: str,
        data: bytes,
        *,
        mimetype: str | None = None,
        caption: str | None = None,
        file_name: str | None = None,
        seconds: int | None = None,
        ptt: bool = False,
        instance_key: str | None = None,
        push_name: str | None = None,
        group: str | None = None,
    ) -> dict[str, Any]:
        """A file arrives (`kind`: image, video, audio, document or sticker); its bytes stay downloadable with
        `downloadMediaMessage` using the event's `mediaKey` and `directPath`. Returns the webhook event.
        """
        if kind not in MEDIA_KINDS:
            raise ValueError(f"kind must be one of {', '.join(MEDIA_KINDS)}")
        extra: dict[str, Any] = {}
        if seconds is not None and kind in ("audio", "video"):
            extra["seconds"] = seconds
        if kind == "audio":
            extra["ptt"] = ptt
        if kind == "sticker":
            extra |= {"isAnimated": False, "isAvatar": False}
        with self._world.lock:
            world = self._world
            message = content.media(
                world.ids,
                world.now(),
                kind=kind,
                mimetype=mimetype or MEDIA_KINDS[kind],
                data=data,
                caption=caption,
                file_name=file_name,
                extra=extra,
            )
            world.store_media(message, data)
            return self._receive(from_, message, instance_key, push_name, group)

    def add_media(self, media_key: str, direct_path: str, mimetype: str, data: bytes) -> None:
        """Put a file on the emulated CDN under keys of your choosing (say, a spec example's), for
        `downloadMediaMessage`."""
        with self._world.lock:
            self._world.store_media(
                {"media": {"mediaKey": media_key, "directPath": direct_path, "mimetype": mimetype}}, data
            )

    def receive_location(
        self,
        from_: str,
        latitude: float,
        longitude: float,
        *,
        name: str | None = None,
        address: str | None = None,
        instance_key: str | None = None,
        push_name: str | None = None,
        group: str | None = None,
    ) -> dict[str, Any]:
        message = content.location(latitude, longitude, name=name, address=address)
        with self._world.lock:
            return self._receive(from_, message, instance_key, push_name, group)

    def receive_contact(
        self,
        from_: str,
        display_name: str,
        phone_number: str,
        *,
        instance_key: str | None = None,
        push_name: str | None = None,
        group: str | None = None,
    ) -> dict[str, Any]:
        message = content.contact(display_name, content.vcard(display_name, phone_number))
        with self._world.lock:
            return self._receive(from_, message, instance_key, push_name, group)

    def receive_list_reply(
        self,
        from_: str,
        row_id: str,
        *,
        title: str | None = None,
        instance_key: str | None = None,
        push_name: str | None = None,
        group: str | None = None,
    ) -> dict[str, Any]:
        """The contact picked the row `row_id` of a list sent with `sendList`."""
        reply: dict[str, Any] = {"listType": 1, "singleSelectReply": {"selectedRowId": row_id}}
        if title is not None:
            reply["title"] = title
        with self._world.lock:
            return self._receive(from_, {"listResponseMessage": reply}, instance_key, push_name, group)

    def receive_button_reply(
        self,
        from_: str,
        button_id: str,
        display_text: str,
        *,
        instance_key: str | None = None,
        push_name: str | None = None,
        group: str | None = None,
    ) -> dict[str, Any]:
        """The contact pressed a reply button of a message sent with `sendTemplate`."""
        reply = {"selectedButtonId": button_id, "selectedDisplayText": display_text}
        with self._world.lock:
            return self._receive(from_, {"buttonsResponseMessage": reply}, instance_key, push_name, group)

    def send_ack(self, message_id: str, status: int, *, instance_key: str | None = None) -> dict[str, Any]:
        """Report a status change of a sent message (with `auto_ack=False`); returns the `message.ack` event."""
        with self._world.lock:
            me = self.instance(instance_key)
            for stored in me.messages:
                if stored.key["fromMe"] and stored.key["id"] == message_id:
                    event = events.ack_event(me, stored.key, status)
                    self._world.emit(me, event)
                    return event
            raise LookupError(f"the instance sent no message with id {message_id!r}")

    def emit(self, event: dict[str, Any], *, instance_key: str | None = None) -> None:
        """Deliver an arbitrary event, for event types the helpers above do not build."""
        with self._world.lock:
            self._world.emit(self.instance(instance_key), event)

    def events(self, instance_key: str | None = None) -> list[dict[str, Any]]:
        """Every event the instance produced, delivered or not."""
        with self._world.lock:
            return list(self.instance(instance_key).events)

    # ------------------------------------------------------------------ observation

    @property
    def calls(self) -> Counter[str]:
        """Requests that reached the server, per operationId (faulted ones included)."""
        with self._world.lock:
            return Counter(self._calls)

    def reset_calls(self) -> None:
        with self._world.lock:
            self._calls.clear()

    def sent(self, instance_key: str | None = None, *, to: str | None = None) -> list[dict[str, Any]]:
        """What the instance sent (to `to` only, when given), oldest first, as `listMessages` shows messages."""
        with self._world.lock:
            chat = None if to is None else normalize_jid(to)
            return [
                stored.as_json()
                for stored in self.instance(instance_key).messages
                if stored.key["fromMe"] and (chat is None or stored.key["remoteJid"] == chat)
            ]

    def reset(self) -> None:
        """Forget messages, events, chats, contacts, groups, media, numbers marked, faults, call counts and
        delivery records; instances stay with their credentials, connection state and webhook settings.
        """
        self.faults.clear()
        with self._world.lock:
            self._world.reset()
            self._calls.clear()
        self._delivery.clear_records()

    def wait_for_deliveries(self, timeout: float = 10.0) -> None:
        """Block until every queued webhook event was posted (or failed); TimeoutError otherwise."""
        self._delivery.wait(timeout)

    @property
    def deliveries(self) -> list[Delivery]:
        """Every webhook POST attempted, in order."""
        return self._delivery.records

    @property
    def delivery_failures(self) -> list[Delivery]:
        return [record for record in self._delivery.records if not record.ok]
