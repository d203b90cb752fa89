"""Fixtures of the outbox tests: a store on each backend, the emulator served on 127.0.0.1, and clients for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from megaapi import AsyncMegaApi
from megaapi.outbox import Outbox
from megaapi.testing import ServedEmulator, serve


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh store: a SQLite file, then a database on the session's real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'outbox.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def served() -> Iterator[ServedEmulator]:
    with serve() as running:
        yield running


@pytest.fixture
async def api(served: ServedEmulator) -> AsyncIterator[AsyncMegaApi]:
    """A client of the served emulator without retries, so each fault reaches the outbox as it happened."""
    async with AsyncMegaApi(
        base_url=served.base_url, instance_key=served.instance_key, token=served.token, max_retries=0
    ) as client:
        yield client


@pytest.fixture
def outbox_for(store_url: str) -> Iterator[Callable[..., Outbox]]:
    """Outboxes on the test's store (`outbox_for(pacing=...)`), closed at the end of the test."""
    opened: list[Outbox] = []

    def make(**options: Any) -> Outbox:
        outbox = Outbox(store_url, **options)
        opened.append(outbox)
        return outbox

    yield make
    for outbox in opened:
        outbox.close()
