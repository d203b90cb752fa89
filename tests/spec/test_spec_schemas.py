"""Rules for the schemas of openapi.yaml: examples validate, responses stay open, webhook events discriminate."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from spec_document import (
    EXAMPLES,
    OPERATIONS,
    PATH_OPERATIONS,
    RESPONSE_SCHEMAS,
    ROOT,
    SPEC,
    TEMPLATE_VARIABLE,
    WEBHOOK_OPERATIONS,
    Example,
    Node,
    Operation,
    pointer,
    resolve,
    subschemas,
    validator_for,
)

EVENT_PTR = "/components/schemas/WebhookEvent"
UNKNOWN_EVENT_REF = "#/components/schemas/UnknownEvent"
KNOWN_GAPS = ("getConfig", "changeToken", "archiveChat")
WEBHOOK_FIXTURES = sorted((ROOT / "tests" / "fixtures" / "webhooks").glob("*.json"))


def _brief(message: str, limit: int = 240) -> str:
    """Messages quote the whole instance first; the end says which schemas or keyword it failed."""
    return message if len(message) <= limit else f"{message[: limit // 3]} ... {message[-(limit * 2 // 3) :]}"


def describe(errors: Iterable[ValidationError]) -> str:
    """One line per validation error; for a failed oneOf/anyOf, also the most relevant branch's complaint."""
    lines = []
    for error in errors:
        lines.append(f"  at {error.json_path}: {_brief(error.message)}")
        if error.context:
            closest = best_match(error.context)
            lines.append(f"    closest branch, at {closest.json_path}: {_brief(closest.message)}")
    return "\n".join(lines)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.ptr)
def test_example_validates_against_its_schema(example: Example) -> None:
    errors = list(validator_for(example.schema_ptr).iter_errors(example.value))
    assert not errors, f"example {example.ptr} does not satisfy {example.schema_ptr}:\n{describe(errors)}"


@pytest.mark.parametrize(("schema", "ptr"), RESPONSE_SCHEMAS, ids=[ptr for _, ptr in RESPONSE_SCHEMAS])
def test_response_schema_allows_unknown_fields(schema: Node, ptr: str) -> None:
    closed = [
        node_ptr
        for node, node_ptr in subschemas(schema, ptr)
        if node.get("additionalProperties") is False or node.get("unevaluatedProperties") is False
    ]
    assert not closed, f"schemas reachable from a response that reject unknown fields: {closed}"


@pytest.mark.parametrize(("schema", "ptr"), RESPONSE_SCHEMAS, ids=[ptr for _, ptr in RESPONSE_SCHEMAS])
def test_response_schema_has_no_enum(schema: Node, ptr: str) -> None:
    closed = [node_ptr for node, node_ptr in subschemas(schema, ptr) if "enum" in node]
    assert not closed, f"schemas reachable from a response with a closed `enum` (server strings stay open): {closed}"


def test_servers_take_an_open_host_variable() -> None:
    servers = SPEC.get("servers", [])
    assert servers, "no `servers`"
    for index, server in enumerate(servers):
        where = pointer("servers", index)
        variables = server.get("variables", {})
        assert "{host}" in server["url"], f"{where}: url {server['url']!r} has no {{host}}"
        assert set(TEMPLATE_VARIABLE.findall(server["url"])) == variables.keys(), f"{where}: url and variables differ"
        assert variables["host"].get("default"), f"{where}/variables/host: no default"
        assert "enum" not in variables["host"], f"{where}/variables/host: the set of hosts is open, drop the enum"


@pytest.mark.parametrize("name", KNOWN_GAPS)
def test_info_lists_known_gap(name: str) -> None:
    assert name in SPEC["info"]["description"], f"/info/description does not list the known gap {name}"
    assert name not in {op.id for op in OPERATIONS}, (
        f"{name} is described now; remove it from the known gaps in /info/description"
    )


# ---------------------------------------------------------------------------------------------------- webhooks


def test_webhooks_section_describes_the_event_delivery() -> None:
    assert WEBHOOK_OPERATIONS, "the top-level `webhooks` map is missing or empty"


@pytest.mark.parametrize("op", WEBHOOK_OPERATIONS, ids=lambda op: op.id)
def test_webhook_operation_is_unauthenticated_and_carries_an_event(op: Operation) -> None:
    assert op.node.get("security") == [], f"{op}: deliveries carry no credentials, so `security` must be []"
    content = op.node.get("requestBody", {}).get("content", {})
    assert content, f"{op}: no request body"
    for media, node in content.items():
        schema = node.get("schema", {})
        assert schema.get("$ref") == "#" + EVENT_PTR, f"{op}: {media} schema is {schema}, not WebhookEvent"


def _message_type_pin(schema: Node, ptr: str) -> tuple[list[Any], bool]:
    """The `messageType` consts a variant sets (itself or through allOf) and whether it requires the field."""
    schema, ptr = resolve(schema, ptr)
    consts = []
    message_type = schema.get("properties", {}).get("messageType", {})
    if "const" in message_type:
        consts.append(message_type["const"])
    required = "messageType" in schema.get("required", [])
    for index, part in enumerate(schema.get("allOf", [])):
        part_consts, part_required = _message_type_pin(part, ptr + pointer("allOf", index))
        consts += part_consts
        required = required or part_required
    return consts, required


KNOWN_VARIANTS = [
    (variant["$ref"], pointer("components", "schemas", "KnownWebhookEvent", "oneOf", index))
    for index, variant in enumerate(SPEC["components"]["schemas"]["KnownWebhookEvent"].get("oneOf", []))
]


