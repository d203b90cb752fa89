"""Every response shape and every example says, machine-readably, whether a source shows it or it is made up."""

from __future__ import annotations

from typing import Any

import pytest
from spec_document import OPERATIONS, PATH_OPERATIONS, SPEC, Operation, pointer, resolve, subschemas

EVIDENCE = {"sourced", "inferred"}
EXAMPLE_KINDS = {"vendor", "illustrative"}
SCHEMAS = SPEC["components"]["schemas"]
# Replies no public source shows, found by the audit of the spec against its sources; each must stay marked.
AUDITED_INFERRED = [
    "/components/schemas/GroupInviteCodeResponse/properties/code",
    "/components/schemas/GroupInviteCodeResponse/properties/link",
    "/components/schemas/CreateInstanceResponse/properties/key",
    "/components/schemas/CreateInstanceResponse/properties/token",
    "/components/schemas/InstanceListResponse/properties/data/items",
]
AUDITED_INFERRED_REPLIES = ["configureWebhook", "listChats", "getGroupInviteCode", "createInstance", "createGroup"]


def _success_media(op: Operation) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for code, response in op.node.get("responses", {}).items():
        if str(code).startswith("2"):
            node, _ = resolve(response, op.ptr)
            found += list(node.get("content", {}).items())
    return found


def _at(ptr: str) -> Any:
    node: Any = SPEC
    for token in ptr.strip("/").split("/"):
        node = node[token]
    return node


def _has_examples(node: dict[str, Any]) -> bool:
    return "example" in node or "examples" in node


def test_info_explains_the_markers() -> None:
    description = SPEC["info"]["description"]
    assert "x-megaapi-evidence" in description
    assert "x-megaapi-example" in description


@pytest.mark.parametrize("op", PATH_OPERATIONS, ids=lambda op: op.id)
def test_every_reply_says_whether_a_source_shows_it(op: Operation) -> None:
    media = _success_media(op)
    assert media, f"{op}: no success content"
    for media_type, node in media:
        assert node.get("x-megaapi-evidence") in EVIDENCE, f"{op}: {media_type} needs x-megaapi-evidence"
        if _has_examples(node):
            assert node.get("x-megaapi-example") in EXAMPLE_KINDS, f"{op}: {media_type} needs x-megaapi-example"


@pytest.mark.parametrize("op", [op for op in OPERATIONS if "requestBody" in op.node], ids=lambda op: op.id)
def test_every_request_example_says_where_it_comes_from(op: Operation) -> None:
    for media_type, node in op.node["requestBody"].get("content", {}).items():
        if node.get("x-megaapi-example") in EXAMPLE_KINDS:
            continue
        examples = node.get("examples", {})
        assert "example" not in node, f"{op}: {media_type} needs x-megaapi-example"
        assert examples, f"{op}: {media_type} needs x-megaapi-example"
        for name, example in examples.items():
            assert example.get("x-megaapi-example") in EXAMPLE_KINDS, f"{op}: example {name} needs x-megaapi-example"


def test_every_schema_example_says_where_it_comes_from() -> None:
    unmarked = [
        ptr
        for name, schema in SCHEMAS.items()
        for node, ptr in subschemas(schema, pointer("components", "schemas", name))
        if "example" in node and node.get("x-megaapi-example") not in EXAMPLE_KINDS
    ]
    assert not unmarked, f"schema examples without x-megaapi-example: {unmarked}"


def test_a_property_is_marked_only_as_inferred() -> None:
    wrong = [
        ptr
        for name, schema in SCHEMAS.items()
        for node, ptr in subschemas(schema, pointer("components", "schemas", name))
        if "x-megaapi-evidence" in node and node["x-megaapi-evidence"] != "inferred"
    ]
    assert not wrong, f"a schema is sourced unless marked `inferred`; other values at {wrong}"


@pytest.mark.parametrize("ptr", AUDITED_INFERRED)
def test_audited_guesses_stay_marked(ptr: str) -> None:
    assert _at(ptr).get("x-megaapi-evidence") == "inferred"


@pytest.mark.parametrize("operation_id", AUDITED_INFERRED_REPLIES)
def test_audited_replies_stay_marked(operation_id: str) -> None:
    [op] = [op for op in PATH_OPERATIONS if op.node["operationId"] == operation_id]
    assert {node.get("x-megaapi-evidence") for _, node in _success_media(op)} == {"inferred"}
