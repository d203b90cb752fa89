"""`megaapi campaign`: paced, resumable sending to the rows of a CSV file (the `inbox` extra holds the store).

Credentials come from MEGAAPI_INSTANCE_KEY, MEGAAPI_TOKEN and MEGAAPI_HOST (or MEGAAPI_BASE_URL); the store from
MEGAAPI_STORE (a SQLite file `megaapi.db` in the working directory by default).
"""

from __future__ import annotations

import asyncio
import os
import random
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from megaapi.cli.output import EXIT_FAILED, EXIT_USAGE, console, err_console, fail, print_json

if TYPE_CHECKING:
    from megaapi.outbox import Counts, Outbox, Pacing
    from megaapi.outbox.campaign import Campaign, CampaignFile

campaign = typer.Typer(
    help="Send one message to each row of a CSV file, paced, resumable and never twice.", no_args_is_help=True
)

Rate = Annotated[float, typer.Option("--rate", help="Messages per minute, on average (with random jitter).")]
DailyCap = Annotated[int | None, typer.Option("--daily-cap", help="At most this many messages a day.")]
Warmup = Annotated[
    str | None, typer.Option("--warmup", help="Daily caps of a new number's first days, e.g. 20,50,100,200.")
]
Quiet = Annotated[str | None, typer.Option("--quiet-hours", help="No sending between these local times: 21:00-08:00.")]
Zone = Annotated[str, typer.Option("--timezone", help="Time zone of days and quiet hours.")]
Typing = Annotated[bool, typer.Option("--typing/--no-typing", help='Show "typing..." before each message.')]
Json = Annotated[bool, typer.Option("--json", help="Print JSON lines instead of tables.")]


@campaign.command("run")
def run(
    file: Annotated[Path, typer.Argument(help="CSV file with a `phone` column and the template's fields.")],
    text: Annotated[str, typer.Option("--text", help='The message, with {column} fields: "Olá {name}!".')],
    rate: Rate = 20.0,
    media: Annotated[str | None, typer.Option("--media", help="A file path or an https URL to send.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be sent and when; send nothing.")] = False,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Send the valid rows even though others have problems.")
    ] = False,
    name: Annotated[str | None, typer.Option("--name", help="Campaign name (default: from the file).")] = None,
    daily_cap: DailyCap = None,
    warmup: Warmup = None,
    quiet_hours: Quiet = None,
    timezone: Zone = "America/Sao_Paulo",
    typing: Typing = True,
) -> None:
    """Send --text to every row of FILE. Running it again resumes the same campaign; nothing is sent twice."""
    from megaapi.outbox.campaign import default_name, read_campaign

    pacing = _pacing(rate, daily_cap, warmup, quiet_hours, timezone, typing)
    plan = read_campaign(file, text, media)
    _report_problems(plan)
    if plan.file_problems:
        fail("nothing was sent: fix the file first")
    campaign_name = name or default_name(file)
    if dry_run:
        _print_dry_run(plan, pacing, campaign_name)
    if plan.problems and not skip_invalid:
        valid = len(plan.recipients)
        fail(
            f"{len(plan.problems)} rows have problems; nothing was sent. Fix them, or pass --skip-invalid to send the"
            f" {valid} valid rows"
        )
    if dry_run:
        return
    _check_credentials()
    outbox = _outbox(pacing)
    try:
        stored = _register(outbox, campaign_name, file, text, media, plan)
        _send(outbox, stored)
    finally:
        outbox.close()


@campaign.command("resume")
def resume(
    name: Annotated[str, typer.Argument(help="The campaign's name (see `megaapi campaign status`).")],
    rate: Annotated[float | None, typer.Option("--rate", help="A new rate, in messages per minute.")] = None,
) -> None:
    """Go on with a campaign where it stopped, with its stored text and pacing."""
    from dataclasses import replace

    from megaapi.outbox.campaign import save_campaign

    outbox = _outbox(None)
    try:
        stored = _stored(outbox, name)
        _check_credentials()
        pacing = stored.pacing if rate is None else replace(stored.pacing, rate_per_minute=_rate(rate))
        paced = _view(outbox, stored, pacing)
        if rate is not None:
            save_campaign(paced, stored.name, stored.source, stored.text, stored.media)
        _send(paced, stored)
    finally:
        outbox.close()


