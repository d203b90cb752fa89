"""Valid requests for every operation, built from the spec's own examples.

The examples name groups, media and instances that do not exist in a fresh emulator; `Setup` creates matching
state and maps each example value to its emulator counterpart, so the request stays the spec's example.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from megaapi.spec import Operation, request_example
from megaapi.testing import Emulator

KEY = "megaapi-test-key"
TOKEN = "test-token"
ADMIN_TOKEN = "admin-test-token"
EXAMPLE_GROUPS = ("120363042378568057@g.us", "120363042055651690@g.us")
EXAMPLE_MEDIA_KEY = "hYhJzBNqomEcqJChup1tThacMeAZGnC1mrES+7hgnMg="
EXAMPLE_DIRECT_PATH = (
    "/v/t62.7118-24/56249636_3101883020117577_8268908827765176859_n.enc?ccb=11-4&oh=01_AdR_GrfvFRBUF01YUeeuNzgUQsl8DJIYk2"
    "bhIpniP3fb0g&oe=64D37060"
)
EXAMPLE_MEMBER = "551199999999@s.whatsapp.net"
PAIRING_OPERATIONS = {"getQrCode", "getQrCodeBase64", "getPairingCode"}


@dataclass
class Request:
    method: str
    url: str
    params: dict[str, str] = field(default_factory=dict)
    body: Any = None
    token: str = TOKEN


def _wire(value: Any) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)


def prepare(emulator: Emulator, operation: Operation) -> Request:
    """Set up the state the operation's examples refer to; return the example request."""
    instance = emulator.instance(KEY)
    replacements: dict[str, str] = {}
    group = emulator.add_group("Equipe de vendas", [EXAMPLE_MEMBER, "551188888888"])
    for example in EXAMPLE_GROUPS:
        replacements[example] = group.jid
    event = emulator.receive_media("5561995562618", "image", b"\xff\xd8\xff\xe0 a jpeg", mimetype="image/jpeg")
    image = event["message"]["imageMessage"]
    replacements[EXAMPLE_MEDIA_KEY] = image["mediaKey"]
    replacements[EXAMPLE_DIRECT_PATH] = image["directPath"]
    if operation.operation_id in PAIRING_OPERATIONS:
        emulator.disconnect(KEY)

    examples, body = request_example(operation.operation_id)
    params = {
        p.name: _wire(examples[p.name]) for p in operation.parameters if p.location == "query" and p.name in examples
    }

    text = json.dumps({"params": params, "body": body})
    for example, actual in replacements.items():
        text = text.replace(json.dumps(example)[1:-1], json.dumps(actual)[1:-1])
    request = json.loads(text)
    path = operation.path.replace("{instance_key}", instance.key)
    return Request(
        operation.method,
        path,
        request["params"],
        request["body"],
        ADMIN_TOKEN if operation.admin else TOKEN,
    )
