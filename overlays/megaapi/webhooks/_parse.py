"""`parse`: one webhook body in, one typed event out."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from .. import conformance
from .. import model_reader as _reader
from ..errors import MegaApiError
from ._events import EVENT_TYPES, Event, TypedEvent, UnknownEvent

logger = logging.getLogger("megaapi.webhooks")


class WebhookParseError(MegaApiError, ValueError):
    """The body is not a JSON object, so it cannot be a Mega-api event. The message never quotes the body."""


def parse(body: bytes | bytearray | memoryview | str | Mapping[str, Any]) -> Event:
    """Turn one webhook delivery into a typed event.

    `body` is the raw request body (bytes or str) or an already decoded JSON object. A known `messageType` gives the
    matching event class (`ImageEvent`, `MessageAckEvent`, ...); any other gives an `UnknownEvent` holding the
    payload. Unknown fields are kept in `additional_properties`, and a `null` field counts as absent. A known type
    whose fields do not match the spec (say `key` is a string) is not an error either: it becomes an `UnknownEvent`
    with the payload in `raw` and the mismatch in `reason`, and a warning is logged, so the event is never lost.

    Raises `WebhookParseError`, and nothing else, when the body is not JSON or not a JSON object.
    """
    return parse_payload(load(body))


def load(body: object) -> dict[str, Any]:
    """The JSON object in `body`; raises `WebhookParseError` for anything else."""
    if isinstance(body, Mapping):
        return dict(body)
    value = _decode(body) if isinstance(body, bytes | bytearray | memoryview | str) else body
    if not isinstance(value, dict):
        raise WebhookParseError(f"a webhook body must be a JSON object, not {_kind(value)}")
    return value


def _decode(body: bytes | bytearray | memoryview | str) -> object:
    try:
        # What json.loads does, with one decoder made once rather than one per call.
        if isinstance(body, str):
            if body.startswith("\ufeff"):
                raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", body, 0)
            text = body
        else:
            data = bytes(body) if isinstance(body, memoryview) else body
            text = data.decode(json.detect_encoding(data), "surrogatepass")
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise WebhookParseError(f"the body is not valid JSON: {exc.msg} ({where})") from exc
    except UnicodeDecodeError as exc:
        raise WebhookParseError("the body is not text in a JSON encoding (UTF-8, UTF-16 or UTF-32)") from exc
    except ValueError as exc:  # a number too long to convert, or NaN/Infinity
        raise WebhookParseError("the body is not valid JSON: a value is out of range") from exc
    except RecursionError as exc:
        raise WebhookParseError("the body is not usable JSON: it is nested too deeply") from exc


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def _kind(value: object) -> str:
    if value is None:
        return "null"
    return {list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def parse_payload(payload: dict[str, Any]) -> Event:
    message_type = payload.get("messageType")
    if not isinstance(message_type, str):
        return UnknownEvent.from_dict(payload, reason="messageType: missing or not a string")
    event_class = EVENT_TYPES.get(message_type)
    if event_class is None:
        return UnknownEvent.from_dict(payload)
    try:
        return _typed(event_class, payload)
    except _Mismatch as exc:
        # message_type is one of the known names here, so the log line holds no text from the payload.
        logger.warning("A %s event does not match the spec and is delivered as UnknownEvent: %s", message_type, exc)
        return UnknownEvent.from_dict(payload, reason=str(exc))


class _Mismatch(Exception):
    pass


def _typed(event_class: type[TypedEvent], payload: dict[str, Any]) -> TypedEvent:
    try:
        event = _reader.read(event_class, payload)
    except RecursionError:
        event = _reader.INVALID
    if event is not _reader.INVALID:
        return event  # type: ignore[no-any-return]
    # The reference path: slower, and it names what does not fit.
    try:
        data = _reader.without_nulls(payload)
        found = conformance.problem(event_class, data)
    except RecursionError:
        raise _Mismatch("the payload is nested too deeply to check") from None
    if found:
        raise _Mismatch(found)
    return event_class.from_dict(data)
