"""A QR code image (PNG) drawn in the terminal with Unicode half blocks, two module rows per line.

The PNG is decoded with pypng (pure Python, every PNG variant); reading the modules back out of the pixels is the
small part written here: no library turns an image of a QR code into its grid without also decoding its content.
"""

from __future__ import annotations

import base64
import re

import png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_DATA_URL = re.compile(rb"data:image/png;base64,([A-Za-z0-9+/=]+)")
_QUIET = 2  # light modules around the code, so a camera finds its edge


class NotAQrImage(ValueError):
    """The bytes hold no PNG image of a QR code."""


def png_from_reply(data: bytes) -> bytes:
    """The PNG in a QR reply: the image itself, or one embedded as a data URL (an HTML or JSON answer)."""
    if data.startswith(PNG_SIGNATURE):
        return data
    found = _DATA_URL.search(data)
    if found is None:
        raise NotAQrImage("the QR code reply holds no PNG image")
    return base64.b64decode(found.group(1))


def _dark_pixels(image: bytes) -> list[list[bool]]:
    try:
        width, height, rows, _ = png.Reader(bytes=image).asRGBA8()
        pixels = [list(row) for row in rows]
    except png.Error as error:
        raise NotAQrImage(f"the QR code image cannot be read: {error}") from None
    # Dark: opaque and closer to black than to white.
    return [
        [row[x + 3] >= 128 and (row[x] + row[x + 1] + row[x + 2]) < 384 for x in range(0, width * 4, 4)]
        for row in pixels[:height]
    ]


def modules(image: bytes) -> list[list[bool]]:
    """The QR code's modules (True = dark), read at the centre of each module of the image."""
    dark = _dark_pixels(image)
    rows = [y for y, row in enumerate(dark) if any(row)]
    columns = [x for x in range(len(dark[0]) if dark else 0) if any(row[x] for row in dark)]
    if not rows or not columns:
        raise NotAQrImage("the QR code image is blank")
    top, left, bottom, right = rows[0], columns[0], rows[-1], columns[-1]
    # Down the diagonal of the top-left corner square: its dark outer ring is one module thick, then comes the light
    # ring, whatever lies next to the square.
    size = 0
    while top + size <= bottom and left + size <= right and dark[top + size][left + size]:
        size += 1
    count = round((right - left + 1) / size)
    if size < 1 or count < 21 or abs(round((bottom - top + 1) / size) - count) > 1:
        raise NotAQrImage("the image does not look like a QR code")
    return [
        [dark[min(int(top + (r + 0.5) * size), bottom)][min(int(left + (c + 0.5) * size), right)] for c in range(count)]
        for r in range(count)
    ]


def render(grid: list[list[bool]], *, invert: bool = False) -> str:
    """Text drawing of `grid` with a quiet zone. By default light modules are drawn (for dark terminals);
    `invert` draws the dark ones instead (for light terminals).
    """
    side = len(grid) + 2 * _QUIET
    light = [[False] * side for _ in range(_QUIET)]
    padded = light + [[False] * _QUIET + row + [False] * _QUIET for row in grid] + light
    if len(padded) % 2:
        padded.append([False] * side)
    blocks = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}
    lines = []
    for upper, lower in zip(padded[::2], padded[1::2], strict=True):
        drawn = [(a, b) if invert else (not a, not b) for a, b in zip(upper, lower, strict=True)]
        lines.append("".join(blocks[cell] for cell in drawn))
    return "\n".join(lines)
