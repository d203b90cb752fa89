"""Webhook delivery: acks for sends, injected inbound messages, failures, and several instances at once."""

from __future__ import annotations

import base64

import httpx
import pytest
from local_receiver import Receiver
from spec_requests import KEY

from megaapi.testing import Emulator, webhook_event_error

ENVELOPE = ["instance_key", "jid", "messageType", "key", "messageTimestamp", "pushName", "broadcast", "message"]


async def _configure(client: httpx.AsyncClient, url: str, *, key: str = KEY, enabled: bool = True) -> None:
    body = {"messageData": {"webhookUrl": url, "webhookEnabled": enabled}}
    response = await client.post(f"/rest/webhook/{key}/configWebhook", json=body)
    assert response.json()["webhookData"] == {"webhookUrl": url, "webhookEnabled": enabled}


async def test_a_send_is_followed_by_sent_delivered_and_read_acks(
    emulator: Emulator, client: httpx.AsyncClient, receiver: Receiver
) -> None:
    await _configure(client, receiver.url)
    body = {"messageData": {"to": "5511988887777", "text": "Oi"}}
    key = (await client.post(f"/rest/sendMessage/{KEY}/text", json=body)).json()["messageData"]["key"]
    emulator.wait_for_deliveries()

    assert [event["update"]["status"] for event in receiver.events] == [2, 3, 4]
    for event in receiver.events:
        assert event == {"instance_key": KEY, "messageType": "message.ack", "key": key, "update": event["update"]}
        assert webhook_event_error(event) is None
    assert receiver.paths == ["/hook?token=s3cr3t"] * 3
    assert all(delivery.ok and delivery.status_code == 200 for delivery in emulator.deliveries)


def test_inbound_messages_of_every_kind_conform_to_the_spec(emulator: Emulator, receiver: Receiver) -> None:
    instance = emulator.instance()
    instance.webhook_url, instance.webhook_enabled = receiver.url, True
    group = emulator.add_group("Vendas", ["5511988887777"])
    injected = [
        emulator.receive_text("5511988887777", "Olá bom dia", push_name="Maria"),
        emulator.receive_text("5511988887777", "Veja https://example.com", extended=True),
        emulator.receive_media("5511988887777", "image", b"jpeg bytes", caption="Foto"),
        emulator.receive_media("5511988887777", "video", b"mp4 bytes", seconds=3),
        emulator.receive_media("5511988887777", "audio", b"ogg bytes", seconds=4, ptt=True),
        emulator.receive_media("5511988887777", "document", b"%PDF-1.4", file_name="boleto.pdf"),
        emulator.receive_media("5511988887777", "sticker", b"webp bytes"),
        emulator.receive_location("5511988887777", -15.7666614, -48.2620458, name="Escola"),
        emulator.receive_contact("5511988887777", "Mega Api", "5561981926137"),
        emulator.receive_list_reply("5511988887777", "01", title="PIX"),
        emulator.receive_button_reply("5511988887777", "yes", "Sim"),
        emulator.receive_text("5511988887777", "Oi grupo", group=group.jid),
    ]
    emulator.wait_for_deliveries()

    assert receiver.events == injected
    kinds = [event["messageType"] for event in receiver.events]
    assert kinds == [
        "conversation",
        "extendedTextMessage",
        "imageMessage",
        "videoMessage",
        "audioMessage",
        "documentMessage",
        "stickerMessage",
        "locationMessage",
        "contactMessage",
        "messageContextInfo",
        "messageContextInfo",
        "conversation",
    ]
    for event in receiver.events:
        assert webhook_event_error(event) is None, event
        assert list(event) == ENVELOPE
        assert event["jid"] == "5561981278471@s.whatsapp.net"
        assert event["key"]["fromMe"] is False
        assert isinstance(event["messageTimestamp"], int)
        assert "deviceListMetadata" in event["message"]["messageContextInfo"]
    assert receiver.events[0]["pushName"] == "Maria"
    assert receiver.events[1]["pushName"] == "Maria", "a known contact keeps its name"
    assert receiver.events[4]["message"]["audioMessage"]["ptt"] is True
    assert receiver.events[9]["message"]["listResponseMessage"]["singleSelectReply"] == {"selectedRowId": "01"}
    assert "waid=5561981926137" in receiver.events[8]["message"]["contactMessage"]["vcard"]
    assert receiver.events[11]["key"]["remoteJid"] == group.jid
    assert receiver.events[11]["key"]["participant"] == "5511988887777@s.whatsapp.net"


@pytest.mark.parametrize(
    ("kind", "mimetype"),
    [
        ("image", "image/jpeg"),
        ("video", "video/mp4"),
        ("audio", "audio/ogg; codecs=opus"),
        ("document", "application/pdf"),
        ("sticker", "image/webp"),
    ],
)
async def test_received_media_can_be_downloaded(
    kind: str, mimetype: str, emulator: Emulator, client: httpx.AsyncClient
) -> None:
    data = bytes(range(256)) * 4
    event = emulator.receive_media("5511988887777", kind, data)
    media = event["message"][f"{kind}Message"]
    keys = {name: media[name] for name in ("mediaKey", "directPath", "url", "mimetype")} | {"messageType": kind}
    downloaded = (await client.post(f"/rest/instance/downloadMediaMessage/{KEY}", json={"messageKeys": keys})).json()
    wrong = {**keys, "directPath": "/v/t62.7118-24/other.enc"}
    missing = await client.post(f"/rest/instance/downloadMediaMessage/{KEY}", json={"messageKeys": wrong})

    assert media["mimetype"] == mimetype
    assert media["fileLength"] == str(len(data))
    assert downloaded["data"] == f"data:{mimetype};base64," + base64.b64encode(data).decode()
    assert missing.status_code == 404


