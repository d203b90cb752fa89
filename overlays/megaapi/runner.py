"""Sending a `Call`: credentials, retries, error mapping and parsing, shared by the sync and async clients.

Everything except the I/O lives in `Runner`; `SyncRunner.run` and `AsyncRunner.run` are the same short loop, one
blocking and one awaiting.
"""

from __future__ import annotations

import io
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from time import perf_counter
from typing import IO, TYPE_CHECKING, Any, TypeVar, cast

import httpx

from . import retries
from .direct import Answer, DirectRequests, httpx_response, log_exchange, log_response
from .errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APITimeoutError,
    ConfigurationError,
    InvalidInputError,
    OperationFailedError,
    _ResponseError,
    error_message,
    parse_retry_after,
    status_error_class,
)
from .logs import MASK, logger, mask, masking, variants

if TYPE_CHECKING:
    from .media import Base64Field
    from .operations import Call
    from .transports import Exchanging

T = TypeVar("T")
# What one attempt ends with: a response, a successful reply read without httpx objects (megaapi.direct), or a failure.
_Outcome = httpx.Response | Answer | httpx.TransportError
_MAX_URLS = 256
CLOSED = "This client is closed; create a new one (or keep using it inside its `with` block)"


class ClientConfig:
    """What a client needs to make requests; the secrets stay out of its repr."""

    __slots__ = (
        "admin_token",
        "base_url",
        "instance_key_",
        "masked",
        "max_retries",
        "timeout",
        "token",
        "user_agent",
    )

    def __init__(
        self,
        *,
        base_url: str,
        timeout: httpx.Timeout,
        max_retries: int,
        user_agent: str,
        instance_key_: str | None,
        token: str | None,
        admin_token: str | None,
    ) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.max_retries = max_retries
        self.user_agent = user_agent
        self.instance_key_ = instance_key_
        self.token = token
        self.admin_token = admin_token
        self.masked = variants(self.secrets)  # computed once: every request needs it

    def __repr__(self) -> str:
        return f"ClientConfig(base_url={self.base_url!r}, timeout={self.timeout!r}, max_retries={self.max_retries})"

    def with_options(self, *, timeout: httpx.Timeout | None = None, max_retries: int | None = None) -> ClientConfig:
        """A copy with another timeout and/or retry budget."""
        return ClientConfig(
            base_url=self.base_url,
            timeout=self.timeout if timeout is None else timeout,
            max_retries=self.max_retries if max_retries is None else max_retries,
            user_agent=self.user_agent,
            instance_key_=self.instance_key_,
            token=self.token,
            admin_token=self.admin_token,
        )

    @property
    def instance_key(self) -> str:
        if self.instance_key_ is None:
            raise ConfigurationError(
                "This operation needs an instance key: pass instance_key=... or set MEGAAPI_INSTANCE_KEY"
            )
        return self.instance_key_

    @property
    def secrets(self) -> tuple[str, ...]:
        found = (self.instance_key_, self.token, self.admin_token)
        return tuple(sorted((secret for secret in found if secret), key=len, reverse=True))

    def authorization(self, *, admin: bool) -> str:
        token = self.admin_token if admin else self.token
        if token is None:
            needed = "an admin token (admin_token=... or MEGAAPI_ADMIN_TOKEN)" if admin else "a token"
            raise ConfigurationError(f"This operation needs {needed}")
        return f"Bearer {token}"


class _Request:
    """httpx.request arguments, the operation as error messages name it, and the secrets to mask in them."""

    __slots__ = ("_method", "_path", "kwargs", "secrets")

    def __init__(self, kwargs: dict[str, Any], method: str, path: str, secrets: tuple[str, ...]) -> None:
        self.kwargs = kwargs
        self.secrets = secrets
        self._method = method
        self._path = path

    @property
    def operation(self) -> str:
        """`POST /rest/sendMessage/***/text`: built only for logs and errors, off the hot path."""
        # The generated code puts an instance key in one path segment, URL-quoted.
        segments = (MASK if segment in self.secrets else segment for segment in self._path.split("/"))
        return f"{self._method.upper()} {'/'.join(segments)}"

    def mask(self, text: str) -> str:
        return mask(text, self.secrets)


