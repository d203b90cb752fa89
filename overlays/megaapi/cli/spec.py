"""`megaapi spec`: the OpenAPI description this package ships, for other tools and languages."""

from __future__ import annotations

import sys
from importlib.resources import files
from typing import Annotated

import typer

from megaapi.cli.connect import say_error
from megaapi.cli.output import print_json


def spec(as_json: Annotated[bool, typer.Option("--json", help="Print it as JSON instead of YAML.")] = False) -> None:
    """Print the Mega-api OpenAPI description shipped with this package (YAML, or JSON with --json)."""
    text = (files("megaapi") / "openapi.yaml").read_text(encoding="utf-8")
    if not as_json:
        sys.stdout.write(text)
        return
    try:
        import yaml
    except ModuleNotFoundError:
        say_error('spec --json needs pyyaml: pip install "megaapi[cli]"')
    print_json(yaml.safe_load(text))
