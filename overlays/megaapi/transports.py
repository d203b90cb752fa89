"""The HTTP client `AsyncMegaApi` makes when none is given: httpx over aiohttp when `megaapi[aiohttp]` is installed.

httpx's own async transport spends so much CPU per request that it tops out at a few hundred calls a second with
many requests in flight, where the same `httpx.AsyncClient` over aiohttp (the `httpx-aiohttp` transport) manages
several times more (BENCHMARKS.md). The SDK sees an `httpx.AsyncClient` and httpx's errors, so retries, timeouts,
streaming and masking are the same code on either transport (a reply read whole skips httpx's request and response
objects, see megaapi.direct, but not its errors). The one thing to align is which httpx error a failure becomes,
since the retry policy reads it: `httpx-aiohttp` reports a server that hung up after the request as a connect
timeout, which would make a send look safe to repeat. `aiohttp_transport` maps aiohttp's errors the way httpx's
own transport reports the same failures.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from .direct import WHOLE_BODY

if TYPE_CHECKING:
    import aiohttp

_CHUNK = 16 * 1024  # as httpx-aiohttp reads


def async_http_client() -> httpx.AsyncClient:
    """A new `httpx.AsyncClient` on the fastest transport installed: aiohttp with `megaapi[aiohttp]`, else httpx's."""
    client_class = _aiohttp_client_class()
    return httpx.AsyncClient(follow_redirects=False) if client_class is None else client_class(follow_redirects=False)


@functools.cache
def _aiohttp_client_class() -> type[httpx.AsyncClient] | None:
    try:
        from httpx_aiohttp import HttpxAiohttpClient
    except ImportError:
        return None

    class Client(HttpxAiohttpClient):
        # httpx builds one transport for direct requests and one per proxy taken from the environment.
        def _init_transport(self, *args: Any, **kwargs: Any) -> httpx.AsyncBaseTransport:
            transport = kwargs.pop("transport", None)
            return transport or aiohttp_transport(*args, **kwargs)

        def _init_proxy_transport(self, proxy: httpx.Proxy, *args: Any, **kwargs: Any) -> httpx.AsyncBaseTransport:
            # httpx passes the proxy first, where the transport takes `verify`: it goes by name.
            return aiohttp_transport(*args, proxy=proxy, **kwargs)

    return Client


class Exchanging(Protocol):
    """The transports of the aiohttp client `async_http_client` makes (every one it uses, proxies included)."""

    async def exchange(
        self,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        data: bytes | httpx.AsyncByteStream | None,
        timeout: dict[str, float | None],
        *,
        sni_hostname: str | None = None,
    ) -> tuple[aiohttp.ClientResponse, bytes]: ...


def made_on_aiohttp(client: httpx.AsyncClient) -> bool:
    """Whether `client` is the aiohttp client `async_http_client` makes, whose transports are all `Exchanging`."""
    client_class = _aiohttp_client_class()
    return client_class is not None and isinstance(client, client_class)


def aiohttp_transport(*args: Any, **kwargs: Any) -> httpx.AsyncBaseTransport:
    """An `httpx-aiohttp` transport whose errors are the ones httpx's own transport raises for the same failure.

    Takes the arguments of `httpx_aiohttp.AiohttpTransport` (`limits=`, `verify=`, `proxy=` ...); for an
    `httpx.AsyncClient(transport=...)` of your own. Needs `megaapi[aiohttp]`.
    """
    return _transport_class()(*args, **kwargs)


