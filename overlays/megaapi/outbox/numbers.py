"""Settling where each phone number goes, with checkNumber, before anything is sent to it.

checkNumber answers whether a number has WhatsApp and the JID WhatsApp knows it by. In Brazil that settles the
ninth digit: mobile numbers gained a leading 9 in 2012-2016, and accounts registered before are still known by the
old eight-digit number, so `5511988887777` may have to be sent to `551188887777@s.whatsapp.net`. Answers are kept in
the store for `MAX_AGE`, so a resumed campaign does not ask again.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING

from .. import jid
from ..errors import InvalidInputError

if TYPE_CHECKING:
    from .. import AsyncMegaApi
    from .outbox import Outbox

MAX_AGE = timedelta(days=30)


async def check_numbers(
    outbox: Outbox,
    api: AsyncMegaApi,
    *,
    batch_size: int = 50,
    concurrency: int = 4,
    batches: int | None = None,
    first: str | None = None,
) -> int:
    """Ask checkNumber about the queued numbers not settled yet, `batch_size` at a time with `concurrency` calls in
    flight, and apply the answers (JIDs, or `not_on_whatsapp`). Numbers of the items sent first go first, `first`
    before all. Stops after `batches` batches when given. Returns how many numbers were asked (stored answers are
    reused). The first error stops it and is raised.
    """
    asked = done = 0
    limit = asyncio.Semaphore(concurrency)
    while batches is None or done < batches:
        numbers = await asyncio.to_thread(outbox.unchecked_numbers, batch_size)
        if first is not None and done == 0:
            numbers = [first, *(number for number in numbers if number != first)][:batch_size]
        if not numbers:
            break
        known = await asyncio.to_thread(outbox.known_numbers, numbers, outbox.clock.now() - MAX_AGE)
        missing = [number for number in numbers if number not in known]

        async def ask(number: str) -> tuple[str, tuple[bool, str | None]]:
            async with limit:
                reply = await api.instance.check_number(number)
            return number, (reply.on_whatsapp, settled_jid(reply.jid, number) if reply.on_whatsapp else None)

        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(ask(number)) for number in missing]
        answers = known | dict(task.result() for task in tasks)
        await asyncio.to_thread(outbox.settle_numbers, answers, missing)
        asked += len(missing)
        done += 1
    return asked


def settled_jid(answered: object, number: str) -> str:
    """The JID checkNumber reported, normalised; the number's own JID when the answer has no usable one."""
    if isinstance(answered, str):
        try:
            return jid.person(answered)
        except InvalidInputError:
            pass
    return jid.person(number)
