"""`api.instance`: connection state, pairing, profile, media download and what the live session holds."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from megaapi_client import operation_table as wire

from .. import arguments, jid, media
from ..errors import InvalidInputError
from ..operations import Call, R, endpoint
from .derived import InstanceOperations

if TYPE_CHECKING:
    from collections.abc import Mapping

    from megaapi_client.models import (
        DownloadMediaResponse,
        MediaMessageKeys,
        ProfilePictureResponse,
        StatusResponse,
    )

    from ..models import CheckNumberResponse, MessageListResponse, PairingCodeResponse


_PICTURE_SIZES = frozenset({"image", "icon"})


def _qr_image(body: bytes) -> bytes:
    """The QR image in a getQrCode reply: the body itself, or the data-URL image of the HTML page it may be."""
    if body.lstrip()[:1] != b"<":
        return body
    import base64
    import re

    found = re.search(rb"data:image/[\w.+-]+;base64,([A-Za-z0-9+/=\s]+)", body)
    if found is None:
        raise ValueError("the QR code page holds no inline image; use get_qr_code_base_64 instead")
    return base64.b64decode(found.group(1))


class Instance(InstanceOperations[R]):
    @endpoint
    def get_qr_code(self) -> Call[bytes]:
        """The pairing QR code as image bytes (PNG), to show to whoever scans it from WhatsApp > Linked devices.

        Hosts may answer with the image or with an HTML page showing it; from a page, the inline image is returned.
        """
        return Call(wire.get_qr_code(), None, finish=_qr_image)

    @endpoint
    def get_pairing_code(
        self, phone_number: str, *, custom_pairing_code: str | None = None
    ) -> Call[PairingCodeResponse]:
        """A code to type on the phone (Linked devices > Link with phone number) instead of scanning a QR code.

        `phone_number` is the number being linked, in any common notation (`+55 11 99999-9999`).
        """
        from megaapi_client.types import UNSET

        from ..models import PairingCodeResponse

        code = arguments.optional_text(custom_pairing_code, "custom_pairing_code", allow_empty=False)
        request = wire.get_pairing_code(
            phone_number=jid.phone(phone_number), custom_pairing_code=UNSET if code is None else code
        )
        return Call(request, PairingCodeResponse)

    @endpoint
    def check_number(self, number: str) -> Call[CheckNumberResponse]:
        """Whether `number` (a phone number or contact JID) has WhatsApp; send to the returned `jid`."""

        from ..models import CheckNumberResponse

        return Call(wire.check_number(jid=jid.person(number)), CheckNumberResponse)

    @endpoint
    def download_media_message(self, media_keys: MediaMessageKeys | Mapping[str, Any]) -> Call[DownloadMediaResponse]:
        """Decrypt a received file; `data` in the reply is its base64. `download_media` returns the bytes instead."""
        from megaapi_client.models import DownloadMediaRequest, DownloadMediaResponse

        body = DownloadMediaRequest(message_keys=_media_keys(media_keys))
        return Call(wire.download_media_message(body=body), DownloadMediaResponse)

    @endpoint
    def download_media(self, media_keys: MediaMessageKeys | Mapping[str, Any] | None) -> Call[bytes]:
        """The decrypted bytes of a received file; pass `event.media` of a webhook event."""
        from megaapi_client.models import DownloadMediaRequest, DownloadMediaResponse
        from megaapi_client.types import Unset

        # Decoded as it arrives, like save_media: the JSON, the base64 string and the bytes are never held at once.
        buffer = io.BytesIO()

        def file_bytes(reply: DownloadMediaResponse) -> bytes:
            if isinstance(reply.data, Unset):
                raise ValueError("the reply carries no file data")
            return buffer.getvalue()

        body = DownloadMediaRequest(message_keys=_media_keys(media_keys))
        return Call(wire.download_media_message(body=body), DownloadMediaResponse, save_to=buffer, finish=file_bytes)

    @endpoint
    def save_media(
        self, media_keys: MediaMessageKeys | Mapping[str, Any] | None, path: str | os.PathLike[str]
    ) -> Call[Path]:
        """Download a received file into `path`, decoding it as it arrives (memory stays flat); returns the path."""
        from megaapi_client.models import DownloadMediaRequest, DownloadMediaResponse
        from megaapi_client.types import Unset

        target = media.destination(path)

        def saved(reply: DownloadMediaResponse) -> Path:
            if isinstance(reply.data, Unset):
                raise ValueError("the reply carries no file data")
            return target

        body = DownloadMediaRequest(message_keys=_media_keys(media_keys))
        return Call(wire.download_media_message(body=body), DownloadMediaResponse, save_to=target, finish=saved)

    @endpoint
    def get_profile_picture(
        self, to: str, *, size: Literal["image", "icon"] | None = None
    ) -> Call[ProfilePictureResponse]:
        """URL of the profile picture of a contact, group or `@lid` JID (`data`); `size="icon"` asks for a thumbnail."""
        from megaapi_client.models import ProfilePictureResponse
        from megaapi_client.types import UNSET

        if size is not None:
            arguments.choice(size, "size", _PICTURE_SIZES)
        return Call(
            wire.get_profile_picture(to=jid.chat(to), type_=UNSET if size is None else size), ProfilePictureResponse
        )

    @endpoint
    def set_profile_name(self, name: str) -> Call[StatusResponse]:
        """Change the display name of the connected account."""
        from megaapi_client.models import ProfileName, SetProfileNameRequest, StatusResponse

        body = SetProfileNameRequest(message_data=ProfileName(name=arguments.text(name, "name", max_length=256)))
        return Call(wire.set_profile_name(body=body), StatusResponse)

    @endpoint
    def set_profile_picture_url(self, to: str, url: str) -> Call[StatusResponse]:
        """Set the profile picture of `to` (your own JID, or a group you administer) from a public image URL."""
        from megaapi_client.models import ProfilePictureUrl, SetProfilePictureUrlRequest, StatusResponse

        body = SetProfilePictureUrlRequest(
            message_data=ProfilePictureUrl(to=jid.chat(to), url=arguments.http_url(url, "url"))
        )
        return Call(wire.set_profile_picture_url(body=body), StatusResponse)

    @endpoint
    def list_messages(self, chat_id: str | None = None) -> Call[MessageListResponse]:
        """Messages of a chat still held by the live session; Mega-api stores none, so this is no history API."""
        from megaapi_client.types import UNSET

        from ..models import MessageListResponse

        return Call(wire.list_messages(chat_id=UNSET if chat_id is None else jid.chat(chat_id)), MessageListResponse)


def _media_keys(value: MediaMessageKeys | Mapping[str, Any] | None) -> MediaMessageKeys:
    from megaapi_client.models import MediaMessageKeys

    if value is None:  # `event.media` of an event without a file, typed so that handlers need no check of their own
        raise InvalidInputError("media_keys is None: the event carries no file to download")

    keys = arguments.model(value, MediaMessageKeys, "media_keys")
    for name in ("media_key", "direct_path", "url", "mimetype", "message_type"):
        arguments.text(getattr(keys, name), f"media_keys.{name}")
    return keys
