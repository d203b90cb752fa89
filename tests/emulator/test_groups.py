"""Groups: creation, membership, admin roles, settings and leaving."""

from __future__ import annotations

import re
from typing import Any

import httpx
from spec_requests import KEY

from megaapi.testing import Emulator, response_error

GROUP = f"/rest/group/{KEY}"
ME = "5561981278471@s.whatsapp.net"
MARIA, JOAO, ANA = "5511911111111@s.whatsapp.net", "5511922222222@s.whatsapp.net", "5511933333333@s.whatsapp.net"


async def _change(client: httpx.AsyncClient, route: str, jid: str, *people: str) -> dict[str, Any]:
    response = await client.post(f"{GROUP}/{route}", json={"group_data": {"jid": jid, "participants": list(people)}})
    body: dict[str, Any] = response.json()
    return body


async def test_create_makes_the_account_superadmin(emulator: Emulator, client: httpx.AsyncClient) -> None:
    body = {"group_data": {"group_name": "Vendas", "participants": ["5511911111111", JOAO]}}
    created = (await client.post(f"{GROUP}/create", json=body)).json()
    group = created["data"]
    assert response_error("createGroup", 200, created) is None
    assert re.fullmatch(r"1203630\d{11}@g\.us", group["id"])
    assert group["owner"] == ME
    assert group["participants"] == [
        {"id": ME, "admin": "superadmin"},
        {"id": MARIA, "admin": None},
        {"id": JOAO, "admin": None},
    ]
    assert (group["announce"], group["restrict"]) == (False, False)


async def test_people_who_refuse_or_lack_whatsapp_are_left_out(emulator: Emulator, client: httpx.AsyncClient) -> None:
    emulator.refuse_group_adds("5511911111111")
    emulator.mark_not_on_whatsapp("5511922222222")
    body = {"group_data": {"group_name": "Vendas", "participants": [MARIA, JOAO, ANA]}}
    group = (await client.post(f"{GROUP}/create", json=body)).json()["data"]
    assert [p["id"] for p in group["participants"]] == [ME, ANA]


async def test_lists_distinguish_member_and_admin_groups(emulator: Emulator, client: httpx.AsyncClient) -> None:
    mine = emulator.add_group("Minha", [MARIA])
    theirs = emulator.add_group("Deles", [MARIA], admin=False)
    every = (await client.get(f"/rest/group/list/{KEY}")).json()["groups"]
    admin = (await client.get(f"{GROUP}/adminGroups")).json()["groups"]
    with_members = (await client.get(f"{GROUP}/adminGroupsWithParticipants")).json()["groups"]
    assert [g["id"] for g in every] == [mine.jid, theirs.jid]
    assert [g["subject"] for g in every] == ["Minha", "Deles"]
    assert "participants" not in every[0]
    assert [g["id"] for g in admin] == [mine.jid]
    assert with_members[0]["participants"] == [{"id": ME, "admin": "superadmin"}, {"id": MARIA, "admin": None}]


async def test_details_and_invite_code(emulator: Emulator, client: httpx.AsyncClient) -> None:
    group = emulator.add_group("Vendas", [MARIA])
    details = (await client.get(f"{GROUP}/group", params={"jid": group.jid})).json()
    invite = (await client.get(f"{GROUP}/groupInviteCode", params={"group_id": group.jid})).json()
    unknown = await client.get(f"{GROUP}/group", params={"jid": "120363000000000000@g.us"})
    assert details["subject"] == "Vendas"
    assert details["id"] == group.jid
    assert invite["link"] == f"https://chat.whatsapp.com/{invite['code']}"
    assert len(invite["code"]) == 22
    assert unknown.status_code == 404


