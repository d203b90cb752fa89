"""Queuing: idempotency keys, checked input, priorities, and what the worker makes of a clean run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from megaapi import AsyncMegaApi
from megaapi.errors import InvalidInputError
from megaapi.outbox import Message, Outbox, Pacing, Status
from megaapi.testing import ServedEmulator


def _sent_to(served: ServedEmulator) -> list[str]:
    return [m.key["remoteJid"] for m in served.instance.messages if m.key["fromMe"]]


async def test_the_same_key_queued_twice_is_sent_once(
    outbox_for: Callable[..., Outbox], served: ServedEmulator, api: AsyncMegaApi
) -> None:
    outbox = outbox_for(pacing=Pacing.off())
    first = outbox.queue("+55 11 98888-7777", "Olá!", key="welcome-1")
    again = outbox.queue("5511988887777", "Olá de novo!", key="welcome-1")
    assert again == first
    assert again.text == "Olá!"  # the stored item is unchanged
    await outbox.run(api, until_idle=True)
    await outbox.run(api, until_idle=True)  # a second run finds nothing to do
    outbox.queue("5511988887777", "Olá!", key="welcome-1")
    await outbox.run(api, until_idle=True)
    assert served.emulator.calls["sendText"] == 1
    item = outbox.item("welcome-1")
    assert item is not None
    assert item.status is Status.SENT
    assert item.message_id == served.instance.messages[-1].key["id"]
    assert item.jid == "5511988887777@s.whatsapp.net"


async def test_campaign_and_recipient_make_the_key(outbox_for: Callable[..., Outbox]) -> None:
    outbox = outbox_for(pacing=Pacing.off())
    items = outbox.queue_many(
        [
            Message("5511988887777", "a", campaign="black-friday"),
            Message("+55 11 98888-7777", "b", campaign="black-friday"),
        ]
    )
    assert [item.key for item in items] == ["black-friday:5511988887777"] * 2
    assert outbox.counts().total == 1


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ({"to": "5511988887777"}, "text, its media"),
        ({"to": "5511988887777", "text": "x"}, "idempotency key"),
        ({"to": "12", "text": "x", "key": "k"}, "not a phone number"),
        ({"to": "5511988887777", "text": "x", "key": "k", "media": "/no/such/file.jpg"}, "not a file"),
        ({"to": "5511988887777", "text": "x", "key": "k", "priority": "high"}, "priority"),
    ],
)
def test_bad_input_is_refused_before_anything_is_stored(
    tmp_path: Path, arguments: dict[str, object], problem: str
) -> None:
    with Outbox(f"sqlite:///{tmp_path / 's.db'}") as outbox:
        with pytest.raises(InvalidInputError, match=problem):
            outbox.queue(**arguments)  # type: ignore[arg-type]
        assert outbox.counts().total == 0


def test_one_bad_message_queues_none_of_the_batch(tmp_path: Path) -> None:
    with Outbox(f"sqlite:///{tmp_path / 's.db'}") as outbox:
        with pytest.raises(InvalidInputError):
            outbox.queue_many([Message("5511988887777", "ok", key="a"), Message("nope", "bad", key="b")])
        assert outbox.counts().total == 0


async def test_higher_priority_goes_first(
    outbox_for: Callable[..., Outbox], served: ServedEmulator, api: AsyncMegaApi
) -> None:
    outbox = outbox_for(pacing=Pacing.off())
    outbox.queue("5511900000001", "promo", key="promo-1")
    outbox.queue("5511900000002", "promo", key="promo-2")
    outbox.queue("5511900000003", "code 123456", key="otp", priority=10)
    await outbox.run(api, until_idle=True)
    assert _sent_to(served)[0] == "5511900000003@s.whatsapp.net"


async def test_groups_and_media_go_as_they_are(
    tmp_path: Path, outbox_for: Callable[..., Outbox], served: ServedEmulator, api: AsyncMegaApi
) -> None:
    group = served.emulator.add_group("Equipe", ["5511977776666"])
    picture = tmp_path / "promo.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    outbox = outbox_for(pacing=Pacing.off())
    outbox.queue(group.jid, "Bom dia, equipe", key="group-1")
    outbox.queue("5511977776666", "Veja a promoção", media=picture, key="media-1")
    await outbox.run(api, until_idle=True)
    assert {item.status for item in outbox.items()} == {Status.SENT}
    assert served.emulator.calls["checkNumber"] == 1  # the group's JID needs no check
    assert served.emulator.calls["sendMediaBase64"] == 1
