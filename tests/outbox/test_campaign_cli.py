"""`megaapi campaign` as a user runs it: a subprocess against the emulator served on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from megaapi.testing import ServedEmulator

ROWS = "phone,name,city\n+55 11 98888-7777,Ana,SP\n5511977776666,Bruno,RJ\n5511966665555,Carla,BH\n"


def _megaapi(
    *args: str, served: ServedEmulator | None = None, store: str, cwd: Path
) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MEGAAPI_")}
    env |= {"MEGAAPI_STORE": store, "COLUMNS": "200"}
    if served is not None:
        env |= {
            "MEGAAPI_BASE_URL": served.base_url,
            "MEGAAPI_INSTANCE_KEY": served.instance_key,
            "MEGAAPI_TOKEN": served.token,
        }
    return subprocess.run(
        [sys.executable, "-m", "megaapi.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
        cwd=cwd,
    )


def _texts(served: ServedEmulator) -> list[str]:
    sent = [m for m in served.instance.messages if m.key["fromMe"]]
    return [m.message["extendedTextMessage"]["text"] for m in sent]


def test_run_sends_each_row_once_and_running_again_resumes(
    tmp_path: Path, store_url: str, served: ServedEmulator
) -> None:
    (tmp_path / "clientes.csv").write_text(ROWS, encoding="utf-8")
    args = ("campaign", "run", "clientes.csv", "--text", "Olá {name} de {city}!", "--rate", "6000", "--no-typing")
    done = _megaapi(*args, served=served, store=store_url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "sent 3" in done.stdout
    assert sorted(_texts(served)) == ["Olá Ana de SP!", "Olá Bruno de RJ!", "Olá Carla de BH!"]
    (tmp_path / "clientes.csv").write_text(ROWS + "5511955554444,Davi,POA\n", encoding="utf-8")
    again = _megaapi(*args, served=served, store=store_url, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert sorted(_texts(served))[-1] == "Olá Davi de POA!"
    assert served.emulator.calls["sendText"] == 4  # the first three were not sent again
    status = _megaapi("campaign", "status", "--json", served=served, store=store_url, cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    [line] = [json.loads(line) for line in status.stdout.splitlines()]
    assert (line["total"], line["sent"], line["queued"]) == (4, 4, 0)


def test_bad_rows_are_reported_by_row_and_nothing_is_sent(tmp_path: Path, served: ServedEmulator) -> None:
    rows = "phone,name\n5511988887777,Ana\n123,Bruno\n5511977776666,\n5511877776666,Eva\n5511988887777,Ana2\n"
    (tmp_path / "c.csv").write_text(rows, encoding="utf-8")
    store = f"sqlite:///{tmp_path / 's.db'}"
    done = _megaapi("campaign", "run", "c.csv", "--text", "Oi {name}", served=served, store=store, cwd=tmp_path)
    assert done.returncode == 1
    for row, reason in [
        ("3", "not a phone number"),
        ("4", "{name} empty"),
        ("5", "not a Brazilian mobile number"),
        ("6", "same number as row 2"),
    ]:
        assert any(
            line.split("│")[1].strip() == row and reason in line for line in done.stderr.splitlines() if "│" in line
        ), (
            row,
            done.stderr,
        )
    assert "--skip-invalid" in done.stderr
    assert served.emulator.calls.total() == 0
    skipping = _megaapi(
        "campaign", "run", "c.csv", "--text", "Oi {name}", "--skip-invalid", "--rate", "6000", "--no-typing",
        served=served, store=store, cwd=tmp_path,
    )  # fmt: skip
    assert skipping.returncode == 0, skipping.stderr
    assert _texts(served) == ["Oi Ana"]


@pytest.mark.parametrize(
    ("content", "options", "reason"),
    [
        ("name\nAna\n", (), "no 'phone' column"),
        ("phone\n5511988887777\n", (), "the text uses {name}"),
        ("phone,name\n5511988887777,Ana\n", ("--media", "missing.jpg"), "--media"),
    ],
)
def test_file_problems_stop_everything_even_the_dry_run(
    tmp_path: Path, content: str, options: tuple[str, ...], reason: str
) -> None:
    (tmp_path / "c.csv").write_text(content, encoding="utf-8")
    store = f"sqlite:///{tmp_path / 's.db'}"
    args = ("campaign", "run", "c.csv", "--text", "Oi {name}", "--skip-invalid", "--dry-run", *options)
    done = _megaapi(*args, store=store, cwd=tmp_path)
    assert done.returncode == 1
    assert reason in done.stderr
    assert not (tmp_path / "s.db").exists()


def test_dry_run_prints_what_and_when_without_credentials_or_store(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text(ROWS, encoding="utf-8")
    store = f"sqlite:///{tmp_path / 's.db'}"
    done = _megaapi(
        "campaign", "run", "c.csv", "--text", "Olá {name}!", "--rate", "2", "--dry-run", store=store, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "Olá Ana!" in done.stdout
    assert "Olá Carla!" in done.stdout
    assert "America/Sao_Paulo" in done.stdout
    assert "3 messages would be queued" in done.stdout
    assert not (tmp_path / "s.db").exists()


def test_resume_and_status_of_an_unknown_campaign(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 's.db'}"
    for args in (("campaign", "resume", "nope"), ("campaign", "status", "nope")):
        done = _megaapi(*args, store=store, cwd=tmp_path)
        assert done.returncode == 2
        assert "no campaign is called 'nope'" in done.stderr


def test_missing_credentials_are_reported_before_the_store_is_touched(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text(ROWS, encoding="utf-8")
    store = f"sqlite:///{tmp_path / 's.db'}"
    done = _megaapi("campaign", "run", "c.csv", "--text", "Olá {name}!", store=store, cwd=tmp_path)
    assert done.returncode == 1
    assert "MEGAAPI_INSTANCE_KEY" in done.stderr
    assert not (tmp_path / "s.db").exists()


def test_media_goes_with_the_text_as_its_caption(tmp_path: Path, served: ServedEmulator) -> None:
    (tmp_path / "c.csv").write_text("phone,name\n5511988887777,Ana\n", encoding="utf-8")
    (tmp_path / "promo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    store = f"sqlite:///{tmp_path / 's.db'}"
    args = ("campaign", "run", "c.csv", "--text", "Oi {name}", "--media", "promo.png", "--rate", "6000", "--no-typing")
    done = _megaapi(*args, served=served, store=store, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    [sent] = [m for m in served.instance.messages if m.key["fromMe"]]
    assert sent.message["imageMessage"]["caption"] == "Oi Ana"


@pytest.mark.parametrize(
    "option", [("--quiet-hours", "25:00-08:00"), ("--warmup", "20,lots"), ("--rate", "0"), ("--timezone", "Mars/Base")]
)
def test_bad_pacing_options_are_usage_errors(tmp_path: Path, option: tuple[str, str]) -> None:
    (tmp_path / "c.csv").write_text(ROWS, encoding="utf-8")
    store = f"sqlite:///{tmp_path / 's.db'}"
    done = _megaapi("campaign", "run", "c.csv", "--text", "Oi", "--dry-run", *option, store=store, cwd=tmp_path)
    assert done.returncode == 2
    assert "error:" in done.stderr
