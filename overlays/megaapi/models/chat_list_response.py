"""`ChatListResponse`: the reply class of that name (see `megaapi.models`)."""

from __future__ import annotations

from megaapi_client import models as _generated

from . import _UndocumentedList


class ChatListResponse(_UndocumentedList, _generated.ChatListResponse):
    """Chats the live session holds; `items` are plain JSON objects (the shape is undocumented)."""
