"""Connection states: disconnected -> QR or pairing code issued -> connected -> logged out."""

from __future__ import annotations

import base64
import re
import struct
import zlib

import httpx
import pytest
from spec_requests import ADMIN_TOKEN, KEY

from megaapi.testing import Emulator

STATUS = f"/rest/instance/{KEY}"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert zlib.crc32(data[12 : 16 + length]) == struct.unpack(">I", data[16 + length : 20 + length])[0]
    return width, height


async def test_a_connected_instance_reports_its_account(client: httpx.AsyncClient) -> None:
    body = (await client.get(STATUS)).json()
    assert body["instance"] == {
        "key": KEY,
        "status": "connected",
        "user": {"id": "5561981278471@s.whatsapp.net", "name": "Loja Teste"},
    }


async def test_qr_code_then_a_status_poll_links_the_phone(emulator: Emulator, client: httpx.AsyncClient) -> None:
    emulator.disconnect()
    assert "user" not in (await client.get(STATUS)).json()["instance"]

    qr = (await client.get(f"/rest/instance/qrcode_base64/{KEY}")).json()
    prefix = "data:image/png;base64,"
    assert qr["qrcode"].startswith(prefix)
    assert _png_size(base64.b64decode(qr["qrcode"][len(prefix) :])) == (116, 116)
    assert emulator.instance().state == "connecting"

    status = (await client.get(STATUS)).json()
    assert status["instance"]["status"] == "connected"
    assert status["instance"]["user"]["id"] == "5561981278471@s.whatsapp.net"


async def test_the_qr_image_is_a_png(emulator: Emulator, client: httpx.AsyncClient) -> None:
    emulator.disconnect()
    response = await client.get(f"/rest/instance/qrcode/{KEY}")
    assert response.headers["content-type"] == "image/png"
    assert _png_size(response.content) == (116, 116)


async def test_each_qr_code_differs_like_a_rotating_code(emulator: Emulator, client: httpx.AsyncClient) -> None:
    emulator.disconnect()
    first = (await client.get(f"/rest/instance/qrcode_base64/{KEY}")).json()["qrcode"]
    second = (await client.get(f"/rest/instance/qrcode_base64/{KEY}")).json()["qrcode"]
    assert first != second


async def test_pairing_code_links_the_number_it_was_issued_for(emulator: Emulator, client: httpx.AsyncClient) -> None:
    emulator.disconnect()
    body = (await client.get(f"/rest/instance/pairingCode/{KEY}", params={"phoneNumber": "5511912345678"})).json()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", body["pairingCode"])
    status = (await client.get(STATUS)).json()
    assert status["instance"]["user"]["id"] == "5511912345678@s.whatsapp.net"


async def test_a_custom_pairing_code_is_used(emulator: Emulator, client: httpx.AsyncClient) -> None:
    emulator.disconnect()
    params = {"phoneNumber": "5511912345678", "customPairingCode": "MEGA1234"}
    body = (await client.get(f"/rest/instance/pairingCode/{KEY}", params=params)).json()
    assert body["pairingCode"] == "MEGA1234"


async def test_a_pairing_number_with_other_characters_is_an_application_error(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    emulator.disconnect()
    response = await client.get(f"/rest/instance/pairingCode/{KEY}", params={"phoneNumber": "+55 11 91234-5678"})
    assert response.status_code == 200
    assert response.json()["error"] is True
    assert emulator.instance().state == "disconnected"


async def test_without_auto_pair_the_phone_scans_when_the_test_says_so(client: httpx.AsyncClient) -> None:
    with Emulator(auto_pair=False) as emulator:
        instance = emulator.add_instance(connected=False)
        transport = httpx.ASGITransport(app=emulator.app)
        headers = {"Authorization": f"Bearer {instance.token}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator", headers=headers) as own:
            await own.get(f"/rest/instance/qrcode_base64/{instance.key}")
            polled = (await own.get(f"/rest/instance/{instance.key}")).json()
            emulator.pair()
            paired = (await own.get(f"/rest/instance/{instance.key}")).json()
    assert polled["instance"]["status"] == "connecting"
    assert paired["instance"]["status"] == "connected"


@pytest.mark.parametrize("path", ["qrcode", "qrcode_base64"])
async def test_a_connected_instance_issues_no_qr_code(path: str, client: httpx.AsyncClient) -> None:
    response = await client.get(f"/rest/instance/{path}/{KEY}")
    assert response.status_code == 403
    assert response.json()["message"].startswith("Instance already connected")


async def test_logout_unlinks_but_keeps_the_instance(emulator: Emulator, client: httpx.AsyncClient) -> None:
    await client.post(
        f"/rest/webhook/{KEY}/configWebhook", json={"messageData": {"webhookUrl": "", "webhookEnabled": False}}
    )
    response = await client.delete(f"/rest/instance/{KEY}/logout")
    assert response.json() == {"error": False, "message": "Logout successfully"}
    status = (await client.get(STATUS)).json()
    assert status["instance"] == {"key": KEY, "status": "disconnected"}
    assert status["message"] == "Instance not connected"


async def test_connection_changes_produce_connection_update_events(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    await client.delete(f"/rest/instance/{KEY}/logout")
    emulator.pair()
    updates = [e for e in emulator.events() if e["messageType"] == "connection_update"]
    assert [e["message"] for e in updates] == ["phone_connected", "phone_disconnected", "phone_connected"]
    assert updates[1]["closeReason"] == "logged out"


async def test_a_disconnected_instance_cannot_send(emulator: Emulator, client: httpx.AsyncClient) -> None:
    emulator.disconnect()
    body = {"messageData": {"to": "5511999999999", "text": "Oi"}}
    response = await client.post(f"/rest/sendMessage/{KEY}/text", json=body)
    assert response.status_code == 200
    assert response.json() == {"error": True, "message": "Instance not connected"}
    assert emulator.instance().messages == []


async def test_account_operations_manage_instances(emulator: Emulator, client: httpx.AsyncClient) -> None:
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    body = {"messageData": {"webhookUrl": "http://127.0.0.1:9/hook", "webhookEnabled": True}}
    created = (
        await client.post("/rest/instance/init", params={"instance_key": "megaapi-new"}, json=body, headers=admin)
    ).json()
    assert created["key"] == "megaapi-new"
    duplicate = await client.post("/rest/instance/init", params={"instance_key": "megaapi-new"}, headers=admin)
    listed = (await client.get("/rest/instance/list", headers=admin)).json()["instances"]
    own_token = {"Authorization": f"Bearer {created['token']}"}
    webhook = (await client.get("/rest/webhook/megaapi-new", headers=own_token)).json()["webhookData"]
    deleted = await client.delete("/rest/instance/megaapi-new/delete", headers=admin)
    gone = await client.get("/rest/instance/megaapi-new", headers=own_token)

    assert duplicate.status_code == 403
    assert [item["key"] for item in listed] == [KEY, "megaapi-new"]
    assert listed[1] == {"key": "megaapi-new", "status": "disconnected"}
    assert webhook == {"webhookUrl": "http://127.0.0.1:9/hook", "webhookEnabled": True}
    assert deleted.json() == {"error": False, "message": "Instance deleted"}
    assert gone.status_code == 404


async def test_created_instances_get_a_key_when_none_is_given(client: httpx.AsyncClient) -> None:
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    created = (await client.post("/rest/instance/init", params={"disable_webhook": "true"}, headers=admin)).json()
    assert created["key"].startswith("megaapi-")
    assert created["token"]
