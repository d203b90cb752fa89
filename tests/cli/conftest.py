"""Fixtures: an emulator served on 127.0.0.1 and `megaapi` run against it (see cli_run.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cli_run import Cli, cli_for

from megaapi.testing import Emulator, serve


@pytest.fixture
def cli() -> Iterator[Cli]:
    """An emulator with one paired instance, and `run(*args)` calling megaapi with its credentials."""
    with Emulator() as emulator:
        emulator.add_instance(phone="5511912345678", push_name="Loja do Teste")
        with serve(emulator) as served:
            yield cli_for(served)


@pytest.fixture(params=[True], ids=["auto-pair"])
def unpaired_cli(request: pytest.FixtureRequest) -> Iterator[Cli]:
    """An instance waiting to be paired; with `auto_pair` (the parameter) the phone scans the first code shown."""
    with Emulator(auto_pair=request.param) as emulator:
        emulator.add_instance(connected=False)
        with serve(emulator) as served:
            yield cli_for(served)
