"""Operations tagged `webhook`: where and whether the instance delivers events."""

from __future__ import annotations

from typing import Any

from megaapi.testing.ops.registry import Call, handles, ok
from megaapi.testing.state import Instance


def _settings(me: Instance) -> dict[str, Any]:
    return {"webhookUrl": me.webhook_url, "webhookEnabled": me.webhook_enabled}


@handles("getWebhook")
def get_webhook(call: Call) -> dict[str, Any]:
    return ok("success", webhookData=_settings(call.me))


@handles("configureWebhook")
def configure_webhook(call: Call) -> dict[str, Any]:
    me = call.me
    me.webhook_url = call.data["webhookUrl"]
    # The schema admits a boolean or PHP's integers (`1`, `0`).
    me.webhook_enabled = bool(call.data["webhookEnabled"])
    return ok("Webhook configured", webhookData=_settings(me))
