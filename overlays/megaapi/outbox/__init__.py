"""The outbox: paced, resumable sending that never sends a message twice.

```python
from megaapi import AsyncMegaApi
from megaapi.outbox import Outbox, Pacing

outbox = Outbox("sqlite:///megaapi.db", instance="loja", pacing=Pacing(rate_per_minute=12, daily_cap=500))
outbox.queue("+55 11 99999-9999", "Seu código é 123456", key="otp-8812", priority=10)

async with AsyncMegaApi() as api:
    await outbox.run(api, until_idle=True)        # or outbox.start_thread() / outbox.start_process()
print(outbox.item("otp-8812").status)             # Status.SENT
```

Needs the `inbox` extra (SQLAlchemy, Alembic), and `postgres` for PostgreSQL. Feed every webhook event to
`Outbox.handle_event` to record deliveries and reads, reconcile `unknown` items and collect opt-outs.
"""

from megaapi.outbox.clock import SYSTEM_CLOCK, Clock, ManualClock, SystemClock
from megaapi.outbox.items import Counts, Item, Status
from megaapi.outbox.outbox import DEFAULT_OPT_OUT_WORDS, Message, Outbox
from megaapi.outbox.pacing import Pacing
from megaapi.outbox.worker import StopWorker, Worker, WorkerHandle

__all__ = [
    "DEFAULT_OPT_OUT_WORDS",
    "SYSTEM_CLOCK",
    "Clock",
    "Counts",
    "Item",
    "ManualClock",
    "Message",
    "Outbox",
    "Pacing",
    "Status",
    "StopWorker",
    "SystemClock",
    "Worker",
    "WorkerHandle",
]
