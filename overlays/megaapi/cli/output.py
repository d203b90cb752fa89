"""What every command shares for output: rich consoles, one-line errors and JSON lines for `--json`."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

# Exit codes a script can rely on: 0 done, 1 the operation failed, 2 the command line was wrong (click's own).
EXIT_FAILED = 1
EXIT_USAGE = 2

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    """Print one clear line on stderr and exit. Callers pass SDK messages, which never hold secrets."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def print_json(data: Any) -> None:
    """One JSON object per line on stdout, for `--json` output that other programs read."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()
