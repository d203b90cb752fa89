"""Real processes: two workers sharing one PostgreSQL store, and kill -9 of a worker mid-handler and of the receiver."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from inbox_support import Listener, text_event, wait_until
from sqlalchemy import text

from megaapi.inbox import Inbox

WORKER = Path(__file__).with_name("worker_process.py")
MakeInbox = Callable[..., Inbox]


class Workers:
    def __init__(self, store: str, folder: Path) -> None:
        self.store, self.folder = store, folder
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, lease: float = 60.0) -> subprocess.Popen[bytes]:
        ready = self.folder / f"worker-{len(self.processes)}.ready"
        process = subprocess.Popen([sys.executable, str(WORKER), self.store, str(ready), str(lease)])
        self.processes.append(process)
        wait_until(ready.exists, "a worker process to start")
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            process.wait(timeout=60)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[[str], Workers]]:
    made: list[Workers] = []

    def make(store: str) -> Workers:
        made.append(Workers(store, tmp_path))
        return made[-1]

    yield make
    for group in made:
        group.stop_all()


def handled_log(inbox: Inbox) -> list[Any]:
    query = "SELECT message_id, chat, worker, attempt, started, ended FROM test_handled ORDER BY started"
    with inbox.engine.connect() as connection:
        return list(connection.execute(text(query)))


def assert_in_order_one_at_a_time(log: list[Any]) -> None:
    per_chat: dict[str, list[Any]] = {}
    for row in log:
        per_chat.setdefault(row.chat, []).append(row)
    for rows in per_chat.values():
        assert [row.message_id for row in rows] == sorted(row.message_id for row in rows)
        for before, after in itertools.pairwise(rows):
            assert before.ended <= after.started


def test_two_worker_processes_share_one_postgresql_store(
    postgres_url: str, make_inbox: MakeInbox, workers: Callable[[str], Workers]
) -> None:
    inbox = make_inbox(postgres_url, clock=time.time)
    group = workers(postgres_url)
    first, second = group.start(), group.start()
    chats = [f"55119000000{n:02d}@s.whatsapp.net" for n in range(8)]
    for number in range(15):
        for chat in chats:
            inbox.store(text_event(f"{chat[:13]}-{number:03d}", str(number), chat=chat))
    wait_until(lambda: len(inbox.events(state="done")) == 120, "both workers to handle every event")
    log = handled_log(inbox)
    assert sorted(row.message_id for row in log) == sorted(record.message_id or "" for record in inbox.events())
    assert {row.attempt for row in log} == {1}
    assert {row.worker for row in log} == {first.pid, second.pid}
    assert_in_order_one_at_a_time(log)


def test_a_worker_killed_mid_handler_loses_nothing(
    any_store: str, make_inbox: MakeInbox, workers: Callable[[str], Workers], tmp_path: Path
) -> None:
    inbox = make_inbox(any_store, clock=time.time)
    group = workers(any_store)
    inbox.store(text_event("A-1", "block"))
    inbox.store(text_event("A-2", "after"))
    inbox.store(text_event("A-3", "after", timestamp=1))
    inbox.store(text_event("B-1", "elsewhere", chat="5511900000099@s.whatsapp.net"))
    doomed = group.start(lease=1.0)
    wait_until((tmp_path / "worker-0.blocked").exists, "the handler to block")
    doomed.kill()
    doomed.wait(timeout=60)
    assert [record.state for record in inbox.events() if record.message_id == "A-1"] == ["running"]
    group.start(lease=1.0)
    wait_until(lambda: len(inbox.events(state="done")) == 4, "the restarted worker to take the events over")
    log = handled_log(inbox)
    assert [(row.message_id, row.attempt) for row in log if row.chat.startswith("556195")] == [
        ("A-1", 2),
        ("A-2", 1),
        ("A-3", 1),
    ]
    assert_in_order_one_at_a_time(log)


def test_the_receiver_killed_at_any_moment_keeps_every_acknowledged_event(
    sqlite_store: str, make_inbox: MakeInbox
) -> None:
    # A short lease: the events the killed listener had claimed are taken over within seconds, not a minute.
    listener = Listener(sqlite_store, "--lease", "2")
    events = [text_event(f"K-{number:04d}", f"message {number}") for number in range(300)]
    acknowledged: list[str] = []
    clients = threading.local()

    def deliver(event: dict[str, Any]) -> None:
        if not hasattr(clients, "http"):
            clients.http = httpx.Client(timeout=10)
            opened.append(clients.http)
        try:
            response = clients.http.post(listener.url, content=json.dumps(event))
        except httpx.HTTPError:
            return
        if response.status_code == 200:
            acknowledged.append(event["key"]["id"])
            if len(acknowledged) == 100:
                listener.kill()  # kill -9 while other deliveries are in flight

    opened: list[httpx.Client] = []
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(deliver, events))
    for http in opened:
        http.close()
    assert listener.process.returncode == -9
    assert 100 <= len(acknowledged) < 300
    inbox = make_inbox(sqlite_store, clock=time.time)
    stored = {record.message_id for record in inbox.events()}
    assert set(acknowledged) <= stored

    restarted = Listener(sqlite_store, "--lease", "2")
    try:
        wait_until(lambda: len(inbox.events(state="done")) == len(stored), "the restarted listener to handle them")
    finally:
        restarted.stop()
    printed = [line for line in listener.lines + restarted.lines if "message " in line]
    # A line for an event the killed listener had started ends in "(attempt 2)".
    assert {line.split("message ")[1].split()[0] for line in printed} >= {
        key.removeprefix("K-").lstrip("0") or "0" for key in acknowledged
    }
