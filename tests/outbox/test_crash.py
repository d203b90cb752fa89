"""kill -9 in the middle of a campaign, then restart: counted on the emulator's side, no message is sent twice and
none is lost; what the killed worker could not know is reconciled from the fromMe echoes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from megaapi.outbox import Outbox, Status
from megaapi.outbox.campaign import instance_label
from megaapi.testing import ServedEmulator
from megaapi.testing.content import message_type
from megaapi.testing.events import message_event
from megaapi.webhooks import parse

RECIPIENTS = [f"55119{n:04d}{n:04d}" for n in range(1, 11)]


def _sent(served: ServedEmulator) -> list[str]:
    return [m.key["remoteJid"].split("@")[0] for m in served.instance.messages if m.key["fromMe"]]


def _start(tmp_path: Path, store: str, served: ServedEmulator) -> subprocess.Popen[bytes]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MEGAAPI_")}
    env |= {
        "MEGAAPI_STORE": store,
        "MEGAAPI_BASE_URL": served.base_url,
        "MEGAAPI_INSTANCE_KEY": served.instance_key,
        "MEGAAPI_TOKEN": served.token,
    }
    # 120 a minute: between two sends the worker waits about half a second holding a claimed item (nothing sent).
    args = ["campaign", "run", "c.csv", "--text", "Olá {name}", "--rate", "120", "--no-typing"]
    with (tmp_path / "stderr.txt").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "megaapi.cli", *args], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=log
        )


def _kill_after(process: subprocess.Popen[bytes], served: ServedEmulator, count: int, log: Path) -> None:
    """SIGKILL the worker as soon as the emulator has accepted `count` messages: the worker is then recording the
    last one or waiting for its next slot.
    """
    deadline = time.monotonic() + 60
    while len(_sent(served)) < count:
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline
        time.sleep(0.001)
    process.kill()
    process.wait()


def test_kill_9_mid_campaign_then_restart(tmp_path: Path, store_url: str, served: ServedEmulator) -> None:
    (tmp_path / "c.csv").write_text(
        "phone,name\n" + "".join(f"{number},N{n}\n" for n, number in enumerate(RECIPIENTS)), encoding="utf-8"
    )
    early = _start(tmp_path, store_url, served)
    time.sleep(0.5)  # while it starts up: imports, migrations, queuing
    early.kill()
    early.wait()
    for count in (3, 6):
        _kill_after(_start(tmp_path, store_url, served), served, count, tmp_path / "stderr.txt")
    last = _start(tmp_path, store_url, served)
    assert last.wait(timeout=120) == 0, (tmp_path / "stderr.txt").read_text()

    received = Counter(_sent(served))
    assert max(received.values()) == 1  # duplicates: 0
    assert set(received) == set(RECIPIENTS)  # lost: 0

    with Outbox(store_url, instance=instance_label(served.instance_key)) as outbox:
        # Killed while its request was out, a worker leaves that item `unknown` (typically one per kill here).
        unknown = outbox.counts()[Status.UNKNOWN]
        instance = served.instance
        for stored in [m for m in instance.messages if m.key["fromMe"]]:
            echo = message_event(
                instance,
                message_type=message_type(stored.message),
                key=stored.key,
                message=stored.message,
                timestamp=stored.timestamp,
                push_name=instance.push_name,
            )
            outbox.handle_event(parse(echo))
        counts = outbox.counts()
        assert (counts[Status.SENT], counts[Status.UNKNOWN], counts.total) == (10, 0, 10), unknown
        assert {item.message_id for item in outbox.items()} == {
            m.key["id"] for m in instance.messages if m.key["fromMe"]
        }
