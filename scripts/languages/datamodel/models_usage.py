"""A program against the pydantic models datamodel-code-generator makes of openapi.yaml: a status reply, a text
message, and every webhook fixture and every example of the spec validated into the class the spec names."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import megaapi_models as models
from pydantic import BaseModel, ValidationError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from events import expected_events, load_spec

status = models.InstanceStatusResponse.model_validate({"error": False, "instance": {"key": "k", "status": "connected"}})
connected = status.instance is not None and status.instance.user is not None
request = models.SendTextRequest(messageData=models.TextMessage(to="5511999999999@s.whatsapp.net", text="Olá"))
assert request.model_dump(exclude_none=True) == {"messageData": {"to": "5511999999999@s.whatsapp.net", "text": "Olá"}}


def text_of(event: models.KnownWebhookEvent) -> str | None:
    match event.root:
        case models.ConversationEvent(message=message):
            text: str | None = message.conversation
        case models.ExtendedTextEvent(message=message):
            text = message.extendedTextMessage.text if message.extendedTextMessage else message.conversation
        case _:
            text = None
    return text


def examples(spec: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(where, component name, value) for every JSON example whose schema is a component."""

    def in_content(where: str, content: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
        for media, node in content.items():
            ref = node.get("schema", {}).get("$ref", "")
            if not ref.startswith("#/components/schemas/") or "json" not in media:
                continue
            name = ref.rsplit("/", 1)[1]
            if "example" in node:
                yield where, name, node["example"]
            for key, example in node.get("examples", {}).items():
                yield f"{where} ({key})", name, example["value"]

    responses = spec["components"]["responses"]
    for section in ("paths", "webhooks"):
        for item in spec.get(section, {}).values():
            for op in item.values():
                if not isinstance(op, dict) or "operationId" not in op:
                    continue
                where = op["operationId"]
                yield from in_content(f"{where} request", op.get("requestBody", {}).get("content", {}))
                for code, response in op.get("responses", {}).items():
                    if "$ref" in response:
                        response = responses[response["$ref"].rsplit("/", 1)[1]]
                    yield from in_content(f"{where} {code}", response.get("content", {}))
    for name, schema in spec["components"]["schemas"].items():
        if "example" in schema:
            yield f"components/schemas/{name}", name, schema["example"]


wrong = []
for fixture, body, expected in expected_events():
    parsed = type(models.WebhookEvent.model_validate_json(body).root).__name__
    if parsed != expected:
        wrong.append(f"{fixture}: WebhookEvent gave {parsed}, expected {expected}")
    if expected != "UnknownEvent":
        typed = models.KnownWebhookEvent.model_validate_json(body)
        if type(typed.root).__name__ != expected:
            wrong.append(f"{fixture}: KnownWebhookEvent gave {type(typed.root).__name__}, expected {expected}")
        text_of(typed)
count = 0
for where, name, value in examples(load_spec()):
    model: type[BaseModel] = getattr(models, name)
    try:
        model.model_validate(value)
    except ValidationError as exc:
        wrong.append(f"{where}: the example is not a valid {name}: {exc.errors()[0]}")
    count += 1
if wrong:
    sys.exit("\n".join(wrong))
print(f"{len(expected_events())} webhook fixtures and {count} spec examples validated into the right class")
