"""Events the emulator delivers over HTTP arrive at WebhookApp as the typed events `parse` makes of them."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn

from megaapi import webhooks
from megaapi.testing import Emulator

TOKEN = "roundtrip-token-0123456789"


def repr_with_status(event: webhooks.Event) -> str:
    return f"{event!r} {getattr(event, 'ack_code', '')}"


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[webhooks.WebhookApp, str, list[webhooks.Event]]]:
    """A WebhookApp served by uvicorn on 127.0.0.1 in this event loop, with a handler collecting every event."""
    received: list[webhooks.Event] = []
    app = webhooks.WebhookApp(received.append, token=TOKEN)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False))
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield app, f"http://127.0.0.1:{listener.getsockname()[1]}/megaapi?token={TOKEN}", received
    finally:
        server.should_exit = True
        await serving
        listener.close()


async def test_emulator_delivered_events_parse_through_webhook_app(
    receiver: tuple[webhooks.WebhookApp, str, list[webhooks.Event]],
) -> None:
    _, url, received = receiver
    with Emulator(seed="roundtrip") as emulator:
        instance = emulator.add_instance()
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=emulator.app),
            base_url="http://emulator",
            headers={"Authorization": f"Bearer {instance.token}"},
        ) as api:
            configured = await api.post(
                f"/rest/webhook/{instance.key}/configWebhook",
                json={"messageData": {"webhookUrl": url, "webhookEnabled": True}},
            )
            assert configured.status_code == 200
            contact = "5511988887777"
            sent = [
                emulator.receive_text(contact, "Oi!"),
                emulator.receive_text(contact, "Veja https://example.com", extended=True),
                emulator.receive_media(contact, "image", b"\xff\xd8jpeg", caption="foto"),
                emulator.receive_media(contact, "audio", b"OggS", ptt=True, seconds=3),
                emulator.receive_media(contact, "document", b"%PDF", file_name="a.pdf"),
                emulator.receive_media(contact, "video", b"mp4"),
                emulator.receive_media(contact, "sticker", b"RIFF"),
                emulator.receive_location(contact, -15.77, -48.26, name="Brasília"),
                emulator.receive_contact(contact, "Maria", "5511977776666"),
                emulator.receive_list_reply(contact, "pizza-g", title="Pizza grande"),
                emulator.receive_button_reply(contact, "ok", "Confirmar"),
            ]
            reply = await api.post(
                f"/rest/sendMessage/{instance.key}/text",
                json={"messageData": {"to": contact, "text": "Recebido"}},
            )
            assert reply.status_code == 200
        await asyncio.to_thread(emulator.wait_for_deliveries)
        assert emulator.delivery_failures == []
        delivered = [record.event for record in emulator.deliveries]
    # WebhookApp answers before its handlers run, so the last handler may still be running.
    async with asyncio.timeout(10):
        while len(received) < len(delivered):
            await asyncio.sleep(0.01)

    assert delivered[: len(sent)] == sent
    # What WebhookApp handed to the handler is what parse makes of each delivered payload. Handlers run in worker
    # threads after each answer, so they may finish out of order: compare sorted.
    parsed = [webhooks.parse(event) for event in delivered]
    assert sorted(received, key=repr_with_status) == sorted(parsed, key=repr_with_status)
    assert [event.kind for event in parsed] == [
        "text",
        "text",
        "image",
        "audio",
        "document",
        "video",
        "sticker",
        "location",
        "contact",
        "interactive",
        "interactive",
        "ack",
        "ack",
        "ack",
    ]
    assert not any(isinstance(event, webhooks.UnknownEvent) for event in parsed)
    text, extended, image, audio = parsed[:4]
    assert (text.text, extended.text, image.text) == ("Oi!", "Veja https://example.com", "foto")
    assert text.sender_jid == f"{contact}@s.whatsapp.net"
    assert image.media is not None
    assert image.media.message_type == "image"
    assert isinstance(audio, webhooks.AudioEvent)
    assert audio.is_voice_note
    acks = [event for event in parsed if isinstance(event, webhooks.MessageAckEvent)]
    assert [(ack.is_sent, ack.is_delivered, ack.is_read) for ack in acks] == [
        (True, False, False),
        (True, True, False),
        (True, True, True),
    ]
    assert {ack.message_id for ack in acks} == {reply.json()["messageData"]["key"]["id"]}
