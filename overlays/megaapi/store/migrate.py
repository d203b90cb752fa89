"""Bringing a store's schema up to date with Alembic, from code: no alembic.ini for users to keep."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

# Any fixed number: workers starting together on PostgreSQL take turns to migrate.
_MIGRATION_LOCK = 0x6D656761


def alembic_config() -> Config:
    """The configuration of the store's migrations, shipped inside the package."""
    config = Config()
    config.set_main_option("script_location", "megaapi.store:migrations")
    return config


def migrate(engine: Engine) -> None:
    """Apply every pending migration (the inbox and outbox are separate Alembic branches: upgrade to all heads)."""
    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
