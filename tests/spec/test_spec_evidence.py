"""Every response shape and every example says, machine-readably, whether a source shows it or it is made up."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from spec_document import (
    OPERATIONS,
    PATH_OPERATIONS,
    ROOT,
    SPEC,
    WEBHOOK_OPERATIONS,
    Operation,
    is_json,
    pointer,
    resolve,
    subschemas,
)

EVIDENCE = {"sourced", "inferred"}
EXAMPLE_KINDS = {"vendor", "illustrative"}
SHOWN = "x-megaapi-shown"
INFERRED_HERE = "x-megaapi-inferred"
SCHEMAS = SPEC["components"]["schemas"]
VENDOR_PAYLOADS = [
    json.loads(path.read_text())
    for path in sorted((ROOT / "tests/fixtures/webhooks").glob("vendor_*"))
    if path.suffix == ".json"
]
# Replies no public source shows, found by the audit of the spec against its sources; each must stay marked.
AUDITED_INFERRED = [
    "/components/schemas/GroupInviteCodeResponse/properties/code",
    "/components/schemas/GroupInviteCodeResponse/properties/link",
    "/components/schemas/CreateInstanceResponse/properties/key",
    "/components/schemas/CreateInstanceResponse/properties/token",
    "/components/schemas/InstanceListResponse/properties/data/items",
]
AUDITED_INFERRED_REPLIES = [
    "configureWebhook", "listChats", "getGroupInviteCode", "createInstance", "createGroup", "getWebhook",
    "listGroups", "sendTextWithMentions", "sendLinkPreview", "forwardMessage", "replyToMessage", "sendButtons",
]  # fmt: skip


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


@dataclass
class Claims:
    """What a reply or an event says about its fields: every property path, and which are shown or inferred."""

    fields: dict[str, bool] = field(default_factory=dict)
    """Each property path (`a.b`, `list[].c`) and whether its schema marks it `x-megaapi-evidence: inferred`."""
    shown: set[str] = field(default_factory=set)
    inferred: set[str] = field(default_factory=set)

    def add_lists(self, node: dict[str, Any], prefix: str) -> None:
        self.shown |= {_join(prefix, path) for path in node.get(SHOWN, [])}
        self.inferred |= {_join(prefix, path) for path in node.get(INFERRED_HERE, [])}


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _is_marked(node: dict[str, Any]) -> bool:
    return node.get("x-megaapi-evidence") == "inferred"


def _properties(node: dict[str, Any], ptr: str, prefix: str, claims: Claims) -> Iterator[tuple[str, Any, str]]:
    """The properties of an object schema, through `$ref` and `allOf`; lists of shown/inferred paths on the way."""
    target, target_ptr = resolve(node, ptr)
    claims.add_lists(target, prefix)
    for name, sub in target.get("properties", {}).items():
        yield name, sub, target_ptr + pointer("properties", name)
    for index, part in enumerate(target.get("allOf", [])):
        yield from _properties(part, target_ptr + pointer("allOf", index), prefix, claims)


def _walk(node: dict[str, Any], ptr: str, prefix: str, claims: Claims) -> None:
    for name, sub, sub_ptr in _properties(node, ptr, prefix, claims):
        _field(sub, sub_ptr, _join(prefix, name), claims)


def _field(node: dict[str, Any], ptr: str, path: str, claims: Claims) -> None:
    target, target_ptr = resolve(node, ptr)
    marked = _is_marked(node) or _is_marked(target)
    claims.fields[path] = marked
    if marked:
        return  # what an inferred field holds is inferred too
    if "items" in target:
        _field(target["items"], target_ptr + "/items", path + "[]", claims)
    _walk(target, target_ptr, path, claims)


def _claims(schema: dict[str, Any], ptr: str, holder: dict[str, Any]) -> Claims:
    claims = Claims()
    claims.add_lists(holder, "")
    _walk(schema, ptr, "", claims)
    return claims


def _under(path: str, ancestor: str) -> bool:
    return path == ancestor or path.startswith((ancestor + ".", ancestor + "["))


def _unaccounted(claims: Claims) -> list[str]:
    """Fields neither shown (themselves or something inside them), nor marked, nor inferred for this use."""
    return [
        path
        for path, marked in claims.fields.items()
        if not marked
        and not any(_under(shown, path) for shown in claims.shown)
        and not any(_under(path, inferred) for inferred in claims.inferred)
    ]


def _contradictions(claims: Claims) -> list[str]:
    """Listed paths that name no field, or that are said to be both shown and inferred."""
    wrong = sorted((claims.shown | claims.inferred) - set(claims.fields))
    for path in claims.shown & set(claims.fields):
        if claims.fields[path] or any(_under(path, inferred) for inferred in claims.inferred):
            wrong.append(f"{path} (shown and inferred)")
    return wrong


def test_info_explains_the_markers() -> None:
    description = SPEC["info"]["description"]
    for marker in ("x-megaapi-evidence", "x-megaapi-example", SHOWN, INFERRED_HERE):
        assert marker in description


@pytest.mark.parametrize("op", PATH_OPERATIONS, ids=lambda op: op.id)
def test_every_reply_says_whether_a_source_shows_it(op: Operation) -> None:
    media = _success_media(op)
    assert media, f"{op}: no success content"
    for media_type, node in media:
        assert node.get("x-megaapi-evidence") in EVIDENCE, f"{op}: {media_type} needs x-megaapi-evidence"
        if _has_examples(node):
            assert node.get("x-megaapi-example") in EXAMPLE_KINDS, f"{op}: {media_type} needs x-megaapi-example"


@pytest.mark.parametrize("op", PATH_OPERATIONS, ids=lambda op: op.id)
def test_every_field_of_a_sourced_reply_is_shown_or_marked(op: Operation) -> None:
    for media_type, node in _success_media(op):
        if node.get("x-megaapi-evidence") != "sourced" or not is_json(media_type):
            listed = SHOWN in node or INFERRED_HERE in node
            assert not listed, f"{op}: {media_type} lists fields but is not sourced"
            continue
        claims = _claims(node["schema"], f"{op.ptr}/responses", node)
        assert claims.fields, f"{op}: a sourced reply without declared fields"
        assert node.get(SHOWN), f"{op}: a sourced reply lists the fields its sources show in {SHOWN}"
        assert not _contradictions(claims), f"{op}: {_contradictions(claims)}"
        assert not _unaccounted(claims), f"{op}: fields neither shown nor marked inferred: {_unaccounted(claims)}"


def _event_variants() -> list[tuple[str, str]]:
    """(schema name, messageType) of every typed event; UnknownEvent only names the types it is not."""
    found = []
    for variant in SCHEMAS["KnownWebhookEvent"]["oneOf"]:
        name = variant["$ref"].rsplit("/", 1)[1]
        schema = SCHEMAS[name]
        parts = [schema, *schema.get("allOf", [])]
        [message_type] = [
            part["properties"]["messageType"]["const"] for part in parts if "messageType" in part.get("properties", {})
        ]
        found.append((name, message_type))
    return found


def _payload_paths(value: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for name, sub in value.items():
            yield _join(prefix, name)
            yield from _payload_paths(sub, _join(prefix, name))
    elif isinstance(value, list):
        for item in value:
            yield prefix + "[]"
            yield from _payload_paths(item, prefix + "[]")


@pytest.mark.parametrize(("name", "message_type"), _event_variants())
def test_every_field_of_a_webhook_event_is_shown_or_marked(name: str, message_type: str) -> None:
    ptr = pointer("components", "schemas", name)
    claims = _claims(SCHEMAS[name], ptr, {})
    assert not _contradictions(claims), f"{name}: {_contradictions(claims)}"
    assert not _unaccounted(claims), f"{name}: fields neither shown nor marked inferred: {_unaccounted(claims)}"
    examples = [payload for payload in VENDOR_PAYLOADS if payload["messageType"] == message_type]
    in_examples = {path for payload in examples for path in _payload_paths(payload)}
    hidden = sorted(
        path
        for path in in_examples & set(claims.fields)
        if path not in claims.shown and not any(_under(shown, path) for shown in claims.shown)
    )
    assert not hidden, f"{name}: a vendor example shows {hidden}, so {SHOWN} must list them"


@pytest.mark.parametrize("op", WEBHOOK_OPERATIONS, ids=lambda op: op.id)
def test_a_vendor_event_example_is_a_vendor_payload_as_published(op: Operation) -> None:
    for media_type, node in op.node["requestBody"].get("content", {}).items():
        for name, example in node.get("examples", {}).items():
            if example.get("x-megaapi-example") == "vendor":
                assert example["value"] in VENDOR_PAYLOADS, f"{op}: {media_type} example {name} is not a vendor payload"


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
