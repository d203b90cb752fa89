"""The exceptions the SDK raises; every one of them derives from `MegaApiError`.

```
MegaApiError
├── InvalidInputError          bad argument, detected before any request (also a ValueError and a TypeError)
├── ConfigurationError         missing or unsafe credentials, host or base URL (also a ValueError)
├── MissingReplyFieldError     a successful reply without the value a convenience reads (`message_id`, ...)
└── APIError                   something went wrong talking to Mega-api
    ├── APIConnectionError     no usable HTTP response (DNS, refused, reset)
    │   └── APITimeoutError
    ├── APIResponseValidationError   a 2xx body that is not the JSON the spec describes
    ├── OperationFailedError   HTTP 2xx with `"error": true` in the body, a Mega-api quirk
    └── APIStatusError         HTTP 3xx/4xx/5xx; one subclass per common status
```

Messages name the operation with the instance key masked; they never carry the token or the instance key.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx


class MegaApiError(Exception):
    """Root of every error raised by megaapi.

    `safe_to_retry` says whether repeating the call cannot act twice: True when the request provably did not reach
    the server (it was refused, or never left) or the operation is safe to repeat; False when a message may have
    gone out or something may have been created.
    """

    safe_to_retry: bool = True  # errors raised before sending; APIError says it case by case


class InvalidInputError(MegaApiError, ValueError, TypeError):
    """An argument was rejected locally, before anything was sent."""


class ConfigurationError(MegaApiError, ValueError):
    """The client cannot be used as configured (credentials, host or base URL)."""


class MissingReplyFieldError(MegaApiError):
    """The call succeeded, but its reply lacks the value a convenience reads (`message_id`, `group_id`, `code`).

    The server did act: a send went out, a group exists. `safe_to_retry` is False for those; the reply's `raw` and
    `unmatched` show what the server sent instead.
    """

    def __init__(self, message: str, *, safe_to_retry: bool) -> None:
        super().__init__(message)
        self.safe_to_retry = safe_to_retry


class APIError(MegaApiError):
    """A request to Mega-api failed. `operation` is e.g. `POST /rest/sendMessage/***/text`."""

    def __init__(self, message: str, *, operation: str, safe_to_retry: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.operation = operation
        self.safe_to_retry = safe_to_retry


class APIConnectionError(APIError):
    """No HTTP response was received: the connection failed, was refused or dropped."""

    def __init__(self, *, operation: str, reason: str = "Connection error", safe_to_retry: bool = False) -> None:
        super().__init__(f"{reason} during {operation}", operation=operation, safe_to_retry=safe_to_retry)


class APITimeoutError(APIConnectionError):
    """The request timed out."""

    def __init__(self, *, operation: str, safe_to_retry: bool = False) -> None:
        super().__init__(operation=operation, reason="Request timed out", safe_to_retry=safe_to_retry)


class _ResponseError(APIError):
    """An HTTP response arrived; keeps its status, parsed body (when JSON) and raw text."""

    def __init__(
        self, message: str, *, operation: str, response: httpx.Response, body: object, safe_to_retry: bool = False
    ) -> None:
        super().__init__(message, operation=operation, safe_to_retry=safe_to_retry)
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self._text: str | None = None

    @property
    def text(self) -> str:
        """The body as text, with the client's secrets masked (a server may echo the Authorization header)."""
        if self._text is None:
            import httpx  # loaded already by the client

            try:
                return self.response.text
            except httpx.ResponseNotRead:  # a streamed download that failed part way
                return ""
        return self._text

    def hide(self, secrets: tuple[str, ...]) -> None:
        """Mask `secrets` in `body` and `text`; the client does it before raising."""
        from .logs import mask

        self.body = _masked(self.body, secrets)
        self._text = mask(self.text, secrets)


def _masked(value: object, secrets: tuple[str, ...]) -> object:
    from .logs import mask

    if isinstance(value, str):
        return mask(value, secrets)
    if isinstance(value, dict):
        return {_masked(key, secrets): _masked(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item, secrets) for item in value]
    return value


class APIResponseValidationError(_ResponseError):
    """A successful status with a body that is not valid JSON of the documented shape."""


class OperationFailedError(_ResponseError):
    """Mega-api answered with a success status but `"error": true` in the body."""


class APIStatusError(_ResponseError):
    """Mega-api answered with a non-success HTTP status."""


class BadRequestError(APIStatusError):
    """HTTP 400: the request is malformed or misses a required field."""


class AuthenticationError(APIStatusError):
    """HTTP 401: the token is missing or wrong."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403: the request was refused."""


class NotOnWhatsAppError(PermissionDeniedError):
    """HTTP 403 on an operation addressed to someone: the number has no WhatsApp account."""


class NotFoundError(APIStatusError):
    """HTTP 404: the instance key (or the addressed resource) is unknown on this host."""


class PayloadTooLargeError(APIStatusError):
    """HTTP 413: the body is too large (base64 media above about 16 MB)."""


class RateLimitError(APIStatusError):
    """HTTP 429: too many requests. `retry_after` is the server's hint in seconds, if any."""

    def __init__(
        self, message: str, *, operation: str, response: httpx.Response, body: object, safe_to_retry: bool = False
    ) -> None:
        super().__init__(message, operation=operation, response=response, body=body, safe_to_retry=safe_to_retry)
        self.retry_after = parse_retry_after(response.headers.get("retry-after"))


class InternalServerError(APIStatusError):
    """HTTP 5xx: the server or the edge in front of it failed; usually transient."""


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    413: PayloadTooLargeError,
    429: RateLimitError,
}


def status_error_class(status: int, *, addressed: bool) -> type[APIStatusError]:
    """The exception class for an HTTP error status; `addressed` marks operations sent to a recipient."""
    if status == 403 and addressed:
        return NotOnWhatsAppError
    if status >= 500:
        return InternalServerError
    return _STATUS_ERRORS.get(status, APIStatusError)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delay in seconds or an HTTP date); None if absent or invalid."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        import email.utils  # rare: kept out of the import of megaapi

        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        seconds = (when - datetime.now(UTC)).total_seconds()
    return max(seconds, 0.0) if math.isfinite(seconds) else None


def error_message(body: Any) -> str | None:
    """The server's own explanation from an error envelope, if the body has one."""
    if isinstance(body, dict):
        message = body.get("message")
        if isinstance(message, str) and message:
            return message
    return None