class Runner:
    """The I/O-free part of sending a call."""

    def __init__(self, config: ClientConfig) -> None:
        self.config = config
        # Called with the result of each successful send (a call addressed to a recipient), e.g. by the inbox's
        # history; `with_options` copies share the list. A hook must not raise: the message is already sent.
        self.after_send: list[Callable[[Any], None]] = []
        self._urls: dict[str, httpx.URL] = {}

    def _url(self, text: str) -> httpx.URL:
        """`text` parsed once: httpx parses a URL given as a string on every request, a tenth of an async call."""
        url = self._urls.get(text)
        if url is None:
            if len(self._urls) >= _MAX_URLS:  # paths that carry ids: keep the cache bounded
                self._urls.clear()
            url = self._urls[text] = httpx.URL(text)
        return url

    def _sent(self, call: Call[T], result: T) -> T:
        if call.recipient:
            for hook in self.after_send:
                hook(result)
        return result

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.config!r}>"

    def _prepare(self, call: Call[Any]) -> _Request:
        arguments = call.kwargs if call.admin else {"instance_key": self.config.instance_key, **call.kwargs}
        # Imported here: it imports the generated package, which `from megaapi import MegaApi` does not need yet.
        from .generated_api import request

        built = request(call.operation, arguments)
        headers = {
            "Authorization": self.config.authorization(admin=call.admin),
            "User-Agent": self.config.user_agent,
            **built.get("headers", {}),
        }
        kwargs = {
            "method": built["method"],
            "url": self._url(self.config.base_url + built["url"]),
            "params": built.get("params"),
            "headers": headers,
            "timeout": self.config.timeout,
        }
        if "json" in built:
            if call.upload is None:
                kwargs["content"] = _json_document(built["json"])
            else:
                from .media import Base64Upload

                upload = Base64Upload(*_json_around(built["json"], call.upload_at), call.upload)
                kwargs["content"] = upload
                headers["Content-Length"] = str(upload.length)
        secrets = self.config.masked if not call.secrets else variants(self.config.secrets + call.secrets)
        return _Request(kwargs, built["method"], built["url"], secrets)

    def _retry_delay(self, call: Call[Any], attempt: int, outcome: _Outcome) -> float | None:
        if attempt >= self.config.max_retries:
            return None
        if isinstance(outcome, httpx.TransportError):
            if not retries.error_is_retryable(outcome, idempotent=call.idempotent):
                return None
            return retries.delay(attempt, None)
        if not retries.status_is_retryable(outcome.status_code, idempotent=call.idempotent):
            return None
        return retries.delay(attempt, parse_retry_after(outcome.headers.get("retry-after")))

    def _log_attempt(self, request: _Request, attempt: int, outcome: _Outcome) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            result = type(outcome).__name__ if isinstance(outcome, httpx.TransportError) else outcome.status_code
            logger.debug("%s -> %s (attempt %d)", request.operation, result, attempt + 1)

    def _connection_error(self, request: _Request, error: httpx.RequestError) -> APIConnectionError:
        if isinstance(error, httpx.TimeoutException):
            return APITimeoutError(operation=request.operation, safe_to_retry=retries.never_sent(error))
        if isinstance(error, httpx.TransportError):
            return APIConnectionError(
                operation=request.operation,
                reason=f"Connection error ({type(error).__name__})",
                safe_to_retry=retries.never_sent(error),
            )
        # An undecodable body or a redirect loop (with a user's http_client that follows redirects).
        return APIConnectionError(operation=request.operation, reason=f"Unusable response ({type(error).__name__})")

    def _unusable_file(
        self, request: _Request, response: httpx.Response, error: ValueError
    ) -> APIResponseValidationError:
        return APIResponseValidationError(
            f"Unusable file data from {request.operation}: {error}",
            operation=request.operation,
            response=response,
            body=None,
        )

    def _result(self, call: Call[T], request: _Request, reply: httpx.Response | Answer) -> T:
        status = reply.status_code
        if not 200 <= status < 300:
            response = httpx_response(reply)
            body = _json_or_none(response)
            detail = error_message(body) or _snippet(response.text) or response.reason_phrase
            error_class = status_error_class(status, addressed=call.recipient)
            raise error_class(
                request.mask(f"HTTP {status} from {request.operation}: {detail}"),
                operation=request.operation,
                response=response,
                body=body,
                safe_to_retry=retries.was_refused(status),
            )
        if call.model is None and not reply.headers.get("content-type", "").startswith("application/json"):
            value: Any = reply.content
        else:
            try:
                body = reply.json()
            except ValueError:
                response = httpx_response(reply)
                if call.model is not None and not call.idempotent:
                    from . import replies

                    return replies.salvage(  # type: ignore[return-value]
                        call.model, request.mask(response.text), "the body is not JSON", operation=request.operation
                    )
                raise APIResponseValidationError(
                    request.mask(f"HTTP {status} from {request.operation} is not JSON: {_snippet(response.text)}"),
                    operation=request.operation,
                    response=response,
                    body=None,
                ) from None
            if isinstance(body, dict) and body.get("error") in (True, "true"):
                raise OperationFailedError(
                    request.mask(f"{request.operation} failed: {error_message(body) or 'error: true'}"),
                    operation=request.operation,
                    response=httpx_response(reply),
                    body=body,
                )
            value = self._parse(call, request, reply, body)
        if call.finish is None:
            return value  # type: ignore[no-any-return]
        try:
            return call.finish(value)
        except ValueError as error:
            raise APIResponseValidationError(
                f"Unusable answer from {request.operation}: {error}",
                operation=request.operation,
                response=httpx_response(reply),
                body=None,
            ) from None

    def _parse(self, call: Call[Any], request: _Request, reply: httpx.Response | Answer, body: Any) -> Any:
        if call.model is None:
            raise APIResponseValidationError(
                f"{request.operation} answered JSON where a file was expected",
                operation=request.operation,
                response=httpx_response(reply),
                body=body,
            )
        from . import replies  # with the generated models: kept out of the import of megaapi

        try:
            return replies.parse(call.model, body)
        except replies.Mismatch as mismatch:
            if not call.idempotent:  # the server acted: an error would invite a retry that acts twice
                return replies.salvage(call.model, body, str(mismatch), operation=request.operation)
            raise APIResponseValidationError(
                f"HTTP {reply.status_code} from {request.operation} does not match the spec: {mismatch}",
                operation=request.operation,
                response=httpx_response(reply),
                body=body,
            ) from None

    def _saved(self, request: _Request, response: httpx.Response, field: Base64Field, part: _Part) -> httpx.Response:
        """The streamed reply as a small response holding the JSON without the file's base64."""
        try:
            document = field.document()
        except ValueError as error:
            raise self._unusable_file(request, response, error) from None
        if field.found and not field.decoded:
            raise self._unusable_file(request, response, ValueError("the reply's file data is empty"))
        part.keep = field.found
        headers = {"content-type": response.headers.get("content-type", "application/json")}
        return httpx.Response(response.status_code, headers=headers, content=document, request=response.request)


