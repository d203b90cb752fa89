"""The `megaapi` command: one typer app; each group of commands lives in its own module and is added here."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

import typer

from megaapi.cli import campaign, doctor, emulator, inbox, instance, send, spec, verify, webhook

app = typer.Typer(
    name="megaapi",
    help="Mega-api from the command line: pair, send, webhooks, the local emulator and more.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,  # a traceback could show locals, and locals hold the token
)


def _package_version() -> str:
    try:
        return version("megaapi")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"megaapi {_package_version()}")
        raise typer.Exit


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Mega-api from the command line. Credentials come from options or MEGAAPI_* environment variables."""


app.command()(instance.status)
app.command()(instance.pair)
app.add_typer(send.send)
app.add_typer(webhook.webhook)
app.command()(doctor.doctor)
app.command()(emulator.emulator)
app.command()(verify.verify)
app.command()(spec.spec)
inbox.register(app)
app.add_typer(campaign.campaign, name="campaign")
