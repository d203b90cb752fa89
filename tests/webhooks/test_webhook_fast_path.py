"""`parse` has a fast path (megaapi/model_reader.py) and a reference path (null removal, `conformance.problem`, the
generated `from_dict`). Both must give the same event, down to the class of every nested model, or the fast path
must hand the payload over to the reference path."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given
from test_webhook_properties import PROFILE, mutated_fixtures
from webhook_payloads import FIXTURE_NAMES, payload

from megaapi import conformance
from megaapi import model_reader as _reader
from megaapi.webhooks._events import EVENT_TYPES


def shape(value: object) -> object:
    """Every model's class and fields, recursively, so two events compare class by class."""
    cls = type(value)
    if attrs.has(cls):
        return (cls, {field.name: shape(getattr(value, field.name)) for field in attrs.fields(cls)})
    if isinstance(value, list):
        return [shape(item) for item in value]
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    return (type(value), value)


def assert_same_as_reference(data: dict[str, Any], *, keep_nulls: bool = False) -> None:
    """`keep_nulls`: as replies are read, a null being a value rather than an absent field."""
    message_type = data.get("messageType")
    if not isinstance(message_type, str) or message_type not in EVENT_TYPES:
        return
    event_class = EVENT_TYPES[message_type]
    fast = _reader.read(event_class, data, keep_nulls=keep_nulls)
    reference_data = data if keep_nulls else _reader.without_nulls(data)
    problem = conformance.problem(event_class, reference_data)
    if fast is _reader.INVALID:
        assert problem is not None
    else:
        assert problem is None
        assert shape(fast) == shape(event_class.from_dict(reference_data))


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_the_fast_path_builds_every_fixture_as_the_reference_path_does(name: str) -> None:
    data = payload(name)
    assert_same_as_reference(data)
    if data.get("messageType") in EVENT_TYPES and name != "handwritten_message_ack_string_status":
        assert _reader.read(EVENT_TYPES[data["messageType"]], data) is not _reader.INVALID


@PROFILE
@given(mutated_fixtures())
def test_the_fast_path_agrees_with_the_reference_path_on_mutated_payloads(data: dict[str, Any]) -> None:
    assert_same_as_reference(data)
    assert_same_as_reference(data, keep_nulls=True)