async def test_group_messages_need_both_people_in_the_group(emulator: Emulator) -> None:
    group = emulator.add_group("Vendas", ["5511988887777"])
    with pytest.raises(ValueError, match="group messages"):
        emulator.receive_text("5511900000001", "Oi", group=group.jid)
    with pytest.raises(ValueError, match="group messages"):
        emulator.receive_text("5511988887777", "Oi", group="120363000000000000@g.us")


async def test_a_disabled_webhook_records_events_without_posting(
    emulator: Emulator, client: httpx.AsyncClient, receiver: Receiver
) -> None:
    await _configure(client, receiver.url, enabled=False)
    event = emulator.receive_text("5511988887777", "Oi")
    emulator.wait_for_deliveries()
    assert receiver.events == []
    assert emulator.events()[-1] == event


async def test_failed_deliveries_are_recorded(
    emulator: Emulator, client: httpx.AsyncClient, receiver: Receiver
) -> None:
    receiver.status = 500
    await _configure(client, receiver.url)
    emulator.receive_text("5511988887777", "Oi")
    emulator.wait_for_deliveries()
    [failure] = emulator.delivery_failures
    assert failure.status_code == 500
    assert failure.error == "receiver answered HTTP 500"
    assert "s3cr3t" not in repr(failure)


async def test_only_loopback_receivers_get_events_by_default(emulator: Emulator, client: httpx.AsyncClient) -> None:
    await _configure(client, "https://bot.example.com/hook")
    emulator.receive_text("5511988887777", "Oi")
    emulator.wait_for_deliveries()
    [failure] = emulator.delivery_failures
    assert failure.status_code is None
    assert failure.error is not None
    assert "not allowed" in failure.error


def test_each_instance_delivers_to_its_own_webhook(receiver: Receiver) -> None:
    with Emulator() as emulator:
        shop = emulator.add_instance("shop", phone="5511911110000", push_name="Loja")
        client = emulator.add_instance("client", phone="5511922220000", push_name="Cliente")
        shop.webhook_url, shop.webhook_enabled = receiver.url + "&instance=shop", True
        client.webhook_url, client.webhook_enabled = receiver.url + "&instance=client", True
        emulator.receive_text("5511933330000", "Para a loja", instance_key="shop")
        emulator.receive_text("5511933330000", "Para o cliente", instance_key="client")
        emulator.wait_for_deliveries()

    by_instance = {path.rsplit("=", 1)[1]: event for path, event in zip(receiver.paths, receiver.events, strict=True)}
    assert by_instance["shop"]["message"]["conversation"] == "Para a loja"
    assert by_instance["client"]["message"]["conversation"] == "Para o cliente"


async def test_a_message_between_two_instances_reaches_the_other_one(receiver: Receiver) -> None:
    with Emulator() as emulator:
        shop = emulator.add_instance("shop", "shop-token", phone="5511911110000", push_name="Loja")
        buyer = emulator.add_instance("buyer", phone="5511922220000", push_name="Comprador")
        buyer.webhook_url, buyer.webhook_enabled = receiver.url, True
        transport = httpx.ASGITransport(app=emulator.app)
        headers = {"Authorization": "Bearer shop-token"}
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator", headers=headers) as client:
            body = {"messageData": {"to": "5511922220000", "text": "Seu pedido saiu"}}
            await client.post("/rest/sendMessage/shop/text", json=body)
        emulator.wait_for_deliveries()

    [event] = receiver.events
    assert event["instance_key"] == "buyer"
    assert event["key"]["remoteJid"] == "5511911110000@s.whatsapp.net"
    assert event["pushName"] == "Loja"
    assert event["message"]["extendedTextMessage"]["text"] == "Seu pedido saiu"
    assert webhook_event_error(event) is None
    assert shop.messages[0].key["fromMe"] is True


async def test_acks_can_be_driven_by_hand(client: httpx.AsyncClient, receiver: Receiver) -> None:
    with Emulator(auto_ack=False) as emulator:
        instance = emulator.add_instance(phone="5511911110000")
        instance.webhook_url, instance.webhook_enabled = receiver.url, True
        transport = httpx.ASGITransport(app=emulator.app)
        headers = {"Authorization": f"Bearer {instance.token}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator", headers=headers) as own:
            body = {"messageData": {"to": "5511988887777", "text": "Oi"}}
            key = (await own.post(f"/rest/sendMessage/{instance.key}/text", json=body)).json()["messageData"]["key"]
        emulator.wait_for_deliveries()
        assert receiver.events == []
        emulator.send_ack(key["id"], 3)
        emulator.wait_for_deliveries()
        with pytest.raises(LookupError):
            emulator.send_ack("3EB0NOTSENT", 4)
    assert [event["update"] for event in receiver.events] == [{"status": 3}]
