"""The `megaapi` command is installed, reports its version and lists its commands."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version


def _megaapi(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "megaapi.cli", *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_version() -> None:
    done = _megaapi("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"megaapi {version('megaapi')}"


def test_help_lists_usage() -> None:
    done = _megaapi("--help")
    assert done.returncode == 0, done.stderr
    assert "Usage" in done.stdout


def test_unknown_command_is_a_usage_error() -> None:
    done = _megaapi("no-such-command")
    assert done.returncode == 2
    assert "no-such-command" in done.stderr
