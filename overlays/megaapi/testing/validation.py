"""Validation against the spec itself: JSON Schema 2020-12 with the whole spec in a `referencing` registry.

Every schema is addressed by its JSON pointer into the spec, so the `#/components/...` references inside it
resolve against the spec document rather than against the fragment being validated.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from megaapi.testing.spec import SPEC_URI, Operation, load_spec, pointer, response_schema_pointer

_MAX_MESSAGE = 300
_INTEGER = re.compile(r"-?\d+")


@functools.cache
def _registry() -> Registry[Any]:
    registry: Registry[Any] = Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(load_spec()))
    return registry


@functools.cache
def validator(schema_pointer: str) -> Draft202012Validator:
    """A validator for the schema at `schema_pointer` in the spec."""
    schema = _inlined({"$ref": f"#{schema_pointer}"}, ())
    return Draft202012Validator(schema, registry=_registry())


# Keywords whose values are data, not schemas: a "$ref" key inside them is not a reference.
_DATA_KEYWORDS = frozenset({"const", "enum", "default", "example", "examples"})


def _inlined(node: Any, within: tuple[str, ...]) -> Any:
    """`node` with each plain `{"$ref": ...}` replaced by its target, once per schema.

    Resolving a reference through the registry walks the spec on every validation, which made validation most of
    the emulator's time per request. A reference with sibling keywords, or one back into a schema being inlined
    (a recursive schema), is kept, made absolute so it still resolves against the spec.
    """
    if isinstance(node, list):
        return [_inlined(item, within) for item in node]
    if not isinstance(node, dict):
        return node
    reference = node.get("$ref")
    if isinstance(reference, str) and reference.startswith("#/"):
        target = unquote(reference[1:])
        if len(node) == 1 and target not in within:
            return _inlined(_at(target), (*within, target))
        node = {**node, "$ref": f"{SPEC_URI}#{quote(target, safe='/~')}"}
    return {key: value if key in _DATA_KEYWORDS else _inlined(value, within) for key, value in node.items()}


def _at(json_pointer: str) -> Any:
    node: Any = load_spec()
    for part in json_pointer.split("/")[1:]:
        key = part.replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def first_error(schema_pointer: str, instance: object, where: str) -> str | None:
    """The most relevant validation error as one readable line, or None when `instance` is valid."""
    error = best_match(validator(schema_pointer).iter_errors(instance))
    return None if error is None else _describe(error, where)


def _describe(error: ValidationError, where: str) -> str:
    path = ".".join(str(part) for part in error.absolute_path)
    location = f"{where}.{path}" if where and path else where or path or "body"
    message = f"{location}: {error.message}"
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 3] + "..."


def _types(schema: Mapping[str, Any]) -> list[str]:
    declared = schema.get("type", "string")
    return [declared] if isinstance(declared, str) else list(declared)


def _convert(raw: str, kind: str) -> tuple[bool, object]:
    if kind == "boolean" and raw in ("true", "false"):
        return True, raw == "true"
    if kind == "integer" and _INTEGER.fullmatch(raw):
        return True, int(raw)
    if kind == "number":
        try:
            number = float(raw)
        except ValueError:
            return False, None
        return math.isfinite(number), number
    if kind == "string":
        return True, raw
    return False, None


def coerce_query(raw: str, schema_pointer: str, schema: Mapping[str, Any]) -> object:
    """Read a query-string value as the first declared type it both converts to and satisfies.

    A value that fits no declared type is returned unchanged, so validation reports it.
    """
    for kind in _types(schema):
        converted, value = _convert(raw, kind)
        if converted and validator(schema_pointer).is_valid(value):
            return value
    return raw


def check_request(
    operation: Operation,
    path_params: Mapping[str, str],
    query: Mapping[str, str],
    body: object,
    has_body: bool,
) -> tuple[str | None, dict[str, object]]:
    """Validate a request; return the first error (or None) and the coerced query parameters."""
    coerced: dict[str, object] = {}
    for parameter in operation.parameters:
        if parameter.location == "path":
            raw = path_params.get(parameter.name)
        elif parameter.location == "query":
            raw = query.get(parameter.name)
        else:
            continue
        if raw is None:
            if parameter.required:
                return f"{parameter.location} parameter {parameter.name!r} is required", coerced
            continue
        value = coerce_query(raw, parameter.schema_pointer, parameter.schema) if parameter.location == "query" else raw
        error = first_error(parameter.schema_pointer, value, parameter.name)
        if error is not None:
            return f"{parameter.location} parameter {error}", coerced
        if parameter.location == "query":
            coerced[parameter.name] = value
    if operation.body_pointer is not None:
        if not has_body:
            return ("request body is required" if operation.body_required else None), coerced
        return first_error(operation.body_pointer, body, ""), coerced
    return None, coerced


def response_error(operation_id: str, status: int, body: object) -> str | None:
    """Why a JSON response body does not conform to the spec, or None when it does."""
    schema_pointer = response_schema_pointer(operation_id, status)
    if schema_pointer is None:
        return f"{operation_id} declares no JSON response for status {status}"
    return first_error(schema_pointer, body, "response")


def webhook_event_error(event: object) -> str | None:
    """Why a webhook payload does not conform to `#/components/schemas/WebhookEvent`, or None."""
    return first_error(pointer("components", "schemas", "WebhookEvent"), event, "event")
