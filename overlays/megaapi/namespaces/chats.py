"""`api.chats`: presence, pinning, blocking, read receipts and deletion."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from megaapi_client import operation_table as wire

from .. import arguments, jid
from ..operations import Call, R, endpoint
from .derived import ChatsOperations

if TYPE_CHECKING:
    from collections.abc import Mapping

    from megaapi_client.models import MessageKey, StatusResponse

Presence: TypeAlias = Literal["available", "unavailable", "composing", "recording", "paused"]
_PRESENCES = frozenset({"available", "unavailable", "composing", "recording", "paused"})


class Chats(ChatsOperations[R]):
    @endpoint
    def update_presence(self, to: str, presence: Presence) -> Call[StatusResponse]:
        """Show `composing` (typing), `recording`, `paused`, `available` (online) or `unavailable` in a chat."""
        from megaapi_client.models import PresenceUpdateRequest, StatusResponse

        option = arguments.choice(presence, "presence", _PRESENCES)
        return Call(wire.update_presence(body=PresenceUpdateRequest(to=jid.chat(to), option=option)), StatusResponse)

    @endpoint
    def pin_chat(self, to: str, pin: bool = True) -> Call[StatusResponse]:
        """Pin a chat (`pin=False` unpins). WhatsApp allows three pinned chats."""
        from megaapi_client.models import PinChatRequest, StatusResponse

        body = PinChatRequest(to=jid.chat(to), option=arguments.flag(pin, "pin"))
        return Call(wire.pin_chat(body=body), StatusResponse)

    @endpoint
    def block_contact(self, to: str, block: bool = True) -> Call[StatusResponse]:
        """Block a contact (`block=False` unblocks). The option values are the best reading; see the spec."""
        from megaapi_client.models import BlockContactRequest, StatusResponse

        option = "block" if arguments.flag(block, "block") else "unblock"
        return Call(wire.block_contact(body=BlockContactRequest(to=jid.person(to), option=option)), StatusResponse)

    @endpoint
    def mark_message_read(self, key: MessageKey | Mapping[str, Any]) -> Call[StatusResponse]:
        """Send the read receipt (blue ticks) for a received message, identified by its `key`."""
        from megaapi_client.models import MarkMessageReadRequest, ReadMessageKey, StatusResponse

        body = MarkMessageReadRequest(message_data=ReadMessageKey(key=message_key(key)))
        return Call(wire.mark_message_read(body=body), StatusResponse)

    @endpoint
    def delete_message(
        self, key: MessageKey | Mapping[str, Any], *, message_timestamp: int | datetime | None = None
    ) -> Call[StatusResponse]:
        """Delete a message you sent, for everyone (WhatsApp allows it for a limited time after sending)."""
        from megaapi_client.models import DeleteMessage, DeleteMessageRequest, StatusResponse
        from megaapi_client.types import UNSET

        checked = message_key(key)
        when = UNSET if message_timestamp is None else arguments.timestamp(message_timestamp, "message_timestamp")
        data = DeleteMessage(to=checked.remote_jid, key=checked, message_timestamp=when)
        return Call(wire.delete_message(body=DeleteMessageRequest(message_data=data)), StatusResponse)

    @endpoint
    def delete_message_for_me(self, to: str, message_id: str, timestamp: int | datetime) -> Call[StatusResponse]:
        """Clear a message from this device only, by chat, message id and the message's time."""
        from megaapi_client.models import DeleteMessageForMeByIdRequest, MessageToClear, StatusResponse

        data = MessageToClear(
            id=arguments.text(message_id, "message_id"), timestamp=arguments.timestamp(timestamp, "timestamp")
        )
        body = DeleteMessageForMeByIdRequest(to=jid.chat(to), message_data=data)
        return Call(wire.delete_message_for_me(body=body), StatusResponse)


def message_key(value: MessageKey | Mapping[str, Any]) -> MessageKey:
    """A complete message key (`remoteJid`, `fromMe`, `id`), as webhook events and send replies carry it."""
    from megaapi_client.models import MessageKey
    from megaapi_client.types import Unset

    key = arguments.model(value, MessageKey, "key")
    arguments.text(key.remote_jid, "key.remoteJid")
    arguments.flag(key.from_me, "key.fromMe")
    arguments.text(key.id, "key.id")
    if not isinstance(key.participant, Unset):
        arguments.text(key.participant, "key.participant")
    return key
