"""Coverage sweep on the real 1990-2026 history: every month a condor could be quoted.

For the first trading day of every month from 1990 to the last SPX close in the data
(../shared/data plus the Yahoo SPX file in ../shared/reference, skipped where absent),
and on that last date itself: an SPX expiry lies within 45-60 calendar days (or the
nearest one is named), and strikes 2.5 standard deviations out on both sides (the
expiry's ATM volatility) are listed and quote with bid <= mid <= ask. Crisis days
(2008-10-10, 2015-08-24, 2018-02-05, 2020-03-16, 2022-06-13) are swept too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vixshield.data.market import MarketData
from vixshield.markets.view import Markets

pytestmark = pytest.mark.shared_data

CRISES = ("2008-10-10", "2015-08-24", "2018-02-05", "2020-03-16", "2022-06-13")


def _dates(data: MarketData) -> list[pd.Timestamp]:
    idx = data.daily.index[data.daily["spx_close"].notna()]
    first = pd.Series(idx, index=idx.year * 100 + idx.month).groupby(level=0).min()
    extra = [pd.Timestamp(d) for d in CRISES] + [idx[-1]]
    return sorted({pd.Timestamp(d) for d in first} | set(extra))


def test_every_month_has_quotable_condor_strikes(real_history: MarketData) -> None:
    m = Markets(real_history)
    dates = _dates(real_history)
    assert dates[0].year == 1990 and dates[-1] >= pd.Timestamp("2025-10-07")
    in_window = 0
    for d in dates:
        exps = m.expiries(d, "SPX")
        dte = np.array([(e.date - d).days for e in exps])
        inside = (dte >= 45) & (dte <= 60)
        in_window += bool(inside.any())
        e = exps[int(np.argmin(np.abs(dte - 52)))]
        assert abs((e.date - d).days - 52) <= 17, (d, e.date)  # nearest: at most 10 outside
        p = m.calibration(d).params
        sd = float(np.sqrt(p.total_variance(0.0, e.t_years)))
        k = m.strikes(d, "SPX", e.date)
        fwd = m.inputs(d).spot * np.exp((m.inputs(d).rate - m.inputs(d).q) * e.t_years)
        lo, hi = fwd * np.exp(-2.5 * sd), fwd * np.exp(2.5 * sd)
        assert k[0] <= lo and k[-1] >= hi, (d, k[0], k[-1], lo, hi)
        want = [k[k <= lo][-1], k[k >= hi][0]]
        qb = m.quote(d, "SPX", [e.date, e.date], np.array(want), ["P", "C"])
        assert np.all(np.isfinite(qb.mid)) and np.all(qb.bid <= qb.mid) and np.all(qb.mid <= qb.ask)
        assert np.all(qb.iv > 0.5 * np.sqrt(p.total_variance(0.0, e.t_years) / e.t_years)), d
    # monthlies only before 2005-10 (4-5 weeks apart); EOMs and weeklies after 2014
    assert in_window / len(dates) > 0.7
