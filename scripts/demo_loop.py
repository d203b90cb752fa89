"""`nox -s demo`, second part: the daily loop with the `megaapi` command, on the embedded defaults.

It serves the emulator with an unpaired instance, pairs it, stores webhook events with `megaapi listen` in a SQLite
file, runs a short paced campaign from a CSV file with its progress bar, lets two customers answer, and prints the
conversation with `megaapi history`. Each command is printed before it runs, as a user would type it; credentials
travel in MEGAAPI_* environment variables, so no secret appears on a command line or in the output.

This script plays the people the commands cannot: the phone owner, who links the phone once the QR code is shown,
and the customers, who answer through the emulator's control API (what a test in any language would do with curl).
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

CUSTOMERS = [("5511988887777", "Maria"), ("5511977776666", "João"), ("5511966665555", "Ana")]
REPLIES = {"5511988887777": "Obrigada! Chega hoje?", "5511977776666": "SAIR"}


def show(command: list[str]) -> None:
    print(f"\n$ megaapi {shlex.join(command)}", flush=True)


def megaapi(command: list[str], env: dict[str, str], *, shown: list[str] | None = None, expect: int = 0) -> None:
    """Run one command in the foreground, as the user would, and stop the demo if it ends other than expected."""
    show(shown or command)
    done = subprocess.run([sys.executable, "-m", "megaapi.cli", *command], env=env, check=False, timeout=120)
    if done.returncode != expect:
        raise SystemExit(f"`megaapi {command[0]}` exited with {done.returncode}, not {expect}")


@contextmanager
def background(command: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    show(command)
    process = subprocess.Popen(
        [sys.executable, "-m", "megaapi.cli", *command], env=env, stdout=subprocess.PIPE, text=True, bufsize=1
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def echo_lines(process: subprocess.Popen[str], prefix: str) -> threading.Thread:
    """Print what a background command prints, marked, while the foreground goes on."""

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            print(f"  [{prefix}] {line.rstrip()}", flush=True)

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    return thread


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


class Control:
    """The emulator's control API, over plain HTTP with its admin token."""

    def __init__(self, base_url: str, admin_token: str, instance_key: str) -> None:
        self.http = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {admin_token}"}, timeout=10)
        self.instance = f"/control/instances/{instance_key}"

    def calls(self) -> dict[str, Any]:
        answer: dict[str, Any] = self.http.get("/control/calls").raise_for_status().json()
        return answer

    def link_phone_when_asked(self) -> None:
        """The phone owner scans the QR code once `megaapi pair` has fetched one."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("qr" in name.lower() for name in json.dumps(self.calls())):
            time.sleep(0.1)
        time.sleep(1)  # the time it takes to reach for the phone
        self.http.post(f"{self.instance}/connect").raise_for_status()

    def customer_writes(self, number: str, text: str) -> None:
        self.http.post(f"{self.instance}/inbound/text", json={"from": number, "text": text}).raise_for_status()


def main() -> int:
    emulator_env = {key: value for key, value in os.environ.items() if not key.startswith("MEGAAPI_")}
    emulator_env.setdefault("COLUMNS", "120")  # rich's tables, when the output is not a terminal
    with tempfile.TemporaryDirectory(prefix="megaapi-demo-") as folder:
        store = f"sqlite:///{Path(folder) / 'megaapi.db'}"
        with background(["emulator", "--unpaired", "--port", "0", "--json"], emulator_env) as emulator:
            assert emulator.stdout is not None
            details = json.loads(emulator.stdout.readline())
            instance = details["instances"][0]
            print(f"  emulator on {details['base_url']}, instance {instance['phone']} not paired yet", flush=True)
            env = {
                **emulator_env,
                "MEGAAPI_BASE_URL": details["base_url"],
                "MEGAAPI_INSTANCE_KEY": instance["instance_key"],
                "MEGAAPI_TOKEN": instance["token"],
                "MEGAAPI_STORE": store,
                "MEGAAPI_WEBHOOK_TOKEN": secrets.token_urlsafe(24),
            }
            control = Control(details["base_url"], details["admin_token"], instance["instance_key"])

            megaapi(["status"], env, expect=3)  # 3: not connected, as `megaapi status --help` says
            phone = threading.Thread(target=control.link_phone_when_asked, daemon=True)
            phone.start()
            megaapi(["pair", "--timeout", "60"], env)
            phone.join()

            port = free_port()
            with background(["listen", "--port", str(port)], env) as listener:
                echo_lines(listener, "listen")
                wait_for_port(port)
                webhook = f"http://127.0.0.1:{port}/megaapi"
                secret = f"?token={env['MEGAAPI_WEBHOOK_TOKEN']}"
                megaapi(["webhook", "set", webhook + secret], env, shown=["webhook", "set", webhook + "?token=***"])
                megaapi(["doctor"], env)

                contacts = Path(folder) / "clientes.csv"
                contacts.write_text("phone,name\n" + "".join(f"{n},{name}\n" for n, name in CUSTOMERS))
                text = "Olá {name}! Seu pedido saiu para entrega."
                megaapi(["campaign", "run", str(contacts), "--text", text, "--rate", "60", "--dry-run"], env)
                megaapi(["campaign", "run", str(contacts), "--text", text, "--rate", "60"], env)

                for number, reply in REPLIES.items():
                    control.customer_writes(number, reply)
                time.sleep(2)  # the listener stores and handles the answers
                megaapi(["history", CUSTOMERS[0][0]], env)
                megaapi(["history"], env)
                megaapi(["campaign", "status"], env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
