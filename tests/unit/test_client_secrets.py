"""Secrets: the token, the admin token and the instance key (raw or URL-quoted) appear in no log record, repr or
exception text. Each test uses secrets of its own, so a registration left by another test cannot hide a leak.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from unit_http import http_server
from unit_wire import SENT, Wire, ok

import megaapi.logs
from megaapi import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncMegaApi,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    MegaApi,
    NotFoundError,
    NotOnWhatsAppError,
    OperationFailedError,
    PayloadTooLargeError,
    RateLimitError,
)
from megaapi.runner import ClientConfig

LOGGERS = ("megaapi", "httpx", "httpcore")


def _forms(*secrets: str) -> set[str]:
    return {form for secret in secrets for form in (secret, quote(secret, safe=""))}


def _leaks(text: str, secrets: set[str]) -> list[str]:
    return sorted(secret for secret in secrets if secret in text)


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _wire_client(wire: Wire, key: str, token: str, admin: str) -> MegaApi:
    http = httpx.Client(transport=wire.transport)
    return MegaApi(instance_key=key, token=token, admin_token=admin, host="apistart01", http_client=http)


def _messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records]


@pytest.mark.parametrize("key", ["megastart-LogKeyA1", "megastart-Log@Key:B2"])
def test_no_secret_in_any_log_record_through_a_mock_transport(debug_logs: pytest.LogCaptureFixture, key: str) -> None:
    token, admin = f"tok-{key[-2:]}-mock", f"adm-{key[-2:]}-mock"
    wire = Wire()
    wire.reply(503, json_body={"error": True, "message": f"busy {key}"})
    wire.reply(json_body=ok())
    wire.reply(json_body=SENT)
    wire.reply(404, json_body={"error": True, "message": f"instance {key} not found, token {token}"})
    with _wire_client(wire, key, token, admin) as api:
        api.instance.get_instance_status()
        api.messages.send_text("5511999999999", f"the key is {key}")
        with pytest.raises(NotFoundError):
            api.account.list_instances()

    messages = _messages(debug_logs)
    assert any(record.name == "httpx" for record in debug_logs.records)
    assert any(record.name == "megaapi" for record in debug_logs.records)
    assert any("***" in message for message in messages)
    secrets = _forms(key, token, admin)
    assert [(message, _leaks(message, secrets)) for message in messages if _leaks(message, secrets)] == []


class _Echo(BaseHTTPRequestHandler):
    """Answers every request with JSON; a path containing `missing` gets a 404 that echoes the path."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if "missing" in self.path:
            status, body = 404, {"error": True, "message": f"no instance at {self.path}"}
        else:
            status, body = 200, {"error": False, "message": "Instance connected"}
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the server's access log is not the SDK's


@pytest.fixture
def local_server() -> Iterator[str]:
    with http_server(_Echo) as url:
        yield url


def test_no_secret_in_any_log_record_through_a_real_connection(
    debug_logs: pytest.LogCaptureFixture, local_server: str
) -> None:
    key, token = "megastart-RealConnKey9", "real-conn-token-9"
    with MegaApi(instance_key=key, token=token, base_url=local_server) as api:
        api.instance.get_instance_status()
        api.messages.send_text("5511999999999", "oi")
    with MegaApi(instance_key=key + "-missing", token=token, base_url=local_server) as api:
        with pytest.raises(NotFoundError) as raised:
            api.instance.get_instance_status()
        assert _leaks(str(raised.value), _forms(key + "-missing", token)) == []

    names = {record.name for record in debug_logs.records}
    assert "httpx" in names
    assert any(name.startswith("httpcore") for name in names)
    secrets = _forms(key, key + "-missing", token)
    leaks = [(m, _leaks(m, secrets)) for m in _messages(debug_logs) if _leaks(m, secrets)]
    assert leaks == []


@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
async def test_no_secret_in_any_log_record_async(
    debug_logs: pytest.LogCaptureFixture, local_server: str, transport: str
) -> None:
    key, token = "megastart-AsyncConnKey", "async-conn-token"
    async with contextlib.AsyncExitStack() as stack:
        http = await stack.enter_async_context(httpx.AsyncClient()) if transport == "httpx" else None
        api = await stack.enter_async_context(
            AsyncMegaApi(instance_key=key, token=token, base_url=local_server, http_client=http)
        )
        await api.instance.get_instance_status()
    names = {record.name for record in debug_logs.records}
    assert "httpx" in names
    assert any(name.startswith("httpcore") for name in names) == (transport == "httpx")
    secrets = _forms(key, token)
    assert [m for m in _messages(debug_logs) if _leaks(m, secrets)] == []


