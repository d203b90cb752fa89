"""`megaapi webhook show|set|off`: where the instance posts its events.

Mega-api signs nothing, so the URL carries a shared secret (`?token=`, what `megaapi.webhooks.WebhookApp` checks).
`set` adds a strong one when the URL has none; `show` never prints it.
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import typer

from megaapi.cli.connect import MASK, Connection, connected, remember_secret, reported
from megaapi.cli.instance import JsonOption, dig
from megaapi.cli.output import console, print_json

if TYPE_CHECKING:
    from megaapi import MegaApi

webhook = typer.Typer(name="webhook", help="Show, set or turn off the webhook.", no_args_is_help=True)

TOKEN_PARAMETER = "token"  # noqa: S105 - the parameter's name, not a secret
MIN_TOKEN_LENGTH = 16
# A path segment this long and mixing letters and digits is taken for a secret too (`/hooks/<secret>`).
_SECRET_SEGMENT = re.compile(r"(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_~.-]{20,}")


def url_secrets(url: str) -> list[str]:
    """The parts of a webhook URL that act as its secret: userinfo, query values, long random path segments."""
    parts = urlsplit(url)
    found = [value for _, value in parse_qsl(parts.query, keep_blank_values=True) if value]
    if parts.password:
        found.append(parts.password)
    found += [segment for segment in parts.path.split("/") if _SECRET_SEGMENT.fullmatch(segment)]
    return found


def has_token(url: str) -> bool:
    """Whether the URL carries a strong enough `token` (or some other long secret in its query or path)."""
    strong = [value for value in url_secrets(url) if len(value) >= MIN_TOKEN_LENGTH]
    return bool(strong)


def masked_url(url: str) -> str:
    """The URL with every secret-looking part replaced, fit to print."""
    parts = urlsplit(url)
    query = urlencode([(name, MASK if value else value) for name, value in parse_qsl(parts.query, True)], safe="*")
    host = parts.netloc.rpartition("@")[2]
    netloc = f"{MASK}@{host}" if "@" in parts.netloc else host
    path = "/".join(MASK if _SECRET_SEGMENT.fullmatch(s) else s for s in parts.path.split("/"))
    return urlunsplit((parts.scheme, netloc, path, query, ""))


def settings(api: MegaApi) -> dict[str, Any]:
    with reported():
        reply = api.webhook.get_webhook().to_dict()
    url = dig(reply, "webhookData", "webhookUrl")
    url = url if isinstance(url, str) else ""
    remember_secret(*url_secrets(url))
    enabled = dig(reply, "webhookData", "webhookEnabled")
    return {"url": url, "enabled": enabled is True or enabled == 1}


def _print(found: dict[str, Any], as_json: bool) -> None:
    shown = {"url": masked_url(found["url"]) if found["url"] else None, "enabled": found["enabled"]}
    if as_json:
        print_json(shown)
    elif not shown["url"]:
        console.print("no webhook URL set", highlight=False)
    else:
        console.print(f"{shown['url']} ({'on' if shown['enabled'] else 'off'})", highlight=False, soft_wrap=True)


@webhook.command("show")
@connected
def show(connection: Connection, as_json: JsonOption = False) -> None:
    """The webhook URL (its secret masked) and whether delivery is on."""
    with connection.client() as api:
        _print(settings(api), as_json)


@webhook.command("set")
@connected
def set_(
    connection: Connection,
    url: Annotated[str, typer.Argument(help="Where events are posted (https, or http to this machine).")],
    as_json: JsonOption = False,
) -> None:
    """Post events to URL. A URL without a token gets a strong `?token=`, printed once so the receiver can check it."""
    added = None
    if not has_token(url):
        added = secrets.token_urlsafe(32)
        parts = urlsplit(url)
        query = [*parse_qsl(parts.query, keep_blank_values=True), (TOKEN_PARAMETER, added)]
        url = urlunsplit(parts._replace(query=urlencode(query)))
    remember_secret(*url_secrets(url))
    with connection.client() as api, reported():
        api.webhook.configure_webhook(url, enabled=True)
    if as_json:
        print_json({"url": masked_url(url), "enabled": True, "token": added})
        return
    console.print(f"webhook set: {masked_url(url)}", highlight=False, soft_wrap=True)
    if added is not None:
        # Printed on purpose, this once: the receiver needs it (e.g. MEGAAPI_WEBHOOK_TOKEN for WebhookApp).
        console.print(f"token added to the URL: {added}", highlight=False, soft_wrap=True)


@webhook.command("off")
@connected
def off(connection: Connection, as_json: JsonOption = False) -> None:
    """Stop delivering events (the URL is kept)."""
    with connection.client() as api:
        current = settings(api)
        with reported():
            api.webhook.configure_webhook(current["url"] or None, enabled=False)
    _print({"url": current["url"], "enabled": False}, as_json)
