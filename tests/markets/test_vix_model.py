"""VX curve and VIX option models: limits and invariants computed by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vixshield.markets.vix_model import (
    MR_PARAMS,
    forward_variance_30d,
    vix_option_bid_ask,
    vix_option_vol,
    vvix_proxy,
    vx_mean_reversion,
    vx_term_structure,
)


def test_mean_reversion_limits() -> None:
    theta, kappa = MR_PARAMS
    assert vx_mean_reversion(30.0, 0.0)[()] == pytest.approx(30.0)
    assert vx_mean_reversion(30.0, 50.0)[()] == pytest.approx(theta)
    # halfway in log time: F(ln2/kappa) = (VIX + theta)/2
    assert vx_mean_reversion(12.0, np.log(2) / kappa)[()] == pytest.approx((12.0 + theta) / 2)


def test_forward_variance_hand_computed() -> None:
    # Nodes VIX 20 (30 d), VIX3M 25 (93 d). w(30d) = 0.04*30/365, w(93d) = 0.0625*93/365.
    # From T = 30 d to 60 d: linear in between, so FV = (w(60) - w(30)) / (30/365)
    # = (0.04*30 + (0.0625*93 - 0.04*30) * 30/63 - 0.04*30) / 30 = (5.8125-1.2)*30/63/30
    fv = forward_variance_30d(30 / 365, [30, 93], [20.0, 25.0])[()]
    assert fv == pytest.approx((0.0625 * 93 - 0.04 * 30) / 63)
    # flat term structure: forward variance equals the level squared everywhere
    flat = forward_variance_30d(np.array([0.0, 0.1, 1.0]), [30, 93, 182], [18.0, 18.0, 18.0])
    np.testing.assert_allclose(flat, 0.0324)


@settings(max_examples=50, deadline=None)
@given(level=st.floats(9.0, 80.0))
def test_term_structure_model_below_forward_vol_and_equal_at_zero(level: float) -> None:
    t = np.array([0.0, 0.05, 0.2, 0.5])
    f = vx_term_structure(t, [30, 93, 182], [level] * 3)
    assert f[0] == pytest.approx(level)
    assert np.all(np.diff(f) <= 1e-12)  # Jensen haircut grows with T on a flat curve
    assert np.all(f >= level / 2)


def test_vix_option_vol_term_structure_and_skew() -> None:
    k = np.array([15.0, 20.0, 30.0])
    short = vix_option_vol(k, 20.0, 10 / 365, 100.0)
    long = vix_option_vol(k, 20.0, 120 / 365, 100.0)
    assert np.all(np.diff(short) > 0) and np.all(short > long)
    assert vix_option_vol(20.0, 20.0, 30 / 365, 100.0)[()] == pytest.approx(0.85)
    assert vvix_proxy(20.0) == pytest.approx(77.9 + 0.796 * 20.0)
    bid, ask = vix_option_bid_ask(np.array([0.02, 1.0, 5.0]), 150.0)
    assert bid[0] == 0.0 and np.all(ask > bid)
    assert np.allclose(np.round(ask / 0.05), ask / 0.05)


def _real_vx(shared_data: Path) -> pd.DataFrame:
    from vixshield.data.calendars import vx_expiry

    codes = "FGHJKMNQUVXZ"
    rows = []
    for f in sorted((shared_data / "cfe_vx").glob("CFE_*_VX.csv")):
        code = f.name.split("_")[1]
        df = pd.read_csv(f, usecols=range(11), index_col=False)
        d = pd.to_datetime(df["Trade Date"], format="mixed")
        settle = df["Settle"].to_numpy(dtype=float).copy()
        settle[(d < pd.Timestamp("2007-03-26")).to_numpy()] /= 10.0  # VXB-point quotes (README)
        exp = vx_expiry(2000 + int(code[1:]), codes.index(code[0]) + 1)
        rows.append(pd.DataFrame({"date": d, "expiry": exp, "settle": settle}))
    out = pd.concat(rows, ignore_index=True)
    return out[out["settle"] > 0]


def _close(shared_data: Path, name: str) -> pd.Series:
    df = pd.read_csv(shared_data / "cboe_indices" / f"{name}_History.csv")
    s = pd.Series(df["CLOSE"].to_numpy(float), index=pd.to_datetime(df["DATE"], format="%m/%d/%Y"))
    return s[~s.index.duplicated()]


@pytest.mark.shared_data
def test_modeled_vx_tracks_real_settlements_2008_2010(shared_data: Path) -> None:
    # Real CFE settlements with 1-250 days to go on the days VIX6M is known (2008-2010),
    # against the model from that day's VIX/VIX3M/VIX6M closes: RMSE under 2.2 vol points
    # and well under the naive "future = spot VIX" error.
    vx = _real_vx(shared_data)
    vix, v3, v6 = (_close(shared_data, n) for n in ("VIX", "VIX3M", "VIX6M"))
    vx["t"] = (vx["expiry"] - vx["date"]).dt.days / 365
    vx = vx[(vx["t"] > 1 / 365) & (vx["t"] < 250 / 365)]
    vx = vx.assign(
        vix=vix.reindex(vx["date"]).to_numpy(),
        v3=v3.reindex(vx["date"]).to_numpy(),
        v6=v6.reindex(vx["date"]).to_numpy(),
    ).dropna(subset=["vix", "v6"])
    err, naive = [], []
    for (_, a, b, c), g in vx.groupby(["date", "vix", "v3", "v6"], dropna=False):
        days, lv = ([30, 93, 182], [a, b, c]) if np.isfinite(b) else ([30, 182], [a, c])
        err.append(vx_term_structure(g["t"].to_numpy(), days, lv) - g["settle"].to_numpy())
        naive.append(a - g["settle"].to_numpy())
    rmse = float(np.sqrt(np.mean(np.concatenate(err) ** 2)))
    rmse_naive = float(np.sqrt(np.mean(np.concatenate(naive) ** 2)))
    assert len(vx) > 3000
    assert rmse < 2.2
    assert rmse < 0.75 * rmse_naive