def test_reprs_show_no_secret() -> None:
    key, token, admin = "megastart-ReprKey1", "repr-token-1", "repr-admin-1"
    with MegaApi(instance_key=key, token=token, admin_token=admin, host="api2") as api:
        copy = api.with_options(max_retries=0)
        objects: list[object] = [api, copy, api._runner, api._runner.config, *(getattr(api, n) for n in NAMESPACES)]
        texts = [text for thing in objects for text in (repr(thing), str(thing))]
    assert "MegaApi(base_url='https://api2.megaapi.com.br'" in repr(api)
    assert [text for text in texts if " object at 0x" in text] == []  # failed before: the namespaces' default repr
    assert repr(api.messages) == "<Messages of https://api2.megaapi.com.br>"
    secrets = _forms(key, token, admin)
    assert [text for text in texts if _leaks(text, secrets)] == []


async def test_async_reprs_show_no_secret() -> None:
    key, token = "megastart-ReprKey2", "repr-token-2"
    async with AsyncMegaApi(instance_key=key, token=token, host="api2") as api:
        texts = [repr(api), str(api), repr(api.with_options(timeout=1.0)), repr(api._runner.config)]
    assert [text for text in texts if _leaks(text, _forms(key, token))] == []


def test_config_repr_hides_secrets() -> None:
    config = ClientConfig(
        base_url="https://api2.megaapi.com.br",
        timeout=httpx.Timeout(1.0),
        max_retries=0,
        user_agent="ua",
        instance_key_="cfg-key-xyz",
        token="cfg-token-xyz",
        admin_token="cfg-admin-xyz",
    )
    assert _leaks(repr(config), _forms("cfg-key-xyz", "cfg-token-xyz", "cfg-admin-xyz")) == []


NAMESPACES = ("account", "chats", "groups", "instance", "messages", "webhook")

ECHOING_FAILURES: list[tuple[int | Exception, bytes | None, type[APIError]]] = [
    (400, None, BadRequestError),
    (401, None, AuthenticationError),
    (403, None, NotOnWhatsAppError),
    (404, None, NotFoundError),
    (413, None, PayloadTooLargeError),
    (429, None, RateLimitError),
    (500, None, InternalServerError),
    (418, None, APIError),
    (200, None, OperationFailedError),
    (200, b"<html>instance {key} token {token}</html>", APIResponseValidationError),
    (502, b"<html>instance {key} token {token}</html>", InternalServerError),
    (httpx.ConnectError("[Errno 111] refused"), None, APIConnectionError),
    (httpx.ReadTimeout("timed out"), None, APITimeoutError),
]


def _queue_echo(wire: Wire, failure: int | Exception, content: bytes | None, key: str, token: str) -> None:
    if isinstance(failure, Exception):
        wire.fail(failure)
    elif content is not None:
        text = content.decode().format(key=key, token=token)
        wire.reply(failure, content=text.encode(), headers={"content-type": "text/html"})
    else:
        message = f"instance {key} ({quote(key, safe='')}) with token {token} failed"
        wire.reply(failure, json_body={"error": True, "message": message})


def _send(api: MegaApi) -> Callable[[], object]:
    return lambda: api.messages.send_text("5511999999999", "oi")


def _exception_texts(error: APIError) -> list[str]:
    texts = [str(error), repr(error), error.message, error.operation, *map(str, error.args)]
    # The body and text of a response error too (failed before: only str(error) was masked).
    if isinstance(error, APIResponseValidationError | APIStatusError | OperationFailedError):
        texts += [error.text, repr(error.body)]
    return texts


@pytest.mark.parametrize(("failure", "content", "error_class"), ECHOING_FAILURES, ids=lambda v: repr(v)[:30])
def test_exceptions_show_no_secret_even_when_the_server_echoes_them(
    failure: int | Exception, content: bytes | None, error_class: type[APIError]
) -> None:
    key, token = "megastart-EchoKey77", "echo-token-77"
    wire = Wire()
    _queue_echo(wire, failure, content, key, token)
    with _wire_client(wire, key, token, "echo-admin-77") as api:
        once = api.with_options(max_retries=0)
        # A 2xx to a send is returned, not raised (the server accepted it): a read shows that error instead.
        call = once.instance.get_instance_status if error_class is APIResponseValidationError else _send(once)
        with pytest.raises(APIError) as raised:
            call()
    assert isinstance(raised.value, error_class)
    secrets = _forms(key, token)
    assert [text for text in _exception_texts(raised.value) if _leaks(text, secrets)] == []


QUOTED_KEY = "megastart-Quo@ted:Key"


def test_operations_in_exceptions_hide_the_url_quoted_instance_key() -> None:
    wire = Wire()
    wire.reply(400, json_body={"error": True, "message": "bad request"})
    with _wire_client(wire, QUOTED_KEY, "quoted-token-1", "quoted-admin-1") as api, pytest.raises(APIError) as raised:
        api.messages.send_text("5511999999999", "oi")
    assert raised.value.operation == "POST /rest/sendMessage/***/text"
    assert [text for text in _exception_texts(raised.value) if _leaks(text, _forms(QUOTED_KEY))] == []


