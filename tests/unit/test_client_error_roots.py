"""Every error a call raises derives from MegaApiError: each parameter of each method gets odd values of every kind.

The other parameters get an ordinary phone number, so many calls are refused for them; what matters is that nothing
escapes as a bare ValueError, OSError or TypeError. Replies are a generic success.
"""

from __future__ import annotations

import inspect
import io
import math
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from megaapi import MegaApi, MegaApiError

NAMESPACES = ("instance", "webhook", "messages", "chats", "groups", "account")
ODD_VALUES: list[Any] = [
    None, 0, -1, 2**70, 1.5, math.nan, True, "", " ", "a\x00b", "\ud800", "x" * 70_000, b"\xff", [], [None], {},
    {"a": object()}, object(), io.StringIO("x"), Path("/"), "file:///etc/passwd", "https://exa mple.com", ("a",),
]  # fmt: skip


@pytest.fixture
def lenient_api() -> Iterator[MegaApi]:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"error": False, "message": "ok", "data": "aGVsbG8="})

    with (
        httpx.Client(transport=httpx.MockTransport(answer)) as http,
        MegaApi(instance_key="megastart-RootKey1", token="root-token-1", admin_token="root-admin-1", host="api2",
                http_client=http) as api,
    ):  # fmt: skip
        yield api


def _methods(api: MegaApi) -> Iterator[tuple[str, Any, list[inspect.Parameter]]]:
    for namespace_name in NAMESPACES:
        namespace = getattr(api, namespace_name)
        for name in sorted(vars(type(namespace))):
            method = getattr(namespace, name)
            if name.startswith("_") or not callable(method):
                continue
            parameters = [
                parameter
                for parameter in inspect.signature(method).parameters.values()
                if parameter.name != "self" and parameter.kind is not parameter.VAR_KEYWORD
            ]
            yield f"{namespace_name}.{name}", method, parameters


def test_every_error_a_call_raises_is_a_megaapi_error(lenient_api: MegaApi) -> None:
    """Failed before: a 70 000-character path made send_media and save_media raise a bare OSError."""
    escaped = []
    for name, method, parameters in _methods(lenient_api):
        for odd in parameters:
            for value in ODD_VALUES:
                arguments = {
                    parameter.name: value if parameter is odd else "5511999999999"
                    for parameter in parameters
                    if parameter is odd or parameter.default is inspect.Parameter.empty
                }
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")  # replies that do not match the spec warn
                        method(**arguments)
                except MegaApiError:
                    pass
                except Exception as error:  # what the test looks for
                    escaped.append(f"{name}({odd.name}={value!r:.30}): {type(error).__name__}: {error!s:.80}")
    assert escaped == []
