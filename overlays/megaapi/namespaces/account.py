"""`api.account`: instance management with the account's admin token (`admin_token=` / MEGAAPI_ADMIN_TOKEN)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import arguments
from ..operations import Call, Namespace, R, endpoint
from .webhook import webhook_url as checked_url

if TYPE_CHECKING:
    from megaapi_client.models import StatusResponse

    from ..models import CreateInstanceResponse, InstanceListResponse


class Account(Namespace[R]):
    @endpoint
    def list_instances(self) -> Call[InstanceListResponse]:
        """Every instance of the account on this host, with the linked WhatsApp account of connected ones."""
        from megaapi_client.api.account import list_instances as op
        from megaapi_client.models import InstanceListResponse

        return Call(op, {}, InstanceListResponse, idempotent=True, admin=True)

    @endpoint
    def create_instance(
        self, instance_key: str, *, webhook_url: str | None = None, webhook_enabled: bool | None = None
    ) -> Call[CreateInstanceResponse]:
        """Create an instance named `instance_key`, optionally with its webhook; then pair it with a QR code."""
        from megaapi_client.api.account import create_instance as op
        from megaapi_client.models import CreateInstanceRequest, CreateInstanceResponse, InstanceWebhookSettings
        from megaapi_client.types import UNSET

        enabled = arguments.optional_flag(webhook_enabled, "webhook_enabled")
        settings = InstanceWebhookSettings(
            webhook_url=UNSET if webhook_url is None else checked_url(webhook_url, required=True),
            webhook_enabled=UNSET if enabled is None else enabled,
        )
        key = arguments.instance_key(instance_key)
        kwargs = {"instance_key": key, "body": CreateInstanceRequest(message_data=settings)}
        # The new key is as secret as any instance key: keep it out of logs and errors too.
        return Call(op, kwargs, CreateInstanceResponse, idempotent=False, admin=True, secrets=(key,))

    @endpoint
    def delete_instance(self, instance_key: str) -> Call[StatusResponse]:
        """Delete an instance itself (`logout_instance` only unlinks the WhatsApp account)."""
        from megaapi_client.api.account import delete_instance as op
        from megaapi_client.models import StatusResponse

        key = arguments.instance_key(instance_key)
        return Call(op, {"instance_key": key}, StatusResponse, idempotent=True, admin=True, secrets=(key,))
