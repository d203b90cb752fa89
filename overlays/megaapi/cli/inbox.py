"""`megaapi listen`, `megaapi history` and `megaapi replay`: the inbox from the command line.

Each command parses its options, calls one part of `megaapi.inbox` and formats the result. The inbox (SQLAlchemy,
Alembic, uvicorn) is imported inside the commands, so the rest of the CLI works without the `inbox` extra.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from megaapi.cli.output import console, err_console, fail, print_json

if TYPE_CHECKING:
    from megaapi.inbox import Inbox, Message
    from megaapi.outbox import Outbox
    from megaapi.webhooks import Event

STORE_HELP = "Store URL (sqlite:///file.db or postgresql://...); default $MEGAAPI_STORE, else sqlite:///megaapi.db."
StoreOption = Annotated[
    str | None, typer.Option("--store", envvar="MEGAAPI_STORE", help=STORE_HELP, show_default=False)
]


def register(app: typer.Typer) -> None:
    """Add the inbox's commands to the `megaapi` app."""
    app.command()(listen)
    app.command()(history)
    app.command()(replay)


def listen(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 for every interface.")] = "127.0.0.1",
    store: StoreOption = None,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="MEGAAPI_WEBHOOK_TOKEN",
            help="Secret the webhook URL carries as ?token=... (16+ URL-safe characters).",
            show_default=False,
        ),
    ] = None,
    forward: Annotated[
        str | None, typer.Option(help="Also POST each event's JSON to this URL; failures are retried.")
    ] = None,
    instance_key: Annotated[
        str | None,
        typer.Option(help="Refuse events of other instances.", show_default=False),
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Chats handled at once.")] = 4,
    max_attempts: Annotated[int, typer.Option(min=1, help="Attempts before an event becomes a dead letter.")] = 5,
    lease: Annotated[
        float,
        typer.Option(min=0.5, help="Seconds before the events of a worker that went silent (crashed) are taken over."),
    ] = 60.0,
) -> None:
    """Receive webhook events on any path with ?token=SECRET, store each before answering, and print it."""
    inbox = _open(store, max_attempts=max_attempts, lease=lease)
    try:
        receiver = inbox.receiver(token=token, instance_key=instance_key)
    except ValueError as error:
        fail(str(error))
    inbox.on_event(_print_event)
    inbox.on_event(_OutboxFeed(inbox))
    if forward is not None:
        inbox.on_event(_Forward(_checked_url(forward, "--forward")))
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    err_console.print(
        f"Listening on http://{escape(host)}:{port}/<any path>?token=*** ; store {escape(_shown(inbox))}"
        + ("" if forward is None else f" ; forwarding to {escape(_masked_url(forward))}"),
        soft_wrap=True,
    )
    asyncio.run(inbox.serve(receiver, host=host, port=port, concurrency=concurrency))
    inbox.close()


def _print_event(event: Event, attempt: int) -> None:
    when = (getattr(event, "timestamp", None) or datetime.now(UTC)).astimezone().strftime("%H:%M:%S")
    who = "me" if event.from_me else (getattr(event, "sender_name", None) or event.sender_jid or "")
    detail = event.text
    if detail is None and event.kind == "ack":
        status = getattr(event, "ack", None)
        detail = f"{event.message_id} {status.name.lower() if status is not None else getattr(event, 'ack_code', '')}"
    elif detail is None and event.kind == "connection":
        detail = getattr(event, "state", None)
    line = f"{when} {event.kind:<11} {event.chat_jid or '-'} {who}: {' '.join((detail or '').split())[:200]}"
    if attempt > 1:
        line += f" (attempt {attempt})"
    console.print(escape(line), soft_wrap=True, highlight=False)
    console.file.flush()  # a line per event, out before the event counts as handled, even into a pipe


class _OutboxFeed:
    """Receipts, echoes and opt-out replies update the outbox in the same store, so `megaapi campaign status` shows
    deliveries and reads, reconciles sends of unknown outcome and skips people who answered "SAIR"."""

    def __init__(self, inbox: Inbox) -> None:
        self.engine = inbox.engine
        self.outboxes: dict[str, Outbox] = {}

    def __call__(self, event: Event, attempt: int) -> None:
        from megaapi.outbox import Outbox
        from megaapi.outbox.campaign import instance_label

        key = getattr(event, "instance_key", None)
        if not isinstance(key, str) or not key:
            return
        label = instance_label(key)
        if label not in self.outboxes:
            self.outboxes[label] = Outbox(self.engine, instance=label, migrate=False)
        self.outboxes[label].handle_event(event)


