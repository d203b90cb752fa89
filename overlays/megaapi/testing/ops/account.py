"""Operations tagged `account`: instance management with the account's admin token."""

from __future__ import annotations

from typing import Any

from megaapi.testing.ids import new_instance_key, new_token
from megaapi.testing.ops.registry import Call, handles, ok


@handles("listInstances")
def list_instances(call: Call) -> dict[str, Any]:
    # `instances` is the name a public client reads; `data` is only inferred (see InstanceListResponse).
    return ok("success", instances=[instance.info() for instance in call.world.instances.values()])


@handles("createInstance")
def create_instance(call: Call) -> dict[str, Any]:
    world = call.world
    requested = call.query.get("instance_key")
    key = requested if isinstance(requested, str) and requested else new_instance_key()
    settings = (call.body or {}).get("messageData") or {}
    instance = world.create_instance(
        key, new_token(), phone=world.ids.phone(), push_name="Mega-api emulator", connected=False
    )
    instance.webhook_url = settings.get("webhookUrl", "")
    # The schema admits a boolean or PHP's integers (`1`, `0`) for `webhookEnabled`.
    enabled = bool(settings.get("webhookEnabled", instance.webhook_url))
    instance.webhook_enabled = enabled and call.query.get("disable_webhook") is not True
    return ok("Instance created", key=instance.key, token=instance.token)


@handles("deleteInstance")
def delete_instance(call: Call) -> dict[str, Any]:
    del call.world.instances[call.me.key]
    return ok("Instance deleted")
