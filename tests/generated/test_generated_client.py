"""The generated low-level client on its own: a few operations through httpx.MockTransport.

These prove that openapi-python-client turned the spec into requests with the right method, path, headers and body,
independently of the hand-written layer in overlays/.
"""

from __future__ import annotations

import json

import httpx
import pytest

from megaapi_client import AuthenticatedClient
from megaapi_client.api.groups import set_who_can_send_message
from megaapi_client.api.instance import get_instance_status, get_qr_code
from megaapi_client.api.messages import send_text
from megaapi_client.models import (
    ErrorResponse,
    InstanceStatusResponse,
    SendMessageResponse,
    SendTextRequest,
    TextMessage,
)
from megaapi_client.types import File

KEY, TOKEN = "megastart-MZe5bK0a1Ts", "token-0123456789"


def client_answering(answer: httpx.Response, seen: list[httpx.Request]) -> AuthenticatedClient:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer

    return AuthenticatedClient(
        base_url="https://apistart01.megaapi.com.br", token=TOKEN, httpx_args={"transport": httpx.MockTransport(handle)}
    )


def test_send_text_posts_the_wrapped_body_with_the_bearer_token() -> None:
    seen: list[httpx.Request] = []
    reply = {
        "error": False,
        "messageData": {"key": {"remoteJid": "5511999999999@s.whatsapp.net", "fromMe": True, "id": "3EB0"}},
    }
    client = client_answering(httpx.Response(200, json=reply), seen)
    body = SendTextRequest(message_data=TextMessage(to="5511999999999@s.whatsapp.net", text="Olá", link_preview=False))

    parsed = send_text.sync(KEY, client=client, body=body)

    (request,) = seen
    assert request.method == "POST"
    assert request.url.path == f"/rest/sendMessage/{KEY}/text"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "messageData": {"to": "5511999999999@s.whatsapp.net", "text": "Olá", "linkPreview": False}
    }
    assert isinstance(parsed, SendMessageResponse)
    assert parsed.to_dict() == reply


def test_status_is_a_get_without_body_and_parses_the_user() -> None:
    seen: list[httpx.Request] = []
    reply = {"message": "ok", "instance": {"key": KEY, "user": {"id": "5511999999999@s.whatsapp.net", "name": "Loja"}}}
    parsed = get_instance_status.sync(KEY, client=client_answering(httpx.Response(200, json=reply), seen))

    (request,) = seen
    assert (request.method, request.url.path, request.content) == ("GET", f"/rest/instance/{KEY}", b"")
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert isinstance(parsed, InstanceStatusResponse)
    assert parsed.to_dict() == reply


def test_query_parameters_and_the_instance_key_are_encoded() -> None:
    seen: list[httpx.Request] = []
    client = client_answering(httpx.Response(200, json={"error": False}), seen)

    set_who_can_send_message.sync(
        "key/with?odd#chars", client=client, jid="120363042378568057@g.us", allow_only_admins=True
    )

    (request,) = seen
    assert request.method == "PUT"
    assert request.url.raw_path == (
        b"/rest/group/key%2Fwith%3Fodd%23chars/setWhoCanSendMessage?jid=120363042378568057%40g.us&allowOnlyAdmins=true"
    )


def test_documented_errors_parse_as_error_response() -> None:
    seen: list[httpx.Request] = []
    client = client_answering(httpx.Response(404, json={"error": True, "message": "Instance not found"}), seen)

    parsed = get_instance_status.sync(KEY, client=client)

    assert isinstance(parsed, ErrorResponse)
    assert parsed.message == "Instance not found"


@pytest.mark.parametrize("payload", [b"\x89PNG\r\n\x1a\n\x00\x01", b""])
def test_the_qr_image_comes_back_as_bytes(payload: bytes) -> None:
    seen: list[httpx.Request] = []
    client = client_answering(httpx.Response(200, content=payload, headers={"content-type": "image/png"}), seen)

    parsed = get_qr_code.sync(KEY, client=client)

    assert isinstance(parsed, File)
    assert parsed.payload.read() == payload
