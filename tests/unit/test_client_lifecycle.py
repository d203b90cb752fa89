"""What happens around the calls: closed clients, copies outliving their parent, files that vanish or cannot be
written. Each case ends in a MegaApiError (or clean masking) and, where it can be detected first, no request."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from unit_wire import HOST, KEY, TOKEN, Wire, ok

from megaapi import APIResponseValidationError, ConfigurationError, InvalidInputError, MegaApi, media

MEDIA_KEYS = {
    "mediaKey": "k",
    "directPath": "/d",
    "url": "https://mmg.whatsapp.net/d.enc",
    "mimetype": "image/jpeg",
    "messageType": "image",
}


def test_a_closed_client_refuses_calls_before_sending(wire: Wire) -> None:
    client = MegaApi(instance_key=KEY, token=TOKEN, host=HOST, http_client=httpx.Client(transport=wire.transport))
    client._runner.http.close()
    with pytest.raises(ConfigurationError, match="closed"):
        client.instance.get_instance_status()
    assert wire.requests == []


def test_a_copy_keeps_masking_after_its_parent_closed(wire: Wire, caplog: pytest.LogCaptureFixture) -> None:
    key, token = "megastart-CopyKey0x9", "copy-token-0x9Zz"
    with httpx.Client(transport=wire.transport) as http:
        parent = MegaApi(instance_key=key, token=token, host=HOST, http_client=http)
        copy = parent.with_options(max_retries=0)
        parent.close()
        wire.reply(json_body=ok())
        with caplog.at_level(logging.DEBUG):
            copy.instance.get_instance_status()
        copy.close()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/rest/instance/***" in logged
    assert key not in logged


def test_save_media_into_a_missing_folder_is_refused_before_sending(api: MegaApi, wire: Wire, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="does not exist"):
        api.instance.save_media(MEDIA_KEYS, tmp_path / "missing" / "photo.jpg")
    assert wire.requests == []


def test_save_media_refuses_empty_file_data(api: MegaApi, wire: Wire, tmp_path: Path) -> None:
    wire.reply(json_body=ok(data=""))
    with pytest.raises(APIResponseValidationError, match="empty"):
        api.instance.save_media(MEDIA_KEYS, tmp_path / "photo.jpg")
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_cannot_be_read_while_uploading_is_bad_input(
    api: MegaApi, wire: Wire, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "photo.png"
    source.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))

    def missing() -> Iterator[bytes]:
        raise FileNotFoundError(2, "No such file or directory")

    def vanished(self: media.Media, size: int = 0) -> Iterator[bytes]:
        # The type and size are read when the call is built; the content only while it is sent.
        yield from missing()

    monkeypatch.setattr(media.Media, "chunks", vanished)
    with pytest.raises(InvalidInputError, match="No such file"):
        api.messages.send_media("5511999999999", source)
