"""Query coercion and validation against the spec's own schemas."""

from __future__ import annotations

import pytest

from megaapi.spec import operation, pointer
from megaapi.testing.validation import coerce_query, first_error

LIST_TYPE = pointer("components", "schemas", "ListMessage", "properties", "listType")
LATITUDE = pointer("components", "schemas", "LocationMessage", "properties", "latitude")
LINK_PREVIEW = pointer("components", "schemas", "TextMessage", "properties", "linkPreview")
ALLOW_ONLY_ADMINS = pointer("components", "parameters", "AllowOnlyAdminsQuery", "schema")


@pytest.mark.parametrize(
    ("schema_pointer", "raw", "expected"),
    [
        (LIST_TYPE, "1", 1),
        (LIST_TYPE, "-3", -3),
        (LIST_TYPE, "1.5", "1.5"),
        (LATITUDE, "-15.74", -15.74),
        (LATITUDE, "nan", "nan"),
        (LINK_PREVIEW, "false", False),
        (LINK_PREVIEW, "False", "False"),
        (ALLOW_ONLY_ADMINS, "true", True),
        (ALLOW_ONLY_ADMINS, "1", "1"),
        (ALLOW_ONLY_ADMINS, "", ""),
    ],
)
def test_query_values_take_the_first_declared_type_they_fit(schema_pointer: str, raw: str, expected: object) -> None:
    assert coerce_query(raw, schema_pointer, _target(schema_pointer)) == expected


def _target(schema_pointer: str) -> dict[str, object]:
    from megaapi.spec import load_spec

    node: object = load_spec()
    for part in schema_pointer.strip("/").split("/"):
        assert isinstance(node, dict)
        node = node[part]
    assert isinstance(node, dict)
    return node


def test_references_inside_a_schema_resolve_against_the_whole_spec() -> None:
    body = operation("sendText").body_pointer
    assert body is not None
    assert first_error(body, {"messageData": {"to": "5511999999999", "text": "Oi"}}, "") is None
    assert (
        first_error(body, {"messageData": {"to": "5511999999999"}}, "") == "messageData: 'text' is a required property"
    )


def test_long_error_messages_are_cut() -> None:
    body = operation("sendText").body_pointer
    assert body is not None
    error = first_error(body, {"messageData": ["x" * 1000]}, "")
    assert error is not None
    assert error.startswith("messageData: ['xxx")
    assert len(error) == 300
    assert error.endswith("...")