async def test_participant_changes_report_a_code_per_person(emulator: Emulator, client: httpx.AsyncClient) -> None:
    group = emulator.add_group("Vendas", [MARIA])
    added = await _change(client, "addParticipants", group.jid, JOAO, MARIA)
    promoted = await _change(client, "promoteParticipants", group.jid, JOAO, ANA)
    demoted = await _change(client, "demoteParticipants", group.jid, JOAO, ME)
    removed = await _change(client, "removeParticipants", group.jid, MARIA, ME, ANA)

    assert added["data"] == [{"jid": JOAO, "status": "200"}, {"jid": MARIA, "status": "409"}]
    assert promoted["data"] == [{"jid": JOAO, "status": "200"}, {"jid": ANA, "status": "404"}]
    assert demoted["data"] == [{"jid": JOAO, "status": "200"}, {"jid": ME, "status": "403"}]
    assert removed["data"] == [
        {"jid": MARIA, "status": "200"},
        {"jid": ME, "status": "403"},
        {"jid": ANA, "status": "404"},
    ]
    assert group.participants == {ME: "superadmin", JOAO: None}


async def test_only_admins_change_a_group(emulator: Emulator, client: httpx.AsyncClient) -> None:
    group = emulator.add_group("Deles", [MARIA], admin=False)
    add = await client.post(f"{GROUP}/addParticipants", json={"group_data": {"jid": group.jid, "participants": [JOAO]}})
    settings = await client.put(f"{GROUP}/setWhoCanSendMessage", params={"jid": group.jid, "allowOnlyAdmins": "true"})
    invite = await client.get(f"{GROUP}/groupInviteCode", params={"group_id": group.jid})
    assert [add.status_code, settings.status_code, invite.status_code] == [403, 403, 403]
    assert JOAO not in group.participants


async def test_announcement_groups_take_messages_from_admins_only(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    group = emulator.add_group("Avisos", [MARIA], admin=False)
    body = {"messageData": {"to": group.jid, "text": "Olá"}}
    before = (await client.post(f"/rest/sendMessage/{KEY}/text", json=body)).json()
    group.announce = True
    after = (await client.post(f"/rest/sendMessage/{KEY}/text", json=body)).json()
    assert before["messageData"]["key"]["remoteJid"] == group.jid
    assert after == {"error": True, "message": "Only admins can send messages to this group"}


async def test_settings_change_the_group(emulator: Emulator, client: httpx.AsyncClient) -> None:
    group = emulator.add_group("Vendas", [MARIA])
    await client.put(f"{GROUP}/setWhoCanSendMessage", params={"jid": group.jid, "allowOnlyAdmins": "true"})
    await client.put(f"{GROUP}/setWhoCanChangeSettings", params={"jid": group.jid, "allowOnlyAdmins": "true"})
    details = (await client.get(f"{GROUP}/group", params={"jid": group.jid})).json()
    assert (details["announce"], details["restrict"]) == (True, True)


async def test_leaving_hands_the_group_to_another_member(emulator: Emulator, client: httpx.AsyncClient) -> None:
    group = emulator.add_group("Vendas", [MARIA, JOAO])
    left = (await client.delete(f"{GROUP}/leaveGroup", params={"jid": group.jid})).json()
    again = await client.get(f"{GROUP}/group", params={"jid": group.jid})
    assert left == {"error": False, "message": "Left the group"}
    assert group.participants == {MARIA: "admin", JOAO: None}
    assert again.status_code == 404


async def test_the_last_member_leaving_ends_the_group(emulator: Emulator, client: httpx.AsyncClient) -> None:
    group = emulator.add_group("Sozinho")
    await client.delete(f"{GROUP}/leaveGroup", params={"jid": group.jid})
    assert (await client.get(f"/rest/group/list/{KEY}")).json()["groups"] == []


async def test_group_picture_needs_an_admin(emulator: Emulator, client: httpx.AsyncClient) -> None:
    mine = emulator.add_group("Minha", [MARIA])
    theirs = emulator.add_group("Deles", [MARIA], admin=False)
    route = f"/rest/instance/setProfilePictureUrl/{KEY}"
    url = "https://example.com/logo.jpg"
    allowed = (await client.post(route, json={"messageData": {"to": mine.jid, "url": url}})).json()
    refused = (await client.post(route, json={"messageData": {"to": theirs.jid, "url": url}})).json()
    assert allowed["error"] is False
    assert refused["error"] is True
