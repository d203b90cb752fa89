"""The `megaapi` command line. Its dependencies (typer, rich) come with the `cli` extra."""

from __future__ import annotations

import sys


def main() -> None:
    """Entry point of the `megaapi` command; explains how to install the extra when it is missing."""
    try:
        from megaapi.cli.app import app
    except ModuleNotFoundError as missing:
        if missing.name not in {"typer", "rich", "click"}:
            raise
        sys.stderr.write('The megaapi command needs the cli extra: pip install "megaapi[cli]"\n')
        raise SystemExit(1) from None
    app()
