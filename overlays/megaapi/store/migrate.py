"""Bringing a store's schema up to date with Alembic, from code: no alembic.ini for users to keep."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

# Any fixed number: workers starting together on PostgreSQL take turns to migrate.
_MIGRATION_LOCK = 0x6D656761


def alembic_config() -> Config:
    """The configuration of the store's migrations, shipped inside the package."""
    config = Config()
    config.set_main_option("script_location", "megaapi.store:migrations")
    return config


def migrate(engine: Engine) -> None:
    """Apply every pending migration (the inbox and outbox are separate Alembic branches: upgrade to all heads).

    The whole upgrade is one transaction that holds the database's migration lock: processes starting together take
    turns, and one that fails or is killed midway leaves the schema as it found it.
    """
    if engine.dialect.name == "sqlite":
        _migrate_sqlite(engine)
        return
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        _upgrade(connection)


def _migrate_sqlite(engine: Engine) -> None:
    # Python's sqlite3 driver commits each CREATE or ALTER on its own outside an explicit transaction, so the upgrade
    # runs on a connection the driver leaves alone (AUTOCOMMIT), inside BEGIN IMMEDIATE: SQLite's write lock is taken
    # before the schema is read, and the DDL commits or rolls back with the version rows.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            _upgrade(connection)
        except BaseException:
            connection.exec_driver_sql("ROLLBACK")
            raise
        connection.exec_driver_sql("COMMIT")


def _upgrade(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "heads")
