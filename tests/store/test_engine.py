"""The store opens SQLite by default and a real PostgreSQL by URL, and migrates both."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from megaapi.store import DEFAULT_STORE_URL, STORE_ENV, metadata, migrate, open_engine, store_url
from megaapi.store import engine as engine_module


def test_url_comes_from_the_argument_then_the_environment_then_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STORE_ENV, raising=False)
    assert store_url() == DEFAULT_STORE_URL
    monkeypatch.setenv(STORE_ENV, "sqlite:///from-env.db")
    assert store_url() == "sqlite:///from-env.db"
    assert store_url("sqlite:///given.db") == "sqlite:///given.db"


def test_sqlite_file_is_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_opening_waits_for_a_writer_holding_a_new_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Failed before: switching a file to WAL needs SQLite's exclusive lock, and SQLite refuses it at once, without the
    busy timeout, while another process writes; CI saw a store opening beside a migration fail on "database is locked".
    """
    path = tmp_path / "store.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("CREATE TABLE t (x)")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO t VALUES (1)")
    pauses: list[float] = []

    def writer_finishes(seconds: float) -> None:
        pauses.append(seconds)
        if writer.in_transaction:
            writer.execute("COMMIT")

    monkeypatch.setattr(engine_module, "sleep", writer_finishes, raising=False)
    engine = open_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert pauses, "the store never met the writer's lock"
    engine.dispose()
    writer.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrate_is_repeatable(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    engine = open_engine(url)
    migrate(engine)
    first = set(inspect(engine).get_table_names())
    migrate(engine)
    assert set(inspect(engine).get_table_names()) == first
    assert "alembic_version" in first
    engine.dispose()


def test_plain_postgresql_urls_use_psycopg_3(postgres_url: str) -> None:
    engine = open_engine(postgres_url.replace("postgresql+psycopg://", "postgresql://"))
    assert engine.dialect.driver == "psycopg"
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migrations_create_exactly_the_declared_tables(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import megaapi.store.inbox_tables
    import megaapi.store.outbox_tables

    url = f"sqlite:///{tmp_path / 'store.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    engine = open_engine(url)
    migrate(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert differences == []
    declared = set(metadata.tables)
    assert megaapi.store.inbox_tables.inbox_events.name in declared
    assert any(name.startswith("outbox_") for name in declared), megaapi.store.outbox_tables.__name__


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_failed_migration_leaves_nothing_half_done(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Failed before on SQLite: its driver committed each CREATE TABLE on its own, so a migration that failed (or a
    process killed) midway left tables without their version, and every later start failed on "already exists"."""
    url = f"sqlite:///{tmp_path / 'store.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    engine = open_engine(url)
    with engine.begin() as connection:  # in the way of the inbox migration's last table
        connection.execute(text("CREATE TABLE inbox_messages (placeholder INTEGER)"))
    with pytest.raises(Exception, match="inbox_messages"):
        migrate(engine)
    assert set(inspect(engine).get_table_names()) == {"inbox_messages"}
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE inbox_messages"))
    migrate(engine)
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_processes_starting_together_on_sqlite_migrate_in_turn(tmp_path: Path) -> None:
    """Failed before (now and then): two migrations of a new file both saw no tables, and one hit "already exists"."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    program = "import sys; from megaapi.store import migrate, open_engine; migrate(open_engine(sys.argv[1]))"
    processes = [
        subprocess.Popen([sys.executable, "-c", program, url], stderr=subprocess.PIPE, text=True) for _ in range(4)
    ]
    errors = [process.communicate(timeout=120)[1] for process in processes]
    failures = [error for process, error in zip(processes, errors, strict=True) if process.returncode != 0]
    assert failures == []
    engine = open_engine(url)
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()
