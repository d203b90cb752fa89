"""The generated operation table says what the spec says, and the one seam into the generator's internals
(`megaapi.generated_api`) still builds the request the spec describes, for every operation.
"""

from __future__ import annotations

import inspect
import re
from typing import Any
from urllib.parse import quote

import pytest

from megaapi import generated_api
from megaapi.spec import Operation, load_spec, operations

each_operation = pytest.mark.parametrize("op", operations(), ids=lambda op: op.operation_id)
KEY = "megastart-Seam/Key"


class _Body:
    def to_dict(self) -> dict[str, Any]:
        return {"messageData": {}}


def _python_name(wire_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", wire_name).lower().replace("type", "type_")


def test_the_table_holds_exactly_the_spec_operations() -> None:
    assert list(generated_api.OPERATIONS) == [op.operation_id for op in operations()]


@each_operation
def test_the_table_entry_matches_the_spec(op: Operation) -> None:
    entry = generated_api.OPERATIONS[op.operation_id]
    assert (entry.tag, entry.method, entry.path) == (op.tag, op.method, op.path)
    assert (entry.retry_safe, entry.recipient, entry.admin) == (op.retry_safe, op.recipient, op.admin)


@each_operation
def test_the_seam_builds_the_request_the_spec_describes(op: Operation) -> None:
    entry = generated_api.OPERATIONS[op.operation_id]
    builder = generated_api.module(entry)._get_kwargs
    expected = {_python_name(p.name) for p in op.parameters} | ({"body"} if op.body_pointer else set())
    assert set(inspect.signature(builder).parameters) == expected

    arguments: dict[str, Any] = {_python_name(p.name): "true" for p in op.parameters}
    if "instance_key" in arguments:
        arguments["instance_key"] = KEY
    if op.body_pointer:
        arguments["body"] = _Body()
    built = generated_api.request(entry, arguments)

    assert built["method"] == op.method.lower()
    assert built["url"] == op.path.replace("{instance_key}", quote(KEY, safe=""))
    query = {p.name for p in op.parameters if p.location == "query"}
    assert set(built.get("params", {})) == query
    assert ("json" in built) is bool(op.body_pointer)


def _schemas_with_classes() -> list[str]:
    import megaapi_client.models

    schemas = load_spec()["components"]["schemas"]
    return sorted(
        name for name, schema in schemas.items() if schema.get("properties") and hasattr(megaapi_client.models, name)
    )


@pytest.mark.parametrize("schema", _schemas_with_classes())
def test_json_names_are_the_spec_property_names(schema: str) -> None:
    import megaapi_client.models

    names = generated_api.json_names(getattr(megaapi_client.models, schema))
    assert sorted(names.values()) == sorted(load_spec()["components"]["schemas"][schema]["properties"])


@each_operation
def test_the_typed_request_builder_takes_what_the_generated_one_takes(op: Operation) -> None:
    from megaapi_client import operation_table

    entry = generated_api.OPERATIONS[op.operation_id]
    typed = inspect.signature(getattr(operation_table, entry.module)).parameters
    generated = inspect.signature(generated_api.module(entry)._get_kwargs).parameters
    # The runner adds the client's instance key; account operations name their instance themselves.
    expected = {name for name in generated if op.admin or name != "instance_key"}
    assert set(typed) == expected
    assert {name for name, p in typed.items() if p.default is inspect.Parameter.empty} == {
        name for name in expected if generated[name].default is inspect.Parameter.empty
    }
