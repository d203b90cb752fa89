"""The inbox: webhook events stored before they are acknowledged, handled once and in order per chat, with
retries, dead letters and replay; and the message history Mega-api does not keep. Needs the `inbox` extra.

```python
from megaapi.inbox import Inbox

inbox = Inbox("sqlite:///megaapi.db")


@inbox.on("text")
def on_text(event, attempt):  # must be idempotent: after a crash an event runs again
    print(event.chat_jid, event.text)


app = inbox.receiver(token="...")  # serve with uvicorn; run inbox.run_worker() (or `await inbox.work()`) beside it
```
"""

from ._inbox import Inbox, default_retry_delay
from .history import Chat, History, Media, Message
from .queue import EventRecord
from .receiver import InboxReceiver

__all__ = [
    "Chat",
    "EventRecord",
    "History",
    "Inbox",
    "InboxReceiver",
    "Media",
    "Message",
    "default_retry_delay",
]
