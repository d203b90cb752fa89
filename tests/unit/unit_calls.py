"""One realistic call per operation, with the query and JSON body it must put on the wire.

Methods written by hand have their case here; the plain methods derived from the spec are called with the spec's
own example request, so a new plain operation needs no case.

`call` takes a client (`MegaApi` or `AsyncMegaApi`) and returns what the method returns: a value or an awaitable.
Inputs are written the way people type them (`+55 (11) ...`, mappings with the wire's field names) so the expected
bodies also pin the normalisation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from unit_spec import PNG

from megaapi.generated_api import OPERATIONS
from megaapi.namespaces import derived
from megaapi.operations import Endpoint, Namespace
from megaapi.spec import Operation, operations, request_example

PHONE = "+55 (11) 99999-9999"
CONTACT = "5511999999999@s.whatsapp.net"
OTHER = "5521988887777@s.whatsapp.net"
GROUP = "120363042378568057@g.us"
KEY_OF_MESSAGE = {"remoteJid": CONTACT, "fromMe": False, "id": "3EB0C767D26A1D4B1F9E"}
CONTENT = {"conversation": "Olá, tudo bem?"}
MEDIA_KEYS = {
    "mediaKey": "hYhJzBNqomEcqJChup1tThacMeAZGnC1mrES+7hgnMg=",
    "directPath": "/v/t62.7118-24/56249636_n.enc?ccb=11-4&oh=01_AdR&oe=64D37060",
    "url": "https://mmg.whatsapp.net/v/t62.7118-24/56249636_n.enc?ccb=11-4&oh=01_AdR&oe=64D37060&mms3=true",
    "mimetype": "image/jpeg",
    "messageType": "image",
}
BUTTONS = [
    {"type": "replyButton", "title": "Quero saber mais"},
    {"type": "urlButton", "title": "Site", "payload": "https://loja.example.com"},
    {"type": "callButton", "title": "Ligar", "payload": "5511999999999"},
]
SECTIONS = [
    {
        "title": "Pagamento",
        "rows": [
            {"title": "PIX", "description": "Na hora", "rowId": "01"},
            {"title": "Boleto", "rowId": "02"},
        ],
    }
]
PNG_DATA_URL = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB"
MANAGED_KEY = "megabusiness-Ab12Cd34"


@dataclass(frozen=True)
class Case:
    call: Callable[[Any], Any]
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    instance_key: str | None = None
    """The instance key in the path when it is not the client's (account operations)."""


