"""`Markets.quote_many`: options each on its own date, row for row the per-date `quote`.

The reference is `Markets.quote` of each row alone at its own date (the per-date path
the backtest has always used), on the shipped 2014-2018 sample and on the real history
at crisis dates (Lehman, the 2011 downgrade, Volmageddon, March 2020, April 2025).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vixshield.data.embedded import load_embedded
from vixshield.data.market import MarketData
from vixshield.markets.view import Markets

_FIELDS = ("bid", "ask", "mid", "iv", "delta", "gamma", "vega", "theta", "forward", "t_years")
_CRISES = ["2008-10-10", "2008-11-20", "2011-08-08", "2018-02-05", "2020-03-16", "2020-03-23",
           "2025-04-08"]  # fmt: skip


def _rows(m: Markets, dates: list[pd.Timestamp], und: str) -> list[tuple]:
    """Per date: near and far expiries, strikes around the spot, both rights, one expired."""
    out = []
    for n, d in enumerate(dates):
        exps = [e.date for e in m.expiries(d, und)]  # type: ignore[arg-type]
        spot = m.inputs(d).spot if und == "SPX" else m.inputs(d).vix
        step = 5.0 if und == "SPX" else 1.0
        for e, x, r in ((exps[0], 0.9, "P"), (exps[min(2, len(exps) - 1)], 1.1, "C")):
            out.append((d, e, round(spot * x / step) * step, r))
        if n % 2:  # expired a week ago: intrinsic value against the settlement
            out.append((d, d - pd.Timedelta(days=7), round(spot / step) * step, "C"))
    return out


def _check(m: Markets, rows: list[tuple], und: str) -> None:
    d, e, k, r = (list(x) for x in zip(*rows, strict=True))
    q = m.quote_many(d, und, e, np.array(k, dtype=np.float64), r)  # type: ignore[arg-type]
    assert len(q.mid) == len(rows)
    for i, (di, ei, ki, ri) in enumerate(rows):
        alone = m.quote(di, und, [ei], [ki], [ri])  # type: ignore[arg-type]
        for f in _FIELDS:
            got, want = getattr(q, f)[i], getattr(alone, f)[0]
            assert got == want or (np.isnan(got) and np.isnan(want)), (di, ei, ki, ri, f)
        assert q.origins()[i] == alone.origins()[0]


@pytest.mark.parametrize("und", ["SPX", "VIX"])
def test_quote_many_is_quote_per_date_on_the_sample(und: str) -> None:
    data = load_embedded()
    m = Markets(data)
    idx = data.daily.index
    at = [
        int(idx.searchsorted(pd.Timestamp(d))) for d in ("2014-01-10", "2015-08-24", "2018-02-05")
    ]
    dates = [idx[i] for i in (at[0], at[1], at[0], at[2], at[1] + 1, at[2] + 3, at[1])]  # repeats
    rows = _rows(m, dates, und)
    rows = rows[1::2] + rows[::2]  # the dates interleaved
    _check(m, rows, und)


@pytest.mark.shared_data
@pytest.mark.parametrize("und", ["SPX", "VIX"])
def test_quote_many_is_quote_per_date_at_crises(real_history: MarketData, und: str) -> None:
    m = Markets(real_history)
    dates = [pd.Timestamp(d) for d in _CRISES]
    _check(m, _rows(m, dates, und), und)


def test_quote_many_of_one_date_is_quote() -> None:
    m = Markets(load_embedded())
    d = m.data.daily.index[-500]
    e = m.expiries(d, "SPX")[1].date
    spot = m.inputs(d).spot
    k = [round(spot * 0.95 / 5) * 5, round(spot * 1.05 / 5) * 5]
    many = m.quote_many([d, d], "SPX", [e, e], k, ["P", "C"])
    one = m.quote(d, "SPX", [e, e], k, ["P", "C"])
    for f in _FIELDS:
        assert getattr(many, f).tolist() == getattr(one, f).tolist()


def test_quote_many_needs_one_of_each_per_row() -> None:
    m = Markets(load_embedded())
    d = m.data.daily.index[-500]
    e = m.expiries(d, "SPX")[1].date
    with pytest.raises(ValueError, match="one date, expiry, strike and right per row"):
        m.quote_many([d, d], "SPX", [e], [4000.0, 4100.0], ["P", "C"])
