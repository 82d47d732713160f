"""`Markets.vx_front_origin`: the front VX future's origin, as the first row of `vx_curve`."""

from __future__ import annotations

import pandas as pd
import pytest
from markets_fakes import make_data

from vixshield.data.market import MarketData
from vixshield.errors import UserError
from vixshield.markets import Markets


def _front_settles(data: MarketData, days: pd.DatetimeIndex) -> pd.DataFrame:
    """Real settlements of the front VX future on every other one of ``days``."""
    from vixshield.data.calendars import vx_expiry

    rows = []
    for k, d in enumerate(days):
        if k % 2 == 0:
            exp = vx_expiry(d.year, d.month)
            if exp <= d:
                nxt = d + pd.DateOffset(months=1)
                exp = vx_expiry(nxt.year, nxt.month)
            rows.append({"date": d, "expiry": exp, "settle": 16.5})
    return pd.DataFrame(rows)


def test_front_origin_is_the_curves_first_row_real_or_modeled() -> None:
    base = make_data(periods=40)
    days = pd.DatetimeIndex(base.daily.index)
    data = make_data(periods=40, vx=_front_settles(base, days))
    m = Markets(data)
    seen = set()
    for d in days:
        curve = m.vx_curve(d)
        assert m.vx_front_origin(d) == curve["origin"].iloc[0]
        seen.add(curve["origin"].iloc[0])
    assert seen == {"real", "modeled"}  # both kinds were exercised


def test_front_origin_before_vx_futures_is_refused() -> None:
    m = Markets(make_data(start="2003-01-02", periods=10))
    with pytest.raises(UserError):
        m.vx_front_origin(pd.Timestamp(m.data.daily.index[0]))
