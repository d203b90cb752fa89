"""How operation handlers are declared: one plain function per operationId, registered by decorator."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from megaapi.testing.state import Instance
from megaapi.testing.world import ApiError, World


@dataclass
class Call:
    """One validated request, as a handler sees it."""

    world: World
    instance: Instance | None
    query: Mapping[str, object]
    body: Any

    @property
    def me(self) -> Instance:
        """The instance named in the path (every operation except two account-level ones has one)."""
        if self.instance is None:
            raise RuntimeError("this operation has no instance in its path")
        return self.instance

    @property
    def data(self) -> dict[str, Any]:
        """The fields inside the `messageData` wrapper (validation has made sure it is an object)."""
        data: dict[str, Any] = self.body["messageData"]
        return data

    def text_query(self, name: str) -> str:
        value = self.query[name]
        if not isinstance(value, str):
            raise TypeError(f"query parameter {name!r} is not a string")
        return value


@dataclass
class Reply:
    """A non-JSON answer (handlers return a plain dict for JSON)."""

    body: bytes
    media_type: str


Handler = Callable[[Call], Reply | dict[str, Any]]


@dataclass(frozen=True)
class Registration:
    handler: Handler
    needs_connection: bool


HANDLERS: dict[str, Registration] = {}


def handles(operation_id: str, *, connected: bool = False) -> Callable[[Handler], Handler]:
    """Register the handler of `operation_id`; `connected` ones need a linked WhatsApp account."""

    def register(handler: Handler) -> Handler:
        if operation_id in HANDLERS:
            raise ValueError(f"{operation_id} has two handlers")
        HANDLERS[operation_id] = Registration(handler, connected)
        return handler

    return register


def ok(message: str, **fields: Any) -> dict[str, Any]:
    return {"error": False, "message": message, **fields}


def loose_bool(value: object) -> bool | None:
    """Read a flag the way the spec allows it on the wire: a boolean, `true`/`false`, or PHP's `1` and empty."""
    if isinstance(value, bool):
        return value
    if value in ("true", "1", 1):
        return True
    if value in ("false", "0", "", 0):
        return False
    return None


def require_flag(value: object, name: str) -> bool:
    flag = loose_bool(value)
    if flag is None:
        # The spec admits any string here, so this is an application error, not a malformed request.
        raise ApiError(200, f"{name} must be true or false")
    return flag
