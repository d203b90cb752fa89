"""Operations tagged `groups`: listing, creating and administering groups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from megaapi.testing.ops.registry import Call, handles, ok, require_flag
from megaapi.testing.state import Group, normalize_jid

# WhatsApp answers a participant change with one code per member.
DONE, REFUSED, NOT_A_MEMBER = "200", "403", "404"


@handles("listGroups", connected=True)
def list_groups(call: Call) -> dict[str, Any]:
    groups = call.world.groups_of(call.me)
    return ok("success", groups=[group.as_json(with_participants=False) for group in groups])


def _administered(call: Call) -> list[Group]:
    return [group for group in call.world.groups_of(call.me) if group.is_admin(call.me.jid)]


@handles("listAdminGroups", connected=True)
def list_admin_groups(call: Call) -> dict[str, Any]:
    return ok("success", groups=[group.as_json(with_participants=False) for group in _administered(call)])


@handles("listAdminGroupsWithParticipants", connected=True)
def list_admin_groups_with_participants(call: Call) -> dict[str, Any]:
    return ok("success", groups=[group.as_json() for group in _administered(call)])


@handles("getGroup", connected=True)
def get_group(call: Call) -> dict[str, Any]:
    return ok("success", **call.world.member_group(call.me, call.text_query("jid")).as_json())


@handles("getGroupInviteCode", connected=True)
def get_group_invite_code(call: Call) -> dict[str, Any]:
    group = call.world.admin_group(call.me, call.text_query("group_id"))
    return ok("success", code=group.invite_code, link=f"https://chat.whatsapp.com/{group.invite_code}")


@handles("createGroup", connected=True)
def create_group(call: Call) -> dict[str, Any]:
    data = call.body["group_data"]
    group = call.world.create_group(call.me, data["group_name"], data["participants"])
    return ok("Group created", data=group.as_json())


def _change(call: Call, message: str, change: Callable[[Group, str], str]) -> dict[str, Any]:
    data = call.body["group_data"]
    group = call.world.admin_group(call.me, data["jid"])
    results = []
    for participant in data["participants"]:
        jid = normalize_jid(participant)
        results.append({"jid": jid, "status": change(group, jid)})
    return ok(message, data=results)


def _remove(group: Group, jid: str) -> str:
    if jid not in group.participants:
        return NOT_A_MEMBER
    if group.role(jid) == "superadmin":
        return REFUSED  # nobody removes the group's creator
    del group.participants[jid]
    return DONE


def _promote(group: Group, jid: str) -> str:
    if jid not in group.participants:
        return NOT_A_MEMBER
    if group.role(jid) is None:
        group.participants[jid] = "admin"
    return DONE


def _demote(group: Group, jid: str) -> str:
    if jid not in group.participants:
        return NOT_A_MEMBER
    if group.role(jid) == "superadmin":
        return REFUSED
    group.participants[jid] = None
    return DONE


@handles("addParticipants", connected=True)
def add_participants(call: Call) -> dict[str, Any]:
    return _change(call, "Participants added", call.world.add_result)


@handles("removeParticipants", connected=True)
def remove_participants(call: Call) -> dict[str, Any]:
    return _change(call, "Participants removed", _remove)


@handles("promoteParticipants", connected=True)
def promote_participants(call: Call) -> dict[str, Any]:
    return _change(call, "Participants promoted", _promote)


@handles("demoteParticipants", connected=True)
def demote_participants(call: Call) -> dict[str, Any]:
    return _change(call, "Participants demoted", _demote)


@handles("setWhoCanSendMessage", connected=True)
def set_who_can_send_message(call: Call) -> dict[str, Any]:
    only_admins = require_flag(call.query["allowOnlyAdmins"], "allowOnlyAdmins")
    call.world.admin_group(call.me, call.text_query("jid")).announce = only_admins
    return ok("Group settings updated")


@handles("setWhoCanChangeSettings", connected=True)
def set_who_can_change_settings(call: Call) -> dict[str, Any]:
    only_admins = require_flag(call.query["allowOnlyAdmins"], "allowOnlyAdmins")
    call.world.admin_group(call.me, call.text_query("jid")).restrict = only_admins
    return ok("Group settings updated")


@handles("leaveGroup", connected=True)
def leave_group(call: Call) -> dict[str, Any]:
    world, me = call.world, call.me
    group = world.member_group(me, call.text_query("jid"))
    del group.participants[me.jid]
    if not group.participants:
        del world.groups[group.jid]
    elif not any(group.is_admin(jid) for jid in group.participants):
        # WhatsApp hands the group to another member when its last admin leaves.
        group.participants[next(iter(group.participants))] = "admin"
    return ok("Left the group")
