"""`CheckNumberResponse`: the reply class of that name (see `megaapi.models`)."""

from __future__ import annotations

from megaapi_client import models as _generated

from . import Reply, _set


class CheckNumberResponse(Reply, _generated.CheckNumberResponse):
    """Whether a number has WhatsApp; `on_whatsapp` reads the `exists` flag (false when the reply lacks it)."""

    @property
    def on_whatsapp(self) -> bool:
        return _set(self.exists) is True
