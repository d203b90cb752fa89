"""`megaapi doctor`: what stands between this machine and a working bot, one line per check, with the fix."""

from __future__ import annotations

import ipaddress
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import typer
from rich.markup import escape

from megaapi.cli.connect import Connection, connected, mask
from megaapi.cli.instance import JsonOption, host_of, state
from megaapi.cli.output import console, print_json
from megaapi.cli.webhook import has_token, masked_url, settings
from megaapi.errors import APIConnectionError, AuthenticationError, MegaApiError, NotFoundError

if TYPE_CHECKING:
    from megaapi import MegaApi

EXIT_PROBLEMS = 3  # the checks ran and found something to fix


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str | None = None


def is_local(host: str) -> bool:
    """Loopback or private addresses (and `localhost`): reachable from this machine, not from Mega-api's servers."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local


def _instance_check(api: MegaApi) -> Check:
    found = state(api)
    if found["connected"]:
        return Check("instance", True, f"connected as +{found['phone']}")
    return Check("instance", False, f"no WhatsApp account linked on {found['host']}", "run `megaapi pair`")


def _reach(api: MegaApi) -> Check | None:
    """None when the host answers and takes the credentials; otherwise the failed check."""
    host = host_of(api)
    try:
        api.instance.get_instance_status()
    except AuthenticationError:
        return Check("credentials", False, f"{host} refused the token", "copy the token from the Mega-api panel")
    except NotFoundError:
        fix = "check the instance key, and that --host / MEGAAPI_HOST is the host the panel shows for this instance"
        return Check("credentials", False, f"{host} does not know this instance key", fix)
    except APIConnectionError as error:
        fix = "check --host / MEGAAPI_HOST (e.g. apistart01) and this machine's connection"
        return Check("host", False, f"cannot reach {host}: {error.message}", fix)
    except MegaApiError as error:
        return Check("host", False, f"{host} answered with an error: {error}", "try again; if it persists, ask support")
    return None


def _webhook_checks(api: MegaApi, api_is_local: bool) -> list[Check]:
    current = settings(api)
    url = current["url"]
    if not url:
        return [Check("webhook", False, "no webhook URL set", "run `megaapi webhook set https://<your bot>/webhook`")]
    shown = masked_url(url)
    parts = urlsplit(url)
    host = parts.hostname or ""
    checks = []
    if parts.scheme not in ("http", "https") or not host:
        fix = "set a full URL: `megaapi webhook set https://<your bot>/webhook`"
        return [Check("webhook URL", False, f"{shown} is not an http(s) URL", fix)]
    checks.append(Check("webhook URL", True, shown))
    local = is_local(host)
    if local and not api_is_local:
        fix = "Mega-api's servers cannot reach this machine: expose your receiver through an https tunnel"
        checks.append(Check("webhook host", False, f"{host} is a local address", fix))
    elif parts.scheme != "https" and not local:
        checks.append(Check("https", False, "the URL is plain http", "serve the receiver over https"))
    if not has_token(url):
        fix = "anyone who finds the URL can post fake events: `megaapi webhook set URL` adds a token"
        checks.append(Check("webhook token", False, "the URL carries no token", fix))
    else:
        checks.append(Check("webhook token", True, "present"))
    if not current["enabled"]:
        checks.append(Check("delivery", False, "webhook delivery is off", "run `megaapi webhook set URL`"))
    if local:
        checks.append(_reachable(url, shown))
    return checks


def _reachable(url: str, shown: str) -> Check:
    # A GET changes nothing at a webhook receiver (WebhookApp answers 405); any HTTP answer proves it listens.
    import httpx  # here, not at the top: every command's start-up would pay for it (`--help`, `spec`)

    try:
        with httpx.Client(timeout=3.0, trust_env=False) as http:
            answer = http.get(url)
    except httpx.HTTPError as error:
        fix = "start the receiver (your bot, or `megaapi listen`) on that address and port"
        return Check("webhook receiver", False, f"nothing answers at {shown}: {type(error).__name__}", fix)
    return Check("webhook receiver", True, f"answers (HTTP {answer.status_code})")


@connected
def doctor(connection: Connection, as_json: JsonOption = False) -> None:
    """Check credentials, host, instance state and webhook; print what to fix.

    One line per check. Exit status 3 when something needs fixing.
    """
    checks: list[Check] = []
    try:
        api = connection.build()
    except MegaApiError as error:
        checks.append(Check("credentials", False, str(error), "pass --instance-key/--token or set MEGAAPI_* variables"))
    else:
        with api:
            checks.append(Check("credentials", True, f"host {host_of(api)}"))
            problem = _reach(api)
            if problem is not None:
                checks.append(problem)
            else:
                checks.append(_instance_check(api))
                checks += _webhook_checks(api, is_local(urlsplit(api.base_url).hostname or ""))
    _report(checks, as_json)
    if not all(check.ok for check in checks):
        raise typer.Exit(EXIT_PROBLEMS)


def _report(checks: list[Check], as_json: bool) -> None:
    for check in checks:
        check.detail = mask(check.detail)
        if as_json:
            print_json(asdict(check))
        elif check.ok:
            console.print(f"[green]ok[/]   {check.name}: {escape(check.detail)}", highlight=False, soft_wrap=True)
        else:
            line = f"[red]fix[/]  {check.name}: {escape(check.detail)} -> {escape(check.fix or '')}"
            console.print(line, highlight=False, soft_wrap=True)
