"""The client behaviour every operation declares (`x-megaapi-retry-safe`, `x-megaapi-recipient`), and the identifier
formats: present everywhere, documented in `info.description`, and consistent with what the operation does.
"""

from __future__ import annotations

import pytest
from spec_document import PATH_OPERATIONS, SPEC, Operation, resolve, responses, subschemas

BEHAVIOUR = ("x-megaapi-retry-safe", "x-megaapi-recipient")
FORMATS = {"whatsapp-chat", "whatsapp-person", "whatsapp-group", "whatsapp-phone"}
# Replies that say a WhatsApp message went out: an operation answering with one delivers messages.
SEND_REPLIES = {"#/components/schemas/SendMessageResponse", "#/components/schemas/BulkSendResponse"}

each_path_operation = pytest.mark.parametrize("op", PATH_OPERATIONS, ids=lambda op: op.id)


@each_path_operation
def test_operation_declares_its_behaviour(op: Operation) -> None:
    for name in BEHAVIOUR:
        assert isinstance(op.node.get(name), bool), f"{op}: {name} must be true or false"


def test_the_extensions_and_formats_are_explained_for_other_languages() -> None:
    description = SPEC["info"]["description"]
    for name in (*BEHAVIOUR, "adminBearerAuth", *FORMATS):
        assert f"`{name}`" in description, f"info.description does not explain {name}"


def _sends_messages(op: Operation) -> bool:
    for code, response, _ in responses(op):
        schema = response.get("content", {}).get("application/json", {}).get("schema", {})
        if code.startswith("2") and schema.get("$ref") in SEND_REPLIES:
            return True
    return False


@each_path_operation
def test_operations_that_deliver_messages_are_unsafe_to_repeat_and_addressed(op: Operation) -> None:
    if _sends_messages(op):
        assert op.node["x-megaapi-retry-safe"] is False, f"{op}: repeating a send can deliver it twice"
        assert op.node["x-megaapi-recipient"] is True, f"{op}: a send addresses a recipient"


@each_path_operation
def test_creations_are_unsafe_to_repeat(op: Operation) -> None:
    if op.id.startswith("create"):
        assert op.node["x-megaapi-retry-safe"] is False, f"{op}: repeating a creation can create a second one"


@each_path_operation
def test_recipient_operations_declare_403(op: Operation) -> None:
    if op.node["x-megaapi-recipient"]:
        assert "403" in op.node["responses"], f"{op}: a recipient operation documents 403 (not on WhatsApp)"


def test_only_the_identifier_formats_are_used_on_strings() -> None:
    found = {
        (node["format"], ptr)
        for name, schema in SPEC["components"]["schemas"].items()
        for node, ptr in subschemas(schema, f"/components/schemas/{name}")
        if "format" in node and node.get("type") == "string" and node["format"] != "binary"
    }
    parameters = [resolve(p, "")[0] for item in SPEC["paths"].values() for p in item.get("parameters", [])]
    parameters += [resolve(p, "")[0] for op in PATH_OPERATIONS for p in op.node.get("parameters", [])]
    found |= {(p["schema"]["format"], p["name"]) for p in parameters if "format" in p.get("schema", {})}
    assert {kind for kind, _ in found} <= FORMATS, sorted(found)
    assert {kind for kind, _ in found} == FORMATS, "every documented identifier format is used"
