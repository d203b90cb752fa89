"""`megaapi status` and `megaapi pair`: is a WhatsApp account linked, and linking one."""

from __future__ import annotations

import base64
import time
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

import typer

from megaapi.cli import qr
from megaapi.cli.connect import Connection, connected, reported, say_error
from megaapi.cli.output import console, print_json

if TYPE_CHECKING:
    from megaapi import MegaApi

# Exit status when the command worked but the instance is not connected (status) or did not get connected (pair).
EXIT_NOT_CONNECTED = 3
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as one JSON object.")]


def dig(data: object, *path: str) -> Any:
    """The value at `path` in a reply's JSON, or None wherever the reply has something else (replies are lenient)."""
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def host_of(api: MegaApi) -> str:
    return urlsplit(api.base_url).netloc


def state(api: MegaApi) -> dict[str, Any]:
    """What `status` reports: connected or not, the linked number and name, the host."""
    with reported():
        reply = api.instance.get_instance_status().to_dict()
    user = dig(reply, "instance", "user")
    jid = dig(user, "id")
    return {
        "connected": isinstance(user, dict) and bool(user),
        "status": dig(reply, "instance", "status"),
        "phone": jid.split("@")[0].split(":")[0] if isinstance(jid, str) and jid else None,
        "name": dig(user, "name"),
        "host": host_of(api),
    }


def _describe(found: dict[str, Any]) -> str:
    if not found["connected"]:
        return f"not connected ({found['status'] or 'no status'}) on {found['host']}; run `megaapi pair`"
    who = f"+{found['phone']}" if found["phone"] else "an account"
    name = f" ({found['name']})" if found["name"] else ""
    return f"connected as {who}{name} on {found['host']}"


@connected
def status(connection: Connection, as_json: JsonOption = False) -> None:
    """Whether a WhatsApp account is connected, which number, on which host.

    Exit status 3 when not connected.
    """
    with connection.client() as api:
        found = state(api)
    if as_json:
        print_json(found)
    else:
        console.print(_describe(found), soft_wrap=True, highlight=False)
    if not found["connected"]:
        raise typer.Exit(EXIT_NOT_CONNECTED)


def _qr_image(api: MegaApi) -> bytes:
    with reported():
        data = api.instance.get_qr_code()
    try:
        return qr.png_from_reply(data)
    except qr.NotAQrImage as error:
        say_error(str(error))


@connected
def pair(
    connection: Connection,
    phone: Annotated[
        str | None, typer.Option("--phone", help="Link with a pairing code for this number instead of a QR code.")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Give up after this many seconds.", min=1)] = 180.0,
    interval: Annotated[float, typer.Option(help="Seconds between connection checks.", min=0.1)] = 2.0,
    refresh: Annotated[float, typer.Option(help="Seconds before a new QR code is shown.", min=1)] = 20.0,
    invert: Annotated[bool, typer.Option(help="Draw the QR code for a light terminal background.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Link a WhatsApp account: QR code (or pairing code with --phone) until connected.

    Exit status 3 when the timeout passes first.
    """
    with connection.client() as api:
        found = state(api)
        if found["connected"]:
            _report(found, as_json, "already connected")
            return
        deadline = time.monotonic() + timeout
        if phone is not None:
            with reported():
                code = api.instance.get_pairing_code(phone).to_dict().get("pairingCode")
            if not isinstance(code, str) or not code:
                say_error("the reply carries no pairing code; try the QR code (megaapi pair without --phone)")
            if as_json:
                print_json({"pairing_code": code})
            else:
                console.print(f"On the phone: WhatsApp > Linked devices > Link with phone number, then type {code}")
        shown_at = -refresh
        while time.monotonic() < deadline:
            if phone is None and time.monotonic() - shown_at >= refresh:
                _show_qr(_qr_image(api), invert=invert, as_json=as_json)
                shown_at = time.monotonic()
            time.sleep(interval)
            found = state(api)
            if found["connected"]:
                _report(found, as_json, "paired")
                return
    if as_json:
        print_json(found)
    else:
        console.print(f"not connected after {timeout:g} s; run `megaapi pair` again")
    raise typer.Exit(EXIT_NOT_CONNECTED)


def _show_qr(image: bytes, *, invert: bool, as_json: bool) -> None:
    if as_json:
        print_json({"qr_png_base64": base64.b64encode(image).decode("ascii")})
        return
    try:
        drawing = qr.render(qr.modules(image), invert=invert)
    except qr.NotAQrImage as error:
        say_error(str(error))
    if console.is_terminal:
        console.clear()
    console.print("Scan with WhatsApp > Linked devices > Link a device:")
    console.print(drawing, highlight=False, crop=False, overflow="ignore")


def _report(found: dict[str, Any], as_json: bool, what: str) -> None:
    if as_json:
        print_json(found)
    else:
        console.print(f"{what}: {_describe(found)}", soft_wrap=True, highlight=False)
