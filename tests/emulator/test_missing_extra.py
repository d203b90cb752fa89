"""Without the `testing` extra, the emulator says what to install instead of ending in a bare ModuleNotFoundError."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# Imports of these fail as if the extra were not installed (None in sys.modules halts an import).
WITHOUT_EXTRA = (
    "import sys\nfor name in ('starlette', 'uvicorn', 'jsonschema', 'yaml'):\n    sys.modules[name] = None\n"
)


def _python(code: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRA + code], env=environment, capture_output=True, text=True, timeout=60
    )


def test_python_m_megaapi_testing_ends_in_a_clear_message() -> None:
    """Failed before: a traceback ending in `ModuleNotFoundError: import of starlette halted`."""
    result = _python("import runpy\nrunpy.run_module('megaapi.testing', run_name='__main__')")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "megaapi.testing needs the 'testing' extra, which is not installed (no module named 'starlette'): "
        "pip install 'megaapi[testing]'"
    )
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["serve", "Emulator"])
def test_importing_the_emulator_names_the_extra(name: str) -> None:
    result = _python(f"from megaapi.testing import {name}")
    assert result.returncode == 1
    assert "ModuleNotFoundError: megaapi.testing needs the 'testing' extra" in result.stderr
    assert "pip install 'megaapi[testing]'" in result.stderr
