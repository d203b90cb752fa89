"""Schemathesis against the emulator, in process: every operation, positive and negative data, every check.

Each generated case runs against a fresh emulator, so no case depends on what an earlier one did (a case may log
the instance out or delete it). The instance key path parameter and the bearer token are pinned to that emulator's
instance (the admin token for the `account` operations); everything else is generated.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from schemathesis import Case
from starlette.types import Receive, Scope, Send

from megaapi.testing import Emulator

KEY = "megaapi-contract"
TOKEN = "contract-token"
ADMIN_TOKEN = "contract-admin-token"
# Groups and members named by the spec's examples, so example-based cases reach existing state.
EXAMPLE_GROUPS = ("120363042378568057@g.us", "120363042055651690@g.us")
EXAMPLE_MEMBERS = ("551199999999@s.whatsapp.net", "551188888888@s.whatsapp.net")
# These answer only while no account is linked, so their cases get an instance waiting to be paired.
PAIRING_OPERATIONS = {"getQrCode", "getQrCodeBase64", "getPairingCode"}


def fresh_emulator(*, paired: bool = True) -> Emulator:
    # No webhook host is allowed: generated webhook URLs must never receive a request.
    emulator = Emulator(admin_token=ADMIN_TOKEN, webhook_hosts=())
    emulator.add_instance(KEY, TOKEN)
    for jid in EXAMPLE_GROUPS:
        emulator.add_group("Equipe de vendas", EXAMPLE_MEMBERS, jid=jid)
    if not paired:
        emulator.disconnect(KEY)
    return emulator


class CurrentEmulator:
    """The ASGI app schemathesis calls; it forwards to whichever emulator the running case set up."""

    def __init__(self) -> None:
        self.emulator = fresh_emulator()

    def renew(self, *, paired: bool) -> None:
        self.emulator.close()
        self.emulator = fresh_emulator(paired=paired)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.emulator.app(scope, receive, send)


APP = CurrentEmulator()
CONFIG = schemathesis.Config.from_dict(
    {
        # A fixed seed keeps CI reproducible; set MEGAAPI_CONTRACT_SEED to explore other inputs.
        "seed": int(os.environ.get("MEGAAPI_CONTRACT_SEED", "20261124")),
        # No crash cache: it would be written into the working directory, the repository.
        "cache": {"enabled": False},
        "parameters": {"path.instance_key": KEY},
        # Per-operation headers only: a project-wide header would also be sent to the `account` operations.
        "operations": [
            {"include-tag": "account", "headers": {"Authorization": f"Bearer {ADMIN_TOKEN}"}},
            {"exclude-tag": "account", "headers": {"Authorization": f"Bearer {TOKEN}"}},
        ],
        "generation": {"mode": "all", "max-examples": int(os.environ.get("MEGAAPI_CONTRACT_EXAMPLES", "50"))},
    }
)
schema = schemathesis.openapi.from_asgi("/openapi.yaml", APP, config=CONFIG)


@schema.parametrize()
def test_operation_conforms_to_the_spec(case: Case[Any]) -> None:
    APP.renew(paired=schema.get_operation_id(case.operation) not in PAIRING_OPERATIONS)
    # Every check schemathesis has is enabled by default, `ignored_auth` included; none is left out.
    case.call_and_validate()
