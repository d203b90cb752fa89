"""Files to send and files received: reading a source, naming its type, and the base64 the API speaks.

`send_media` takes a path, bytes, a binary file object or a public URL. A URL is handed to the server
(`sendMediaUrl`); anything else is uploaded as a base64 data URL (`sendMediaBase64`), which the server refuses
above about 16 MB, so larger files are rejected here before any upload. Uploads are encoded while they are sent.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import os
import re
from collections.abc import AsyncIterator, Iterable, Iterator
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


class Media:
    """A file ready to send: a URL the server downloads, or content (bytes, or a file read when sending)."""

    __slots__ = ("content", "file_name", "mime_type", "size", "url")

    def __init__(
        self, url: str | None, content: bytes | Path | None, size: int, file_name: str | None, mime_type: str
    ) -> None:
        self.url = url
        self.content = content
        self.size = size
        self.file_name = file_name
        self.mime_type = mime_type

    def chunks(self, size: int = 3 * 65_536) -> Iterator[bytes]:
        """The content in pieces whose length is a multiple of 3, so each piece base64-encodes on its own."""
        if isinstance(self.content, Path):
            with self.content.open("rb") as file:
                while piece := file.read(size):
                    yield piece
        elif self.content is not None:
            view = memoryview(self.content)
            for start in range(0, len(view), size):
                yield bytes(view[start : start + size])


def load(source: MediaSource, *, file_name: str | None = None, mime_type: str | None = None) -> Media:
    """Check `source` (path, bytes, binary file object or http(s) URL) and describe it, without sending anything.

    A path is only opened to sniff its type; its content is read while the upload is sent.
    """
    if isinstance(source, str) and source.startswith(("http://", "https://")):
        name = file_name or PurePosixPath(urlsplit(source).path).name or None
        return Media(source, None, 0, name, mime_type or _guess(name, b"") or DEFAULT_MIME_TYPE)
    content: bytes | Path
    if isinstance(source, str) and "://" in source:
        scheme = source.partition("://")[0]
        raise InvalidInputError(
            f"{scheme}:// URLs are not accepted: give a path for a local file, or an http(s) URL the server can fetch"
        )
    if isinstance(source, str | os.PathLike):
        content = Path(source)
        try:
            if content.is_dir():
                raise InvalidInputError(f"{_shown(content)} is a folder; give the path of a file")
            if not content.is_file():
                raise InvalidInputError(f"No such file: {_shown(content)}")
            size = content.stat().st_size
            with content.open("rb") as file:
                head = file.read(16)
        except OSError as error:  # unreadable, a name too long, ...
            raise InvalidInputError(f"Cannot read {_shown(content)}: {error.strerror or error}") from None
        name = file_name or content.name
    elif isinstance(source, bytes | bytearray | memoryview):
        content = bytes(source)
        size, head, name = len(content), content[:16], file_name
    elif hasattr(source, "read"):
        try:
            content = source.read(MAX_UPLOAD_BYTES + 1)
        except (OSError, ValueError):  # a closed or unreadable file object
            raise InvalidInputError(
                "The media file object cannot be read: is it closed, or not open for reading?"
            ) from None
        if not isinstance(content, bytes):
            raise InvalidInputError("File objects must be opened in binary mode ('rb')")
        size, head, name = len(content), content[:16], file_name or _basename(getattr(source, "name", None))
    else:
        raise InvalidInputError(
            f"Media must be a path, bytes, a binary file object or an http(s) URL, not {type(source).__name__}"
        )
    if size == 0:
        raise InvalidInputError("The media file is empty")
    if size > MAX_UPLOAD_BYTES:
        raise InvalidInputError(
            f"The file has {size} bytes, above the {MAX_UPLOAD_BYTES // (1024 * 1024)} MB upload limit; "
            "host it and send its URL instead"
        )
    return Media(None, content, size, name, mime_type or _guess(name, head) or DEFAULT_MIME_TYPE)


class Base64Upload:
    """The JSON body of a base64 upload, produced piece by piece as it is sent.

    The generated client serialises the request with a placeholder in place of the file; the body is that JSON
    with the placeholder replaced by the data URL, whose base64 is encoded chunk by chunk from the content. Memory
    stays flat whatever the file size, and the body can be iterated again if the request is retried.
    """

    PLACEHOLDER = "megaapi-upload-placeholder-6f1d0c"

    def __init__(self, document: bytes, media: Media) -> None:
        placeholder = self.PLACEHOLDER.encode()
        before, found, after = document.partition(placeholder)
        if not found or placeholder in after:
            raise InvalidInputError(
                f"The message contains {self.PLACEHOLDER!r}, which megaapi reserves for the file's data; remove it"
            )
        self._head = before + f"data:{media.mime_type};base64,".encode()
        self._tail = after
        self._media = media
        self.length = len(self._head) + 4 * -(-media.size // 3) + len(self._tail)

    def __iter__(self) -> Iterator[bytes]:
        yield self._head
        for piece in self._media.chunks():
            yield base64.b64encode(piece)
        yield self._tail

    def for_async(self) -> _AsyncPieces:
        """The same body for httpx.AsyncClient, which takes async iterables only."""
        return _AsyncPieces(self)


class _AsyncPieces:
    def __init__(self, pieces: Iterable[bytes]) -> None:
        self._pieces = pieces

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self._pieces:
            yield piece


class Base64Field:
    """Decodes one top-level base64 string field of a JSON document into a file while the document streams in.

    `feed` takes the body chunk by chunk; the field's base64 (raw or a data URL, with `\\/` escapes as some JSON
    encoders write them) is decoded into `sink` as it arrives, and `document` is the rest of the JSON, with the
    field's value emptied, for ordinary parsing. Only a few kilobytes are held at any time.
    """

    _QUOTE, _BACKSLASH = 0x22, 0x5C
    _SPECIAL = re.compile(rb'["\\]')

    def __init__(self, name: str, sink: IO[bytes]) -> None:
        self._name = name.encode()
        self._sink = sink
        self._rest = bytearray()
        self._depth = 0
        self._in_string = self._escaped = self._in_field = self._field_escape = False
        self._string_start = 0
        self._last_string: bytes | None = None
        self._value_of: bytes | None = None
        self._head: bytes | None = b""  # the start of the value, until a data-URL prefix is ruled in or out
        self._pending = b""
        self.found = False
        self.decoded = 0

    def feed(self, chunk: bytes) -> None:
        position = 0
        while position < len(chunk):
            if self._in_field:
                position = self._feed_field(chunk, position)
            else:
                self._scan(chunk[position])
                position += 1

    def _scan(self, byte: int) -> None:
        self._rest.append(byte)
        if self._in_string:
            if self._escaped:
                self._escaped = False
            elif byte == self._BACKSLASH:
                self._escaped = True
            elif byte == self._QUOTE:
                self._in_string = False
                if self._depth == 1:
                    self._last_string = bytes(self._rest[self._string_start : -1])
        elif byte == self._QUOTE:
            if self._depth == 1 and self._value_of == self._name:
                self._in_field = self.found = True
                self._value_of = None
            else:
                self._in_string = True
                self._string_start = len(self._rest)
        elif byte in b"{[":
            self._depth += 1
        elif byte in b"}]":
            self._depth -= 1
        elif byte == ord(":") and self._depth == 1:
            self._value_of = self._last_string
        elif byte == ord(",") and self._depth == 1:
            self._value_of = None

    def _feed_field(self, chunk: bytes, position: int) -> int:
        if self._field_escape:
            self._field_escape = False
            escaped = chunk[position : position + 1]
            if escaped == b"/":
                self._take(b"/")
            elif escaped not in (b"n", b"r", b"t"):
                raise ValueError("unexpected escape in base64 data")
            return position + 1
        match = self._SPECIAL.search(chunk, position)
        end = len(chunk) if match is None else match.start()
        self._take(chunk[position:end])
        if match is None:
            return end
        if chunk[end] == self._QUOTE:
            self._in_field = False
            self._rest.append(self._QUOTE)
        else:
            self._field_escape = True
        return end + 1

    def _take(self, text: bytes) -> None:
        text = text.translate(None, b" \t\r\n")
        if self._head is not None:
            self._head += text
            if self._head.startswith(b"data:"):
                _, comma, text = self._head.partition(b",")
                if not comma:
                    return
            elif len(self._head) < 5 and b"data:".startswith(self._head):
                return
            else:
                text = self._head
            self._head = None
        data = self._pending + text
        usable = len(data) - len(data) % 4
        self.decoded += self._sink.write(base64.b64decode(data[:usable], validate=True))
        self._pending = data[usable:]

    def document(self) -> bytes:
        """The JSON without the field's content; call it once the whole body was fed."""
        if self._in_field or self._pending or (self._head is not None and self.found and self._head):
            raise ValueError("the base64 data ends in the middle")
        return bytes(self._rest)


