"""Operations tagged `messages`: every send route."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

from megaapi.testing import content
from megaapi.testing.ops.registry import Call, handles, ok
from megaapi.testing.state import normalize_jid
from megaapi.testing.world import ApiError

_SENT = "Message sent successfully"
_DATA_URL = re.compile(r"data:([^;,]+)(?:;[^,]*)?;base64,(.*)", re.DOTALL)


def _sent(call: Call, message: dict[str, Any], text: str = _SENT) -> dict[str, Any]:
    return ok(text, messageData=call.world.send(call.me, call.data["to"], message))


def _to_many(call: Call, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Send to each recipient in turn; the reply lists one result per recipient."""
    results: list[dict[str, Any]] = []
    failures: list[ApiError] = []
    for to in call.data["to"]:
        try:
            sent = call.world.send(call.me, to, build())
        except ApiError as exc:
            failures.append(exc)
            results.append({"to": normalize_jid(to), "error": True, "message": exc.message})
        else:
            results.append({"to": sent["key"]["remoteJid"], "error": False, "messageData": sent})
    if len(failures) == len(results):
        raise failures[0]
    return ok("Messages sent successfully", data=results)


@handles("sendText", connected=True)
def send_text(call: Call) -> dict[str, Any]:
    data = call.data
    return _sent(call, content.text(data["text"], preview=data.get("linkPreview", True)))


@handles("sendTextToMany", connected=True)
def send_text_to_many(call: Call) -> dict[str, Any]:
    return _to_many(call, lambda: content.text(call.data["text"]))


@handles("sendTextWithMentions", connected=True)
def send_text_with_mentions(call: Call) -> dict[str, Any]:
    data = call.data
    return _sent(call, content.mentions(data["text"], [normalize_jid(jid) for jid in data["mentions"]]))


_MIME_OF_TYPE = {"image": "image/jpeg", "video": "video/mp4", "audio": "audio/mpeg", "ptt": "audio/ogg; codecs=opus"}
_MIME_OF_TYPE |= {"ptv": "video/mp4", "document": "application/pdf"}


def _media(call: Call, file: bytes | None) -> dict[str, Any]:
    data = call.data
    extra: dict[str, Any] = {name: data[name] for name in ("gifPlayback", "viewOnce") if name in data}
    return content.media(
        call.world.ids,
        call.world.now(),
        kind=data["type"],
        # mimeType is optional (the vendor swagger does not require it); the server then derives one from `type`.
        mimetype=data.get("mimeType") or _MIME_OF_TYPE.get(data["type"], "application/octet-stream"),
        data=file,
        caption=data.get("caption"),
        file_name=data.get("fileName"),
        extra=extra,
    )


@handles("sendMediaUrl", connected=True)
def send_media_url(call: Call) -> dict[str, Any]:
    # The emulator never fetches the URL, so the file of a URL send cannot be downloaded later.
    return _sent(call, _media(call, None))


@handles("sendMediaUrlToMany", connected=True)
def send_media_url_to_many(call: Call) -> dict[str, Any]:
    return _to_many(call, lambda: _media(call, None))


def _decode(value: str) -> bytes:
    match = _DATA_URL.fullmatch(value)
    payload = match.group(2) if match else value
    try:
        return base64.b64decode(payload, validate=True)
    except ValueError:  # binascii.Error, or characters outside ASCII
        # The schema admits any string, so undecodable content is an application error.
        raise ApiError(200, "base64 does not hold base64-encoded data") from None


@handles("sendMediaBase64", connected=True)
def send_media_base64(call: Call) -> dict[str, Any]:
    file = _decode(call.data["base64"])
    message = _media(call, file)
    reply = _sent(call, message)
    call.world.store_media(message, file)
    return reply


@handles("sendLocation", connected=True)
def send_location(call: Call) -> dict[str, Any]:
    data = call.data
    message = content.location(
        data["latitude"], data["longitude"], name=data.get("caption"), address=data.get("address"), url=data.get("url")
    )
    return _sent(call, message)


@handles("sendLinkPreview", connected=True)
def send_link_preview(call: Call) -> dict[str, Any]:
    return _sent(call, content.text(call.data["textWithLink"]))


@handles("sendList", connected=True)
def send_list(call: Call) -> dict[str, Any]:
    return _sent(call, content.list_message(call.data))


@handles("sendContact", connected=True)
def send_contact(call: Call) -> dict[str, Any]:
    card = call.data["vcard"]
    vcard = content.vcard(card["fullName"], card["phoneNumber"], organization=card.get("organization"))
    return _sent(call, content.contact(card["displayName"], vcard))


@handles("forwardMessage", connected=True)
def forward_message(call: Call) -> dict[str, Any]:
    message = content.forwarded(call.data["message"])
    if message is None:
        raise ApiError(200, "message holds no content to forward")
    return _sent(call, message, "Message forwarded")


@handles("replyToMessage", connected=True)
def reply_to_message(call: Call) -> dict[str, Any]:
    data = call.data
    return _sent(call, content.reply(data["text"], data["key"], data["message"], call.me.jid))


@handles("sendTemplate", connected=True)
def send_template(call: Call) -> dict[str, Any]:
    return _sent(call, content.template(call.data))


@handles("sendTemplateWithMedia", connected=True)
def send_template_with_media(call: Call) -> dict[str, Any]:
    data = call.data
    kind = "video" if data.get("mediaType") == "video" else "image"
    mimetype = data.get("mimeType") or ("video/mp4" if kind == "video" else "image/jpeg")
    header = {"url": data["imageUrl"], "mimetype": mimetype}
    return _sent(call, content.template(data, {f"{kind}Message": header}))


@handles("sendButtons", connected=True)
def send_buttons(call: Call) -> dict[str, Any]:
    # The body is undocumented and free-form; without a recipient there is nothing to send.
    data = call.body.get("messageData")
    if not isinstance(data, dict) or not isinstance(data.get("to"), str) or not data["to"].strip():
        raise ApiError(200, "messageData.to is required")
    return _sent(call, content.buttons(data))
