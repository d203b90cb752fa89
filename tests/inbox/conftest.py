"""Inbox fixtures: a store URL on SQLite, or on the session's PostgreSQL for tests marked with both backends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from inbox_support import Clock

from megaapi.inbox import Inbox


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh store URL, once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'inbox.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def sqlite_store(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'inbox.db'}"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_inbox(clock: Clock) -> Iterator[Callable[..., Inbox]]:
    """Inboxes on the test's clock (unless given another), closed after the test."""
    made: list[Inbox] = []

    def make(store: str, **options: Any) -> Inbox:
        options.setdefault("clock", clock)
        made.append(Inbox(store, **options))
        return made[-1]

    yield make
    for inbox in made:
        inbox.close()
