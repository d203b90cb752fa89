"""`ContactListResponse`: the reply class of that name (see `megaapi.models`)."""

from __future__ import annotations

from megaapi_client import models as _generated

from . import _UndocumentedList


class ContactListResponse(_UndocumentedList, _generated.ContactListResponse):
    """Contacts the live session knows; `items` are plain JSON objects (the shape is undocumented)."""
