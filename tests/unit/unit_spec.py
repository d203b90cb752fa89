"""What openapi.yaml and the generated client say about each operation, for checking requests and replies."""

from __future__ import annotations

import importlib
import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

import httpx
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parents[2]
GENERATED_API = ROOT / "generated" / "megaapi_client" / "api"
SPEC_URI = "urn:megaapi:openapi.yaml"
METHODS = ("get", "put", "post", "delete", "patch")

with (ROOT / "openapi.yaml").open(encoding="utf-8") as stream:
    SPEC: dict[str, Any] = yaml.safe_load(stream)

# The whole document is one resource, so every `#/components/...` reference resolves inside it.
REGISTRY: Registry[Any] = Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(SPEC))


def pointer(*tokens: str) -> str:
    return "".join("/" + token.replace("~", "~0").replace("/", "~1") for token in tokens)


def validator(schema_pointer: str) -> Draft202012Validator:
    """A 2020-12 validator for the schema at `schema_pointer`, its `$ref`s resolved against the whole spec."""
    return Draft202012Validator({"$ref": f"{SPEC_URI}#{quote(schema_pointer, safe='/~')}"}, registry=REGISTRY)


def resolve(node: dict[str, Any], at: str = "") -> tuple[dict[str, Any], str]:
    """Follow local `$ref`s to the node they name; returns it with its JSON pointer."""
    while "$ref" in node:
        at = node["$ref"][1:]
        target: Any = SPEC
        for token in at.split("/")[1:]:
            target = target[token.replace("~1", "/").replace("~0", "~")]
        node = target
    return node, at


def _generated_modules() -> dict[tuple[str, str], tuple[str, str]]:
    """(METHOD, path template) -> (tag folder, module name) for every module the generator wrote."""
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for source in sorted(GENERATED_API.glob("*/*.py")):
        if source.name == "__init__.py":
            continue
        text = source.read_text(encoding="utf-8")
        method = re.search(r'"method": "(\w+)"', text)
        url = re.search(r'"url": "([^"]+)"', text)
        assert method, f"{source}: no method in _get_kwargs"
        assert url, f"{source}: no url in _get_kwargs"
        found[(method[1].upper(), url[1])] = (source.parent.name, source.stem)
    return found


GENERATED = _generated_modules()


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    required: bool
    schema_pointer: str


@dataclass(frozen=True)
class Operation:
    operation_id: str
    tag: str
    method: str
    path: str
    node: dict[str, Any]
    ptr: str
    parameters: tuple[Parameter, ...]

    def __str__(self) -> str:
        return self.operation_id

    @property
    def admin(self) -> bool:
        return any("adminBearerAuth" in requirement for requirement in self.node.get("security", []))

    @property
    def python_name(self) -> str:
        """The snake_case name the generator gave the operation's module: the method's name in the SDK."""
        tag, name = GENERATED[(self.method, self.path)]
        assert tag == self.tag, f"{self}: generated under api/{tag}, tagged {self.tag}"
        return name

    @property
    def module(self) -> ModuleType:
        return importlib.import_module(f"megaapi_client.api.{self.tag}.{self.python_name}")

    def url_path(self, instance_key: str) -> str:
        """The path the request must go to, the instance key percent-encoded as one segment."""
        return self.path.replace("{instance_key}", quote(instance_key, safe=""))

    @cached_property
    def body_validator(self) -> Draft202012Validator | None:
        if "requestBody" not in self.node:
            return None
        _, body_ptr = resolve(self.node["requestBody"], self.ptr + "/requestBody")
        return validator(body_ptr + pointer("content", "application/json", "schema"))

    @property
    def query_parameters(self) -> dict[str, Parameter]:
        return {p.name: p for p in self.parameters if p.location == "query"}

    @property
    def ok_media_type(self) -> str:
        return str(next(iter(self.node["responses"]["200"]["content"])))

    def ok_response(self) -> httpx.Response:
        """The spec's own example of a successful reply (a tiny PNG for the QR image)."""
        content = self.node["responses"]["200"]["content"][self.ok_media_type]
        if "example" in content:
            return httpx.Response(200, json=content["example"])
        if "examples" in content:
            example, _ = resolve(next(iter(content["examples"].values())))
            return httpx.Response(200, json=example["value"])
        return httpx.Response(200, content=PNG, headers={"content-type": self.ok_media_type})


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01"


def _parameters(owner: dict[str, Any], owner_ptr: str) -> list[Parameter]:
    found = []
    for index, written in enumerate(owner.get("parameters", [])):
        node, ptr = resolve(written, owner_ptr + pointer("parameters", str(index)))
        found.append(Parameter(node["name"], node["in"], bool(node.get("required")), ptr + "/schema"))
    return found


def _operations() -> list[Operation]:
    found = []
    for path, item in SPEC["paths"].items():
        for method in METHODS:
            if method in item:
                node, ptr = item[method], pointer("paths", path, method)
                parameters = _parameters(item, pointer("paths", path)) + _parameters(node, ptr)
                op = Operation(node["operationId"], node["tags"][0], method.upper(), path, node, ptr, tuple(parameters))
                found.append(op)
    return found


OPERATIONS = _operations()
BY_ID = {op.operation_id: op for op in OPERATIONS}
TAGS = sorted({op.tag for op in OPERATIONS})


def _query_value_problems(parameter: Parameter, value: str) -> list[str]:
    check = validator(parameter.schema_pointer)
    candidates: list[Any] = [value]
    if value in ("true", "false"):
        candidates.append(value == "true")  # a boolean parameter travels as its JSON spelling
    if any(check.is_valid(candidate) for candidate in candidates):
        return []
    return [f"query {parameter.name}={value!r} does not match its schema"]


def wire_problems(op: Operation, request: httpx.Request, *, instance_key: str, token: str) -> list[str]:
    """Everything about `request` that the spec's description of `op` does not allow."""
    problems = []
    if request.method != op.method:
        problems.append(f"method {request.method}, spec says {op.method}")
    expected_path = op.url_path(instance_key)
    if request.url.raw_path.decode("ascii").split("?")[0] != expected_path:
        problems.append(f"path {request.url.raw_path!r}, spec says {expected_path}")
    declared = op.query_parameters
    items = request.url.params.multi_items()
    sent = dict(items)
    if len(sent) != len(items):
        problems.append("a query parameter is repeated")
    for name, value in sent.items():
        if name in declared:
            problems += _query_value_problems(declared[name], value)
        else:
            problems.append(f"undeclared query parameter {name!r}")
    problems += [f"required query parameter {n!r} missing" for n, p in declared.items() if p.required and n not in sent]
    if request.headers.get("authorization") != f"Bearer {token}":
        problems.append("Authorization is not the expected bearer token")
    if not request.headers.get("user-agent", "").startswith("megaapi-python/"):
        problems.append(f"User-Agent {request.headers.get('user-agent')!r}")
    if op.body_validator is None:
        if request.content:
            problems.append("a body was sent to an operation that takes none")
        return problems
    if request.headers.get("content-type") != "application/json":
        problems.append(f"Content-Type {request.headers.get('content-type')!r}")
    body = json.loads(request.content) if request.content else None
    problems += [f"body: {e.message} at {list(e.absolute_path)}" for e in op.body_validator.iter_errors(body)]
    return problems
