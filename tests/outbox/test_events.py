"""`Outbox.handle_event`: what the outbox learns from webhook events (the inbox passes each one on)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from megaapi import AsyncMegaApi
from megaapi.outbox import Outbox, Pacing, Status
from megaapi.testing import ServedEmulator
from megaapi.webhooks import parse

FIXTURES = Path(__file__).parents[1] / "fixtures" / "webhooks"


def _fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def _echo(text: str, chat: str, message_id: str) -> dict[str, Any]:
    """The vendor's text example turned into the echo of a message the instance sent."""
    event = copy.deepcopy(_fixture("vendor_3_2_conversation.json"))
    event["key"] = {"remoteJid": chat, "fromMe": True, "id": message_id}
    event["message"]["conversation"] = text
    return event


def _unknown_item(outbox: Outbox, key: str, chat: str, text: str) -> None:
    """An item whose request went out without an answer, the way a killed worker leaves it."""
    item = outbox.queue(chat, text, key=key)
    outbox.settle_numbers({item.recipient: (True, chat)}, [item.recipient])  # what checkNumber would say
    claimed = outbox.claim(worker=7)
    assert claimed is not None
    assert outbox.start_sending(claimed, 7)
    outbox.recover()  # worker 7 is not alive: its `sending` item becomes unknown
    found = outbox.item(key)
    assert found is not None
    assert found.status is Status.UNKNOWN


def test_the_echo_of_an_unknown_send_reconciles_it(outbox_for: Callable[..., Outbox]) -> None:
    outbox = outbox_for()
    chat = "556195562618@s.whatsapp.net"
    _unknown_item(outbox, "k", chat, "Olá bom dia")
    assert outbox.handle_event(parse(_echo("Outra coisa", chat, "AAA"))) is None  # another text: not this one
    item = outbox.handle_event(parse(_echo("Olá bom dia", chat, "BBB")))
    assert item is not None
    assert (item.key, item.status, item.message_id) == ("k", Status.SENT, "BBB")
    assert outbox.handle_event(parse(_echo("Olá bom dia", chat, "BBB"))) is None  # the same event again


def test_acks_record_delivery_and_reading(outbox_for: Callable[..., Outbox]) -> None:
    outbox = outbox_for()
    ack = _fixture("handwritten_message_ack.json")  # status 3, delivered
    chat, message_id = ack["key"]["remoteJid"], ack["key"]["id"]
    _unknown_item(outbox, "k", chat, "Olá")
    item = outbox.handle_event(parse(ack))  # the one unknown item of that chat
    assert item is not None
    assert (item.status, item.message_id, item.delivered, item.read) == (Status.SENT, message_id, True, False)
    read = _fixture("handwritten_message_ack_string_status.json") | {"key": ack["key"]}
    read["update"] = {"status": "4"}
    item = outbox.handle_event(parse(read))
    assert item is not None
    assert (item.ack, item.read) == (4, True)
    older = outbox.handle_event(parse(ack))  # acks only move forward
    assert older is not None
    assert older.ack == 4


def test_an_ack_does_not_guess_between_two_unknown_items(outbox_for: Callable[..., Outbox]) -> None:
    outbox = outbox_for()
    ack = _fixture("handwritten_message_ack.json")
    chat = ack["key"]["remoteJid"]
    _unknown_item(outbox, "first", chat, "Olá")
    _unknown_item(outbox, "second", chat, "Tudo bem?")
    assert outbox.handle_event(parse(ack)) is None
    assert outbox.counts()[Status.UNKNOWN] == 2


@pytest.mark.parametrize("reply", ["SAIR", "  sair! ", "Stop", "PARAR."])
async def test_an_opt_out_reply_stops_further_sends(
    outbox_for: Callable[..., Outbox], served: ServedEmulator, api: AsyncMegaApi, reply: str
) -> None:
    outbox = outbox_for(pacing=Pacing.off())
    outbox.handle_event(parse(served.emulator.receive_text("5511988887777", reply)))
    outbox.handle_event(parse(served.emulator.receive_text("5511977776666", "quero sair do grupo amanhã")))
    assert outbox.is_opted_out("+55 11 98888-7777")
    assert not outbox.is_opted_out("5511977776666")  # only a reply that is the word itself
    outbox.queue("5511988887777", "Promoção!", campaign="promo")
    outbox.queue("5511977776666", "Promoção!", campaign="promo")
    await outbox.run(api, until_idle=True)
    assert outbox.item("promo:5511988887777").status is Status.OPTED_OUT  # type: ignore[union-attr]
    assert served.emulator.calls["sendText"] == 1


def test_opt_out_words_are_configurable(outbox_for: Callable[..., Outbox]) -> None:
    outbox = outbox_for(opt_out_words=["descadastre-me"])
    message = _fixture("vendor_3_2_conversation.json")
    message["message"]["conversation"] = "SAIR"
    outbox.handle_event(parse(message))
    assert not outbox.is_opted_out(message["key"]["remoteJid"])
    message["message"]["conversation"] = "Descadastre-me"
    outbox.handle_event(parse(message))
    assert outbox.is_opted_out(message["key"]["remoteJid"])
    outbox.opt_in(message["key"]["remoteJid"])
    assert not outbox.is_opted_out(message["key"]["remoteJid"])


def test_other_events_change_nothing(outbox_for: Callable[..., Outbox]) -> None:
    outbox = outbox_for()
    for name in ("handwritten_connection_update_state.json", "handwritten_reaction_unknown.json"):
        assert outbox.handle_event(parse(_fixture(name))) is None
