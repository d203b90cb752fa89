"""How an operation is defined once and served by both the sync and the async client.

A namespace method decorated with `@endpoint` only *describes* the request: it validates its arguments, builds the
generated request model and returns a `Call`. The descriptor binds it to the namespace's runner, which sends the
call with httpx and parses the answer; `MegaApi` has a sync runner and `AsyncMegaApi` an async one, so the same
method returns a model on one and an awaitable on the other. mypy sees both signatures through the overloads of
`Endpoint.__get__`.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import (
    TYPE_CHECKING,
    Any,
    Concatenate,
    Generic,
    ParamSpec,
    Protocol,
    Self,
    TypeVar,
    get_args,
    get_origin,
    get_type_hints,
    overload,
)

if TYPE_CHECKING:
    from io import BytesIO
    from pathlib import Path

    from megaapi_client.operation_table import Request

    from .media import Media
    from .runner import AsyncRunner, SyncRunner

    class Model(Protocol):
        """What the generated response models offer: a `from_dict` constructor."""

        @classmethod
        def from_dict(cls, src_dict: Any) -> Self: ...


P = ParamSpec("P")
T = TypeVar("T")
M = TypeVar("M", bound="Model")
R = TypeVar("R", "SyncRunner", "AsyncRunner")


class Call(Generic[T]):
    """One request to Mega-api, ready to send.

    `request` names the operation and carries the arguments of its generated request builder; it comes from the
    typed functions of `megaapi_client.operation_table`, so mypy checks each argument's name and type. What the
    spec declares about the operation comes from the same generated table: `idempotent` (`x-megaapi-retry-safe`)
    calls are retried after any transient failure, the others (sends, creations) only when the server provably
    did not receive them; `recipient` (`x-megaapi-recipient`) calls map HTTP 403 to `NotOnWhatsAppError`; `admin`
    calls (security `adminBearerAuth`) use the account's admin token and name their instance themselves, the
    others get the client's instance key.

    With `upload`, the file's data URL goes into the body's string member at `upload_at` (JSON names from the
    root; whatever the model holds there is dropped), encoded as it is sent; with `save_to`, the reply's base64
    `data` is decoded into that file or buffer as it arrives and emptied in the parsed model. `model` parses a
    successful JSON body, or is None for a binary body; `finish` turns the parsed value into what the method
    returns.
    `secrets` are further values to keep out of logs and errors, such as the key of an instance an account call
    manages.
    """

    # A plain slotted class: dataclasses would add milliseconds to `import megaapi`.
    __slots__ = (
        "admin",
        "finish",
        "idempotent",
        "kwargs",
        "model",
        "operation",
        "recipient",
        "save_to",
        "secrets",
        "upload",
        "upload_at",
    )

    # The overloads tie what the method declares it returns to the model that parses the reply (or to `finish`),
    # so a method passing the wrong model fails mypy.
    @overload
    def __init__(
        self: Call[M],
        request: Request,
        model: type[M],
        *,
        upload: Media | None = None,
        upload_at: tuple[str, ...] = (),
        save_to: Path | BytesIO | None = None,
        secrets: tuple[str, ...] = (),
    ) -> None: ...
    @overload
    def __init__(
        self: Call[bytes],
        request: Request,
        model: None,
        *,
        secrets: tuple[str, ...] = (),
    ) -> None: ...
    @overload
    def __init__(
        self,
        request: Request,
        model: type[M],
        *,
        save_to: Path | BytesIO | None = None,
        secrets: tuple[str, ...] = (),
        finish: Callable[[M], T],
    ) -> None: ...
    @overload
    def __init__(
        self,
        request: Request,
        model: None,
        *,
        secrets: tuple[str, ...] = (),
        finish: Callable[[bytes], T],
    ) -> None: ...
    def __init__(
        self,
        request: Request,
        model: type[Model] | None,
        *,
        upload: Media | None = None,
        upload_at: tuple[str, ...] = (),
        save_to: Path | BytesIO | None = None,
        secrets: tuple[str, ...] = (),
        finish: Callable[[Any], T] | None = None,
    ) -> None:
        from .generated_api import OPERATIONS

        declared = OPERATIONS[request.operation_id]
        self.operation = declared
        self.kwargs = request.arguments
        self.model = model
        self.idempotent = declared.retry_safe
        self.admin = declared.admin
        self.recipient = declared.recipient
        self.upload = upload
        self.upload_at = upload_at
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
    """Descriptor that turns a request-building method into a sync or async API method.

    The bound method is a plain function on the sync client and a coroutine function on the async one, with the
    builder's name and docstring and a signature without `self` whose return type is what the call returns, so
    `inspect.signature`, `inspect.iscoroutinefunction` and `help()` tell the truth.
    """

    def __init__(self, build: Callable[Concatenate[Any, P], Call[T]]) -> None:
        self._build = build
        self.__doc__ = build.__doc__
        self.__name__ = build.__name__
        self.__wrapped__ = build
        self._signature: inspect.Signature | None = None

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
        method: Callable[..., object]
        if inspect.iscoroutinefunction(run):

            async def method(*args: Any, **kwargs: Any) -> object:
                return await run(build(namespace, *args, **kwargs))

        else:

            def method(*args: Any, **kwargs: Any) -> object:
                return run(build(namespace, *args, **kwargs))

        method.__name__ = build.__name__
        method.__qualname__ = f"{type(namespace).__name__}.{build.__name__}"
        method.__module__ = build.__module__
        method.__doc__ = build.__doc__
        method.__signature__ = self.signature()  # type: ignore[attr-defined]
        # A non-data descriptor: caching the bound method on the instance skips this work on later lookups.
        namespace.__dict__[self._name] = method
        return method

    def __call__(self, namespace: Namespace[Any], *args: Any, **kwargs: Any) -> object:
        """Read from the class, the method takes its namespace first, as any method does."""
        bound: Callable[..., object] = Endpoint.__get__(self, namespace, type(namespace))
        return bound(*args, **kwargs)

    @property
    def __signature__(self) -> inspect.Signature:
        """The method's signature as read from the class (with `self`), for `help()` on a whole namespace."""
        signature = self.signature()
        first = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
        return signature.replace(parameters=[first, *signature.parameters.values()])

    def signature(self) -> inspect.Signature:
        """The builder's signature without `self`, returning what the `Call` returns; computed once."""
        if self._signature is None:
            signature = inspect.signature(self._build)
            hints = _type_hints(self._build)
            parameters = [
                parameter.replace(annotation=hints.get(name, parameter.annotation))
                for name, parameter in list(signature.parameters.items())[1:]
            ]
            returned = hints.get("return", signature.return_annotation)
            returned = get_args(returned)[0] if get_origin(returned) is Call else returned
            self._signature = signature.replace(parameters=parameters, return_annotation=returned)
        return self._signature