def destination(path: object) -> Path:
    """Where `save_media` writes: a file path (not a folder) in a folder that exists."""
    if not isinstance(path, str | os.PathLike):
        raise InvalidInputError(f"path must be a str or a path, not {type(path).__name__}")
    try:
        target = Path(path)
    except TypeError:  # a PathLike of bytes
        raise InvalidInputError("path must be a str or a path of str") from None
    if "\x00" in str(target):
        raise InvalidInputError("path contains a NUL character")
    try:
        if target.is_dir():
            raise InvalidInputError(f"{_shown(target)} is a directory; give the file name to write")
        if not target.parent.is_dir():
            raise InvalidInputError(f"{_shown(target.parent)} does not exist; create it before saving into it")
    except OSError as error:  # a name too long, ...
        raise InvalidInputError(f"Cannot write {_shown(target)}: {error.strerror or error}") from None
    return target


def _shown(path: Path) -> str:
    """A path for a message, cut short: a huge argument is not copied into it."""
    text = str(path)
    return text if len(text) <= 120 else text[:60] + "..." + text[-57:]


# Names Windows reserves whatever the extension; characters it refuses in file names.
_RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul", "conin$", "conout$"} | {f"{d}{n}" for d in ("com", "lpt") for n in "123456789¹²³"}
)
_REFUSED_CHARACTERS = re.compile(r'[<>:"/\\|?*]')
_MAX_NAME_BYTES = 200


