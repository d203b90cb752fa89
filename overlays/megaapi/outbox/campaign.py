"""Campaigns from a CSV file: reading and checking the file, and remembering the campaign so a second run resumes it.

The file has a `phone` column (any case) and any others; the text is a template whose `{fields}` are filled from the
other columns of each row. Everything that would stop a row from going out is found before anything is sent, and
reported by row and reason.
"""

from __future__ import annotations

import csv
import hashlib
import string
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from .. import jid
from ..errors import InvalidInputError
from ..store.outbox_tables import outbox_campaigns
from .outbox import Outbox, check_media
from .pacing import Pacing

PHONE_COLUMN = "phone"
_DELIMITERS = ",;\t"


@dataclass(frozen=True)
class Problem:
    """Why a row (or, with `row=None`, the whole file) cannot go out."""

    row: int | None
    reason: str


@dataclass(frozen=True)
class Recipient:
    """A valid row: its line number in the file (the header is line 1), the number's digits and its text."""

    row: int
    number: str
    text: str


@dataclass
class CampaignFile:
    recipients: list[Recipient] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def file_problems(self) -> list[Problem]:
        """Problems of the whole file: with any of them, no row can go out."""
        return [problem for problem in self.problems if problem.row is None]


def read_campaign(path: Path, template: str, media: str | None = None) -> CampaignFile:
    """Read and check a campaign file: every problem is collected, none is raised."""
    found = CampaignFile()
    fields = _template_fields(template, found)
    if media is not None:
        try:
            check_media(media)
        except InvalidInputError as error:
            found.problems.append(Problem(None, f"--media: {error}"))
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = _rows(handle.read())
    except (OSError, UnicodeDecodeError) as error:
        found.problems.append(Problem(None, f"cannot read {path}: {getattr(error, 'strerror', None) or error}"))
        return found
    except csv.Error as error:
        found.problems.append(Problem(None, f"{path} is not a readable CSV file: {error}"))
        return found
    if not rows:
        found.problems.append(Problem(None, f"{path} is empty"))
        return found
    header = [name.strip() for name in rows[0]]
    phone = next((index for index, name in enumerate(header) if name.casefold() == PHONE_COLUMN), None)
    if phone is None:
        found.problems.append(Problem(None, f"no {PHONE_COLUMN!r} column (the columns are: {', '.join(header)})"))
    missing = [name for name in fields if name not in header]
    if missing:
        found.problems.append(Problem(None, f"the text uses {_names(missing)}, which the file has no column for"))
    if found.file_problems or phone is None:
        return found
    first_row: dict[str, int] = {}
    for line, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are not rows
        values = {name: (cells[index].strip() if index < len(cells) else "") for index, name in enumerate(header)}
        reasons: list[str] = []
        number = _number(values[header[phone]], reasons)
        empty = [name for name in fields if not values.get(name)]
        if empty:
            reasons.append(f"{_names(empty)} empty")
        if number is not None and number in first_row:
            reasons.append(f"same number as row {first_row[number]} (each number gets one message)")
        if reasons:
            found.problems.append(Problem(line, "; ".join(reasons)))
            continue
        assert number is not None
        first_row[number] = line
        found.recipients.append(Recipient(line, number, template.format_map({name: values[name] for name in fields})))
    if not found.recipients and not found.problems:
        found.problems.append(Problem(None, f"{path} has a header but no rows"))
    return found


def _rows(content: str) -> list[list[str]]:
    try:
        dialect: Any = csv.Sniffer().sniff(content[:8192], delimiters=_DELIMITERS)
    except csv.Error:
        dialect = csv.excel  # one column, or nothing to tell the delimiter by
    return list(csv.reader(content.splitlines(), dialect))


def _template_fields(template: str, found: CampaignFile) -> list[str]:
    names: list[str] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as error:
        found.problems.append(Problem(None, f"--text is not a valid template: {error} (write {{{{ for a brace)"))
        return names
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() and not name.replace("-", "_").replace(" ", "_").isidentifier():
            found.problems.append(Problem(None, f"--text: {{{name}}} must name a column"))
        elif spec or conversion:
            found.problems.append(Problem(None, f"--text: {{{name}}} takes no format or conversion"))
        elif name not in names:
            names.append(name)
    if not template.strip():
        found.problems.append(Problem(None, "--text is empty"))
    return names


def _number(value: str, reasons: list[str]) -> str | None:
    if not value:
        reasons.append("no phone number")
        return None
    try:
        number = jid.phone(value)
    except InvalidInputError as error:
        reasons.append(str(error))
        return None
    problem = whatsapp_number_problem(number)
    if problem is not None:
        reasons.append(f"{value!r} {problem}")
        return None
    return number


