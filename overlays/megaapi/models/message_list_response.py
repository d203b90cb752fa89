"""`MessageListResponse`: the reply class of that name (see `megaapi.models`)."""

from __future__ import annotations

from megaapi_client import models as _generated

from . import _UndocumentedList


class MessageListResponse(_UndocumentedList, _generated.MessageListResponse):
    """Messages the live session still holds; `items` are plain JSON objects (the shape is undocumented)."""
