"""`quote_legs` answers a mixed SPX/VIX book row for row as quoting each leg alone would.

Reference: `Markets.quote` of one leg at a time (the markets layer's own contract that a
row's quote does not depend on the rows quoted with it), on the embedded real data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vixshield.data.embedded import load_embedded
from vixshield.markets import Markets
from vixshield.strategy.marks import mark_positions, quote_legs
from vixshield.strategy.types import Leg, Position

DAY = pd.Timestamp("2016-03-01")
FIELDS = ("bid", "ask", "mid", "iv", "delta", "gamma", "vega", "theta", "forward", "t_years")


@pytest.fixture(scope="module")
def markets() -> Markets:
    return Markets(load_embedded())


def _legs(m: Markets) -> list[Leg]:
    legs = []
    for und in ("SPX", "VIX", "SPX"):
        e = m.expiries(DAY, und)[1 if und == "VIX" else 2]
        k = m.strikes(DAY, und, e.date)
        mid = len(k) // 2
        for j, right in ((mid - 3, "P"), (mid + 4, "C")):
            legs.append(Leg(und, e.root, e.date, e.settlement, float(k[j]), right, 1))
    return legs


def test_quote_legs_equals_each_leg_quoted_alone(markets: Markets) -> None:
    legs = _legs(markets)
    q = quote_legs(DAY, markets, legs)
    for i, leg in enumerate(legs):
        one = markets.quote(DAY, leg.underlying, [leg.expiry], np.array([leg.strike]), [leg.right])
        for f in FIELDS:
            assert getattr(q, f)[i] == getattr(one, f)[0], (f, leg)
        assert q.origins()[i] == one.origins()[0]
    assert q.origin == "modeled"  # the embedded data has no real chain


def test_marks_are_the_legs_sums(markets: Markets) -> None:
    legs = _legs(markets)
    p = Position("p1", "condor", tuple(legs[:2]), 2, DAY, -1.0)
    h = Position("h1", "hedge", tuple(legs[2:4]), 3, DAY, 1.0, layer="short")
    marks = mark_positions(DAY, markets, [p, h])
    for pos in (p, h):
        alone = [
            markets.quote(DAY, lg.underlying, [lg.expiry], np.array([lg.strike]), [lg.right])
            for lg in pos.legs
        ]
        value = sum(lg.ratio * float(a.mid[0]) for lg, a in zip(pos.legs, alone, strict=True))
        assert marks[pos.id].value == pytest.approx(value, abs=1e-12)
