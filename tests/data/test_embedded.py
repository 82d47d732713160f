"""The embedded default market data (offline)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vixshield.data.embedded import load_embedded
from vixshield.data.market import DAILY_COLUMNS, EVENT_KINDS, MarketData


@pytest.fixture(scope="module")
def md() -> MarketData:
    return load_embedded()


def test_daily_frame_shape(md: MarketData) -> None:
    d = md.daily
    assert tuple(d.columns) == DAILY_COLUMNS
    assert d.index.name == "date" and d.index.is_unique and d.index.is_monotonic_increasing
    assert (d.dtypes == np.float64).all()
    assert d.index[0] == pd.Timestamp("1999-01-04")
    assert d.index[-1] == pd.Timestamp("2019-01-03")
    # NYSE sessions only: no Good Friday, no 2018-12-05 (President Bush's funeral)
    assert pd.Timestamp("2018-03-30") not in d.index
    assert pd.Timestamp("2018-12-05") not in d.index


def test_published_values(md: MarketData) -> None:
    d = md.daily
    # S&P 500 closes: 1003.35 on 2008-10-13 (+11.6%), 2648.94 on 2018-02-05, 2351.10 on 2018-12-24
    assert d.loc["2008-10-13", "spx_close"] == pytest.approx(1003.35, abs=0.01)
    assert d.loc["2018-02-05", "spx_close"] == pytest.approx(2648.94, abs=0.01)
    assert d.loc["2018-12-24", "spx_close"] == pytest.approx(2351.10, abs=0.01)
    assert d.loc["2018-02-05", "vix"] == 37.32  # Cboe VIX close
    spx = d[["spx_high", "spx_low"]].dropna()
    assert len(spx) == 5031 and (spx["spx_high"] >= spx["spx_low"]).all()


def test_missing_series_are_nan_and_warned(md: MarketData) -> None:
    d = md.daily
    assert d.loc[:"2013-12-31", "vix"].isna().all()
    assert d.loc["2014-01-03":"2018-12-31", "vix"].notna().all()
    for col in ("vix_open", "vix9d", "vix3m", "vix6m", "vvix", "skew", "advances", "declines"):
        assert d[col].isna().all()
        assert any(w.startswith(f"{col}: no data") for w in md.warnings)
    assert md.vx.empty and list(md.vx.columns) == ["date", "expiry", "settle"]


def test_modeled_rate(md: MarketData) -> None:
    rate = md.daily["rate"]
    assert rate.notna().all()
    assert md.origin("rate") == "modeled"
    assert md.provenance["rate"].provider == "model"
    # Fed funds range 0-0.25% from 2008-12-16 to the 2015-12-16 hike to 0.25-0.50%.
    assert rate["2012-06-01"] == pytest.approx(0.00125)
    assert rate["2015-12-15"] == pytest.approx(0.00125)
    assert rate["2015-12-16"] == pytest.approx(0.00375)
    # Single 6.50% target from 2000-05-16 to 2001-01-03.
    assert rate["2000-12-01"] == pytest.approx(0.065)
    assert rate["2018-12-31"] == pytest.approx(0.02375)


def test_provenance(md: MarketData) -> None:
    for col in ("spx_open", "spx_high", "spx_low", "spx_close", "vix"):
        p = md.provenance[col]
        assert (p.provider, p.origin) == ("arch", "real")
        assert p.fetched_at == md.provenance["rate"].fetched_at  # one fixed time
    for kind in EVENT_KINDS:
        p = md.provenance[f"events:{kind}"]
        assert (p.provider, p.origin) == ("vixshield", "real")
        assert p.source.endswith(".csv")
    assert "vvix" not in md.provenance


def test_cpi_values_never_before_release(md: MarketData) -> None:
    ev = md.events
    assert list(ev.columns) == ["date", "kind", "label", "value", "known_from", "scheduled"]
    cpi = ev[ev["kind"] == "CPI"]
    valued = cpi[cpi["value"].notna()]
    assert len(valued) >= 55  # reference months 2013-12 .. 2018-11
    for date, label in zip(valued["date"], valued["label"], strict=True):
        ref = pd.Period(label.split()[1], freq="M")
        assert date > ref.end_time
    # core CPI (CPILFESL) for January 2014 = 235.983, released 2014-02-20
    row = valued[valued["label"] == "CPI 2014-01"].iloc[0]
    assert row["date"] == pd.Timestamp("2014-02-20")
    assert row["value"] == pytest.approx(235.983)
    assert ev.loc[ev["kind"] != "CPI", "value"].isna().all()


def test_until_hides_future_values(md: MarketData) -> None:
    cut = md.until(pd.Timestamp("2016-06-15"))
    assert cut.daily.index[-1] == pd.Timestamp("2016-06-15")
    later = cut.events[cut.events["date"] > pd.Timestamp("2016-06-15")]
    assert later["value"].isna().all() and len(later) > 0
    assert md.events["value"].notna().sum() > cut.events["value"].notna().sum()


def test_cached_and_deterministic(md: MarketData) -> None:
    assert load_embedded() is md