class SyncRunner(Runner):
    def __init__(self, config: ClientConfig, http: httpx.Client, *, own: bool) -> None:
        super().__init__(config)
        self.http = http
        # `own`: the SDK made `http`, so requests go straight to its transport (see megaapi.direct).
        self.own = own
        self._direct = DirectRequests(http, config.timeout) if own else None

    def _send(self, call: Call[Any], request: _Request) -> httpx.Response:
        start = perf_counter()
        response = self._open(request, whole=call.save_to is None)
        try:
            if call.save_to is None or not response.is_success:
                response.read()
                return response
            return self._save(call.save_to, request, response)
        finally:
            response.close()
            if self._direct is not None:  # as httpx's client does when the response closes
                response.elapsed = timedelta(seconds=perf_counter() - start)

    def _open(self, request: _Request, *, whole: bool) -> httpx.Response:
        """The response, its body not read yet; `whole`: it will be read whole, not streamed to a file."""
        if self._direct is None:
            return self.http.send(self.http.build_request(**request.kwargs), stream=True)
        built = self._direct.build(request.kwargs, whole=whole)
        try:
            response = self.http._transport_for_url(built.url).handle_request(built)
        except httpx.RequestError as error:
            error.request = built  # as httpx's client does
            raise
        response.request = built
        log_response(built, response)
        return response

    def _save(self, path: Path | io.BytesIO, request: _Request, response: httpx.Response) -> httpx.Response:
        with _partial(path) as (sink, part):
            field = _base64_field(sink)
            try:
                for chunk in response.iter_bytes():
                    field.feed(chunk)
            except ValueError as error:
                raise self._unusable_file(request, response, error) from None
            return self._saved(request, response, field, part)

    def run(self, call: Call[T]) -> T:
        if self.http.is_closed:
            raise ConfigurationError(CLOSED)
        request = self._prepare(call)
        try:
            with masking(call.secrets):
                result = self._attempts(call, request)
        except APIError as error:
            _finish_error(call, request, error)
            raise
        return self._sent(call, result)

    def _attempts(self, call: Call[T], request: _Request) -> T:
        attempt = 0
        while True:
            outcome: _Outcome
            try:
                outcome = self._send(call, request)
            except httpx.TransportError as error:
                outcome = error
            except httpx.RequestError as error:
                raise self._connection_error(request, error) from None
            except OSError as error:  # reading the file being uploaded
                raise InvalidInputError(f"Could not read the file to upload: {error.strerror or error}") from None
            self._log_attempt(request, attempt, outcome)
            delay = self._retry_delay(call, attempt, outcome)
            if delay is None:
                if isinstance(outcome, httpx.TransportError):
                    raise self._connection_error(request, outcome) from None
                return self._result(call, request, outcome)
            time.sleep(delay)
            attempt += 1