class _Forward:
    """POST each event's JSON to the user's app; anything but a 2xx answer fails the attempt, so it is retried."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def __call__(self, event: Event, attempt: int) -> None:
        import httpx

        from megaapi.webhooks import UnknownEvent

        payload = event.raw if isinstance(event, UnknownEvent) else event.to_dict()
        try:
            async with httpx.AsyncClient(timeout=30) as http:
                response = await http.post(self.url, json=payload, headers={"X-Megaapi-Attempt": str(attempt)})
        except httpx.HTTPError as error:
            # httpx's messages can quote the URL, which may hold the app's own secret.
            raise ConnectionError(f"forwarding failed: {type(error).__name__}") from None
        if not response.is_success:
            raise ConnectionError(f"forwarding failed: HTTP {response.status_code}")


def history(
    chat: Annotated[
        str | None,
        typer.Argument(help="A number or JID; without it, the chats with unread counts.", show_default=False),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="How many messages (the newest) or chats.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many of the newest messages first.")] = 0,
    store: StoreOption = None,
) -> None:
    """A chat's messages, oldest first, with their delivery status; or the chats, newest first."""
    from megaapi import jid

    inbox = _open(store)
    if chat is None:
        _print_chats(inbox, limit, as_json)
        return
    try:
        chat = jid.chat(chat)
    except ValueError as error:
        fail(str(error))
    messages = inbox.history.messages(chat, limit=limit, offset=offset)
    if as_json:
        for message in messages:
            print_json(message.to_json())
        return
    table = Table("time", "from", "type", "text", "status", box=None)
    for message in messages:
        table.add_row(*_cells(message))
    console.print(table)


def _cells(message: Message) -> list[str]:
    who = "me" if message.from_me else (message.sender_name or message.sender or "")
    text = message.text or (message.media.file_name or message.media.mimetype or "" if message.media else "")
    return [
        escape(message.timestamp.astimezone().strftime("%Y-%m-%d %H:%M:%S")),
        escape(who),
        escape(message.type or ""),
        escape(" ".join(text.split())),
        escape(message.status_name or ""),
    ]


def _print_chats(inbox: Inbox, limit: int, as_json: bool) -> None:
    chats = inbox.history.chats(limit=limit)
    if as_json:
        for found in chats:
            print_json({"chat": found.chat, "unread": found.unread, "last_message": found.last_message.to_json()})
        return
    table = Table("chat", "unread", "time", "from", "type", "last message", "status", box=None)
    for found in chats:
        table.add_row(escape(found.chat), str(found.unread), *_cells(found.last_message))
    console.print(table)


def replay(
    dead: Annotated[bool, typer.Option("--dead", help="The dead letters.")] = False,
    since: Annotated[
        str | None, typer.Option(help="Events received from this time (ISO 8601; UTC without a zone).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="... and before this time.")] = None,
    to: Annotated[
        str | None, typer.Option(help="POST the events' JSON to this URL instead of queueing them for the handlers.")
    ] = None,
    store: StoreOption = None,
) -> None:
    """Hand events over again: queue them for the handlers of a running `megaapi listen`, or POST them to a URL."""
    start, end = _moment(since, "--since"), _moment(until, "--until")
    if not dead and start is None and end is None:
        fail("say what to replay: --dead, and/or --since/--until", code=2)
    inbox = _open(store)
    if to is None:
        count = inbox.replay(dead=dead, since=start, until=end)
        console.print(f"{count} event(s) queued again; a running `megaapi listen` or worker handles them.")
        return
    url = _checked_url(to, "--to")
    found = inbox.events(state="dead" if dead else None, since=start, until=end)
    failed = asyncio.run(_post_all(url, [record.payload for record in found if record.payload is not None]))
    skipped = sum(record.payload is None for record in found)
    console.print(f"{len(found) - skipped - failed} event(s) posted, {failed} failed, {skipped} without a payload.")
    if failed:
        raise typer.Exit(1)


async def _post_all(url: str, payloads: list[dict[str, Any]]) -> int:
    import httpx

    failed = 0
    async with httpx.AsyncClient(timeout=30) as http:
        for payload in payloads:
            try:
                response = await http.post(url, json=payload)
                failed += not response.is_success
            except httpx.HTTPError:
                failed += 1
    return failed


def _open(store: str | None, **options: Any) -> Inbox:
    try:
        from sqlalchemy.engine import make_url

        from megaapi.inbox import Inbox
        from megaapi.store import store_url
    except ModuleNotFoundError as missing:
        if missing.name not in {"sqlalchemy", "alembic", "uvicorn"}:
            raise
        fail('the inbox needs its extra: pip install "megaapi[inbox]"')
    try:
        return Inbox(store, **options)
    except ModuleNotFoundError as missing:  # a PostgreSQL URL without the driver
        fail(f'the store needs a driver that is not installed ({missing.name}): pip install "megaapi[postgres]"')
    except Exception as error:
        first_line = str(error).splitlines()[0] if str(error) else ""
        password = make_url(store_url(store)).password
        if password:
            first_line = first_line.replace(str(password), "***")
        fail(f"cannot open the store: {type(error).__name__}: {first_line}")


def _shown(inbox: Inbox) -> str:
    return inbox.engine.url.render_as_string(hide_password=True)


def _checked_url(url: str, option: str) -> str:
    if not url.startswith(("http://", "https://")):
        fail(f"{option} must be an http(s) URL", code=2)
    return url


def _masked_url(url: str) -> str:
    """The URL without its query, which often holds the receiving app's own secret."""
    base, _, query = url.partition("?")
    return base + ("?***" if query else "")


def _moment(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"{option} must be an ISO 8601 time such as 2026-11-30T09:00:00Z", code=2)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
