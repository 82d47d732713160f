"""`Markets.quote_grids`: every listed strike of several expiries, quoted at once.

References, outside the fast path under test:

- its documented composition: `Markets.strikes` of each expiry and one `Markets.quote`
  of all those options, bit for bit (the same kernel on the same arrays);
- the chain (`Markets.chain`, the numpy reference vols of `vix_model.vix_option_vol`):
  the same strikes and, to rounding, the same quotes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vixshield._typing import Underlying
from vixshield.data.embedded import load_embedded
from vixshield.data.market import MarketData
from vixshield.errors import NotListed, UserError
from vixshield.markets.view import Markets

_FIELDS = ("bid", "ask", "mid", "iv", "delta", "gamma", "vega", "theta", "forward", "t_years")


def _composed(
    m: Markets, day: pd.Timestamp, und: Underlying, exps: list[pd.Timestamp], right: str
) -> tuple[np.ndarray, list[int], object]:
    grids = [np.sort(m.strikes(day, und, e)) for e in exps]
    rows = [e for e, k in zip(exps, grids, strict=True) for _ in range(len(k))]
    k = np.concatenate(grids)
    edges = [0, *np.cumsum([len(g) for g in grids]).tolist()]
    return k, edges, m.quote(day, und, rows, k, [right] * len(k))


def _check(data: MarketData, days: list[pd.Timestamp], und: Underlying) -> int:
    checked = 0
    for day in days:
        fast, ref = Markets(data), Markets(data)  # each on a cold instance
        listed = [e.date for e in ref.expiries(day, und)]
        for exps in (listed[:1], listed[1:4], [listed[-1], listed[0]]):
            for right in ("C", "P"):
                got = fast.quote_grids(day, und, exps, right)
                k, edges, qb = _composed(ref, day, und, exps, right)
                np.testing.assert_array_equal(got.strike, k)
                assert list(got.edges) == edges
                for f in _FIELDS:
                    np.testing.assert_array_equal(getattr(got.quotes, f), getattr(qb, f))
                assert got.quotes.origins() == qb.origins()
                checked += 1
    return checked


@pytest.mark.parametrize("und", ["VIX", "SPX"])
def test_grids_are_strikes_then_one_quote_on_the_embedded_data(und: Underlying) -> None:
    data = load_embedded()
    idx = data.daily["spx_close"].dropna().index
    days = [*idx[idx >= pd.Timestamp("2006-03-01")][::300], idx[-1]]
    assert _check(data, days, und) == 6 * len(days)


@pytest.mark.shared_data
def test_grids_are_strikes_then_one_quote_over_the_real_history(real_history: MarketData) -> None:
    idx = real_history.daily["spx_close"].dropna().index
    days = [*idx[idx >= pd.Timestamp("2006-03-01")][::700], idx[-1]]
    assert _check(real_history, days, "VIX") == 6 * len(days)


def test_grids_match_the_chain() -> None:
    m = Markets(load_embedded())
    day = pd.Timestamp("2018-02-05")  # a spike: VIX 37.32
    exps = [e.date for e in m.expiries(day, "VIX")][:3]
    got = m.quote_grids(day, "VIX", exps, "C")
    for n, e in enumerate(exps):
        q = m.chain(day, "VIX", e).quotes
        q = q[q["right"] == "C"]
        a, b = got.edges[n], got.edges[n + 1]
        np.testing.assert_array_equal(got.strike[a:b], q["strike"].to_numpy())
        for f in ("mid", "bid", "ask", "delta", "vega", "forward"):
            np.testing.assert_allclose(
                getattr(got.quotes, f)[a:b], q[f].to_numpy(), rtol=1e-9, atol=1e-12
            )


def test_unlisted_expiry_and_unlisted_options_are_refused() -> None:
    m = Markets(load_embedded())
    day = pd.Timestamp("2016-06-24")
    with pytest.raises(UserError, match="not listed"):
        m.quote_grids(day, "VIX", [day + pd.Timedelta(days=1)], "C")
    first = m.data.daily.index[0]  # before VIX options were listed (2006-02-24)
    with pytest.raises(NotListed):
        m.quote_grids(first, "VIX", [first + pd.Timedelta(days=30)], "C")
