"""Every `MarketView` implementation and test fake against the shared contract (market_contract).

Implementations: `Markets` on modeled data, `Markets` on a real chain, and the
strategy tests' fake market (which skips what it does not implement, named here).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from market_contract import CHECKS

from vixshield.data.market import MarketData
from vixshield.markets.types import MarketView
from vixshield.markets.view import Markets

_DATE_ROW = 45  # a date with history behind it and after it


def _real_chain(data: MarketData, date: pd.Timestamp) -> pd.DataFrame:
    """A format-true real chain (long form) of one date: the modeled quotes, re-labelled."""
    m = Markets(data)
    parts = []
    for und in ("SPX", "VIX"):
        q = m.chain(date, und).quotes  # type: ignore[arg-type]
        parts.append(
            pd.DataFrame(
                {
                    "quote_date": date,
                    "underlying": und,
                    "root": q["root"],
                    "expiry": q["expiry"],
                    "settlement": q["settlement"],
                    "strike": q["strike"],
                    "right": q["right"],
                    "bid": q["bid"],
                    "ask": q["ask"],
                    "iv": q["iv"],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _strategy_fake() -> Callable[[MarketData], MarketView]:
    here = Path(__file__).resolve().parent.parent / "strategy" / "strategy_fakes.py"
    spec = importlib.util.spec_from_file_location("strategy_fakes_contract", here)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod.ListedMarket  # type: ignore[no-any-return]


IMPLEMENTATIONS: dict[str, tuple[Callable[[MarketData, pd.Timestamp], MarketView], set[str]]] = {
    "modeled": (lambda d, t: Markets(d), set()),
    "real_chain": (lambda d, t: Markets(d, chains=_real_chain(d, t)), set()),
    # the fake prices on flat vols with no VX curve and no data cut: it skips the look-ahead
    # check (it has no data beyond what the test gives it)
    "strategy_fake": (lambda d, t: _strategy_fake()(d), {"no_look_ahead"}),
}


@pytest.mark.parametrize("impl", sorted(IMPLEMENTATIONS))
@pytest.mark.parametrize("check", sorted(CHECKS))
def test_market_view_contract(impl: str, check: str, small_data: MarketData) -> None:
    build, skips = IMPLEMENTATIONS[impl]
    if check in skips:
        pytest.skip(f"{impl} does not implement what {check} needs (declared)")
    date = small_data.daily.index[_DATE_ROW]
    market = build(small_data, date)
    CHECKS[check](market, date, lambda d: build(d, date))


def test_partly_real_request_is_answered_row_by_row(small_data: MarketData) -> None:
    # A quote the real chain covers only in part: real rows where it has them, the model for
    # the rest, each row tagged (never the whole request silently modeled).
    date = small_data.daily.index[_DATE_ROW]
    real = _real_chain(small_data, date)
    spx = real[real["underlying"] == "SPX"]
    e = spx["expiry"].iloc[0]
    ks = spx[(spx["expiry"] == e) & (spx["right"] == "C")]["strike"].to_numpy()
    kept = real.drop(real[(real["underlying"] == "SPX") & (real["strike"] == ks[1])].index)
    kept = kept.assign(bid=kept["bid"] + 0.05, ask=kept["ask"] + 0.05)  # distinguishable
    m = Markets(small_data, chains=kept)
    model = Markets(small_data)
    qb = m.quote(date, "SPX", [e, e, e], np.array([ks[0], ks[1], ks[2]]), ["C", "C", "C"])
    assert qb.origins() == ("real", "modeled", "real")
    assert qb.origin == "modeled"
    ref = model.quote(date, "SPX", [e, e, e], np.array([ks[0], ks[1], ks[2]]), ["C"] * 3)
    assert qb.bid[1] == ref.bid[1]
    np.testing.assert_allclose(qb.bid[[0, 2]], ref.bid[[0, 2]] + 0.05)
