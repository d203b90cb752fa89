"""`GroupParticipantsResponse`: the reply class of that name (see `megaapi.models`)."""

from __future__ import annotations

from megaapi_client import models as _generated

from . import Reply, _set


class GroupParticipantsResponse(Reply, _generated.GroupParticipantsResponse):
    """Outcome of a participant change; `results` is the per-member list, empty when not reported."""

    @property
    def results(self) -> list[_generated.ParticipantResult]:
        return _set(self.data) or []