# The operations whose methods are written by hand; the plain ones, derived from the spec, follow below.
CASES: dict[str, Case] = {
    # instance
    "getQrCode": Case(lambda api: api.instance.get_qr_code()),
    "getPairingCode": Case(
        lambda api: api.instance.get_pairing_code(PHONE, custom_pairing_code="ABCD1234"),
        query={"phoneNumber": "5511999999999", "customPairingCode": "ABCD1234"},
    ),
    "checkNumber": Case(lambda api: api.instance.check_number(PHONE), query={"jid": CONTACT}),
    "downloadMediaMessage": Case(
        lambda api: api.instance.download_media_message(MEDIA_KEYS), body={"messageKeys": MEDIA_KEYS}
    ),
    "getProfilePicture": Case(
        lambda api: api.instance.get_profile_picture(GROUP, size="icon"), query={"to": GROUP, "type": "icon"}
    ),
    "setProfileName": Case(
        lambda api: api.instance.set_profile_name("Loja Exemplo"), body={"messageData": {"name": "Loja Exemplo"}}
    ),
    "setProfilePictureUrl": Case(
        lambda api: api.instance.set_profile_picture_url(GROUP, "https://cdn.example.com/logo.jpg"),
        body={"messageData": {"to": GROUP, "url": "https://cdn.example.com/logo.jpg"}},
    ),
    "listMessages": Case(lambda api: api.instance.list_messages("5511999999999"), query={"chat_id": CONTACT}),
    # webhook
    "configureWebhook": Case(
        lambda api: api.webhook.configure_webhook("https://bot.example.com/hook?token=s3cr3t"),
        body={"messageData": {"webhookUrl": "https://bot.example.com/hook?token=s3cr3t", "webhookEnabled": True}},
    ),
    # messages
    "sendMediaUrl": Case(
        lambda api: api.messages.send_media_url(
            PHONE,
            "https://cdn.example.com/catalogo.pdf",
            media_type="document",
            mime_type="application/pdf",
            file_name="catalogo.pdf",
            caption="Nosso catálogo",
        ),
        body={
            "messageData": {
                "to": CONTACT,
                "url": "https://cdn.example.com/catalogo.pdf",
                "type": "document",
                "mimeType": "application/pdf",
                "fileName": "catalogo.pdf",
                "caption": "Nosso catálogo",
            }
        },
    ),
    "sendMediaUrlToMany": Case(
        lambda api: api.messages.send_media_url_to_many(
            [PHONE, GROUP], "https://cdn.example.com/oferta.jpg", media_type="image", mime_type="image/jpeg"
        ),
        body={
            "messageData": {
                "to": [CONTACT, GROUP],
                "url": "https://cdn.example.com/oferta.jpg",
                "type": "image",
                "mimeType": "image/jpeg",
            }
        },
    ),
    "sendMediaBase64": Case(
        lambda api: api.messages.send_media_base_64(
            PHONE, PNG, media_type="image", mime_type="image/png", file_name="pixel.png", view_once=True
        ),
        body={
            "messageData": {
                "to": CONTACT,
                "base64": PNG_DATA_URL,
                "type": "image",
                "mimeType": "image/png",
                "fileName": "pixel.png",
                "viewOnce": True,
            }
        },
    ),
    "sendLocation": Case(
        lambda api: api.messages.send_location(
            PHONE, -23.5614, -46.6559, name="Loja Paulista", address="Av. Paulista, 1000"
        ),
        body={
            "messageData": {
                "to": CONTACT,
                "latitude": -23.5614,
                "longitude": -46.6559,
                "caption": "Loja Paulista",
                "address": "Av. Paulista, 1000",
            }
        },
    ),
    "sendList": Case(
        lambda api: api.messages.send_list(
            PHONE, "Como prefere pagar?", "Escolher", SECTIONS, title="Pagamento", footer_text="Loja Exemplo"
        ),
        body={
            "messageData": {
                "to": CONTACT,
                "text": "Como prefere pagar?",
                "buttonText": "Escolher",
                "sections": SECTIONS,
                "title": "Pagamento",
                "footerText": "Loja Exemplo",
            }
        },
    ),
    "sendContact": Case(
        lambda api: api.messages.send_contact(PHONE, "Maria Souza", "+55 21 98888-7777", organization="Loja"),
        body={
            "messageData": {
                "to": CONTACT,
                "vcard": {
                    "fullName": "Maria Souza",
                    "displayName": "Maria Souza",
                    "phoneNumber": "5521988887777",
                    "organization": "Loja",
                },
            }
        },
    ),
    "forwardMessage": Case(
        lambda api: api.messages.forward_message(GROUP, KEY_OF_MESSAGE, CONTENT),
        body={"messageData": {"to": GROUP, "key": KEY_OF_MESSAGE, "message": CONTENT}},
    ),
    "replyToMessage": Case(
        lambda api: api.messages.reply_to_message(PHONE, "Claro!", KEY_OF_MESSAGE, CONTENT),
        body={"messageData": {"to": CONTACT, "text": "Claro!", "key": KEY_OF_MESSAGE, "message": CONTENT}},
    ),
    "sendTemplate": Case(
        lambda api: api.messages.send_template(PHONE, "Fale conosco", BUTTONS, footer_text="Atendimento"),
        body={"messageData": {"to": CONTACT, "text": "Fale conosco", "buttons": BUTTONS, "footerText": "Atendimento"}},
    ),
    "sendTemplateWithMedia": Case(
        lambda api: api.messages.send_template_with_media(
            PHONE, "Oferta", BUTTONS[:1], "https://cdn.example.com/oferta.jpg", mime_type="image/jpeg"
        ),
        body={
            "messageData": {
                "to": CONTACT,
                "text": "Oferta",
                "buttons": BUTTONS[:1],
                "imageUrl": "https://cdn.example.com/oferta.jpg",
                "mimeType": "image/jpeg",
            }
        },
    ),
    "sendButtons": Case(
        lambda api: api.messages.send_buttons(PHONE, {"text": "Escolha", "buttons": [{"id": "1", "text": "Sim"}]}),
        body={"messageData": {"to": CONTACT, "text": "Escolha", "buttons": [{"id": "1", "text": "Sim"}]}},
    ),
    # chats
    "updatePresence": Case(
        lambda api: api.chats.update_presence(PHONE, "composing"), body={"to": CONTACT, "option": "composing"}
    ),
    "pinChat": Case(lambda api: api.chats.pin_chat(GROUP), body={"to": GROUP, "option": True}),
    "blockContact": Case(lambda api: api.chats.block_contact(PHONE), body={"to": CONTACT, "option": "block"}),
    "markMessageRead": Case(
        lambda api: api.chats.mark_message_read(KEY_OF_MESSAGE), body={"messageData": {"key": KEY_OF_MESSAGE}}
    ),
    "deleteMessage": Case(
        lambda api: api.chats.delete_message(
            KEY_OF_MESSAGE, message_timestamp=datetime(2024, 10, 28, 12, 0, tzinfo=UTC)
        ),
        body={"messageData": {"to": CONTACT, "key": KEY_OF_MESSAGE, "messageTimestamp": 1730116800}},
    ),
    "deleteMessageForMe": Case(
        lambda api: api.chats.delete_message_for_me(PHONE, "3EB0C767D26A1D4B1F9E", 1730116800),
        body={"to": CONTACT, "messageData": {"id": "3EB0C767D26A1D4B1F9E", "timestamp": 1730116800}},
    ),
    # groups
    "getGroup": Case(lambda api: api.groups.get_group(GROUP), query={"jid": GROUP}),
    "getGroupInviteCode": Case(lambda api: api.groups.get_group_invite_code(GROUP), query={"group_id": GROUP}),
    "createGroup": Case(
        lambda api: api.groups.create_group("Equipe de vendas", [PHONE, "5521988887777@c.us"]),
        body={"group_data": {"group_name": "Equipe de vendas", "participants": [CONTACT, OTHER]}},
    ),
    "addParticipants": Case(
        lambda api: api.groups.add_participants(GROUP, [PHONE]),
        body={"group_data": {"jid": GROUP, "participants": [CONTACT]}},
    ),
    "removeParticipants": Case(
        lambda api: api.groups.remove_participants(GROUP, [CONTACT, OTHER]),
        body={"group_data": {"jid": GROUP, "participants": [CONTACT, OTHER]}},
    ),
    "promoteParticipants": Case(
        lambda api: api.groups.promote_participants(GROUP, ["5511999999999:12@s.whatsapp.net"]),
        body={"group_data": {"jid": GROUP, "participants": [CONTACT]}},
    ),
    "demoteParticipants": Case(
        lambda api: api.groups.demote_participants(GROUP, [OTHER]),
        body={"group_data": {"jid": GROUP, "participants": [OTHER]}},
    ),
    "setWhoCanSendMessage": Case(
        lambda api: api.groups.set_who_can_send_message(GROUP, True), query={"jid": GROUP, "allowOnlyAdmins": "true"}
    ),
    "setWhoCanChangeSettings": Case(
        lambda api: api.groups.set_who_can_change_settings(GROUP, False),
        query={"jid": GROUP, "allowOnlyAdmins": "false"},
    ),
    "leaveGroup": Case(lambda api: api.groups.leave_group(GROUP), query={"jid": GROUP}),
    # account
    "createInstance": Case(
        lambda api: api.account.create_instance(MANAGED_KEY, webhook_url="https://bot.example.com/hook"),
        query={"instance_key": MANAGED_KEY},
        body={"messageData": {"webhookUrl": "https://bot.example.com/hook"}},
        instance_key="",
    ),
    "deleteInstance": Case(lambda api: api.account.delete_instance(MANAGED_KEY), instance_key=MANAGED_KEY),
}


