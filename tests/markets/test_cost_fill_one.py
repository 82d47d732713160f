"""`CostModel.fill_one` and `strategy.marks.close_cash` against the vectorised cost model.

The reference is `CostModel.fills` / `CostModel.cash` (numpy): the scalar path must give
the same floats bit for bit, NaN quotes, crossed and zero spreads included.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from vixshield.markets.costs import CostModel
from vixshield.strategy.marks import close_cash
from vixshield.strategy.types import Leg, Position, PositionMark

_MODELS = (
    CostModel(0.65, 0.3, 0.25),
    CostModel(0.0, 0.0, 0.0),
    CostModel(1.1, 0.07, 0.5),
    CostModel(0.5, 0.0, 1.0 / 3.0),
)


def _bits(x: float) -> int:
    return int(np.float64(x).view(np.int64))


def test_fill_one_is_fills_bit_for_bit() -> None:
    rng = np.random.default_rng(7)
    quotes = [
        (m, m - w, m + w)
        for m, w in zip(rng.uniform(0.0, 60.0, 60), rng.uniform(-0.5, 3.0, 60), strict=True)
    ]
    quotes += [(0.0, 0.0, 0.0), (0.05, 0.1, 0.0), (np.nan, 1.0, 2.0), (1.0, np.nan, 2.0)]
    quotes += [(1.0, 1.0, np.inf), (-0.0, 0.0, 0.0), (0.01, 0.0, 0.3), (2.5, 2.0, 3.0)]
    for cm, (m, b, a), q in itertools.product(_MODELS, quotes, (-3.0, -1.0, 0.0, 2.0, np.nan)):
        want = cm.fills(np.array([m]), np.array([b]), np.array([a]), np.array([q]))[0]
        got = cm.fill_one(float(m), float(b), float(a), q)
        assert type(got) is float
        if np.isnan(want):
            assert np.isnan(got)
        else:
            assert _bits(got) == _bits(want), (cm, m, b, a, q)


def _condor(ratios: tuple[int, ...]) -> Position:
    exp = pd.Timestamp("2021-03-19")
    legs = tuple(
        Leg("SPX", "SPX", exp, "AM", k, "put" if k < 3900 else "call", r)
        for k, r in zip((3700.0, 3800.0, 4000.0, 4100.0, 4200.0), ratios, strict=False)
    )
    return Position("p1", "condor", legs, 1, pd.Timestamp("2021-02-01"), -2.0)


def test_close_cash_is_the_vectorised_cash() -> None:
    rng = np.random.default_rng(11)
    for ratios in ((1, -1, -1, 1), (1, -2, 2, -1), (-1, 1), (3,)):
        pos = _condor(ratios)
        for _ in range(40):
            mid = rng.uniform(0.0, 30.0, len(ratios))
            half = rng.uniform(-0.2, 2.0, len(ratios))
            bid, ask = mid - half, mid + half
            legs = tuple(zip(mid.tolist(), bid.tolist(), ask.tolist(), strict=True))
            mark = PositionMark(0.0, 0.0, 0.0, 0.0, 30, 0.0, 0.0, legs)
            for cm, contracts in itertools.product(_MODELS, (1, 7, 250)):
                qty = np.array([-r * contracts for r in ratios], dtype=np.float64)
                want = cm.cash(mid, bid, ask, qty)
                assert _bits(close_cash(pos, mark, cm, contracts)) == _bits(want)
