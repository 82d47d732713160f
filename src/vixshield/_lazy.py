"""Package names loaded on first access (PEP 562), for packages whose modules are costly.

A package whose ``__init__`` re-exports the names of heavy modules (the store's duckdb and
pyarrow, the chain importer, the service's notifications) assigns ``__getattr__ =
lazy_names(__name__, homes, globals())``: a name is imported from its module the first
time it is read and kept in the package's namespace from then on.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    package: str, homes: Mapping[str, str], namespace: dict[str, Any]
) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``name`` from the module ``homes[name]``.

    Parameters
    ----------
    package : str
        The package's ``__name__`` (named in the AttributeError of an unknown name).
    homes : mapping of str to str
        Public name -> full name of the module that defines it.
    namespace : dict
        The package's ``globals()``, where each loaded name is kept.
    """

    def __getattr__(name: str) -> Any:
        module = homes.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    return __getattr__
