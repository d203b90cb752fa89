"""The inbox's Alembic branch creates exactly the tables declared in megaapi.store.inbox_tables."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import megaapi.store.inbox_tables
from megaapi.store import metadata, migrate, open_engine


def test_the_migrations_match_the_declared_tables(any_store: str) -> None:
    engine = open_engine(any_store)
    migrate(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    ours = [diff for diff in differences if "inbox_" in repr(diff)]
    assert ours == []
    assert megaapi.store.inbox_tables.inbox_events.name in repr(metadata.tables)
