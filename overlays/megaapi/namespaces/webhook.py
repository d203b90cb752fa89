"""`api.webhook`: where and whether Mega-api delivers events."""

from __future__ import annotations

from typing import TYPE_CHECKING

from megaapi_client import operation_table as wire

from .. import arguments
from ..errors import InvalidInputError
from ..operations import Call, R, endpoint
from .derived import WebhookOperations

if TYPE_CHECKING:
    from megaapi_client.models import WebhookResponse


class Webhook(WebhookOperations[R]):
    @endpoint
    def configure_webhook(self, url: str | None, *, enabled: bool = True) -> Call[WebhookResponse]:
        """Deliver events to `url`, or stop delivery with `enabled=False` (the URL may then be None).

        Mega-api signs nothing: put a long random secret in the URL and check it on arrival
        (`megaapi.webhooks.WebhookApp` does).
        """
        from megaapi_client.models import ConfigureWebhookRequest, WebhookResponse, WebhookSettings

        on = arguments.flag(enabled, "enabled")
        address = webhook_url(url, required=on)
        body = ConfigureWebhookRequest(message_data=WebhookSettings(webhook_url=address, webhook_enabled=on))
        return Call(wire.configure_webhook(body=body), WebhookResponse)


def webhook_url(url: str | None, *, required: bool) -> str:
    if url is None or (isinstance(url, str) and not url.strip() and not required):
        if required:
            raise InvalidInputError("url is required to enable the webhook")
        return ""
    return arguments.http_url(url, "url", max_length=2048)
