"""WhatsApp message objects (the `message` of sends and webhook events) built from request fields."""

from __future__ import annotations

import copy
import hashlib
import re
from base64 import b64encode
from collections.abc import Mapping, Sequence
from typing import Any

from megaapi.testing.ids import Ids
from megaapi.testing.state import phone_of

_URL = re.compile(r"https?://\S+")

# Send routes name the media kind; WhatsApp names the message object.
MEDIA_OBJECTS = {
    "image": "imageMessage",
    "video": "videoMessage",
    "audio": "audioMessage",
    "ptt": "audioMessage",
    "ptv": "ptvMessage",
    "document": "documentMessage",
    "sticker": "stickerMessage",
}


def first_url(text: str) -> str | None:
    match = _URL.search(text)
    return match.group(0) if match else None


def text(body: str, *, preview: bool = True, context: Mapping[str, Any] | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {"text": body}
    url = first_url(body) if preview else None
    if url is not None:
        content["matchedText"] = url
        content["previewType"] = "NONE"
    if context:
        content["contextInfo"] = dict(context)
    return {"extendedTextMessage": content}


def media(
    ids: Ids,
    now: int,
    *,
    kind: str,
    mimetype: str,
    data: bytes | None,
    caption: str | None = None,
    file_name: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A media object as WhatsApp stores it: an encrypted CDN pointer plus the file's hashes."""
    direct_path = ids.cdn_path()
    content: dict[str, Any] = {
        "url": "https://mmg.whatsapp.net" + direct_path + "&mms3=true",
        "mimetype": mimetype,
        "mediaKey": ids.key_bytes(),
        "directPath": direct_path,
        "mediaKeyTimestamp": str(now),
    }
    if data is not None:
        content["fileSha256"] = b64encode(hashlib.sha256(data).digest()).decode("ascii")
        content["fileEncSha256"] = b64encode(hashlib.sha256(direct_path.encode() + data).digest()).decode("ascii")
        content["fileLength"] = str(len(data))
    if caption:
        content["caption"] = caption
    if file_name is not None and kind == "document":
        content["fileName"] = file_name
        content["title"] = file_name
    if kind == "ptt":
        content["ptt"] = True
    content.update(extra or {})
    return {MEDIA_OBJECTS[kind]: content}


def location(
    latitude: float,
    longitude: float,
    *,
    name: str | None = None,
    address: str | None = None,
    url: str | None = None,
) -> dict[str, Any]:
    content: dict[str, Any] = {"degreesLatitude": latitude, "degreesLongitude": longitude}
    for field, value in (("name", name), ("address", address), ("url", url)):
        if value:
            content[field] = value
    return {"locationMessage": content}


def vcard(full_name: str, phone_number: str, *, organization: str | None = None) -> str:
    """A vCard 3.0 whose TEL line carries `waid=<digits>`, which makes WhatsApp's "Message" button work."""
    digits = phone_of(phone_number) or re.sub(r"\D", "", phone_number)
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{full_name}"]
    if organization:
        lines.append(f"ORG:{organization}")
    lines.append(f"TEL;type=CELL;type=VOICE;waid={digits}:+{digits}" if digits else f"TEL:{phone_number}")
    lines.append("END:VCARD")
    return "\n".join(lines)


def contact(display_name: str, card: str) -> dict[str, Any]:
    return {"contactMessage": {"displayName": display_name, "vcard": card}}


def list_message(fields: Mapping[str, Any]) -> dict[str, Any]:
    content = {name: fields[name] for name in ("title", "description", "buttonText", "footerText") if name in fields}
    content["text"] = fields["text"]
    content["listType"] = fields.get("listType", 0)
    content["sections"] = copy.deepcopy(fields["sections"])
    return {"listMessage": content}


def _hydrated_button(index: int, button: Mapping[str, Any]) -> dict[str, Any]:
    title = button["title"]
    payload = button.get("payload", "")
    if button["type"] == "urlButton":
        return {"index": index, "urlButton": {"displayText": title, "url": payload}}
    if button["type"] == "callButton":
        return {"index": index, "callButton": {"displayText": title, "phoneNumber": payload}}
    return {"index": index, "quickReplyButton": {"displayText": title, "id": payload or f"button-{index}"}}


def template(fields: Mapping[str, Any], header: Mapping[str, Any] | None = None) -> dict[str, Any]:
    hydrated: dict[str, Any] = {
        "hydratedContentText": fields["text"],
        "hydratedButtons": [_hydrated_button(i, b) for i, b in enumerate(fields["buttons"], start=1)],
    }
    if "footerText" in fields:
        hydrated["hydratedFooterText"] = fields["footerText"]
    hydrated.update(header or {})
    return {"templateMessage": {"hydratedTemplate": hydrated}}


def buttons(fields: Mapping[str, Any]) -> dict[str, Any]:
    """`sendButtons` has no documented body; keep what was sent under the WhatsApp object's name."""
    content: dict[str, Any] = {"contentText": fields.get("text", "")}
    if isinstance(fields.get("buttons"), list):
        content["buttons"] = copy.deepcopy(fields["buttons"])
    if "footerText" in fields:
        content["footerText"] = fields["footerText"]
    return {"buttonsMessage": content}


def _content_keys(message: Mapping[str, Any]) -> list[str]:
    return [name for name, value in message.items() if isinstance(value, dict) and name != "messageContextInfo"]


def forwarded(message: Mapping[str, Any]) -> dict[str, Any] | None:
    """The copy WhatsApp sends when forwarding, marked `isForwarded`; None when there is nothing to forward."""
    if isinstance(message.get("conversation"), str):
        return text(message["conversation"], preview=False, context={"isForwarded": True})
    keys = _content_keys(message)
    if not keys:
        return None
    result = {name: copy.deepcopy(message[name]) for name in keys}
    for name in keys:
        result[name]["contextInfo"] = {**result[name].get("contextInfo", {}), "isForwarded": True}
    return result


def reply(body: str, key: Mapping[str, Any], quoted: Mapping[str, Any], own_jid: str) -> dict[str, Any]:
    author = key.get("participant") or (own_jid if key["fromMe"] else key["remoteJid"])
    context = {"stanzaId": key["id"], "participant": author, "quotedMessage": copy.deepcopy(dict(quoted))}
    return text(body, context=context)


def mentions(body: str, jids: Sequence[str]) -> dict[str, Any]:
    return text(body, context={"mentionedJid": list(jids)})


def message_type(message: Mapping[str, Any]) -> str:
    """The webhook `messageType` of a message object: its content key, or `messageContextInfo` for newer kinds."""
    if "conversation" in message:
        return "conversation"
    keys = _content_keys(message)
    if keys and keys[0] in {*MEDIA_OBJECTS.values(), "extendedTextMessage", "locationMessage", "contactMessage"}:
        return keys[0]
    return "messageContextInfo"
