"""`megaapi listen`, `history` and `replay` as subprocesses, with the emulator delivering to `listen` end to end."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from inbox_support import TOKEN, Listener, megaapi_command, text_event, wait_until

from megaapi import MegaApi
from megaapi.inbox import Inbox
from megaapi.testing import serve

CUSTOMER = "5511988887777"


class _Collector(BaseHTTPRequestHandler):
    received: list[dict[str, Any]]
    status = 200

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        type(self).received.append(json.loads(self.rfile.read(length)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def collector() -> Iterator[tuple[str, type[_Collector]]]:
    """A tiny HTTP app that keeps what is POSTed to it: the user's own app for --forward and replay --to."""
    handler = type("Collector", (_Collector,), {"received": []})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/events?secret=app-secret", handler
    server.shutdown()
    server.server_close()


def test_the_emulator_delivers_to_megaapi_listen_end_to_end(
    sqlite_store: str, collector: tuple[str, type[_Collector]]
) -> None:
    forward_url, app = collector
    listener = Listener(sqlite_store, "--forward", forward_url)
    try:
        with serve() as served:
            api = MegaApi(instance_key=served.instance_key, token=served.token, base_url=served.base_url)
            with api, Inbox(sqlite_store) as inbox:
                inbox.record_sends(api)
                api.webhook.configure_webhook(listener.url)
                served.emulator.receive_text(CUSTOMER, "Quero saber do meu pedido", push_name="Maria")
                served.emulator.wait_for_deliveries()  # stored once acknowledged: our answer comes after it
                api.messages.send_text(CUSTOMER, "Seu pedido saiu para entrega")
                served.emulator.wait_for_deliveries()
                assert served.emulator.delivery_failures == []
                wait_until(lambda: len(app.received) >= 4, "listen to forward every event")  # the text, 3 receipts
    finally:
        stderr = listener.stop()
    assert listener.process.returncode == 0  # SIGTERM stops it gracefully
    assert TOKEN not in stderr
    assert "app-secret" not in stderr
    assert "?token=***" in stderr
    assert "/events?***" in stderr
    assert any("text" in line and "Maria: Quero saber do meu pedido" in line for line in listener.lines)
    assert any("ack" in line and "read" in line for line in listener.lines)
    assert {event["messageType"] for event in app.received} >= {"conversation", "message.ack"}

    done = megaapi_command("history", CUSTOMER, "--json", "--store", sqlite_store)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(row["from_me"], row["text"], row["status"]) for row in rows] == [
        (False, "Quero saber do meu pedido", None),
        (True, "Seu pedido saiu para entrega", "read"),
    ]
    assert {"id", "chat", "from_me", "timestamp", "type", "text", "status"} <= set(rows[0])
    assert rows[0]["chat"] == f"{CUSTOMER}@s.whatsapp.net"

    chats = megaapi_command("history", "--json", "--store", sqlite_store)
    assert chats.returncode == 0, chats.stderr
    [chat] = [json.loads(line) for line in chats.stdout.splitlines()]
    assert (chat["unread"], chat["last_message"]["text"]) == (0, "Seu pedido saiu para entrega")
    table = megaapi_command("history", CUSTOMER, "--store", sqlite_store)
    assert table.returncode == 0, table.stderr
    assert "Maria" in table.stdout
    assert "read" in table.stdout


def test_replay_dead_letters_to_a_url_and_back_to_the_handlers(
    sqlite_store: str, collector: tuple[str, type[_Collector]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, app = collector
    with Inbox(sqlite_store, max_attempts=1) as inbox:
        inbox.on_event(lambda event, attempt: 1 / 0)
        inbox.store(text_event("DEAD-1", "one"))
        inbox.store(text_event("DEAD-2", "two"))
        import asyncio

        asyncio.run(inbox.run_pending())
        assert len(inbox.dead_letters()) == 2

    monkeypatch.setenv("MEGAAPI_STORE", sqlite_store)
    posted = megaapi_command("replay", "--dead", "--to", url)
    assert posted.returncode == 0, posted.stderr
    assert "2 event(s) posted" in posted.stdout
    assert [event["key"]["id"] for event in app.received] == ["DEAD-1", "DEAD-2"]

    app.status = 500
    failing = megaapi_command("replay", "--dead", "--to", url)
    assert failing.returncode == 1
    assert "2 failed" in failing.stdout

    queued = megaapi_command("replay", "--dead")
    assert queued.returncode == 0, queued.stderr
    assert "2 event(s) queued again" in queued.stdout
    with Inbox(sqlite_store) as inbox:
        assert [record.state for record in inbox.events()] == ["pending", "pending"]


def test_commands_refuse_bad_input_clearly(sqlite_store: str) -> None:
    nothing = megaapi_command("replay", "--store", sqlite_store)
    assert nothing.returncode == 2
    assert "--dead" in nothing.stderr
    assert megaapi_command("replay", "--since", "yesterday", "--store", sqlite_store).returncode == 2
    bad_chat = megaapi_command("history", "not a number", "--store", sqlite_store)
    assert bad_chat.returncode == 1
    secret = "postgresql://user:hunter2-secret@127.0.0.1:1/nothing"
    unreachable = megaapi_command("history", "--store", secret)
    assert unreachable.returncode == 1
    assert "hunter2-secret" not in unreachable.stderr + unreachable.stdout
    short = megaapi_command("listen", "--token", "short", "--store", sqlite_store)
    assert short.returncode == 1
    assert "token" in short.stderr
