"""Configuration: environment fallbacks, missing credentials, lifetimes of the http client, `with_options`."""

from __future__ import annotations

import httpx
import pytest
from unit_wire import ADMIN_TOKEN, HOST, KEY, TOKEN, Wire, ok

from megaapi import AsyncMegaApi, ConfigurationError, InternalServerError, MegaApi

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)


def _closed(http: httpx.Client | httpx.AsyncClient) -> bool:
    # A function, not the attribute: mypy would narrow the attribute after the first assert about it.
    return http.is_closed


def _on(wire: Wire, **settings: str) -> MegaApi:
    return MegaApi(http_client=httpx.Client(transport=wire.transport), **settings)  # type: ignore[arg-type]


def test_everything_can_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, wire: Wire) -> None:
    monkeypatch.setenv("MEGAAPI_INSTANCE_KEY", KEY)
    monkeypatch.setenv("MEGAAPI_TOKEN", TOKEN)
    monkeypatch.setenv("MEGAAPI_ADMIN_TOKEN", ADMIN_TOKEN)
    monkeypatch.setenv("MEGAAPI_HOST", HOST)
    wire.reply(json_body=ok(), times=2)
    with _on(wire) as api:
        api.instance.logout_instance()
        api.account.delete_instance("megabusiness-Ab12Cd34")
    first, second = wire.requests
    assert str(first.url) == f"https://apistart01.megaapi.com.br/rest/instance/{KEY}/logout"
    assert first.headers["authorization"] == f"Bearer {TOKEN}"
    assert second.headers["authorization"] == f"Bearer {ADMIN_TOKEN}"


def test_base_url_can_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEGAAPI_BASE_URL", "http://127.0.0.1:8000/")
    with MegaApi(instance_key=KEY, token=TOKEN) as api:
        assert api.base_url == "http://127.0.0.1:8000"


def test_host_and_base_url_both_in_the_environment_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEGAAPI_HOST", HOST)
    monkeypatch.setenv("MEGAAPI_BASE_URL", "https://proxy.example.com")
    with pytest.raises(ConfigurationError):
        MegaApi(instance_key=KEY, token=TOKEN)


def test_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch, wire: Wire) -> None:
    monkeypatch.setenv("MEGAAPI_INSTANCE_KEY", "env-key")
    monkeypatch.setenv("MEGAAPI_TOKEN", "env-token")
    monkeypatch.setenv("MEGAAPI_BASE_URL", "https://proxy.example.com")
    wire.reply(json_body=ok())
    with _on(wire, instance_key=KEY, token=TOKEN, host=HOST) as api:
        api.instance.logout_instance()
    request = wire.only()
    assert str(request.url) == f"https://apistart01.megaapi.com.br/rest/instance/{KEY}/logout"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"


def test_the_environment_is_read_when_the_client_is_made(monkeypatch: pytest.MonkeyPatch, wire: Wire) -> None:
    monkeypatch.setenv("MEGAAPI_TOKEN", TOKEN)
    wire.reply(json_body=ok())
    with _on(wire, instance_key=KEY, host=HOST) as api:
        monkeypatch.setenv("MEGAAPI_TOKEN", "changed-later")
        api.instance.logout_instance()
    assert wire.only().headers["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize(
    "settings",
    [
        {"token": TOKEN, "host": HOST},
        {"instance_key": KEY, "host": HOST},
        {"host": HOST},
        {"instance_key": KEY, "token": TOKEN},
    ],
    ids=["no key", "no token", "nothing", "no host"],
)
def test_missing_settings_are_a_configuration_error(settings: dict[str, str], wire: Wire) -> None:
    with pytest.raises(ConfigurationError):
        _on(wire, **settings)


@pytest.mark.parametrize("name", ["MEGAAPI_INSTANCE_KEY", "MEGAAPI_TOKEN", "MEGAAPI_HOST"])
def test_empty_environment_values_count_as_missing(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    settings = {"MEGAAPI_INSTANCE_KEY": KEY, "MEGAAPI_TOKEN": TOKEN, "MEGAAPI_HOST": HOST, name: ""}
    for variable, value in settings.items():
        monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError):
        MegaApi()


@pytest.mark.parametrize("token", ["with space", "tab\there", "line\nbreak", "tók", "", 12345])
def test_unusable_tokens_are_refused_without_being_echoed(token: object) -> None:
    with pytest.raises(ConfigurationError) as raised:
        MegaApi(instance_key=KEY, token=token, host=HOST)  # type: ignore[arg-type]
    if isinstance(token, str) and token:
        assert token not in str(raised.value)


@pytest.mark.parametrize("timeout", [0, -1, "30", True, float("nan")])
def test_bad_timeouts_are_refused(timeout: object) -> None:
    with pytest.raises(ConfigurationError):
        MegaApi(instance_key=KEY, token=TOKEN, host=HOST, timeout=timeout)  # type: ignore[arg-type]


@pytest.mark.parametrize("retries", [-1, True, 1.5, "2", None])
def test_bad_retry_counts_are_refused(retries: object) -> None:
    with pytest.raises(ConfigurationError):
        MegaApi(instance_key=KEY, token=TOKEN, host=HOST, max_retries=retries)  # type: ignore[arg-type]


