"""megaapi: the Python SDK for Mega-api, the WhatsApp REST service.

```python
from megaapi import MegaApi

with MegaApi(instance_key="...", token="...", host="apistart01") as api:
    api.messages.send_text("5511999999999", "Olá!")
```

Names are imported on first use, so `import megaapi` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "MegaApi": "client",
    "AsyncMegaApi": "client",
    "MegaApiError": "errors",
    "InvalidInputError": "errors",
    "ConfigurationError": "errors",
    "APIError": "errors",
    "APIConnectionError": "errors",
    "APITimeoutError": "errors",
    "APIResponseValidationError": "errors",
    "OperationFailedError": "errors",
    "APIStatusError": "errors",
    "BadRequestError": "errors",
    "AuthenticationError": "errors",
    "PermissionDeniedError": "errors",
    "NotOnWhatsAppError": "errors",
    "NotFoundError": "errors",
    "PayloadTooLargeError": "errors",
    "RateLimitError": "errors",
    "InternalServerError": "errors",
    "MissingReplyFieldError": "errors",
    "ReplyMismatchWarning": "replies",
}
__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncMegaApi",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "InternalServerError",
    "InvalidInputError",
    "MegaApi",
    "MegaApiError",
    "MissingReplyFieldError",
    "NotFoundError",
    "NotOnWhatsAppError",
    "OperationFailedError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "ReplyMismatchWarning",
    "__version__",
]

if TYPE_CHECKING:
    from .client import AsyncMegaApi, MegaApi
    from .errors import (
        APIConnectionError,
        APIError,
        APIResponseValidationError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConfigurationError,
        InternalServerError,
        InvalidInputError,
        MegaApiError,
        MissingReplyFieldError,
        NotFoundError,
        NotOnWhatsAppError,
        OperationFailedError,
        PayloadTooLargeError,
        PermissionDeniedError,
        RateLimitError,
    )
    from .replies import ReplyMismatchWarning


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'megaapi' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
