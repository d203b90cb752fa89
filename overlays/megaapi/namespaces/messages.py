"""`api.messages`: sending text, media, locations, lists, contacts, templates, forwards and replies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .. import arguments, jid
from ..errors import InvalidInputError
from ..operations import Call, Namespace, R, endpoint
from .chats import message_key

if TYPE_CHECKING:
    from megaapi_client.models import ListSection, MessageKey, TemplateButton

    from ..arguments import ToDict
    from ..media import Media, MediaSource, MediaType
    from ..models import BulkSendResponse, SendMessageResponse

_MEDIA_TYPES = frozenset({"image", "video", "audio", "ptt", "ptv", "document"})


def _send(op: Any, body: Any, upload: Media | None = None) -> Call[SendMessageResponse]:
    from ..models import SendMessageResponse

    # A send is not idempotent: it is retried only where the server provably did not receive it.
    return Call(op, {"body": body}, SendMessageResponse, idempotent=False, recipient=True, upload=upload)


class Messages(Namespace[R]):
    @endpoint
    def send_text(self, to: str, text: str, *, link_preview: bool | None = None) -> Call[SendMessageResponse]:
        """Send `text` to a contact (number or JID) or a group; `link_preview=False` suppresses URL previews."""
        from megaapi_client.api.messages import send_text as op
        from megaapi_client.models import SendTextRequest, TextMessage

        preview = arguments.optional_flag(link_preview, "link_preview")
        data = TextMessage(to=jid.chat(to), text=arguments.text(text, "text"), link_preview=_unset(preview))
        return _send(op, SendTextRequest(message_data=data))

    @endpoint
    def send_text_to_many(self, to: Sequence[str], text: str) -> Call[BulkSendResponse]:
        """Send the same text to several recipients. Mass sending can get the number restricted."""
        from megaapi_client.api.messages import send_text_to_many as op
        from megaapi_client.models import BulkSendResponse, SendTextToManyRequest, TextToManyMessage

        data = TextToManyMessage(to=arguments.many(to, "to", jid.chat), text=arguments.text(text, "text"))
        return Call(
            op, {"body": SendTextToManyRequest(message_data=data)}, BulkSendResponse, idempotent=False, recipient=True
        )

    @endpoint
    def send_text_with_mentions(self, to: str, text: str, mentions: Sequence[str]) -> Call[SendMessageResponse]:
        """Send a text that mentions people; write `@<number>` in the text where each mention shows."""
        from megaapi_client.api.messages import send_text_with_mentions as op
        from megaapi_client.models import MentionMessage, SendTextWithMentionsRequest

        data = MentionMessage(
            to=jid.chat(to),
            text=arguments.text(text, "text"),
            mentions=arguments.many(mentions, "mentions", jid.person),
        )
        return _send(op, SendTextWithMentionsRequest(message_data=data))

    @endpoint
    def send_media(
        self,
        to: str,
        source: MediaSource,
        *,
        caption: str | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
        media_type: MediaType | None = None,
        view_once: bool | None = None,
        gif_playback: bool | None = None,
    ) -> Call[SendMessageResponse]:
        """Send a file from a path, bytes, a binary file object or a public http(s) URL.

        The MIME type and the media type are worked out from the file name or content unless given. URLs go to
        `sendMediaUrl`; everything else is uploaded with `sendMediaBase64` (16 MB at most).
        """
        from megaapi_client.api.messages import send_media_base_64, send_media_url
        from megaapi_client.models import (
            MediaBase64Message,
            MediaUrlMessage,
            SendMediaBase64Request,
            SendMediaUrlRequest,
        )

        from .. import media

        chat = jid.chat(to)
        loaded = media.load(
            source,
            file_name=arguments.optional_text(file_name, "file_name", allow_empty=False),
            mime_type=arguments.optional_text(mime_type, "mime_type", allow_empty=False),
        )
        kind = _media_type(media_type, loaded.mime_type)
        common = _media_fields(chat, kind, loaded.mime_type, loaded.file_name, caption, gif_playback, view_once)
        if loaded.url is not None:
            return _send(send_media_url, SendMediaUrlRequest(message_data=MediaUrlMessage(url=loaded.url, **common)))
        message = MediaBase64Message(base64=media.Base64Upload.PLACEHOLDER, **common)
        return _send(send_media_base_64, SendMediaBase64Request(message_data=message), upload=loaded)

    @endpoint
    def send_media_url(
        self,
        to: str,
        url: str,
        *,
        media_type: MediaType,
        mime_type: str,
        file_name: str | None = None,
        caption: str | None = None,
        gif_playback: bool | None = None,
        view_once: bool | None = None,
    ) -> Call[SendMessageResponse]:
        """Send a file the server downloads from a public URL; `send_media` fills the types in for you."""
        from megaapi_client.api.messages import send_media_url as op
        from megaapi_client.models import MediaUrlMessage, SendMediaUrlRequest

        kind = _media_type(media_type)
        mime = arguments.text(mime_type, "mime_type", max_length=255)
        common = _media_fields(jid.chat(to), kind, mime, file_name, caption, gif_playback, view_once)
        return _send(
            op, SendMediaUrlRequest(message_data=MediaUrlMessage(url=arguments.http_url(url, "url"), **common))
        )

    @endpoint
    def send_media_url_to_many(
        self,
        to: Sequence[str],
        url: str,
        *,
        media_type: MediaType,
        mime_type: str,
        file_name: str | None = None,
        caption: str | None = None,
    ) -> Call[BulkSendResponse]:
        """Send a file from a public URL to several recipients."""
        from megaapi_client.api.messages import send_media_url_to_many as op
        from megaapi_client.models import BulkSendResponse, MediaUrlToManyMessage, SendMediaUrlToManyRequest

        data = MediaUrlToManyMessage(
            to=arguments.many(to, "to", jid.chat),
            url=arguments.http_url(url, "url"),
            type_=_media_type(media_type),
            mime_type=arguments.text(mime_type, "mime_type", max_length=255),
            file_name=_unset(arguments.optional_text(file_name, "file_name", allow_empty=False)),
            caption=_unset(arguments.optional_text(caption, "caption")),
        )
        body = SendMediaUrlToManyRequest(message_data=data)
        return Call(op, {"body": body}, BulkSendResponse, idempotent=False, recipient=True)

    @endpoint
    def send_media_base_64(
        self,
        to: str,
        data: bytes,
        *,
        media_type: MediaType,
        mime_type: str,
        file_name: str | None = None,
        caption: str | None = None,
        gif_playback: bool | None = None,
        view_once: bool | None = None,
    ) -> Call[SendMessageResponse]:
        """Upload file bytes (16 MB at most) as base64; `send_media` fills the types in for you."""
        from megaapi_client.api.messages import send_media_base_64 as op
        from megaapi_client.models import MediaBase64Message, SendMediaBase64Request

        from .. import media

        if not isinstance(data, bytes | bytearray | memoryview):
            raise InvalidInputError(f"data must be bytes, not {type(data).__name__}")
        loaded = media.load(data, mime_type=arguments.text(mime_type, "mime_type", max_length=255))
        kind = _media_type(media_type)
        common = _media_fields(jid.chat(to), kind, loaded.mime_type, file_name, caption, gif_playback, view_once)
        message = MediaBase64Message(base64=media.Base64Upload.PLACEHOLDER, **common)
        return _send(op, SendMediaBase64Request(message_data=message), upload=loaded)

    @endpoint
    def send_location(
        self,
        to: str,
        latitude: float,
        longitude: float,
        *,
        name: str | None = None,
        address: str | None = None,
        url: str | None = None,
    ) -> Call[SendMessageResponse]:
        """Send a map pin; `name` is the place's name (the API's `caption`) and `address` a line under it."""
        from megaapi_client.api.messages import send_location as op
        from megaapi_client.models import LocationMessage, SendLocationRequest

        data = LocationMessage(
            to=jid.chat(to),
            latitude=arguments.coordinate(latitude, "latitude", 90),
            longitude=arguments.coordinate(longitude, "longitude", 180),
            caption=_unset(arguments.optional_text(name, "name")),
            address=_unset(arguments.optional_text(address, "address")),
            url=_unset(None if url is None else arguments.http_url(url, "url")),
        )
        return _send(op, SendLocationRequest(message_data=data))

    @endpoint
    def send_link_preview(self, to: str, text_with_link: str) -> Call[SendMessageResponse]:
        """Send a text containing a URL, shown with a preview card built from the page."""
        from megaapi_client.api.messages import send_link_preview as op
        from megaapi_client.models import LinkPreviewMessage, SendLinkPreviewRequest

        data = LinkPreviewMessage(to=jid.chat(to), text_with_link=arguments.text(text_with_link, "text_with_link"))
        return _send(op, SendLinkPreviewRequest(message_data=data))

    @endpoint
    def send_list(
        self,
        to: str,
        text: str,
        button_text: str,
        sections: Sequence[ListSection | Mapping[str, Any]],
        *,
        title: str | None = None,
        description: str | None = None,
        footer_text: str | None = None,
        list_type: int | None = None,
    ) -> Call[SendMessageResponse]:
        """Send a message whose button opens a list of options; each row's `rowId` comes back in the reply event.

        Sections are `ListSection` models or mappings with the wire's names:
        `{"title": "PIX", "rows": [{"title": "PIX", "description": "...", "rowId": "01"}]}`.
        """
        from megaapi_client.api.messages import send_list as op
        from megaapi_client.models import ListMessage, SendListRequest

        data = ListMessage(
            to=jid.chat(to),
            text=arguments.text(text, "text"),
            button_text=arguments.text(button_text, "button_text", max_length=256),
            sections=arguments.many(sections, "sections", _section),
            title=_unset(arguments.optional_text(title, "title")),
            description=_unset(arguments.optional_text(description, "description")),
            footer_text=_unset(arguments.optional_text(footer_text, "footer_text")),
            list_type=_unset(None if list_type is None else arguments.count(list_type, "list_type")),
        )
        return _send(op, SendListRequest(message_data=data))

    @endpoint
    def send_contact(
        self,
        to: str,
        full_name: str,
        phone_number: str,
        *,
        display_name: str | None = None,
        organization: str | None = None,
    ) -> Call[SendMessageResponse]:
        """Send a contact card; `phone_number` in any notation becomes the digits the card needs."""
        from megaapi_client.api.messages import send_contact as op
        from megaapi_client.models import ContactCard, ContactMessage, SendContactRequest

        name = arguments.text(full_name, "full_name", max_length=256)
        card = ContactCard(
            full_name=name,
            display_name=name if display_name is None else arguments.text(display_name, "display_name", max_length=256),
            phone_number=jid.phone(phone_number),
            organization=_unset(arguments.optional_text(organization, "organization")),
        )
        return _send(op, SendContactRequest(message_data=ContactMessage(to=jid.chat(to), vcard=card)))

    @endpoint
    def forward_message(
        self, to: str, key: MessageKey | Mapping[str, Any], message: Mapping[str, Any] | ToDict
    ) -> Call[SendMessageResponse]:
        """Forward a message, given its `key` and its `message` object exactly as an event delivered them."""
        from megaapi_client.api.messages import forward_message as op
        from megaapi_client.models import ForwardMessage, ForwardMessageRequest

        data = ForwardMessage(to=jid.chat(to), key=message_key(key), message=_content(message))
        return _send(op, ForwardMessageRequest(message_data=data))

    @endpoint
    def reply_to_message(
        self, to: str, text: str, key: MessageKey | Mapping[str, Any], message: Mapping[str, Any] | ToDict
    ) -> Call[SendMessageResponse]:
        """Answer with `text`, quoting the message identified by `key` and carried in full in `message`."""
        from megaapi_client.api.messages import reply_to_message as op
        from megaapi_client.models import QuoteMessage, ReplyToMessageRequest

        data = QuoteMessage(
            to=jid.chat(to), text=arguments.text(text, "text"), key=message_key(key), message=_content(message)
        )
        return _send(op, ReplyToMessageRequest(message_data=data))

    @endpoint
    def send_template(
        self,
        to: str,
        text: str,
        buttons: Sequence[TemplateButton | Mapping[str, Any]],
        *,
        footer_text: str | None = None,
    ) -> Call[SendMessageResponse]:
        """Send a text with reply, URL and call buttons: `{"type": "urlButton", "title": ..., "payload": url}`."""
        from megaapi_client.api.messages import send_template as op
        from megaapi_client.models import SendTemplateRequest, TemplateMessage

        data = TemplateMessage(
            to=jid.chat(to),
            text=arguments.text(text, "text"),
            buttons=arguments.many(buttons, "buttons", _button),
            footer_text=_unset(arguments.optional_text(footer_text, "footer_text")),
        )
        return _send(op, SendTemplateRequest(message_data=data))

    @endpoint
    def send_template_with_media(
        self,
        to: str,
        text: str,
        buttons: Sequence[TemplateButton | Mapping[str, Any]],
        image_url: str,
        *,
        media_type: str | None = None,
        mime_type: str | None = None,
        footer_text: str | None = None,
    ) -> Call[SendMessageResponse]:
        """`send_template` with an image or video above the text, from a public URL."""
        from megaapi_client.api.messages import send_template_with_media as op
        from megaapi_client.models import SendTemplateWithMediaRequest, TemplateMediaMessage

        data = TemplateMediaMessage(
            to=jid.chat(to),
            text=arguments.text(text, "text"),
            buttons=arguments.many(buttons, "buttons", _button),
            image_url=arguments.http_url(image_url, "image_url"),
            media_type=_unset(arguments.optional_text(media_type, "media_type", allow_empty=False)),
            mime_type=_unset(arguments.optional_text(mime_type, "mime_type", allow_empty=False)),
            footer_text=_unset(arguments.optional_text(footer_text, "footer_text")),
        )
        return _send(op, SendTemplateWithMediaRequest(message_data=data))

    @endpoint
    def send_buttons(self, to: str, fields: Mapping[str, Any]) -> Call[SendMessageResponse]:
        """Interactive buttons. The body is undocumented: `fields` go into `messageData` next to `to` unchanged."""
        from megaapi_client.api.messages import send_buttons as op
        from megaapi_client.models import SendButtonsRequest, SendButtonsRequestMessageData

        extra = arguments.plain(fields, "fields")
        if "to" in extra:
            raise InvalidInputError("Give the recipient as `to`, not inside fields")
        data = SendButtonsRequestMessageData.from_dict({"to": jid.chat(to), **extra})
        return _send(op, SendButtonsRequest(message_data=data))


def _unset(value: Any) -> Any:
    from megaapi_client.types import UNSET

    return UNSET if value is None else value


def _media_fields(
    chat: str,
    kind: MediaType,
    mime_type: str,
    file_name: object,
    caption: object,
    gif_playback: object,
    view_once: object,
) -> dict[str, Any]:
    """The fields `sendMediaUrl` and `sendMediaBase64` share, checked."""
    return {
        "to": chat,
        "type_": kind,
        "mime_type": mime_type,
        "file_name": _unset(arguments.optional_text(file_name, "file_name", allow_empty=False)),
        "caption": _unset(arguments.optional_text(caption, "caption")),
        "gif_playback": _unset(arguments.optional_flag(gif_playback, "gif_playback")),
        "view_once": _unset(arguments.optional_flag(view_once, "view_once")),
    }


def _media_type(value: object, mime_type: str | None = None) -> MediaType:
    """The given media type, checked; without one, the type `mime_type` implies (when a MIME type is given)."""
    if value is None and mime_type is not None:
        from .. import media

        return media.media_type_for(mime_type)
    return arguments.choice(value, "media_type", _MEDIA_TYPES)  # type: ignore[return-value]


def _content(value: object) -> Any:
    from megaapi_client.models import WhatsAppMessageContent

    content = arguments.plain(value, "message")
    if not content:
        raise InvalidInputError(
            "message must be the WhatsApp message object of the original, e.g. {'conversation': ...}"
        )
    return WhatsAppMessageContent.from_dict(content)


def _section(value: object) -> ListSection:
    from megaapi_client.models import ListSection
    from megaapi_client.types import Unset

    section = arguments.model(value, ListSection, "section")
    if not isinstance(section.title, Unset):
        arguments.text(section.title, "section title", max_length=256, allow_empty=True)
    for row in arguments.many(section.rows, "section rows", lambda row: row):
        arguments.text(row.title, "row title", max_length=256)
        arguments.text(row.row_id, "rowId", max_length=256)
        if not isinstance(row.description, Unset):
            arguments.text(row.description, "row description", max_length=256, allow_empty=True)
    return section


def _button(value: object) -> TemplateButton:
    from megaapi_client.models import TemplateButton
    from megaapi_client.types import Unset

    button = arguments.model(value, TemplateButton, "button")
    if button.type_ not in ("replyButton", "urlButton", "callButton"):
        raise InvalidInputError(f"button type must be replyButton, urlButton or callButton, not {button.type_!r}")
    arguments.text(button.title, "button title", max_length=256)
    if not isinstance(button.payload, Unset):
        arguments.text(button.payload, "button payload", max_length=4096)
    return button
