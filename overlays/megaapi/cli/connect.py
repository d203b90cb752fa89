"""Credentials every command that talks to an instance shares, and the one place a `MegaApi` is built.

`@connected` adds `--instance-key`, `--token`, `--host` and `--base-url` to a command and hands it a `Connection`.
Options left out fall back to the `MEGAAPI_*` environment variables, which `MegaApi` reads itself. Secrets seen
here are remembered, so `say_error` can mask them in any message, whatever produced it.
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from megaapi.cli.output import fail
from megaapi.errors import MegaApiError

if TYPE_CHECKING:
    from megaapi import MegaApi

T = TypeVar("T")

MASK = "***"
# Secrets MegaApi may read from the environment; masked like those given as options.
SECRET_VARIABLES = ("MEGAAPI_INSTANCE_KEY", "MEGAAPI_TOKEN", "MEGAAPI_ADMIN_TOKEN", "MEGAAPI_WEBHOOK_TOKEN")
_SECRETS: set[str] = set()

_HELP = "Connection (default: the MEGAAPI_* environment variables)"
_OPTIONS: dict[str, Any] = {
    "instance_key": Annotated[
        str | None,
        typer.Option("--instance-key", help="Instance key (env MEGAAPI_INSTANCE_KEY)", rich_help_panel=_HELP),
    ],
    "token": Annotated[
        str | None, typer.Option("--token", help="Instance token (env MEGAAPI_TOKEN)", rich_help_panel=_HELP)
    ],
    "host": Annotated[
        str | None,
        typer.Option("--host", help="Host name, e.g. apistart01 (env MEGAAPI_HOST)", rich_help_panel=_HELP),
    ],
    "base_url": Annotated[
        str | None,
        typer.Option(
            "--base-url", help="Full base URL, e.g. the emulator's (env MEGAAPI_BASE_URL)", rich_help_panel=_HELP
        ),
    ],
}


def remember_secret(*values: str | None) -> None:
    """Mask these values wherever a command prints them (keys, tokens, webhook tokens)."""
    _SECRETS.update(value for value in values if value and len(value) >= 4)


def mask(text: str) -> str:
    for secret in sorted(_SECRETS, key=len, reverse=True):  # longest first: a key may contain the token
        text = text.replace(secret, MASK)
    return text


def say_error(message: str, code: int = 1) -> NoReturn:
    fail(mask(message), code)


@dataclass
class Connection:
    instance_key: str | None = field(repr=False)
    token: str | None = field(repr=False)
    host: str | None
    base_url: str | None

    def build(self, **options: Any) -> MegaApi:
        """A client for these credentials; raises `ConfigurationError` when they are missing or unusable."""
        from megaapi import MegaApi  # imports httpx: only for the commands that call an instance

        return MegaApi(
            instance_key=self.instance_key, token=self.token, host=self.host, base_url=self.base_url, **options
        )

    def client(self, **options: Any) -> MegaApi:
        """A client for these credentials, or one clear line and exit status 1."""
        try:
            return self.build(**options)
        except MegaApiError as error:
            say_error(str(error))


@contextmanager
def reported() -> Iterator[None]:
    """Turn an SDK error into one masked line on stderr and exit status 1."""
    try:
        yield
    except MegaApiError as error:
        say_error(str(error))


def connected(command: Callable[..., T]) -> Callable[..., T]:
    """Give `command` the connection options; it receives them as `connection: Connection`."""
    signature = inspect.signature(command, eval_str=True)
    own = [parameter for name, parameter in signature.parameters.items() if name != "connection"]
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)
        for name, annotation in _OPTIONS.items()
    ]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        values = {name: kwargs.pop(name) for name in _OPTIONS}
        remember_secret(values["instance_key"], values["token"], *map(os.environ.get, SECRET_VARIABLES))
        return command(*args, connection=Connection(**values), **kwargs)

    wrapper.__signature__ = signature.replace(parameters=own + added)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in own + added} | {"return": signature.return_annotation}
    return wrapper
