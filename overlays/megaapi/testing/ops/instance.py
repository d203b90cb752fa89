"""Operations tagged `instance`: connection, pairing, profile and the data of the live session."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from megaapi.testing import qr
from megaapi.testing.ops.registry import Call, Reply, handles, ok
from megaapi.testing.state import Instance, is_group, normalize_jid
from megaapi.testing.world import ApiError, World

_DIGITS = re.compile(r"\d{8,15}")


@handles("getInstanceStatus")
def get_instance_status(call: Call) -> dict[str, Any]:
    me = call.me
    if me.state == "connecting" and call.world.auto_pair:
        # With auto-pairing the phone "scans" the code issued before this poll, the way a person would.
        call.world.complete_pairing(me)
    return ok("Instance connected" if me.connected else "Instance not connected", instance=me.info())


def _start_pairing(me: Instance) -> None:
    if me.connected:
        raise ApiError(403, "Instance already connected; log out before pairing again")
    me.state = "connecting"


def _qr_payload(world: World, me: Instance) -> str:
    # WhatsApp QR payloads are comma-separated refs and keys; this one changes every time, like a rotating code.
    return ",".join(["2@" + world.ids.key_bytes(48), world.ids.key_bytes(), world.ids.key_bytes(), me.phone])


@handles("getQrCode")
def get_qr_code(call: Call) -> Reply:
    _start_pairing(call.me)
    return Reply(qr.png(_qr_payload(call.world, call.me)), media_type="image/png")


@handles("getQrCodeBase64")
def get_qr_code_base64(call: Call) -> dict[str, Any]:
    _start_pairing(call.me)
    return ok("QR code generated", qrcode=qr.data_url(_qr_payload(call.world, call.me)))


@handles("getPairingCode")
def get_pairing_code(call: Call) -> dict[str, Any]:
    me = call.me
    phone = call.text_query("phoneNumber")
    if not _DIGITS.fullmatch(phone):
        raise ApiError(200, "phoneNumber must hold only digits, with country and area code")
    _start_pairing(me)
    custom = call.query.get("customPairingCode")
    me.phone = phone
    me.pairing_code = custom if isinstance(custom, str) and custom else call.world.ids.pairing_code()
    return ok("Pairing code generated", pairingCode=me.pairing_code)


@handles("logoutInstance")
def logout_instance(call: Call) -> dict[str, Any]:
    call.world.logout(call.me, "logged out")
    return ok("Logout successfully")


@handles("restartInstance")
def restart_instance(call: Call) -> dict[str, Any]:
    return ok("Instance restarted")


@handles("checkNumber", connected=True)
def check_number(call: Call) -> dict[str, Any]:
    jid = normalize_jid(call.text_query("jid"))
    jid = call.world.known_as.get(jid, jid)
    return ok("success", exists=call.world.is_on_whatsapp(jid), jid=jid)


@handles("downloadMediaMessage", connected=True)
def download_media_message(call: Call) -> dict[str, Any]:
    keys = call.body["messageKeys"]
    stored = call.world.media.get((keys["mediaKey"], keys["directPath"]))
    if stored is None:
        raise ApiError(404, "Media not found or expired")
    mimetype, data = stored
    return ok("Media downloaded", data=f"data:{mimetype};base64," + base64.b64encode(data).decode("ascii"))


def _default_picture(jid: str, kind: object) -> str:
    digest = hashlib.sha256(jid.encode()).hexdigest()
    size = "stp=dst-jpg_s96x96&" if kind == "icon" else ""
    return f"https://pps.whatsapp.net/v/t61.24694-24/{int(digest[:15], 16)}_n.jpg?{size}ccb=11-4&oh=01_{digest[16:40]}"


@handles("getProfilePicture", connected=True)
def get_profile_picture(call: Call) -> dict[str, Any]:
    world = call.world
    jid = normalize_jid(call.text_query("to"))
    if jid in world.profile_pictures:
        url = world.profile_pictures[jid]
    elif (is_group(jid) and jid in world.groups) or (not is_group(jid) and world.is_on_whatsapp(jid)):
        url = _default_picture(jid, call.query.get("type"))
    else:
        url = None
    return ok("success", data=url)


@handles("setProfileName", connected=True)
def set_profile_name(call: Call) -> dict[str, Any]:
    call.me.push_name = call.data["name"]
    return ok("Profile name updated")


@handles("setProfilePictureUrl", connected=True)
def set_profile_picture_url(call: Call) -> dict[str, Any]:
    me, world = call.me, call.world
    jid = normalize_jid(call.data["to"])
    # The role of `to` is undocumented (the vendor sample passes a contact JID), so only groups are checked:
    # WhatsApp lets admins alone change a group's picture.
    if is_group(jid) and not world.member_group(me, jid).is_admin(me.jid):
        raise ApiError(200, "Only group admins can change the group's picture")
    world.profile_pictures[jid] = call.data["url"]
    return ok("Profile picture updated")


@handles("listChats", connected=True)
def list_chats(call: Call) -> dict[str, Any]:
    chats = sorted(call.me.chats.values(), key=lambda chat: (not chat.pinned, -chat.timestamp))
    return ok("success", data=[chat.as_json() for chat in chats])


@handles("listContacts", connected=True)
def list_contacts(call: Call) -> dict[str, Any]:
    return ok("success", data=[contact.as_json() for contact in call.me.contacts.values()])


@handles("listMessages", connected=True)
def list_messages(call: Call) -> dict[str, Any]:
    chat_id = call.query.get("chat_id")
    chat = normalize_jid(chat_id) if isinstance(chat_id, str) and chat_id else None
    found = [m.as_json() for m in call.me.messages if chat is None or m.key["remoteJid"] == chat]
    return ok("success", data=found)
