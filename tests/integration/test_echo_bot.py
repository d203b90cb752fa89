"""examples/echo_bot.py, driven by the emulator: a text arrives at the bot's webhook and the bot answers it."""

from __future__ import annotations

import importlib.util
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import uvicorn

from megaapi.testing import serve
from megaapi.testing.server import base_url_of, bind

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "echo_bot.py"
SECRET = "echo-bot-secret-0123456789abcdef"
CUSTOMER = "5511988887777"


@contextmanager
def served_app(app: Any) -> Iterator[str]:
    sock = bind()
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_config=None))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            assert thread.is_alive(), "uvicorn did not start"
            time.sleep(0.01)
        yield base_url_of(sock)
    finally:
        server.should_exit = True
        thread.join()
        sock.close()


def load_bot() -> ModuleType:
    spec = importlib.util.spec_from_file_location("echo_bot", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sent_texts(messages: list[Any], to: str) -> list[str]:
    return [
        message.message.get("extendedTextMessage", {}).get("text")
        for message in messages
        if message.key.get("fromMe") and message.key.get("remoteJid") == f"{to}@s.whatsapp.net"
    ]


def test_the_echo_bot_answers_a_received_text(monkeypatch: pytest.MonkeyPatch) -> None:
    with serve() as emulator:
        monkeypatch.setenv("MEGAAPI_BASE_URL", emulator.base_url)
        monkeypatch.setenv("MEGAAPI_INSTANCE_KEY", emulator.instance_key)
        monkeypatch.setenv("MEGAAPI_TOKEN", emulator.token)
        monkeypatch.setenv("MEGAAPI_WEBHOOK_TOKEN", SECRET)
        monkeypatch.delenv("MEGAAPI_HOST", raising=False)
        bot = load_bot()
        with bot.api, served_app(bot.app) as url:
            bot.api.webhook.configure_webhook(f"{url}/?token={SECRET}")
            emulator.emulator.receive_text(CUSTOMER, "Oi, tudo bem?")
            deadline = time.monotonic() + 10
            while "Você disse: Oi, tudo bem?" not in sent_texts(emulator.instance.messages, CUSTOMER):
                assert time.monotonic() < deadline, "the bot did not answer"
                time.sleep(0.02)
            emulator.emulator.wait_for_deliveries()
        assert emulator.emulator.delivery_failures == []
