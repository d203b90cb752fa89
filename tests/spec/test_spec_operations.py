"""Rules every operation of openapi.yaml follows: naming, tags, prose, security, provenance, parameters, examples."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from spec_document import (
    OPERATIONS,
    PATH_OPERATIONS,
    SPEC,
    TEMPLATE_VARIABLE,
    Operation,
    is_json,
    pointer,
    resolve,
    responses,
)

ALLOWED_TAGS = {"instance", "webhook", "messages", "chats", "groups", "config", "account"}
# Webhook events get a tag no path operation uses: generators write one API file per tag, and an event sharing
# `webhook` with getWebhook/configureWebhook overwrites them (openapi-generator's FILEPATH_COLLISION).
EVENT_TAG = "webhookEvents"
CAMEL_CASE = re.compile(r"^[a-z][a-zA-Z0-9]*$")
SOURCE_REFERENCE = re.compile(
    r"^(https://[^\s/]+\.[^\s/]+(/\S*)?"  # a public URL
    r"|[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+(:\S+)?)$"  # owner/repo or owner/repo:path
)
MIN_DESCRIPTION_WORDS = 8


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


each_operation = pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.id)
each_path_operation = pytest.mark.parametrize("op", PATH_OPERATIONS, ids=lambda op: op.id)
BODY_OPERATIONS = [op for op in OPERATIONS if "requestBody" in op.node]


def test_operation_ids_are_unique() -> None:
    counts = Counter(op.node.get("operationId") for op in OPERATIONS)
    duplicates = {str(op) for op in OPERATIONS if counts[op.node.get("operationId")] > 1}
    assert not duplicates, f"operationIds used more than once: {sorted(duplicates)}"


@each_operation
def test_operation_id_is_camel_case(op: Operation) -> None:
    operation_id = op.node.get("operationId")
    assert isinstance(operation_id, str), f"{op}: no operationId"
    assert CAMEL_CASE.match(operation_id), f"{op}: operationId is not camelCase"


@each_operation
def test_operation_has_one_allowed_tag(op: Operation) -> None:
    tags = op.node.get("tags", [])
    assert len(tags) == 1, f"{op}: expected exactly one tag, found {tags}"
    allowed = ALLOWED_TAGS if op in PATH_OPERATIONS else {EVENT_TAG}
    assert tags[0] in allowed, f"{op}: tag {tags[0]!r} is not one of {sorted(allowed)}"


def test_used_tags_are_declared() -> None:
    declared = {tag["name"] for tag in SPEC.get("tags", [])}
    undeclared = {f"{tag} (by {op.id})" for op in OPERATIONS for tag in op.node.get("tags", []) if tag not in declared}
    assert not undeclared, f"tags used but not declared in the top-level `tags`: {sorted(undeclared)}"


@each_operation
def test_operation_has_summary_and_finished_description(op: Operation) -> None:
    assert _text(op.node.get("summary")), f"{op}: no summary"
    text = _text(op.node.get("description"))
    assert text.endswith("."), f"{op}: description does not end with a period: ...{text[-40:]!r}"
    assert len(text.split()) >= MIN_DESCRIPTION_WORDS, f"{op}: description is too short to act on: {text!r}"


@each_operation
def test_operation_records_provenance(op: Operation) -> None:
    assert _text(op.node.get("x-megaapi-doc-section")), f"{op}: x-megaapi-doc-section missing or empty"
    sources = op.node.get("x-megaapi-source")
    assert isinstance(sources, list), f"{op}: x-megaapi-source must be a list"
    assert sources, f"{op}: x-megaapi-source is empty"
    bad = [source for source in sources if not (isinstance(source, str) and SOURCE_REFERENCE.match(source))]
    assert not bad, f"{op}: x-megaapi-source entries are neither https URLs nor owner/repo[:path]: {bad}"
    confidence = op.node.get("x-megaapi-confidence")
    assert confidence in {"high", "medium", "low"}, f"{op}: x-megaapi-confidence is {confidence!r}"


@each_path_operation
def test_operation_requires_the_right_bearer_token(op: Operation) -> None:
    expected = "adminBearerAuth" if op.node.get("tags") == ["account"] else "bearerAuth"
    security = op.node.get("security")
    assert security == [{expected: []}], f"{op}: operation-level security must be [{{{expected}: []}}], is {security}"
    scheme = SPEC["components"]["securitySchemes"][expected]
    assert (scheme.get("type"), scheme.get("scheme")) == ("http", "bearer"), f"{expected} is not an HTTP bearer scheme"


@each_path_operation
def test_path_parameters_match_the_template(op: Operation) -> None:
    declared = {}
    item_ptr = op.ptr.rsplit("/", 1)[0]
    for owner, owner_ptr in ((op.path_item, item_ptr), (op.node, op.ptr)):  # the operation overrides the path item
        for index, param in enumerate(owner.get("parameters", [])):
            param, ptr = resolve(param, owner_ptr + pointer("parameters", index))
            declared[(param["name"], param["in"])] = (param, ptr)
    in_path = {name: entry for (name, where), entry in declared.items() if where == "path"}
    template = set(TEMPLATE_VARIABLE.findall(op.path))
    assert template <= in_path.keys(), f"{op}: path variables not declared as `in: path`: {template - in_path.keys()}"
    assert in_path.keys() <= template, f"{op}: path parameters absent from the template: {in_path.keys() - template}"
    optional = [ptr for param, ptr in in_path.values() if param.get("required") is not True]
    assert not optional, f"{op}: path parameters without `required: true`: {optional}"


@pytest.mark.parametrize("op", BODY_OPERATIONS, ids=lambda op: op.id)
def test_request_body_has_an_example(op: Operation) -> None:
    body, ptr = resolve(op.node["requestBody"], op.ptr + "/requestBody")
    content = body.get("content", {})
    assert content, f"{op}: request body declares no content"
    missing = [media for media, node in content.items() if "example" not in node and "examples" not in node]
    assert not missing, f"{op}: request media types without `example`/`examples` at {ptr}/content: {missing}"


@each_operation
def test_json_success_responses_have_an_example(op: Operation) -> None:
    missing = [
        ptr + pointer("content", media)
        for code, response, ptr in responses(op)
        if code.startswith("2")
        for media, node in response.get("content", {}).items()
        if is_json(media) and "example" not in node and "examples" not in node
    ]
    assert not missing, f"{op}: 2xx JSON responses without `example`/`examples`: {missing}"


@each_path_operation
def test_error_responses_use_the_shared_error_schema(op: Operation) -> None:
    wrong = []
    for code, response, ptr in responses(op):
        if code[0] not in "45":
            continue
        content = response.get("content", {})
        if not content:
            wrong.append(f"{code} at {ptr}: no content")
        for media, node in content.items():
            if node.get("schema", {}).get("$ref") != "#/components/schemas/ErrorResponse":
                wrong.append(f"{code} at {ptr}{pointer('content', media)}: schema is {node.get('schema')}")
    assert not wrong, f"{op}: error responses not described by ErrorResponse: {wrong}"


def _parameter_names(op: Operation) -> set[str]:
    names = set()
    for parameter in [
        *SPEC["paths"][op.ptr.split("/")[2].replace("~1", "/")].get("parameters", []),
        *op.node.get("parameters", []),
    ]:
        node, _ = resolve(parameter, op.ptr)
        names.add(node["name"])
    return names


def test_links_lead_to_real_operations_and_parameters() -> None:
    by_id = {op.node["operationId"]: op for op in PATH_OPERATIONS}
    wrong = []
    for name, link in SPEC["components"].get("links", {}).items():
        target = by_id.get(link.get("operationId"))
        if target is None:
            wrong.append(f"{name}: no operation {link.get('operationId')}")
            continue
        unknown = set(link.get("parameters", {})) - _parameter_names(target)
        if unknown:
            wrong.append(f"{name}: {target} has no parameter {sorted(unknown)}")
    assert not wrong, "\n".join(wrong)
    used = {
        ref["$ref"].rsplit("/", 1)[1]
        for op in PATH_OPERATIONS
        for response in op.node.get("responses", {}).values()
        for ref in response.get("links", {}).values()
    }
    assert used == set(SPEC["components"].get("links", {})), "every declared link is used by a response"
