"""`api.groups`: listing, creating and administering WhatsApp groups."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .. import arguments, jid
from ..operations import Call, Namespace, R, endpoint

if TYPE_CHECKING:
    from megaapi_client.models import GroupInviteCodeResponse, GroupResponse, StatusResponse

    from ..models import CreateGroupResponse, GroupListResponse, GroupParticipantsResponse


def _participants(op: Any, group: str, participants: Sequence[str]) -> Call[GroupParticipantsResponse]:
    from megaapi_client.models import GroupParticipantsChange, GroupParticipantsRequest

    from ..models import GroupParticipantsResponse

    change = GroupParticipantsChange(
        jid=jid.group(group), participants=arguments.many(participants, "participants", jid.person)
    )
    # Membership changes are set operations: repeating one changes nothing more.
    return Call(op, {"body": GroupParticipantsRequest(group_data=change)}, GroupParticipantsResponse, idempotent=True)


class Groups(Namespace[R]):
    @endpoint
    def list_groups(self) -> Call[GroupListResponse]:
        """Every group of the connected account (communities included), each with `id` and `subject`."""
        from megaapi_client.api.groups import list_groups as op
        from megaapi_client.models import GroupListResponse

        return Call(op, {}, GroupListResponse, idempotent=True)

    @endpoint
    def list_admin_groups(self) -> Call[GroupListResponse]:
        """The groups in which the connected account is an admin."""
        from megaapi_client.api.groups import list_admin_groups as op
        from megaapi_client.models import GroupListResponse

        return Call(op, {}, GroupListResponse, idempotent=True)

    @endpoint
    def list_admin_groups_with_participants(self) -> Call[GroupListResponse]:
        """The administered groups with their members and roles."""
        from megaapi_client.api.groups import list_admin_groups_with_participants as op
        from megaapi_client.models import GroupListResponse

        return Call(op, {}, GroupListResponse, idempotent=True)

    @endpoint
    def get_group(self, group: str) -> Call[GroupResponse]:
        """A group's name, description, owner and members."""
        from megaapi_client.api.groups import get_group as op
        from megaapi_client.models import GroupResponse

        return Call(op, {"jid": jid.group(group)}, GroupResponse, idempotent=True)

    @endpoint
    def get_group_invite_code(self, group: str) -> Call[GroupInviteCodeResponse]:
        """The group's invite code (link `https://chat.whatsapp.com/<code>`); needs admin rights."""
        from megaapi_client.api.groups import get_group_invite_code as op
        from megaapi_client.models import GroupInviteCodeResponse

        return Call(op, {"group_id": jid.group(group)}, GroupInviteCodeResponse, idempotent=True)

    @endpoint
    def create_group(self, name: str, participants: Sequence[str]) -> Call[CreateGroupResponse]:
        """Create a group named `name` with at least one other member (numbers or contact JIDs)."""
        from megaapi_client.api.groups import create_group as op
        from megaapi_client.models import CreateGroupRequest, NewGroup

        from ..models import CreateGroupResponse

        group = NewGroup(
            group_name=arguments.text(name, "name", max_length=100),
            participants=arguments.many(participants, "participants", jid.person),
        )
        return Call(op, {"body": CreateGroupRequest(group_data=group)}, CreateGroupResponse, idempotent=False)

    @endpoint
    def add_participants(self, group: str, participants: Sequence[str]) -> Call[GroupParticipantsResponse]:
        """Add members (numbers or contact JIDs) to a group you administer."""
        from megaapi_client.api.groups import add_participants as op

        return _participants(op, group, participants)

    @endpoint
    def remove_participants(self, group: str, participants: Sequence[str]) -> Call[GroupParticipantsResponse]:
        """Remove members from a group you administer."""
        from megaapi_client.api.groups import remove_participants as op

        return _participants(op, group, participants)

    @endpoint
    def promote_participants(self, group: str, participants: Sequence[str]) -> Call[GroupParticipantsResponse]:
        """Make members group admins."""
        from megaapi_client.api.groups import promote_participants as op

        return _participants(op, group, participants)

    @endpoint
    def demote_participants(self, group: str, participants: Sequence[str]) -> Call[GroupParticipantsResponse]:
        """Turn admins back into plain members."""
        from megaapi_client.api.groups import demote_participants as op

        return _participants(op, group, participants)

    @endpoint
    def set_who_can_send_message(self, group: str, only_admins: bool) -> Call[StatusResponse]:
        """Let only admins (`True`) or every member (`False`) send messages in the group."""
        from megaapi_client.api.groups import set_who_can_send_message as op
        from megaapi_client.models import StatusResponse

        kwargs = {"jid": jid.group(group), "allow_only_admins": arguments.flag(only_admins, "only_admins")}
        return Call(op, kwargs, StatusResponse, idempotent=True)

    @endpoint
    def set_who_can_change_settings(self, group: str, only_admins: bool) -> Call[StatusResponse]:
        """Let only admins (`True`) or every member (`False`) edit the group's name, picture and settings."""
        from megaapi_client.api.groups import set_who_can_change_settings as op
        from megaapi_client.models import StatusResponse

        kwargs = {"jid": jid.group(group), "allow_only_admins": arguments.flag(only_admins, "only_admins")}
        return Call(op, kwargs, StatusResponse, idempotent=True)

    @endpoint
    def leave_group(self, group: str) -> Call[StatusResponse]:
        """Leave a group."""
        from megaapi_client.api.groups import leave_group as op
        from megaapi_client.models import StatusResponse

        return Call(op, {"jid": jid.group(group)}, StatusResponse, idempotent=True)
