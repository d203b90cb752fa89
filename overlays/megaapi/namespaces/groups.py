"""`api.groups`: listing, creating and administering WhatsApp groups."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from megaapi_client import operation_table as wire

from .. import arguments, jid
from ..operations import Call, R, endpoint
from .derived import GroupsOperations

if TYPE_CHECKING:
    from megaapi_client.models import GroupInviteCodeResponse, GroupResponse, StatusResponse

    from ..models import CreateGroupResponse, GroupParticipantsResponse


def _participants(
    build: Callable[..., wire.Request], group: str, participants: Sequence[str]
) -> Call[GroupParticipantsResponse]:
    from megaapi_client.models import GroupParticipantsChange, GroupParticipantsRequest

    from ..models import GroupParticipantsResponse

    change = GroupParticipantsChange(
        jid=jid.group(group), participants=arguments.many(participants, "participants", jid.person)
    )
    return Call(build(body=GroupParticipantsRequest(group_data=change)), GroupParticipantsResponse)


class Groups(GroupsOperations[R]):
    @endpoint
    def get_group(self, group: str) -> Call[GroupResponse]:
        """A group's name, description, owner and members."""
        from megaapi_client.models import GroupResponse

        return Call(wire.get_group(jid=jid.group(group)), GroupResponse)

    @endpoint
    def get_group_invite_code(self, group: str) -> Call[GroupInviteCodeResponse]:
        """The group's invite code (link `https://chat.whatsapp.com/<code>`); needs admin rights."""
        from megaapi_client.models import GroupInviteCodeResponse

        return Call(wire.get_group_invite_code(group_id=jid.group(group)), GroupInviteCodeResponse)

    @endpoint
    def create_group(self, name: str, participants: Sequence[str]) -> Call[CreateGroupResponse]:
        """Create a group named `name` with at least one other member (numbers or contact JIDs)."""
        from megaapi_client.models import CreateGroupRequest, NewGroup

        from ..models import CreateGroupResponse

        group = NewGroup(
            group_name=arguments.text(name, "name", max_length=100),
            participants=arguments.many(participants, "participants", jid.person),
        )
        return Call(wire.create_group(body=CreateGroupRequest(group_data=group)), CreateGroupResponse)

    @endpoint
    def add_participants(self, group: str, participants: Sequence[str]) -> Call[GroupParticipantsResponse]:
        """Add members (numbers or contact JIDs) to a group you administer."""

        return _participants(wire.add_participants, group, participants)

    @endpoint
    def remove_participants(self, group: str, participants: Sequence[str]) -> Call[GroupParticipantsResponse]:
        """Remove members from a group you administer."""

        return _participants(wire.remove_participants, group, participants)

    @endpoint
    def promote_participants(self, group: str, participants: Sequence[str]) -> Call[GroupParticipantsResponse]:
        """Make members group admins."""

        return _participants(wire.promote_participants, group, participants)

    @endpoint
    def demote_participants(self, group: str, participants: Sequence[str]) -> Call[GroupParticipantsResponse]:
        """Turn admins back into plain members."""

        return _participants(wire.demote_participants, group, participants)

    @endpoint
    def set_who_can_send_message(self, group: str, only_admins: bool) -> Call[StatusResponse]:
        """Let only admins (`True`) or every member (`False`) send messages in the group."""
        from megaapi_client.models import StatusResponse

        only = arguments.flag(only_admins, "only_admins")
        return Call(wire.set_who_can_send_message(jid=jid.group(group), allow_only_admins=only), StatusResponse)

    @endpoint
    def set_who_can_change_settings(self, group: str, only_admins: bool) -> Call[StatusResponse]:
        """Let only admins (`True`) or every member (`False`) edit the group's name, picture and settings."""
        from megaapi_client.models import StatusResponse

        only = arguments.flag(only_admins, "only_admins")
        return Call(wire.set_who_can_change_settings(jid=jid.group(group), allow_only_admins=only), StatusResponse)

    @endpoint
    def leave_group(self, group: str) -> Call[StatusResponse]:
        """Leave a group."""
        from megaapi_client.models import StatusResponse

        return Call(wire.leave_group(jid=jid.group(group)), StatusResponse)
