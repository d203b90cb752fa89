"""Run `megaapi` as a user would: a subprocess, credentials in the environment, an emulator on 127.0.0.1.

Every run checks that neither the instance key nor the token appears in what the command printed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

from megaapi.testing import ServedEmulator

Run = Callable[..., subprocess.CompletedProcess[str]]


@dataclass
class Cli:
    served: ServedEmulator
    run: Run


def megaapi(*args: str, env: dict[str, str], secrets: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    clean = {name: value for name, value in os.environ.items() if not name.startswith("MEGAAPI_")}
    done = subprocess.run(
        [sys.executable, "-m", "megaapi.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=clean | {"COLUMNS": "200"} | env,
    )
    for secret in secrets:
        assert secret not in done.stdout + done.stderr, f"a secret leaked from megaapi {' '.join(args)}"
    return done


def cli_for(served: ServedEmulator) -> Cli:
    env = {"MEGAAPI_BASE_URL": served.base_url, "MEGAAPI_INSTANCE_KEY": served.instance_key}
    env["MEGAAPI_TOKEN"] = served.token
    secrets = (served.instance_key, served.token, served.admin_token)

    def run(*args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        return megaapi(*args, env=env | extra_env, secrets=secrets)

    return Cli(served, run)
