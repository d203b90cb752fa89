"""Opening the store: a URL from the caller or `MEGAAPI_STORE`, else a SQLite file in the working directory."""

from __future__ import annotations

import os
import sqlite3
from time import monotonic, sleep
from typing import Any, Self

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

STORE_ENV = "MEGAAPI_STORE"
# How long a SQLite connection waits for another process's lock, both in the driver and while switching to WAL.
_SQLITE_LOCK_WAIT = 30.0
DEFAULT_STORE_URL = "sqlite:///megaapi.db"


def store_url(url: str | None = None) -> str:
    """The URL to use: the argument, else `MEGAAPI_STORE`, else `sqlite:///megaapi.db`."""
    return url or os.environ.get(STORE_ENV) or DEFAULT_STORE_URL


def open_engine(url: str | None = None, **options: Any) -> Engine:
    """An engine for the store. SQLite gets WAL, a busy timeout and enforced foreign keys; PostgreSQL uses psycopg 3."""
    parsed = make_url(store_url(url))
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, **options)
    engine = create_engine(parsed, connect_args={"timeout": _SQLITE_LOCK_WAIT}, **options)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # WAL lets readers (the CLI's `history`) work while the receiver writes; foreign keys are off by default in SQLite.
    cursor = connection.cursor()
    try:
        _switch_to_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    # Switching needs SQLite's exclusive lock, which SQLite refuses at once while another process holds any lock: its
    # busy timeout does not apply here. So wait, within the same bound, for that process to finish.
    deadline = monotonic() + _SQLITE_LOCK_WAIT
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or monotonic() > deadline:
                raise
        sleep(0.01)


class StoreUser:
    """Owns the engine it opened from a URL, but never one passed in; usable as a context manager."""

    engine: Engine
    _owns_engine: bool

    def _open_store(self, store: str | Engine | None) -> None:
        self._owns_engine = not isinstance(store, Engine)
        self.engine = store if isinstance(store, Engine) else open_engine(store)

    def close(self) -> None:
        """Close the store's connections (unless the engine was passed in)."""
        if self._owns_engine:
            self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
