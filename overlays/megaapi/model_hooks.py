"""`each_model_class`: run a function on every generated model class, those imported later included.

The generated models package imports each model only when it is first used (templates/models_init.py.jinja), and
a model imports its nested models itself, so there is no list of loaded classes to walk once. A finder on
`sys.meta_path`, consulted for the package's own submodules only, runs the registered functions on each model
module right after it loads.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

import attrs

PACKAGE = "megaapi_client.models"
_PREFIX = PACKAGE + "."
_callbacks: list[Callable[[type], None]] = []


def generated_class(cls: type) -> type:
    """The generated attrs class `cls` is or extends: its fields are the reply's, whatever a subclass adds on top."""
    return next(base for base in cls.__mro__ if "__attrs_attrs__" in vars(base))


def each_model_class(callback: Callable[[type], None]) -> None:
    """Call `callback` with every attrs class of the generated models package, now and as more are imported."""
    _callbacks.append(callback)
    for name, module in list(sys.modules.items()):
        if name.startswith(_PREFIX):
            _apply(module, (callback,))
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())


def _apply(module: ModuleType, callbacks: Sequence[Callable[[type], None]]) -> None:
    for value in list(vars(module).values()):
        # Only the classes the module defines: the ones it imports get their turn with their own module.
        if isinstance(value, type) and attrs.has(value) and value.__module__ == module.__name__:
            for callback in callbacks:
                callback(value)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith(_PREFIX):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


class _Loader(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        _apply(module, _callbacks)

    def __getattr__(self, name: str) -> object:
        # get_source, get_filename, is_package ...: what inspect, linecache and importlib.resources ask a loader.
        return getattr(self._loader, name)
