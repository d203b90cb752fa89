"""`SendMessageResponse`: the reply class of that name (see `megaapi.models`)."""

from __future__ import annotations

from megaapi_client import models as _generated

from . import Reply, _path, _required, _set


class SendMessageResponse(Reply, _generated.SendMessageResponse):
    """Result of a send; `key` identifies the new message for receipts, replies and deletion."""

    @property
    def key(self) -> _generated.MessageKey | None:
        data = _set(self.message_data)
        return None if data is None else _set(data.key)

    @property
    def message_id(self) -> str:
        """The id of the new message (read from `raw` when the rest of its key did not match the spec).

        Raises `MissingReplyFieldError` when the reply has none: the message was sent all the same.
        """
        key = self.key
        found = key.id if key is not None else _path(self.raw, "messageData", "key", "id")
        return _required(found, "message_id", "messageData.key.id", "the message was sent")
