"""What the commands are built on: reading a QR image back into modules, and masking webhook URL secrets."""

from __future__ import annotations

import base64
import io
import random

import png
import pytest

from megaapi.cli import qr
from megaapi.cli.webhook import has_token, masked_url


def _finder(grid: list[list[bool]], top: int, left: int) -> None:
    for r in range(7):
        for c in range(7):
            grid[top + r][left + c] = min(r, c, 6 - r, 6 - c) != 1


def _qr_like(size: int, seed: int) -> list[list[bool]]:
    rng = random.Random(seed)
    grid = [[rng.random() < 0.5 for _ in range(size)] for _ in range(size)]
    for top, left in ((0, 0), (0, size - 7), (size - 7, 0)):
        _finder(grid, top, left)
    return grid


def _png(grid: list[list[bool]], scale: int, quiet: int) -> bytes:
    """An RGBA PNG as QR generators write them: black on white, scaled, with a quiet zone."""
    side = (len(grid) + 2 * quiet) * scale
    rows = []
    for y in range(side):
        r = y // scale - quiet
        row = []
        for x in range(side):
            c = x // scale - quiet
            dark = 0 <= r < len(grid) and 0 <= c < len(grid) and grid[r][c]
            row += [0, 0, 0, 255] if dark else [255, 255, 255, 255]
        rows.append(row)
    out = io.BytesIO()
    png.Writer(side, side, greyscale=False, alpha=True).write(out, rows)
    return out.getvalue()


@pytest.mark.parametrize(("size", "scale", "quiet"), [(21, 1, 0), (25, 4, 4), (33, 7, 2), (41, 3, 1)])
def test_modules_are_read_back_from_the_image(size: int, scale: int, quiet: int) -> None:
    grid = _qr_like(size, seed=size * scale)
    assert qr.modules(_png(grid, scale, quiet)) == grid


def test_a_png_inside_an_html_or_json_reply_is_found() -> None:
    image = _png(_qr_like(21, 1), 2, 2)
    html = b'<html><img src="data:image/png;base64,' + base64.b64encode(image) + b'"></html>'
    assert qr.png_from_reply(html) == image


@pytest.mark.parametrize("reply", [b"<html>QR code expired</html>", b"\x89PNG\r\n\x1a\nbroken"])
def test_anything_else_is_refused_clearly(reply: bytes) -> None:
    with pytest.raises(qr.NotAQrImage):
        qr.modules(qr.png_from_reply(reply))


def test_render_draws_two_module_rows_per_line_with_a_quiet_zone() -> None:
    drawing = qr.render([[True, False], [False, True]]).splitlines()
    # 2 modules + 2 quiet on each side = 6 columns and 6 rows, so 3 lines; dark modules are left blank.
    assert drawing == ["██████", "██▄▀██", "██████"]
    assert qr.render([[True, False], [False, True]], invert=True).splitlines()[1] == "  ▀▄  "


@pytest.mark.parametrize(
    ("url", "shown", "token"),
    [
        ("https://bot.example.com/hook", "https://bot.example.com/hook", False),
        ("https://bot.example.com/hook?token=abcdefghijklmnopqrstu", "https://bot.example.com/hook?token=***", True),
        ("https://bot.example.com/hook?token=short", "https://bot.example.com/hook?token=***", False),
        ("https://user:pw@bot.example.com/h", "https://***@bot.example.com/h", False),
        ("https://bot.example.com/h/a1b2c3d4e5f6g7h8i9j0k1", "https://bot.example.com/h/***", True),
    ],
)
def test_webhook_urls_are_masked_and_their_token_found(url: str, shown: str, token: bool) -> None:
    assert masked_url(url) == shown
    assert has_token(url) is token
