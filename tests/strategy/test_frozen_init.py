"""`direct_init` against the ``__init__`` `dataclasses` generates (the reference).

Twin classes, one with the generated ``__init__`` and one with `direct_init`'s, are
built with the same arguments: fields, equality, hash, repr, `dataclasses.replace`,
pickling, defaults, fresh default factories, ``__post_init__`` and the argument errors
must read the same. The strategy's records that use it keep their validation.
"""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
import pytest

from vixshield.strategy.frozen_init import direct_init
from vixshield.strategy.types import Order, Position, RuleFired


@dataclass(frozen=True)
class Plain:
    a: str
    b: float
    c: Mapping[str, float] = field(default_factory=dict)
    d: int = 3
    e: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.d < 0:
            raise ValueError("d must be >= 0")


@direct_init
@dataclass(frozen=True)
class Direct(Plain):
    """`Plain`'s fields and check (inherited), its ``__init__`` made by `direct_init`."""


CALLS: list[tuple[tuple[object, ...], dict[str, object]]] = [
    (("x", 1.5), {}),
    (("x", 1.5, {"k": 2.0}), {}),
    (("x",), {"b": -0.0, "e": (1, 2)}),
    ((), {"a": "y", "b": float("inf"), "d": 0, "c": {}}),
    (("x", 1.5, {}, 7, (3,)), {}),
]


@pytest.mark.parametrize(("args", "kwargs"), CALLS)
def test_same_record_as_the_generated_init(
    args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    want, got = Plain(*args, **kwargs), Direct(*args, **kwargs)  # type: ignore[arg-type]
    assert dataclasses.asdict(got) == dataclasses.asdict(want)
    assert repr(got) == repr(want).replace("Plain(", "Direct(")
    assert vars(got) == vars(want)
    assert got == Direct(*args, **kwargs)  # type: ignore[arg-type]
    again = pickle.loads(pickle.dumps(got))
    assert again == got and vars(again) == vars(got)
    assert vars(dataclasses.replace(got, d=9)) == vars(dataclasses.replace(want, d=9))
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.a = "z"  # type: ignore[misc]


def test_default_factory_is_fresh_per_instance() -> None:
    one, two = Direct("x", 1.0), Direct("x", 1.0)
    assert one.c == {} and one.c is not two.c
    assert Plain("x", 1.0).c is not Plain("x", 1.0).c  # as the generated one


def test_post_init_runs_and_argument_errors_match() -> None:
    with pytest.raises(ValueError, match="d must be >= 0"):
        Direct("x", 1.0, d=-1)
    for args, kwargs in [((), {}), (("x", 1.0, {}, 1, (), 9), {}), (("x", 1.0), {"f": 1})]:
        with pytest.raises(TypeError):
            Plain(*args, **kwargs)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            Direct(*args, **kwargs)  # type: ignore[arg-type]


def test_refuses_what_it_does_not_cover() -> None:
    @dataclass
    class Mutable:
        a: int

    @dataclass(frozen=True, slots=True)
    class Slotted:
        a: int

    @dataclass(frozen=True)
    class KeywordOnly:
        a: int = field(kw_only=True)

    @dataclass(frozen=True)
    class WithInitVar:
        a: int
        scale: dataclasses.InitVar[int] = 1

    @dataclass(frozen=True)
    class NotInInit:
        a: int
        b: int = field(default=0, init=False)

    for cls in (Mutable, Slotted, KeywordOnly, WithInitVar, NotInInit, int):
        with pytest.raises(TypeError):
            direct_init(cls)


def test_strategy_records_keep_their_checks() -> None:
    legacy = Order("close", "hedge:short", (), 2, "roll", "h1")  # type: ignore[arg-type]
    assert (legacy.kind, legacy.layer) == ("hedge", "short")
    with pytest.raises(ValueError, match="layer"):
        Order("open", "hedge", (), 1, "buy")
    pos = Position("p1", "condor", (), 1, pd.Timestamp("2020-01-02"), -1.2)
    assert pos.meta == {} and pos.meta is not Position("p2", "condor", (), 1, pos.opened, 0.0).meta
    fired = RuleFired("regime", {"vix": 20.0}, "info")
    assert (fired.note, fired.text) == ("", "info")
    assert hash(fired.rule) and RuleFired("a", {}, "fail", "why").failed
