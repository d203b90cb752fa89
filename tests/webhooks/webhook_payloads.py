"""Loads the webhook fixtures and the spec's event schemas for the webhook tests."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "webhooks"
SPEC_URI = "urn:megaapi:openapi.yaml"

FIXTURE_NAMES = sorted(path.stem for path in FIXTURES.glob("*.json"))


def body(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def payload(name: str) -> dict[str, Any]:
    loaded = json.loads(body(name))
    assert isinstance(loaded, dict)
    return loaded


@functools.cache
def spec() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@functools.cache
def validator(schema: str) -> Draft202012Validator:
    """A validator for `#/components/schemas/<schema>`, resolving every `$ref` inside the whole spec."""
    registry: Registry[Any] = Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(spec()))
    return Draft202012Validator({"$ref": f"{SPEC_URI}#/components/schemas/{schema}"}, registry=registry)
