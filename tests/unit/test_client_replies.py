"""Reply conveniences: typed list items, required values without `Unset` or None, and which class comes back."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from unit_wire import SENT, Wire, ok

import megaapi_client.models as generated
from megaapi import MegaApi, MissingReplyFieldError
from megaapi import models as overlay

GROUP = {"id": "120363042378568057@g.us", "subject": "Equipe"}
INSTANCE = {"key": "megastart-ListedKey9", "status": "connected"}
CHAT = {"id": "5511999999999@s.whatsapp.net", "name": "Maria"}

LISTS: dict[str, tuple[Callable[[MegaApi], Any], dict[str, Any], Any]] = {
    "list_chats": (lambda api: api.instance.list_chats(), ok(data=[CHAT, "junk"]), [CHAT]),
    "list_contacts": (lambda api: api.instance.list_contacts(), ok(data=[CHAT]), [CHAT]),
    "list_messages": (
        lambda api: api.instance.list_messages(),
        ok(data=[{"key": {"id": "A"}}]),
        [{"key": {"id": "A"}}],
    ),
    "list_groups": (lambda api: api.groups.list_groups(), ok(groups=[GROUP]), [GROUP]),
    "list_admin_groups": (lambda api: api.groups.list_admin_groups(), ok(groups=[GROUP]), [GROUP]),
    "list_instances": (lambda api: api.account.list_instances(), ok(data=[INSTANCE]), [INSTANCE]),
    "list_instances_as_instances": (lambda api: api.account.list_instances(), ok(instances=[INSTANCE]), [INSTANCE]),
}


def _plain(item: object) -> object:
    to_dict = getattr(item, "to_dict", None)
    return to_dict() if callable(to_dict) else item


@pytest.mark.parametrize(("call", "reply", "items"), LISTS.values(), ids=LISTS.keys())
def test_every_list_reply_has_its_items(api: MegaApi, wire: Wire, call: Any, reply: Any, items: list[Any]) -> None:
    """Failed before: chats, contacts and messages were reachable only in additional_properties["data"]."""
    wire.reply(json_body=reply)
    assert [_plain(item) for item in call(api).items] == items


@pytest.mark.parametrize("call", [case[0] for case in LISTS.values()], ids=LISTS.keys())
def test_a_list_reply_without_items_has_an_empty_list(api: MegaApi, wire: Wire, call: Any) -> None:
    wire.reply(json_body=ok())
    assert call(api).items == []


def test_replies_are_the_overlay_classes_and_still_the_generated_ones(api: MegaApi, wire: Wire) -> None:
    wire.reply(json_body=ok(data=[CHAT]))
    reply = api.instance.list_chats()
    assert type(reply) is overlay.ChatListResponse
    assert isinstance(reply, generated.ChatListResponse)


def test_pairing_code_reads_without_unset(api: MegaApi, wire: Wire) -> None:
    """Failed before: only `pairing_code: str | Unset` existed."""
    wire.reply(json_body=ok(pairingCode="ABCD-1234"))
    wire.reply(json_body=ok())
    assert api.instance.get_pairing_code("5511999999999").code.upper() == "ABCD-1234"
    with pytest.raises(MissingReplyFieldError, match="pairingCode") as raised:
        _ = api.instance.get_pairing_code("5511999999999").code
    assert raised.value.safe_to_retry


def test_pairing_code_also_reads_the_code_field(api: MegaApi, wire: Wire) -> None:
    wire.reply(json_body=ok(code="WXYZ-9876"))
    assert api.instance.get_pairing_code("5511999999999").code == "WXYZ-9876"


def test_the_code_field_is_declared_and_kept_as_received(api: MegaApi, wire: Wire) -> None:
    """Failed before: `code` was not in the spec, so it arrived as an unknown field."""
    wire.reply(json_body=ok(code="WXYZ-9876"))
    wire.reply(json_body=ok(pairingCode="ABCD-1234"))
    by_code = api.instance.get_pairing_code("5511999999999")
    assert by_code.additional_properties == {}
    assert by_code.to_dict() == ok(code="WXYZ-9876")
    by_pairing_code = api.instance.get_pairing_code("5511999999999")
    assert by_pairing_code.code == "ABCD-1234"
    assert by_pairing_code.to_dict() == ok(pairingCode="ABCD-1234")
    assert "code=" not in repr(by_pairing_code).replace("pairing_code=", "")
    assert generated.PairingCodeResponse.from_dict({"code": "X"}).code == "X"


def test_a_reply_with_both_names_keeps_both_values(api: MegaApi, wire: Wire) -> None:
    wire.reply(json_body=ok(pairingCode="ABCD-1234", code="WXYZ-9876"))
    reply = api.instance.get_pairing_code("5511999999999")
    assert reply.code == "ABCD-1234"
    assert reply.to_dict() == ok(pairingCode="ABCD-1234", code="WXYZ-9876")


def test_message_id_and_group_id_are_strings_or_a_clear_error(api: MegaApi, wire: Wire) -> None:
    """Failed before: both were `str | None`, so passing them on did not type-check."""
    wire.reply(json_body=SENT)
    wire.reply(json_body=ok(data={"id": GROUP["id"]}))
    wire.reply(json_body=ok())
    assert api.messages.send_text("5511999999999", "oi").message_id == "3EB0C767D26A1D4B1F9E"
    assert api.groups.create_group("Equipe", ["5511988887777"]).group_id == GROUP["id"]
    created = api.groups.create_group("Equipe", ["5511988887777"])
    with pytest.raises(MissingReplyFieldError, match="the group was created, so do not repeat") as raised:
        _ = created.group_id
    assert raised.value.safe_to_retry is False


def test_download_media_of_an_event_without_a_file_is_bad_input(api: MegaApi, wire: Wire) -> None:
    with pytest.raises(ValueError, match="the event carries no file"):
        api.instance.download_media(None)
    assert wire.requests == []


_LAZY_PROBE = """
import json, sys
import megaapi.models as models
def loaded():
    return sorted(name for name in sys.modules if name.startswith(("megaapi.models.", "megaapi_client.models.")))
before = loaded()
models.SendMessageResponse
print(json.dumps([before, loaded()]))
"""


def test_a_reply_class_is_imported_on_first_use_with_only_the_models_it_needs() -> None:
    """The first send of a process imports its own reply class, not the twelve others and their generated models."""
    output = subprocess.run([sys.executable, "-c", _LAZY_PROBE], check=True, capture_output=True, text=True).stdout
    before, after = json.loads(output)
    assert before == []
    assert "megaapi.models.send_message_response" in after
    assert "megaapi_client.models.send_message_response" in after
    assert not [name for name in after if name.startswith("megaapi.models.") and "send_message" not in name]
    assert "megaapi_client.models.group_list_response" not in after


def test_every_reply_class_resolves_by_name_and_stands_for_its_generated_model() -> None:
    names = [name for name in dir(overlay) if name.endswith("Response")]
    assert len(names) == 13
    for name in names:
        cls = getattr(overlay, name)
        assert vars(overlay)[name] is cls  # kept: later uses skip the import
        assert overlay.reply_class(getattr(generated, name)) is cls
    assert overlay.reply_class(generated.GroupInfo) is generated.GroupInfo
    with pytest.raises(AttributeError, match="NoSuchResponse"):
        overlay.NoSuchResponse  # type: ignore[attr-defined]  # noqa: B018
