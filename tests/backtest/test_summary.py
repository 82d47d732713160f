"""The summary: schema keys, rounding, JSON-safety."""

from __future__ import annotations

import json

import numpy as np
from bt_fakes import FakeMarket, Script, at, condor_legs, make_data, policy, ts

from vixshield._json import to_jsonable as _clean
from vixshield.backtest import Backtest, summary_dict, summary_json
from vixshield.backtest.summary import SIGNIFICANT_DIGITS
from vixshield.strategy.types import Order

REQUIRED = {
    "cagr",
    "sharpe",
    "max_drawdown",
    "irr",
    "alpha",
    "beta",
    "credit_to_hedge_ratio",
    "credit_to_hedge_premium_ratio",
    "pnl_by_component",
    "stress_windows",
    "event_study",
    "provenance",
    "policy",
    "start",
    "end",
    "capital",
    "final_equity",
    "trades",
    "warnings",
}


def _result() -> object:
    days = [f"2016-01-{d:02d}" for d in (4, 5, 6, 7, 8, 11, 12, 13, 14, 15)]
    m = FakeMarket(make_data(days, rate=0.01))
    for d in days[:-1]:
        for k, r in ((1850, "P"), (1900, "P"), (2100, "C"), (2150, "C")):
            m.set(d, "SPX", "2016-01-15", k, r, 4.0, 5.0)
    m.settlements[("SPX", ts("2016-01-15"), "SPX")] = 2000.0
    order = Order("open", "condor", condor_legs("2016-01-15", 1850, 1900, 2100, 2150), 1, "e")
    return Backtest(policy(), m, decide=Script(at({"2016-01-04": [order]}))).run()


def test_summary_has_the_documented_keys_and_is_json() -> None:
    res = _result()
    s = summary_dict(res)  # type: ignore[arg-type]
    assert set(s) >= REQUIRED
    assert s["start"] == "2016-01-04" and s["end"] == "2016-01-15"
    assert s["provenance"]["options:SPX"] == {"origin": "modeled", "provider": "model"}  # type: ignore[index]
    assert s["settings"]["interest_day_count"] == "ACT/360"  # type: ignore[index]
    assert s["settings"]["spread_share"] == 0.25  # type: ignore[index]
    text = summary_json(res)  # type: ignore[arg-type]
    assert json.loads(text) == s
    # condor credit: every leg at mid 4.5, sold at 4.25 and bought at 4.75 -> -1.0 x 100
    assert s["pnl_by_component"]["condor"] == -100.0  # type: ignore[index]


def test_clean_rounds_and_nulls() -> None:
    assert _clean(1 / 3) == float(f"{1 / 3:.{SIGNIFICANT_DIGITS}g}")
    assert _clean(float("nan")) is None
    assert _clean({"a": (np.float64(2.5), np.int64(3), np.bool_(True))}) == {"a": [2.5, 3, True]}
