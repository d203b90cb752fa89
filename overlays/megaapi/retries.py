"""When a failed request may be sent again, and how long to wait first.

Reads (GET, PUT, DELETE and a few POSTs that change nothing twice) are retried after any transient failure:
a connection error or timeout, 408, 429 and 5xx. Sends and creations are retried only when the server provably did
not act on them: the connection was never established, or the server answered 429. A read timeout or a 502 after a
send may mean the message went out, and sending it again would deliver it twice.
"""

from __future__ import annotations

import random

import httpx

INITIAL_DELAY = 0.5
MAX_DELAY = 8.0
# A server asking for a longer pause than this gets an error instead of a silently blocked caller.
MAX_RETRY_AFTER = 60.0

_RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# Errors raised before a single byte of the request left: safe to retry for any call.
_NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Answers refusing the request before acting on it: malformed, unauthorised, not on WhatsApp, unknown instance, too
# large, timed out while still reading it, or rate-limited. Any other status (5xx above all) may follow an action.
_REFUSED_STATUSES = frozenset({400, 401, 403, 404, 405, 408, 413, 414, 415, 422, 429, 431})


def was_refused(status: int) -> bool:
    """Whether an error status proves the server did not act on the request."""
    return status in _REFUSED_STATUSES


def never_sent(error: httpx.TransportError) -> bool:
    """Whether a transport error proves the request never reached the server."""
    return isinstance(error, _NOT_SENT_ERRORS)


def status_is_retryable(status: int, *, idempotent: bool) -> bool:
    if idempotent:
        return status in _RETRYABLE_STATUSES
    return status == 429


def error_is_retryable(error: httpx.TransportError, *, idempotent: bool) -> bool:
    if never_sent(error):
        return True
    return idempotent and isinstance(error, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError)


def delay(attempt: int, retry_after: float | None) -> float | None:
    """Seconds to wait before retry number `attempt + 1`, or None when the server asks for too long a pause.

    Capped exponential backoff with jitter, so many clients failing together do not retry in lockstep; the server's
    `Retry-After` wins when it gives one.
    """
    if retry_after is not None:
        return retry_after if retry_after <= MAX_RETRY_AFTER else None
    backoff = min(INITIAL_DELAY * 2.0**attempt, MAX_DELAY)
    return backoff * (1 - 0.25 * random.random())  # noqa: S311 (jitter, not cryptography)