class AsyncRunner(Runner):
    def __init__(self, config: ClientConfig, http: httpx.AsyncClient, *, own: bool) -> None:
        super().__init__(config)
        self.http = http
        self.own = own
        self._direct = DirectRequests(http, config.timeout) if own else None
        # The SDK's own client on aiohttp: replies read whole skip httpx's objects (megaapi.direct).
        from .transports import made_on_aiohttp  # with asyncio, which the sync client does not import

        self._on_aiohttp = own and made_on_aiohttp(http)
        self._timeout = config.timeout.as_dict()

    async def _send(self, call: Call[Any], request: _Request) -> httpx.Response | Answer:
        start = perf_counter()
        if self._on_aiohttp and call.save_to is None:
            content = request.kwargs.get("content")
            if content is None or isinstance(content, bytes):
                return await self._exchange(request, content, start)
        response = await self._open(request, whole=call.save_to is None)
        try:
            if call.save_to is None or not response.is_success:
                await response.aread()
                return response
            return await self._save(call.save_to, request, response)
        finally:
            await response.aclose()
            if self._direct is not None:
                response.elapsed = timedelta(seconds=perf_counter() - start)

    async def _open(self, request: _Request, *, whole: bool) -> httpx.Response:
        if self._direct is None:
            return await self.http.send(self.http.build_request(**request.kwargs), stream=True)
        built = self._direct.build(request.kwargs, whole=whole)
        try:
            response = await self.http._transport_for_url(built.url).handle_async_request(built)
        except httpx.RequestError as error:
            error.request = built
            raise
        response.request = built
        log_response(built, response)
        return response

    async def _exchange(self, request: _Request, content: bytes | None, start: float) -> httpx.Response | Answer:
        """The reply of a request with its body in memory, read whole by the aiohttp transport's `exchange`."""
        direct = self._direct
        assert direct is not None  # the SDK's own client always has it
        kwargs = request.kwargs
        url: httpx.URL = kwargs["url"]
        if kwargs["params"] is not None:
            url = httpx.URL(url, params=kwargs["params"])
        transport = cast("Exchanging", self.http._transport_for_url(url))
        method: str = kwargs["method"].upper()
        try:
            answer, body = await transport.exchange(
                method, str(url), direct.header_pairs(url, kwargs), content or None, self._timeout
            )
        except httpx.RequestError as error:
            error.request = direct.build(kwargs, whole=True)  # as httpx's client does
            raise
        status, headers = answer.status, answer.headers
        reason = answer.reason or httpx.codes.get_reason_phrase(status)
        log_exchange(method, url, "HTTP/1.1", status, reason)
        elapsed = timedelta(seconds=perf_counter() - start)

        def response() -> httpx.Response:
            """The `httpx.Response` the transport's `handle_async_request` would return, as httpx's client leaves it."""
            whole = httpx.Response(
                status,
                headers=answer.raw_headers,
                stream=httpx.ByteStream(body),
                request=direct.build(kwargs, whole=True),
                extensions={"http_version": b"HTTP/1.1", "reason_phrase": reason.encode()},
            )
            whole.read()  # decodes a Content-Encoding
            whole.elapsed = elapsed
            return whole

        json_type = headers.get("Content-Type", "").startswith("application/json")
        if 200 <= status < 300 and json_type and "Content-Encoding" not in headers:
            return Answer(status, headers, body, response)
        return response()

    async def _save(self, path: Path | io.BytesIO, request: _Request, response: httpx.Response) -> httpx.Response:
        with _partial(path) as (sink, part):
            field = _base64_field(sink)
            try:
                async for chunk in response.aiter_bytes():
                    field.feed(chunk)
            except ValueError as error:
                raise self._unusable_file(request, response, error) from None
            return self._saved(request, response, field, part)

    async def run(self, call: Call[T]) -> T:
        if self.http.is_closed:
            raise ConfigurationError(CLOSED)
        request = self._prepare(call)
        if call.upload is not None:
            request.kwargs["content"] = request.kwargs["content"].for_async()
        try:
            with masking(call.secrets):
                result = await self._attempts(call, request)
        except APIError as error:
            _finish_error(call, request, error)
            raise
        return self._sent(call, result)

    async def _attempts(self, call: Call[T], request: _Request) -> T:
        attempt = 0
        while True:
            outcome: _Outcome
            try:
                outcome = await self._send(call, request)
            except httpx.TransportError as error:
                outcome = error
            except httpx.RequestError as error:
                raise self._connection_error(request, error) from None
            except OSError as error:  # reading the file being uploaded
                raise InvalidInputError(f"Could not read the file to upload: {error.strerror or error}") from None
            self._log_attempt(request, attempt, outcome)
            delay = self._retry_delay(call, attempt, outcome)
            if delay is None:
                if isinstance(outcome, httpx.TransportError):
                    raise self._connection_error(request, outcome) from None
                return self._result(call, request, outcome)
            await _async_sleep(delay)
            attempt += 1


