"""Run the schemathesis CLI (`st run`) against the emulator served on 127.0.0.1; exit with st's status.

    python scripts/contract_cli.py [extra `st run` options, e.g. --max-examples 20]

The emulator runs as `python -m megaapi.testing` on a free loopback port with credentials made up for this run.
The instance key path parameter and the bearer tokens are pinned through a generated schemathesis config file:
the admin token for the `account` operations, the instance token for the others. Unlike the in-process contract
tests, one emulator serves the whole run, so later cases see the state earlier ones left (including a logged-out
or deleted instance); every check still has to pass.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

MAX_EXAMPLES = 100


def _config(instance_key: str, token: str, admin_token: str) -> str:
    return f"""
# No crash cache: it would be written into the working directory, the repository.
[cache]
enabled = false

[generation]
max-examples = {MAX_EXAMPLES}

[parameters]
"path.instance_key" = {json.dumps(instance_key)}

# Per-operation headers only: a project-wide header would also be sent to the `account` operations.
[[operations]]
include-tag = "account"
headers = {{ Authorization = {json.dumps("Bearer " + admin_token)} }}

[[operations]]
exclude-tag = "account"
headers = {{ Authorization = {json.dumps("Bearer " + token)} }}
"""


def main(extra: list[str]) -> int:
    credentials = {
        "--instance-key": "megaapi-cli-" + secrets.token_hex(4),
        "--token": secrets.token_urlsafe(16),
        "--admin-token": secrets.token_urlsafe(16),
    }
    command = [sys.executable, "-m", "megaapi.testing", "--host", "127.0.0.1", "--port", "0", "--json"]
    for option, value in credentials.items():
        command += [option, value]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as emulator:
        try:
            assert emulator.stdout is not None
            line = emulator.stdout.readline()
            if not line:
                print("the emulator did not start", file=sys.stderr)
                return 1
            served = json.loads(line)
            with tempfile.TemporaryDirectory() as tmp:
                config = Path(tmp) / "schemathesis.toml"
                config.write_text(_config(served["instance_key"], served["token"], served["admin_token"]))
                run = ["st", "--config-file", str(config), "run", served["spec_url"], "--url", served["base_url"]]
                run += ["--checks", "all", "--workers", "1", *extra]
                print("$", " ".join(run), flush=True)
                return subprocess.run(run, check=False).returncode
        finally:
            emulator.terminate()
            emulator.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
