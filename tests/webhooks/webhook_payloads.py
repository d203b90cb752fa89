"""Loads the webhook fixtures and the spec's event schemas for the webhook tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from megaapi.spec import load_spec, pointer
from megaapi.spec import validator as schema_validator

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "webhooks"

FIXTURE_NAMES = sorted(path.stem for path in FIXTURES.glob("*.json"))


def body(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def payload(name: str) -> dict[str, Any]:
    loaded = json.loads(body(name))
    assert isinstance(loaded, dict)
    return loaded


def spec() -> dict[str, Any]:
    return load_spec()


def validator(schema: str) -> Draft202012Validator:
    """A validator for `#/components/schemas/<schema>`, resolving every `$ref` inside the whole spec."""
    return schema_validator(pointer("components", "schemas", schema))
