"""`INSERT ... ON CONFLICT` for the two backends, built once per backend and reused.

SQLAlchemy spells the statement per dialect, with the same API. Building one (with its `excluded` expressions) costs
more than running it, so each is built once per dialect and then executed with the row as parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

Build = Callable[[Any], Any]
_built: dict[tuple[Build, str], Any] = {}


def upsert(connection: Connection, build: Build) -> Any:
    """`build(insert)` for this connection's dialect, where `insert(table)` offers `on_conflict_do_update`."""
    key = (build, connection.dialect.name)
    if key not in _built:
        _built[key] = build(postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)
    return _built[key]
