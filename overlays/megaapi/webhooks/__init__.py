"""Receive Mega-api webhook events: `parse` a delivery into a typed event, or serve `WebhookApp` (plain ASGI).

The event classes subclass the generated models of the same name in `megaapi_client.models`, adding read-only
conveniences (`chat_jid`, `sender_jid`, `text`, `media`, `reply_to`, ...). See docs/webhooks.md.
"""

from ._app import Handler, WebhookApp
from ._events import (
    KINDS,
    AckStatus,
    AudioEvent,
    ConnectionUpdateEvent,
    ContactEvent,
    ConversationEvent,
    DocumentEvent,
    Event,
    ExtendedTextEvent,
    ImageEvent,
    InteractiveEvent,
    Kind,
    LocationEvent,
    MessageAckEvent,
    QuotedMessage,
    StickerEvent,
    UnknownEvent,
    VideoEvent,
)
from ._parse import WebhookParseError, parse

__all__ = [
    "KINDS",
    "AckStatus",
    "AudioEvent",
    "ConnectionUpdateEvent",
    "ContactEvent",
    "ConversationEvent",
    "DocumentEvent",
    "Event",
    "ExtendedTextEvent",
    "Handler",
    "ImageEvent",
    "InteractiveEvent",
    "Kind",
    "LocationEvent",
    "MessageAckEvent",
    "QuotedMessage",
    "StickerEvent",
    "UnknownEvent",
    "VideoEvent",
    "WebhookApp",
    "WebhookParseError",
    "parse",
]
