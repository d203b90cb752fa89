"""Property-based tests: whatever arrives, `parse` returns an event or raises `WebhookParseError`, nothing else.

Every result is also checked for consistency: a typed event validates against its spec schema and serialises back to
the payload, an `UnknownEvent` keeps the payload unchanged, and every convenience can be read without an exception.
"""

from __future__ import annotations

import contextlib
import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from webhook_payloads import FIXTURE_NAMES, payload, validator

from megaapi import webhooks
from megaapi.webhooks import WebhookParseError, parse
from megaapi.webhooks._events import EVENT_TYPES

FIXTURES = [payload(name) for name in FIXTURE_NAMES]
CONVENIENCES = (
    "kind",
    "message_id",
    "chat_jid",
    "sender_jid",
    "is_group",
    "from_me",
    "text",
    "media",
    "reply_to",
)
OPTIONAL_CONVENIENCES = (
    "timestamp",
    "changed_at",
    "sender_name",
    "is_voice_note",
    "selected_id",
    "selected_text",
    "ack",
    "ack_code",
    "is_sent",
    "is_delivered",
    "is_read",
    "state",
)
MESSAGE_TYPES = [*EVENT_TYPES, "reactionMessage", "", "message.ack ", "Conversation"]

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
# Values that look like the real fields: ids, JIDs, digit strings, timestamps and status codes.
plausible = (
    json_values
    | st.sampled_from(["556195562618@s.whatsapp.net", "120363@g.us", "1688998491", "3", "READ", ""])
    | st.integers(min_value=-(2**63), max_value=2**63)
)
PROFILE = settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])


def check(body: Any) -> None:
    """Parse `body` and check the result, or accept a WebhookParseError."""
    try:
        event = parse(body)
    except WebhookParseError:
        return
    for name in CONVENIENCES:
        getattr(event, name)
    for name in OPTIONAL_CONVENIENCES:
        getattr(event, name, None)
    repr(event)
    if event.reply_to is not None:
        _ = event.reply_to.text
    source = body if isinstance(body, dict) else json.loads(body)
    if isinstance(event, webhooks.UnknownEvent):
        assert event.raw == source
        assert event.kind == "unknown"
    else:
        assert EVENT_TYPES[source["messageType"]] is type(event)
        data = event.to_dict()
        assert data == without_nulls(source)
        errors = [error.message for error in validator(type(event).__name__).iter_errors(data)]
        assert errors == []


def without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {name: without_nulls(item) for name, item in value.items() if item is not None}
    if isinstance(value, list):
        return [without_nulls(item) for item in value]
    return value


@st.composite
def mutated_fixtures(draw: st.DrawFn) -> dict[str, Any]:
    """A fixture payload with a few fields deleted, retyped or given another messageType."""
    data: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(FIXTURES)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        container: Any = data
        # Walk down a random path, then change what is there.
        while True:
            keys = list(container) if isinstance(container, dict) else list(range(len(container)))
            if not keys:
                break
            key = draw(st.sampled_from(keys))
            child = container[key]
            if isinstance(child, dict | list) and child and draw(st.booleans()):
                container = child
                continue
            action = draw(st.sampled_from(["delete", "replace", "null"]))
            if action == "delete":
                del container[key]
            else:
                container[key] = None if action == "null" else draw(plausible)
            break
    if draw(st.booleans()):
        data["messageType"] = draw(st.sampled_from(MESSAGE_TYPES))
    return data


@PROFILE
@given(mutated_fixtures())
def test_mutated_payloads_parse_or_raise_webhook_parse_error(data: dict[str, Any]) -> None:
    check(data)
    check(json.dumps(data))
    check(json.dumps(data).encode("utf-8"))


@PROFILE
@given(st.sampled_from(FIXTURES), st.sampled_from(MESSAGE_TYPES), st.dictionaries(st.text(max_size=8), plausible))
def test_any_message_type_with_extra_fields_parses(data: dict[str, Any], message_type: str, extra: Any) -> None:
    check({**extra, **data, "messageType": message_type})


@PROFILE
@given(json_values)
def test_random_json_parses_or_raises_webhook_parse_error(value: Any) -> None:
    check(json.dumps(value))


@PROFILE
@given(st.dictionaries(st.sampled_from(["messageType", "key", "message", "update", "jid"]), plausible))
def test_random_objects_with_event_field_names_parse(value: dict[str, Any]) -> None:
    check(json.dumps(value))


@PROFILE
@given(st.binary(max_size=200))
def test_random_bytes_parse_or_raise_webhook_parse_error(body: bytes) -> None:
    with contextlib.suppress(WebhookParseError):
        parse(body)


@PROFILE
@given(st.text(max_size=200))
def test_random_text_parses_or_raises_webhook_parse_error(body: str) -> None:
    with contextlib.suppress(WebhookParseError):
        parse(body)