@campaign.command("status")
def status(
    name: Annotated[str | None, typer.Argument(help="One campaign; all of them when left out.")] = None,
    as_json: Json = False,
) -> None:
    """Counts per campaign; for one campaign, also the items that need you (failed, unknown, skipped)."""
    from megaapi.outbox.campaign import list_campaigns

    outbox = _outbox(None)
    try:
        campaigns = list_campaigns(outbox) if name is None else [_stored(outbox, name)]
        counted = [(stored, _view(outbox, stored).counts(campaign=stored.name)) for stored in campaigns]
        if as_json:
            for stored, counts in counted:
                print_json({"campaign": stored.name, "source": stored.source, **counts.as_dict()})
            return
        _print_counts(counted)
        if name is not None:
            _print_attention(_view(outbox, campaigns[0]), campaigns[0])
    finally:
        outbox.close()


# ---------------------------------------------------------------------------------------------- helpers


def _rate(value: float) -> float:
    if not 0 < value <= 6000:
        fail("--rate must be above 0 and at most 6000 messages per minute", EXIT_USAGE)
    return value


def _pacing(
    rate: float, daily_cap: int | None, warmup: str | None, quiet: str | None, zone: str, typing: bool
) -> Pacing:
    from megaapi.errors import InvalidInputError
    from megaapi.outbox import Pacing

    try:
        ramp = () if not warmup else tuple(int(part) for part in warmup.split(","))
        hours = None
        if quiet:
            start, _, end = quiet.partition("-")
            hours = (time.fromisoformat(start.strip()), time.fromisoformat(end.strip()))
        return Pacing(
            rate_per_minute=_rate(rate),
            daily_cap=daily_cap,
            warmup=ramp,
            quiet_hours=hours,
            timezone=zone,
            typing=typing,
        )
    except (InvalidInputError, ValueError) as error:
        hint = "--warmup takes numbers like 20,50,100 and --quiet-hours times like 21:00-08:00"
        fail(f"pacing: {error} ({hint})", EXIT_USAGE)


def _check_credentials() -> None:
    """Credentials are checked before the store is touched: the campaign is recorded under its instance."""
    from megaapi import MegaApi
    from megaapi.errors import ConfigurationError

    try:
        with MegaApi():  # builds and checks the configuration; no connection is made
            pass
    except ConfigurationError as error:
        fail(str(error))


def _outbox(pacing: Pacing | None, instance: str | None = None) -> Outbox:
    from megaapi.errors import MegaApiError
    from megaapi.outbox import Outbox
    from megaapi.outbox.campaign import instance_label

    if instance is None:
        key = os.environ.get("MEGAAPI_INSTANCE_KEY")
        instance = instance_label(key) if key else "default"
    try:
        return Outbox(instance=instance, pacing=pacing)
    except MegaApiError as error:
        fail(str(error))
    except Exception as error:  # the store could not be opened: an unreachable server, a bad URL
        fail(f"cannot open the store (MEGAAPI_STORE): {type(error).__name__}: {_first_line(error)}")


def _stored(outbox: Outbox, name: str) -> Campaign:
    from megaapi.outbox.campaign import load_campaign

    stored = load_campaign(outbox, name)
    if stored is None:
        fail(f"no campaign is called {name!r}; `megaapi campaign status` lists them", EXIT_USAGE)
    return stored


def _view(outbox: Outbox, stored: Campaign, pacing: Pacing | None = None) -> Outbox:
    """The outbox of the campaign's instance, on the same store (and engine)."""
    from megaapi.outbox import Outbox

    return Outbox(outbox.engine, instance=stored.instance, pacing=pacing or stored.pacing, migrate=False)


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else ""


def _report_problems(plan: CampaignFile) -> None:
    if not plan.problems:
        return
    table = Table(title="Problems found (nothing is sent from these rows)", title_justify="left")
    table.add_column("row", justify="right")
    table.add_column("reason")
    for problem in plan.problems:
        table.add_row("file" if problem.row is None else str(problem.row), escape(problem.reason))
    err_console.print(table)


def _register(outbox: Outbox, name: str, file: Path, text: str, media: str | None, plan: CampaignFile) -> Campaign:
    from megaapi.errors import MegaApiError
    from megaapi.outbox import Message
    from megaapi.outbox.campaign import save_campaign
    from megaapi.outbox.outbox import check_media

    source = None if media is None else check_media(media)
    try:
        stored = save_campaign(outbox, name, str(file.resolve()), text, source)
        outbox.queue_many([Message(row.number, row.text, media=source, campaign=name) for row in plan.recipients])
    except MegaApiError as error:
        fail(str(error))
    return stored


