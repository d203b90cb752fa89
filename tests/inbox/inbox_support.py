"""Shared by the inbox tests: payload fixtures, a clock the test moves, and stores on both backends."""

from __future__ import annotations

import copy
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "webhooks"
CHAT = "556195562618@s.whatsapp.net"
TOKEN = "inbox-test-token-0123456789"


def payload(name: str) -> dict[str, Any]:
    loaded = json.loads((FIXTURES / f"{name}.json").read_text())
    assert isinstance(loaded, dict)
    return loaded


def text_event(message_id: str, text: str, *, chat: str = CHAT, timestamp: int = 1700000000) -> dict[str, Any]:
    """The vendor's received-text example with another id, chat, text and time."""
    event = copy.deepcopy(payload("vendor_3_2_conversation"))
    event["key"] = {"remoteJid": chat, "fromMe": False, "id": message_id}
    event["message"]["conversation"] = text
    event["messageTimestamp"] = timestamp
    return event


def ack_event(message_id: str, status: int | str, *, chat: str = CHAT) -> dict[str, Any]:
    event = payload("handwritten_message_ack")
    event["key"] = {"remoteJid": chat, "fromMe": True, "id": message_id}
    event["update"] = {"status": status}
    return event


class Clock:
    """Time as the test says it is."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll `condition` until it holds; fail the test with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def megaapi_command(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "megaapi.cli", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


class Listener:
    """`megaapi listen` in a subprocess, with its stdout lines collected as they come."""

    def __init__(self, store: str, *extra: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/megaapi/hook?token={TOKEN}"
        argv = [sys.executable, "-m", "megaapi.cli", "listen", "--port", str(self.port), "--store", store, *extra]
        self.process = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "MEGAAPI_WEBHOOK_TOKEN": TOKEN, "COLUMNS": "200"},
        )
        self.lines: list[str] = []
        self.errors: list[str] = []
        # One reader per pipe, and nothing else reads them: lines are never lost, even after a kill.
        self._readers = [
            threading.Thread(target=self._read, args=(self.process.stdout, self.lines), daemon=True),
            threading.Thread(target=self._read, args=(self.process.stderr, self.errors), daemon=True),
        ]
        for reader in self._readers:
            reader.start()
        wait_until(self._accepting, "megaapi listen to accept connections")

    @staticmethod
    def _read(pipe: IO[str] | None, into: list[str]) -> None:
        assert pipe is not None
        for line in pipe:
            into.append(line.rstrip("\n"))

    def _accepting(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"megaapi listen exited: {self.errors}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def stop(self) -> str:
        """Stop it with SIGTERM, as a service manager would; returns its stderr."""
        if self.process.poll() is None:
            self.process.terminate()
        self._wait()
        return "\n".join(self.errors)

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no chance to clean up
        self._wait()

    def _wait(self) -> None:
        self.process.wait(timeout=60)
        for reader in self._readers:
            reader.join(timeout=10)
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()