def whatsapp_number_problem(number: str) -> str | None:
    """Why these digits cannot be a WhatsApp number, for the plans we can tell apart; None when they may be.

    Brazil (55): a two-digit area code without zeros, then 8 digits (landline) or 9 starting with 9 (mobile).
    North America (1): 10 digits after the 1, the area code not starting with 0 or 1. Other countries are left to
    checkNumber.
    """
    if number.startswith("55"):
        national = number[2:]
        if len(national) not in (10, 11) or "0" in national[:2]:
            return "is not a Brazilian number: after 55 come a two-digit area code and 8 or 9 digits"
        if len(national) == 11 and national[2] != "9":
            return "is not a Brazilian mobile number: nine digits after the area code must start with 9"
        return None
    if number.startswith("1") and (len(number) != 11 or number[1] in "01"):
        return "is not a North American number: after 1 come 10 digits, the first not 0 or 1"
    return None


def _names(names: list[str]) -> str:
    return ", ".join("{" + name + "}" for name in names)


def default_name(path: Path) -> str:
    """A campaign's name when none is given: the file's name and a short hash of its absolute path."""
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:8]
    return f"{path.stem}-{digest}"


def instance_label(instance_key: str) -> str:
    """The outbox's name for an instance, from its key without revealing it: `key-` and 12 hex digits of a hash."""
    return "key-" + hashlib.sha256(instance_key.encode()).hexdigest()[:12]


# ---------------------------------------------------------------------------------------------- stored campaigns


@dataclass(frozen=True)
class Campaign:
    name: str
    instance: str
    source: str
    text: str
    media: str | None
    pacing: Pacing
    created_at: datetime


def pacing_settings(pacing: Pacing) -> dict[str, Any]:
    quiet = None if pacing.quiet_hours is None else [moment.isoformat("minutes") for moment in pacing.quiet_hours]
    return {
        "rate_per_minute": pacing.rate_per_minute,
        "jitter": pacing.jitter,
        "daily_cap": pacing.daily_cap,
        "warmup": list(pacing.warmup),
        "quiet_hours": quiet,
        "timezone": pacing.timezone,
        "typing": pacing.typing,
    }


def pacing_from(settings: dict[str, Any]) -> Pacing:
    quiet = settings.get("quiet_hours")
    return Pacing(
        rate_per_minute=settings.get("rate_per_minute"),
        jitter=settings.get("jitter", 0.3),
        daily_cap=settings.get("daily_cap"),
        warmup=tuple(settings.get("warmup") or ()),
        quiet_hours=None if quiet is None else (time.fromisoformat(quiet[0]), time.fromisoformat(quiet[1])),
        timezone=settings.get("timezone", "America/Sao_Paulo"),
        typing=settings.get("typing", True),
    )


def save_campaign(outbox: Outbox, name: str, source: str, text: str, media: str | None) -> Campaign:
    """Record a campaign, or check that the stored one with this name is the same (its pacing is updated)."""
    stored = load_campaign(outbox, name)
    settings = pacing_settings(outbox.pacing)
    with outbox._writing() as connection:
        if stored is None:
            connection.execute(
                outbox_campaigns.insert().values(
                    name=name,
                    instance=outbox.instance,
                    source=source,
                    text=text,
                    media=media,
                    settings=settings,
                    created_at=outbox.clock.now(),
                )
            )
        else:
            if stored.instance != outbox.instance:
                raise InvalidInputError(f"campaign {name!r} belongs to another instance; give it another --name")
            if (stored.text, stored.media) != (text, media):
                raise InvalidInputError(
                    f"campaign {name!r} was started with another text or media; give --name for a new campaign"
                )
            connection.execute(
                outbox_campaigns.update().where(outbox_campaigns.c.name == name).values(settings=settings)
            )
    found = load_campaign(outbox, name)
    assert found is not None
    return found


def load_campaign(outbox: Outbox, name: str) -> Campaign | None:
    with outbox.engine.connect() as connection:
        row = connection.execute(select(outbox_campaigns).where(outbox_campaigns.c.name == name)).mappings().first()
    return None if row is None else _campaign(row)


def list_campaigns(outbox: Outbox) -> list[Campaign]:
    with outbox.engine.connect() as connection:
        rows = connection.execute(select(outbox_campaigns).order_by(outbox_campaigns.c.created_at)).mappings().all()
    return [_campaign(row) for row in rows]


def _campaign(row: Any) -> Campaign:
    return Campaign(
        name=row["name"],
        instance=row["instance"],
        source=row["source"],
        text=row["text"],
        media=row["media"],
        pacing=pacing_from(row["settings"]),
        created_at=row["created_at"],
    )
