"""`BulkSendResponse`: the reply class of that name (see `megaapi.models`)."""

from __future__ import annotations

from megaapi_client import models as _generated

from . import Reply


class BulkSendResponse(Reply, _generated.BulkSendResponse):
    """Result of a send to several recipients."""
