"""Response models with a few conveniences, over the generated ones.

The spec keeps responses lenient (every field optional), so the generated models type most fields as
`X | Unset`. The classes below subclass the generated models of the same name and add read-only properties for the
values people read after almost every call, typed as `X | None`; they are what the client's methods return. The
other models are those of `megaapi_client.models`, unchanged.
"""

from __future__ import annotations

from typing import TypeVar

from megaapi_client import models as _generated
from megaapi_client.types import Unset

T = TypeVar("T")


def _set(value: T | Unset | None) -> T | None:
    return None if isinstance(value, Unset) else value


class SendMessageResponse(_generated.SendMessageResponse):
    """Result of a send; `key` identifies the new message for receipts, replies and deletion."""

    @property
    def key(self) -> _generated.MessageKey | None:
        data = _set(self.message_data)
        return None if data is None else _set(data.key)

    @property
    def message_id(self) -> str | None:
        key = self.key
        return None if key is None else key.id


class InstanceStatusResponse(_generated.InstanceStatusResponse):
    """State of the instance; `connected` follows the vendor's rule: a linked account shows as `instance.user`."""

    @property
    def user(self) -> _generated.WhatsAppUser | None:
        instance = _set(self.instance)
        return None if instance is None else _set(instance.user)

    @property
    def connected(self) -> bool:
        return self.user is not None


class CheckNumberResponse(_generated.CheckNumberResponse):
    """Whether a number has WhatsApp; `on_whatsapp` reads the loosely typed `exists` flag."""

    @property
    def on_whatsapp(self) -> bool:
        exists = _set(self.exists)
        return exists is True or (isinstance(exists, str) and exists.lower() == "true")


class CreateGroupResponse(_generated.CreateGroupResponse):
    """The new group; `group_id` is its JID when the server reports it."""

    @property
    def group_id(self) -> str | None:
        data = _set(self.data)
        return None if data is None else _set(data.id)


class GroupParticipantsResponse(_generated.GroupParticipantsResponse):
    """Outcome of a participant change; `results` is the per-member list, empty when not reported."""

    @property
    def results(self) -> list[_generated.ParticipantResult]:
        return _set(self.data) or []
