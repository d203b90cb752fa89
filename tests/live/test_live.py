"""Read-only checks against a real Mega-api instance: opt-in, never in CI.

    MEGAAPI_LIVE=1 MEGAAPI_INSTANCE_KEY=... MEGAAPI_TOKEN=... MEGAAPI_HOST=apistart01 pytest -m live tests/live

Nothing here sends a message or changes the instance; it checks that the description still parses what the real
service answers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from megaapi import MegaApi
from megaapi_client.types import Unset

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(os.environ.get("MEGAAPI_LIVE") != "1", reason="set MEGAAPI_LIVE=1 and real credentials"),
]


@pytest.fixture(scope="module")
def api() -> Iterator[MegaApi]:
    with MegaApi() as client:
        yield client


def test_status_parses_and_names_the_instance(api: MegaApi) -> None:
    status = api.instance.get_instance_status()
    assert not isinstance(status.instance, Unset)
    assert status.instance.key == os.environ["MEGAAPI_INSTANCE_KEY"]


def test_webhook_settings_parse(api: MegaApi) -> None:
    # A reply with `error: true` raises before any assertion; what can fail here is the shape of the settings.
    data = api.webhook.get_webhook().webhook_data
    assert not isinstance(data, Unset), "the reply has no webhookData"
    assert isinstance(data.webhook_enabled, bool)
    assert data.webhook_url is None or isinstance(data.webhook_url, str)
    if data.webhook_url:
        assert data.webhook_url.startswith(("https://", "http://"))


def test_groups_parse(api: MegaApi) -> None:
    for group in api.groups.list_groups().groups or []:
        assert str(group.id).endswith("@g.us")


def test_the_connected_number_is_on_whatsapp(api: MegaApi) -> None:
    user = api.instance.get_instance_status().user
    if user is None or not isinstance(user.id, str):
        pytest.skip("no phone is linked to this instance")
    assert api.instance.check_number(user.id).on_whatsapp
