"""The shared contract of `MarketView`: checks every implementation and test fake must pass.

In the spirit of scikit-learn's ``check_estimator``: each check takes a market, a
date with data and, for the look-ahead check, a factory rebuilding the market on
``data.until(date)``. A fake that does not implement part of the protocol names
the checks it skips (``SKIPS``), and the suite says so.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from vixshield.data.market import MarketData
from vixshield.markets.types import CHAIN_COLUMNS, MarketView

__all__ = ["CHECKS"]

Factory = Callable[[MarketData], MarketView]


def _one_expiry(m: MarketView, date: pd.Timestamp, und: str) -> pd.Timestamp:
    exps = m.expiries(date, und)  # type: ignore[arg-type]
    assert exps, "no expiry listed"
    # the first expiry 20+ days out (a mid-dated one), else the last
    for e in exps:
        if (e.date - date).days >= 20:
            return e.date
    return exps[-1].date


def check_chain_layout(m: MarketView, date: pd.Timestamp, make: Factory) -> None:
    """Columns, sort order, bid <= mid <= ask, positive strikes, origins tagged."""
    for und in ("SPX", "VIX"):
        ch = m.chain(date, und)  # type: ignore[arg-type]
        q = ch.quotes
        assert list(q.columns) == list(CHAIN_COLUMNS)
        assert len(q) > 0
        assert (q["strike"] > 0).all()
        assert (q["bid"] <= q["mid"] + 1e-9).all() and (q["mid"] <= q["ask"] + 1e-9).all()
        assert set(q["origin"]) <= {"real", "modeled"}
        assert set(q["right"]) == {"C", "P"}
        keys = list(zip(q["expiry"], q["right"], q["strike"], strict=True))
        assert keys == sorted(keys, key=lambda x: (x[0], x[1], x[2]))


def check_units(m: MarketView, date: pd.Timestamp, make: Factory) -> None:
    """t_years is ACT/365 to the expiry (within a day), vega per vol point, theta per day."""
    e = _one_expiry(m, date, "SPX")
    q = m.chain(date, "SPX", e).quotes
    days = (e - date).days
    t = q["t_years"].to_numpy()
    assert np.all(np.abs(t * 365.0 - days) <= 1.0)
    # vega per vol point: a typical ATM SPX vega is a fraction of a percent of spot per point
    fwd = float(q["forward"].iloc[0])
    atm = q.iloc[(q["strike"] - fwd).abs().argsort()[:1]]
    vega = float(atm["vega"].iloc[0])
    assert 0.0 < vega < 0.02 * fwd, vega  # per 1.00 of vol it would be ~100x larger
    theta = float(atm["theta"].iloc[0])
    assert -0.02 * fwd < theta <= 0.0 or float(atm["vega"].iloc[0]) == 0.0


def check_quote_equals_chain(m: MarketView, date: pd.Timestamp, make: Factory) -> None:
    """A quote of options picked from the chain gives back the chain's rows."""
    for und in ("SPX", "VIX"):
        e = _one_expiry(m, date, und)
        q = m.chain(date, und, e).quotes  # type: ignore[arg-type]
        pick = q.iloc[np.linspace(0, len(q) - 1, 7).astype(int)]
        qb = m.quote(
            date,
            und,  # type: ignore[arg-type]
            list(pick["expiry"]),
            pick["strike"].to_numpy(),
            list(pick["right"]),
        )
        for col in ("bid", "ask", "mid", "iv", "delta", "vega", "t_years", "forward"):
            np.testing.assert_allclose(
                getattr(qb, col), pick[col].to_numpy(dtype=float), rtol=1e-9, atol=1e-9,
                err_msg=f"{und} {col}",
            )  # fmt: skip
        assert len(qb.origins()) == len(pick)


def check_strikes_match_chain(m: MarketView, date: pd.Timestamp, make: Factory) -> None:
    """`strikes` lists exactly the chain's strikes of that expiry, sorted and read-only."""
    for und in ("SPX", "VIX"):
        e = _one_expiry(m, date, und)
        k = m.strikes(date, und, e)  # type: ignore[arg-type]
        q = m.chain(date, und, e).quotes  # type: ignore[arg-type]
        np.testing.assert_array_equal(k, np.unique(q["strike"].to_numpy(dtype=float)))
        assert np.all(np.diff(k) > 0)
        assert not k.flags.writeable


def check_no_look_ahead(m: MarketView, date: pd.Timestamp, make: Factory) -> None:
    """The market rebuilt on the data known at ``date``'s close answers ``date`` the same."""
    cut = make(m.data.until(date))
    for und in ("SPX", "VIX"):
        a = m.chain(date, und).quotes  # type: ignore[arg-type]
        b = cut.chain(date, und).quotes  # type: ignore[arg-type]
        pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(m.vx_curve(date), cut.vx_curve(date))


CHECKS: dict[str, Callable[[MarketView, pd.Timestamp, Factory], None]] = {
    "chain_layout": check_chain_layout,
    "units": check_units,
    "quote_equals_chain": check_quote_equals_chain,
    "strikes_match_chain": check_strikes_match_chain,
    "no_look_ahead": check_no_look_ahead,
}
