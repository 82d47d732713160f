"""VixShield: SPX iron condors with an Adaptive Layered VIX Hedge.

The package is layered, with dependencies pointing one way::

    data -> pricing -> markets -> strategy -> backtest -> report / cli

The notebook API (`vixshield.api`) is re-exported here: ``import vixshield as vs;
vs.backtest("alvh-442", vs.load_data("embedded"))``. Its names are imported on first
use (PEP 562 module ``__getattr__``), so ``import vixshield`` and ``vixshield --version``
stay fast.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vixshield.api import (
        Data,
        Result,
        Signal,
        backtest,
        compare,
        load_data,
        resolve_policy,
        signal,
        sweep,
        walk_forward,
    )

__all__ = [
    "Data",
    "Result",
    "Signal",
    "__version__",
    "backtest",
    "compare",
    "load_data",
    "resolve_policy",
    "signal",
    "sweep",
    "walk_forward",
]

__version__ = "0.1.0"

_API = frozenset(__all__) - {"__version__"}
_CALLABLE_SUBPACKAGES = frozenset({"backtest", "sweep"})
"""API functions named like a subpackage: ``vs.backtest`` *is* `vixshield.backtest`,
made callable as `vixshield.api.backtest` (likewise ``sweep``), so that both
``vs.backtest(...)`` and ``import vixshield.backtest`` work."""


class _CallableSubpackage(ModuleType):
    """A subpackage that, called, runs the API function of the same name (`vixshield.api`)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        function = getattr(importlib.import_module("vixshield.api"), self.__name__.split(".")[-1])
        return function(*args, **kwargs)


class _Package(ModuleType):
    """The ``vixshield`` module: marks `_CALLABLE_SUBPACKAGES` callable as they are imported."""

    def __setattr__(self, name: str, value: Any) -> None:
        if (
            name in _CALLABLE_SUBPACKAGES
            and isinstance(value, ModuleType)
            and value.__name__ == f"{__name__}.{name}"
            and type(value) is ModuleType
        ):
            value.__class__ = _CallableSubpackage
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    if name in _CALLABLE_SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _API:
        value = getattr(importlib.import_module("vixshield.api"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'vixshield' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _API)
