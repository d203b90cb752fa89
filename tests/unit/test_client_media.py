"""Media helpers: `send_media` from a path, bytes, a file object or a URL; `download_media` and `save_media`."""

from __future__ import annotations

import base64
import io
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from unit_calls import MEDIA_KEYS
from unit_wire import SENT, Wire, ok

from megaapi import APIResponseValidationError, AsyncMegaApi, InvalidInputError, MegaApi, NotFoundError
from megaapi.media import MAX_UPLOAD_BYTES

TO = "5511999999999@s.whatsapp.net"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 3
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
GIF = b"GIF89a" + b"\x01\x00\x01\x00" + b"\x00" * 20
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
OGG = b"OggS\x00\x02" + b"\x00" * 30
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 30


def _sent(wire: Wire) -> dict[str, Any]:
    request = wire.only()
    assert request.headers["content-type"] == "application/json"
    message: dict[str, Any] = json.loads(request.content)["messageData"]
    return message


def _uploaded(message: dict[str, Any]) -> tuple[str, bytes]:
    prefix, _, payload = message["base64"].partition(",")
    return prefix, base64.b64decode(payload, validate=True)


def test_a_path_is_uploaded_with_its_name_and_type(api: MegaApi, wire: Wire, tmp_path: Path) -> None:
    photo = tmp_path / "foto da loja.jpg"
    photo.write_bytes(JPEG)
    wire.reply(json_body=SENT)

    api.messages.send_media("+55 11 99999-9999", photo, caption="Nova coleção")

    assert wire.only().url.path.endswith("/mediaBase64")
    message = _sent(wire)
    assert {k: v for k, v in message.items() if k != "base64"} == {
        "to": TO,
        "type": "image",
        "mimeType": "image/jpeg",
        "fileName": "foto da loja.jpg",
        "caption": "Nova coleção",
    }
    assert _uploaded(message) == ("data:image/jpeg;base64", JPEG)


def test_a_path_given_as_a_string_works_too(api: MegaApi, wire: Wire, tmp_path: Path) -> None:
    document = tmp_path / "boleto.pdf"
    document.write_bytes(PDF)
    wire.reply(json_body=SENT)
    api.messages.send_media(TO, str(document))
    message = _sent(wire)
    assert (message["type"], message["mimeType"], message["fileName"]) == ("document", "application/pdf", "boleto.pdf")
    assert _uploaded(message)[1] == PDF


@pytest.mark.parametrize(
    ("content", "mime_type", "media_type"),
    [
        (JPEG, "image/jpeg", "image"),
        (PNG, "image/png", "image"),
        (GIF, "image/gif", "document"),
        (PDF, "application/pdf", "document"),
        (OGG, "audio/ogg", "audio"),
        (MP4, "video/mp4", "video"),
        (b"just some bytes", "application/octet-stream", "document"),
    ],
    ids=["jpeg", "png", "gif", "pdf", "ogg", "mp4", "unknown"],
)
def test_bytes_are_typed_from_their_content(
    api: MegaApi, wire: Wire, content: bytes, mime_type: str, media_type: str
) -> None:
    wire.reply(json_body=SENT)
    api.messages.send_media(TO, content)
    message = _sent(wire)
    assert (message["mimeType"], message["type"]) == (mime_type, media_type)
    assert "fileName" not in message
    assert _uploaded(message) == (f"data:{mime_type};base64", content)


