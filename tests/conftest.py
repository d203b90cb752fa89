"""Fixtures every test tier may use: a real PostgreSQL server for the storage tiers.

The server is Debian's `postgresql` package, started once per test session in a temporary data directory, listening
on 127.0.0.1 only. Without the package the PostgreSQL tests are skipped, unless MEGAAPI_REQUIRE_POSTGRES=1 (set by
CI), which turns the skip into a failure so that a missing server can never pass silently.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


def _postgres_bin() -> Path | None:
    for root in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (root / "postgres").exists():
            return root
    return None


def _as_postgres(argv: list[str]) -> list[str]:
    # The server refuses to run as root; as root, drop to the `postgres` user Debian's package creates.
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL of a superuser connection to a throwaway PostgreSQL server on 127.0.0.1."""
    binaries = _postgres_bin()
    if binaries is None:
        if os.environ.get("MEGAAPI_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required (MEGAAPI_REQUIRE_POSTGRES=1) but Debian's postgresql is not installed")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    data = Path(tempfile.mkdtemp(prefix="megaapi-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    subprocess.run(
        _as_postgres([str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync"]),
        check=True,
        capture_output=True,
    )
    port = _free_port()
    # A test server: speed over the durability of the server itself; the tests kill clients, never the server.
    settings = ["-c", "fsync=off", "-c", "max_connections=200"]
    server = subprocess.Popen(
        _as_postgres(
            [
                str(binaries / "postgres"),
                "-D",
                str(data),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-k",
                str(data),
                *settings,
            ]
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_ready(port, server)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


def _wait_until_ready(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"PostgreSQL exited with code {server.returncode} before accepting connections")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                time.sleep(0.2)  # the port opens a moment before the server accepts logins
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("PostgreSQL did not start within 30 s")


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
