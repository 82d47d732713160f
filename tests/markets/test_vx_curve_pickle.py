"""`VxCurve` pickles: the compact form gives back equal fields, units and bytes."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd

from vixshield.markets.vix_source import VxCurve


def _curve(expiry: tuple[pd.Timestamp, ...]) -> VxCurve:
    days = np.array([(e.normalize() - pd.Timestamp("1970-01-01")).days for e in expiry])
    values = np.array([18.25, 19.5 + 1e-13])
    return VxCurve(days.astype(np.int64), expiry, values, ("real", "modeled"))


def _same(a: VxCurve, b: VxCurve) -> bool:
    return (
        a.days.dtype == b.days.dtype
        and a.days.tobytes() == b.days.tobytes()
        and a.value.tobytes() == b.value.tobytes()
        and a.origin == b.origin
        and [(e.value, e.unit, e.tz) for e in a.expiry]
        == [(e.value, e.unit, e.tz) for e in b.expiry]
    )


def test_midnight_expiries_of_mixed_units_round_trip_compactly() -> None:
    expiry = (pd.Timestamp("2024-01-17"), pd.Timestamp("2024-02-14").as_unit("us"))
    curve = _curve(expiry)
    raw = pickle.dumps(curve)
    assert _same(pickle.loads(raw), curve)
    assert len(raw) < len(pickle.dumps((curve.days, curve.expiry, curve.value, curve.origin)))


def test_an_expiry_off_midnight_is_pickled_as_it_is() -> None:
    expiry = (pd.Timestamp("2024-01-17 08:30"), pd.Timestamp("2024-02-14"))
    curve = _curve(expiry)
    assert _same(pickle.loads(pickle.dumps(curve)), curve)
    assert pickle.loads(pickle.dumps(curve)).expiry[0].hour == 8
