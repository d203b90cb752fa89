"""What openapi.yaml and the generated client say about each operation, for checking requests and replies.

The spec is read by `megaapi.spec`, the project's one spec reader; the generated module of each operation comes from
the generated operation table through `megaapi.generated_api`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from functools import cached_property
from types import ModuleType
from typing import Any
from urllib.parse import quote

import httpx
from jsonschema import Draft202012Validator

from megaapi import generated_api, spec
from megaapi.spec import Parameter, load_spec, resolve, validator


@dataclass(frozen=True)
class Operation(spec.Operation):
    """An operation as megaapi.spec reads it, with what the unit tests check requests and replies against."""

    def __str__(self) -> str:
        return self.operation_id

    @property
    def node(self) -> dict[str, Any]:
        node: dict[str, Any] = load_spec()["paths"][self.path][self.method.lower()]
        return node

    @property
    def python_name(self) -> str:
        """The snake_case name the generator gave the operation's module: the method's name in the SDK."""
        return generated_api.OPERATIONS[self.operation_id].module

    @property
    def module(self) -> ModuleType:
        return generated_api.module(generated_api.OPERATIONS[self.operation_id])

    def url_path(self, instance_key: str) -> str:
        """The path the request must go to, the instance key percent-encoded as one segment."""
        return self.path.replace("{instance_key}", quote(instance_key, safe=""))

    @cached_property
    def body_validator(self) -> Draft202012Validator | None:
        return None if self.body_pointer is None else validator(self.body_pointer)

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
OPERATIONS = [Operation(**{f.name: getattr(op, f.name) for f in fields(op)}) for op in spec.operations()]
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
