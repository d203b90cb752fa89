"""openapi.yaml loaded once, with the traversals the spec tests share.

Everything is computed at import time because pytest needs the operations and examples to parametrise its tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from megaapi.spec import HTTP_METHODS, load_spec, validator

ROOT = Path(__file__).resolve().parents[2]

Node = dict[str, Any]

# Read by megaapi.spec, the project's one spec reader (the same file: the package links to it).
SPEC: Node = load_spec()


def pointer(*tokens: str | int) -> str:
    """The JSON pointer made of `tokens`, escaped as RFC 6901 requires."""
    return "".join("/" + str(token).replace("~", "~0").replace("/", "~1") for token in tokens)


def at(ptr: str) -> Any:
    """The node of the document at JSON pointer `ptr`."""
    node: Any = SPEC
    for token in ptr.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def resolve(node: Node, ptr: str) -> tuple[Node, str]:
    """Follow local `$ref`s (Reference Objects or schema refs) to the node they name, with its pointer."""
    seen = {ptr}
    while "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), f"{ptr}: only local references are expected, found {ref!r}"
        ptr = ref[1:]
        assert ptr not in seen, f"{ptr}: reference cycle"
        seen.add(ptr)
        node = at(ptr)
    return node, ptr


def validator_for(schema_ptr: str) -> Draft202012Validator:
    """A 2020-12 validator for the schema at `schema_ptr`; formats are not checked (they are annotations)."""
    return validator(schema_ptr)


@dataclass(frozen=True)
class Operation:
    ptr: str
    node: Node
    method: str
    path: str
    """The URL template, or the webhook's name for a webhook operation."""
    path_item: Node

    @property
    def id(self) -> str:
        return str(self.node.get("operationId") or f"{self.method.upper()} {self.path}")

    def __str__(self) -> str:
        return f"{self.id} ({self.method.upper()} {self.path}, {self.ptr})"


def _operations(section: str) -> Iterator[Operation]:
    for path, item in SPEC.get(section, {}).items():
        for method in HTTP_METHODS:
            if method in item:
                ptr = pointer(section, path, method)
                yield Operation(ptr, item[method], method, path, item)


PATH_OPERATIONS = list(_operations("paths"))
WEBHOOK_OPERATIONS = list(_operations("webhooks"))
OPERATIONS = PATH_OPERATIONS + WEBHOOK_OPERATIONS


def responses(op: Operation) -> Iterator[tuple[str, Node, str]]:
    """(status code, resolved Response Object, its pointer) for each response of `op`."""
    for code, response in op.node.get("responses", {}).items():
        node, ptr = resolve(response, op.ptr + pointer("responses", code))
        yield str(code), node, ptr


def is_json(media_type: str) -> bool:
    essence = media_type.split(";")[0].strip().lower()
    return essence == "application/json" or essence.endswith("+json")


@dataclass(frozen=True)
class Example:
    ptr: str
    """Where the example value sits."""
    schema_ptr: str
    """The schema it has to satisfy."""
    value: Any


def _holder_examples(holder: Node, holder_ptr: str) -> Iterator[Example]:
    """Examples of a Media Type, Parameter or Header Object: `example` and every `examples[*].value`."""
    if "schema" not in holder:
        return
    schema_ptr = holder_ptr + "/schema"
    if "example" in holder:
        yield Example(holder_ptr + "/example", schema_ptr, holder["example"])
    for name, entry in holder.get("examples", {}).items():
        entry, entry_ptr = resolve(entry, holder_ptr + pointer("examples", name))
        if "value" in entry:
            yield Example(entry_ptr + "/value", schema_ptr, entry["value"])


_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_SINGLES = (
    "items", "additionalProperties", "unevaluatedProperties", "unevaluatedItems", "not", "if", "then", "else",
    "contains", "propertyNames", "contentSchema",
)  # fmt: skip


