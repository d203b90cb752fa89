"""Introspection tells the truth about API methods: real parameters and return type, coroutine functions on the
async client, and a `help()` that reads like the method's own documentation.
"""

from __future__ import annotations

import inspect
import pydoc

import pytest
from unit_spec import OPERATIONS, Operation
from unit_wire import SENT, Wire

from megaapi import AsyncMegaApi, MegaApi
from megaapi.models import SendMessageResponse
from megaapi.operations import Call, Endpoint

each_operation = pytest.mark.parametrize("op", OPERATIONS, ids=str)


def _endpoint(op: Operation, api: MegaApi) -> Endpoint[..., object]:
    found = inspect.getattr_static(type(getattr(api, op.tag)), op.python_name)
    assert isinstance(found, Endpoint)
    return found


@each_operation
def test_signature_shows_the_parameters_and_what_comes_back(op: Operation, api: MegaApi) -> None:
    method = getattr(getattr(api, op.tag), op.python_name)
    signature = inspect.signature(method)
    built = inspect.signature(_endpoint(op, api).__wrapped__)
    assert list(signature.parameters) == list(built.parameters)[1:]
    returned = signature.return_annotation
    assert not isinstance(returned, str), f"unresolved return annotation {returned!r}"
    assert returned is not inspect.Signature.empty
    assert getattr(returned, "__origin__", None) is not Call
    assert all(not isinstance(p.annotation, str) for p in signature.parameters.values()), signature


@each_operation
async def test_async_methods_are_coroutine_functions(op: Operation, api: MegaApi, async_api: AsyncMegaApi) -> None:
    assert inspect.iscoroutinefunction(getattr(getattr(async_api, op.tag), op.python_name))
    assert not inspect.iscoroutinefunction(getattr(getattr(api, op.tag), op.python_name))
    assert inspect.signature(getattr(getattr(async_api, op.tag), op.python_name)) == inspect.signature(
        getattr(getattr(api, op.tag), op.python_name)
    )


def test_help_reads_like_the_method(async_api: AsyncMegaApi) -> None:
    text = pydoc.render_doc(async_api.messages.send_text, renderer=pydoc.plaintext)  # type: ignore[attr-defined]
    assert "async send_text(to: str, text: str, *, link_preview: bool | None = None" in text
    assert "SendMessageResponse" in text
    assert "self" not in text
    assert "Call[" not in text
    assert inspect.signature(async_api.messages.send_text).return_annotation is SendMessageResponse


@pytest.mark.parametrize("client", ["api", "async_api"])
def test_help_of_a_namespace_shows_each_method_signature(request: pytest.FixtureRequest, client: str) -> None:
    """Failed before: `help(api.messages)` listed every method as `send_text(...)`."""
    text = pydoc.render_doc(request.getfixturevalue(client).messages, renderer=pydoc.plaintext)  # type: ignore[attr-defined]
    assert "(...)" not in text
    assert "send_text(self, to: str, text: str, *, link_preview: bool | None = None" in text
    assert "Call[" not in text


def test_a_method_read_from_the_class_takes_the_namespace_first(api: MegaApi, wire: Wire) -> None:
    wire.reply(json_body=SENT)
    sent = type(api.messages).send_text(api.messages, "5511999999999", "oi")
    assert isinstance(sent, SendMessageResponse)
    assert sent.message_id == "3EB0C767D26A1D4B1F9E"
