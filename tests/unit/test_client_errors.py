"""Errors: every failure becomes a `MegaApiError` subclass that keeps the status and the raw body."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import httpx
import pytest
from unit_wire import KEY, SENT, Wire

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
    MegaApiError,
    MissingReplyFieldError,
    NotFoundError,
    NotOnWhatsAppError,
    OperationFailedError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    ReplyMismatchWarning,
)

STATUS_CLASSES = [
    (400, BadRequestError),
    (401, AuthenticationError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (413, PayloadTooLargeError),
    (429, RateLimitError),
    (500, InternalServerError),
    (502, InternalServerError),
    (503, InternalServerError),
    (504, InternalServerError),
    (405, APIStatusError),
    (408, APIStatusError),
    (409, APIStatusError),
    (418, APIStatusError),
    (422, APIStatusError),
]


@pytest.fixture
def once(api: MegaApi) -> MegaApi:
    """The client without retries, so each queued reply is the final answer."""
    return api.with_options(max_retries=0)


@pytest.mark.parametrize(("status", "error_class"), STATUS_CLASSES)
def test_status_maps_to_its_class(once: MegaApi, wire: Wire, status: int, error_class: type[APIStatusError]) -> None:
    wire.reply(status, json_body={"error": True, "message": "Explained by the server"})
    with pytest.raises(APIStatusError) as raised:
        once.instance.get_instance_status()
    error = raised.value
    assert type(error) is error_class
    assert isinstance(error, APIError)
    assert isinstance(error, MegaApiError)
    assert error.status_code == status
    assert error.body == {"error": True, "message": "Explained by the server"}
    assert json.loads(error.text) == error.body
    assert "Explained by the server" in str(error)
    assert error.operation == "GET /rest/instance/***"


@pytest.mark.parametrize(("status", "error_class"), STATUS_CLASSES[:7])
async def test_status_maps_to_its_class_async(
    async_api: AsyncMegaApi, wire: Wire, status: int, error_class: type[APIStatusError]
) -> None:
    wire.reply(status, json_body={"error": True, "message": "no"})
    with pytest.raises(APIStatusError) as raised:
        await async_api.with_options(max_retries=0).groups.list_groups()
    assert type(raised.value) is error_class
    assert raised.value.status_code == status


def test_rate_limit_error_carries_retry_after(once: MegaApi, wire: Wire) -> None:
    wire.reply(429, json_body={"error": True, "message": "slow down"}, headers={"Retry-After": "12"})
    with pytest.raises(RateLimitError) as raised:
        once.instance.get_instance_status()
    assert raised.value.retry_after == 12.0


def test_rate_limit_error_without_retry_after(once: MegaApi, wire: Wire) -> None:
    wire.reply(429, json_body={"error": True, "message": "slow down"})
    with pytest.raises(RateLimitError) as raised:
        once.instance.get_instance_status()
    assert raised.value.retry_after is None


SENDS = {
    "send_text": lambda api: api.messages.send_text("5511999999999", "oi"),
    "send_text_to_many": lambda api: api.messages.send_text_to_many(["5511999999999"], "oi"),
    "send_media": lambda api: api.messages.send_media("5511999999999", "https://cdn.example.com/a.jpg"),
    "send_location": lambda api: api.messages.send_location("5511999999999", 1.0, 2.0),
}


@pytest.mark.parametrize("send", SENDS.values(), ids=SENDS.keys())
def test_forbidden_send_means_not_on_whatsapp(once: MegaApi, wire: Wire, send: Any) -> None:
    wire.reply(403, json_body={"error": True, "message": "number not on WhatsApp"})
    with pytest.raises(NotOnWhatsAppError) as raised:
        send(once)
    assert isinstance(raised.value, PermissionDeniedError)
    assert raised.value.status_code == 403


def test_forbidden_read_is_a_plain_permission_error(once: MegaApi, wire: Wire) -> None:
    wire.reply(403, json_body={"error": True, "message": "forbidden"})
    with pytest.raises(PermissionDeniedError) as raised:
        once.instance.check_number("5511999999999")
    assert type(raised.value) is PermissionDeniedError


@pytest.mark.parametrize("flag", [True, "true"])
def test_success_status_with_error_true_raises(once: MegaApi, wire: Wire, flag: object) -> None:
    wire.reply(200, json_body={"error": flag, "message": "Instance not connected"})
    with pytest.raises(OperationFailedError) as raised:
        once.messages.send_text("5511999999999", "oi")
    assert raised.value.status_code == 200
    assert raised.value.body == {"error": flag, "message": "Instance not connected"}
    assert "Instance not connected" in str(raised.value)


def test_error_true_on_a_binary_operation_raises(once: MegaApi, wire: Wire) -> None:
    wire.reply(200, json_body={"error": True, "message": "already connected"})
    with pytest.raises(OperationFailedError, match="already connected"):
        once.instance.get_qr_code()


def test_json_where_a_file_was_expected_is_a_validation_error(once: MegaApi, wire: Wire) -> None:
    wire.reply(200, json_body={"error": False, "message": "ok"})
    with pytest.raises(APIResponseValidationError) as raised:
        once.instance.get_qr_code()
    assert raised.value.status_code == 200


PNG = b"\x89PNG\r\n\x1a\nqr-pixels"


def test_qr_code_as_png_is_returned_as_is(once: MegaApi, wire: Wire) -> None:
    wire.reply(200, content=PNG, headers={"content-type": "image/png"})
    assert once.instance.get_qr_code() == PNG


def test_qr_code_as_an_html_page_gives_the_image_inside_it(once: MegaApi, wire: Wire) -> None:
    page = b'<html><body><img src="data:image/png;base64,' + base64.b64encode(PNG) + b'"></body></html>'
    wire.reply(200, content=page, headers={"content-type": "text/html; charset=utf-8"})
    assert once.instance.get_qr_code() == PNG


def test_qr_code_page_without_an_inline_image_is_a_validation_error(once: MegaApi, wire: Wire) -> None:
    wire.reply(200, content=b"<html><body>Instance connected</body></html>", headers={"content-type": "text/html"})
    with pytest.raises(APIResponseValidationError, match="get_qr_code_base_64"):
        once.instance.get_qr_code()


HTML = b"<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>"


@pytest.mark.parametrize(
    ("status", "content", "error_class"),
    [
        (502, HTML, InternalServerError),
        (500, b"", InternalServerError),
        (404, b"Cannot GET /rest/instance", NotFoundError),
        (200, HTML, APIResponseValidationError),
        (200, b"", APIResponseValidationError),
        (200, b'{"error": false, "message": "truncated', APIResponseValidationError),
        (200, b"\xff\xfe\x00garbage", APIResponseValidationError),
    ],
    ids=["html 502", "empty 500", "text 404", "html 200", "empty 200", "truncated json", "binary 200"],
)
def test_non_json_bodies_keep_status_and_raw_text(
    once: MegaApi, wire: Wire, status: int, content: bytes, error_class: type[APIError]
) -> None:
    wire.reply(status, content=content, headers={"content-type": "text/html"})
    with pytest.raises(APIError) as raised:
        once.instance.get_instance_status()
    error = raised.value
    assert type(error) is error_class
    assert isinstance(error, APIStatusError | APIResponseValidationError)
    assert error.status_code == status
    assert error.text == content.decode("utf-8", errors="replace")
    assert str(error)


SEND_REPLIES = {
    "a list": ([SENT], "the body is a list, not a JSON object"),
    "null": (None, "the body is null, not a JSON object"),
    "a string": ("ok", "the body is a string, not a JSON object"),
    "a number": (200, "the body is a number, not a JSON object"),
    "key without id": (
        {"error": False, "messageData": {"key": {"remoteJid": "5511999999999@s.whatsapp.net", "fromMe": True}}},
        "messageData.key.id: required field is missing",
    ),
    "key without fromMe": (
        {"error": False, "messageData": {"key": {"remoteJid": "x", "id": "A"}}},
        "messageData.key.fromMe: required field is missing",
    ),
    "key that is a list": (
        {"error": False, "messageData": {"key": ["5511999999999@s.whatsapp.net"]}},
        "messageData.key: expected an object, got a list",
    ),
    "messageData a string": ({"error": False, "messageData": "sent"}, "messageData: expected an object, got a string"),
    "id a number": (
        {"error": False, "messageData": {"key": {"remoteJid": "x", "fromMe": True, "id": 123}}},
        "messageData.key.id: expected a string, got a number",
    ),
    "message NaN": (b'{"error": false, "message": NaN}', "message: expected a finite number, got nan"),
}


def _reply_raw(wire: Wire, body: Any) -> None:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    wire.reply(200, content=content, headers={"content-type": "application/json"})


@pytest.mark.parametrize(("body", "named"), SEND_REPLIES.values(), ids=SEND_REPLIES.keys())
def test_a_send_the_server_accepted_never_raises(once: MegaApi, wire: Wire, body: Any, named: str) -> None:
    """Failed before: each raised APIResponseValidationError (a MegaApiError a caller retries, sending twice)."""
    _reply_raw(wire, body)
    with pytest.warns(ReplyMismatchWarning, match="does not match the spec") as warned:
        sent = once.messages.send_text("5511999999999", "oi")
    assert named in str(warned[0].message)
    assert named in sent.unmatched[0]
    if not isinstance(body, bytes):
        assert sent.raw == body


def test_an_accepted_send_keeps_what_could_be_parsed(once: MegaApi, wire: Wire) -> None:
    _reply_raw(wire, {"error": False, "message": "sent", "messageData": {"key": {"remoteJid": "x", "id": "A"}}})
    with pytest.warns(ReplyMismatchWarning):
        sent = once.messages.send_text("5511999999999", "oi")
    assert (sent.error, sent.message) == (False, "sent")
    assert sent.message_id == "A"  # read from the raw body: the key itself did not match


def test_an_accepted_send_that_is_not_json_is_returned_with_its_text(once: MegaApi, wire: Wire) -> None:
    wire.reply(200, content=b"<html>sent</html>", headers={"content-type": "text/html"})
    with pytest.warns(ReplyMismatchWarning, match="the body is not JSON"):
        sent = once.messages.send_text("5511999999999", "oi")
    assert sent.raw == "<html>sent</html>"
    with pytest.raises(MissingReplyFieldError, match="the message was sent, so do not repeat") as raised:
        _ = sent.message_id
    assert raised.value.safe_to_retry is False


def test_a_matching_send_has_no_raw_body_and_no_warning(once: MegaApi, wire: Wire) -> None:
    wire.reply(json_body=SENT)
    sent = once.messages.send_text("5511999999999", "oi")
    assert (sent.raw, sent.unmatched, sent.message_id) == (None, (), "3EB0C767D26A1D4B1F9E")


async def test_an_accepted_send_never_raises_async(async_api: AsyncMegaApi, wire: Wire) -> None:
    wire.reply(200, json_body={"error": False, "messageData": {"key": {"fromMe": True}}})
    with pytest.warns(ReplyMismatchWarning, match=r"messageData\.key\.remoteJid: required field is missing"):
        sent = await async_api.with_options(max_retries=0).messages.send_text("5511999999999", "oi")
    assert sent.unmatched


READ_REPLIES = {
    "status a number": ({"instance": {"status": 3}}, "instance.status: expected a string, got a number"),
    "message NaN": (b'{"error": false, "message": NaN}', "message: expected a finite number, got nan"),
    "nested NaN": (b'{"instance": {"user": {"id": Infinity}}}', "instance.user.id: expected a finite number"),
    "a list": ([{"error": False}], "the body is a list, not a JSON object"),
}


@pytest.mark.parametrize(("body", "named"), READ_REPLIES.values(), ids=READ_REPLIES.keys())
def test_a_read_that_does_not_match_raises_naming_the_field(once: MegaApi, wire: Wire, body: Any, named: str) -> None:
    """Failed before: wrong types and NaN passed silently, and other errors named no field (only `KeyError`)."""
    _reply_raw(wire, body)
    with pytest.raises(APIResponseValidationError) as raised:
        once.instance.get_instance_status()
    assert named in str(raised.value)
    assert raised.value.safe_to_retry


@pytest.mark.parametrize(
    ("failure", "error_class"),
    [
        (httpx.ConnectError("refused"), APIConnectionError),
        (httpx.RemoteProtocolError("peer closed"), APIConnectionError),
        (httpx.ReadError("reset"), APIConnectionError),
        (httpx.ConnectTimeout("slow"), APITimeoutError),
        (httpx.ReadTimeout("slow"), APITimeoutError),
        (httpx.WriteTimeout("slow"), APITimeoutError),
        (httpx.PoolTimeout("busy"), APITimeoutError),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else value.__name__,
)
def test_transport_failures_become_connection_errors(
    once: MegaApi, wire: Wire, failure: Exception, error_class: type[APIConnectionError]
) -> None:
    wire.fail(failure)
    with pytest.raises(APIConnectionError) as raised:
        once.instance.get_instance_status()
    assert type(raised.value) is error_class
    assert isinstance(raised.value, MegaApiError)
    assert raised.value.operation == "GET /rest/instance/***"
    assert KEY not in str(raised.value)


async def test_timeout_becomes_a_timeout_error_async(async_api: AsyncMegaApi, wire: Wire) -> None:
    wire.fail(httpx.ReadTimeout("slow"))
    with pytest.raises(APITimeoutError):
        await async_api.with_options(max_retries=0).instance.get_instance_status()


def test_a_body_that_cannot_be_decompressed_is_an_sdk_error(once: MegaApi, wire: Wire) -> None:
    # A stream, so httpx decodes the body when the client reads it rather than when the reply is built.
    corrupt = httpx.Response(200, stream=httpx.ByteStream(b"not gzip at all"), headers={"content-encoding": "gzip"})
    wire.answer(lambda request: corrupt)
    with pytest.raises(APIConnectionError, match="DecodingError"):
        once.instance.get_instance_status()


def test_a_compressed_body_is_read(once: MegaApi, wire: Wire) -> None:
    body = json.dumps({"error": False, "message": "Instance connected"}).encode()
    wire.reply(200, content=gzip.compress(body), headers={"content-encoding": "gzip"})
    assert once.instance.get_instance_status().message == "Instance connected"
