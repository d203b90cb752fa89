"""`megaapi send text|media|location`: one message from the shell."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from megaapi.cli.connect import Connection, connected, reported
from megaapi.cli.instance import JsonOption
from megaapi.cli.output import console, print_json

if TYPE_CHECKING:
    from megaapi.models import SendMessageResponse

send = typer.Typer(name="send", help="Send a message: text, a file or a location.", no_args_is_help=True)

To = Annotated[str, typer.Argument(help="Number (any notation), contact JID or group JID.", show_default=False)]


def _done(reply: SendMessageResponse, as_json: bool) -> None:
    data = reply.to_dict().get("messageData")
    key = data.get("key", {}) if isinstance(data, dict) else {}
    sent = {"id": key.get("id"), "to": key.get("remoteJid"), "status": data.get("status") if data else None}
    if as_json:
        print_json(sent)
    else:
        console.print(f"sent to {sent['to']} (id {sent['id']})", highlight=False)


@send.command("text")
@connected
def text(
    connection: Connection,
    to: To,
    message: Annotated[str, typer.Argument(help="The text.", show_default=False)],
    no_preview: Annotated[bool, typer.Option("--no-preview", help="No preview card for a link in the text.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Send a text."""
    with connection.client() as api, reported():
        _done(api.messages.send_text(to, message, link_preview=False if no_preview else None), as_json)


@send.command("media")
@connected
def media(
    connection: Connection,
    to: To,
    source: Annotated[str, typer.Argument(help="A file path or a public http(s) URL.", show_default=False)],
    caption: Annotated[str | None, typer.Option(help="Text shown under the file.")] = None,
    file_name: Annotated[str | None, typer.Option(help="Name shown for a document.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Send a file (image, video, audio or document; the type is worked out from the file)."""
    with connection.client() as api, reported():
        _done(api.messages.send_media(to, source, caption=caption, file_name=file_name), as_json)


@send.command("location")
@connected
def location(
    connection: Connection,
    to: To,
    # Options rather than arguments: a negative argument would read as an option.
    latitude: Annotated[float, typer.Option("--lat", help="Degrees, e.g. -23.5505.", show_default=False)],
    longitude: Annotated[float, typer.Option("--lon", help="Degrees, e.g. -46.6333.", show_default=False)],
    name: Annotated[str | None, typer.Option(help="The place's name.")] = None,
    address: Annotated[str | None, typer.Option(help="A line under the name.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Send a map pin."""
    with connection.client() as api, reported():
        _done(api.messages.send_location(to, latitude, longitude, name=name, address=address), as_json)
