"""Checks a payload against a generated model's annotations before the model's `from_dict` sees it (webhook
events, and mappings given to the client in place of request models).

The generated `from_dict` methods copy scalars without looking at them and turn anything `dict()` accepts into a
nested model, so `"fromMe": "false"` or a list where an object belongs would still yield a model whose attributes
lie about their types. `problem` walks the payload with the model's own annotations instead, so the spec stays the
only description of the events. Problems name the JSON path and the types, never the values, which may be personal
data.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Iterator, Mapping
from typing import Any, Literal

import attrs

from megaapi_client import models
from megaapi_client.types import Unset

from . import generated_api

_SCALARS: dict[type, str] = {str: "a string", bool: "a boolean", int: "an integer", float: "a number"}


class _Models(Mapping[str, Any]):
    """The generated models by name, for resolving annotations; each imported on first use, as the package does."""

    def __getitem__(self, name: str) -> Any:
        try:
            return getattr(models, name)
        except AttributeError:
            raise KeyError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(models.__all__)

    def __len__(self) -> int:
        return len(models.__all__)


_MODELS = _Models()


@functools.cache
def _fields(cls: type) -> tuple[tuple[str, Any], ...]:
    """(JSON name, annotation) of every field of a generated model."""
    # The generated modules import nested models only under TYPE_CHECKING; the models package resolves them.
    hints = typing.get_type_hints(cls, localns=_MODELS)
    return tuple((json_name, hints[attribute]) for attribute, json_name in generated_api.json_names(cls).items())


def problem(model: type, data: Mapping[str, Any]) -> str | None:
    """The first place where `data` does not fit the generated model class `model`, or None when it fits."""
    return _check_object(model, data, "")


def _check_object(model: type, data: Mapping[str, Any], path: str) -> str | None:
    for name, annotation in _fields(model):
        where = f"{path}{name}"
        if name not in data:
            if _optional(annotation):
                continue
            return f"{where}: required field is missing"
        found = _check(data[name], annotation, where)
        if found:
            return found
    return None


def _optional(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (types.UnionType, typing.Union) and Unset in typing.get_args(annotation)


def _check(value: object, annotation: Any, path: str) -> str | None:
    origin = typing.get_origin(annotation)
    if annotation is Any:
        return None
    if origin in (types.UnionType, typing.Union):
        return _check_union(value, [option for option in typing.get_args(annotation) if option is not Unset], path)
    if origin is Literal:
        allowed = typing.get_args(annotation)
        if any(type(value) is type(option) and value == option for option in allowed):
            return None
        return f"{path}: expected one of {list(allowed)}"
    if origin is list:
        if not isinstance(value, list):
            return _mismatch(path, "a list", value)
        (item,) = typing.get_args(annotation)
        for index, element in enumerate(value):
            found = _check(element, item, f"{path}[{index}]")
            if found:
                return found
        return None
    if origin is dict:
        return None if isinstance(value, Mapping) else _mismatch(path, "an object", value)
    if annotation in _SCALARS:
        return None if _is_scalar(value, annotation) else _mismatch(path, _SCALARS[annotation], value)
    if annotation is type(None):
        return None if value is None else _mismatch(path, "null", value)
    if attrs.has(annotation):
        if not isinstance(value, Mapping):
            return _mismatch(path, "an object", value)
        return _check_object(annotation, value, f"{path}.")
    return f"{path}: no check for {annotation!r}"


def _check_union(value: object, options: list[Any], path: str) -> str | None:
    if len(options) == 1:
        return _check(value, options[0], path)
    if any(_check(value, option, path) is None for option in options):
        return None
    return _mismatch(path, " or ".join(_describe(option) for option in options), value)


def _is_scalar(value: object, kind: type) -> bool:
    if kind is bool:
        return type(value) is bool
    if isinstance(value, bool):  # bool is an int subclass; JSON keeps them apart
        return False
    if kind is float:
        return isinstance(value, int | float)
    return isinstance(value, kind)


def _describe(annotation: Any) -> str:
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    if typing.get_origin(annotation) is list:
        return "a list"
    if annotation is type(None):
        return "null"
    return "an object"


def _mismatch(path: str, expected: str, value: object) -> str:
    return f"{path}: expected {expected}, got {_json_type(value)}"


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def unsupported_annotations(root: type) -> Iterator[str]:
    """Every annotation reachable from the generated model `root` that `problem` cannot check (for the tests)."""
    seen: set[type] = set()

    def visit(annotation: Any, path: str) -> Iterator[str]:
        origin = typing.get_origin(annotation)
        if origin in (types.UnionType, typing.Union, list):
            for argument in typing.get_args(annotation):
                yield from visit(argument, path)
        elif attrs.has(annotation):
            if annotation not in seen:
                seen.add(annotation)
                for name, nested in _fields(annotation):
                    yield from visit(nested, f"{path}.{name}")
        elif not (annotation is Any or origin in (Literal, dict) or annotation in (*_SCALARS, Unset, type(None))):
            yield f"{path}: {annotation!r}"

    yield from visit(root, root.__name__)
