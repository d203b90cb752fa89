"""The public surface is pinned: exported names, namespaces, and exactly one method per operationId."""

from __future__ import annotations

import inspect

import pytest
from unit_spec import OPERATIONS, TAGS, Operation

import megaapi
from megaapi import AsyncMegaApi, MegaApi
from megaapi.operations import Endpoint, Namespace

NAMESPACES = ("account", "chats", "groups", "instance", "messages", "webhook")
# Conveniences over documented operations: they add no operation of their own.
HELPERS = {"messages": {"send_media"}, "instance": {"download_media", "save_media"}}
EXPORTS = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncMegaApi",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "InternalServerError",
    "InvalidInputError",
    "MegaApi",
    "MegaApiError",
    "MissingReplyFieldError",
    "NotFoundError",
    "NotOnWhatsAppError",
    "OperationFailedError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "ReplyMismatchWarning",
    "__version__",
]


def test_exported_names_are_pinned() -> None:
    assert sorted(megaapi.__all__) == EXPORTS
    for name in megaapi.__all__:
        assert getattr(megaapi, name) is not None, name


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        _ = megaapi.NoSuchThing


def test_namespaces_are_the_spec_tags() -> None:
    assert list(NAMESPACES) == TAGS


@pytest.fixture(params=["sync", "async"])
def client(request: pytest.FixtureRequest, api: MegaApi, async_api: AsyncMegaApi) -> MegaApi | AsyncMegaApi:
    return api if request.param == "sync" else async_api


def test_clients_expose_exactly_the_namespaces(client: MegaApi | AsyncMegaApi) -> None:
    public = {name for name in dir(client) if not name.startswith("_")}
    found = {name for name in public if isinstance(getattr(client, name), Namespace)}
    assert found == set(NAMESPACES)
    closing = {"close"} if isinstance(client, MegaApi) else {"aclose"}
    assert public == set(NAMESPACES) | {"base_url", "timeout", "max_retries", "with_options"} | closing


@pytest.mark.parametrize("tag", NAMESPACES)
def test_each_namespace_has_one_method_per_operation_and_nothing_else(tag: str, api: MegaApi) -> None:
    expected = {op.python_name for op in OPERATIONS if op.tag == tag} | HELPERS.get(tag, set())
    namespace_class = type(getattr(api, tag))
    endpoints = {name for name, value in vars(namespace_class).items() if isinstance(value, Endpoint)}
    public = {name for name in dir(namespace_class) if not name.startswith("_")}
    assert endpoints == expected
    assert public == expected


@pytest.mark.parametrize("op", OPERATIONS, ids=str)
def test_operation_is_a_method_on_both_clients(op: Operation, client: MegaApi | AsyncMegaApi) -> None:
    method = getattr(getattr(client, op.tag), op.python_name)
    assert callable(method)
    assert method.__name__ == op.python_name
    assert inspect.getdoc(method), f"{op.tag}.{op.python_name} has no docstring"
