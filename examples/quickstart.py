"""Quickstart: the everyday tasks of a WhatsApp integration with the megaapi SDK.

It checks the instance, links a phone if none is linked, sends a text, a file, a location, a list and a contact card,
creates a group, and receives an incoming message and the delivery receipts at a small local webhook receiver.

`nox -s demo` runs it against the local emulator. Against your own instance, set MEGAAPI_INSTANCE_KEY, MEGAAPI_TOKEN
and MEGAAPI_HOST, MEGAAPI_DEMO_TO (a number that may receive the test messages) and MEGAAPI_DEMO_WEBHOOK_URL (a
public URL that forwards to port MEGAAPI_DEMO_PORT here), because Mega-api cannot reach 127.0.0.1.
"""

from __future__ import annotations

import os
import queue
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from megaapi import MegaApi
from megaapi.webhooks import ConversationEvent, Event, ExtendedTextEvent, MessageAckEvent, WebhookApp

TO = os.environ.get("MEGAAPI_DEMO_TO", "5511988887777")
FRIENDS = ["5511977776666", "5511966665555"]
# The smallest valid PNG: one transparent pixel.
PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f9d0000000049454e44ae426082"
)


def say(step: str, detail: object = "") -> None:
    print(f"• {step}" + (f": {detail}" if detail != "" else ""), flush=True)


@contextmanager
def webhook_receiver(app: WebhookApp, port: int) -> Iterator[int]:
    """Serve the webhook app on 127.0.0.1 in a background thread; yields the port it listens on."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise SystemExit(f"The webhook receiver could not listen on port {port}")
        time.sleep(0.01)
    try:
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        thread.join()


def link_phone(api: MegaApi) -> None:
    status = api.instance.get_instance_status()
    if status.user is not None:
        say("Instance connected as", status.user.id)
        return
    code = api.instance.get_pairing_code(os.environ.get("MEGAAPI_DEMO_PHONE", "5511912345678")).code
    say("No phone linked yet. On the phone: WhatsApp > Linked devices > Link with phone number", code)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = api.instance.get_instance_status()
        if status.user is not None:
            say("Phone linked", status.user.id)
            return
        time.sleep(1)
    raise SystemExit("The phone was not linked within two minutes")


def main() -> None:
    secret = secrets.token_urlsafe(24)
    inbox: queue.Queue[ConversationEvent | ExtendedTextEvent] = queue.Queue()
    receipts: queue.Queue[MessageAckEvent] = queue.Queue()
    app = WebhookApp(token=secret)

    @app.on_any
    def collect(event: Event) -> None:
        if isinstance(event, ConversationEvent | ExtendedTextEvent) and not event.from_me:
            inbox.put(event)
        elif isinstance(event, MessageAckEvent):
            receipts.put(event)

    with MegaApi() as api, webhook_receiver(app, int(os.environ.get("MEGAAPI_DEMO_PORT", "0"))) as port:
        link_phone(api)

        url = os.environ.get("MEGAAPI_DEMO_WEBHOOK_URL", f"http://127.0.0.1:{port}/megaapi")
        api.webhook.configure_webhook(f"{url}?token={secret}")
        say("Webhook configured", url)

        if not api.instance.check_number(TO).on_whatsapp:
            raise SystemExit(f"{TO} has no WhatsApp account")
        api.chats.update_presence(TO, "composing")
        hello = api.messages.send_text(TO, "Olá! 👋 Esta é uma mensagem do quickstart do megaapi.")
        hello_id = hello.message_id
        say("Text sent", hello_id)

        api.messages.send_media(TO, PIXEL_PNG, caption="Um pixel, com carinho", file_name="pixel.png")
        say("Image sent")
        api.messages.send_location(TO, -23.5614, -46.6559, name="MASP", address="Av. Paulista, 1578 - São Paulo")
        say("Location sent")
        api.messages.send_list(
            TO,
            "Como prefere pagar?",
            "Escolher",
            [
                {
                    "title": "Formas de pagamento",
                    "rows": [{"title": "PIX", "rowId": "pix"}, {"title": "Cartão", "rowId": "card"}],
                }
            ],
        )
        say("List sent")
        api.messages.send_contact(TO, "Suporte Loja", "+55 11 4000-1234", organization="Loja Exemplo")
        say("Contact card sent")

        group = api.groups.create_group("Clientes VIP (quickstart)", [TO]).group_id  # str, or MissingReplyFieldError
        say("Group created", group)
        added = api.groups.add_participants(group, FRIENDS)
        say("Participants added", ", ".join(f"{result.jid} ({result.status})" for result in added.results))

        say("Waiting for a customer to write to the linked number...")
        incoming = inbox.get(timeout=60)
        say(f"Message from {incoming.sender_name or incoming.sender_jid}", incoming.text)
        api.chats.mark_message_read(incoming.key)
        reply = api.messages.reply_to_message(
            incoming.key.remote_jid, "Recebido, obrigado!", incoming.key, incoming.message
        )
        say("Replied", reply.message_id)

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                receipt = receipts.get(timeout=max(deadline - time.monotonic(), 0.1))
            except queue.Empty:
                say("No read receipt yet; the contact may not have opened the chat")
                break
            if receipt.message_id == hello_id and receipt.ack is not None:
                say("Receipt for the first text", receipt.ack.name.lower())
                if receipt.is_read:
                    break
    say("Done")


if __name__ == "__main__":
    main()
