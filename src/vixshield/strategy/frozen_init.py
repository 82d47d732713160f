"""`direct_init`: a frozen dataclass's ``__init__`` that fills the instance dict at once.

The ``__init__`` `dataclasses.dataclass` generates for a frozen class sets every field
through ``object.__setattr__`` (the class's own ``__setattr__`` refuses): one call per
field, about 0.4 us each. The strategy makes some twenty audit entries, a few orders and
a dozen small frozen records every close, so a sweep pays that thousands of times a
variant. `direct_init` replaces the generated ``__init__`` by one with the same
parameters (names, order, defaults, default factories) that stores the fields in the
instance ``__dict__`` directly and then calls ``__post_init__`` where the class has
one: the same fields and values, so equality, hashing, ``repr``, `dataclasses.replace`
and pickling are those of the generated one.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from typing import TypeVar, cast

__all__ = ["direct_init"]

_T = TypeVar("_T")


class _Factory:
    """The default of a parameter whose field has a ``default_factory`` (a fresh value
    per instance, as `dataclasses` makes it)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


def direct_init(cls: type[_T]) -> type[_T]:
    """Give the frozen dataclass ``cls`` an ``__init__`` that fills its ``__dict__`` at once.

    Parameters
    ----------
    cls : type
        A frozen dataclass without ``__slots__``, keyword-only fields, `dataclasses.InitVar`
        or ``init=False`` fields (the generated ``__init__`` is otherwise kept exactly).

    Returns
    -------
    type
        ``cls`` itself, its ``__init__`` replaced.

    Raises
    ------
    TypeError
        For a class this does not cover (not a frozen dataclass, slots, keyword-only or
        non-init fields, init variables).
    """
    params = vars(cls).get("__dataclass_params__")  # of its own decoration
    if params is None or not params.frozen or "__slots__" in vars(cls):
        raise TypeError(f"{cls.__name__} is not a frozen dataclass with an instance dict")
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    generated = list(inspect.signature(cls.__init__).parameters.values())[1:]
    plain = all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in generated)
    if not plain or [p.name for p in generated] != [f.name for f in fields]:
        raise TypeError(f"{cls.__name__}: keyword-only, init=False or InitVar fields")
    args: list[str] = []
    # the generated names start with "__direct": no field name can shadow them
    body: list[str] = ["    __direct_dict = __direct_self.__dict__"]
    names: dict[str, object] = {"__direct_factory": _FACTORY}
    for f in fields:
        name = f.name
        if f.default is not dataclasses.MISSING:
            names[f"__direct_default_{name}"] = f.default
            args.append(f"{name}=__direct_default_{name}")
            body.append(f"    __direct_dict[{name!r}] = {name}")
        elif f.default_factory is not dataclasses.MISSING:
            names[f"__direct_factory_{name}"] = f.default_factory
            args.append(f"{name}=__direct_factory")
            made = f"__direct_factory_{name}() if {name} is __direct_factory else {name}"
            body.append(f"    __direct_dict[{name!r}] = {made}")
        else:
            args.append(name)
            body.append(f"    __direct_dict[{name!r}] = {name}")
    if hasattr(cls, "__post_init__"):
        body.append("    __direct_self.__post_init__()")
    source = f"def __init__(__direct_self, {', '.join(args)}):\n" + "\n".join(body) + "\n"
    exec(source, names)  # generated as `dataclasses` generates its own
    init = cast(Callable[..., None], names["__init__"])
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    setattr(cls, "__init__", init)  # noqa: B010 - a class attribute mypy types as a method
    return cls
