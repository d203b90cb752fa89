"""The control API: the emulator's knobs over HTTP, guarded by the admin token, described apart from Mega-api."""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import yaml
from local_receiver import Receiver
from spec_requests import ADMIN_TOKEN, KEY

from megaapi.testing import Emulator, serve, webhook_event_error

TEXT = f"/rest/sendMessage/{KEY}/text"
CONTACT = "5511988887777"


@pytest.fixture
async def control(emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=emulator.app)
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator/control", headers=headers) as client:
        yield client


async def _send(client: httpx.AsyncClient, text: str, to: str = CONTACT) -> httpx.Response:
    return await client.post(TEXT, json={"messageData": {"to": to, "text": text}})


async def test_the_control_description_is_served_apart_from_the_mega_api_one(control: httpx.AsyncClient) -> None:
    served = await control.get("/openapi.yaml")
    assert served.status_code == 200
    document = yaml.safe_load(served.text)
    assert document["info"]["title"] == "Mega-api emulator control API"
    assert all(path.startswith("/control/") for path in document["paths"])
    mega_api = yaml.safe_load((await control.get("http://emulator/openapi.yaml")).text)
    assert not [path for path in mega_api["paths"] if path.startswith("/control")]


@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic " + ADMIN_TOKEN])
async def test_every_route_needs_the_admin_token(control: httpx.AsyncClient, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = await control.post("/reset", headers={"Authorization": ""} | headers)
    assert response.status_code == 401
    assert response.json()["error"] is True


async def test_the_instance_token_does_not_open_the_control_api(
    control: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    response = await control.get("/instances", headers={"Authorization": client.headers["Authorization"]})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("kind", "body", "message_type"),
    [
        ("text", {"text": "Oi, tudo bem?"}, "conversation"),
        ("text", {"text": "veja https://exemplo.com.br", "extended": True}, "extendedTextMessage"),
        ("media", {"kind": "image", "base64": base64.b64encode(b"\xff\xd8jpeg").decode()}, "imageMessage"),
        ("location", {"latitude": -23.55, "longitude": -46.63, "name": "Sé"}, "locationMessage"),
        ("contact", {"displayName": "Maria", "phoneNumber": "5511977776666"}, "contactMessage"),
        ("list-reply", {"rowId": "pix", "title": "PIX"}, "messageContextInfo"),
        ("button-reply", {"buttonId": "ok", "displayText": "Confirmar"}, "messageContextInfo"),
    ],
)
async def test_inbound_messages_of_each_type_reach_the_webhook(
    emulator: Emulator,
    control: httpx.AsyncClient,
    client: httpx.AsyncClient,
    receiver: Receiver,
    kind: str,
    body: dict[str, object],
    message_type: str,
) -> None:
    settings = {"messageData": {"webhookUrl": receiver.url, "webhookEnabled": True}}
    assert (await client.post(f"/rest/webhook/{KEY}/configWebhook", json=settings)).status_code == 200
    response = await control.post(f"/instances/{KEY}/inbound/{kind}", json={"from": CONTACT, "pushName": "Ana", **body})
    assert response.status_code == 200, response.text
    event = response.json()
    assert (event["messageType"], event["pushName"], event["key"]["remoteJid"]) == (
        message_type,
        "Ana",
        CONTACT + "@s.whatsapp.net",
    )
    assert webhook_event_error(event) is None
    emulator.wait_for_deliveries()
    assert receiver.events[-1] == event


async def test_inbound_media_stays_downloadable(control: httpx.AsyncClient, client: httpx.AsyncClient) -> None:
    data = b"%PDF-1.4 pedido"
    body = {"from": CONTACT, "kind": "document", "base64": base64.b64encode(data).decode(), "fileName": "p.pdf"}
    event = (await control.post(f"/instances/{KEY}/inbound/media", json=body)).json()
    document = event["message"]["documentMessage"]
    keys = {name: document[name] for name in ("mediaKey", "directPath", "url", "mimetype")}
    downloaded = await client.post(
        f"/rest/instance/downloadMediaMessage/{KEY}", json={"messageKeys": keys | {"messageType": "document"}}
    )
    assert downloaded.json()["data"].endswith(base64.b64encode(data).decode())


async def test_webhook_deliveries_can_be_read_with_the_url_secret_masked(
    emulator: Emulator, control: httpx.AsyncClient, client: httpx.AsyncClient, receiver: Receiver
) -> None:
    url = receiver.url + "?token=receiver-secret-0123456789"
    settings = {"messageData": {"webhookUrl": url, "webhookEnabled": True}}
    assert (await client.post(f"/rest/webhook/{KEY}/configWebhook", json=settings)).status_code == 200
    await control.post(f"/instances/{KEY}/inbound/text", json={"from": CONTACT, "text": "Oi"})
    emulator.wait_for_deliveries()
    deliveries = (await control.get("/deliveries")).json()["deliveries"]
    assert [(d["ok"], d["statusCode"], d["error"]) for d in deliveries] == [(True, 200, None)]
    assert deliveries[0]["event"]["message"]["conversation"] == "Oi"
    assert deliveries[0]["url"].endswith("?token=***")


@pytest.mark.parametrize(
    "body",
    [
        {"text": "no sender"},
        {"from": "not a number", "text": "x"},
        {"from": CONTACT},
        {"from": CONTACT, "text": 5},
    ],
)
async def test_bodies_outside_the_description_are_refused(control: httpx.AsyncClient, body: dict[str, object]) -> None:
    response = await control.post(f"/instances/{KEY}/inbound/text", json=body)
    assert response.status_code == 400
    assert response.json()["error"] is True


async def test_unknown_instances_are_404(control: httpx.AsyncClient) -> None:
    response = await control.post("/instances/nobody/inbound/text", json={"from": CONTACT, "text": "x"})
    assert response.status_code == 404


async def test_disconnect_and_reconnect(
    emulator: Emulator, control: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    dropped = await control.post(f"/instances/{KEY}/disconnect", json={"reason": "phone offline"})
    assert dropped.json()["status"] == "disconnected"
    assert (await _send(client, "x")).json() == {"error": True, "message": "Instance not connected"}
    refused = await control.post(f"/instances/{KEY}/inbound/text", json={"from": CONTACT, "text": "x"})
    assert refused.status_code == 409
    assert (await control.post(f"/instances/{KEY}/connect")).json()["status"] == "connected"
    assert (await _send(client, "x")).json()["error"] is False
    closes = [e for e in emulator.events() if e["messageType"] == "connection_update"]
    assert [e["message"] for e in closes][-2:] == ["phone_disconnected", "phone_connected"]
    assert closes[-2]["closeReason"] == "phone offline"


async def test_acks_for_a_sent_message(control: httpx.AsyncClient, client: httpx.AsyncClient) -> None:
    sent = (await _send(client, "Pedido confirmado")).json()["messageData"]["key"]["id"]
    event = (await control.post(f"/instances/{KEY}/acks", json={"messageId": sent, "status": 4})).json()
    assert (event["messageType"], event["key"]["id"], event["update"]) == ("message.ack", sent, {"status": 4})
    missing = await control.post(f"/instances/{KEY}/acks", json={"messageId": "3EB0NOPE", "status": 3})
    assert missing.status_code == 404


async def test_read_what_was_sent(control: httpx.AsyncClient, client: httpx.AsyncClient) -> None:
    await _send(client, "um")
    await _send(client, "dois", to="5511977776666")
    await control.post(f"/instances/{KEY}/inbound/text", json={"from": CONTACT, "text": "resposta"})
    everything = (await control.get(f"/instances/{KEY}/sent")).json()["messages"]
    assert [m["message"]["extendedTextMessage"]["text"] for m in everything] == ["um", "dois"]
    filtered = (await control.get(f"/instances/{KEY}/sent", params={"to": "5511977776666"})).json()["messages"]
    assert [m["key"]["remoteJid"] for m in filtered] == ["5511977776666@s.whatsapp.net"]


async def test_faults_over_http(control: httpx.AsyncClient, client: httpx.AsyncClient) -> None:
    added = await control.post("/faults", json={"kind": "rate_limit", "operation": "sendText", "retryAfter": 3})
    assert added.status_code == 201
    limited = await _send(client, "x")
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "3")
    await control.delete("/faults")
    await control.post("/faults", json={"kind": "status", "status": 502, "times": 1})
    assert (await _send(client, "x")).status_code == 502
    assert (await _send(client, "x")).status_code == 200
    await control.post("/faults", json={"kind": "app_error", "message": "falhou", "times": 1})
    assert (await _send(client, "x")).json() == {"error": True, "message": "falhou"}
    assert (await control.get("/faults")).json() == {"faults": []}


async def test_latency_and_dropped_connections_over_http(emulator: Emulator) -> None:
    with serve(emulator) as served, httpx.Client(base_url=served.base_url) as http:
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        user = {"Authorization": f"Bearer {served.token}"}
        http.post("/control/faults", headers=admin, json={"kind": "latency", "seconds": 0.3, "times": 1})
        listed = http.get("/control/faults", headers=admin).json()["faults"]
        assert listed == [{"kind": "latency", "fraction": 1.0, "seconds": 0.3, "times": 1}]
        started = time.monotonic()
        http.get(f"/rest/instance/{KEY}", headers=user)
        assert time.monotonic() - started >= 0.3
        http.post("/control/faults", headers=admin, json={"kind": "drop", "times": 1})
        with pytest.raises(httpx.RemoteProtocolError):
            http.get(f"/rest/instance/{KEY}", headers=user)


async def test_numbers_not_on_whatsapp(control: httpx.AsyncClient, client: httpx.AsyncClient) -> None:
    assert (await control.post("/not-on-whatsapp", json={"numbers": ["5511900000000"]})).json() == {"error": False}
    assert (await _send(client, "x", to="5511900000000")).status_code == 403


async def test_reset_forgets_what_happened_but_keeps_the_instance(
    emulator: Emulator, control: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    await _send(client, "x")
    await control.post("/faults", json={"kind": "status", "operation": "getWebhook"})
    await control.post("/not-on-whatsapp", json={"numbers": ["5511900000000"]})
    assert (await control.get("/calls")).json() == {"calls": {"sendText": 1}}
    await control.post("/reset")
    assert (await control.get("/calls")).json() == {"calls": {}}
    assert (await control.get(f"/instances/{KEY}/sent")).json() == {"messages": []}
    assert (await control.get(f"/instances/{KEY}/events")).json() == {"events": []}
    assert (await control.get("/faults")).json() == {"faults": []}
    assert (await _send(client, "x", to="5511900000000")).status_code == 200
    assert [i["key"] for i in (await control.get("/instances")).json()["instances"]] == [KEY]


def test_retention_bounds_what_the_emulator_keeps() -> None:
    """Memory stays flat over long runs: past the limit the oldest messages, events and media are forgotten."""
    with Emulator(retention=50) as emulator:
        instance = emulator.add_instance()
        for i in range(400):
            emulator.receive_media(CONTACT, "image", b"x" * 10, caption=str(i))
        assert len(instance.messages) == 50
        assert len(instance.events) == 50
        assert instance.messages[-1].message["imageMessage"]["caption"] == "399"


async def test_retention_over_sends() -> None:
    with Emulator(retention=20) as emulator:
        emulator.add_instance(KEY, "t")
        transport = httpx.ASGITransport(app=emulator.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://e", headers={"Authorization": "Bearer t"}
        ) as c:
            for i in range(300):
                assert (await _send(c, f"n{i}")).status_code == 200
        assert len(emulator.sent()) == 20
        assert emulator.sent()[-1]["message"]["extendedTextMessage"]["text"] == "n299"
        assert len(emulator.events()) == 20


async def test_retention_forgets_the_oldest_media_files() -> None:
    with Emulator(retention=2) as emulator:
        emulator.add_instance(KEY, "t")
        events = [emulator.receive_media(CONTACT, "document", f"file {i}".encode()) for i in range(3)]
        transport = httpx.ASGITransport(app=emulator.app)
        headers = {"Authorization": "Bearer t"}
        async with httpx.AsyncClient(transport=transport, base_url="http://e", headers=headers) as client:
            statuses = []
            for event in events:
                document = event["message"]["documentMessage"]
                keys = {name: document[name] for name in ("mediaKey", "directPath", "url", "mimetype")}
                body = {"messageKeys": keys | {"messageType": "document"}}
                statuses.append(
                    (await client.post(f"/rest/instance/downloadMediaMessage/{KEY}", json=body)).status_code
                )
        assert statuses == [404, 200, 200]


def test_retention_bounds_chats_and_contacts_but_keeps_blocked_ones() -> None:
    with Emulator(retention=10) as emulator:
        instance = emulator.add_instance()
        instance.contact("5511900000001@s.whatsapp.net").blocked = True
        for i in range(100):
            emulator.receive_text(f"55119{i + 10:08d}", "oi")
        assert len(instance.chats) == 10
        assert "5511900000109@s.whatsapp.net" in instance.chats
        assert len(instance.contacts) == 10
        assert "5511900000109@s.whatsapp.net" in instance.contacts
        assert instance.contacts["5511900000001@s.whatsapp.net"].blocked


def test_retention_must_be_positive() -> None:
    with pytest.raises(ValueError, match="retention"):
        Emulator(retention=0)
