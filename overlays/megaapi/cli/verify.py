"""`megaapi verify`: run the operations that change nothing against a real instance and compare every reply with
the spec's schemas. Most response shapes in the spec are inferred; this is how real instances correct them.

The anonymised report (`--report FILE`) can be attached to an issue: keys, tokens, URL secrets, numbers, names and
message text are replaced, while types and structure (what the spec describes) are kept.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from megaapi import __version__
from megaapi.cli.connect import Connection, connected, mask, say_error
from megaapi.cli.instance import JsonOption, dig, host_of
from megaapi.cli.output import console, print_json
from megaapi.cli.webhook import masked_url
from megaapi.errors import MegaApiError

if TYPE_CHECKING:
    import httpx

    from megaapi import MegaApi

EXIT_DIFFERENCES = 3  # the replies were read and some differ from the spec

# Fields whose text says how the API behaves rather than who wrote what; every other text is replaced.
_KEPT_FIELDS = {"status", "messageType", "mimetype", "type", "mediaType", "message", "error", "statusCode"}
_DIGITS = re.compile(r"\d{4,}")
_URL = re.compile(r"https?://\S+")
_JID = re.compile(r"[^@\s]+@(s\.whatsapp\.net|g\.us|lid|broadcast|newsletter)")
PLACEHOLDER = "<text>"


def _zeroed(text: str) -> str:
    return _DIGITS.sub(lambda found: "0" * len(found.group(0)), text)  # numbers keep their shape


def _anonymous_text(value: str, field: str | None) -> str:
    value = mask(value)
    if _URL.fullmatch(value):
        return _zeroed(masked_url(value))
    if _JID.fullmatch(value) or field in _KEPT_FIELDS or not value:
        return _zeroed(value)
    return PLACEHOLDER


def anonymise(value: Any, field: str | None = None) -> Any:
    """A copy of a reply with keys, tokens, numbers, names and texts replaced, keeping types and structure."""
    if isinstance(value, dict):
        return {_zeroed(mask(key)): anonymise(item, key) for key, item in value.items()}
    if isinstance(value, list):
        return [anonymise(item, field) for item in value]
    if isinstance(value, str):
        return _anonymous_text(value, field)
    return value


@dataclass
class Result:
    operation: str
    status: int | None
    conforms: bool
    difference: str | None
    body: Any = None


class _Recorder:
    """Keeps the last response the SDK received, through the `http_client` event hook MegaApi accepts."""

    def __init__(self) -> None:
        self.last: httpx.Response | None = None

    def __call__(self, response: httpx.Response) -> None:
        response.read()
        self.last = response


def _probes(api: MegaApi, own: str | None) -> list[tuple[str, Callable[[], object]]]:
    """(operationId, call) for the read-only operations after the status; those needing an account only when linked."""
    probes: list[tuple[str, Callable[[], object]]] = [("getWebhook", api.webhook.get_webhook)]
    if own is None:
        return probes
    probes += [
        ("listChats", api.instance.list_chats),
        ("listContacts", api.instance.list_contacts),
        ("listMessages", api.instance.list_messages),
        ("listGroups", api.groups.list_groups),
        ("listAdminGroups", api.groups.list_admin_groups),
        ("checkNumber", lambda: api.instance.check_number(own)),
        ("getProfilePicture", lambda: api.instance.get_profile_picture(own)),
    ]
    return probes


def _check(operation: str, response: httpx.Response | None) -> Result:
    from megaapi.testing.validation import response_error

    if response is None:
        return Result(operation, None, False, "no response")
    try:
        body = response.json()
    except ValueError:
        kind = response.headers.get("content-type", "no content type")
        return Result(operation, response.status_code, False, f"the reply is not JSON ({kind})")
    anonymous = anonymise(body)
    if response_error(operation, response.status_code, body) is None:
        return Result(operation, response.status_code, True, None, anonymous)
    # Described from the anonymised copy, so the message cannot quote private data.
    shown = response_error(operation, response.status_code, anonymous)
    return Result(operation, response.status_code, False, shown or "a private value does not match", anonymous)


def _own_number(status: object) -> str | None:
    """The linked number in a raw getInstanceStatus body, or None when no account is linked (or it does not say)."""
    jid = dig(status, "instance", "user", "id")
    return jid.split("@")[0].split(":")[0] if isinstance(jid, str) and jid else None


def _ask(recorder: _Recorder, operation: str, call: Callable[[], object]) -> tuple[Result, object]:
    """Call one operation; return its result against the spec and the raw JSON body (None when there is none)."""
    recorder.last = None
    # A reply the SDK refuses is what this command is for: it is checked all the same.
    with contextlib.suppress(MegaApiError):
        call()
    result = _check(operation, recorder.last)
    try:
        body = None if recorder.last is None else recorder.last.json()
    except ValueError:
        body = None
    return result, body


@connected
def verify(
    connection: Connection,
    report: Annotated[
        Path | None, typer.Option(help="Write an anonymised JSON report to this file, to attach to an issue.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Compare your instance's replies with the spec, using only operations that change nothing.

    Exit status 3 when some reply differs from the spec.
    """
    try:
        import megaapi.testing.validation  # noqa: F401 - needs jsonschema and pyyaml
    except ModuleNotFoundError:
        say_error('verify needs the spec validator: pip install "megaapi[cli,testing]"')
    if report is not None and not report.parent.is_dir():
        say_error(f"cannot write the report to {report}: {report.parent} is not a folder")
    import httpx  # here, not at the top: every command's start-up would pay for it (`--help`, `spec`)

    recorder = _Recorder()
    http = httpx.Client(event_hooks={"response": [recorder]}, follow_redirects=False)
    results: list[Result] = []
    with http, connection.client(http_client=http, max_retries=0) as api:
        status, body = _ask(recorder, "getInstanceStatus", api.instance.get_instance_status)
        results.append(status)
        results += [_ask(recorder, operation, call)[0] for operation, call in _probes(api, _own_number(body))]
        host = host_of(api)
    _print(results, as_json)
    if report is not None:
        document = {"megaapi": __version__, "host": host, "results": [asdict(r) for r in results]}
        try:
            report.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        except OSError as error:
            say_error(f"cannot write the report to {report}: {error.strerror}")
        if not as_json:
            console.print(f"anonymised report written to {escape(str(report))}", highlight=False)
    if not all(result.conforms for result in results):
        raise typer.Exit(EXIT_DIFFERENCES)


def _print(results: list[Result], as_json: bool) -> None:
    for result in results:
        if as_json:
            print_json({key: value for key, value in asdict(result).items() if key != "body"})
        elif result.conforms:
            console.print(f"[green]matches[/]  {result.operation} (HTTP {result.status})", highlight=False)
        else:
            line = f"[red]differs[/]  {result.operation} (HTTP {result.status}): {escape(result.difference or '')}"
            console.print(line, highlight=False, soft_wrap=True)
