"""`GroupListResponse`: the reply class of that name (see `megaapi.models`)."""

from __future__ import annotations

from megaapi_client import models as _generated

from . import Reply, _set


class GroupListResponse(Reply, _generated.GroupListResponse):
    """Groups of the connected account; `items` is the list, empty when the server sent none."""

    @property
    def items(self) -> list[_generated.GroupInfo]:
        return _set(self.groups) or []
