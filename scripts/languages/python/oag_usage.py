"""A program against the Python client openapi-generator makes of openapi.yaml: it imports every API, builds a
client for one host, builds a text message and parses every webhook fixture into the class the spec names."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import megaapi_oag
from megaapi_oag.api import AccountApi, ChatsApi, GroupsApi, InstanceApi, MessagesApi, WebhookApi
from megaapi_oag.models import KnownWebhookEvent, SendTextRequest, TextMessage, WebhookEvent

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from events import expected_events

configuration = megaapi_oag.Configuration(
    server_variables={"host": "api4"}, access_token=os.environ.get("MEGAAPI_TOKEN")
)
assert configuration.host == "https://api4.megaapi.com.br", configuration.host
with megaapi_oag.ApiClient(configuration) as client:
    apis = [api(client) for api in (AccountApi, ChatsApi, GroupsApi, InstanceApi, MessagesApi, WebhookApi)]
    status = apis[3].get_instance_status  # a call needs a server: the usage stops at the bound method
    request = SendTextRequest(message_data=TextMessage(to="5511999999999@s.whatsapp.net", text="Olá"))
    assert request.to_dict() == {"messageData": {"to": "5511999999999@s.whatsapp.net", "text": "Olá"}}

wrong = []
for name, body, expected in expected_events():
    parsed = type(WebhookEvent.from_json(body).actual_instance).__name__
    if parsed != expected:
        wrong.append(f"{name}: WebhookEvent gave {parsed}, expected {expected}")
    if expected != "UnknownEvent":
        typed = type(KnownWebhookEvent.from_json(body).actual_instance).__name__
        if typed != expected:
            wrong.append(f"{name}: KnownWebhookEvent gave {typed}, expected {expected}")
if wrong:
    sys.exit("\n".join(wrong))
print(f"{len(expected_events())} webhook fixtures parsed to the right class")
