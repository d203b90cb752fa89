"""A WhatsApp bot in a dozen lines: it answers every text it receives.

    MEGAAPI_INSTANCE_KEY=... MEGAAPI_TOKEN=... MEGAAPI_HOST=apistart01 MEGAAPI_WEBHOOK_TOKEN=<random secret> \\
        uvicorn echo_bot:app --port 8080

Then point the instance's webhook at https://<your public address>/?token=<the same secret>.
"""

from megaapi import MegaApi
from megaapi.webhooks import ConversationEvent, Event, ExtendedTextEvent, WebhookApp

api = MegaApi()
app = WebhookApp()  # the secret comes from MEGAAPI_WEBHOOK_TOKEN


@app.on("text")
def echo(event: Event) -> None:
    if isinstance(event, ConversationEvent | ExtendedTextEvent) and not event.from_me and event.text:
        api.messages.send_text(event.key.remote_jid, f"Você disse: {event.text}")
