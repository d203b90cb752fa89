"""A local, stateful Mega-api emulator built on the shipped spec, for tests, demos and other languages.

Needs the `testing` extra (starlette, uvicorn, jsonschema, pyyaml). `import megaapi` never imports this package.

    from megaapi.testing import Emulator, serve

    with serve() as served:            # a fresh emulator with one connected instance, on a free loopback port
        print(served.base_url, served.instance_key, served.token)
        served.emulator.receive_text("5511988887777", "Oi!")

From a shell: `megaapi emulator` or `python -m megaapi.testing --port 8000`; other languages drive it through the
control API under `/control` (described at `/control/openapi.yaml`, admin token). With pytest: the
`megaapi_emulator`, `megaapi_client` and `megaapi_async_client` fixtures of `megaapi.testing.pytest_plugin`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from megaapi.testing.delivery import Delivery
    from megaapi.testing.emulator import Emulator
    from megaapi.testing.faults import Fault, FaultKind, Faults
    from megaapi.testing.server import ServedEmulator, serve
    from megaapi.testing.state import Group, Instance
    from megaapi.testing.validation import response_error, webhook_event_error

# Imported on first use: pytest loads `megaapi.testing.pytest_plugin` in every run, which imports this package,
# and that must not pull in starlette, uvicorn and jsonschema (possibly not even installed) for nothing.
_EXPORTS = {
    "Delivery": "delivery",
    "Emulator": "emulator",
    "Fault": "faults",
    "FaultKind": "faults",
    "Faults": "faults",
    "Group": "state",
    "Instance": "state",
    "ServedEmulator": "server",
    "response_error": "validation",
    "serve": "server",
    "webhook_event_error": "validation",
}
__all__ = [
    "Delivery",
    "Emulator",
    "Fault",
    "FaultKind",
    "Faults",
    "Group",
    "Instance",
    "ServedEmulator",
    "response_error",
    "serve",
    "webhook_event_error",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        return getattr(importlib.import_module(f"{__name__}.{module}"), name)
    except ModuleNotFoundError as error:
        raise missing_extra(error) from error


def missing_extra(error: ModuleNotFoundError) -> ModuleNotFoundError:
    """The error to raise when a dependency of the `testing` extra is not installed: it says what to install."""
    missing = (error.name or "?").partition(".")[0]
    return ModuleNotFoundError(
        f"megaapi.testing needs the 'testing' extra, which is not installed (no module named {missing!r}): "
        "pip install 'megaapi[testing]'",
        name=missing,
    )
