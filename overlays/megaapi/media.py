"""Files to send and files received: reading a source, naming its type, and the base64 the API speaks.

`send_media` takes a path, bytes, a binary file object or a public URL. A URL is handed to the server
(`sendMediaUrl`); anything else is uploaded as a base64 data URL (`sendMediaBase64`), which the server refuses
above about 16 MB, so larger files are rejected here before any upload.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Literal, TypeAlias
from urllib.parse import urlsplit

from .errors import InvalidInputError

MediaType: TypeAlias = Literal["image", "video", "audio", "ptt", "ptv", "document"]
MediaSource: TypeAlias = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes]

# Reported limit of a base64 upload (HTTP 413 above it); WhatsApp's own limit for media is the same 16 MB.
MAX_UPLOAD_BYTES = 16 * 1024 * 1024
DEFAULT_MIME_TYPE = "application/octet-stream"

# Leading bytes of the formats people send most, for bytes that come without a file name.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"OggS", "audio/ogg"),
    (b"ID3", "audio/mpeg"),
    (b"PK\x03\x04", "application/zip"),
)


@dataclass(frozen=True, slots=True)
class Media:
    """A file ready to send: either its bytes or a URL the server downloads, plus its name and MIME type."""

    data: bytes | None
    url: str | None
    file_name: str | None
    mime_type: str


def load(source: MediaSource, *, file_name: str | None = None, mime_type: str | None = None) -> Media:
    """Read `source` (path, bytes, binary file object or http(s) URL) without sending anything."""
    if isinstance(source, str) and source.startswith(("http://", "https://")):
        name = file_name or PurePosixPath(urlsplit(source).path).name or None
        return Media(None, source, name, mime_type or _guess(name, b"") or DEFAULT_MIME_TYPE)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise InvalidInputError(f"No such file: {path}")
        _check_size(path.stat().st_size)
        data = path.read_bytes()
        name = file_name or path.name
    elif isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = file_name
    elif hasattr(source, "read"):
        data = source.read(MAX_UPLOAD_BYTES + 1)
        if not isinstance(data, bytes):
            raise InvalidInputError("File objects must be opened in binary mode ('rb')")
        name = file_name or _basename(getattr(source, "name", None))
    else:
        raise InvalidInputError(
            f"Media must be a path, bytes, a binary file object or an http(s) URL, not {type(source).__name__}"
        )
    if not data:
        raise InvalidInputError("The media file is empty")
    _check_size(len(data))
    return Media(data, None, name, mime_type or _guess(name, data) or DEFAULT_MIME_TYPE)


def media_type_for(mime_type: str) -> MediaType:
    """The API's media `type` for a MIME type. GIFs go as documents: WhatsApp does not take them as images."""
    major = mime_type.split("/", 1)[0].lower()
    if major == "image" and not mime_type.lower().startswith("image/gif"):
        return "image"
    if major == "video":
        return "video"
    if major == "audio":
        return "audio"
    return "document"


def data_url(data: bytes, mime_type: str) -> str:
    """`data:<mime>;base64,<data>`, the upload form seen working with `sendMediaBase64`."""
    return f"data:{mime_type};base64,{base64.b64encode(data).decode('ascii')}"


def decode(value: str) -> bytes:
    """File bytes from the base64 the API returns, raw or as a data URL."""
    payload = value.partition(",")[2] if value.startswith("data:") else value
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError("The media payload is not valid base64") from error


def _check_size(size: int) -> None:
    if size > MAX_UPLOAD_BYTES:
        raise InvalidInputError(
            f"The file has {size} bytes, above the {MAX_UPLOAD_BYTES // (1024 * 1024)} MB upload limit; "
            "host it and send its URL instead"
        )


def _guess(name: str | None, data: bytes) -> str | None:
    if name:
        guessed, _ = mimetypes.guess_type(name, strict=False)
        if guessed:
            return guessed
    for signature, mime_type in _SIGNATURES:
        if data.startswith(signature):
            return mime_type
    if data[4:8] == b"ftyp":
        return "video/mp4"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _basename(name: object) -> str | None:
    return os.path.basename(name) if isinstance(name, str) and name else None
