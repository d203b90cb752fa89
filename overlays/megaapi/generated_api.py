"""The one seam between the SDK and the generated client's internals.

openapi-python-client gives each operation a module whose `sync`/`asyncio` functions send with its own `Client`.
The SDK sends with its own httpx clients instead (retries, secret masking, streamed uploads and downloads), so it
needs only the request each module builds: `_get_kwargs`, private to the generator, turns the typed arguments into
method, URL, query and JSON body. This module is its only user, and `tests/unit/test_generated_api.py` checks for
every operation of the spec that it still builds the request the spec describes; a generator upgrade that changes
it fails there, not somewhere inside a call.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import Any

from megaapi_client.operation_table import OPERATIONS, Operation

__all__ = ["OPERATIONS", "Operation", "module", "request"]

_modules: dict[str, ModuleType] = {}


def module(operation: Operation) -> ModuleType:
    """The generated module of `operation` (`megaapi_client.api.<tag>.<module>`), imported on first use."""
    found = _modules.get(operation.operation_id)
    if found is None:
        found = _modules[operation.operation_id] = import_module(
            f"megaapi_client.api.{operation.tag}.{operation.module}"
        )
    return found


def request(operation: Operation, arguments: dict[str, Any]) -> dict[str, Any]:
    """`method`, `url` (the path), and `params`, `json` and `headers` where the operation has them."""
    built: dict[str, Any] = module(operation)._get_kwargs(**arguments)
    return built
