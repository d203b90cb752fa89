"""Logging for the SDK, with the secrets taken out.

The instance key travels in every URL path and the token in a header, and httpx logs each request URL. Every client
registers its secrets here, and a filter on the `megaapi`, `httpx` and `httpcore` loggers rewrites any record that
contains one, replacing the secret with `***` before a handler sees it.

Set `MEGAAPI_LOG=debug` (or `info`) to print the SDK's own log lines to stderr; once the application configured the
root logger (`logging.basicConfig`), they go to its handlers instead, once each.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
from collections import Counter
from urllib.parse import quote

logger = logging.getLogger("megaapi")

MASK = "***"
# httpcore logs from these child loggers; a logger's filters do not apply to records of its children.
_FILTERED_LOGGERS = (
    "megaapi",
    "megaapi.webhooks",
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "aiohttp.client",  # AsyncMegaApi's transport with megaapi[aiohttp]
    "aiohttp.internal",
)


class SecretFilter(logging.Filter):
    """Masks every registered secret in a record's message; never drops a record."""

    def __init__(self) -> None:
        super().__init__("megaapi-secrets")
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._secrets: tuple[str, ...] = ()

    def add(self, *secrets: str) -> None:
        with self._lock:
            for secret in variants(secrets):
                self._counts[secret] += 1
            self._refresh()

    def discard(self, *secrets: str) -> None:
        with self._lock:
            for secret in variants(secrets):
                self._counts[secret] -= 1
            self._counts = +self._counts
            self._refresh()

    def _refresh(self) -> None:
        # Longest first, so a token that is a suffix of the instance key does not leave the key's prefix behind.
        self._secrets = tuple(sorted(self._counts, key=len, reverse=True))

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = self._secrets
        if not secrets:
            return True
        message = record.getMessage()
        if any(secret in message for secret in secrets):
            record.msg = mask(message, secrets)
            record.args = None
        return True


def variants(secrets: tuple[str, ...]) -> tuple[str, ...]:
    """Each secret as written and URL-quoted (as request lines show keys with reserved characters), longest first."""
    forms = {form for secret in secrets if secret for form in (secret, quote(secret, safe=""))}
    return tuple(sorted(forms, key=len, reverse=True))


class masking:
    """Registers secrets with the log filter for the duration of a block: keys of instances an account call manages."""

    __slots__ = ("_secrets",)

    def __init__(self, secrets: tuple[str, ...]) -> None:
        self._secrets = secrets

    def __enter__(self) -> None:
        if self._secrets:
            secret_filter.add(*self._secrets)

    def __exit__(self, *exc: object) -> None:
        if self._secrets:
            secret_filter.discard(*self._secrets)


def mask(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if len(secret) >= WHOLE_BELOW:
            text = text.replace(secret, MASK)
        elif secret in text:
            text = _whole(secret).sub(MASK, text)
    return text


# A secret this short (`token="t"` in a test) also occurs inside ordinary words: it is masked only where it stands
# whole, not next to a letter or a digit, so messages stay readable (`instance ***`, not `ins***ance`).
WHOLE_BELOW = 8


@functools.cache
def _whole(secret: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])")


secret_filter = SecretFilter()


class _StderrUnlessConfigured(logging.StreamHandler):  # type: ignore[type-arg]
    """Prints to stderr only while the root logger has no handler: once the application configured logging
    (`logging.basicConfig`), the record reaches the root's handlers and printing it here too would double it."""

    def emit(self, record: logging.LogRecord) -> None:
        if not logging.getLogger().handlers:
            super().emit(record)


def _install() -> None:
    for name in _FILTERED_LOGGERS:
        logging.getLogger(name).addFilter(secret_filter)
    level = os.environ.get("MEGAAPI_LOG", "").strip().upper()
    if level in ("DEBUG", "INFO", "WARNING", "ERROR"):
        handler = _StderrUnlessConfigured()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(level)


_install()
