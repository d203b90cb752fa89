"""The daily loop from the shell: status, pair, send, webhook and doctor against the emulator on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cli_run import Cli, megaapi

QR_BLOCKS = set("█▀▄")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_status_of_a_paired_instance(cli: Cli) -> None:
    done = cli.run("status")
    assert done.returncode == 0, done.stderr
    assert "connected as +5511912345678 (Loja do Teste)" in done.stdout
    found = json.loads(cli.run("status", "--json").stdout)
    assert found == {
        "connected": True,
        "status": "connected",
        "phone": "5511912345678",
        "name": "Loja do Teste",
        "host": cli.served.base_url.removeprefix("http://"),
    }


def test_status_of_an_unpaired_instance_exits_3(unpaired_cli: Cli) -> None:
    done = unpaired_cli.run("status", "--json")
    assert done.returncode == 3
    assert json.loads(done.stdout)["connected"] is False


def test_pair_draws_the_qr_code_until_the_phone_connects(unpaired_cli: Cli) -> None:
    done = unpaired_cli.run("pair", "--interval", "0.2")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    drawing = [line for line in lines if line and set(line) <= QR_BLOCKS | {" "}]
    # 25 modules plus a quiet zone of 2 on each side, two module rows per line.
    assert len(drawing) == 15
    assert {len(line) for line in drawing} == {29}
    assert lines[-1].startswith("paired: connected as +")
    assert unpaired_cli.served.instance.connected


def test_pair_with_a_phone_prints_the_pairing_code(unpaired_cli: Cli) -> None:
    done = unpaired_cli.run("pair", "--phone", "+55 11 97777-6666", "--interval", "0.2", "--json")
    assert done.returncode == 0, done.stderr
    code, connected = (json.loads(line) for line in done.stdout.splitlines())
    assert len(code["pairing_code"]) == 9
    assert connected["phone"] == "5511977776666"


def test_pair_on_a_paired_instance_says_so(cli: Cli) -> None:
    done = cli.run("pair")
    assert (done.returncode, done.stdout.split(":")[0]) == (0, "already connected")


@pytest.mark.parametrize("unpaired_cli", [False], ids=["nobody-scans"], indirect=True)
def test_pair_gives_up_after_the_timeout(unpaired_cli: Cli) -> None:
    done = unpaired_cli.run("pair", "--timeout", "1", "--interval", "0.2")
    assert done.returncode == 3
    assert "not connected after 1 s" in done.stdout


def test_send_text_media_and_location(cli: Cli, tmp_path: Path) -> None:
    sent = json.loads(cli.run("send", "text", "+55 11 98888-7777", "Olá!", "--json").stdout)
    assert sent["to"] == "5511988887777@s.whatsapp.net"
    picture = tmp_path / "foto.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))
    assert cli.run("send", "media", "5511988887777", str(picture), "--caption", "Veja").returncode == 0
    located = cli.run("send", "location", "5511988887777", "--lat", "-23.5505", "--lon", "-46.6333", "--name", "Sé")
    assert located.returncode == 0, located.stderr
    messages = [m["message"] for m in cli.served.emulator.sent()]
    assert messages[0]["extendedTextMessage"]["text"] == "Olá!"
    assert messages[1]["imageMessage"]["caption"] == "Veja"
    assert messages[2]["locationMessage"]["degreesLatitude"] == -23.5505
    assert sent["id"] == cli.served.emulator.sent()[0]["key"]["id"]


def test_a_refused_send_is_one_line_and_exit_1(cli: Cli) -> None:
    cli.served.emulator.mark_not_on_whatsapp("5511900000000")
    done = cli.run("send", "text", "5511900000000", "Olá")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("error:")


def test_bad_input_is_refused_before_sending(cli: Cli) -> None:
    done = cli.run("send", "location", "5511988887777", "--lat", "123", "--lon", "0")
    assert done.returncode == 1
    assert "latitude" in done.stderr
    assert cli.served.emulator.calls["sendLocation"] == 0


def test_webhook_set_adds_a_token_and_show_masks_it(cli: Cli) -> None:
    done = cli.run("webhook", "set", "https://bot.example.com/megaapi", "--json")
    assert done.returncode == 0, done.stderr
    reply = json.loads(done.stdout)
    token = reply["token"]
    assert len(token) >= 32
    instance = cli.served.instance
    assert (instance.webhook_url, instance.webhook_enabled) == (f"https://bot.example.com/megaapi?token={token}", True)
    shown = cli.run("webhook", "show")
    assert shown.stdout.strip() == "https://bot.example.com/megaapi?token=*** (on)"
    assert token not in shown.stdout
    off = cli.run("webhook", "off", "--json")
    assert json.loads(off.stdout) == {"url": "https://bot.example.com/megaapi?token=***", "enabled": False}
    assert not instance.webhook_enabled


def test_webhook_set_keeps_a_token_already_there(cli: Cli) -> None:
    done = cli.run("webhook", "set", "https://bot.example.com/hook?token=abcdefghijklmnopqrstuvwxyz012345")
    assert "token added" not in done.stdout
    assert "abcdefghij" not in done.stdout
    assert cli.served.instance.webhook_url.endswith("?token=abcdefghijklmnopqrstuvwxyz012345")


def test_doctor_on_a_misconfigured_webhook(cli: Cli) -> None:
    port = _closed_port()
    instance = cli.served.instance
    instance.webhook_url, instance.webhook_enabled = f"http://127.0.0.1:{port}/webhook", False
    done = cli.run("doctor")
    assert done.returncode == 3
    lines = done.stdout.splitlines()
    assert lines[:3] == [
        f"ok   credentials: host 127.0.0.1:{cli.served.base_url.rsplit(':', 1)[1]}",
        "ok   instance: connected as +5511912345678",
        f"ok   webhook URL: http://127.0.0.1:{port}/webhook",
    ]
    problems = {line.split(":")[0] for line in lines if line.startswith("fix")}
    assert problems == {"fix  webhook token", "fix  delivery", "fix  webhook receiver"}


class _OnlyPost(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(405)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_doctor_when_everything_is_right(cli: Cli) -> None:
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _OnlyPost)
    thread = threading.Thread(target=receiver.serve_forever, daemon=True)
    thread.start()
    try:
        instance = cli.served.instance
        instance.webhook_url = f"http://127.0.0.1:{receiver.server_port}/hook?token=abcdefghijklmnopqrstuvwxyz"
        instance.webhook_enabled = True
        done = cli.run("doctor", "--json")
    finally:
        receiver.shutdown()
        thread.join()
        receiver.server_close()
    assert done.returncode == 0, done.stdout
    checks = [json.loads(line) for line in done.stdout.splitlines()]
    assert [c["name"] for c in checks] == [
        "credentials",
        "instance",
        "webhook URL",
        "webhook token",
        "webhook receiver",
    ]
    assert checks[-1]["detail"] == "answers (HTTP 405)"
    assert "abcdefghij" not in done.stdout


def test_doctor_with_a_wrong_token(cli: Cli) -> None:
    done = cli.run("doctor", MEGAAPI_TOKEN="not-the-right-token")
    assert done.returncode == 3
    assert "fix  credentials: 127.0.0.1" in done.stdout
    assert "refused the token" in done.stdout
    assert "not-the-right-token" not in done.stdout


def test_doctor_with_no_credentials_at_all() -> None:
    done = megaapi("doctor", env={})
    assert done.returncode == 3
    assert done.stdout.startswith("fix  credentials: Missing credentials")


def test_doctor_on_an_unreachable_host() -> None:
    env = {
        "MEGAAPI_BASE_URL": f"http://127.0.0.1:{_closed_port()}",
        "MEGAAPI_INSTANCE_KEY": "k-123456",
        "MEGAAPI_TOKEN": "t-123456",
    }
    done = megaapi("doctor", env=env, secrets=("k-123456", "t-123456"))
    assert done.returncode == 3
    assert "fix  host: cannot reach 127.0.0.1" in done.stdout


def test_missing_credentials_are_one_line_and_exit_1() -> None:
    done = megaapi("status", env={})
    assert done.returncode == 1
    assert done.stderr.startswith("error: Missing credentials")
    assert done.stderr.count("\n") == 1


def test_errors_mask_secrets_given_as_options(cli: Cli) -> None:
    key = "megaapi-not-a-real-instance-key"
    done = cli.run("status", "--instance-key", key, "--token", "tok-" + "x" * 20)
    assert done.returncode == 1
    assert key not in done.stderr
    assert "x" * 20 not in done.stderr


@pytest.mark.parametrize("command", [["spec"], ["spec", "--json"]])
def test_spec_prints_the_shipped_description(command: list[str]) -> None:
    done = megaapi(*command, env={})
    assert done.returncode == 0
    text = (Path(__file__).parents[2] / "openapi.yaml").read_text(encoding="utf-8")
    if command == ["spec"]:
        assert done.stdout == text
    else:
        assert json.loads(done.stdout)["openapi"] == "3.1.0"
