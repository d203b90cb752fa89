"""`InstanceStatusResponse`: the reply class of that name (see `megaapi.models`)."""

from __future__ import annotations

from megaapi_client import models as _generated

from . import Reply, _set


class InstanceStatusResponse(Reply, _generated.InstanceStatusResponse):
    """State of the instance; `connected` follows the vendor's rule: a linked account shows as `instance.user`."""

    @property
    def user(self) -> _generated.WhatsAppUser | None:
        instance = _set(self.instance)
        return None if instance is None else _set(instance.user)

    @property
    def connected(self) -> bool:
        return self.user is not None
