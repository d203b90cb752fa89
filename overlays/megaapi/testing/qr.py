"""Pairing QR images: a valid PNG with a QR-like pattern drawn from the pairing payload.

The pattern is not a scannable QR code; nothing in the emulator scans it. It only has to be a real image of the
right kind, so clients can display or save it.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib

_MODULES = 25
_SCALE = 4
_QUIET = 2


def _finder(row: int, col: int) -> bool | None:
    """The three corner squares every QR code has; None outside them."""
    for top, left in ((0, 0), (0, _MODULES - 7), (_MODULES - 7, 0)):
        r, c = row - top, col - left
        if 0 <= r < 7 and 0 <= c < 7:
            ring = min(r, c, 6 - r, 6 - c)
            return ring != 1
    return None


def _modules(payload: str) -> list[list[bool]]:
    bits = "".join(f"{byte:08b}" for byte in hashlib.shake_256(payload.encode()).digest(_MODULES * _MODULES // 8 + 1))
    grid = []
    for row in range(_MODULES):
        line = []
        for col in range(_MODULES):
            fixed = _finder(row, col)
            line.append(fixed if fixed is not None else bits[row * _MODULES + col] == "1")
        grid.append(line)
    return grid


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(payload: str) -> bytes:
    """A black-on-white greyscale PNG of the pattern for `payload`."""
    side = (_MODULES + 2 * _QUIET) * _SCALE
    blank = [False] * _QUIET
    rows = [[False] * (_MODULES + 2 * _QUIET)] * _QUIET
    rows = rows + [blank + line + blank for line in _modules(payload)] + rows
    raw = bytearray()
    for line in rows:
        pixels = bytes(0 if dark else 255 for dark in line for _ in range(_SCALE))
        for _ in range(_SCALE):
            raw += b"\x00" + pixels  # filter type 0 (none) for each scanline
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    chunks = _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(bytes(raw))) + _chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def data_url(payload: str) -> str:
    return "data:image/png;base64," + base64.b64encode(png(payload)).decode("ascii")