def test_account_operations_need_the_admin_token(wire: Wire) -> None:
    with _on(wire, instance_key=KEY, token=TOKEN, host=HOST) as api:
        for call in (
            api.account.list_instances,
            lambda: api.account.create_instance("megabusiness-New1"),
            lambda: api.account.delete_instance("megabusiness-Old1"),
        ):
            with pytest.raises(ConfigurationError, match="admin token"):
                call()
    assert wire.requests == []


async def test_account_operations_need_the_admin_token_async(wire: Wire) -> None:
    http = httpx.AsyncClient(transport=wire.transport)
    async with AsyncMegaApi(instance_key=KEY, token=TOKEN, host=HOST, http_client=http) as api:
        with pytest.raises(ConfigurationError, match="admin token"):
            await api.account.list_instances()
    assert wire.requests == []


def test_an_admin_only_client_manages_instances_but_has_no_instance(wire: Wire) -> None:
    wire.reply(json_body=ok(data=[]))
    with _on(wire, admin_token=ADMIN_TOKEN, host=HOST) as api:
        api.account.list_instances()
        with pytest.raises(ConfigurationError, match="instance key"):
            api.instance.get_instance_status()
        with pytest.raises(ConfigurationError, match="instance key"):
            api.messages.send_text("5511999999999", "oi")
    request = wire.only()
    assert request.url.path == "/rest/instance/list"
    assert request.headers["authorization"] == f"Bearer {ADMIN_TOKEN}"


def test_context_manager_closes_the_client_it_made() -> None:
    with MegaApi(instance_key=KEY, token=TOKEN, host=HOST) as api:
        http = api._runner.http
        assert not _closed(http)
    assert _closed(http)
    api.close()  # closing twice is harmless


def test_context_manager_leaves_a_given_client_open(wire: Wire) -> None:
    with httpx.Client(transport=wire.transport) as http:
        with MegaApi(instance_key=KEY, token=TOKEN, host=HOST, http_client=http):
            pass
        assert not _closed(http)
        wire.reply(json_body=ok())
        http.get("https://apistart01.megaapi.com.br/still-usable")


async def test_async_context_manager_closes_the_client_it_made() -> None:
    async with AsyncMegaApi(instance_key=KEY, token=TOKEN, host=HOST) as api:
        http = api._runner.http
        assert not _closed(http)
    assert _closed(http)
    await api.aclose()


async def test_async_context_manager_leaves_a_given_client_open(wire: Wire) -> None:
    async with httpx.AsyncClient(transport=wire.transport) as http:
        async with AsyncMegaApi(instance_key=KEY, token=TOKEN, host=HOST, http_client=http):
            pass
        assert not _closed(http)


def test_with_options_changes_only_the_copy_and_shares_connections(api: MegaApi, wire: Wire) -> None:
    quick = api.with_options(timeout=3.0, max_retries=0)

    assert (quick.timeout, quick.max_retries) == (httpx.Timeout(3.0), 0)
    assert (api.timeout, api.max_retries) == (DEFAULT_TIMEOUT, 2)
    assert quick.base_url == api.base_url
    assert quick._runner.http is api._runner.http

    wire.reply(500, json_body={"error": True, "message": "boom"}, times=4)
    with pytest.raises(InternalServerError, match="boom"):
        quick.instance.get_instance_status()
    assert len(wire.requests) == 1
    assert wire.requests[0].extensions["timeout"] == httpx.Timeout(3.0).as_dict()
    with pytest.raises(InternalServerError, match="boom"):
        api.instance.get_instance_status()
    assert len(wire.requests) == 4
    assert wire.requests[-1].extensions["timeout"] == DEFAULT_TIMEOUT.as_dict()


def test_closing_a_copy_keeps_the_shared_connections_open() -> None:
    with MegaApi(instance_key=KEY, token=TOKEN, host=HOST) as api:
        with api.with_options(max_retries=5) as copy:
            assert copy.max_retries == 5
        assert not _closed(api._runner.http)
    assert _closed(api._runner.http)


def test_with_options_keeps_what_is_not_given(api: MegaApi) -> None:
    assert api.with_options(max_retries=7).timeout == DEFAULT_TIMEOUT
    assert api.with_options(timeout=None).timeout == httpx.Timeout(None)
    assert api.with_options(timeout=httpx.Timeout(1.0, connect=0.5)).max_retries == 2


@pytest.mark.parametrize(("timeout", "retries"), [(-1.0, 1), (1.0, -1)])
def test_with_options_checks_its_values(api: MegaApi, timeout: float, retries: int) -> None:
    with pytest.raises(ConfigurationError):
        api.with_options(timeout=timeout, max_retries=retries)


async def test_async_with_options_shares_connections(async_api: AsyncMegaApi, wire: Wire) -> None:
    quick = async_api.with_options(timeout=2.5, max_retries=0)
    assert quick._runner.http is async_api._runner.http
    assert async_api.max_retries == 2
    wire.reply(json_body=ok())
    await quick.instance.logout_instance()
    assert wire.only().extensions["timeout"] == httpx.Timeout(2.5).as_dict()
    await quick.aclose()
    assert not _closed(async_api._runner.http)