def _type_hints(build: Callable[..., Any]) -> dict[str, Any]:
    """The builder's annotations as objects; they name models imported only for type checking, so those are
    supplied here. An annotation that cannot be resolved stays a string rather than breaking the method.
    """
    import sys
    from collections.abc import Mapping, Sequence

    from . import arguments, media

    names = _Names(
        {
            "Any": Any,
            "Mapping": Mapping,
            "Sequence": Sequence,
            "Call": Call,
            "Media": media.Media,
            "MediaSource": media.MediaSource,
            "MediaType": media.MediaType,
            "ToDict": arguments.ToDict,
        }
    )
    try:
        return get_type_hints(build, globalns=vars(sys.modules[build.__module__]), localns=names)
    except NameError:
        return {}


class _Names(dict[str, Any]):
    """Names for annotations; the models are looked up on demand, since both model modules load them lazily."""

    def __missing__(self, name: str) -> Any:
        import megaapi_client.models

        from . import models

        for module in (models, megaapi_client.models):  # the reply classes first: they replace the generated ones
            try:
                return getattr(module, name)
            except AttributeError:
                continue
        raise KeyError(name)


def endpoint(build: Callable[Concatenate[Any, P], Call[T]]) -> Endpoint[P, T]:
    """Mark a namespace method that returns a `Call` as an API method."""
    return Endpoint(build)
