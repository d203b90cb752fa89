"""Host safety: a named host is a DNS label under megaapi.com.br, a base URL is https (http on loopback only), and
no crafted host, base URL or instance key sends a request, with the token, anywhere else.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import quote

import httpx
import pytest
from unit_wire import ADMIN_TOKEN, TOKEN, Wire, ok

from megaapi import APIStatusError, AsyncMegaApi, ConfigurationError, InvalidInputError, MegaApi


def _client(
    wire: Wire, *, instance_key: str = "megastart-Key1", host: str | None = None, base_url: str | None = None
) -> MegaApi:
    http = httpx.Client(transport=wire.transport)
    return MegaApi(
        instance_key=instance_key, token=TOKEN, admin_token=ADMIN_TOKEN, host=host, base_url=base_url, http_client=http
    )


@pytest.mark.parametrize(
    "host",
    [
        "api2",
        "API2",
        "api2.megaapi.com.br",
        "Api2.MegaApi.Com.Br",
        "https://api2.megaapi.com.br",
        "https://api2.megaapi.com.br/",
        "HTTPS://API2.MEGAAPI.COM.BR",
        "  api2\n",
    ],
)
def test_host_forms_normalise_to_the_megaapi_hostname(host: str) -> None:
    wire = Wire(host="api2.megaapi.com.br")
    wire.reply(json_body=ok())
    with _client(wire, host=host) as api:
        assert api.base_url == "https://api2.megaapi.com.br"
        api.instance.logout_instance()
    assert str(wire.only().url) == "https://api2.megaapi.com.br/rest/instance/megastart-Key1/logout"


@pytest.mark.parametrize(
    ("base_url", "normalised"),
    [
        ("https://proxy.example.com", "https://proxy.example.com"),
        ("https://proxy.example.com/megaapi/", "https://proxy.example.com/megaapi"),
        ("https://Proxy.Example.com:8443/x", "https://proxy.example.com:8443/x"),
        ("https://10.0.0.5", "https://10.0.0.5"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://127.0.0.2", "http://127.0.0.2"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("http://localhost:8000/", "http://localhost:8000"),
        ("https://xn--bcher-kva.example", "https://xn--bcher-kva.example"),
    ],
)
def test_base_url_accepts_https_and_loopback_http(base_url: str, normalised: str) -> None:
    with MegaApi(instance_key="k", token=TOKEN, base_url=base_url) as api:
        assert api.base_url == normalised


def test_requests_go_below_the_base_url_path() -> None:
    wire = Wire(host="proxy.example.com")
    wire.reply(json_body=ok())
    with _client(wire, base_url="https://proxy.example.com/megaapi/") as api:
        api.instance.restart_instance()
    assert str(wire.only().url) == "https://proxy.example.com/megaapi/rest/instance/megastart-Key1/restart"


HOST_INJECTIONS = [
    "evil.example#",
    "x@evil",
    "api2.megaapi.com.br.evil",
    "api2.megaapi.com.br@evil.com",
    "https://evil.com/api2.megaapi.com.br",
    "https://evil.com#api2.megaapi.com.br",
    "https://evil.com?api2.megaapi.com.br",
    "https://api2.megaapi.com.br@evil.com",
    "https://user:pw@api2.megaapi.com.br",
    "https://api2.megaapi.com.br:8443",
    "https://api2.megaapi.com.br/evil",
    "http://api2.megaapi.com.br",
    "//evil.com",
    "evil.com",
    "megaapi.com.br",
    "api2.megaapi.com.br.",
    "api2/../evil",
    "api2%2eevil.com",
    "\u0430pi2",  # Cyrillic small a
    "\u0430pi2.megaapi.com.br",
    "https://\u0430pi2.megaapi.com.br",
    "\uff41pi2",  # fullwidth a
    "api2\r\nHost: evil.com",
    "api2\r\n.evil.com",
    "api 2",
    "api2\t.megaapi.com.br",
    "api2\x00.evil.com",
    "api2\\@evil.com",
    "-api2",
    "api2-",
    "a" * 64,
    "",
    "   ",
]


@pytest.mark.parametrize("host", HOST_INJECTIONS)
def test_crafted_hosts_are_refused_before_anything_is_sent(host: str) -> None:
    wire = Wire()
    with pytest.raises(ConfigurationError):
        _client(wire, host=host)
    assert wire.requests == []


@pytest.mark.parametrize("host", ["api\u212a"])  # KELVIN SIGN, which lower() turns into an ASCII "k"
def test_non_ascii_that_lowercases_to_ascii_is_refused(host: str) -> None:
    with pytest.raises(ConfigurationError):
        MegaApi(instance_key="k", token=TOKEN, host=host).close()


BASE_URL_INJECTIONS = [
    "http://api2.megaapi.com.br",
    "http://example.com",
    "http://localhost.evil.com",
    "http://127.0.0.1.nip.io",
    "http://0.0.0.0:8080",
    "http://10.0.0.5",
    "ftp://example.com",
    "javascript:alert(1)",
    "example.com",
    "//example.com",
    "https://",
    "https:///path",
    "https://user@evil.com",
    "https://api2.megaapi.com.br@evil.com",
    "https://evil.example#@api2.megaapi.com.br",
    "https://evil.example?@api2.megaapi.com.br",
    "https://example.com/path?query=1",
    "https://example.com/#fragment",
    "https://\u0430pi2.megaapi.com.br",
    "https://exa mple.com",
    "https://example.com\r\nX-Evil: 1",
    "https://example.com\\@evil.com",
    "https://example.com:99999",
    "https://example.com:port",
    "https://[::1",
]


@pytest.mark.parametrize("base_url", BASE_URL_INJECTIONS)
def test_unsafe_base_urls_are_refused_before_anything_is_sent(base_url: str) -> None:
    wire = Wire()
    with pytest.raises(ConfigurationError):
        _client(wire, base_url=base_url)
    assert wire.requests == []


def test_base_url_with_non_ascii_that_lowercases_to_ascii_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        MegaApi(instance_key="k", token=TOKEN, base_url="https://\u212a.example.com").close()


@pytest.mark.parametrize("value", [123, b"api2", ["api2"]])
@pytest.mark.parametrize("option", ["host", "base_url"])
def test_host_and_base_url_must_be_strings(option: str, value: object) -> None:
    with pytest.raises(ConfigurationError):
        MegaApi(instance_key="k", token=TOKEN, **{option: value})  # type: ignore[arg-type]


def test_host_and_base_url_together_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="not both"):
        MegaApi(instance_key="k", token=TOKEN, host="api2", base_url="https://api2.megaapi.com.br")


class _Redirecting(BaseHTTPRequestHandler):
    """Redirects every request to `/followed`, and answers that path with a success, counting the visits."""

    status = 302
    followed: ClassVar[list[str]] = []

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/followed"):
            type(self).followed.append(self.headers.get("Authorization", ""))
            self.send_response(200)
            payload = b'{"error": false, "message": "followed"}'
            self.send_header("Content-Type", "application/json")
        else:
            self.send_response(self.status)
            payload = b""
            self.send_header("Location", "/followed")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def redirecting() -> Iterator[type[_Redirecting]]:
    handler = type("Handler", (_Redirecting,), {"followed": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    handler.base_url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    yield handler
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_not_followed(redirecting: type[_Redirecting], status: int) -> None:
    # The SDK's own httpx client, not one the test passes in: its redirect setting is what is under test.
    redirecting.status = status
    base_url = redirecting.base_url  # type: ignore[attr-defined]
    with MegaApi(instance_key="k", token=TOKEN, base_url=base_url) as api, pytest.raises(APIStatusError) as raised:
        api.instance.get_instance_status()
    assert type(raised.value) is APIStatusError
    assert raised.value.status_code == status
    assert redirecting.followed == []


async def test_redirects_are_not_followed_async(redirecting: type[_Redirecting]) -> None:
    base_url = redirecting.base_url  # type: ignore[attr-defined]
    async with AsyncMegaApi(instance_key="k", token=TOKEN, base_url=base_url) as api:
        with pytest.raises(APIStatusError) as raised:
            await api.instance.get_instance_status()
    assert raised.value.status_code == 302
    assert redirecting.followed == []


@pytest.mark.parametrize("key", ["a/b", "../x", "..", ".", "x?y=1", "x#frag", "a\\b", "a%2Fb", "a b", "k\r\nX: 1"])
def test_instance_keys_that_could_leave_their_path_segment_are_refused(key: str) -> None:
    wire = Wire()
    with pytest.raises(ConfigurationError):
        _client(wire, host="apistart01", instance_key=key)
    assert wire.requests == []


@pytest.mark.parametrize("key", ["a/b", "../x", "..", "x?y=1", "x#frag", "a%2Fb"])
def test_managed_instance_keys_that_could_leave_their_path_segment_are_refused(key: str) -> None:
    wire = Wire()
    with _client(wire, host="apistart01") as api, pytest.raises(InvalidInputError):
        api.account.delete_instance(key)
    assert wire.requests == []


ODD_KEYS = [
    "a..b",
    "@evil.com",
    "k@evil.com:443",
    "k;x=1",
    "k&instance_key=other",
    "k=",
    "k+1",
    "~k",
    "(k)",
    "k,x",
    "k!*'$",
]


@pytest.mark.parametrize("key", ODD_KEYS)
def test_odd_instance_keys_stay_in_one_path_segment_on_the_right_host(key: str) -> None:
    wire = Wire()
    wire.reply(json_body=ok(), times=2)
    with _client(wire, host="apistart01", instance_key=key) as api:
        api.instance.logout_instance()
        api.account.delete_instance(key)
    segment = quote(key, safe="")
    paths = [request.url.raw_path.decode() for request in wire.requests]
    assert paths == [f"/rest/instance/{segment}/logout", f"/rest/instance/{segment}/delete"]
    assert {request.url.host for request in wire.requests} == {"apistart01.megaapi.com.br"}
    assert all(request.url.query == b"" for request in wire.requests)


@pytest.mark.parametrize("base_url", ["evil.com", "evil.com:8000", "localhost:8000", "//evil.com/rest"])
def test_a_base_url_without_a_scheme_is_blamed_on_the_scheme(base_url: str) -> None:
    """Failed before: `base_url has an invalid host None` (or a scheme named `evil.com`)."""
    with pytest.raises(ConfigurationError, match=r"must be a full URL starting with https://") as raised:
        MegaApi(instance_key="k", token=TOKEN, base_url=base_url)
    assert "None" not in str(raised.value)
