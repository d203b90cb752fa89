"""The typed webhook events: the generated models, subclassed with conveniences and re-exported under their names.

Each class here subclasses the generated model of the same name (`isinstance(event, megaapi_client.models.ImageEvent)`
holds) and only adds read-only properties, so the generated fields, `to_dict()` and `from_dict()` work unchanged.
Every convenience returns None rather than raising when its field is absent.
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NamedTuple, Protocol, Self, TypeAlias

import attrs

from megaapi_client import models as generated
from megaapi_client.models import MediaMessageKeys
from megaapi_client.types import Unset

from .. import jid
from ..media import safe_file_name

if TYPE_CHECKING:
    from megaapi_client.models import ContextInfo, MessageKey

Kind: TypeAlias = Literal[
    "text",
    "image",
    "video",
    "audio",
    "document",
    "sticker",
    "location",
    "contact",
    "interactive",
    "ack",
    "connection",
    "unknown",
]
"""Short event types for dispatch; several `messageType`s can share one (`text`)."""
KINDS: frozenset[str] = frozenset(typing.get_args(Kind))

# 10**11 seconds is the year 5138 and 10**11 milliseconds is 1973: larger values can only be milliseconds.
_MILLISECONDS_FROM = 10**11


class AckStatus(enum.IntEnum):
    """Delivery status in a `message.ack` event. The values grow as the message progresses, so they compare."""

    ERROR = 0
    PENDING = 1
    SENT = 2  # accepted by WhatsApp's server
    DELIVERED = 3
    READ = 4
    PLAYED = 5  # a voice note or video was played


# Should a status arrive spelled out: WhatsApp's own names for the codes (SERVER_ACK, DELIVERY_ACK, ...) and ours.
_ACK_NAMES = {
    "ERROR": AckStatus.ERROR,
    "PENDING": AckStatus.PENDING,
    "SERVER_ACK": AckStatus.SENT,
    "SENT": AckStatus.SENT,
    "DELIVERY_ACK": AckStatus.DELIVERED,
    "DELIVERED": AckStatus.DELIVERED,
    "READ": AckStatus.READ,
    "PLAYED": AckStatus.PLAYED,
}


@dataclass(frozen=True, slots=True)
class QuotedMessage:
    """The message a reply quotes, from the reply's `contextInfo`."""

    id: str
    """Id of the quoted message (`contextInfo.stanzaId`)."""
    participant: str | None
    """JID of the quoted message's author, when the event names it."""
    content: dict[str, Any]
    """The quoted WhatsApp message object, e.g. `{"conversation": "..."}`; empty when the event does not carry it."""

    @property
    def text(self) -> str | None:
        """The quoted text or caption, when there is one."""
        return _text_of(self.content)


class _KeyParts(NamedTuple):
    chat_jid: str | None
    from_me: bool
    message_id: str | None
    participant: str | None


