"""Operations tagged `chats`: presence, pinning, blocking, read receipts and deletion."""

from __future__ import annotations

from typing import Any

from megaapi.spec import pointer, validator
from megaapi.testing.ops.registry import Call, handles, loose_bool, ok, require_flag
from megaapi.testing.state import is_group, normalize_jid
from megaapi.testing.world import ApiError

MAX_PINNED = 3


@handles("updatePresence", connected=True)
def update_presence(call: Call) -> dict[str, Any]:
    # The set of options is open (the spec lists the known ones); the emulator remembers whatever was shown.
    call.me.chat(normalize_jid(call.body["to"])).presence = call.body["option"]
    return ok("Presence updated")


@handles("pinChat", connected=True)
def pin_chat(call: Call) -> dict[str, Any]:
    me = call.me
    pin = require_flag(call.body["option"], "option")
    chat = me.chat(normalize_jid(call.body["to"]))
    if pin and not chat.pinned and sum(c.pinned for c in me.chats.values()) >= MAX_PINNED:
        raise ApiError(200, f"WhatsApp allows only {MAX_PINNED} pinned chats")
    chat.pinned = pin
    return ok("Chat pinned" if pin else "Chat unpinned")


def _block_option(option: object) -> bool:
    if option in ("block", "unblock"):
        return option == "block"
    flag = loose_bool(option)
    if flag is None:
        raise ApiError(200, "option must be block or unblock")
    return flag


@handles("blockContact", connected=True)
def block_contact(call: Call) -> dict[str, Any]:
    block = _block_option(call.body["option"])
    jid = normalize_jid(call.body["to"])
    if is_group(jid):
        raise ApiError(200, "Groups cannot be blocked")
    if not call.world.is_on_whatsapp(jid):
        raise ApiError(403, "The number is not on WhatsApp")
    call.me.contact(jid).blocked = block
    return ok("Contact blocked" if block else "Contact unblocked")


@handles("markMessageRead", connected=True)
def mark_message_read(call: Call) -> dict[str, Any]:
    me = call.me
    key = call.data["key"]
    stored = me.find_message(key["remoteJid"], key["id"])
    # Mega-api keeps no messages, so a receipt for an unknown message is still sent without complaint.
    if stored is not None and not stored.key["fromMe"] and not stored.read:
        stored.read = True
        chat = me.chat(key["remoteJid"])
        chat.unread = max(0, chat.unread - 1)
    return ok("Message read")


@handles("deleteMessage", connected=True)
def delete_message(call: Call) -> dict[str, Any]:
    key = call.data["key"]
    if not key["fromMe"]:
        raise ApiError(200, "Only messages sent by this instance can be deleted for everyone")
    stored = call.me.find_message(key["remoteJid"], key["id"])
    if stored is not None:
        stored.message = {"protocolMessage": {"key": key, "type": "REVOKE"}}
    return ok("Message deleted")


@handles("deleteMessageForMe", connected=True)
def delete_message_for_me(call: Call) -> dict[str, Any]:
    body, me = call.body, call.me
    # Two body shapes are accepted (see the spec): the swagger's `{to, messageData{id, timestamp}}` and a
    # third-party client's `{messageData{to, key, messageTimestamp}}`.
    if validator(pointer("components", "schemas", "DeleteMessageForMeByIdRequest")).is_valid(body):
        chat, message_id = normalize_jid(body["to"]), body["messageData"]["id"]
    else:
        chat, message_id = normalize_jid(call.data["to"]), call.data["key"]["id"]
    stored = me.find_message(chat, message_id)
    if stored is not None:
        me.messages.remove(stored)
    return ok("Message deleted for me")
