"""The shipped openapi.yaml, read once and turned into a table of operations.

The one place that reads the spec: the emulator routes and validates with it, the tests walk it, and
`scripts/regenerate.py` derives the SDK's operation table (`megaapi_client.operation_table`) and plain methods from
it. It needs PyYAML (and jsonschema for `validator`), so the SDK itself never imports it at run time.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

import yaml

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from referencing import Registry

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
SPEC_URI = "urn:megaapi:openapi"


# The package ships openapi.yaml next to this module (a link to the repository's copy in a checkout).
SPEC_PATH = Path(__file__).with_name("openapi.yaml")
RETRY_SAFE = "x-megaapi-retry-safe"
RECIPIENT = "x-megaapi-recipient"


@functools.cache
def spec_text() -> str:
    """The spec exactly as shipped inside the `megaapi` package."""
    return SPEC_PATH.read_text(encoding="utf-8")


@functools.cache
def load_spec() -> dict[str, Any]:
    loaded = yaml.load(spec_text(), Loader=_Loader)  # a safe loader, chosen above
    if not isinstance(loaded, dict):
        raise TypeError("openapi.yaml does not hold a mapping")
    return loaded


def resolve(node: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Follow a local `$ref`; return the target and its pointer (None when `node` was inline)."""
    return _resolve(load_spec(), node)


@functools.cache
def _registry() -> Registry[Any]:
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    registry: Registry[Any] = Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(load_spec()))
    return registry


@functools.cache
def validator(schema_pointer: str) -> Draft202012Validator:
    """A JSON Schema 2020-12 validator for the schema at `schema_pointer`, its `$ref`s resolved in the whole spec.

    Formats are annotations here, as JSON Schema says: they are not checked.
    """
    from jsonschema import Draft202012Validator

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


def pointer(*parts: str) -> str:
    """A JSON pointer (RFC 6901) into the spec, escaping `~` and `/` in each part."""
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    required: bool
    schema_pointer: str
    schema: dict[str, Any]


@dataclass(frozen=True)
class Operation:
    operation_id: str
    tag: str
    method: str
    path: str
    admin: bool
    """It takes the account's admin token (its `security` names `adminBearerAuth`)."""
    retry_safe: bool
    """`x-megaapi-retry-safe`: repeating it cannot deliver a second message or create a second thing."""
    recipient: bool
    """`x-megaapi-recipient`: it addresses a WhatsApp recipient, so 403 means "not on WhatsApp"."""
    parameters: tuple[Parameter, ...]
    body_pointer: str | None
    body_required: bool
    statuses: frozenset[int]

    def declares(self, status: int) -> bool:
        return status in self.statuses


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Follow a local `$ref`; return the target and its pointer (None when `node` was inline)."""
    ref = node.get("$ref")
    if ref is None:
        return node, None
    if not isinstance(ref, str) or not ref.startswith("#/"):
        raise ValueError(f"only local references are supported, got {ref!r}")
    target: Any = spec
    for part in ref[2:].split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return target, ref[1:]


def _parameters(spec: dict[str, Any], path: str, method: str) -> tuple[Parameter, ...]:
    item = spec["paths"][path]
    found: dict[tuple[str, str], Parameter] = {}
    # Operation-level parameters override path-level ones with the same name and location.
    for owner, entries in (((path,), item.get("parameters", [])), ((path, method), item[method].get("parameters", []))):
        for index, entry in enumerate(entries):
            resolved, ref = _resolve(spec, entry)
            base = ref if ref is not None else pointer("paths", *owner, "parameters", str(index))
            parameter = Parameter(
                name=resolved["name"],
                location=resolved["in"],
                required=bool(resolved.get("required", False)),
                schema_pointer=base + "/schema",
                schema=resolved.get("schema", {}),
            )
            found[(parameter.name, parameter.location)] = parameter
    return tuple(found.values())


def _security_schemes(operation: dict[str, Any], spec: dict[str, Any]) -> set[str]:
    requirements = operation.get("security", spec.get("security", []))
    return {name for requirement in requirements for name in requirement}


def _declared(operation: dict[str, Any], extension: str) -> bool:
    value = operation.get(extension)
    if not isinstance(value, bool):
        raise ValueError(f"{operation.get('operationId')}: {extension} must be declared true or false")
    return value


@functools.cache
def operations() -> tuple[Operation, ...]:
    """Every operation under `paths`, in spec order."""
    spec = load_spec()
    found = []
    for path, item in spec["paths"].items():
        for method in HTTP_METHODS:
            if method not in item:
                continue
            operation = item[method]
            body = operation.get("requestBody")
            body_pointer = None
            if body is not None:
                body, ref = _resolve(spec, body)
                base = ref if ref is not None else pointer("paths", path, method, "requestBody")
                body_pointer = base + pointer("content", "application/json", "schema")
            found.append(
                Operation(
                    operation_id=operation["operationId"],
                    tag=operation["tags"][0],
                    method=method.upper(),
                    path=path,
                    admin="adminBearerAuth" in _security_schemes(operation, spec),
                    retry_safe=_declared(operation, RETRY_SAFE),
                    recipient=_declared(operation, RECIPIENT),
                    parameters=_parameters(spec, path, method),
                    body_pointer=body_pointer,
                    body_required=bool(body and body.get("required", False)),
                    statuses=frozenset(int(code) for code in operation["responses"] if code.isdigit()),
                )
            )
    return tuple(found)


@functools.cache
def operation(operation_id: str) -> Operation:
    for candidate in operations():
        if candidate.operation_id == operation_id:
            return candidate
    raise KeyError(operation_id)


def _example(holder: dict[str, Any]) -> Any:
    """The example of a Parameter or Media Type Object: `example`, the first of `examples`, or the schema's."""
    if "example" in holder:
        return holder["example"]
    if "examples" in holder:
        entry, _ = _resolve(load_spec(), next(iter(holder["examples"].values())))
        return entry["value"]
    return holder.get("schema", {}).get("example")


def request_example(operation_id: str) -> tuple[dict[str, Any], Any]:
    """The spec's own example request: each parameter's example by name, and the JSON body's (None without one)."""
    spec = load_spec()
    op = operation(operation_id)
    node = spec["paths"][op.path][op.method.lower()]
    parameters = {}
    for entry in (*spec["paths"][op.path].get("parameters", []), *node.get("parameters", [])):
        resolved, _ = _resolve(spec, entry)
        value = _example(resolved)
        if value is not None:
            parameters[resolved["name"]] = value
    body = None
    if "requestBody" in node:
        resolved, _ = _resolve(spec, node["requestBody"])
        body = _example(resolved["content"]["application/json"])
    return parameters, body


def response_schema_pointer(operation_id: str, status: int) -> str | None:
    """Pointer to the JSON schema of a documented response, or None when it has no JSON body."""
    spec = load_spec()
    op = operation(operation_id)
    response = spec["paths"][op.path][op.method.lower()]["responses"].get(str(status))
    if response is None:
        return None
    resolved, ref = _resolve(spec, response)
    if "application/json" not in resolved.get("content", {}):
        return None
    base = ref if ref is not None else pointer("paths", op.path, op.method.lower(), "responses", str(status))
    return base + pointer("content", "application/json", "schema")