_NO_KEY = _KeyParts(None, False, None, None)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _nonempty(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _key_parts(key: MessageKey) -> _KeyParts:
    return _KeyParts(_nonempty(key.remote_jid), key.from_me, _nonempty(key.id), _nonempty(key.participant))


def _datetime(value: object) -> datetime | None:
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20:
        number = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        return None
    seconds = number / 1000 if number >= _MILLISECONDS_FROM else number
    try:
        return datetime.fromtimestamp(seconds, UTC) if seconds >= 0 else None
    except (OverflowError, OSError, ValueError):
        return None


def _text_of(content: Mapping[str, Any]) -> str | None:
    conversation = content.get("conversation")
    if isinstance(conversation, str):
        return conversation
    for kind, field in (
        ("extendedTextMessage", "text"),
        ("imageMessage", "caption"),
        ("videoMessage", "caption"),
        ("documentMessage", "caption"),
    ):
        inner = content.get(kind)
        if isinstance(inner, Mapping) and isinstance(inner.get(field), str):
            return str(inner[field])
    return None


def _quoted(context: object) -> QuotedMessage | None:
    if isinstance(context, generated.ContextInfo):
        context = context.to_dict()
    if not isinstance(context, Mapping):
        return None
    stanza_id = _nonempty(context.get("stanzaId"))
    if stanza_id is None:
        return None
    quoted = context.get("quotedMessage")
    return QuotedMessage(
        id=stanza_id,
        participant=_nonempty(context.get("participant")),
        content=dict(quoted) if isinstance(quoted, Mapping) else {},
    )


class _Typed(Protocol):
    """What `_EventBase` needs from the generated class it is mixed into."""

    @property
    def message_type(self) -> str: ...
    @property
    def message_id(self) -> str | None: ...
    @property
    def chat_jid(self) -> str | None: ...
    @property
    def from_me(self) -> bool: ...


class _EventBase:
    """Conveniences every event offers; each reads the fields its event type has and is None otherwise."""

    __slots__ = ()
    kind: ClassVar[Kind]
    """Short event type used for dispatch: `text`, `image`, ..., `ack`, `connection` or `unknown`."""

    def _key(self) -> _KeyParts:
        return _NO_KEY

    def _own_jid(self) -> str | None:
        return None

    @property
    def message_id(self) -> str | None:
        """`key.id`: the WhatsApp message id (of the acknowledged message, in an ack)."""
        return self._key().message_id

    @property
    def chat_jid(self) -> str | None:
        """`key.remoteJid`: the chat, a contact (`...@s.whatsapp.net`, `...@lid`) or a group (`...@g.us`)."""
        return self._key().chat_jid

    @property
    def is_group(self) -> bool:
        chat = self.chat_jid
        return chat is not None and jid.is_group(chat)

    @property
    def from_me(self) -> bool:
        """`key.fromMe`: True when the connected number sent the message."""
        return self._key().from_me

    @property
    def sender_jid(self) -> str | None:
        """Who sent the message: `key.participant` when present (groups), the connected number's `jid` for own
        messages, the chat for a one-to-one chat, and None when the event does not say (a group without participant).
        """
        key = self._key()
        if key.participant:
            return key.participant
        if key.from_me:
            return self._own_jid()
        if self.is_group:
            return None
        return key.chat_jid

    @property
    def text(self) -> str | None:
        """The text of a text message, or the caption of an image, video or document."""
        return None

    @property
    def media(self) -> MediaMessageKeys | None:
        """What `downloadMediaMessage` needs to fetch this event's file; None for events without one."""
        return None

    @property
    def reply_to(self) -> QuotedMessage | None:
        """The message this one replies to, when it is a reply."""
        return None

    def __repr__(self: _Typed) -> str:
        # Short on purpose: the generated repr would print whole thumbnails and the instance key.
        return (
            f"{type(self).__name__}(message_type={self.message_type!r}, id={self.message_id!r}, "
            f"chat={self.chat_jid!r}, from_me={self.from_me!r})"
        )


class _Timed(_EventBase):
    """Events whose time is a Unix timestamp in seconds (or milliseconds), as a number or a string."""

    __slots__ = ()

    def _time(self) -> object:
        raise NotImplementedError

    @property
    def timestamp(self) -> datetime | None:
        """When it happened, as an aware UTC datetime; None when the event does not say."""
        return _datetime(self._time())


class _MessageEvent(_Timed):
    """A received or sent message: the envelope shared by every message type."""

    __slots__ = ()

    if TYPE_CHECKING:
        key: MessageKey
        jid: str | Unset
        message_timestamp: int | str | Unset
        push_name: str | Unset

    def _key(self) -> _KeyParts:
        return _key_parts(self.key)

    def _own_jid(self) -> str | None:
        return _nonempty(self.jid)

    @property
    def chat_jid(self) -> str:
        """`key.remoteJid`: the chat, a contact (`...@s.whatsapp.net`, `...@lid`) or a group (`...@g.us`); every
        message event has one, so it can go straight to `send_text(event.chat_jid, ...)`."""
        return self.key.remote_jid

    def _time(self) -> object:
        return self.message_timestamp

    @property
    def sender_name(self) -> str | None:
        """`pushName`: the sender's display name."""
        return _nonempty(self.push_name)


class _MediaFields(Protocol):
    @property
    def url(self) -> str | Unset: ...
    @property
    def mimetype(self) -> str | Unset: ...
    @property
    def media_key(self) -> str | Unset: ...
    @property
    def direct_path(self) -> str | Unset: ...
    @property
    def caption(self) -> str | Unset: ...
    @property
    def context_info(self) -> ContextInfo | Unset: ...


class _MediaEvent(_MessageEvent):
    __slots__ = ()
    media_kind: ClassVar[str]
    """The short kind `downloadMediaMessage` expects: image, video, audio, document or sticker."""

    def _content(self) -> _MediaFields | Unset:
        raise NotImplementedError

    @property
    def text(self) -> str | None:
        content = self._content()
        return None if isinstance(content, Unset) else _text(content.caption)

    @property
    def media(self) -> MediaMessageKeys | None:
        content = self._content()
        if isinstance(content, Unset):
            return None
        media_key, direct_path, url, mimetype = content.media_key, content.direct_path, content.url, content.mimetype
        if not (
            isinstance(media_key, str)
            and isinstance(direct_path, str)
            and isinstance(url, str)
            and isinstance(mimetype, str)
        ):
            return None
        return MediaMessageKeys(
            media_key=media_key,
            direct_path=direct_path,
            url=url,
            mimetype=mimetype,
            message_type=self.media_kind,
        )

    @property
    def reply_to(self) -> QuotedMessage | None:
        content = self._content()
        return None if isinstance(content, Unset) else _quoted(content.context_info)

    @property
    def file_name(self) -> str | None:
        """The name the sender gave the file (documents carry one). Never join it to a folder: see `safe_file_name`."""
        return _text(getattr(self._content(), "file_name", None))

    @property
    def safe_file_name(self) -> str:
        """A name to save the file under, never empty: the sender's name stripped of folders, control characters and
        reserved names, else the message id with an extension for its type (`3EB0C767D26A1D4B1F9E.jpg`)."""
        content = self._content()
        mimetype = None if isinstance(content, Unset) else _text(content.mimetype)
        return safe_file_name(self.file_name, fallback=self.message_id or self.media_kind, mime_type=mimetype)


class ConversationEvent(_MessageEvent, generated.ConversationEvent):
    """A plain text message (`messageType: conversation`)."""

    __slots__ = ()
    kind = "text"

    @property
    def text(self) -> str | None:
        return _text(self.message.conversation)


class ExtendedTextEvent(_MessageEvent, generated.ExtendedTextEvent):
    """Text with a quote, mention, link preview or timer (`messageType: extendedTextMessage`)."""

    __slots__ = ()
    kind = "text"

    @property
    def text(self) -> str | None:
        # One vendor example carries the text in `conversation` instead of `extendedTextMessage.text`.
        content = self.message.extended_text_message
        if not isinstance(content, Unset) and isinstance(content.text, str):
            return content.text
        return _text(self.message.conversation)

    @property
    def reply_to(self) -> QuotedMessage | None:
        content = self.message.extended_text_message
        return None if isinstance(content, Unset) else _quoted(content.context_info)


class ImageEvent(_MediaEvent, generated.ImageEvent):
    __slots__ = ()
    kind = "image"
    media_kind = "image"

    def _content(self) -> _MediaFields | Unset:
        return self.message.image_message


class VideoEvent(_MediaEvent, generated.VideoEvent):
    __slots__ = ()
    kind = "video"
    media_kind = "video"

    def _content(self) -> _MediaFields | Unset:
        return self.message.video_message


class AudioEvent(_MediaEvent, generated.AudioEvent):
    """An audio file or, when `is_voice_note`, a voice note recorded in WhatsApp."""

    __slots__ = ()
    kind = "audio"
    media_kind = "audio"

    def _content(self) -> _MediaFields | Unset:
        return self.message.audio_message

    @property
    def is_voice_note(self) -> bool:
        content = self.message.audio_message
        return not isinstance(content, Unset) and content.ptt is True


class DocumentEvent(_MediaEvent, generated.DocumentEvent):
    __slots__ = ()
    kind = "document"
    media_kind = "document"

    def _content(self) -> _MediaFields | Unset:
        return self.message.document_message


class StickerEvent(_MediaEvent, generated.StickerEvent):
    __slots__ = ()
    kind = "sticker"
    media_kind = "sticker"

    def _content(self) -> _MediaFields | Unset:
        return self.message.sticker_message


class LocationEvent(_MessageEvent, generated.LocationEvent):
    __slots__ = ()
    kind = "location"

    @property
    def reply_to(self) -> QuotedMessage | None:
        content = self.message.location_message
        return None if isinstance(content, Unset) else _quoted(content.context_info)


class ContactEvent(_MessageEvent, generated.ContactEvent):
    __slots__ = ()
    kind = "contact"

    @property
    def reply_to(self) -> QuotedMessage | None:
        content = self.message.contact_message
        return None if isinstance(content, Unset) else _quoted(content.context_info)


class InteractiveEvent(_MessageEvent, generated.InteractiveEvent):
    """Newer content under `messageType: messageContextInfo`: list and button replies, orders, polls, catalogues."""

    __slots__ = ()
    kind = "interactive"

    @property
    def selected_id(self) -> str | None:
        """The id of the chosen option: a button's id, or the `rowId` of a list option."""
        buttons = self.message.buttons_response_message
        if not isinstance(buttons, Unset):
            return _nonempty(buttons.selected_button_id)
        choice = self.message.list_response_message
        if isinstance(choice, Unset) or isinstance(choice.single_select_reply, Unset):
            return None
        return _nonempty(choice.single_select_reply.selected_row_id)

    @property
    def selected_text(self) -> str | None:
        """What the contact saw on the chosen button or list option."""
        buttons = self.message.buttons_response_message
        if not isinstance(buttons, Unset):
            return _text(buttons.selected_display_text)
        choice = self.message.list_response_message
        return None if isinstance(choice, Unset) else _text(choice.title)

    @property
    def reply_to(self) -> QuotedMessage | None:
        message = self.message
        for typed in (message.list_response_message, message.buttons_response_message):
            if not isinstance(typed, Unset):
                return _quoted(typed.context_info)
        for untyped in (message.interactive_message, message.interactive_response_message):
            if not isinstance(untyped, Unset):
                return _quoted(untyped.additional_properties.get("contextInfo"))
        return None


class MessageAckEvent(_Timed, generated.MessageAckEvent):
    """A status change of a message the instance sent. `ack` says which; the `is_*` helpers say how far it got."""

    __slots__ = ()
    kind = "ack"

    def _key(self) -> _KeyParts:
        return _NO_KEY if isinstance(self.key, Unset) else _key_parts(self.key)

    def _time(self) -> object:
        # No ack example exists; read a time if the delivery carries one under either usual name.
        extra = self.additional_properties
        return extra.get("messageTimestamp", extra.get("timestamp"))

    @property
    def ack_code(self) -> int | None:
        """`update.status` as a number, including codes `AckStatus` does not know; None when absent or unreadable."""
        if isinstance(self.update, Unset):
            return None
        status = self.update.status
        if isinstance(status, str):
            if status.isascii() and status.isdigit() and len(status) <= 3:
                return int(status)
            named = _ACK_NAMES.get(status.upper())
            return None if named is None else int(named)
        return None if isinstance(status, Unset) else status

    @property
    def ack(self) -> AckStatus | None:
        code = self.ack_code
        return AckStatus(code) if code is not None and code in AckStatus._value2member_map_ else None

    @property
    def is_sent(self) -> bool:
        """True once WhatsApp's server has the message (status 2 or later)."""
        ack = self.ack
        return ack is not None and ack >= AckStatus.SENT

    @property
    def is_delivered(self) -> bool:
        """True once the message reached the recipient's phone (status 3 or later, so also when read)."""
        ack = self.ack
        return ack is not None and ack >= AckStatus.DELIVERED

    @property
    def is_read(self) -> bool:
        """True once the recipient opened the message (status 4, or 5 for a played voice note or video)."""
        ack = self.ack
        return ack is not None and ack >= AckStatus.READ


class ConnectionUpdateEvent(_EventBase, generated.ConnectionUpdateEvent):
    """The instance's connection changed; `state` holds the new state whichever field carried it.

    Unlike the other events, `timestamp` here is the generated field as delivered (the payload has a `timestamp`
    field of its own); `changed_at` is that time as a datetime.
    """

    __slots__ = ()
    kind = "connection"

    def _own_jid(self) -> str | None:
        return _nonempty(self.jid)

    @property
    def changed_at(self) -> datetime | None:
        """`timestamp` as an aware UTC datetime."""
        return _datetime(self.timestamp)

    @property
    def state(self) -> str | None:
        """`message` (newer deliveries, e.g. `phone_connected`) or else `connection_state` (older ones)."""
        return _nonempty(self.message) or _nonempty(self.connection_state)


@attrs.define(repr=False)
class UnknownEvent(_Timed, generated.UnknownEvent):
    """An event of a type the spec does not list, or of a listed type whose fields do not match it.

    `raw` is the payload exactly as delivered. `reason` is None for a type the spec does not list; for a listed type
    that does not match, it says where (`"key: expected an object, got a string"`). The envelope conveniences
    (`chat_jid`, `sender_jid`, `from_me`, `message_id`, `timestamp`) still read `raw` where its fields are usable.
    `message_type` is `""` when the payload has no string `messageType`.
    """

    kind: ClassVar[Kind] = "unknown"
    raw: dict[str, Any] = attrs.field(factory=dict, kw_only=True)
    reason: str | None = attrs.field(default=None, kw_only=True)

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any], *, reason: str | None = None) -> Self:
        raw = dict(src_dict)
        message_type = raw.get("messageType")
        event = cls(message_type=message_type if isinstance(message_type, str) else "", raw=raw, reason=reason)
        event.additional_properties = {name: value for name, value in raw.items() if name != "messageType"}
        return event

    def _key(self) -> _KeyParts:
        key = self.raw.get("key")
        if not isinstance(key, Mapping):
            return _NO_KEY
        return _KeyParts(
            _nonempty(key.get("remoteJid")),
            key.get("fromMe") is True,
            _nonempty(key.get("id")),
            _nonempty(key.get("participant")),
        )

    def _own_jid(self) -> str | None:
        return _nonempty(self.raw.get("jid"))

    def _time(self) -> object:
        return self.raw.get("messageTimestamp", self.raw.get("timestamp"))

    def __repr__(self) -> str:
        return f"{super().__repr__()[:-1]}, reason={self.reason!r})"


