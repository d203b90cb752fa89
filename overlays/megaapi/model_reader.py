"""The fast path of `webhooks.parse` and of reply parsing: a generated model's annotations compiled once into a
function that checks a decoded payload and builds the models, in one pass.

The reference path takes several passes over the payload, each interpreting annotations or generated code per call:
drop the nulls (webhook events), `conformance.problem` (which walks `typing` annotations for every value) and the
generated `from_dict` (which copies each dict and imports its nested models on every call); for webhooks they cost
10-15 times `json.loads` (BENCHMARKS.md). This module gives the same result from the same annotations, with the type
tests decided once per model instead of once per value, and builds the models with their attrs constructors.
Anything it does not accept it hands back (`INVALID`) to the reference path, which says what is wrong; the tests
check that both paths give equal models.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Literal

import attrs

from megaapi_client.types import Unset

from . import conformance

INVALID: Any = object()
"""Returned when the payload does not fit: the caller takes the reference path."""

Read = Callable[[Any], Any]


def read(model: type, payload: Mapping[str, Any], *, keep_nulls: bool = False) -> Any:
    """An instance of the attrs model `model` built from `payload`, or `INVALID`.

    Webhook events count a null as absent; replies (`keep_nulls=True`) keep nulls as values, which fit only where
    the model allows None, as the generated `from_dict` and `conformance.problem` see them.
    """
    return _model(model, keep_nulls)(payload)


def _same(value: object) -> object:
    return value


def without_nulls(value: object) -> Any:
    if isinstance(value, Mapping):
        return {name: without_nulls(item) for name, item in value.items() if item is not None}
    if isinstance(value, list):
        return [without_nulls(item) for item in value]
    return value


def _compile(annotation: Any, keep_nulls: bool) -> Read:
    origin = typing.get_origin(annotation)
    if annotation is Any:
        return _same if keep_nulls else without_nulls
    if origin in (types.UnionType, typing.Union):
        options = [_compile(option, keep_nulls) for option in typing.get_args(annotation) if option is not Unset]
        return options[0] if len(options) == 1 else _union(options)
    if origin is Literal:
        return _literal(typing.get_args(annotation))
    if origin is list:
        return _list(_compile(typing.get_args(annotation)[0], keep_nulls))
    if origin is dict:
        return _mapping if keep_nulls else _object
    if annotation is str:
        return _string
    if annotation is bool:
        return _boolean
    if annotation is int:
        return _integer
    if annotation is float:
        return _number
    if annotation is type(None):
        return _null
    if attrs.has(annotation):
        return _model(annotation, keep_nulls)
    raise TypeError(f"no reader for {annotation!r}")  # conformance.unsupported_annotations keeps this unreachable


def _string(value: object) -> object:
    return value if isinstance(value, str) else INVALID


def _boolean(value: object) -> object:
    return value if value is True or value is False else INVALID


def _integer(value: object) -> object:
    return value if isinstance(value, int) and not isinstance(value, bool) else INVALID


def _number(value: object) -> object:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else INVALID


def _null(value: object) -> object:
    return None if value is None else INVALID


def _object(value: object) -> object:
    return without_nulls(value) if isinstance(value, Mapping) else INVALID


def _mapping(value: object) -> object:
    return value if isinstance(value, Mapping) else INVALID


def _union(options: list[Read]) -> Read:
    def union(value: object) -> object:
        for option in options:
            result = option(value)
            if result is not INVALID:
                return result
        return INVALID

    return union


def _literal(allowed: tuple[Any, ...]) -> Read:
    # (type, value) pairs: JSON's true is not the literal 1, though Python's True == 1.
    pairs = frozenset((type(option), option) for option in allowed)
    kinds = frozenset(type(option) for option in allowed)

    def literal(value: object) -> object:
        return value if type(value) in kinds and (type(value), value) in pairs else INVALID

    return literal


def _list(item: Read) -> Read:
    def items(value: object) -> object:
        if not isinstance(value, list):
            return INVALID
        result = []
        for element in value:
            read = item(element)
            if read is INVALID:
                return INVALID
            result.append(read)
        return result

    return items


# Annotations whose values are checked inline by the type alone, without a call: most fields are plain strings.
_EXACT: dict[Any, type] = {str: str, bool: bool, int: int, str | Unset: str, bool | Unset: bool, int | Unset: int}


@functools.cache
def _model(model: type, keep_nulls: bool) -> Read:
    # The field table is built on the first call, so models that refer to themselves compile.
    table: dict[str, tuple[str, Read, type | None]] = {}
    required: list[str] = []
    keeps_extra = compiled = False

    def compile_fields() -> None:
        nonlocal keeps_extra, compiled
        aliases = [field.alias for field in attrs.fields(model) if field.init]
        for alias, (json_name, annotation) in zip(aliases, conformance._fields(model), strict=True):
            table[json_name] = (alias, _compile(annotation, keep_nulls), _EXACT.get(annotation))
            if not conformance._optional(annotation):
                required.append(alias)
        keeps_extra = "additional_properties" in attrs.fields_dict(model)
        compiled = True

    def build(value: object) -> object:
        if not compiled:
            compile_fields()
        if type(value) is not dict and not isinstance(value, Mapping):
            return INVALID
        arguments: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for name, item in value.items():
            if item is None and not keep_nulls:
                continue
            field = table.get(name)
            if field is None:
                extra[name] = item if keep_nulls else without_nulls(item)
            elif type(item) is field[2]:
                arguments[field[0]] = item
            else:
                result = field[1](item)
                if result is INVALID:
                    return INVALID
                arguments[field[0]] = result
        for alias in required:
            if alias not in arguments:
                return INVALID
        instance = model(**arguments)
        if keeps_extra:
            instance.additional_properties = extra
        return instance

    return build
