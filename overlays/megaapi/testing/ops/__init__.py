"""One handler per operationId of the spec, registered in `HANDLERS` when this package is imported."""

from megaapi.testing.ops import account, chats, groups, instance, messages, webhook
from megaapi.testing.ops.registry import HANDLERS, Call, Registration, Reply

__all__ = ["HANDLERS", "Call", "Registration", "Reply", "account", "chats", "groups", "instance", "messages", "webhook"]
