"""`CreateInstanceResponse`: the reply class of that name (see `megaapi.models`)."""

from __future__ import annotations

from megaapi_client import models as _generated

from . import Reply


class CreateInstanceResponse(Reply, _generated.CreateInstanceResponse):
    """The new instance's key and token (its repr masks both)."""
