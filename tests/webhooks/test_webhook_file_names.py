"""Media events offer a file name safe to join to a folder, whatever the sender called the file."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from webhook_payloads import payload

from megaapi.media import safe_file_name
from megaapi.webhooks import DocumentEvent, ImageEvent, parse


def _document(file_name: Any) -> dict[str, Any]:
    body = copy.deepcopy(payload("vendor_3_7_document"))
    body["message"]["documentMessage"]["fileName"] = file_name
    return body


HOSTILE_NAMES = {
    "parent folders": ("../../escape.txt", "escape.txt"),
    "windows folders": ("..\\..\\escape.txt", "escape.txt"),
    "absolute": ("/etc/cron.d/job", "job"),
    "dot dot": ("..", "8C214F71959E3EA008D129EE1B743334.pdf"),
    "empty": ("", "8C214F71959E3EA008D129EE1B743334.pdf"),
    "only a folder": ("a/b/", "8C214F71959E3EA008D129EE1B743334.pdf"),
    "control characters": ("in\x00voice\n.pdf", "invoice.pdf"),
    "right-to-left override": ("\u202efdp.exe", "fdp.exe"),
    "hidden": (".bashrc", "bashrc"),
    "reserved on windows": ("CON.pdf", "_CON.pdf"),
    "refused on windows": ('a<b>:c"d|e?f*.pdf', "a_b__c_d_e_f_.pdf"),
    "trailing dots": ("report.pdf. . ", "report.pdf"),
}


@pytest.mark.parametrize(("sent", "safe"), HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_a_document_event_has_a_safe_file_name(sent: str, safe: str, tmp_path: Path) -> None:
    """Failed before: events had no safe name, and joining the sender's `fileName` wrote outside the folder."""
    event = parse(_document(sent))
    assert isinstance(event, DocumentEvent)
    assert event.file_name == sent
    assert event.safe_file_name == safe
    assert (tmp_path / event.safe_file_name).resolve().parent == tmp_path.resolve()


def test_a_long_name_is_cut_keeping_its_extension() -> None:
    name = parse(_document("x" * 300 + ".pdf")).safe_file_name  # type: ignore[union-attr]
    assert name.endswith(".pdf")
    assert len(name.encode()) <= 200


def test_a_media_event_without_a_name_is_named_after_its_message() -> None:
    event = parse(payload("vendor_3_6_image"))
    assert isinstance(event, ImageEvent)
    assert event.file_name is None
    assert event.safe_file_name == f"{event.message_id}.jpg"


def test_a_document_keeps_an_ordinary_name() -> None:
    assert parse(_document("Fatura março (2).pdf")).safe_file_name == "Fatura março (2).pdf"  # type: ignore[union-attr]


def test_the_name_is_never_empty() -> None:
    assert safe_file_name("../..", fallback="", mime_type=None) == "media"
    assert safe_file_name(None, fallback="/", mime_type="image/png") == "media.png"
