"""`INSERT ... ON CONFLICT` for the two backends; SQLAlchemy spells it per dialect, with the same API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def insert(connection: Connection, table: Table) -> Any:
    """An insert statement that offers `on_conflict_do_nothing` / `on_conflict_do_update` on either backend."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)
