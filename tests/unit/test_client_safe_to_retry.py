"""`safe_to_retry` on every error: True only when repeating the call cannot act twice.

That is when the request provably did not reach the server (no connection, or a refusal such as 400, 401, 403, 404
or 429), or when the operation is safe to repeat anyway (a read). A send that failed after the server may have
received it (a timeout, a dropped connection, a 5xx, `error: true`) says False; a 2xx
to a send is returned, not raised.
"""

from __future__ import annotations

import httpx
import pytest
from unit_wire import Wire

from megaapi import AsyncMegaApi, ConfigurationError, InvalidInputError, MegaApi, MegaApiError, ReplyMismatchWarning

NOT_SENT = ["ConnectError", "ConnectTimeout", "PoolTimeout", 400, 401, 403, 404, 408, 413, 429]
MAY_HAVE_ACTED = ["ReadTimeout", "WriteTimeout", "ReadError", "RemoteProtocolError", 500, 502, 503, 409, "error"]


def _queue(wire: Wire, outcome: str | int) -> None:
    if isinstance(outcome, int):
        wire.reply(outcome, json_body={"error": True, "message": "no"})
    elif outcome == "error":
        wire.reply(200, json_body={"error": True, "message": "instance not connected"})
    else:
        wire.fail(getattr(httpx, outcome)("failed"))


@pytest.mark.parametrize("outcome", NOT_SENT, ids=str)
def test_a_send_the_server_never_acted_on_is_safe_to_retry(api: MegaApi, wire: Wire, outcome: str | int) -> None:
    _queue(wire, outcome)
    with pytest.raises(MegaApiError) as raised:
        api.with_options(max_retries=0).messages.send_text("5511999999999", "Olá")
    assert raised.value.safe_to_retry is True


@pytest.mark.parametrize("outcome", MAY_HAVE_ACTED, ids=str)
def test_a_send_that_may_have_gone_out_is_not_safe_to_retry(api: MegaApi, wire: Wire, outcome: str | int) -> None:
    _queue(wire, outcome)
    with pytest.raises(MegaApiError) as raised:
        api.with_options(max_retries=0).messages.send_text("5511999999999", "Olá")
    assert raised.value.safe_to_retry is False


def test_an_unreadable_success_to_a_send_is_returned_not_raised(api: MegaApi, wire: Wire) -> None:
    # A 2xx to a send may mean it went out: no error (which invites a retry), the raw text and a warning instead.
    wire.reply(200, content=b"<html>proxy</html>", headers={"content-type": "text/html"})
    with pytest.warns(ReplyMismatchWarning, match="not JSON"):
        sent = api.messages.send_text("5511999999999", "Olá")
    assert sent.raw == "<html>proxy</html>"


@pytest.mark.parametrize("outcome", NOT_SENT + MAY_HAVE_ACTED, ids=str)
def test_a_read_is_always_safe_to_retry(api: MegaApi, wire: Wire, outcome: str | int) -> None:
    _queue(wire, outcome)
    with pytest.raises(MegaApiError) as raised:
        api.with_options(max_retries=0).instance.get_instance_status()
    assert raised.value.safe_to_retry is True


async def test_the_async_client_says_the_same(async_api: AsyncMegaApi, wire: Wire) -> None:
    _queue(wire, 502)
    with pytest.raises(MegaApiError) as raised:
        await async_api.with_options(max_retries=0).messages.send_text("5511999999999", "Olá")
    assert raised.value.safe_to_retry is False
    _queue(wire, "ConnectError")
    with pytest.raises(MegaApiError) as raised:
        await async_api.with_options(max_retries=0).messages.send_text("5511999999999", "Olá")
    assert raised.value.safe_to_retry is True


def test_errors_raised_before_sending_are_safe_to_retry(api: MegaApi, wire: Wire) -> None:
    with pytest.raises(InvalidInputError) as bad:
        api.messages.send_text("not a number", "Olá")
    assert bad.value.safe_to_retry is True
    with pytest.raises(ConfigurationError) as unconfigured:
        MegaApi(instance_key="megastart-UnitKey7Zq", token="unit-token-R4nd0mQ", host="bad host!")
    assert unconfigured.value.safe_to_retry is True
