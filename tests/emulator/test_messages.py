"""Sends, received messages and what the session remembers of them."""

from __future__ import annotations

import base64
import re
from typing import Any

import httpx
import pytest
from spec_requests import KEY

from megaapi.testing import Emulator, response_error

SEND = f"/rest/sendMessage/{KEY}"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


async def _send(client: httpx.AsyncClient, route: str, operation_id: str, **fields: Any) -> dict[str, Any]:
    response = await client.post(f"{SEND}/{route}", json={"messageData": fields})
    body: dict[str, Any] = response.json()
    assert response.status_code == 200, body
    assert body["error"] is False, body
    assert response_error(operation_id, 200, body) is None
    data: dict[str, Any] = body["messageData"]
    return data


async def test_a_text_send_answers_with_the_new_message(client: httpx.AsyncClient) -> None:
    sent = await _send(client, "text", "sendText", to="5511999999999", text="Olá *mundo*")
    assert sent["key"]["remoteJid"] == "5511999999999@s.whatsapp.net"
    assert sent["key"]["fromMe"] is True
    assert re.fullmatch(r"3EB0[0-9A-F]{16}", sent["key"]["id"])
    assert re.fullmatch(r"\d{10}", sent["messageTimestamp"])
    assert sent["message"] == {"extendedTextMessage": {"text": "Olá *mundo*"}}
    assert sent["status"] == "PENDING"


async def test_a_link_gets_a_preview_unless_switched_off(client: httpx.AsyncClient) -> None:
    text = "Veja https://example.com/oferta hoje"
    with_preview = await _send(client, "text", "sendText", to="5511999999999", text=text)
    without = await _send(client, "text", "sendText", to="5511999999999", text=text, linkPreview=False)
    link = await _send(client, "sendLinkPreview", "sendLinkPreview", to="5511999999999", textWithLink=text)
    assert with_preview["message"]["extendedTextMessage"]["matchedText"] == "https://example.com/oferta"
    assert "matchedText" not in without["message"]["extendedTextMessage"]
    assert link["message"]["extendedTextMessage"]["matchedText"] == "https://example.com/oferta"