def test_a_server_page_echoing_the_url_quoted_instance_key_is_masked() -> None:
    wire = Wire()
    page = f"<pre>Cannot POST /rest/sendMessage/{quote(QUOTED_KEY, safe='')}/text</pre>"
    wire.reply(404, content=page.encode(), headers={"content-type": "text/html"})
    with _wire_client(wire, QUOTED_KEY, "quoted-token-2", "quoted-admin-2") as api, pytest.raises(APIError) as raised:
        api.messages.send_text("5511999999999", "oi")
    assert [text for text in _exception_texts(raised.value) if _leaks(text, _forms(QUOTED_KEY))] == []


MANAGED_KEY = "megabusiness-Mng4Tok9"  # Mega-api keys often end with the instance's token


def test_the_key_of_a_managed_instance_stays_out_of_logs_and_errors(debug_logs: pytest.LogCaptureFixture) -> None:
    wire = Wire()
    wire.reply(404, json_body={"error": True, "message": "Instance not found"})
    with (
        _wire_client(wire, "megastart-Own1", "own-token-1", "own-admin-1") as api,
        pytest.raises(NotFoundError) as raised,
    ):
        api.account.delete_instance(MANAGED_KEY)
    texts = _messages(debug_logs) + _exception_texts(raised.value)
    assert [text for text in texts if MANAGED_KEY in text] == []


def test_closing_a_client_forgets_its_secrets() -> None:
    before = megaapi.logs.secret_filter._secrets
    with MegaApi(instance_key="megastart-Forget1", token="forget-token-1", host="api2"):
        assert "forget-token-1" in megaapi.logs.secret_filter._secrets
    assert megaapi.logs.secret_filter._secrets == before


def test_closing_a_client_on_a_shared_http_client_forgets_its_secrets() -> None:
    before = megaapi.logs.secret_filter._secrets
    key, token = "megastart-Forget2", "forget-token-2"
    with (
        httpx.Client() as shared,
        MegaApi(instance_key=key, token=token, host="api2", http_client=shared),
    ):
        # Registered while open (without this, the test passed even when the secrets never were).
        assert {key, token} <= set(megaapi.logs.secret_filter._secrets)
        record = logging.makeLogRecord({"msg": f"GET /rest/instance/{key} with Bearer {token}"})
        megaapi.logs.secret_filter.filter(record)
        assert record.getMessage() == "GET /rest/instance/*** with Bearer ***"
    assert megaapi.logs.secret_filter._secrets == before


def test_secrets_of_one_client_stay_masked_while_another_with_them_is_open() -> None:
    key = "megastart-Shared3"
    with MegaApi(instance_key=key, token="shared-token-3", host="api2"):
        with MegaApi(instance_key=key, token="shared-token-3", host="api2"):
            pass
        assert key in megaapi.logs.secret_filter._secrets


SCRIPT = """
import logging, httpx
from megaapi import MegaApi
print(logging.getLogger("megaapi").getEffectiveLevel())
def answer(request):
    return httpx.Response(200, json={"error": False, "message": "ok"})
http = httpx.Client(transport=httpx.MockTransport(answer))
with MegaApi(instance_key="megastart-SubKey5", token="sub-token-5", host="apistart01", http_client=http) as api:
    api.instance.logout_instance()
"""


def _run(log_setting: str | None, script: str = SCRIPT) -> subprocess.CompletedProcess[str]:
    environment = {name: value for name, value in os.environ.items() if name != "MEGAAPI_LOG"}
    environment["PYTHONPATH"] = os.pathsep.join(path for path in sys.path if path)
    if log_setting is not None:
        environment["MEGAAPI_LOG"] = log_setting
    return subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=60, check=True
    )


def test_megaapi_log_debug_prints_the_sdk_log_lines_masked() -> None:
    result = _run("debug")
    assert result.stdout.split() == [str(logging.DEBUG)]
    assert "megaapi DEBUG DELETE /rest/instance/***/logout -> 200 (attempt 1)" in result.stderr
    assert _leaks(result.stderr, _forms("megastart-SubKey5", "sub-token-5")) == []


def test_without_megaapi_log_the_sdk_is_quiet() -> None:
    result = _run(None)
    assert result.stdout.split() == [str(logging.WARNING)]
    assert result.stderr == ""


