"""`InboxReceiver`: `WebhookApp`'s checks, then a durable write, then 200."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, NoReturn

from megaapi.webhooks import WebhookApp
from megaapi.webhooks._app import DEFAULT_MAX_BODY_SIZE, Send, respond

if TYPE_CHECKING:
    from ._inbox import Inbox

logger = logging.getLogger("megaapi.inbox")


class InboxReceiver(WebhookApp):
    """The ASGI app for the webhook URL; make one with `Inbox.receiver()`.

    Token, method, size, JSON and instance checks are `WebhookApp`'s, with the same answers (401, 405, 413, 400,
    403). A delivery that passes them is committed to the store before the 200 goes out, so an event Mega-api saw
    acknowledged survives any crash; if the store cannot take it, the answer is 503 and nothing is acknowledged.
    Handlers never run here: the inbox's workers run them afterwards.
    """

    def __init__(
        self,
        inbox: Inbox,
        *,
        token: str | None = None,
        instance_key: str | None = None,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    ) -> None:
        super().__init__(token=token, instance_key=instance_key, max_body_size=max_body_size)
        self.inbox = inbox

    def __repr__(self) -> str:
        return f"InboxReceiver({self.inbox!r})"

    def on(self, *kinds: Any) -> NoReturn:
        raise TypeError("register handlers on the Inbox (inbox.on, inbox.on_event): they run after the store")

    def on_any(self, handler: Any) -> NoReturn:
        raise TypeError("register handlers on the Inbox (inbox.on, inbox.on_event): they run after the store")

    async def _accept(self, payload: dict[str, Any], send: Send) -> None:
        try:
            await asyncio.to_thread(self.inbox.store, payload)
        except Exception:
            # The exception names the database problem; the payload is not logged.
            logger.exception("Could not store a webhook delivery; answering 503 so that it is not acknowledged")
            await respond(send, 503, "not stored")
            return
        await respond(send, 200, "ok")
