"""`megaapi emulator`: serve the local Mega-api emulator, with its control API, and print how to reach it."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

import typer
from rich.markup import escape

from megaapi.cli.connect import say_error
from megaapi.cli.output import console, print_json


def emulator(
    port: Annotated[int, typer.Option(help="Port to listen on; 0 picks a free one.", min=0, max=65535)] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    unpaired: Annotated[
        bool, typer.Option("--unpaired", help="Start the instances unpaired, to try `megaapi pair`.")
    ] = False,
    manual_acks: Annotated[
        bool, typer.Option("--manual-acks", help="No automatic acks: send them through the control API.")
    ] = False,
    instances: Annotated[int, typer.Option(help="How many instances to create.", min=1, max=100)] = 1,
    retention: Annotated[int, typer.Option(help="Messages and events kept per instance.", min=1)] = 10_000,
    webhook_host: Annotated[
        list[str] | None,
        typer.Option(help="Also allow webhook deliveries to this host (repeatable; loopback always is)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the connection details as one JSON object.")] = False,
) -> None:
    """Serve a local Mega-api emulator, with its control API, until Ctrl-C.

    It prints each instance's credentials (the emulator's own, made up for this run) and the admin token of its
    control API (described at /control/openapi.yaml).
    """
    try:
        from megaapi.testing.delivery import LOOPBACK_HOSTS
        from megaapi.testing.emulator import Emulator
        from megaapi.testing.server import base_url_of, bind, make_server
    except ModuleNotFoundError:
        say_error('the emulator needs the testing extra: pip install "megaapi[cli,testing]"')
    hosts = LOOPBACK_HOSTS | set(webhook_host or ())
    served = Emulator(
        admin_token=secrets.token_urlsafe(24), webhook_hosts=hosts, retention=retention, auto_ack=not manual_acks
    )
    created = [served.add_instance(connected=not unpaired) for _ in range(instances)]
    try:
        sock = bind(host, port)
    except OSError as error:
        say_error(f"cannot listen on {host}:{port}: {error.strerror}")
    base_url = base_url_of(sock)
    details: dict[str, Any] = {
        "base_url": base_url,
        "spec_url": base_url + "/openapi.yaml",
        "control_spec_url": base_url + "/control/openapi.yaml",
        "admin_token": served.admin_token,
        "instances": [{"instance_key": i.key, "token": i.token, "phone": i.phone} for i in created],
    }
    if as_json:
        print_json(details)
    else:
        _print(details, unpaired)
    try:
        make_server(served).run(sockets=[sock])
    finally:
        sock.close()
        served.close()


def _print(details: dict[str, Any], unpaired: bool) -> None:
    lines = [f"Mega-api emulator on {details['base_url']} (Ctrl-C to stop)"]
    lines += [
        f"  Mega-api description:  {details['spec_url']}",
        f"  control API:           {details['control_spec_url']}",
    ]
    lines.append(f"  control admin token:   {details['admin_token']}")
    for number, instance in enumerate(details["instances"], start=1):
        state = "unpaired" if unpaired else f"paired with +{instance['phone']}"
        lines.append(f"  instance {number} ({state}):")
        lines.append(f"    export MEGAAPI_BASE_URL={details['base_url']}")
        lines.append(f"    export MEGAAPI_INSTANCE_KEY={instance['instance_key']}")
        lines.append(f"    export MEGAAPI_TOKEN={instance['token']}")
    console.print(escape("\n".join(lines)), highlight=False, soft_wrap=True)
