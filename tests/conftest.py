"""Fixtures every test tier may use: a real PostgreSQL server for the storage tiers.

The server is Debian's `postgresql` package, started once per test session in a temporary data directory, listening
on 127.0.0.1 only. Without the package the PostgreSQL tests are skipped, unless MEGAAPI_REQUIRE_POSTGRES=1 (set by
CI), which turns the skip into a failure so that a missing server can never pass silently.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from postgres_server import postgres_bin, running_postgres


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL of a superuser connection to a throwaway PostgreSQL server on 127.0.0.1."""
    binaries = postgres_bin()
    if binaries is None:
        if os.environ.get("MEGAAPI_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required (MEGAAPI_REQUIRE_POSTGRES=1) but Debian's postgresql is not installed")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    with running_postgres(binaries) as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """URL of a fresh, empty database on the session's PostgreSQL server, dropped after the test."""
    import sqlalchemy

    name = "t_" + uuid.uuid4().hex[:12]
    admin = sqlalchemy.create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    try:
        yield postgres_server.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