def subschemas(schema: Any, ptr: str) -> Iterator[tuple[Node, str]]:
    """`schema` and every schema nested in it, without following `$ref`."""
    if not isinstance(schema, dict):
        return  # boolean schemas hold nothing
    yield schema, ptr
    for keyword in _SCHEMA_MAPS:
        for name, sub in schema.get(keyword, {}).items():
            yield from subschemas(sub, ptr + pointer(keyword, name))
    for keyword in _SCHEMA_LISTS:
        for index, sub in enumerate(schema.get(keyword, [])):
            yield from subschemas(sub, ptr + pointer(keyword, index))
    for keyword in _SCHEMA_SINGLES:
        if keyword in schema:
            yield from subschemas(schema[keyword], ptr + pointer(keyword))


def _schema_examples(schema: Node, schema_ptr: str) -> Iterator[Example]:
    for node, ptr in subschemas(schema, schema_ptr):
        if "example" in node:
            yield Example(ptr + "/example", ptr, node["example"])
        for index, value in enumerate(node.get("examples", [])):
            yield Example(ptr + pointer("examples", index), ptr, value)


def _holders() -> Iterator[tuple[Node, str]]:
    """Every Media Type, Parameter and Header Object written in the document (references are not followed)."""

    def media_types(owner: Node, owner_ptr: str) -> Iterator[tuple[Node, str]]:
        for media_type, node in owner.get("content", {}).items():
            yield node, owner_ptr + pointer("content", media_type)
        for name, header in owner.get("headers", {}).items():
            yield header, owner_ptr + pointer("headers", name)

    for op in OPERATIONS:
        for index, param in enumerate(op.node.get("parameters", [])):
            yield param, op.ptr + pointer("parameters", index)
        if "requestBody" in op.node:
            yield from media_types(op.node["requestBody"], op.ptr + "/requestBody")
        for code, response in op.node.get("responses", {}).items():
            yield from media_types(response, op.ptr + pointer("responses", code))
    for section in ("paths", "webhooks"):
        for path, item in SPEC.get(section, {}).items():
            for index, param in enumerate(item.get("parameters", [])):
                yield param, pointer(section, path, "parameters", index)
    components = SPEC.get("components", {})
    for kind in ("parameters", "headers"):
        for name, node in components.get(kind, {}).items():
            yield node, pointer("components", kind, name)
    for kind in ("requestBodies", "responses"):
        for name, node in components.get(kind, {}).items():
            yield from media_types(node, pointer("components", kind, name))


def _examples() -> Iterator[Example]:
    for holder, holder_ptr in _holders():
        yield from _holder_examples(holder, holder_ptr)
        if "schema" in holder:
            yield from _schema_examples(holder["schema"], holder_ptr + "/schema")
    for name, schema in SPEC.get("components", {}).get("schemas", {}).items():
        yield from _schema_examples(schema, pointer("components", "schemas", name))


EXAMPLES = list(_examples())


def _response_schemas() -> Iterator[tuple[Node, str]]:
    """Each schema reachable from a response once: inline response schemas and the components they reference.

    A schema that is nothing but a `$ref` is only a way through to another one, so it is not listed itself.
    """
    pending = [
        (node["schema"], response_ptr + pointer("content", media_type, "schema"))
        for op in OPERATIONS
        for _, response, response_ptr in responses(op)
        for media_type, node in response.get("content", {}).items()
        if "schema" in node
    ]
    seen: set[str] = set()
    while pending:
        schema, ptr = pending.pop()
        if ptr in seen:
            continue
        seen.add(ptr)
        if isinstance(schema, dict) and set(schema) != {"$ref"}:
            yield schema, ptr
        pending += [resolve(node, node_ptr) for node, node_ptr in subschemas(schema, ptr) if "$ref" in node]


RESPONSE_SCHEMAS = sorted(_response_schemas(), key=lambda found: found[1])


TEMPLATE_VARIABLE = re.compile(r"\{([^{}]+)\}")
