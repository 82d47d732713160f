"""The per-call shortcuts of the quote path answer what the general path answers.

References come from outside the shortcut: numpy's ``datetime64[D]`` day numbers, the
normalised date's inputs, the VX curve table (`Markets.vx_curve`), quotes of the same
rows asked one at a time, and the Cboe right spellings ("C"/"call" a call, "P"/"put" a put).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vixshield.data.market import MarketData
from vixshield.errors import UserError
from vixshield.markets._days import expiry_days
from vixshield.markets.view import Markets


def _numpy_days(values: list[pd.Timestamp]) -> list[int]:
    return [int(np.datetime64(v.tz_localize(None).date(), "D").astype(np.int64)) for v in values]


@pytest.mark.parametrize(
    "values",
    [
        [pd.Timestamp("2020-03-20")] * 6,  # one object
        [pd.Timestamp("2020-03-20"), pd.Timestamp("2020-03-20 00:00")] * 3,  # equal objects
        [pd.Timestamp("2020-03-20 15:00"), pd.Timestamp("2020-03-20")],  # equal day, not equal
        [pd.Timestamp("2020-03-20").as_unit("s")] * 3,
        (pd.Timestamp("1969-12-31 23:00"),) * 2,  # a tuple, before the epoch
        [pd.Timestamp("2020-03-20")] * 2 + [pd.Timestamp("2020-03-20 22:00", tz="US/Eastern")],
    ],
)
def test_expiry_days_of_repeated_expiries(values: list[pd.Timestamp]) -> None:
    got = expiry_days(values)
    assert got.dtype == np.int64 and got.tolist() == _numpy_days(list(values))


def test_day_memo_by_value_is_the_normalised_day(small_data: MarketData) -> None:
    m = Markets(small_data)
    d = small_data.daily.index[12]
    at_noon = d + pd.Timedelta(hours=12)
    first = m.inputs(at_noon)
    assert first.date == d and m.inputs(at_noon) is first and m.inputs(d) is first
    assert m.inputs(d.to_pydatetime()) is first  # not a Timestamp: the general path
    aware = d.tz_localize("UTC")  # the same nanoseconds as ``d``, another instant
    with pytest.raises(UserError, match="not a trading day"):
        m.inputs(aware)
    with pytest.raises(UserError, match="not a trading day"):
        m.inputs(d + pd.Timedelta(days=40 * 365))


def test_futures_are_the_curve_and_the_model_off_it(small_data: MarketData) -> None:
    m = Markets(small_data)
    for d in small_data.daily.index[[5, 40, 41, 5]]:  # a day asked again after others
        curve = m.vx_curve(d)
        exps = [e.date for e in m.expiries(d, "VIX")]
        q = m.quote(d, "VIX", exps, [20.0] * len(exps), ["call"] * len(exps))
        want = [float(curve.loc[curve["expiry"] == e, "value"].iloc[0]) for e in exps]
        assert q.forward.tolist() == want
        off = d + pd.Timedelta(days=45)  # not a VX expiry: the term-structure model
        one = m.quote(d, "VIX", [off], [20.0], ["C"]).forward[0]
        assert np.isfinite(one) and one not in curve["value"].tolist()
        mixed = m.quote(d, "VIX", [exps[0], off], [20.0, 20.0], ["C", "C"]).forward
        assert mixed.tolist() == [want[0], one]


def test_rows_quoted_together_are_the_rows_quoted_alone(small_data: MarketData) -> None:
    m = Markets(small_data)
    d = small_data.daily.index[30]
    spx = m.expiries(d, "SPX")[2].date
    spot = m.inputs(d).spot
    strikes = [round(spot * x / 5) * 5 for x in (0.9, 0.95, 1.05, 1.1)]
    rights = ["put", "P", "call", "C"]  # the spellings of one right mixed
    together = m.quote(d, "SPX", [spx] * 4, strikes, rights)
    for i, (k, r) in enumerate(zip(strikes, rights, strict=True)):
        alone = m.quote(d, "SPX", [spx], [k], ["CALL" if r.upper().startswith("C") else "p"])
        for f in ("bid", "ask", "mid", "iv", "delta", "forward", "t_years"):
            assert getattr(together, f)[i] == getattr(alone, f)[0], (f, r)
    assert together.delta[0] < 0 < together.delta[3]  # puts first, calls last
