"""Indicators and regimes on real Cboe / stooq histories (skipped where ../shared/data is absent).

Published facts used: VIX closed at 82.69 on 2020-03-16 (its record close) and the
VIX term structure was inverted (VIX above VIX3M) through mid-March 2020; VIX
closed below 10 on several days of 2017 (record lows, 9.14 on 2017-11-03).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vixshield.data.market import DAILY_COLUMNS, MarketData
from vixshield.strategy import compute_indicators, load_policy

pytestmark = pytest.mark.shared_data


def _cboe(path: Path, col: str) -> pd.Series:
    df = pd.read_csv(path)
    s = pd.Series(
        df[col].to_numpy(dtype=np.float64), index=pd.to_datetime(df["DATE"], format="%m/%d/%Y")
    )
    return s[~s.index.duplicated()]


@pytest.fixture(scope="module")
def real(shared_data: Path) -> MarketData:
    spx = pd.read_csv(shared_data / "spx" / "spx_stooq_daily.csv", parse_dates=["Date"]).set_index(
        "Date"
    )
    spx = spx.loc["2015-01-01":"2021-12-31"]
    idx = pd.DatetimeIndex(spx.index, name="date")
    daily = pd.DataFrame(index=idx, columns=list(DAILY_COLUMNS), dtype=np.float64)
    daily["spx_close"] = spx["Close"].to_numpy(dtype=np.float64)
    ci = shared_data / "cboe_indices"
    daily["vix"] = _cboe(ci / "VIX_History.csv", "CLOSE").reindex(idx)
    daily["vix3m"] = _cboe(ci / "VIX3M_History.csv", "CLOSE").reindex(idx)
    daily["vvix"] = _cboe(ci / "VVIX_History.csv", "VVIX").reindex(idx)
    daily["rate"] = 0.01
    fomc = pd.read_csv(
        shared_data / "events" / "fomc_decisions_2015_2026.csv", parse_dates=["decision_date"]
    )
    events = pd.DataFrame(
        {"date": fomc["decision_date"], "kind": "FOMC", "label": "FOMC", "value": np.nan}
    ).sort_values("date", ignore_index=True)
    vx = pd.DataFrame({"date": pd.to_datetime([]), "expiry": pd.to_datetime([]), "settle": []})
    return MarketData(daily=daily, vx=vx, events=events)


def test_regimes_on_real_history(real: MarketData) -> None:
    ind = compute_indicators(real, load_policy("alvh-442"))
    assert ind.loc["2020-03-16", "vix"] == pytest.approx(82.69, abs=0.01)
    assert ind.loc["2020-03-16", "ts_state"] == "backwardation"
    assert (ind.loc["2020-03-16":"2020-03-31", "regime"] == "stressed").all()
    assert (ind.loc["2017-11-01":"2017-11-10", "regime"] == "calm").all()
    # GARCH forecast exists after a year of returns and is far higher in the crash
    assert ind.loc["2020-03-20", "garch_vol"] > 3 * ind.loc["2017-11-03", "garch_vol"]
    # FOMC 2020-03-03 (Tuesday, unscheduled): one session from Monday 2 March.
    assert ind.loc["2020-03-02", "days_to_fomc"] == 1
    # FOMC 2020-03-15 was a Sunday: counted at the next session, Monday 16 March.
    assert ind.loc["2020-03-13", "days_to_fomc"] == 1
