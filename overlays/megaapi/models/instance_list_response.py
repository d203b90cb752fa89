"""`InstanceListResponse`: the reply class of that name (see `megaapi.models`)."""

from __future__ import annotations

from megaapi_client import models as _generated

from . import Reply, _set


class InstanceListResponse(Reply, _generated.InstanceListResponse):
    """Instances of the account; `items` is the list under `data` or `instances` (their reprs mask each key)."""

    @property
    def items(self) -> list[_generated.InstanceInfo]:
        return _set(self.data) or _set(self.instances) or []
