"""`api.account`: instance management with the account's admin token (`admin_token=` / MEGAAPI_ADMIN_TOKEN)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from megaapi_client import operation_table as wire

from .. import arguments
from ..operations import Call, R, endpoint
from .derived import AccountOperations
from .webhook import webhook_url as checked_url

if TYPE_CHECKING:
    from megaapi_client.models import StatusResponse

    from ..models import CreateInstanceResponse


class Account(AccountOperations[R]):
    @endpoint
    def create_instance(
        self, instance_key: str, *, webhook_url: str | None = None, webhook_enabled: bool | None = None
    ) -> Call[CreateInstanceResponse]:
        """Create an instance named `instance_key`, optionally with its webhook; then pair it with a QR code."""
        from megaapi_client.models import CreateInstanceRequest, InstanceWebhookSettings
        from megaapi_client.types import UNSET

        from ..models import CreateInstanceResponse

        enabled = arguments.optional_flag(webhook_enabled, "webhook_enabled")
        settings = InstanceWebhookSettings(
            webhook_url=UNSET if webhook_url is None else checked_url(webhook_url, required=True),
            webhook_enabled=UNSET if enabled is None else enabled,
        )
        key = arguments.instance_key(instance_key)
        # The new key is as secret as any instance key: keep it out of logs and errors too.
        request = wire.create_instance(instance_key=key, body=CreateInstanceRequest(message_data=settings))
        return Call(request, CreateInstanceResponse, secrets=(key,))

    @endpoint
    def delete_instance(self, instance_key: str) -> Call[StatusResponse]:
        """Delete an instance itself (`logout_instance` only unlinks the WhatsApp account)."""
        from megaapi_client.models import StatusResponse

        key = arguments.instance_key(instance_key)
        return Call(wire.delete_instance(instance_key=key), StatusResponse, secrets=(key,))
