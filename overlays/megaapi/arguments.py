"""Checks on the arguments of API methods, so bad input fails here with a clear message and nothing is sent."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import urlsplit

from .errors import InvalidInputError

T = TypeVar("T")

if TYPE_CHECKING:

    class ToDict(Protocol):
        """A generated model: anything that serialises itself to the wire's JSON object."""

        def to_dict(self) -> dict[str, Any]: ...


# WhatsApp refuses longer messages.
MAX_TEXT_LENGTH = 65_536
# Unix seconds fit in 32 bits until 2106; a larger number is milliseconds or a mistake.
MAX_TIMESTAMP = 2**32


def text(value: object, name: str, *, max_length: int = MAX_TEXT_LENGTH, allow_empty: bool = False) -> str:
    """A string that is not blank (unless allowed), not too long, and encodable as UTF-8."""
    if not isinstance(value, str):
        raise InvalidInputError(f"{name} must be a string, not {type(value).__name__}")
    if not allow_empty and not value.strip():
        raise InvalidInputError(f"{name} must not be empty")
    if len(value) > max_length:
        raise InvalidInputError(f"{name} has {len(value)} characters; the limit is {max_length}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInputError(f"{name} contains characters that are not valid Unicode text") from None
    return value


def optional_text(value: object, name: str, *, allow_empty: bool = True) -> str | None:
    return None if value is None else text(value, name, allow_empty=allow_empty)


def flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInputError(f"{name} must be True or False, not {type(value).__name__}")
    return value


def optional_flag(value: object, name: str) -> bool | None:
    return None if value is None else flag(value, name)


def coordinate(value: object, name: str, limit: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(f"{name} must be a number, not {type(value).__name__}")
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an int too large for a float
        finite = False
    if not finite:
        raise InvalidInputError(f"{name} must be a finite number")
    if not -limit <= value <= limit:
        raise InvalidInputError(f"{name} must be between -{limit:g} and {limit:g}, got {value}")
    return float(value)


def timestamp(value: object, name: str) -> int:
    """Unix seconds from an int or an aware datetime."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InvalidInputError(f"{name} must be timezone-aware")
        return int(value.timestamp())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < MAX_TIMESTAMP:
        raise InvalidInputError(f"{name} must be a Unix timestamp in seconds (a positive int) or an aware datetime")
    return value


def many(values: object, name: str, convert: Callable[[Any], T]) -> list[T]:
    """A non-empty list, each item converted; a lone string is refused rather than split into characters."""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise InvalidInputError(f"{name} must be a list, not {type(values).__name__}")
    if not values:
        raise InvalidInputError(f"{name} must not be empty")
    return [convert(value) for value in values]


def model(value: object, cls: type[T], name: str) -> T:
    """A generated model instance, built from a mapping with the wire's field names if needed."""
    if isinstance(value, cls):
        return value
    if isinstance(value, Mapping):
        from .conformance import problem

        found = problem(cls, value)
        if found is not None:
            raise InvalidInputError(f"{name} does not fit {cls.__name__}: {found}")
        return cls.from_dict(value)  # type: ignore[attr-defined, no-any-return]
    raise InvalidInputError(f"{name} must be a {cls.__name__} or a mapping, not {type(value).__name__}")


def plain(value: object, name: str) -> dict[str, Any]:
    """A JSON object given as a mapping or a generated model (anything with `to_dict`)."""
    if isinstance(value, Mapping):
        return dict(value)
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        result = to_dict()
        if isinstance(result, dict):
            return result
    raise InvalidInputError(f"{name} must be a mapping, not {type(value).__name__}")


def instance_key(value: object) -> str:
    """An instance key safe to put in a URL path: printable ASCII without separators, and not `.` or `..`."""
    key = text(value, "instance_key", max_length=200)
    if key in (".", "..") or not key.isascii() or not key.isprintable() or any(c in key for c in " /\\?#%"):
        raise InvalidInputError("instance_key must be printable ASCII without spaces, '/', '\\', '?', '#' or '%'")
    return key


def choice(value: object, name: str, allowed: frozenset[str]) -> str:
    """One of a fixed set of strings."""
    if not isinstance(value, str) or value not in allowed:
        raise InvalidInputError(f"{name} must be one of {sorted(allowed)}, not {value!r}"[:300])
    return value


def count(value: object, name: str) -> int:
    """A non-negative integer."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInputError(f"{name} must be a non-negative integer")
    return value


# Characters RFC 3986 leaves out of URLs; servers and WebhookApp refuse them.
_NOT_IN_URLS = re.compile(r'[\s<>"{}|\\^`\x00-\x1f\x7f]')


def http_url(value: object, name: str, *, max_length: int = 4096) -> str:
    """An absolute http(s) URL with a host, which a server can fetch or post to."""
    url = text(value, name, max_length=max_length).strip()
    refused = _NOT_IN_URLS.search(url)
    if refused:
        hint = " (a <placeholder> left in?)" if refused.group() in "<>" else "; percent-encode it"
        raise InvalidInputError(f"{name} contains {refused.group()!r}, which a URL cannot hold{hint}")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidInputError(f"{name} must be an absolute http(s) URL with a host, got {url[:60]!r}")
    return url
