"""Fifty async clients, each bound to its own instance on one of several emulators standing for different hosts,
make a hundred mixed calls each, all at once: no call fails and nothing crosses from one instance to another.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TypeVar

import pytest

from megaapi import AsyncMegaApi
from megaapi.testing import Emulator, ServedEmulator, serve
from megaapi_client.types import Unset

T = TypeVar("T")

HOSTS = 4
CLIENTS = 50
CALLS = 100


@dataclass
class Client:
    """One client's instance, and what it did: every reply it got is checked against it."""

    index: int
    served: ServedEmulator
    key: str
    token: str
    phone: str
    peer: str
    calls: int = 0
    sent: dict[str, str] = field(default_factory=dict)
    """message id -> text"""
    groups: dict[str, str] = field(default_factory=dict)
    """group JID -> subject"""
    webhook: str = ""

    @property
    def jid(self) -> str:
        return f"{self.phone}@s.whatsapp.net"

    def connect(self) -> AsyncMegaApi:
        return AsyncMegaApi(instance_key=self.key, token=self.token, base_url=self.served.base_url)


def present(value: T | Unset) -> T:
    assert not isinstance(value, Unset)
    return value


@pytest.fixture
def hosts() -> Iterator[list[ServedEmulator]]:
    with ExitStack() as stack:
        yield [stack.enter_context(serve(stack.enter_context(Emulator(auto_ack=False)))) for _ in range(HOSTS)]


def clients_on(hosts: list[ServedEmulator]) -> list[Client]:
    clients = []
    for index in range(CLIENTS):
        served = hosts[index % HOSTS]
        # Phones and keys of their own, so that a reply naming another instance gives itself away.
        phone, peer = f"55110{index:08d}", f"55990{index:08d}"
        instance = served.emulator.add_instance(f"client-{index:02d}", phone=phone, push_name=f"Loja {index}")
        clients.append(Client(index, served, instance.key, instance.token, phone, peer))
    return clients


async def mixed_calls(client: Client) -> None:
    """CALLS calls cycling through sends, reads, webhook changes and group administration."""
    async with client.connect() as api:
        step = 0
        while client.calls < CALLS:
            kind = step % 10
            step += 1
            client.calls += 1
            if kind in (0, 5):
                text = f"c{client.index}-{step}"
                sent = await api.messages.send_text(client.peer, text)
                assert sent.message_id is not None
                assert sent.key is not None
                assert sent.key.remote_jid == f"{client.peer}@s.whatsapp.net"
                client.sent[sent.message_id] = text
            elif kind == 1:
                status = await api.instance.get_instance_status()
                assert status.user is not None
                assert status.user.id == client.jid
            elif kind == 2:
                client.webhook = f"https://hooks.example.com/{client.index}/{step}"
                configured = await api.webhook.configure_webhook(client.webhook, enabled=False)
                assert present(configured.webhook_data).webhook_url == client.webhook
            elif kind == 3:
                webhook = await api.webhook.get_webhook()
                assert present(webhook.webhook_data).webhook_url == client.webhook
            elif kind == 4:
                subject = f"Grupo {client.index}-{step}"
                created = await api.groups.create_group(subject, [client.peer])
                assert created.group_id is not None
                client.groups[created.group_id] = subject
            elif kind == 6:
                listed = present((await api.groups.list_groups()).groups)
                assert {group.id: group.subject for group in listed} == client.groups
            elif kind == 7:
                messages = (await api.instance.list_messages()).additional_properties["data"]
                assert {entry["key"]["id"] for entry in messages} == set(client.sent)
            elif kind == 8:
                group = next(iter(client.groups))
                info = await api.groups.get_group(group)
                assert info.subject == client.groups[group]
                members = {participant.id for participant in present(info.participants)}
                assert members == {client.jid, f"{client.peer}@s.whatsapp.net"}
            else:
                checked = await api.instance.check_number(client.peer)
                assert checked.on_whatsapp


async def test_concurrent_clients_on_several_hosts_never_see_each_other(hosts: list[ServedEmulator]) -> None:
    clients = clients_on(hosts)
    results = await asyncio.gather(*(mixed_calls(client) for client in clients), return_exceptions=True)
    errors = {client.key: repr(result) for client, result in zip(clients, results, strict=True) if result is not None}
    assert errors == {}

    # Each host received exactly the calls of its own clients.
    for served in hosts:
        mine = [client for client in clients if client.served is served]
        assert sum(served.emulator.calls.values()) == CALLS * len(mine)
        # `serve` gave each host an instance of its own, which no client uses.
        keys = {instance.key for instance in served.emulator.instances} - {served.instance_key}
        assert keys == {client.key for client in mine}
    # Each instance holds what its own client did, and nothing else.
    for client in clients:
        instance = client.served.emulator.instance(client.key)
        stored = Counter(
            (message.key["id"], message.message["extendedTextMessage"]["text"]) for message in instance.messages
        )
        assert stored == Counter(client.sent.items())
        assert {message.key["remoteJid"] for message in instance.messages} == {f"{client.peer}@s.whatsapp.net"}
        assert (instance.webhook_url, instance.webhook_enabled) == (client.webhook, False)
        async with client.connect() as api:
            listed = present((await api.groups.list_groups()).groups)
            assert {group.id: group.subject for group in listed} == client.groups
