"""`CreateGroupResponse`: the reply class of that name (see `megaapi.models`)."""

from __future__ import annotations

from megaapi_client import models as _generated

from . import Reply, _required, _set


class CreateGroupResponse(Reply, _generated.CreateGroupResponse):
    """The new group; `group_id` is its JID."""

    @property
    def group_id(self) -> str:
        """The new group's JID; raises `MissingReplyFieldError` when the reply has none (the group exists anyway)."""
        data = _set(self.data)
        return _required(None if data is None else _set(data.id), "group_id", "data.id", "the group was created")
