"""`MegaApi` and `AsyncMegaApi`: one object bound to one Mega-api instance.

```python
from megaapi import MegaApi

with MegaApi(instance_key="megastart-...", token="...", host="apistart01") as api:
    api.messages.send_text("5511999999999", "Olá!")
```

Arguments left out are read from `MEGAAPI_INSTANCE_KEY`, `MEGAAPI_TOKEN`, `MEGAAPI_ADMIN_TOKEN`, `MEGAAPI_HOST` and
`MEGAAPI_BASE_URL`. The namespaces follow the API's tags; `api.account` needs the admin token.
"""

from __future__ import annotations

import os
import re
from functools import cached_property
from typing import TYPE_CHECKING, Generic, Self

import httpx

from . import __version__, arguments
from .errors import ConfigurationError
from .hosts import base_url_for
from .logs import secret_filter
from .operations import R
from .runner import AsyncRunner, ClientConfig, SyncRunner

if TYPE_CHECKING:
    from .namespaces.account import Account
    from .namespaces.chats import Chats
    from .namespaces.groups import Groups
    from .namespaces.instance import Instance
    from .namespaces.messages import Messages
    from .namespaces.webhook import Webhook

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
_TOKEN = re.compile(r"[\x21-\x7e]+")


def _own_http_client() -> httpx.Client:
    """The client `MegaApi` makes when none is given."""
    return httpx.Client(follow_redirects=False)


class _NotGiven:
    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = _NotGiven()


def _config(
    *,
    instance_key: str | None,
    token: str | None,
    admin_token: str | None,
    host: str | None,
    base_url: str | None,
    timeout: float | httpx.Timeout | None,
    max_retries: int,
) -> ClientConfig:
    if host is None and base_url is None:
        host, base_url = os.environ.get("MEGAAPI_HOST") or None, os.environ.get("MEGAAPI_BASE_URL") or None
        if host is not None and base_url is not None:
            raise ConfigurationError("Both MEGAAPI_HOST and MEGAAPI_BASE_URL are set; keep one")
    instance_key = instance_key if instance_key is not None else os.environ.get("MEGAAPI_INSTANCE_KEY") or None
    token = token if token is not None else os.environ.get("MEGAAPI_TOKEN") or None
    admin_token = admin_token if admin_token is not None else os.environ.get("MEGAAPI_ADMIN_TOKEN") or None
    if admin_token is None and (instance_key is None or token is None):
        raise ConfigurationError(
            "Missing credentials: pass instance_key=... and token=... (shown under the instance's details in the "
            "Mega-api panel) or set MEGAAPI_INSTANCE_KEY and MEGAAPI_TOKEN"
        )
    config = ClientConfig(
        base_url=base_url_for(host=host, base_url=base_url),
        timeout=_timeout(timeout),
        max_retries=_retries(max_retries),
        user_agent=f"megaapi-python/{__version__} httpx/{httpx.__version__}",
        instance_key_=None if instance_key is None else _checked_key(instance_key),
        token=None if token is None else _checked_token(token, "token"),
        admin_token=None if admin_token is None else _checked_token(admin_token, "admin_token"),
    )
    # Registered with the log filter from here on; the client's close() takes them out again.
    secret_filter.add(*config.secrets)
    return config


def _checked_key(value: object) -> str:
    try:
        return arguments.instance_key(value)
    except ValueError as error:
        raise ConfigurationError(str(error)) from None


def _checked_token(value: object, name: str) -> str:
    if not isinstance(value, str) or not _TOKEN.fullmatch(value):
        raise ConfigurationError(f"{name} must be a non-empty string of printable characters without spaces")
    return value


def _timeout(value: float | httpx.Timeout | None) -> httpx.Timeout:
    if isinstance(value, httpx.Timeout):
        return value
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool) and value > 0):
        return httpx.Timeout(value)
    raise ConfigurationError(f"timeout must be a positive number of seconds, an httpx.Timeout or None, not {value!r}")