async def test_a_number_that_is_not_on_whatsapp_is_refused_with_403(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    emulator.mark_not_on_whatsapp("5511900000000")
    refused = await client.post(f"{SEND}/text", json={"messageData": {"to": "5511900000000", "text": "Oi"}})
    checked = await client.get(f"/rest/instance/isOnWhatsApp/{KEY}", params={"jid": "5511900000000@s.whatsapp.net"})
    other = await client.get(f"/rest/instance/isOnWhatsApp/{KEY}", params={"jid": "5511911111111"})
    assert refused.status_code == 403
    assert refused.json()["message"] == "The number is not on WhatsApp"
    assert checked.json() == {
        "error": False,
        "message": "success",
        "exists": False,
        "jid": "5511900000000@s.whatsapp.net",
    }
    assert other.json()["exists"] is True
    assert other.json()["jid"] == "5511911111111@s.whatsapp.net"


@pytest.mark.parametrize("to", ["not a number", "+55 11 99999-9999", "123"])
async def test_recipients_that_are_no_phone_numbers_are_not_on_whatsapp(to: str, client: httpx.AsyncClient) -> None:
    response = await client.post(f"{SEND}/text", json={"messageData": {"to": to, "text": "Oi"}})
    assert response.status_code == 403


async def test_media_sends_name_the_whatsapp_object_of_their_kind(client: httpx.AsyncClient) -> None:
    url = "https://example.com/file"
    kinds = {"image": "imageMessage", "video": "videoMessage", "audio": "audioMessage", "document": "documentMessage"}
    for kind, key in kinds.items():
        sent = await _send(
            client, "mediaUrl", "sendMediaUrl", to="5511999999999", url=url, type=kind, mimeType="x/y", fileName="a.pdf"
        )
        assert list(sent["message"]) == [key]
    voice = await _send(
        client, "mediaUrl", "sendMediaUrl", to="5511999999999", url=url, type="ptt", mimeType="audio/ogg"
    )
    assert voice["message"]["audioMessage"]["ptt"] is True


async def test_a_base64_send_can_be_downloaded_again(client: httpx.AsyncClient) -> None:
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    sent = await _send(
        client,
        "mediaBase64",
        "sendMediaBase64",
        to="5511999999999",
        base64=data_url,
        type="image",
        mimeType="image/png",
    )
    image = sent["message"]["imageMessage"]
    assert image["fileLength"] == str(len(PNG))
    keys = {key: image[key] for key in ("mediaKey", "directPath", "url")} | {
        "mimetype": "image/png",
        "messageType": "image",
    }
    downloaded = (await client.post(f"/rest/instance/downloadMediaMessage/{KEY}", json={"messageKeys": keys})).json()
    assert downloaded["data"] == data_url


async def test_raw_base64_is_accepted_and_garbage_is_an_application_error(client: httpx.AsyncClient) -> None:
    raw = base64.b64encode(PNG).decode()
    fields = {"to": "5511999999999", "type": "document", "mimeType": "image/png"}
    good = await client.post(f"{SEND}/mediaBase64", json={"messageData": {**fields, "base64": raw}})
    bad = await client.post(f"{SEND}/mediaBase64", json={"messageData": {**fields, "base64": "não é base64"}})
    assert good.json()["error"] is False
    assert bad.status_code == 200
    assert bad.json()["error"] is True


async def test_location_list_and_contact_carry_their_fields(client: httpx.AsyncClient) -> None:
    location = await _send(
        client,
        "location",
        "sendLocation",
        to="5511999999999",
        latitude=-15.74,
        longitude=-48.29,
        caption="Escola",
        address="QD 04",
    )
    sections = [{"title": "PIX", "rows": [{"title": "PIX", "rowId": "01"}]}]
    listed = await _send(
        client, "listMessage", "sendList", to="5511999999999", buttonText="Escolha", text="Pague", sections=sections
    )
    card = {"fullName": "Maria Silva", "displayName": "Maria", "phoneNumber": "5511988887777@s.whatsapp.net"}
    contact = await _send(client, "contactMessage", "sendContact", to="5511999999999", vcard=card)

    assert location["message"]["locationMessage"] == {
        "degreesLatitude": -15.74,
        "degreesLongitude": -48.29,
        "name": "Escola",
        "address": "QD 04",
    }
    assert listed["message"]["listMessage"]["sections"] == sections
    assert listed["message"]["listMessage"]["listType"] == 0
    assert contact["message"]["contactMessage"]["displayName"] == "Maria"
    assert "waid=5511988887777:+5511988887777" in contact["message"]["contactMessage"]["vcard"]


async def test_mentions_reply_and_forward_add_context(client: httpx.AsyncClient) -> None:
    mentioned = await _send(
        client,
        "textMentioned",
        "sendTextWithMentions",
        to="5511999999999",
        text="@5511988887777 oi",
        mentions=["5511988887777"],
    )
    key = {"remoteJid": "5511988887777@s.whatsapp.net", "fromMe": False, "id": "ABCDEF"}
    original = {"conversation": "Bom dia"}
    reply = await _send(
        client, "quoteMessage", "replyToMessage", to="5511988887777", text="Olá", key=key, message=original
    )
    forwarded = await _send(client, "forwardMessage", "forwardMessage", to="5511999999999", key=key, message=original)

    assert mentioned["message"]["extendedTextMessage"]["contextInfo"] == {
        "mentionedJid": ["5511988887777@s.whatsapp.net"]
    }
    assert reply["message"]["extendedTextMessage"]["contextInfo"] == {
        "stanzaId": "ABCDEF",
        "participant": "5511988887777@s.whatsapp.net",
        "quotedMessage": original,
    }
    assert forwarded["message"] == {"extendedTextMessage": {"text": "Bom dia", "contextInfo": {"isForwarded": True}}}


async def test_forwarding_nothing_is_an_application_error(client: httpx.AsyncClient) -> None:
    key = {"remoteJid": "5511988887777@s.whatsapp.net", "fromMe": False, "id": "ABCDEF"}
    response = await client.post(
        f"{SEND}/forwardMessage", json={"messageData": {"to": "5511999999999", "key": key, "message": {}}}
    )
    assert response.json()["error"] is True


async def test_buttons_need_a_recipient_even_though_the_body_is_free_form(client: httpx.AsyncClient) -> None:
    empty = await client.post(f"{SEND}/buttonMessage", json={})
    sent = await client.post(f"{SEND}/buttonMessage", json={"messageData": {"to": "5511999999999", "text": "Sim?"}})
    assert empty.json() == {"error": True, "message": "messageData.to is required"}
    assert sent.json()["messageData"]["message"] == {"buttonsMessage": {"contentText": "Sim?"}}


async def test_sends_to_many_report_each_recipient(emulator: Emulator, client: httpx.AsyncClient) -> None:
    emulator.mark_not_on_whatsapp("5511900000000")
    body = {"messageData": {"to": ["5511999999999", "5511900000000"], "text": "Promoção"}}
    results = (await client.post(f"{SEND}/textToMany", json=body)).json()["data"]
    all_missing = await client.post(f"{SEND}/textToMany", json={"messageData": {"to": ["5511900000000"], "text": "x"}})
    assert [r["error"] for r in results] == [False, True]
    assert results[0]["messageData"]["key"]["remoteJid"] == "5511999999999@s.whatsapp.net"
    assert all_missing.status_code == 403


async def test_received_and_sent_messages_fill_chats_contacts_and_messages(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    event = emulator.receive_text("5511988887777", "Oi, tudo bem?", push_name="Maria")
    await _send(client, "text", "sendText", to="5511988887777", text="Tudo!")

    chats = (await client.get(f"/rest/instance/chats/{KEY}")).json()["data"]
    contacts = (await client.get(f"/rest/instance/contacts/{KEY}")).json()["data"]
    messages = (await client.get(f"/rest/instance/messages/{KEY}", params={"chat_id": "5511988887777"})).json()["data"]
    assert chats[0]["id"] == "5511988887777@s.whatsapp.net"
    assert chats[0]["name"] == "Maria"
    assert chats[0]["unreadCount"] == 1
    assert {"id": "5511988887777@s.whatsapp.net", "name": "Maria"} in contacts
    assert [m["key"]["fromMe"] for m in messages] == [False, True]
    assert messages[0]["key"] == event["key"]

    await client.post(f"/rest/chat/{KEY}/readMessage", json={"messageData": {"key": event["key"]}})
    chats = (await client.get(f"/rest/instance/chats/{KEY}")).json()["data"]
    assert chats[0]["unreadCount"] == 0


async def test_delete_for_everyone_needs_an_own_message(client: httpx.AsyncClient) -> None:
    sent = await _send(client, "text", "sendText", to="5511988887777", text="Ops")
    body = {"messageData": {"to": "5511988887777", "key": sent["key"]}}
    deleted = (await client.post(f"/rest/chat/{KEY}/deleteMessage", json=body)).json()
    someone_elses = {"messageData": {"to": "5511988887777", "key": {**sent["key"], "fromMe": False}}}
    refused = (await client.post(f"/rest/chat/{KEY}/deleteMessage", json=someone_elses)).json()
    messages = (await client.get(f"/rest/instance/messages/{KEY}")).json()["data"]
    assert deleted == {"error": False, "message": "Message deleted"}
    assert refused["error"] is True
    assert messages[0]["message"] == {"protocolMessage": {"key": sent["key"], "type": "REVOKE"}}


@pytest.mark.parametrize("shape", ["swagger", "by-key"])
async def test_delete_for_me_accepts_both_body_shapes(shape: str, client: httpx.AsyncClient) -> None:
    sent = await _send(client, "text", "sendText", to="5511988887777", text="Só para mim")
    if shape == "swagger":
        body: dict[str, Any] = {"to": "5511988887777", "messageData": {"id": sent["key"]["id"], "timestamp": 1}}
    else:
        body = {"messageData": {"to": "5511988887777", "key": sent["key"], "messageTimestamp": 1}}
    response = await client.post(f"/rest/chat/{KEY}/deleteMessageFromMe", json=body)
    assert response.json() == {"error": False, "message": "Message deleted for me"}
    assert (await client.get(f"/rest/instance/messages/{KEY}")).json()["data"] == []


async def test_chat_options(emulator: Emulator, client: httpx.AsyncClient) -> None:
    chat = f"/rest/chat/{KEY}"
    for number in ("5511911111111", "5511922222222", "5511933333333"):
        assert (await client.post(f"{chat}/pinChat", json={"to": number, "option": True})).json()["error"] is False
    fourth = (await client.post(f"{chat}/pinChat", json={"to": "5511944444444", "option": True})).json()
    unpin = (await client.post(f"{chat}/pinChat", json={"to": "5511911111111", "option": False})).json()
    blocked = (await client.post(f"{chat}/blockChat", json={"to": "5511955555555", "option": "block"})).json()
    send_to_blocked = await client.post(f"{SEND}/text", json={"messageData": {"to": "5511955555555", "text": "Oi"}})
    presence = (
        await client.post(f"{chat}/presenceUpdateChat", json={"to": "5511955555555", "option": "composing"})
    ).json()

    assert fourth["error"] is True
    assert unpin == {"error": False, "message": "Chat unpinned"}
    assert blocked == {"error": False, "message": "Contact blocked"}
    assert send_to_blocked.json() == {"error": True, "message": "The contact is blocked"}
    assert presence["error"] is False
    instance = emulator.instance()
    assert [jid for jid, c in instance.chats.items() if c.pinned] == [
        "5511922222222@s.whatsapp.net",
        "5511933333333@s.whatsapp.net",
    ]
    assert instance.chats["5511955555555@s.whatsapp.net"].presence == "composing"


async def test_profile_name_and_picture(emulator: Emulator, client: httpx.AsyncClient) -> None:
    instance = "/rest/instance"
    await client.post(f"{instance}/setProfileName/{KEY}", json={"messageData": {"name": "Loja Nova"}})
    own = emulator.instance().jid
    picture = "https://example.com/logo.jpg"
    await client.post(f"{instance}/setProfilePictureUrl/{KEY}", json={"messageData": {"to": own, "url": picture}})
    status = (await client.get(f"{instance}/{KEY}")).json()
    fetched = (await client.get(f"{instance}/getProfilePicture/{KEY}", params={"to": own})).json()
    contact = (
        await client.get(f"{instance}/getProfilePicture/{KEY}", params={"to": "5511999999999", "type": "icon"})
    ).json()
    emulator.mark_not_on_whatsapp("5511900000000")
    nobody = (await client.get(f"{instance}/getProfilePicture/{KEY}", params={"to": "5511900000000"})).json()

    assert status["instance"]["user"]["name"] == "Loja Nova"
    assert fetched["data"] == picture
    assert contact["data"].startswith("https://pps.whatsapp.net/")
    assert nobody["data"] is None


async def test_media_added_under_chosen_keys_is_downloadable(emulator: Emulator, client: httpx.AsyncClient) -> None:
    emulator.add_media("a-media-key", "/v/chosen.enc", "image/png", b"\x89PNG")
    keys = {
        "mediaKey": "a-media-key",
        "directPath": "/v/chosen.enc",
        "url": "https://mmg.example/x",
        "mimetype": "image/png",
        "messageType": "image",
    }
    downloaded = (await client.post(f"/rest/instance/downloadMediaMessage/{KEY}", json={"messageKeys": keys})).json()
    assert downloaded["data"] == "data:image/png;base64," + base64.b64encode(b"\x89PNG").decode()


async def test_media_sends_need_no_mime_type(client: httpx.AsyncClient) -> None:
    data = {"to": "5511999999999", "url": "https://example.com/a.pdf", "type": "document"}
    sent = (await client.post(f"{SEND}/mediaUrl", json={"messageData": data})).json()
    assert sent["messageData"]["message"]["documentMessage"]["mimetype"] == "application/pdf"
