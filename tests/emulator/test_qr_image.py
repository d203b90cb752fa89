"""The pairing QR code is a well-formed PNG that any decoder reads, of the size its header declares."""

from __future__ import annotations

import png

from megaapi.testing import qr


def test_the_qr_code_is_a_png_every_decoder_reads() -> None:
    width, height, rows, info = png.Reader(bytes=qr.png("2@abc,def,ghi,5511999999999")).read()
    pixels = [list(row) for row in rows]
    assert (width, height, info["greyscale"]) == (116, 116, True)
    assert len(pixels) == height
    assert {len(row) for row in pixels} == {width}
    assert {value for row in pixels for value in row} == {0, 255}
