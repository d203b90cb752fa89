"""A successful JSON body turned into the reply model, and what happens when it does not match the spec.

The generated `from_dict` methods fail on a missing required field with a bare `KeyError` and copy wrong types
through (`"id": 123` into a `str` field, `NaN` anywhere), so a body is first checked against the model's own
annotations (`conformance.problem`) and for numbers JSON cannot carry.

What follows a mismatch depends on the operation. A read is safe to repeat: the client raises an
`APIResponseValidationError` naming the field. A send or a creation is not: the server answered with success, so
the message went out or the thing exists, and an error would invite a retry that acts twice. Its reply is returned
with the fields that do not match left out, the body as received in `raw`, what was left out in `unmatched`, and a
`ReplyMismatchWarning`.
"""

from __future__ import annotations

import copy
import math
import re
import warnings
from typing import Any, TypeVar

from . import conformance
from . import model_reader as _reader
from .models import Reply, reply_class

T = TypeVar("T")

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_MISSING = "required field is missing"
# Each round leaves one field out; a body needing more rounds than this is not worth salvaging field by field.
_MAX_ROUNDS = 200


class ReplyMismatchWarning(UserWarning):
    """A reply to a send or a creation did not match the spec and was returned without the fields that did not fit.

    `operation` names the call (the instance key masked) and `unmatched` lists what was left out; the reply's `raw`
    holds the body as received.
    """

    def __init__(self, message: str, *, operation: str, unmatched: tuple[str, ...]) -> None:
        super().__init__(message)
        self.operation = operation
        self.unmatched = unmatched


class Mismatch(Exception):
    """The body does not match the model; the message names the first field that does not and why."""


def parse(model: type[T], body: Any) -> T:
    """The reply for a body that matches `model`; raises `Mismatch` otherwise."""
    if isinstance(body, dict) and _non_finite(body, "") is None:
        # The fast path: checks and builds in one pass (webhooks/_reader.py); anything it refuses goes the long way.
        reply = _reader.read(reply_class(model), body, keep_nulls=True)
        if reply is not _reader.INVALID:
            return reply  # type: ignore[no-any-return]
    found = _problem(model, body)
    if found is not None:
        raise Mismatch(found)
    try:
        return reply_class(model).from_dict(body)  # type: ignore[attr-defined, no-any-return]
    except (KeyError, TypeError, ValueError, AttributeError) as error:  # a case the check above does not cover
        raise Mismatch(f"the body does not fit {model.__name__} ({type(error).__name__})") from None


def salvage(model: type[T], body: Any, first: str, *, operation: str) -> T:
    """The reply built from what fits in `body`, with `raw` and `unmatched` set, after a warning naming the rest."""
    unmatched = [first]
    data: dict[str, Any] = {}
    if isinstance(body, dict):
        data = copy.deepcopy(body)
        found: str | None = first
        for _ in range(_MAX_ROUNDS):
            if found is None or not _leave_out(data, found):
                break
            found = _problem(model, data)
            if found is not None and found.partition(": ")[0] != unmatched[-1].partition(": ")[0]:
                unmatched.append(found)  # a field of the wrong type that is also required is named once
        if found is not None:
            data = {}
    cls: Any = reply_class(model)
    try:
        reply = cls.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError):  # a case the checks do not cover
        reply = cls.from_dict({})
    if isinstance(reply, Reply):
        reply.raw = body
        reply.unmatched = tuple(unmatched)
    warnings.warn(
        ReplyMismatchWarning(
            f"The reply to {operation} does not match the spec; returned without what did not fit "
            f"(see .raw): {'; '.join(unmatched)}",
            operation=operation,
            unmatched=tuple(unmatched),
        ),
        stacklevel=2,
    )
    return reply  # type: ignore[no-any-return]


def _problem(model: type, body: Any) -> str | None:
    if not isinstance(body, dict):
        return f"the body is {conformance._json_type(body)}, not a JSON object"  # same words as its field checks
    return _non_finite(body, "") or conformance.problem(model, body)


def _non_finite(value: Any, path: str) -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return f"{path}: expected a finite number, got {value}"
    if isinstance(value, dict):
        for name, item in value.items():
            found = _non_finite(item, f"{path}.{name}" if path else str(name))
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _non_finite(item, f"{path}[{index}]")
            if found:
                return found
    return None


def _leave_out(data: dict[str, Any], problem: str) -> bool:
    """Remove from `data` the field a problem names (its parent when the field is missing); False if impossible."""
    path, _, reason = problem.partition(": ")
    steps: list[str | int] = [name if name else int(index) for name, index in _STEP.findall(path)]
    if reason == _MISSING:
        steps = steps[:-1]
    if not steps:
        return False
    parent: Any = data
    for step in steps[:-1]:
        try:
            parent = parent[step]
        except (KeyError, IndexError, TypeError):
            return False
    try:
        del parent[steps[-1]]
    except (KeyError, IndexError, TypeError):
        return False
    return True
