"""AsyncMegaApi's transports: aiohttp by default when megaapi[aiohttp] is installed, with httpx's own error classes,
so the retry policy reads a failure the same on either (tests/integration runs every async test on both)."""

from __future__ import annotations

import contextlib
import socket

import httpx
import pytest
from httpx_aiohttp import HttpxAiohttpClient

from megaapi import APIConnectionError, AsyncMegaApi
from megaapi.transports import aiohttp_transport

KEY, TOKEN = "megastart-TransportKey1", "transport-token-1"


async def test_the_default_async_client_runs_on_aiohttp_when_installed() -> None:
    async with AsyncMegaApi(instance_key=KEY, token=TOKEN, base_url="http://127.0.0.1:9") as api:
        assert isinstance(api._runner.http, HttpxAiohttpClient)


@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
async def test_a_refused_connection_is_never_sent_so_even_a_send_is_retried(
    transport: str, sleeps: list[float]
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"  # bound, not listening: connections are refused
        async with contextlib.AsyncExitStack() as stack:
            http = httpx.AsyncClient(transport=aiohttp_transport() if transport == "aiohttp" else None)
            await stack.enter_async_context(http)
            api = AsyncMegaApi(instance_key=KEY, token=TOKEN, base_url=url, http_client=http)
            with pytest.raises(APIConnectionError) as raised:
                await api.messages.send_text("5511999999999", "oi")
    assert raised.value.safe_to_retry
    assert "ConnectError" in str(raised.value)
    assert len(sleeps) == 2  # both retries of the default budget