def safe_file_name(name: object, *, fallback: str, mime_type: str | None = None) -> str:
    """A file name from a sender-controlled `name` that is safe to join to a folder on any system.

    Folders are stripped (`../../x` gives `x`), as are control and format characters, characters Windows refuses,
    leading dots (no hidden files, no `..`) and trailing dots and spaces; names Windows reserves (`CON`, `nul.txt`)
    get a `_` prefix; the result is cut to 200 UTF-8 bytes, keeping the extension. When nothing usable is left,
    `fallback` (made safe the same way) with an extension from `mime_type` is used, and `media` if even that is empty.
    """
    cleaned = _clean_name(name if isinstance(name, str) else "")
    if not cleaned:
        extension = mimetypes.guess_extension(mime_type.split(";")[0].strip(), strict=False) if mime_type else None
        cleaned = _clean_name((_clean_name(fallback) or "media") + (extension or ""))
    return cleaned


def _clean_name(name: str) -> str:
    import unicodedata

    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Zl", "Zp"))
    name = _REFUSED_CHARACTERS.sub("_", name).lstrip(". ").rstrip(". ")
    if name.split(".", 1)[0].strip().lower() in _RESERVED_NAMES:
        name = "_" + name
    if len(name.encode()) > _MAX_NAME_BYTES:
        stem, dot, extension = name.rpartition(".")
        if not dot or len(extension.encode()) > 16:
            stem, extension = name, ""
        room = _MAX_NAME_BYTES - len(extension.encode()) - (1 if extension else 0)
        stem = stem.encode()[:room].decode(errors="ignore").rstrip(". ")
        name = f"{stem}.{extension}" if extension else stem
    return name


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


def decode(value: str) -> bytes:
    """File bytes from the base64 the API returns, raw or as a data URL."""
    payload = value.partition(",")[2] if value.startswith("data:") else value
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError("The media payload is not valid base64") from error


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
