"""`Expiry`: a frozen, slotted record; `Expiry.many_at` builds what the constructor builds."""

from __future__ import annotations

import dataclasses
import pickle

import pandas as pd
import pytest

from vixshield.markets.types import Expiry

FIELDS = [
    (pd.Timestamp("2020-01-17"), "SPX", "AM"),
    (pd.Timestamp("2020-01-22"), "SPXW", "PM"),
]
T_YEARS = [0.25, 0.0]


def test_many_at_is_the_constructor() -> None:
    got = Expiry.many_at(FIELDS, T_YEARS)  # type: ignore[arg-type]
    want = tuple(Expiry(*f, t) for f, t in zip(FIELDS, T_YEARS, strict=True))  # type: ignore[arg-type]
    assert got == want
    assert [hash(e) for e in got] == [hash(e) for e in want]
    assert [repr(e) for e in got] == [repr(e) for e in want]
    assert [dataclasses.astuple(e) for e in got] == [
        (*f, t) for f, t in zip(FIELDS, T_YEARS, strict=True)
    ]
    with pytest.raises(ValueError):
        Expiry.many_at(FIELDS, T_YEARS[:1])  # type: ignore[arg-type]


def test_frozen_and_slotted() -> None:
    (e,) = Expiry.many_at(FIELDS[:1], [0.25])  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.root = "VIX"  # type: ignore[misc]
    assert not hasattr(e, "__dict__")  # one object per expiry for the garbage collector
    assert pickle.loads(pickle.dumps(e)) == e
    assert dataclasses.replace(e, t_years=0.5) == Expiry(FIELDS[0][0], "SPX", "AM", 0.5)