Event: TypeAlias = (
    ConversationEvent
    | ExtendedTextEvent
    | ImageEvent
    | VideoEvent
    | AudioEvent
    | DocumentEvent
    | StickerEvent
    | LocationEvent
    | ContactEvent
    | InteractiveEvent
    | MessageAckEvent
    | ConnectionUpdateEvent
    | UnknownEvent
)
"""Any event `parse` returns."""

TypedEvent: TypeAlias = (
    ConversationEvent
    | ExtendedTextEvent
    | ImageEvent
    | VideoEvent
    | AudioEvent
    | DocumentEvent
    | StickerEvent
    | LocationEvent
    | ContactEvent
    | InteractiveEvent
    | MessageAckEvent
    | ConnectionUpdateEvent
)

# messageType -> class; the `const` values of the spec's WebhookEvent variants.
EVENT_TYPES: dict[str, type[TypedEvent]] = {
    "conversation": ConversationEvent,
    "extendedTextMessage": ExtendedTextEvent,
    "imageMessage": ImageEvent,
    "videoMessage": VideoEvent,
    "audioMessage": AudioEvent,
    "documentMessage": DocumentEvent,
    "stickerMessage": StickerEvent,
    "locationMessage": LocationEvent,
    "contactMessage": ContactEvent,
    "messageContextInfo": InteractiveEvent,
    "message.ack": MessageAckEvent,
    "connection_update": ConnectionUpdateEvent,
}