def _print_dry_run(plan: CampaignFile, pacing: Pacing, name: str) -> None:
    from megaapi.outbox.pacing import PaceState

    rng, state = random.Random(0), PaceState()  # noqa: S311 (jitter)
    now = datetime.now(UTC)
    zone = ZoneInfo(pacing.timezone)
    table = Table(title=f"Dry run of campaign {name}: nothing is sent", title_justify="left")
    for column in ("row", "phone", f"at about ({pacing.timezone})", "text"):
        table.add_column(column)
    for recipient in plan.recipients:
        slot, state = pacing.reserve(state, now, pacing.typing_time(recipient.text), rng)
        table.add_row(
            str(recipient.row),
            recipient.number,
            slot.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
            escape(recipient.text),
        )
    console.print(table)
    console.print(
        f"{len(plan.recipients)} messages would be queued; numbers are checked with checkNumber when sending, and "
        "those without WhatsApp are skipped."
    )


def _send(outbox: Outbox, stored: Campaign) -> None:
    from megaapi.errors import MegaApiError

    try:
        counts = asyncio.run(_drive(outbox, stored))
    except KeyboardInterrupt:
        err_console.print(f"stopped; `megaapi campaign resume {stored.name}` goes on from here")
        raise typer.Exit(EXIT_FAILED) from None
    except MegaApiError as error:
        fail(str(error))
    _print_summary(stored, counts)


async def _drive(outbox: Outbox, stored: Campaign) -> Counts:
    from megaapi import AsyncMegaApi
    from megaapi.inbox import Inbox

    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TextColumn("ETA {task.fields[eta]}"),
        console=console,
        transient=False,
    )
    counts = await asyncio.to_thread(outbox.counts, campaign=stored.name)
    task_id = progress.add_task(stored.name, total=counts.total, detail="", eta="-")
    async with AsyncMegaApi() as api:
        Inbox(outbox.engine).record_sends(api)  # the messages join the history `megaapi history` shows
        worker = asyncio.create_task(outbox.run(api, campaign=stored.name, until_idle=True))
        try:
            with progress:
                while True:
                    counts = await asyncio.to_thread(outbox.counts, campaign=stored.name)
                    done = counts.total - counts.pending
                    progress.update(task_id, completed=done, detail=_detail(counts), eta=_eta(outbox, counts))
                    if worker.done():
                        break
                    await asyncio.wait({worker}, timeout=0.5)
        finally:
            # Interrupted (Ctrl-C): the worker finishes and records the request in flight before the client closes.
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)
        worker.result()
    return counts


def _detail(counts: Counts) -> str:
    skipped = counts["not_on_whatsapp"] + counts["opted_out"]
    return (
        f"sent {counts['sent']} · delivered {counts.delivered} · read {counts.read} · failed {counts['failed']} · "
        f"unknown {counts['unknown']} · skipped {skipped}"
    )


def _eta(outbox: Outbox, counts: Counts) -> str:
    remaining = outbox.pacing.eta(counts.pending)
    if remaining is None or not counts.pending:
        return "-"
    return str(timedelta(seconds=int(remaining.total_seconds())))


def _print_summary(stored: Campaign, counts: Counts) -> None:
    console.print(f"campaign {stored.name}: {_detail(counts)}")
    if counts["unknown"]:
        console.print(
            f"{counts['unknown']} messages may or may not have gone out and are never resent automatically; "
            f"`megaapi campaign status {stored.name}` lists them"
        )


def _print_counts(counted: list[tuple[Campaign, Counts]]) -> None:
    table = Table()
    for column in ("campaign", "total", "pending", "sent", "delivered", "read", "failed", "unknown", "skipped"):
        table.add_column(column)
    for stored, counts in counted:
        table.add_row(
            escape(stored.name),
            str(counts.total),
            str(counts.pending),
            str(counts["sent"]),
            str(counts.delivered),
            str(counts.read),
            str(counts["failed"]),
            str(counts["unknown"]),
            str(counts["not_on_whatsapp"] + counts["opted_out"]),
        )
    console.print(table)


def _print_attention(view: Outbox, stored: Campaign) -> None:
    from megaapi.outbox import Status

    needing = (Status.FAILED, Status.UNKNOWN, Status.NOT_ON_WHATSAPP, Status.OPTED_OUT)
    attention = [item for item in view.items(campaign=stored.name) if item.status in needing]
    if not attention:
        return
    details = Table(title="Items that need you", title_justify="left")
    for column in ("recipient", "status", "reason"):
        details.add_column(column)
    for item in attention:
        details.add_row(item.recipient, item.status.value, escape(item.reason or ""))
    console.print(details)
