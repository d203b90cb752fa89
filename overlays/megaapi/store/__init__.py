"""Durable storage shared by the inbox and the outbox: SQLAlchemy 2 with Alembic migrations.

SQLite in a local file is the zero-set-up default; a PostgreSQL URL lets several workers, on one machine or many,
share the work. Install with the `inbox` extra (and `postgres` for the PostgreSQL driver).
"""

from megaapi.store.engine import DEFAULT_STORE_URL, STORE_ENV, open_engine, store_url
from megaapi.store.migrate import migrate
from megaapi.store.tables import metadata

__all__ = ["DEFAULT_STORE_URL", "STORE_ENV", "metadata", "migrate", "open_engine", "store_url"]
