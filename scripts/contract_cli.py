"""Run the schemathesis CLI (`st run`) against the emulator served on 127.0.0.1; fail unless every operation got a 2xx.

    python scripts/contract_cli.py [extra `st run` options, e.g. --max-examples 20]

The emulator is served in this process on a free loopback port, with credentials made up for this run, and set up so
that every operation can succeed: the spec's example groups, media and contacts exist, and the operations that end
an instance's session or life (pairing, logout, delete, leaving a group) get instances and a group of their own, so
that they neither fail nor break the others. A generated schemathesis config file pins the path instance key and the
bearer tokens (the admin token for the `account` operations). One emulator serves the whole run, so later cases see
the state earlier ones left; every check still has to pass.

The run fails when st fails, when st warns that operations were only answered 401/403 or 404 (no test data), or when
an operation never got a 2xx answer (read from st's HAR report).
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from megaapi.testing import Emulator
from megaapi.testing.server import serve

MAX_EXAMPLES = 100
SPEC = Path(__file__).resolve().parents[1] / "openapi.yaml"
# st's own words for the warnings this run must not have.
WARNINGS = ("Authentication failed", "Missing test data")
PAIRING = ["getQrCode", "getQrCodeBase64", "getPairingCode"]


def _spec() -> dict[str, Any]:
    with SPEC.open(encoding="utf-8") as handle:
        spec: dict[str, Any] = yaml.safe_load(handle)
    return spec


def _operations(spec: dict[str, Any]) -> list[tuple[str, re.Pattern[str], str]]:
    """(method, path pattern, operationId) of every path operation."""
    found = []
    for path, item in spec["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "/?$")
        for method, operation in item.items():
            if isinstance(operation, dict) and "operationId" in operation:
                found.append((method.upper(), pattern, operation["operationId"]))
    return found


def _examples(spec: dict[str, Any], operation_id: str) -> list[dict[str, Any]]:
    for item in spec["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                media = operation["requestBody"]["content"]["application/json"]
                return [media["example"]] if "example" in media else [e["value"] for e in media["examples"].values()]
    raise LookupError(operation_id)


def _credentials() -> tuple[str, str]:
    return "megaapi-cli-" + secrets.token_hex(4), secrets.token_urlsafe(16)


def _world(emulator: Emulator, spec: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Set up the emulator; the instance key and token each operation with its own instance uses."""
    main = emulator.instances[0].key
    # The groups and members the spec's examples name.
    group_ids = re.findall(r"\b\d{15,}@g\.us\b", SPEC.read_text(encoding="utf-8"))
    for jid in dict.fromkeys(group_ids):
        emulator.add_group("Exemplo", ["551199999999@s.whatsapp.net"], instance_key=main, jid=jid)
    for example in _examples(spec, "downloadMediaMessage"):
        keys = example["messageKeys"]
        emulator.add_media(
            keys["mediaKey"], keys["directPath"], keys.get("mimetype", "image/jpeg"), b"\xff\xd8emulated"
        )
    own: dict[str, tuple[str, str]] = {}
    unpaired = emulator.add_instance(*_credentials(), connected=False)
    for operation_id in PAIRING:
        own[operation_id] = (unpaired.key, unpaired.token)
    for operation_id in ("logoutInstance", "deleteInstance"):
        instance = emulator.add_instance(*_credentials())
        own[operation_id] = (instance.key, instance.token)
    return own


def _config(key: str, token: str, admin_token: str, own: dict[str, tuple[str, str]], leave_jid: str) -> str:
    lines = [
        "# No crash cache: it would be written into the working directory, the repository.",
        "[cache]",
        "enabled = false",
        "[generation]",
        f"max-examples = {MAX_EXAMPLES}",
        # Stateful sequences send valid data only. Their invalid cases count a removed Authorization header as what
        # makes the request invalid, but the configured header below puts it back, so st fails the emulator for
        # accepting a request that is valid but for unknown query parameters, which it ignores, as servers do (CI
        # saw it on createInstance). The other phases still send invalid data to every operation.
        "[phases.stateful.generation]",
        'mode = "positive"',
        "[parameters]",
        f'"path.instance_key" = {json.dumps(key)}',
    ]
    # Per-operation headers only: a project-wide header would also be sent to the `account` operations. The first
    # matching [[operations]] entry wins, so the operations with an instance of their own come first.
    for operation_id, (own_key, own_token) in sorted(own.items()):
        bearer = admin_token if operation_id == "deleteInstance" else own_token
        lines += [
            "[[operations]]",
            f"include-operation-id = {json.dumps(operation_id)}",
            f"headers = {{ Authorization = {json.dumps('Bearer ' + bearer)} }}",
            f'parameters = {{ "path.instance_key" = {json.dumps(own_key)} }}',
        ]
    lines += [
        "[[operations]]",
        'include-operation-id = "leaveGroup"',
        f"headers = {{ Authorization = {json.dumps('Bearer ' + token)} }}",
        f'parameters = {{ "query.jid" = {json.dumps(leave_jid)} }}',
        "[[operations]]",
        'include-tag = "account"',
        f"headers = {{ Authorization = {json.dumps('Bearer ' + admin_token)} }}",
        "[[operations]]",
        'exclude-tag = "account"',
        f"headers = {{ Authorization = {json.dumps('Bearer ' + token)} }}",
    ]
    return "\n".join(lines) + "\n"


def _without_2xx(har: Path, operations: list[tuple[str, re.Pattern[str], str]]) -> list[str]:
    reached = set()
    for entry in json.loads(har.read_text(encoding="utf-8"))["log"]["entries"]:
        if not 200 <= entry["response"]["status"] < 300:
            continue
        method = entry["request"]["method"]
        path = "/" + entry["request"]["url"].split("/", 3)[3].split("?", 1)[0]
        reached |= {op for verb, pattern, op in operations if verb == method and pattern.match(path)}
    return sorted({op for _, _, op in operations} - reached)


def main(extra: list[str]) -> int:
    spec = _spec()
    key, token = _credentials()
    emulator = Emulator(admin_token=secrets.token_urlsafe(16))
    emulator.add_instance(key, token)
    own = _world(emulator, spec)
    leave = emulator.add_group("Para sair", ["551199999999@s.whatsapp.net"], instance_key=key)
    with serve(emulator) as served, tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "schemathesis.toml"
        config.write_text(_config(key, token, emulator.admin_token, own, leave.jid), encoding="utf-8")
        spec_url = served.base_url + "/openapi.yaml"
        run = ["st", "--config-file", str(config), "run", spec_url, "--url", served.base_url]
        har = Path(tmp) / "run.har"
        run += ["--checks", "all", "--workers", "1", "--report", "har", "--report-har-path", str(har), *extra]
        print("$", " ".join(run), flush=True)
        done = subprocess.run(run, check=False, capture_output=True, text=True)
        print(done.stdout, done.stderr, sep="", flush=True)
        problems = [f"st warned: {warning}" for warning in WARNINGS if warning in done.stdout]
        if not har.exists():
            problems.append("st wrote no HAR report")
        else:
            missing = _without_2xx(har, _operations(spec))
            if missing:
                problems.append(f"operations that never got a 2xx: {', '.join(missing)}")
    for problem in problems:
        print(problem, file=sys.stderr)
    return done.returncode or (1 if problems else 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
