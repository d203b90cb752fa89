"""The one seam between the SDK and the generated client's internals.

openapi-python-client gives each operation a module whose `sync`/`asyncio` functions send with its own `Client`.
The SDK sends with its own httpx clients instead (retries, secret masking, streamed uploads and downloads), so it
needs only the request each module builds: `_get_kwargs`, private to the generator, turns the typed arguments into
method, URL, query and JSON body. And it checks payloads against a model's annotations before `from_dict` sees
them (`megaapi.conformance`), which needs each attribute's JSON name: those live only in the generated `to_dict`,
so `json_names` serialises a model whose attributes are stand-ins and reads where each one lands.

This module is the only user of either, and `tests/unit/test_generated_api.py` checks for every operation that the
request is the one the spec describes, and for every schema that the JSON names are the spec's; a generator
upgrade that changes either fails there, not somewhere inside a call.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from importlib import import_module
from types import ModuleType
from typing import Any

from megaapi_client.operation_table import OPERATIONS, Operation

__all__ = ["OPERATIONS", "Operation", "json_names", "module", "request"]

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


class _StandIn:
    """Stands in for every attribute while `json_names` serialises a model; nested models call `to_dict` on it."""

    def __init__(self, attribute: str) -> None:
        self.attribute = attribute

    def to_dict(self) -> _StandIn:
        return self

    def __iter__(self) -> Iterator[_StandIn]:
        # A list of nested models serialises item by item: one stand-in stands for the items.
        yield self


@functools.cache
def json_names(cls: type) -> dict[str, str]:
    """Attribute name -> JSON name of every field of a generated model class (not `additional_properties`)."""
    import attrs  # here, not at the top: `import megaapi` stays fast

    from .model_hooks import generated_class

    attributes = [field.name for field in attrs.fields(cls) if field.init]
    # The generated class itself: a reply class's conveniences may read the stand-ins.
    serialised = generated_class(cls)(**{name: _StandIn(name) for name in attributes}).to_dict()
    found = {}
    for key, value in serialised.items():
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if isinstance(value, _StandIn):
            found[value.attribute] = key
    return {name: found[name] for name in attributes}
