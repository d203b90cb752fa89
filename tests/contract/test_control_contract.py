"""Schemathesis against the emulator's control API (`/control/openapi.yaml`), in process, with every check.

Each case runs against a fresh emulator with one connected instance, whose key is pinned; the admin token is sent
on every case (schemathesis's `ignored_auth` check still tries requests without it).
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from schemathesis import Case
from starlette.types import Receive, Scope, Send

from megaapi.testing import Emulator

KEY = "megaapi-control-contract"
ADMIN_TOKEN = "control-contract-admin-token"


class FreshEmulator:
    def __init__(self) -> None:
        self.emulator = self._new()

    @staticmethod
    def _new() -> Emulator:
        emulator = Emulator(admin_token=ADMIN_TOKEN, webhook_hosts=())
        emulator.add_instance(KEY, "control-contract-token")
        return emulator

    def renew(self) -> None:
        self.emulator.close()
        self.emulator = self._new()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.emulator.app(scope, receive, send)


APP = FreshEmulator()
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": int(os.environ.get("MEGAAPI_CONTRACT_SEED", "20261124")),
        "cache": {"enabled": False},
        "parameters": {"path.instance_key": KEY},
        "headers": {"Authorization": f"Bearer {ADMIN_TOKEN}"},
        "generation": {"mode": "all", "max-examples": int(os.environ.get("MEGAAPI_CONTRACT_EXAMPLES", "50"))},
    }
)
schema = schemathesis.openapi.from_asgi("/control/openapi.yaml", APP, config=CONFIG)


@schema.parametrize()
def test_control_operation_conforms_to_its_description(case: Case[Any]) -> None:
    APP.renew()
    case.call_and_validate()