def _finish_error(call: Call[Any], request: _Request, error: APIError) -> None:
    """What every error of a call gets on its way out (plain code, not context managers: this runs per call)."""
    if isinstance(error, _ResponseError):  # a response error's body and text lose the secrets a server echoed
        error.hide(request.secrets)
    if call.idempotent:  # errors of an operation that is safe to repeat are safe to retry, whatever the server did
        error.safe_to_retry = True


class _Part:
    """A new file beside the target, renamed over it only if `keep` was set: no half or empty file is left."""

    def __init__(self) -> None:
        self.keep = False


@contextmanager
def _partial(path: Path | io.BytesIO) -> Iterator[tuple[IO[bytes], _Part]]:
    if isinstance(path, io.BytesIO):  # download_media: decoded into memory, from the start again on a retry
        path.seek(0)
        path.truncate()
        yield path, _Part()
        return
    # Created exclusively (O_EXCL, a random name, readable by the owner only) in the destination folder: a symlink
    # or file planted at a predictable name cannot redirect the write, and the rename stays on one file system.
    try:
        descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:64]}.", suffix=".part")
    except OSError as error:
        raise InvalidInputError(f"Cannot create a file in {path.parent}: {error.strerror or error}") from None
    partial, part = Path(name), _Part()
    try:
        with os.fdopen(descriptor, "wb") as sink:
            yield sink, part
        if part.keep:
            os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


# Made once: json.dumps with options builds a new encoder on every call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _json_document(body: Any) -> bytes:
    """The request body as UTF-8 JSON; values JSON or UTF-8 cannot carry are bad input, caught before sending."""
    try:
        document = _ENCODER.encode(body)
    except ValueError:
        raise InvalidInputError("The request contains a number that is not finite (nan or infinity)") from None
    except TypeError as error:
        raise InvalidInputError(f"The request contains a value JSON cannot carry: {error}") from None
    try:
        return document.encode()
    except UnicodeEncodeError:
        raise InvalidInputError("The request contains characters that are not valid Unicode text") from None


def _json_around(body: dict[str, Any], path: tuple[str, ...]) -> tuple[bytes, bytes]:
    """The body's JSON split where the string member at `path` goes: (up to its value, after its value).

    The member is left out and its parents are moved last in their objects, so the document ends with one closing
    brace per level and the member's value goes just before the innermost of them. Nothing in the body's own
    values can be mistaken for the place of the file.
    """

    def without(node: dict[str, Any], keys: tuple[str, ...]) -> tuple[dict[str, Any], bool]:
        rest = {key: value for key, value in node.items() if key != keys[0]}
        if len(keys) == 1:
            return rest, bool(rest)
        rest[keys[0]], has_members = without(node[keys[0]], keys[1:])
        return rest, has_members

    outside, has_members = without(body, path)
    document = _json_document(outside)
    split = len(document) - len(path)
    member = (b"," if has_members else b"") + json.dumps(path[-1]).encode() + b":"
    return document[:split] + member, document[split:]


def _base64_field(sink: IO[bytes]) -> Base64Field:
    from .media import Base64Field

    return Base64Field("data", sink)


async def _async_sleep(seconds: float) -> None:
    # asyncio is imported on the first retry only: it would double the import time of `megaapi`.
    import asyncio

    await asyncio.sleep(seconds)


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _snippet(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