def _derived_methods() -> set[str]:
    """Names of the methods generated from the spec (megaapi.namespaces.derived)."""
    classes = [value for value in vars(derived).values() if isinstance(value, type) and issubclass(value, Namespace)]
    return {name for cls in classes for name, value in vars(cls).items() if isinstance(value, Endpoint)}


def _snake(wire_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", wire_name).lower()


def _derived_case(op: Operation) -> Case:
    """The spec's own example request, sent through the plain method: its fields are the method's arguments."""
    parameters, body = request_example(op.operation_id)
    query = {p.name: parameters[p.name] for p in op.parameters if p.location == "query" and p.name in parameters}
    fields = dict(query)
    if isinstance(body, dict):
        # A body of one object (`messageData`, `group_data`) is a wrapper the method flattens.
        wrapped = next(iter(body.values())) if len(body) == 1 else None
        fields |= wrapped if isinstance(wrapped, dict) else body
    arguments = {_snake(name): value for name, value in fields.items()}
    method = OPERATIONS[op.operation_id].module

    def call(api: Any) -> Any:
        return getattr(getattr(api, op.tag), method)(**arguments)

    wire_query = {name: json.dumps(value) if isinstance(value, bool) else str(value) for name, value in query.items()}
    return Case(call, query=wire_query, body=body, instance_key="" if op.admin else None)


CASES |= {
    op.operation_id: _derived_case(op)
    for op in operations()
    if OPERATIONS[op.operation_id].module in _derived_methods()
}
