"""The modeled VX curve of `Markets`: causal anchor, node choice (VIX9D is not a node)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from markets_fakes import make_data

from vixshield.markets import Markets
from vixshield.markets.vix_model import vx_term_structure


def test_vix_only_curve_ignores_later_vix_and_uses_earlier_vix() -> None:
    base = make_data(periods=60, with_term=False)  # VIX only: the two-factor model
    t = base.daily.index[30]
    later = base.daily.copy()
    later.loc[later.index > t, "vix"] *= 2.0
    a = Markets(base).vx_curve(t)
    pd.testing.assert_frame_equal(a, Markets(replace(base, daily=later)).vx_curve(t))
    assert set(a["origin"]) == {"modeled"}
    # the anchor remembers earlier closes: doubling VIX before t (same close at t)
    # raises the anchor and so the curve at t (dF/dL = e^{-k_l T} - gap(T) > 0 for T > 0)
    earlier = base.daily.copy()
    earlier.loc[earlier.index < t, "vix"] *= 2.0
    b = Markets(replace(base, daily=earlier)).vx_curve(t)
    up = b["value"].to_numpy() - a["value"].to_numpy()
    assert np.all(up > 0.5)


def test_term_structure_curve_has_no_vix9d_node() -> None:
    base = make_data(periods=40)
    t = base.daily.index[20]
    spiked = base.daily.copy()
    spiked.loc[t, "vix9d"] = 3.0 * spiked.loc[t, "vix"]  # a VIX9D spike changes nothing
    a = Markets(base).vx_curve(t)
    pd.testing.assert_frame_equal(a, Markets(replace(base, daily=spiked)).vx_curve(t))
    row = base.daily.loc[t]
    dte = (pd.DatetimeIndex(a["expiry"]) - t).days.to_numpy()
    # expiries settle on the morning of the expiry day: compare at whole days loosely
    want = vx_term_structure(dte / 365, [30, 93, 182], [row["vix"], row["vix3m"], row["vix6m"]])
    np.testing.assert_allclose(a["value"].to_numpy(), want, atol=0.5)
