"""How an operation is defined once and served by both the sync and the async client.

A namespace method decorated with `@endpoint` only *describes* the request: it validates its arguments, builds the
generated request model and returns a `Call`. The descriptor binds it to the namespace's runner, which sends the
call with httpx and parses the answer; `MegaApi` has a sync runner and `AsyncMegaApi` an async one, so the same
method returns a model on one and an awaitable on the other. mypy sees both signatures through the overloads of
`Endpoint.__get__`.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, Protocol, Self, TypeVar, overload

if TYPE_CHECKING:
    from io import BytesIO
    from pathlib import Path

    from .media import Media
    from .runner import AsyncRunner, SyncRunner

    class Model(Protocol):
        """What the generated response models offer: a `from_dict` constructor."""

        @classmethod
        def from_dict(cls, src_dict: Any) -> Self: ...


P = ParamSpec("P")
T = TypeVar("T")
R = TypeVar("R", "SyncRunner", "AsyncRunner")


class Call(Generic[T]):
    """One request to Mega-api, ready to send.

    `module` is the generated module of the operation (its `_get_kwargs` builds method, path, query and body;
    with `upload`, the body's placeholder is replaced by the file's data URL, encoded as it is sent; with
    `save_to`, the reply's base64 `data` is decoded into that file or buffer as it arrives and emptied in the parsed
    model); `model` parses a successful JSON body, or is None for a binary body; `finish` turns the parsed value into
    what the method returns. `idempotent` calls are retried after any transient failure; the others (sends,
    creations) only when the server provably did not receive them. `admin` calls use the account's admin token
    and name their instance themselves; the others get the client's instance key. `secrets` are further values to
    keep out of logs and errors, such as the key of an instance an account call manages.
    """

    # A plain slotted class: dataclasses would add milliseconds to `import megaapi`.
    __slots__ = (
        "admin",
        "finish",
        "idempotent",
        "kwargs",
        "model",
        "module",
        "recipient",
        "save_to",
        "secrets",
        "upload",
    )

    def __init__(
        self,
        module: ModuleType,
        kwargs: dict[str, Any],
        model: type[Model] | None,
        *,
        idempotent: bool,
        admin: bool = False,
        recipient: bool = False,
        upload: Media | None = None,
        save_to: Path | BytesIO | None = None,
        secrets: tuple[str, ...] = (),
        finish: Callable[[Any], T] | None = None,
    ) -> None:
        self.module = module
        self.kwargs = kwargs
        self.model = model
        self.idempotent = idempotent
        self.admin = admin
        self.recipient = recipient
        self.upload = upload
        self.save_to = save_to
        self.secrets = secrets
        self.finish = finish


class Namespace(Generic[R]):
    """A group of operations (one OpenAPI tag) bound to a client's runner."""

    _runner: R

    def __init__(self, runner: R) -> None:
        self._runner = runner

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._runner.config.base_url}>"


class Endpoint(Generic[P, T]):
    """Descriptor that turns a request-building method into a sync or async API method."""

    def __init__(self, build: Callable[Concatenate[Any, P], Call[T]]) -> None:
        self._build = build
        self.__doc__ = build.__doc__
        self.__name__ = build.__name__
        self.__wrapped__ = build

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, namespace: None, owner: type) -> Self: ...
    @overload
    def __get__(self, namespace: Namespace[SyncRunner], owner: type) -> Callable[P, T]: ...
    @overload
    def __get__(self, namespace: Namespace[AsyncRunner], owner: type) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, namespace: Namespace[Any] | None, owner: type) -> object:
        if namespace is None:
            return self
        build, run = self._build, namespace._runner.run

        @functools.wraps(build)
        def method(*args: P.args, **kwargs: P.kwargs) -> object:
            return run(build(namespace, *args, **kwargs))

        # A non-data descriptor: caching the bound method on the instance skips this work on later lookups.
        namespace.__dict__[self._name] = method
        return method


def endpoint(build: Callable[Concatenate[Any, P], Call[T]]) -> Endpoint[P, T]:
    """Mark a namespace method that returns a `Call` as an API method."""
    return Endpoint(build)
