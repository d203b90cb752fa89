"""A strict stand-in for the network: `Wire` answers only the replies a test queued and records every request.

Any request nobody queued, or one addressed to a host other than the expected one, fails the test: the handler
raises `UnexpectedRequest` (not an httpx error, so the SDK cannot swallow or retry it) and the `wire` fixture fails
at teardown too, in case a caller caught it.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from typing import Any

import httpx

KEY = "megastart-UnitKey7Zq"
TOKEN = "unit-token-R4nd0mQ"
ADMIN_TOKEN = "unit-admin-token-X9w"
HOST = "apistart01"
HOSTNAME = "apistart01.megaapi.com.br"
BASE_URL = f"https://{HOSTNAME}"

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class UnexpectedRequest(AssertionError):
    """A request the test did not ask for reached the transport."""


class Wire:
    """An `httpx.MockTransport` that plays queued replies in order and records what the client sent."""

    def __init__(self, host: str = HOSTNAME) -> None:
        self.host = host
        self.requests: list[httpx.Request] = []
        self.problems: list[str] = []
        self._replies: deque[Reply] = deque()
        self.transport = httpx.MockTransport(self._handle)

    def reply(
        self,
        status: int = 200,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Queue `times` identical responses: a JSON body, or raw `content` when given."""
        for _ in range(times):
            if content is not None:
                self._replies.append(httpx.Response(status, content=content, headers=headers))
            else:
                self._replies.append(httpx.Response(status, json=json_body, headers=headers))

    def fail(self, error: Exception, *, times: int = 1) -> None:
        """Queue `times` transport failures: the handler raises `error` instead of answering."""
        self._replies.extend([error] * times)

    def answer(self, responder: Callable[[httpx.Request], httpx.Response]) -> None:
        """Queue a reply computed from the request."""
        self._replies.append(responder)

    @property
    def pending(self) -> int:
        return len(self._replies)

    def only(self) -> httpx.Request:
        """The one request sent; fails if there was not exactly one."""
        assert len(self.requests) == 1, f"expected exactly one request, got {len(self.requests)}"
        return self.requests[0]

    def body(self, index: int = -1) -> Any:
        request = self.requests[index]
        return json.loads(request.content) if request.content else None

    def _handle(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        if request.url.host != self.host:
            self.problems.append(f"request to another host: {request.url.host!r}")
            raise UnexpectedRequest(self.problems[-1])
        if not self._replies:
            self.problems.append(f"unexpected request: {request.method} {request.url.path}")
            raise UnexpectedRequest(self.problems[-1])
        reply = self._replies.popleft()
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, httpx.Response):
            return reply
        return reply(request)


def ok(**fields: Any) -> dict[str, Any]:
    """A minimal successful Mega-api envelope."""
    return {"error": False, "message": "success", **fields}


SENT = ok(
    message="Message sent successfully",
    messageData={"key": {"remoteJid": "5511999999999@s.whatsapp.net", "fromMe": True, "id": "3EB0C767D26A1D4B1F9E"}},
)
"""What a send answers."""
