"""The webhook fixtures with the event class the spec's discriminator names for each, for the Python usage programs."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi.yaml"
FIXTURES = ROOT / "tests" / "fixtures" / "webhooks"


def load_spec() -> dict[str, object]:
    with SPEC.open(encoding="utf-8") as handle:
        spec: dict[str, object] = yaml.safe_load(handle)
    return spec


def expected_events() -> list[tuple[str, str, str]]:
    """(fixture name, body, class name): the class the mapping gives the messageType, else UnknownEvent."""
    components = load_spec()["components"]
    assert isinstance(components, dict)
    mapping = components["schemas"]["KnownWebhookEvent"]["discriminator"]["mapping"]
    found = []
    for path in sorted(FIXTURES.glob("*.json")):
        body = path.read_text(encoding="utf-8")
        message_type = yaml.safe_load(body).get("messageType")
        name = mapping.get(message_type, "#/components/schemas/UnknownEvent").rsplit("/", 1)[1]
        found.append((path.name, body, name))
    return found
