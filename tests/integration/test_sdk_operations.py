"""Every method of MegaApi and AsyncMegaApi against the emulator, each judged by what it changed.

Each test runs once per client (the `client` fixture) and names the methods it exercises with `@covers`. After the
test, the emulator's call counter must show each of their operations, and `test_every_operation_is_covered` walks
the spec and the namespaces for any method or operationId that no test exercises.
"""

from __future__ import annotations

import base64
import importlib
import inspect
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from either_client import Client, contact, done, number

from megaapi import (
    APIStatusError,
    BadRequestError,
    MegaApi,
    NotFoundError,
    OperationFailedError,
    PermissionDeniedError,
)
from megaapi.generated_api import OPERATIONS
from megaapi.namespaces import derived
from megaapi.operations import Endpoint
from megaapi.spec import operations, request_example
from megaapi.testing.state import StoredMessage
from megaapi_client.models import GroupResponse, MediaMessageKeys
from megaapi_client.types import Unset

if TYPE_CHECKING:
    from conftest import Setup

F = TypeVar("F", bound=Callable[..., Any])


def _namespace(tag: str) -> type:
    """The namespace class of `tag`: the hand-written class, which derives from the generated plain methods."""
    module = importlib.import_module(f"megaapi.namespaces.{tag}")
    return next(v for v in vars(module).values() if isinstance(v, type) and v.__module__ == module.__name__)


# One namespace per tag of the spec.
NAMESPACES: dict[str, type] = {tag: _namespace(tag) for tag in sorted({op.tag for op in operations()})}
BY_METHOD = {f"{op.tag}.{op.module}": op.operation_id for op in OPERATIONS.values()}
METHODS = sorted(
    f"{tag}.{name}"
    for tag, namespace in NAMESPACES.items()
    for klass in namespace.__mro__
    for name, value in vars(klass).items()
    if isinstance(value, Endpoint)
)
# Conveniences over documented operations; every other method is named after its operationId.
HELPERS = {
    "messages.send_media": ("sendMediaBase64", "sendMediaUrl"),
    "instance.download_media": ("downloadMediaMessage",),
    "instance.save_media": ("downloadMediaMessage",),
}
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.4\n" + b"%\xe2\xe3\xcf\xd3\n" * 64


def operations_of(method: str) -> tuple[str, ...]:
    return HELPERS[method] if method in HELPERS else (BY_METHOD[method],)


def spec_operation_ids() -> set[str]:
    return {op.operation_id for op in operations()}


def covers(*methods: str) -> Callable[[F], F]:
    """Declare the SDK methods a test exercises (`namespace.method`)."""
    unknown = set(methods) - set(METHODS)
    if unknown:
        raise ValueError(f"no such methods: {sorted(unknown)}")

    def mark(test: F) -> F:
        setattr(test, "covers", methods)  # noqa: B010 (a plain attribute on a function)
        return test

    return mark


@pytest.fixture(autouse=True)
def declared_methods_reach_the_emulator(request: pytest.FixtureRequest, setup: Setup) -> Iterator[None]:
    yield
    calls = setup.emulator.calls
    for method in getattr(request.function, "covers", ()):
        assert any(calls[operation] for operation in operations_of(method)), f"{method} never reached the emulator"


