"""The generated models package imports a model's module only when the model is first used (templates/)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from megaapi_client import models

_PROBE = """
import json, sys
import megaapi_client.models as models
before = sorted(name for name in sys.modules if name.startswith("megaapi_client.models."))
models.SendTextRequest
after = sorted(name for name in sys.modules if name.startswith("megaapi_client.models."))
print(json.dumps([before, after]))
"""


def test_importing_the_package_imports_no_model_and_a_name_imports_only_its_own() -> None:
    output = subprocess.run([sys.executable, "-c", _PROBE], check=True, capture_output=True, text=True).stdout
    before, after = json.loads(output)
    assert before == []
    assert after == ["megaapi_client.models.send_text_request"]


def test_every_exported_name_resolves_once_and_is_listed() -> None:
    for name in models.__all__:
        value = getattr(models, name)
        assert vars(models)[name] is value  # kept, so later uses skip the lookup
    classes = [getattr(models, name) for name in models.__all__ if isinstance(getattr(models, name), type)]
    assert classes
    assert all(cls.__module__.startswith("megaapi_client.models.") for cls in classes)
    assert set(models.__all__) <= set(dir(models))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchModel"):
        models.NoSuchModel  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(ImportError):
        from megaapi_client.models import NoSuchModel  # type: ignore[attr-defined]  # noqa: F401