def test_a_server_echoing_the_authorization_header_leaks_nothing_through_body_or_text() -> None:
    """Failed before: `body` and `text` of the error held the token as the server echoed it."""
    key, token = "megastart-EchoAuth8", "echo-auth-token-8"
    wire = Wire()
    wire.answer(
        lambda request: httpx.Response(
            500,
            json={
                "error": True,
                "headers": {"authorization": request.headers["authorization"]},
                "url": str(request.url),
            },
        )
    )
    with _wire_client(wire, key, token, "echo-admin-8") as api, pytest.raises(APIStatusError) as raised:
        api.with_options(max_retries=0).messages.send_text("5511999999999", "oi")
    assert raised.value.body == {
        "error": True,
        "headers": {"authorization": "Bearer ***"},
        "url": "https://apistart01.megaapi.com.br/rest/sendMessage/***/text",
    }
    assert _leaks(raised.value.text, _forms(key, token)) == []
    assert "Bearer ***" in raised.value.text


INSTANCE = {"key": "megastart-ListedKey4", "status": "connected", "user": {"id": "5511@s.whatsapp.net"}}
WEBHOOK_URL = "https://bot.example.com/megaapi?token=HookSecret5x7&mode=live"


def _reply_reprs(wire: Wire) -> list[str]:
    """The repr and str of what a few calls return, the servers' answers holding secrets at every depth."""
    wire.reply(json_body=ok(instance=INSTANCE))
    wire.reply(
        json_body=ok(
            message="created megastart-NewKey6 with token new-token-6", key="megastart-NewKey6", token="new-token-6"
        )
    )
    wire.reply(json_body=ok(data=[INSTANCE, {**INSTANCE, "key": "megastart-OtherKey7"}]))
    wire.reply(json_body=ok(webhookData={"webhookUrl": WEBHOOK_URL, "webhookEnabled": True}))
    wire.reply(json_body=ok(message="hooked with HookSecret5x7", webhookData={"webhookUrl": WEBHOOK_URL}))
    with _wire_client(wire, "megastart-ReplyKey3", "reply-token-3", "reply-admin-3") as api:
        replies: list[object] = [
            api.instance.get_instance_status(),
            api.account.create_instance("megastart-NewKey6"),
            api.account.list_instances(),
            api.webhook.get_webhook(),
            api.webhook.configure_webhook(WEBHOOK_URL),
        ]
    return [text for reply in replies for text in (repr(reply), str(reply))]


def test_reprs_of_replies_show_no_secret_at_any_depth() -> None:
    """Failed before: the instance key, a new instance's key and token and the webhook URL's token were printed."""
    texts = _reply_reprs(Wire())
    secrets = {"megastart-ListedKey4", "megastart-NewKey6", "new-token-6", "megastart-OtherKey7", "HookSecret5x7"}
    assert [text for text in texts if _leaks(text, secrets)] == []
    assert "key='***'" in texts[0]
    assert "webhook_url='https://bot.example.com/megaapi?token=***&mode=***'" in texts[6]


def test_reprs_of_replies_are_readable() -> None:
    """Failed before: `<megaapi_client.types.Unset object at 0x...>` for every absent field."""
    texts = _reply_reprs(Wire())
    assert [text for text in texts if "object at 0x" in text or "Unset" in text] == []
    assert texts[0] == (
        "InstanceStatusResponse(error=False, message='success', instance=InstanceInfo(key='***', status='connected', "
        "user=WhatsAppUser(id='5511@s.whatsapp.net')))"
    )


def test_one_character_secrets_do_not_garble_messages(debug_logs: pytest.LogCaptureFixture) -> None:
    """Failed before: with token="t" every `t` of every message and log line became `***`."""
    wire = Wire()
    wire.reply(404, json_body={"error": True, "message": "instance k not found (token t, Bearer t)"})
    # No with_options copy: it would keep these secrets registered, masking every lone `a` of later tests' logs.
    with _wire_client(wire, "k", "t", "a") as api, pytest.raises(NotFoundError) as raised:
        api.instance.get_instance_status()  # a 404 is not retried
    assert str(raised.value) == "HTTP 404 from GET /rest/instance/***: instance *** not found (token ***, Bearer ***)"
    assert raised.value.body == {"error": True, "message": "instance *** not found (token ***, Bearer ***)"}
    assert not {"k", "t", "a"} & set(megaapi.logs.secret_filter._secrets)
    lines = [message for message in _messages(debug_logs) if message.startswith("GET /rest/instance/")]
    assert lines == ["GET /rest/instance/*** -> 404 (attempt 1)"]
    assert [m for m in _messages(debug_logs) if "/k " in m or '/k"' in m or "Bearer t" in m] == []


def test_megaapi_log_debug_with_basic_config_prints_each_line_once() -> None:
    """Failed before: the SDK's own handler and the root's both printed every `megaapi` record."""
    result = _run("debug", "import logging\nlogging.basicConfig(format='%(name)s: %(message)s')\n" + SCRIPT)
    line = "megaapi: DELETE /rest/instance/***/logout -> 200 (attempt 1)"
    assert result.stderr.count("DELETE /rest/instance/***/logout -> 200") == 1, result.stderr
    assert line in result.stderr
