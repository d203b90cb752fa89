"""Response models with a few conveniences, over the generated ones, and the reprs of every model.

The spec keeps responses lenient (every field optional), so the generated models type most fields as
`X | Unset`. The reply classes here (one module each) subclass the generated models of the same name and add
read-only properties for the values people read after almost every call, typed as `X | None`; the client returns
them in place of the generated class of the same name. Every list reply has `items`, a typed list, empty when the
server sent none. Each reply class, with the generated model under it, is imported on first use, as the generated
models are (templates/models_init.py.jinja): importing them all cost the first call of a process about 20 ms.

A reply to an operation that is unsafe to repeat (a send, a creation) is returned even when its body does not
match the spec, since raising would invite a retry that acts twice: then `raw` holds the JSON body as received and
`unmatched` says what did not match (a `ReplyMismatchWarning` says it too). Both are empty on a matching reply.

Importing this module also gives every generated model a short repr without secrets (see `secret_free_repr`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from importlib import import_module
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import attrs

from megaapi_client import types as _types
from megaapi_client.types import Unset

from ..errors import MissingReplyFieldError
from ..logs import MASK, mask, variants
from ..model_hooks import each_model_class, generated_class

if TYPE_CHECKING:
    from .bulk_send_response import BulkSendResponse as BulkSendResponse
    from .chat_list_response import ChatListResponse as ChatListResponse
    from .check_number_response import CheckNumberResponse as CheckNumberResponse
    from .contact_list_response import ContactListResponse as ContactListResponse
    from .create_group_response import CreateGroupResponse as CreateGroupResponse
    from .create_instance_response import CreateInstanceResponse as CreateInstanceResponse
    from .group_list_response import GroupListResponse as GroupListResponse
    from .group_participants_response import GroupParticipantsResponse as GroupParticipantsResponse
    from .instance_list_response import InstanceListResponse as InstanceListResponse
    from .instance_status_response import InstanceStatusResponse as InstanceStatusResponse
    from .message_list_response import MessageListResponse as MessageListResponse
    from .pairing_code_response import PairingCodeResponse as PairingCodeResponse
    from .send_message_response import SendMessageResponse as SendMessageResponse

T = TypeVar("T")
# The reply classes and their modules, imported on first use (the module's `__getattr__` below).
_MODULES = {
    "BulkSendResponse": "bulk_send_response",
    "ChatListResponse": "chat_list_response",
    "CheckNumberResponse": "check_number_response",
    "ContactListResponse": "contact_list_response",
    "CreateGroupResponse": "create_group_response",
    "CreateInstanceResponse": "create_instance_response",
    "GroupListResponse": "group_list_response",
    "GroupParticipantsResponse": "group_participants_response",
    "InstanceListResponse": "instance_list_response",
    "InstanceStatusResponse": "instance_status_response",
    "MessageListResponse": "message_list_response",
    "PairingCodeResponse": "pairing_code_response",
    "SendMessageResponse": "send_message_response",
}


def _load(name: str) -> type:
    cls: type = getattr(import_module(f"{__name__}.{_MODULES[name]}"), name)
    globals()[name] = cls
    return cls


if not TYPE_CHECKING:  # type checkers see the imports above, so a misspelt name stays an error

    def __getattr__(name: str) -> Any:
        if name not in _MODULES:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        return _load(name)

    def __dir__() -> list[str]:
        return sorted({*globals(), *_MODULES})


def _set(value: T | Unset | None) -> T | None:
    return None if isinstance(value, Unset) else value


class Reply:
    """What every reply the client returns offers besides its fields."""

    raw: Any = None
    """The JSON body as received, kept only when it did not match the spec and the reply was returned anyway."""
    unmatched: tuple[str, ...] = ()
    """What did not match the spec in that case, one entry per field left out (e.g. `messageData.key.id: ...`)."""


class _UndocumentedList(Reply):
    """A list reply whose items have no documented shape: `items` are the JSON objects found under `data`."""

    additional_properties: dict[str, Any]

    @property
    def items(self) -> list[dict[str, Any]]:
        data = self.additional_properties.get("data")
        return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []


def reply_class(model: type[T]) -> type[T]:
    """The reply class that stands for the generated model `model`, or `model` itself when there is none."""
    name = model.__name__
    if name not in _MODULES:
        return model
    overlay = globals().get(name) or _load(name)
    return overlay if issubclass(overlay, model) else model


def _required(value: object, name: str, field: str, acted: str | None) -> str:
    if isinstance(value, str) and value:
        return value
    done = f"; {acted}, so do not repeat the call" if acted else ""
    raise MissingReplyFieldError(f"The reply has no {name} (`{field}`){done}", safe_to_retry=acted is None)


def _path(value: Any, *names: str) -> Any:
    for name in names:
        if not isinstance(value, Mapping):
            return None
        value = value.get(name)
    return value


# --- reprs ---------------------------------------------------------------------------------------------------------

# Fields that hold credentials: an instance key (`key` in instance listings), a token. Compared lower-cased, without
# `_`, so `instance_key`, `instanceKey` and `apiKey` match. A `key` that is an object (a message key) is not a secret.
_SECRET_NAMES = frozenset({"key", "token", "instancekey", "apikey", "admintoken", "accesstoken", "password", "secret"})
_URL_NAME = re.compile(r"(?i)(?:url|uri|link|webhook)$")
_MAX_ITEMS = 5
_MIN_ECHOED = 6  # shorter query values (`mode=live`) are masked in their URL, not everywhere
_MAX_TEXT = 120


def secret_free_repr(model: object) -> str:
    """`Name(field=value, ...)`: only the fields that are set, credentials as `***`, the query values of URLs
    (where webhook secrets live) as `***`, long lists and texts cut short."""
    # Read through the generated class's slots: a reply class's convenience of the same name (`code`) is not a field.
    generated = generated_class(type(model))
    fields = [
        (field.name, vars(generated)[field.name].__get__(model))
        for field in attrs.fields(generated)
        if field.name != "additional_properties"
    ]
    shown = [f"{name}={_shown(name, value)}" for name, value in fields if not isinstance(value, Unset)]
    extra = getattr(model, "additional_properties", None)
    if extra:
        shown += [f"{name}={_shown(name, value)}" for name, value in extra.items()]
    if getattr(model, "unmatched", ()):
        shown.append(f"unmatched={model.unmatched!r}")  # type: ignore[attr-defined]
    text = f"{type(model).__name__}({', '.join(shown)})"
    # A secret the reply holds in a credential field may be echoed elsewhere ("created with token ..."): mask it there.
    found = tuple(_secret_values(model.to_dict())) if hasattr(model, "to_dict") else ()
    return mask(text, variants(found)) if found else text


def _secret_values(value: Any, name: str = "") -> Iterator[str]:
    if isinstance(value, str):
        if name.replace("_", "").lower() in _SECRET_NAMES:
            yield value
        elif _URL_NAME.search(name) or "://" in value:
            yield from _query_values(value)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _secret_values(item, str(key))
    elif isinstance(value, list):
        for item in value:
            yield from _secret_values(item, name)


def _query_values(url: str) -> list[str]:
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    values = [value for _, value in parse_qsl(parts.query)]
    return [value for value in (*values, parts.password or "") if len(value) >= _MIN_ECHOED]


def _shown(name: str, value: Any) -> str:
    if isinstance(value, str):
        return repr(_masked_text(name, value))
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key!r}: {_shown(str(key), item)}" for key, item in value.items()) + "}"
    if isinstance(value, list | tuple):
        items = [_shown(name, item) for item in value[:_MAX_ITEMS]]
        if len(value) > _MAX_ITEMS:
            items.append(f"... {len(value) - _MAX_ITEMS} more")
        return "[" + ", ".join(items) + "]"
    return repr(value)


def _masked_text(name: str, value: str) -> str:
    if name.replace("_", "").lower() in _SECRET_NAMES:
        return MASK
    if _URL_NAME.search(name) or "://" in value:
        value = masked_url(value)
    return value if len(value) <= _MAX_TEXT else value[: _MAX_TEXT - 3] + "..."


def masked_url(url: str) -> str:
    """`url` with its password and every query value replaced by `***`: webhook URLs carry their secret there."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    if not parts.query and parts.password is None:
        return url
    netloc = parts.netloc
    if parts.password is not None:
        netloc = f"{parts.username}:{MASK}@" + netloc.rpartition("@")[2]
    query = urlencode([(name, MASK) for name, _ in parse_qsl(parts.query, keep_blank_values=True)], safe="*")
    if parts.query and not query:  # a bare secret such as `?s3cr3t`
        query = MASK
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _install_reprs() -> None:
    # The generated models are attrs classes whose default repr prints every field, secrets and `Unset` sentinels
    # included. The overlay replaces it on the generated classes themselves, so nested models get it too; doing it
    # in the generator's templates would mean keeping a modified copy of those templates here.
    # The generated models are imported on first use, so the repr is installed as each one loads.
    each_model_class(_install_repr)
    _types.Unset.__repr__ = lambda self: "UNSET"  # type: ignore[method-assign]


def _install_repr(model: type) -> None:
    model.__repr__ = secret_free_repr  # type: ignore[method-assign, assignment]


_install_reprs()