def _snake(wire_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", wire_name).lower()


# The methods generated from the spec; the test below sends each one the spec's own example request.
PLAIN = sorted(
    f"{tag}.{name}"
    for tag, namespace in NAMESPACES.items()
    for klass in namespace.__mro__
    if klass.__module__ == derived.__name__
    for name, value in vars(klass).items()
    if isinstance(value, Endpoint)
)


@pytest.mark.parametrize("method", PLAIN)
async def test_plain_method_sends_the_spec_example(method: str, client: Client, setup: Setup) -> None:
    operation_id = BY_METHOD[method]
    parameters, body = request_example(operation_id)
    fields = {name: parameters[name] for name in parameters if name != "instance_key"}
    if isinstance(body, dict):
        wrapped = next(iter(body.values())) if len(body) == 1 else None
        fields |= wrapped if isinstance(wrapped, dict) else body
    tag, name = method.split(".")
    call = getattr(getattr(client, tag), name)
    refusal: APIStatusError | OperationFailedError | None = None
    try:
        await done(call(**{_snake(field): value for field, value in fields.items()}))
    except (APIStatusError, OperationFailedError) as error:
        refusal = error
    # The example may name state this emulator lacks (a group, a disconnected instance): a refusal for that is
    # fine, a request the emulator finds invalid against the spec is not.
    assert not isinstance(refusal, BadRequestError), refusal
    assert setup.emulator.calls[operation_id] == 1


def test_every_operation_is_covered() -> None:
    tests = [value for name, value in globals().items() if name.startswith("test_") and callable(value)]
    declared = {method for test in tests for method in getattr(test, "covers", ())} | set(PLAIN)
    assert sorted(set(METHODS) - declared) == []
    assert {operation for method in METHODS for operation in operations_of(method)} == spec_operation_ids()
    for test in tests:
        if getattr(test, "covers", ()):
            assert "client" in inspect.signature(test).parameters, f"{test.__name__} runs with one client only"


def stored(setup: Setup, message_id: str | None) -> StoredMessage:
    found = [message for message in setup.instance.messages if message.key["id"] == message_id]
    assert len(found) == 1, f"{len(found)} stored messages with id {message_id!r}"
    return found[0]


def sent_id(message_id: str | None) -> str:
    assert message_id, "the reply carries no message id"
    return message_id


def data_of(response: Any) -> Any:
    """The `data` of replies whose shape the spec leaves open (kept in `additional_properties`)."""
    return response.additional_properties["data"]


def members(group: GroupResponse) -> dict[str, str | None]:
    assert isinstance(group.participants, list)
    return {str(member.id): None if isinstance(member.admin, Unset) else member.admin for member in group.participants}


# ---------------------------------------------------------------------------------------------------- instance


@covers("instance.get_instance_status")
async def test_status_of_a_connected_instance_names_its_account(client: Client, setup: Setup) -> None:
    status = await done(client.instance.get_instance_status())
    assert status.connected
    assert status.user is not None
    assert status.user.id == setup.instance.jid


@covers("instance.get_pairing_code", "instance.get_instance_status")
async def test_pairing_with_a_code_links_the_number(client: Client, setup: Setup) -> None:
    setup.emulator.disconnect(setup.instance.key)
    assert not (await done(client.instance.get_instance_status())).connected
    phone = number()
    typed = f"+{phone[:2]} ({phone[2:4]}) {phone[4:9]}-{phone[9:]}"
    pairing = await done(client.instance.get_pairing_code(typed, custom_pairing_code="MEGA1234"))
    assert pairing.pairing_code == "MEGA1234"
    assert setup.instance.state == "connecting"
    # The emulator's phone types the code before the next status poll.
    status = await done(client.instance.get_instance_status())
    assert status.connected
    assert status.user is not None
    assert status.user.id == contact(phone)


# prism proxy decodes response bodies as UTF-8 and re-encodes them, which corrupts binary ones
# (stoplightio/prism#2349): the PNG bytes can only be checked without the proxy.
@pytest.mark.direct
@covers("instance.get_qr_code")
async def test_the_qr_code_is_a_png_image_and_only_while_unpaired(client: Client, setup: Setup) -> None:
    with pytest.raises(PermissionDeniedError):
        await done(client.instance.get_qr_code())
    setup.emulator.disconnect(setup.instance.key)
    assert (await done(client.instance.get_qr_code())).startswith(b"\x89PNG\r\n\x1a\n")
    assert setup.instance.state == "connecting"


@covers("instance.get_qr_code_base_64")
async def test_the_qr_code_as_a_data_url_starts_pairing(client: Client, setup: Setup) -> None:
    with pytest.raises(PermissionDeniedError):
        await done(client.instance.get_qr_code_base_64())
    setup.emulator.disconnect(setup.instance.key)
    encoded = await done(client.instance.get_qr_code_base_64())
    assert isinstance(encoded.qrcode, str)
    prefix, _, payload = encoded.qrcode.partition(",")
    assert prefix == "data:image/png;base64"
    assert base64.b64decode(payload).startswith(b"\x89PNG\r\n\x1a\n")
    assert setup.instance.state == "connecting"
    setup.emulator.pair(setup.instance.key)
    assert (await done(client.instance.get_instance_status())).connected


@covers("instance.logout_instance", "instance.restart_instance", "messages.send_text")
async def test_restart_keeps_the_account_linked_and_logout_unlinks_it(client: Client, setup: Setup) -> None:
    await done(client.instance.restart_instance())
    assert setup.instance.connected
    await done(client.instance.logout_instance())
    assert setup.instance.state == "disconnected"
    assert not (await done(client.instance.get_instance_status())).connected
    with pytest.raises(OperationFailedError, match="not connected"):
        await done(client.messages.send_text(number(), "depois do logout"))
    assert setup.instance.messages == []


@covers("instance.check_number")
async def test_check_number_tells_who_has_whatsapp(client: Client, setup: Setup) -> None:
    on, off = number(), number()
    setup.emulator.mark_not_on_whatsapp(off)
    found = await done(client.instance.check_number(f"+{on}"))
    assert found.on_whatsapp
    assert found.jid == contact(on)
    missing = await done(client.instance.check_number(contact(off)))
    assert not missing.on_whatsapp


@covers("instance.download_media_message", "instance.download_media", "instance.save_media")
async def test_received_media_downloads_as_bytes_and_to_a_file(client: Client, setup: Setup, tmp_path: Path) -> None:
    event = setup.emulator.receive_media(
        number(), "document", PDF, file_name="boleto.pdf", caption="Segue", instance_key=setup.instance.key
    )
    document = event["message"]["documentMessage"]
    keys = MediaMessageKeys(
        media_key=document["mediaKey"],
        direct_path=document["directPath"],
        url=document["url"],
        mimetype=document["mimetype"],
        message_type="document",
    )
    raw = await done(client.instance.download_media_message(keys))
    assert isinstance(raw.data, str)
    assert raw.data.startswith("data:application/pdf;base64,")
    assert base64.b64decode(raw.data.partition(",")[2]) == PDF
    assert await done(client.instance.download_media(keys.to_dict())) == PDF
    target = tmp_path / "boleto.pdf"
    assert await done(client.instance.save_media(keys, target)) == target
    assert target.read_bytes() == PDF
    assert sorted(path.name for path in tmp_path.iterdir()) == ["boleto.pdf"]


@covers("instance.get_profile_picture", "instance.set_profile_picture_url")
async def test_a_profile_picture_set_from_a_url_is_read_back(client: Client, setup: Setup) -> None:
    someone = number()
    default = await done(client.instance.get_profile_picture(someone, size="icon"))
    assert isinstance(default.data, str)
    assert default.data.startswith("https://pps.whatsapp.net/")
    url = "https://cdn.example.com/fotos/perfil.jpg"
    await done(client.instance.set_profile_picture_url(setup.instance.jid, url))
    assert (await done(client.instance.get_profile_picture(setup.instance.jid))).data == url


@covers("instance.set_profile_name")
async def test_a_new_profile_name_shows_in_the_status(client: Client, setup: Setup) -> None:
    await done(client.instance.set_profile_name("Padaria São João"))
    status = await done(client.instance.get_instance_status())
    assert status.user is not None
    assert status.user.name == "Padaria São João"


@covers("instance.list_chats", "instance.list_contacts")
async def test_chats_and_contacts_follow_the_traffic(client: Client, setup: Setup) -> None:
    written, writer = number(), number()
    await done(client.messages.send_text(written, "Olá"))
    setup.emulator.receive_text(writer, "Oi!", push_name="Maria", instance_key=setup.instance.key)
    chats = {chat["id"]: chat for chat in data_of(await done(client.instance.list_chats()))}
    assert set(chats) == {contact(written), contact(writer)}
    assert chats[contact(writer)]["unreadCount"] == 1
    assert chats[contact(writer)]["name"] == "Maria"
    contacts = {entry["id"]: entry.get("name") for entry in data_of(await done(client.instance.list_contacts()))}
    assert contacts == {contact(written): None, contact(writer): "Maria"}


# ---------------------------------------------------------------------------------------------------- webhook


@covers("webhook.configure_webhook", "webhook.get_webhook")
async def test_webhook_configuration_round_trips(client: Client, setup: Setup) -> None:
    initial = await done(client.webhook.get_webhook())
    assert initial.webhook_data is not None
    assert not isinstance(initial.webhook_data, Unset)
    assert initial.webhook_data.webhook_enabled is False
    url = "https://hooks.example.com/megaapi?token=5f1c0e7d9a3b4c2e"
    configured = await done(client.webhook.configure_webhook(url))
    assert not isinstance(configured.webhook_data, Unset)
    assert (configured.webhook_data.webhook_url, configured.webhook_data.webhook_enabled) == (url, True)
    read = await done(client.webhook.get_webhook())
    assert not isinstance(read.webhook_data, Unset)
    assert (read.webhook_data.webhook_url, read.webhook_data.webhook_enabled) == (url, True)
    await done(client.webhook.configure_webhook(None, enabled=False))
    off = await done(client.webhook.get_webhook())
    assert not isinstance(off.webhook_data, Unset)
    assert off.webhook_data.webhook_enabled is False
    assert (setup.instance.webhook_url, setup.instance.webhook_enabled) == ("", False)


# ---------------------------------------------------------------------------------------------------- messages


@covers("messages.send_text", "instance.list_messages")
async def test_a_sent_text_is_in_its_chat_and_nowhere_else(client: Client, setup: Setup) -> None:
    to = number()
    sent = await done(client.messages.send_text(f"+{to[:2]} {to[2:4]} {to[4:9]}-{to[9:]}", "Olá, tudo bem? 😀"))
    assert sent.key is not None
    assert (sent.key.remote_jid, sent.key.from_me) == (contact(to), True)
    await done(client.messages.send_text(number(), "Outro assunto"))
    listed = data_of(await done(client.instance.list_messages(to)))
    assert [(entry["key"]["id"], entry["message"]["extendedTextMessage"]["text"]) for entry in listed] == [
        (sent.message_id, "Olá, tudo bem? 😀")
    ]
    assert len(data_of(await done(client.instance.list_messages()))) == 2


@covers("messages.send_text_to_many")
async def test_a_text_to_many_reaches_each_recipient_once(client: Client, setup: Setup) -> None:
    recipients = [number(), number(), number()]
    await done(client.messages.send_text_to_many(recipients, "Promoção de hoje"))
    chats = [message.key["remoteJid"] for message in setup.instance.messages]
    assert sorted(chats) == sorted(contact(phone) for phone in recipients)
    texts = {message.message["extendedTextMessage"]["text"] for message in setup.instance.messages}
    assert texts == {"Promoção de hoje"}


@covers("messages.send_text_with_mentions")
async def test_mentions_are_carried_with_the_text(client: Client, setup: Setup) -> None:
    group = setup.emulator.add_group("Equipe", [number(), number()], instance_key=setup.instance.key)
    mentioned = [jid for jid in group.participants if jid != setup.instance.jid]
    text = " ".join(f"@{jid.split('@')[0]}" for jid in mentioned) + " reunião às 10h"
    sent = await done(client.messages.send_text_with_mentions(group.jid, text, mentioned))
    message = stored(setup, sent.message_id).message["extendedTextMessage"]
    assert message["text"] == text
    assert message["contextInfo"]["mentionedJid"] == mentioned


@covers("messages.send_media", "messages.send_media_base_64", "instance.download_media")
async def test_uploaded_media_is_stored_and_downloads_unchanged(client: Client, setup: Setup, tmp_path: Path) -> None:
    to = number()
    path = tmp_path / "cardapio.png"
    path.write_bytes(PNG)
    from_path = await done(client.messages.send_media(to, path, caption="Cardápio"))
    image = stored(setup, from_path.message_id).message["imageMessage"]
    assert (image["mimetype"], image["caption"]) == ("image/png", "Cardápio")
    from_bytes = await done(
        client.messages.send_media_base_64(
            to, PDF, media_type="document", mime_type="application/pdf", file_name="nf.pdf"
        )
    )
    document = stored(setup, from_bytes.message_id).message["documentMessage"]
    assert document["fileName"] == "nf.pdf"
    for content, expected in ((image, PNG), (document, PDF)):
        keys = {
            "mediaKey": content["mediaKey"],
            "directPath": content["directPath"],
            "url": content["url"],
            "mimetype": content["mimetype"],
            "messageType": "image" if expected is PNG else "document",
        }
        assert await done(client.instance.download_media(keys)) == expected


@covers("messages.send_media", "messages.send_media_url", "messages.send_media_url_to_many")
async def test_media_from_urls_is_sent_with_its_type(client: Client, setup: Setup) -> None:
    first, second = number(), number()
    by_helper = await done(client.messages.send_media(first, "https://cdn.example.com/videos/tour.mp4"))
    assert "videoMessage" in stored(setup, by_helper.message_id).message
    direct = await done(
        client.messages.send_media_url(
            first, "https://cdn.example.com/audio/aviso.ogg", media_type="audio", mime_type="audio/ogg"
        )
    )
    assert stored(setup, direct.message_id).message["audioMessage"]["mimetype"] == "audio/ogg"
    setup.instance.messages.clear()
    await done(
        client.messages.send_media_url_to_many(
            [first, second],
            "https://cdn.example.com/docs/tabela.pdf",
            media_type="document",
            mime_type="application/pdf",
            file_name="tabela.pdf",
        )
    )
    assert sorted(message.key["remoteJid"] for message in setup.instance.messages) == sorted(
        [contact(first), contact(second)]
    )
    assert {message.message["documentMessage"]["fileName"] for message in setup.instance.messages} == {"tabela.pdf"}


@covers("messages.send_location")
async def test_a_location_keeps_its_coordinates(client: Client, setup: Setup) -> None:
    sent = await done(
        client.messages.send_location(number(), -23.5613, -46.6565, name="MASP", address="Av. Paulista, 1578")
    )
    location = stored(setup, sent.message_id).message["locationMessage"]
    assert location == {
        "degreesLatitude": -23.5613,
        "degreesLongitude": -46.6565,
        "name": "MASP",
        "address": "Av. Paulista, 1578",
    }


@covers("messages.send_link_preview")
async def test_a_link_preview_sends_the_text_with_its_link(client: Client, setup: Setup) -> None:
    text = "Confira: https://www.example.com.br/ofertas"
    sent = await done(client.messages.send_link_preview(number(), text))
    message = stored(setup, sent.message_id).message["extendedTextMessage"]
    assert (message["text"], message["matchedText"]) == (text, "https://www.example.com.br/ofertas")


@covers("messages.send_list")
async def test_a_list_keeps_its_sections_and_row_ids(client: Client, setup: Setup) -> None:
    sections = [
        {"title": "Pagamento", "rows": [{"title": "PIX", "description": "Na hora", "rowId": "pix"}]},
        {"title": "Cartão", "rows": [{"title": "Crédito", "rowId": "credito"}, {"title": "Débito", "rowId": "debito"}]},
    ]
    sent = await done(
        client.messages.send_list(number(), "Como prefere pagar?", "Escolher", sections, title="Pagamento")
    )
    listed = stored(setup, sent.message_id).message["listMessage"]
    assert (listed["text"], listed["buttonText"], listed["title"]) == ("Como prefere pagar?", "Escolher", "Pagamento")
    assert [row["rowId"] for section in listed["sections"] for row in section["rows"]] == ["pix", "credito", "debito"]


@covers("messages.send_contact")
async def test_a_contact_card_carries_the_digits(client: Client, setup: Setup) -> None:
    phone = number()
    sent = await done(
        client.messages.send_contact(number(), "Maria Souza", f"+{phone}", display_name="Maria", organization="ACME")
    )
    card = stored(setup, sent.message_id).message["contactMessage"]
    assert card["displayName"] == "Maria"
    assert f"waid={phone}" in card["vcard"]
    assert "ORG:ACME" in card["vcard"]


@covers("messages.forward_message", "messages.reply_to_message")
async def test_a_received_message_is_forwarded_and_quoted(client: Client, setup: Setup) -> None:
    customer, colleague = number(), number()
    event = setup.emulator.receive_text(customer, "Quero dois pães", instance_key=setup.instance.key)
    forwarded = await done(client.messages.forward_message(colleague, event["key"], event["message"]))
    copy = stored(setup, forwarded.message_id)
    assert copy.key["remoteJid"] == contact(colleague)
    assert copy.message["extendedTextMessage"]["text"] == "Quero dois pães"
    assert copy.message["extendedTextMessage"]["contextInfo"]["isForwarded"] is True
    reply = await done(client.messages.reply_to_message(customer, "Separados!", event["key"], event["message"]))
    quoted = stored(setup, reply.message_id).message["extendedTextMessage"]
    assert quoted["text"] == "Separados!"
    assert quoted["contextInfo"]["stanzaId"] == event["key"]["id"]
    assert quoted["contextInfo"]["participant"] == contact(customer)


@covers("messages.send_template", "messages.send_template_with_media", "messages.send_buttons")
async def test_templates_and_buttons_keep_their_buttons(client: Client, setup: Setup) -> None:
    to = number()
    buttons = [
        {"type": "replyButton", "title": "Confirmar", "payload": "ok"},
        {"type": "urlButton", "title": "Site", "payload": "https://www.example.com.br"},
        {"type": "callButton", "title": "Ligar", "payload": "+5511988887777"},
    ]
    plain = await done(client.messages.send_template(to, "Seu pedido saiu", buttons, footer_text="Obrigado"))
    hydrated = stored(setup, plain.message_id).message["templateMessage"]["hydratedTemplate"]
    assert hydrated["hydratedContentText"] == "Seu pedido saiu"
    assert hydrated["hydratedFooterText"] == "Obrigado"
    assert [sorted(set(button) - {"index"}) for button in hydrated["hydratedButtons"]] == [
        ["quickReplyButton"],
        ["urlButton"],
        ["callButton"],
    ]
    image_url = "https://cdn.example.com/img/pedido.jpg"
    with_media = await done(client.messages.send_template_with_media(to, "Seu pedido", buttons[:1], image_url))
    header = stored(setup, with_media.message_id).message["templateMessage"]["hydratedTemplate"]["imageMessage"]
    assert header["url"] == image_url
    fields = {"text": "Avalie", "buttons": [{"buttonId": "5", "buttonText": {"displayText": "5 estrelas"}}]}
    pressed = await done(client.messages.send_buttons(to, fields))
    assert stored(setup, pressed.message_id).message["buttonsMessage"]["buttons"] == fields["buttons"]


# ---------------------------------------------------------------------------------------------------- chats


@covers("chats.update_presence", "chats.pin_chat")
async def test_presence_and_pinning_change_the_chat(client: Client, setup: Setup) -> None:
    to = number()
    await done(client.chats.update_presence(to, "composing"))
    assert setup.instance.chats[contact(to)].presence == "composing"
    await done(client.chats.pin_chat(to))
    pinned = {chat["id"]: chat["pinned"] for chat in data_of(await done(client.instance.list_chats()))}
    assert pinned == {contact(to): True}
    await done(client.chats.pin_chat(to, pin=False))
    assert not setup.instance.chats[contact(to)].pinned


@covers("chats.block_contact", "messages.send_text")
async def test_a_blocked_contact_gets_no_messages_until_unblocked(client: Client, setup: Setup) -> None:
    to = number()
    await done(client.chats.block_contact(to))
    with pytest.raises(OperationFailedError, match="blocked"):
        await done(client.messages.send_text(to, "Oi"))
    await done(client.chats.block_contact(to, block=False))
    sent = await done(client.messages.send_text(to, "Oi"))
    assert stored(setup, sent.message_id).key["remoteJid"] == contact(to)


@covers("chats.mark_message_read")
async def test_reading_a_message_clears_the_unread_count(client: Client, setup: Setup) -> None:
    sender = number()
    event = setup.emulator.receive_text(sender, "Tem pão?", instance_key=setup.instance.key)
    assert setup.instance.chats[contact(sender)].unread == 1
    await done(client.chats.mark_message_read(event["key"]))
    assert setup.instance.chats[contact(sender)].unread == 0
    assert stored(setup, event["key"]["id"]).read


@covers("chats.delete_message", "chats.delete_message_for_me")
async def test_deleting_messages_for_everyone_and_for_me(client: Client, setup: Setup) -> None:
    to = number()
    first = await done(client.messages.send_text(to, "Mensagem errada"))
    assert first.key is not None
    await done(client.chats.delete_message(first.key, message_timestamp=int(stored(setup, first.message_id).timestamp)))
    assert stored(setup, first.message_id).message == {
        "protocolMessage": {"key": first.key.to_dict(), "type": "REVOKE"}
    }
    second = await done(client.messages.send_text(to, "Só para mim"))
    when = stored(setup, second.message_id).timestamp
    await done(client.chats.delete_message_for_me(to, sent_id(second.message_id), when))
    remaining = [entry["key"]["id"] for entry in data_of(await done(client.instance.list_messages(to)))]
    assert remaining == [first.message_id]


# ---------------------------------------------------------------------------------------------------- groups


@covers(
    "groups.create_group",
    "groups.get_group",
    "groups.list_groups",
    "groups.list_admin_groups",
    "groups.list_admin_groups_with_participants",
)
async def test_a_created_group_is_listed_with_its_members(client: Client, setup: Setup) -> None:
    first, second = number(), number()
    created = await done(client.groups.create_group("Clientes VIP", [first, f"+{second}"]))
    group = created.group_id
    assert group is not None
    assert group.endswith("@g.us")
    info = await done(client.groups.get_group(group))
    assert info.subject == "Clientes VIP"
    assert members(info) == {setup.instance.jid: "superadmin", contact(first): None, contact(second): None}
    foreign = setup.emulator.add_group("Condomínio", [first], admin=False, instance_key=setup.instance.key)
    listed = await done(client.groups.list_groups())
    assert isinstance(listed.groups, list)
    assert {entry.id for entry in listed.groups} == {group, foreign.jid}
    administered = await done(client.groups.list_admin_groups())
    assert isinstance(administered.groups, list)
    assert [entry.id for entry in administered.groups] == [group]
    detailed = await done(client.groups.list_admin_groups_with_participants())
    assert isinstance(detailed.groups, list)
    assert isinstance(detailed.groups[0].participants, list)
    assert {str(member.id) for member in detailed.groups[0].participants} == set(members(info))


@covers(
    "groups.add_participants",
    "groups.remove_participants",
    "groups.promote_participants",
    "groups.demote_participants",
)
async def test_participant_changes_show_in_the_group(client: Client, setup: Setup) -> None:
    first, second, refused = number(), number(), number()
    setup.emulator.mark_not_on_whatsapp(refused)
    group = setup.emulator.add_group("Entregadores", [first], instance_key=setup.instance.key).jid
    added = await done(client.groups.add_participants(group, [second, refused, first]))
    assert {result.jid: result.status for result in added.results} == {
        contact(second): "200",
        contact(refused): "403",
        contact(first): "409",
    }
    await done(client.groups.promote_participants(group, [second]))
    assert members(await done(client.groups.get_group(group)))[contact(second)] == "admin"
    await done(client.groups.demote_participants(group, [second]))
    assert members(await done(client.groups.get_group(group)))[contact(second)] is None
    removed = await done(client.groups.remove_participants(group, [first]))
    assert [(result.jid, result.status) for result in removed.results] == [(contact(first), "200")]
    assert set(members(await done(client.groups.get_group(group)))) == {setup.instance.jid, contact(second)}


@covers("groups.get_group_invite_code", "groups.set_who_can_send_message", "groups.set_who_can_change_settings")
async def test_group_settings_and_invite_code(client: Client, setup: Setup) -> None:
    group = setup.emulator.add_group("Avisos", [number()], instance_key=setup.instance.key)
    invite = await done(client.groups.get_group_invite_code(group.jid))
    assert invite.code == group.invite_code
    assert invite.link == f"https://chat.whatsapp.com/{group.invite_code}"
    await done(client.groups.set_who_can_send_message(group.jid, True))
    await done(client.groups.set_who_can_change_settings(group.jid, True))
    info = await done(client.groups.get_group(group.jid))
    assert (info.announce, info.restrict) == (True, True)
    await done(client.groups.set_who_can_send_message(group.jid, False))
    assert (await done(client.groups.get_group(group.jid))).announce is False


@covers("groups.leave_group")
async def test_a_group_left_is_gone_from_the_list(client: Client, setup: Setup) -> None:
    group = setup.emulator.add_group("Vizinhos", [number()], instance_key=setup.instance.key)
    await done(client.groups.leave_group(group.jid))
    listed = await done(client.groups.list_groups())
    assert listed.groups == []
    with pytest.raises(NotFoundError):
        await done(client.groups.get_group(group.jid))


# ---------------------------------------------------------------------------------------------------- account


@covers("account.list_instances", "account.create_instance", "account.delete_instance")
async def test_the_admin_token_creates_pairs_and_deletes_instances(client: Client, setup: Setup) -> None:
    key = f"loja-{setup.instance.key[-12:]}"
    created = await done(
        client.account.create_instance(key, webhook_url="https://hooks.example.com/nova", webhook_enabled=True)
    )
    assert created.key == key
    assert isinstance(created.token, str)
    listed = await done(client.account.list_instances())
    statuses = {entry.key: entry.status for entry in listed.items}
    assert statuses[key] == "disconnected"
    assert statuses[setup.instance.key] == "connected"
    fresh = type(client)(instance_key=key, token=created.token, base_url=setup.base_url)
    try:
        webhook = await done(fresh.webhook.get_webhook())
        assert not isinstance(webhook.webhook_data, Unset)
        assert webhook.webhook_data.webhook_url == "https://hooks.example.com/nova"
        assert isinstance((await done(fresh.instance.get_qr_code_base_64())).qrcode, str)
        assert (await done(fresh.instance.get_instance_status())).connected
        await done(client.account.delete_instance(key))
        with pytest.raises(NotFoundError):
            await done(fresh.instance.get_instance_status())
    finally:
        if isinstance(fresh, MegaApi):
            fresh.close()
        else:
            await fresh.aclose()
    remaining = await done(client.account.list_instances())
    assert key not in {entry.key for entry in remaining.items}
