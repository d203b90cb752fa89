"""`PairingCodeResponse`: the reply class of that name (see `megaapi.models`)."""

from __future__ import annotations

from typing import Any

from megaapi_client import models as _generated
from megaapi_client.types import Unset

from . import Reply, _required, _set

# Where the generated class keeps the reply's own `code` field (a slot), which the property below reads around.
_RECEIVED_CODE: Any = vars(_generated.PairingCodeResponse)["code"]


class PairingCodeResponse(Reply, _generated.PairingCodeResponse):
    """A code to type on the phone: `code`, whichever of the reply's two names for it the host used."""

    @property  # the declared field, read as str without `Unset`
    def code(self) -> str:
        """`pairingCode`, or `code` where a host names it so (the n8n node reads both); raises
        `MissingReplyFieldError` when the reply has neither."""
        return _required(_set(self.pairing_code) or _set(_RECEIVED_CODE.__get__(self)), "code", "pairingCode", None)

    @code.setter
    def code(self, value: str | Unset) -> None:
        _RECEIVED_CODE.__set__(self, value)  # the generated constructor stores the field as received

    def to_dict(self) -> dict[str, Any]:
        """The reply as received: `code` only if the host sent it."""
        document = super().to_dict()  # reads `code` through the property above: put the received value back
        received = _RECEIVED_CODE.__get__(self)
        if isinstance(received, Unset):
            document.pop("code", None)
        else:
            document["code"] = received
        return document