@functools.cache
def _transport_class() -> type[httpx.AsyncBaseTransport]:
    # Built on first use: importing aiohttp costs tens of milliseconds that the sync client should not pay.
    import aiohttp
    from httpx_aiohttp import AiohttpTransport

    # Most specific first: the first class that matches decides.
    errors: tuple[tuple[type[BaseException], type[httpx.TransportError]], ...] = (
        (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),  # waiting for a connection or connecting
        (aiohttp.ServerTimeoutError, httpx.ReadTimeout),  # waiting for the answer
        (asyncio.TimeoutError, httpx.ReadTimeout),
        (aiohttp.ClientConnectorError, httpx.ConnectError),  # refused, unreachable, DNS, TLS handshake
        (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),  # hung up without (a whole) answer
        (aiohttp.ClientPayloadError, httpx.RemoteProtocolError),
        (aiohttp.ClientResponseError, httpx.RemoteProtocolError),  # not an HTTP answer
        (aiohttp.InvalidURL, httpx.UnsupportedProtocol),
        (aiohttp.ClientConnectionError, httpx.ReadError),  # reset or broken while sending or receiving
        (aiohttp.ClientError, httpx.TransportError),
    )

    def mapped(error: BaseException) -> httpx.TransportError | None:
        cause = error.__cause__ if isinstance(error, httpx.TransportError) and error.__cause__ else error
        for aiohttp_error, httpx_error in errors:
            if isinstance(cause, aiohttp_error):
                # The class name only: aiohttp's messages can quote the URL, whose path holds the instance key.
                return httpx_error(type(cause).__name__)
        return None

    @functools.lru_cache(maxsize=64)
    def _client_timeout(connect: float | None, read: float | None, pool: float | None) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(sock_connect=connect, sock_read=read, connect=pool)

    class _Stream(httpx.AsyncByteStream):
        def __init__(self, response: aiohttp.ClientResponse) -> None:
            self._response = response

        async def __aiter__(self) -> AsyncIterator[bytes]:
            try:
                async for chunk in self._response.content.iter_chunked(_CHUNK):
                    yield chunk
            except Exception as error:
                raise (mapped(error) or error) from None

        async def aclose(self) -> None:
            try:
                await self._response.__aexit__(None, None, None)
            except Exception as error:
                raise (mapped(error) or error) from None

    class _Transport(AiohttpTransport):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            limits: httpx.Limits = self.limits

            def session() -> aiohttp.ClientSession:
                connector = aiohttp.TCPConnector(
                    limit=limits.max_connections or 0, keepalive_timeout=limits.keepalive_expiry, ssl=self.ssl_context
                )
                # httpx keeps the cookies; aiohttp keeping them too would send them twice.
                session = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())
                # aiohttp sends a GET, PUT or DELETE again at once when a kept-alive connection drops under it. The
                # SDK's retry policy knows which operations are safe to repeat and counts max_retries: it stays the
                # only one. (No public switch exists; the attribute is in ClientSession's own list of attributes.)
                if hasattr(session, "_retry_connection"):
                    session._retry_connection = False
                return session

            if self.client is None:
                self.client = session

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            # httpx-aiohttp's own method, with aiohttp's errors mapped as above, and the body read at once (no
            # stream of chunks through three layers of async generators) when the SDK says it will read it whole.
            data: bytes | httpx.AsyncByteStream | None
            try:
                data = request.content or None
            except httpx.RequestNotRead:
                data = request.stream  # type: ignore[assignment]
                request.headers.pop("transfer-encoding", None)  # aiohttp chunks the body itself
            encoding = request.headers.encoding
            # The names as httpx's own transport sends them (aiohttp would read a mapping's lower-cased keys one
            # lookup each); the SDK never repeats a header.
            headers = [(name.decode(encoding), value.decode(encoding)) for name, value in request.headers.raw]
            arguments = (request.method, str(request.url), headers, data, request.extensions.get("timeout", {}))
            sni_hostname = request.extensions.get("sni_hostname")
            extensions = {"http_version": b"HTTP/1.1"}
            if request.extensions.get(WHOLE_BODY, False):
                response, body = await self.exchange(*arguments, sni_hostname=sni_hostname)
                if response.reason:
                    extensions["reason_phrase"] = response.reason.encode()
                answer = httpx.Response(
                    response.status,
                    headers=response.raw_headers,
                    stream=httpx.ByteStream(body),
                    request=request,
                    extensions=extensions,
                )
                answer.read()  # decoded as `aread` would, without awaiting chunks that are already here
                return answer
            try:
                response = await self._start(*arguments, sni_hostname=sni_hostname)
            except Exception as error:
                raise (mapped(error) or error) from None
            if response.reason:
                extensions["reason_phrase"] = response.reason.encode()
            return httpx.Response(
                response.status,
                headers=response.raw_headers,
                stream=_Stream(response),
                request=request,
                extensions=extensions,
            )

        async def exchange(
            self,
            method: str,
            url: str,
            headers: list[tuple[str, str]],
            data: bytes | httpx.AsyncByteStream | None,
            timeout: dict[str, float | None],
            *,
            sni_hostname: str | None = None,
        ) -> tuple[aiohttp.ClientResponse, bytes]:
            """Send a request and read its whole answer: aiohttp's response (released) and its undecoded body.

            Fails with the httpx error httpx's own transport raises for the same failure; the SDK's runner calls it
            without building any httpx object when it will read the answer whole (megaapi.direct).
            """
            try:
                response = await self._start(method, url, headers, data, timeout, sni_hostname=sni_hostname)
                try:
                    return response, await response.read()
                finally:
                    await response.__aexit__(None, None, None)
            except Exception as error:
                raise (mapped(error) or error) from None

        async def _start(
            self,
            method: str,
            url: str,
            headers: list[tuple[str, str]],
            data: bytes | httpx.AsyncByteStream | None,
            timeout: dict[str, float | None],
            *,
            sni_hostname: str | None,
        ) -> aiohttp.ClientResponse:
            if not isinstance(self.client, aiohttp.ClientSession):
                self.client = self.get_client()
            proxy = self.proxy
            return await self.client.request(
                method=method,
                url=url,
                headers=headers,
                data=data,
                allow_redirects=False,
                auto_decompress=False,
                compress=False,
                timeout=_client_timeout(timeout.get("connect"), timeout.get("read"), timeout.get("pool")),
                server_hostname=sni_hostname,
                proxy=str(proxy.url) if proxy else None,
                proxy_auth=aiohttp.BasicAuth(*proxy.auth) if proxy and proxy.auth else None,
                proxy_headers=proxy.headers if proxy else None,
            ).__aenter__()

    return _Transport
