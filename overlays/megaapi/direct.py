"""Requests for the httpx client the SDK made itself, handed straight to its transport.

`Client.send` runs an auth step, a redirect loop, a cookie jar and event hooks around every request, and building
the request merges the client's URL, headers and cookies again; with many calls in flight on aiohttp that layer costs
more than aiohttp itself (BENCHMARKS.md). The client the SDK makes when no `http_client` is given uses none of it:
the token is a header, redirects are off, there are no hooks, and Mega-api sets no cookies. So for that client the
runner builds the request httpx would build (the same method, URL, headers in the same order, body and timeout) and
gives it to the transport httpx would pick, proxies from the environment included. A user's `http_client` may use
any of those steps (auth, hooks, mounts, cookies, redirects) and keeps going through `send`.

On the aiohttp transport (`megaapi.transports`), the async runner goes one step further for a reply it reads whole:
it sends the same headers and body through the transport's `exchange` without building an `httpx.Request` or
`httpx.Response`, and a successful JSON reply is parsed from the bytes (`Answer`). Building those two objects and
reading the body through httpx's decoders cost as much as the rest of the SDK with many calls in flight. Anything
else (an error status, another content type or encoding) becomes the `httpx.Response` the transport would return.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

import httpx

_MAX_HEADER_SETS = 64
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})  # httpx sends `Content-Length: 0` with these when bodiless
_httpx_logger = logging.getLogger("httpx")
# A request extension: the caller reads the whole body before doing anything else with the response, so a transport
# may read it before returning (megaapi.transports' aiohttp transport does). Other transports ignore it.
WHOLE_BODY = "megaapi.whole_body"


class DirectRequests:
    """Builds, from the runner's request arguments, the `httpx.Request` that `client.build_request` would build."""

    __slots__ = ("_client_headers", "_extensions", "_extensions_whole", "_headers", "_pairs")

    def __init__(self, http: httpx.Client | httpx.AsyncClient, timeout: httpx.Timeout) -> None:
        self._client_headers = httpx.Headers(http.headers)  # Accept, Accept-Encoding, Connection, User-Agent
        self._extensions = {"timeout": timeout.as_dict()}
        self._extensions_whole = {**self._extensions, WHOLE_BODY: True}
        self._headers: dict[tuple[Any, ...], httpx.Headers] = {}
        self._pairs: dict[tuple[Any, ...], list[tuple[str, str]]] = {}

    def build(self, kwargs: dict[str, Any], *, whole: bool) -> httpx.Request:
        """`whole`: the body will be read whole before anything else is done with the response (not a download
        streamed to a file)."""
        extensions = self._extensions_whole if whole else self._extensions
        method: str = kwargs["method"].upper()
        url: httpx.URL = kwargs["url"]
        if kwargs["params"] is not None:
            url = httpx.URL(url, params=kwargs["params"])
        content = kwargs.get("content")
        if content is not None and not isinstance(content, bytes):  # an upload read as it is sent
            headers = self._merged(None, kwargs["headers"])
            return httpx.Request(method, url, headers=headers, content=content, extensions=extensions)
        # What httpx's Request adds for a body in memory: Host first, then `Content-Length: 0` for an empty body that
        # needs one, or the body's Content-Length last. Given as a stream, the body is taken as it is, without httpx
        # deriving those headers from it again.
        headers = self._merged(url.netloc, kwargs["headers"], empty=not content and method in _BODY_METHODS)
        request = httpx.Request(
            method, url, headers=headers, stream=httpx.ByteStream(content or b""), extensions=extensions
        )
        if content:
            request.headers["Content-Length"] = str(len(content))
        request.read()
        return request

    def header_pairs(self, url: httpx.URL, kwargs: dict[str, Any]) -> list[tuple[str, str]]:
        """The headers `build` gives a request with a body in memory (or none), as names and values in order, but
        for the body's Content-Length, which aiohttp adds in the same place."""
        empty = not kwargs.get("content") and kwargs["method"].upper() in _BODY_METHODS
        key = (url.netloc, empty, *kwargs["headers"].items())
        pairs = self._pairs.get(key)
        if pairs is None:
            merged = self._merged(url.netloc, kwargs["headers"], empty=empty)
            encoding = merged.encoding
            pairs = self._pairs[key] = [(name.decode(encoding), value.decode(encoding)) for name, value in merged.raw]
        return pairs

    def _merged(self, host: bytes | None, headers: dict[str, str], *, empty: bool = False) -> httpx.Headers:
        """The client's headers updated with the call's, as httpx merges them, after the ones httpx puts first;
        computed once per host and set of headers (each request copies them)."""
        key = (host, empty, *headers.items())
        merged = self._headers.get(key)
        if merged is None:
            if len(self._headers) >= _MAX_HEADER_SETS:  # uploads carry their length: keep the caches bounded
                self._headers.clear()
                self._pairs.clear()
            combined = httpx.Headers(self._client_headers)
            combined.update(headers)
            first = ([(b"Host", host)] if host else []) + ([(b"Content-Length", b"0")] if empty else [])
            merged = self._headers[key] = httpx.Headers(first + combined.raw)
        return merged


class Answer:
    """A successful JSON reply read whole by `exchange`: what the runner parses, and the `httpx.Response` it stands
    for, built only when something needs it (an error raised about the reply keeps it)."""

    __slots__ = ("_response", "content", "headers", "status_code")

    def __init__(
        self, status_code: int, headers: Mapping[str, str], content: bytes, response: Callable[[], httpx.Response]
    ) -> None:
        self.status_code = status_code
        self.headers = headers  # aiohttp's: names are case-insensitive, as in httpx's
        self.content = content
        self._response = response

    def json(self) -> Any:
        return json.loads(self.content)  # as httpx.Response.json does

    def response(self) -> httpx.Response:
        return self._response()


def httpx_response(response: httpx.Response | Answer) -> httpx.Response:
    return response.response() if isinstance(response, Answer) else response


def log_response(request: httpx.Request, response: httpx.Response) -> None:
    """The line httpx's client logs for each response, so logging shows the same on either path."""
    log_exchange(request.method, request.url, response.http_version, response.status_code, response.reason_phrase)


def log_exchange(method: str, url: httpx.URL, http_version: str, status: int, reason: str) -> None:
    if _httpx_logger.isEnabledFor(logging.INFO):
        _httpx_logger.info('HTTP Request: %s %s "%s %d %s"', method, url, http_version, status, reason)
