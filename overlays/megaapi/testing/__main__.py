"""`python -m megaapi.testing`: serve an emulator with one ready instance, for clients in any language."""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from collections.abc import Sequence

from megaapi.testing import missing_extra

try:
    from megaapi.testing.delivery import LOOPBACK_HOSTS
    from megaapi.testing.emulator import DEFAULT_RETENTION, Emulator
    from megaapi.testing.server import base_url_of, bind, make_server
except ModuleNotFoundError as error:
    sys.exit(str(missing_extra(error)))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m megaapi.testing",
        description="Serve a local Mega-api emulator. It creates one instance and prints its credentials.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on; 0 picks a free one (default: 8000)")
    parser.add_argument("--instance-key", help="key of the ready instance (default: random)")
    parser.add_argument("--token", help="bearer token of the ready instance (default: random)")
    parser.add_argument("--admin-token", help="admin token for the `account` operations (default: random)")
    parser.add_argument("--phone", help="number of the WhatsApp account linked to the instance (default: random)")
    parser.add_argument(
        "--unpaired", action="store_true", help="start the instance disconnected, to try the QR / pairing-code flow"
    )
    parser.add_argument(
        "--webhook-host",
        action="append",
        default=[],
        metavar="HOST",
        help="also allow webhook deliveries to HOST (repeatable; loopback is always allowed; '*' allows any host)",
    )
    parser.add_argument("--seed", help="repeat the same message and group ids from run to run")
    parser.add_argument(
        "--retention",
        type=int,
        default=DEFAULT_RETENTION,
        help=f"messages and events kept per instance; older ones are forgotten (default: {DEFAULT_RETENTION})",
    )
    parser.add_argument("--json", action="store_true", help="print the connection details as one JSON line")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    hosts = None if "*" in args.webhook_host else LOOPBACK_HOSTS | set(args.webhook_host)
    admin_token = args.admin_token or secrets.token_urlsafe(24)
    emulator = Emulator(admin_token=admin_token, seed=args.seed, webhook_hosts=hosts, retention=args.retention)
    instance = emulator.add_instance(
        args.instance_key or "megaapi-" + secrets.token_hex(8),
        args.token or secrets.token_urlsafe(24),
        phone=args.phone,
        connected=not args.unpaired,
    )
    sock = bind(args.host, args.port)
    base_url = base_url_of(sock)
    details = {
        "base_url": base_url,
        "spec_url": base_url + "/openapi.yaml",
        "control_spec_url": base_url + "/control/openapi.yaml",
        "instance_key": instance.key,
        "token": instance.token,
        "admin_token": emulator.admin_token,
    }
    if args.json:
        sys.stdout.write(json.dumps(details) + "\n")
    else:
        # The emulator's own credentials are printed on purpose: the user needs them to call it.
        sys.stdout.write(f"Mega-api emulator listening on {base_url} (Ctrl-C to stop)\n")
        for name, value in details.items():
            sys.stdout.write(f"  {name + ':':18} {value}\n")
    sys.stdout.flush()
    try:
        make_server(emulator).run(sockets=[sock])
    finally:
        sock.close()
        emulator.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