def _retries(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(f"max_retries must be a non-negative integer, not {value!r}")
    return value


class _Client(Generic[R]):
    """What both clients share: namespaces, configuration, repr, and the secrets registered for log masking."""

    _runner: R
    _owns_http: bool
    _registered: bool

    def _bind(self, runner: R, *, owns_http: bool) -> None:
        # Every client, copies included, holds one registration of its secrets with the log filter until it closes,
        # so a copy made by with_options keeps masking after the client it came from has closed.
        self._runner = runner
        self._owns_http = owns_http
        self._registered = True

    # The namespaces are built, and their modules imported, on first use: it keeps `import megaapi` fast.
    @cached_property
    def instance(self) -> Instance[R]:
        """Connection state, pairing, profile, media download and what the live session holds."""
        from .namespaces.instance import Instance

        return Instance(self._runner)

    @cached_property
    def webhook(self) -> Webhook[R]:
        """Where and whether Mega-api delivers events."""
        from .namespaces.webhook import Webhook

        return Webhook(self._runner)

    @cached_property
    def messages(self) -> Messages[R]:
        """Sending text, media, locations, lists, contacts, templates, forwards and replies."""
        from .namespaces.messages import Messages

        return Messages(self._runner)

    @cached_property
    def chats(self) -> Chats[R]:
        """Presence, pinning, blocking, read receipts and deletion."""
        from .namespaces.chats import Chats

        return Chats(self._runner)

    @cached_property
    def groups(self) -> Groups[R]:
        """Listing, creating and administering groups."""
        from .namespaces.groups import Groups

        return Groups(self._runner)

    @cached_property
    def account(self) -> Account[R]:
        """Instance management with the account's admin token."""
        from .namespaces.account import Account

        return Account(self._runner)

    @property
    def base_url(self) -> str:
        return self._runner.config.base_url

    @property
    def timeout(self) -> httpx.Timeout:
        return self._runner.config.timeout

    @property
    def max_retries(self) -> int:
        return self._runner.config.max_retries

    def _options(self, timeout: float | httpx.Timeout | _NotGiven | None, max_retries: int | _NotGiven) -> ClientConfig:
        config = self._runner.config.with_options(
            timeout=None if isinstance(timeout, _NotGiven) else _timeout(timeout),
            max_retries=None if isinstance(max_retries, _NotGiven) else _retries(max_retries),
        )
        secret_filter.add(*config.secrets)
        return config

    def _forget_secrets(self) -> None:
        if self._registered:
            secret_filter.discard(*self._runner.config.secrets)
            self._registered = False

    def __repr__(self) -> str:
        # The instance key is as secret as the token: only its length is shown.
        key = self._runner.config.instance_key_
        shown = "None" if key is None else f"<{len(key)} characters>"
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, instance_key={shown}, max_retries={self.max_retries})"
        )


class MegaApi(_Client[SyncRunner]):
    """Blocking client for one Mega-api instance. Close it, or use it as a context manager.

    An `http_client` of yours is used as it is, with its auth, event hooks, mounts, cookies and redirects; the one the
    SDK makes when none is given has none of those, and sends each request straight to its transport.
    """

    def __init__(
        self,
        *,
        instance_key: str | None = None,
        token: str | None = None,
        host: str | None = None,
        base_url: str | None = None,
        admin_token: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
    ) -> None:
        config = _config(
            instance_key=instance_key,
            token=token,
            admin_token=admin_token,
            host=host,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
        )
        own = http_client is None
        http = _own_http_client() if http_client is None else http_client
        self._bind(SyncRunner(config, http, own=own), owns_http=own)

    def with_options(
        self, *, timeout: float | httpx.Timeout | _NotGiven | None = NOT_GIVEN, max_retries: int | _NotGiven = NOT_GIVEN
    ) -> MegaApi:
        """A client for a few calls with other options; it shares this client's connections."""
        copy = object.__new__(MegaApi)
        runner = self._runner
        copy._bind(SyncRunner(self._options(timeout, max_retries), runner.http, own=runner.own), owns_http=False)
        copy._runner.after_send = self._runner.after_send
        return copy

    def close(self) -> None:
        """Close the connections, unless they belong to an `http_client` you passed in."""
        if self._owns_http:
            self._runner.http.close()
        self._forget_secrets()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncMegaApi(_Client[AsyncRunner]):
    """Asynchronous client for one Mega-api instance; `await` its methods. Close it with `aclose`.

    Without `http_client`, it runs over aiohttp when `megaapi[aiohttp]` is installed (several times the throughput of
    httpx's own async transport with many calls in flight), else over httpx's, and sends each request straight to
    that transport; an `http_client` of yours is used as it is, with its auth, event hooks, mounts and cookies.
    """

    def __init__(
        self,
        *,
        instance_key: str | None = None,
        token: str | None = None,
        host: str | None = None,
        base_url: str | None = None,
        admin_token: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        config = _config(
            instance_key=instance_key,
            token=token,
            admin_token=admin_token,
            host=host,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
        )
        if http_client is None:
            from .transports import async_http_client  # aiohttp with megaapi[aiohttp], else httpx's own

            http_client, owns_http = async_http_client(), True
        else:
            owns_http = False
        self._bind(AsyncRunner(config, http_client, own=owns_http), owns_http=owns_http)

    def with_options(
        self, *, timeout: float | httpx.Timeout | _NotGiven | None = NOT_GIVEN, max_retries: int | _NotGiven = NOT_GIVEN
    ) -> AsyncMegaApi:
        """A client for a few calls with other options; it shares this client's connections."""
        copy = object.__new__(AsyncMegaApi)
        runner = self._runner
        copy._bind(AsyncRunner(self._options(timeout, max_retries), runner.http, own=runner.own), owns_http=False)
        copy._runner.after_send = self._runner.after_send
        return copy

    async def aclose(self) -> None:
        """Close the connections, unless they belong to an `http_client` you passed in."""
        if self._owns_http:
            await self._runner.http.aclose()
        self._forget_secrets()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
