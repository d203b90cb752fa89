"""Ways to run the emulator: `python -m megaapi.testing`, `serve()`, and the pytest plugin; and import isolation."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import httpx
import pytest

from megaapi.spec import spec_text
from megaapi.testing import Emulator, ServedEmulator, serve


def _python(code: str) -> subprocess.CompletedProcess[str]:
    # This interpreter with code from this file: nothing untrusted reaches the command line.
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)


def test_import_megaapi_leaves_the_emulator_and_its_dependencies_alone() -> None:
    result = _python(
        "import sys, megaapi\n"
        "loaded = [m for m in sys.modules if m.startswith(('megaapi.testing', 'starlette', 'uvicorn', 'jsonschema'))]\n"
        "print(loaded)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_pytest_plugin_imports_nothing_until_a_fixture_is_used() -> None:
    result = _python(
        "import sys, megaapi.testing.pytest_plugin\n"
        "print([m for m in sys.modules if m.startswith(('megaapi.testing.', 'starlette', 'uvicorn'))])"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['megaapi.testing.pytest_plugin']"


@contextmanager
def _cli(*arguments: str) -> Iterator[IO[str]]:
    """The standard output of `python -m megaapi.testing`, stopped when the block ends."""
    command = [sys.executable, "-m", "megaapi.testing", "--port", "0", *arguments]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            yield process.stdout
        finally:
            process.terminate()


def test_the_command_line_serves_a_ready_instance_and_the_spec() -> None:
    with _cli(
        "--json", "--instance-key", "megaapi-cli", "--token", "cli-token", "--admin-token", "cli-admin"
    ) as output:
        details = json.loads(output.readline())
        assert details["instance_key"] == "megaapi-cli"
        assert details["token"] == "cli-token"
        assert details["admin_token"] == "cli-admin"
        assert details["spec_url"] == details["base_url"] + "/openapi.yaml"
        with httpx.Client(base_url=details["base_url"], headers={"Authorization": "Bearer cli-token"}) as client:
            assert client.get("/openapi.yaml").text == spec_text()
            assert client.get("/rest/instance/megaapi-cli").json()["instance"]["status"] == "connected"


def test_the_command_line_makes_up_credentials_and_prints_them() -> None:
    with _cli("--unpaired") as output:
        lines = [output.readline() for _ in range(6)]
        values = dict(line.strip().split(": ", 1) for line in lines[1:])
        values = {name.strip(): value.strip() for name, value in values.items()}
        assert lines[0].startswith("Mega-api emulator listening on http://127.0.0.1:")
        assert len(values["token"]) >= 24
        assert values["instance_key"].startswith("megaapi-")
        with httpx.Client(
            base_url=values["base_url"], headers={"Authorization": f"Bearer {values['token']}"}
        ) as client:
            instance = client.get(f"/rest/instance/{values['instance_key']}").json()["instance"]
        assert instance["status"] == "disconnected"


def test_serve_stops_listening_when_the_block_ends() -> None:
    with serve() as served:
        response = httpx.get(
            f"{served.base_url}/rest/instance/{served.instance_key}",
            headers={"Authorization": f"Bearer {served.token}"},
        )
        assert response.json()["instance"]["status"] == "connected"
        base_url = served.base_url
    with pytest.raises(httpx.ConnectError):
        httpx.get(base_url + "/openapi.yaml")


def test_serve_uses_the_first_instance_of_a_given_emulator() -> None:
    with Emulator(admin_token="admin") as emulator:
        emulator.add_instance("megaapi-given", "given-token")
        with serve(emulator) as served:
            assert (served.instance_key, served.token, served.admin_token) == ("megaapi-given", "given-token", "admin")
            assert "given-token" not in repr(served)


def test_the_emulator_fixture_serves_a_fresh_emulator(megaapi_emulator: ServedEmulator) -> None:
    headers = {"Authorization": f"Bearer {megaapi_emulator.token}"}
    response = httpx.get(f"{megaapi_emulator.base_url}/rest/instance/{megaapi_emulator.instance_key}", headers=headers)
    assert response.json()["instance"]["status"] == "connected"
    assert megaapi_emulator.emulator.calls["getInstanceStatus"] == 1