@pytest.mark.parametrize(
    ("name", "mime_type", "media_type"),
    [
        ("clip.mp4", "video/mp4", "video"),
        ("voice.mp3", "audio/mpeg", "audio"),
        ("anim.gif", "image/gif", "document"),
        ("photo.png", "image/png", "image"),
        ("sheet.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "document"),
    ],
)
def test_a_file_name_decides_the_type(api: MegaApi, wire: Wire, name: str, mime_type: str, media_type: str) -> None:
    wire.reply(json_body=SENT)
    api.messages.send_media(TO, b"\x00\x01\x02 data", file_name=name)
    message = _sent(wire)
    assert (message["mimeType"], message["type"], message["fileName"]) == (mime_type, media_type, name)


def test_a_binary_file_object_is_uploaded_with_its_name(api: MegaApi, wire: Wire, tmp_path: Path) -> None:
    (tmp_path / "menu.pdf").write_bytes(PDF)
    wire.reply(json_body=SENT)
    with (tmp_path / "menu.pdf").open("rb") as file:
        api.messages.send_media(TO, file)
    message = _sent(wire)
    assert (message["fileName"], message["type"], message["mimeType"]) == ("menu.pdf", "document", "application/pdf")
    assert _uploaded(message)[1] == PDF


def test_an_in_memory_file_object_is_typed_from_its_content(api: MegaApi, wire: Wire) -> None:
    wire.reply(json_body=SENT)
    api.messages.send_media(TO, io.BytesIO(GIF), gif_playback=True)
    message = _sent(wire)
    assert (message["type"], message["mimeType"], message["gifPlayback"]) == ("document", "image/gif", True)
    assert _uploaded(message)[1] == GIF


def test_explicit_types_win(api: MegaApi, wire: Wire) -> None:
    wire.reply(json_body=SENT)
    api.messages.send_media(TO, OGG, mime_type="audio/ogg; codecs=opus", media_type="ptt", view_once=True)
    message = _sent(wire)
    assert (message["type"], message["mimeType"], message["viewOnce"]) == ("ptt", "audio/ogg; codecs=opus", True)
    assert message["base64"].startswith("data:audio/ogg; codecs=opus;base64,")


@pytest.mark.parametrize(
    ("url", "mime_type", "media_type", "file_name"),
    [
        ("https://cdn.example.com/promo/video.mp4", "video/mp4", "video", "video.mp4"),
        ("https://cdn.example.com/catalogo.pdf?v=2", "application/pdf", "document", "catalogo.pdf"),
        ("http://cdn.example.com/banner.webp", "image/webp", "image", "banner.webp"),
    ],
)
def test_a_url_goes_to_send_media_url(
    api: MegaApi, wire: Wire, url: str, mime_type: str, media_type: str, file_name: str
) -> None:
    wire.reply(json_body=SENT)
    api.messages.send_media(TO, url, caption="Veja")
    assert wire.only().url.path.endswith("/mediaUrl")
    assert _sent(wire) == {
        "to": TO,
        "url": url,
        "type": media_type,
        "mimeType": mime_type,
        "fileName": file_name,
        "caption": "Veja",
    }


def test_a_url_without_a_name_is_a_document(api: MegaApi, wire: Wire) -> None:
    wire.reply(json_body=SENT)
    api.messages.send_media(TO, "https://cdn.example.com/")
    message = _sent(wire)
    assert (message["type"], message["mimeType"]) == ("document", "application/octet-stream")
    assert "fileName" not in message


async def test_send_media_async(async_api: AsyncMegaApi, wire: Wire, tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(MP4 * 1000)
    wire.reply(json_body=SENT)
    await async_api.messages.send_media(TO, video)
    message = _sent(wire)
    assert (message["type"], message["fileName"]) == ("video", "clip.mp4")
    assert _uploaded(message)[1] == MP4 * 1000


def test_a_large_upload_arrives_whole(api: MegaApi, wire: Wire, tmp_path: Path) -> None:
    content = bytes(range(256)) * 8191 + b"tail"  # not a multiple of the encoder's chunk size
    big = tmp_path / "big.bin"
    big.write_bytes(content)
    wire.reply(json_body=SENT)
    api.messages.send_media(TO, big)
    request = wire.only()
    assert len(request.content) == int(request.headers["content-length"])
    assert _uploaded(_sent(wire))[1] == content


def test_a_file_of_exactly_the_limit_is_sent(api: MegaApi, wire: Wire, tmp_path: Path) -> None:
    edge = tmp_path / "edge.bin"
    with edge.open("wb") as file:
        file.truncate(MAX_UPLOAD_BYTES)
    wire.reply(json_body=SENT)
    api.messages.send_media(TO, edge)
    assert len(wire.requests) == 1


def _oversized_path(tmp_path: Path) -> Path:
    path = tmp_path / "too-big.mp4"
    with path.open("wb") as file:
        file.truncate(MAX_UPLOAD_BYTES + 1)  # sparse: no disk space used
    return path


@pytest.mark.parametrize("kind", ["path", "bytes", "file object"])
def test_files_over_16_mb_are_refused_before_any_request(api: MegaApi, wire: Wire, tmp_path: Path, kind: str) -> None:
    source: Any
    if kind == "path":
        source = _oversized_path(tmp_path)
    elif kind == "bytes":
        source = bytes(MAX_UPLOAD_BYTES + 1)
    else:
        source = io.BytesIO(bytes(MAX_UPLOAD_BYTES + 1))
    with pytest.raises(InvalidInputError, match="16 MB"):
        api.messages.send_media(TO, source)
    with pytest.raises(InvalidInputError, match="16 MB"):
        api.messages.send_media_base_64(TO, bytes(MAX_UPLOAD_BYTES + 1), media_type="video", mime_type="video/mp4")
    assert wire.requests == []


def test_unusable_sources_are_refused(api: MegaApi, wire: Wire, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    text_file = tmp_path / "note.txt"
    text_file.write_text("hello")
    sources: list[Any] = [empty, b"", tmp_path / "missing.jpg", "not a url or a file", tmp_path, 42, None]
    for source in sources:
        with pytest.raises(InvalidInputError):
            api.messages.send_media(TO, source)
    with text_file.open() as opened, pytest.raises(InvalidInputError, match="binary"):
        api.messages.send_media(TO, opened)  # type: ignore[arg-type]
    assert wire.requests == []


def _download_reply(data: Any) -> dict[str, Any]:
    return ok(message="Media downloaded", data=data)


@pytest.mark.parametrize(
    "data",
    [base64.b64encode(JPEG).decode(), "data:image/jpeg;base64," + base64.b64encode(JPEG).decode()],
    ids=["raw base64", "data url"],
)
def test_download_media_returns_the_bytes(api: MegaApi, wire: Wire, data: str) -> None:
    wire.reply(json_body=_download_reply(data))
    assert api.instance.download_media(MEDIA_KEYS) == JPEG
    request = wire.only()
    assert request.url.path.endswith("/rest/instance/downloadMediaMessage/megastart-UnitKey7Zq")
    assert json.loads(request.content) == {"messageKeys": MEDIA_KEYS}


async def test_download_media_async(async_api: AsyncMegaApi, wire: Wire) -> None:
    wire.reply(json_body=_download_reply("data:image/png;base64," + base64.b64encode(PNG).decode()))
    assert await async_api.instance.download_media(MEDIA_KEYS) == PNG


def test_download_media_retried_after_a_cut_answer_returns_the_file_once(api: MegaApi, wire: Wire) -> None:
    document = json.dumps(_download_reply(base64.b64encode(JPEG * 50).decode())).encode()

    def cut(request: httpx.Request) -> httpx.Response:
        def pieces() -> Iterator[bytes]:
            yield document[: len(document) // 2]
            raise httpx.ReadError("connection reset", request=request)

        return httpx.Response(200, headers={"content-type": "application/json"}, content=pieces())

    wire.answer(cut)
    wire.reply(content=document, headers={"content-type": "application/json"})
    assert api.instance.download_media(MEDIA_KEYS) == JPEG * 50
    assert len(wire.requests) == 2


BAD_DATA = {
    "not base64": "data:image/jpeg;base64,@@not-base64@@",
    "raw garbage": "%%%",
    "bad padding": "abc",
    "empty": "",
    "missing": None,
}


@pytest.mark.parametrize("data", BAD_DATA.values(), ids=BAD_DATA.keys())
def test_download_media_refuses_bad_base64(api: MegaApi, wire: Wire, data: Any) -> None:
    wire.reply(json_body=_download_reply(data) if data is not None else ok(message="Media downloaded"))
    with pytest.raises(APIResponseValidationError) as raised:
        api.instance.download_media(MEDIA_KEYS)
    assert raised.value.status_code == 200


def test_save_media_writes_the_file(api: MegaApi, wire: Wire, tmp_path: Path) -> None:
    wire.reply(json_body=_download_reply("data:image/jpeg;base64," + base64.b64encode(JPEG).decode()))
    target = tmp_path / "received.jpg"
    assert api.instance.save_media(MEDIA_KEYS, target) == target
    assert target.read_bytes() == JPEG
    assert sorted(p.name for p in tmp_path.iterdir()) == ["received.jpg"]


def test_save_media_reads_escaped_slashes_and_chunked_bodies(api: MegaApi, wire: Wire, tmp_path: Path) -> None:
    content = b"\xff" * 3000 + JPEG  # base64 full of "/"
    document = json.dumps(_download_reply("data:image/jpeg;base64," + base64.b64encode(content).decode()))
    escaped = document.replace("/", "\\/").encode()

    def pieces() -> Iterator[bytes]:
        for start in range(0, len(escaped), 7):
            yield escaped[start : start + 7]

    wire.answer(lambda request: httpx.Response(200, headers={"content-type": "application/json"}, content=pieces()))
    target = tmp_path / "chunked.jpg"
    api.instance.save_media(MEDIA_KEYS, str(target))
    assert target.read_bytes() == content


async def test_save_media_async(async_api: AsyncMegaApi, wire: Wire, tmp_path: Path) -> None:
    wire.reply(json_body=_download_reply(base64.b64encode(PDF).decode()))
    target = tmp_path / "doc.pdf"
    assert await async_api.instance.save_media(MEDIA_KEYS, target) == target
    assert target.read_bytes() == PDF


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(BAD_DATA["not base64"], id="not base64"),
        pytest.param(BAD_DATA["raw garbage"], id="raw garbage"),
        pytest.param(BAD_DATA["bad padding"], id="bad padding"),
        pytest.param("data:image/png;base64,iVBORw0KGgo" + "*" * 40, id="garbage after good data"),
    ],
)
def test_save_media_refuses_bad_base64_and_leaves_no_file(api: MegaApi, wire: Wire, tmp_path: Path, data: str) -> None:
    wire.reply(json_body=_download_reply(data))
    with pytest.raises(APIResponseValidationError):
        api.instance.save_media(MEDIA_KEYS, tmp_path / "broken.jpg")
    assert list(tmp_path.iterdir()) == []


def test_save_media_without_data_leaves_no_file(api: MegaApi, wire: Wire, tmp_path: Path) -> None:
    wire.reply(json_body=ok(message="Media downloaded"))
    with pytest.raises(APIResponseValidationError):
        api.instance.save_media(MEDIA_KEYS, tmp_path / "nothing.jpg")
    assert list(tmp_path.iterdir()) == []


def test_save_media_error_status_leaves_no_file(api: MegaApi, wire: Wire, tmp_path: Path) -> None:
    wire.reply(404, json_body={"error": True, "message": "media expired"})
    with pytest.raises(NotFoundError, match="media expired"):
        api.instance.save_media(MEDIA_KEYS, tmp_path / "gone.jpg")
    assert list(tmp_path.iterdir()) == []


def test_save_media_into_a_directory_is_refused_before_any_request(api: MegaApi, wire: Wire, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError):
        api.instance.save_media(MEDIA_KEYS, tmp_path)
    assert wire.requests == []


def test_save_media_does_not_follow_a_symlink_planted_next_to_the_target(
    api: MegaApi, wire: Wire, tmp_path: Path
) -> None:
    """Failed before: the download was written through `<path>.part`, a symlink here, overwriting its target."""
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "photo.jpg.part").symlink_to(victim)
    wire.reply(json_body=_download_reply(base64.b64encode(JPEG).decode()))
    api.instance.save_media(MEDIA_KEYS, inbox / "photo.jpg")
    assert victim.read_bytes() == b"precious"
    assert (inbox / "photo.jpg").read_bytes() == JPEG
    assert sorted(p.name for p in inbox.iterdir()) == ["photo.jpg", "photo.jpg.part"]


def test_save_media_replaces_a_symlink_at_the_target_instead_of_writing_through_it(
    api: MegaApi, wire: Wire, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    (tmp_path / "photo.jpg").symlink_to(victim)
    wire.reply(json_body=_download_reply(base64.b64encode(JPEG).decode()))
    api.instance.save_media(MEDIA_KEYS, tmp_path / "photo.jpg")
    assert victim.read_bytes() == b"precious"
    assert not (tmp_path / "photo.jpg").is_symlink()
    assert (tmp_path / "photo.jpg").read_bytes() == JPEG


@pytest.mark.parametrize("path", ["a\x00b.jpg", b"photo.jpg", 12], ids=["NUL", "bytes", "int"])
def test_save_media_refuses_unusable_paths_as_sdk_errors(api: MegaApi, wire: Wire, path: Any) -> None:
    """Failed before: a NUL in the path raised `ValueError: embedded null byte`, outside MegaApiError."""
    with pytest.raises(InvalidInputError, match="path"):
        api.instance.save_media(MEDIA_KEYS, path)
    assert wire.requests == []


def test_save_media_into_a_folder_it_cannot_write_is_an_sdk_error(
    api: MegaApi, wire: Wire, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**kwargs: Any) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)  # as in a read-only folder, even when the tests run as root
    wire.reply(json_body=_download_reply(base64.b64encode(JPEG).decode()))
    with pytest.raises(InvalidInputError, match=r"Cannot create a file in .*: Permission denied"):
        api.instance.save_media(MEDIA_KEYS, tmp_path / "photo.jpg")


MISLEADING = {
    "a folder": ("{tmp}", "is a folder; give the path of a file"),
    "a file URL": ("file:///etc/passwd", "file:// URLs are not accepted"),
    "an ftp URL": ("ftp://example.com/a.pdf", "ftp:// URLs are not accepted"),
}


@pytest.mark.parametrize(("source", "message"), MISLEADING.values(), ids=MISLEADING.keys())
def test_unusable_sources_say_what_is_wrong(
    api: MegaApi, wire: Wire, tmp_path: Path, source: str, message: str
) -> None:
    """Failed before: each said `No such file` (for a file URL: `No such file: file:/etc/passwd`)."""
    with pytest.raises(InvalidInputError) as raised:
        api.messages.send_media(TO, source.format(tmp=tmp_path))
    assert message in str(raised.value)
    assert "No such file" not in str(raised.value)
    assert wire.requests == []


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("https://bot.example.com/megaapi?token=long random secret", "' ' "),
        ("https://bot.example.com/megaapi?token=<long random secret>", "'<'"),
        ("https://bot.example.com/megaapi?token=<secret>", "'<', which a URL cannot hold (a <placeholder> left in?)"),
        ('https://bot.example.com/megaapi?token="x"', "'\"'"),
    ],
)
def test_webhook_urls_webhook_app_would_refuse_are_refused(api: MegaApi, wire: Wire, url: str, named: str) -> None:
    """Failed before: accepted and sent, although no request to that URL could ever carry the token WebhookApp wants."""
    with pytest.raises(InvalidInputError, match="url contains") as raised:
        api.webhook.configure_webhook(url)
    assert named.strip() in str(raised.value)
    assert wire.requests == []


@pytest.mark.parametrize("text", ["megaapi-upload-placeholder-6f1d0c", '"base64":"', "}}"])
def test_an_upload_carries_any_caption_and_file_name(api: MegaApi, wire: Wire, text: str) -> None:
    """The file streams into the body by position, so no caption or file name can be mistaken for it."""
    wire.reply(json_body=SENT)

    api.messages.send_media("5511999999999", JPEG, caption=text, file_name=f"{text}.jpg")

    message = _sent(wire)
    assert message["caption"] == text
    assert message["fileName"] == f"{text}.jpg"
    assert _uploaded(message) == ("data:image/jpeg;base64", JPEG)
