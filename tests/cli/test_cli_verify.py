"""`megaapi verify` against the emulator (which matches the spec) and against a server answering other shapes."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cli_run import Cli, megaapi

KEY = "megaapi-verify-key-0123456789"
TOKEN = "verify-token-abcdefghijklmnop"
OWN = "5511933332222"
# A server that strays from the spec: a number where a string is documented, a string for a boolean, a non-JSON
# reply, and private data (names, texts, numbers, a webhook token) that the report must not carry.
ODD_REPLIES = {
    f"/rest/instance/{KEY}": {
        "error": False,
        "instance": {"key": KEY, "status": 1, "user": {"id": f"{OWN}:12@s.whatsapp.net", "name": "Maria Souza"}},
    },
    f"/rest/webhook/{KEY}": {
        "error": False,
        "webhookData": {
            "webhookUrl": "https://bot.example.com/hook?token=supersecretwebhooktoken",
            "webhookEnabled": True,
        },
    },
    f"/rest/instance/contacts/{KEY}": {"error": False, "contacts": "Maria Souza 5511944443333"},
    f"/rest/instance/messages/{KEY}": {
        "error": "false",
        "data": [{"key": {"id": 7}, "message": {"conversation": "meu CPF é 123.456.789-00"}, "pushName": "Maria"}],
    },
}


class _OddServer(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path.startswith("/rest/instance/chats/"):
            body, kind = b"<html>chats</html>", "text/html"
        else:
            body, kind = json.dumps(ODD_REPLIES.get(path, {"error": False})).encode(), "application/json"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def odd_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OddServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def test_verify_against_the_emulator_finds_nothing(cli: Cli, tmp_path: Path) -> None:
    cli.served.emulator.receive_text("5511988887777", "Oi, tudo bem?", push_name="Joana")
    report = tmp_path / "report.json"
    done = cli.run("verify", "--report", str(report))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "differs" not in done.stdout
    operations = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("matches")]
    assert {"getInstanceStatus", "getWebhook", "listChats", "listMessages", "checkNumber"} <= set(operations)
    written = report.read_text(encoding="utf-8")
    for private in (cli.served.instance_key, cli.served.token, "5511912345678", "5511988887777", "Joana", "Oi, tudo"):
        assert private not in written


def test_verify_reports_where_a_server_strays_from_the_spec(odd_server: str, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    env = {"MEGAAPI_BASE_URL": odd_server, "MEGAAPI_INSTANCE_KEY": KEY, "MEGAAPI_TOKEN": TOKEN}
    done = megaapi("verify", "--report", str(report), "--json", env=env, secrets=(KEY, TOKEN))
    assert done.returncode == 3, done.stderr
    results = {line["operation"]: line for line in map(json.loads, done.stdout.splitlines())}
    assert not results["getInstanceStatus"]["conforms"]
    assert "instance.status" in results["getInstanceStatus"]["difference"]
    assert results["listChats"]["difference"] == "the reply is not JSON (text/html)"
    assert not results["listMessages"]["conforms"]
    assert results["getWebhook"]["conforms"]
    written = report.read_text(encoding="utf-8")
    for private in (KEY, TOKEN, OWN, "5511944443333", "Maria", "CPF", "123.456", "supersecretwebhooktoken"):
        assert private not in written, private
    document = json.loads(written)
    bodies = {result["operation"]: result["body"] for result in document["results"]}
    # Types and structure survive, so the report still shows how the reply differs.
    assert bodies["getInstanceStatus"]["instance"]["status"] == 1
    assert bodies["getInstanceStatus"]["instance"]["user"]["id"] == "0000000000000:12@s.whatsapp.net"
    assert bodies["getWebhook"]["webhookData"]["webhookUrl"] == "https://bot.example.com/hook?token=***"


def test_a_report_that_cannot_be_written_is_refused_before_any_call(cli: Cli, tmp_path: Path) -> None:
    done = cli.run("verify", "--report", str(tmp_path / "missing" / "report.json"))
    assert done.returncode == 1
    assert done.stderr.startswith("error: cannot write the report")
    assert cli.served.emulator.calls == {}