@pytest.mark.parametrize(("ref", "ptr"), KNOWN_VARIANTS, ids=[ref.rsplit("/", 1)[1] for ref, _ in KNOWN_VARIANTS])
def test_event_variant_pins_its_message_type(ref: str, ptr: str) -> None:
    consts, required = _message_type_pin({"$ref": ref}, ptr)
    assert len(consts) == 1, f"{ref} should fix messageType with exactly one `const`, found {consts}"
    assert required, f"{ref} does not require messageType, so it cannot be told apart from the other variants"


@pytest.mark.parametrize(("ref", "ptr"), KNOWN_VARIANTS, ids=[ref.rsplit("/", 1)[1] for ref, _ in KNOWN_VARIANTS])
def test_event_variant_types_its_message_type(ref: str, ptr: str) -> None:
    """Generators that ignore `const` still need the type to read the field (openapi-generator, hey-api)."""
    schema, _ = resolve({"$ref": ref}, ptr)
    parts = [schema, *schema.get("allOf", [])]
    pins = [
        part["properties"]["messageType"]
        for part in parts
        if "const" in part.get("properties", {}).get("messageType", {})
    ]
    assert all(pin.get("type") == "string" for pin in pins), f"{ref}: state `type: string` beside the const"


def test_event_union_discriminates_on_message_type_with_a_full_mapping() -> None:
    union = SPEC["components"]["schemas"]["KnownWebhookEvent"]
    discriminator = union.get("discriminator", {})
    assert discriminator.get("propertyName") == "messageType"
    expected = {const: ref for ref, ptr in KNOWN_VARIANTS for const in _message_type_pin({"$ref": ref}, ptr)[0]}
    assert discriminator.get("mapping") == expected


def test_request_bodies_are_named_components() -> None:
    """An inline union body makes generators invent a name, which can overwrite a component of that name."""
    inline = [
        op.id
        for op in OPERATIONS
        for media in op.node.get("requestBody", {}).get("content", {}).values()
        if "$ref" not in media.get("schema", {})
    ]
    assert not inline, f"request bodies not given as a $ref to a component: {inline}"


def test_no_component_takes_the_name_of_an_operation_parameter_type() -> None:
    """typescript-fetch names each operation's parameter interface `<OperationId>Request` and renames it only when
    it clashes with that operation's own body; a clash with any other component breaks the package's exports."""
    schemas = SPEC["components"]["schemas"]
    clashes = []
    for op in PATH_OPERATIONS:
        name = op.node["operationId"][0].upper() + op.node["operationId"][1:] + "Request"
        body = op.node.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
        if name in schemas and body.get("$ref") != f"#/components/schemas/{name}":
            clashes.append(name)
    assert not clashes, f"components named like another operation's parameter interface: {clashes}"


# Fields whose two JSON types are both evidenced (the field's description says by what). Any other field has one
# type: generators turn a type pair into a wrapper model, a price worth paying only for a real need.
TWO_TYPE_FIELDS = {
    "/components/schemas/SentMessage/properties/messageTimestamp",
    "/components/schemas/MessageEventBase/properties/messageTimestamp",
    "/components/schemas/AckUpdate/properties/status",
}


def test_two_types_only_where_evidenced() -> None:
    found = set()
    for name, schema in SPEC["components"]["schemas"].items():
        for node, ptr in subschemas(schema, pointer("components", "schemas", name)):
            types = node.get("type")
            if isinstance(types, list) and len([kind for kind in types if kind != "null"]) > 1:
                found.add(ptr)
    assert found == TWO_TYPE_FIELDS


def test_event_variants_are_distinct_and_unknown_event_takes_the_rest() -> None:
    # WebhookEvent is the discriminated union's variants plus UnknownEvent, kept out of the discriminated union so
    # that generators do not give it a literal messageType.
    known = SPEC["components"]["schemas"]["KnownWebhookEvent"]["oneOf"]
    assert SPEC["components"]["schemas"]["WebhookEvent"].get("oneOf") == [*known, {"$ref": UNKNOWN_EVENT_REF}]
    consts = [const for ref, ptr in KNOWN_VARIANTS for const in _message_type_pin({"$ref": ref}, ptr)[0]]
    assert len(consts) == len(set(consts)), f"messageType consts repeat across variants: {sorted(consts)}"
    unknown = SPEC["components"]["schemas"]["UnknownEvent"]
    excluded = unknown.get("properties", {}).get("messageType", {}).get("not", {}).get("enum", [])
    assert set(excluded) == set(consts), (
        f"UnknownEvent must exclude exactly the pinned types: missing {set(consts) - set(excluded)}, "
        f"extra {set(excluded) - set(consts)}"
    )


def test_an_unlisted_event_type_is_accepted() -> None:
    event = {"instance_key": "megastart-example", "messageType": "reaction.future", "payload": {"any": 1}}
    errors = list(validator_for(EVENT_PTR).iter_errors(event))
    assert not errors, f"a new event type must validate as UnknownEvent:\n{describe(errors)}"


@pytest.mark.parametrize(
    "fixture",
    WEBHOOK_FIXTURES or [pytest.param(None, marks=pytest.mark.skip(reason="no tests/fixtures/webhooks/*.json yet"))],
    ids=lambda fixture: fixture.name if fixture else "none",
)
def test_webhook_fixture_is_a_webhook_event(fixture: Path) -> None:
    event = json.loads(fixture.read_text(encoding="utf-8"))
    errors = list(validator_for(EVENT_PTR).iter_errors(event))
    assert not errors, f"{fixture.relative_to(ROOT)} is not a WebhookEvent:\n{describe(errors)}"
