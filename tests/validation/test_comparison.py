"""`compare`, `validate_index`, `validate` and the report document on hand-made months."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest
from test_indices import _cll_market
from validation_fakes import PricedMarket, make_data

from vixshield._json import dumps_stable
from vixshield.validation import SPECS, Month, compare, validate, validate_index
from vixshield.validation.report import (
    TABLE_COLUMNS,
    comparison_table,
    format_comparison,
    validation_document,
)

TS = pd.Timestamp
ROLLS = pd.DatetimeIndex(
    ["2021-01-15", "2021-02-19", "2021-03-19", "2021-04-16", "2021-05-21", "2021-06-18"]
)
REPLICA = np.array([0.010, -0.020, 0.030, 0.005, -0.010])


def _months(ret: np.ndarray = REPLICA) -> list[Month]:
    return [Month(a, b, float(r), ()) for a, b, r in zip(ROLLS[:-1], ROLLS[1:], ret, strict=True)]


def _index(returns: np.ndarray, dates: pd.DatetimeIndex = ROLLS) -> pd.Series:
    return pd.Series(100.0 * np.cumprod(np.r_[1.0, 1.0 + returns]), index=dates)


def test_a_constant_monthly_gap_gives_its_annual_figure() -> None:
    # real = replica + 0.1 % every month: gap 12 x 0.1 = 1.2 %/yr, no tracking error
    c = compare(SPECS["bxm"], _months(), _index(REPLICA + 0.001))
    assert c.months == 5 and (c.first, c.last) == (ROLLS[0], ROLLS[-1])
    assert c.correlation == pytest.approx(1.0)
    assert c.mean_gap == pytest.approx(1.2)
    assert c.tracking_error == pytest.approx(0.0, abs=1e-9)
    assert c.real_return == pytest.approx(100 * (np.prod(1 + REPLICA + 0.001) ** (12 / 5) - 1))
    assert not c.meets_gap and c.meets_correlation and not c.meets_target


def test_worst_month_is_the_largest_gap_with_its_sign() -> None:
    real = REPLICA.copy()
    real[2] -= 0.04  # the real index lost 4 points more in March-April
    c = compare(SPECS["bxm"], _months(), _index(real))
    assert c.worst_gap == pytest.approx(-4.0) and c.worst_month == ROLLS[2]
    gap = real - REPLICA
    assert c.mean_gap == pytest.approx(1200 * gap.mean())
    assert c.tracking_error == pytest.approx(100 * np.sqrt(12) * gap.std(ddof=1))


def test_a_roll_date_missing_from_the_series_uses_the_value_before_and_says_so() -> None:
    dates = ROLLS.copy()
    dates = dates.insert(3, TS("2021-04-15")).delete(4)  # 2021-04-15 instead of 2021-04-16
    c = compare(SPECS["bxm"], _months(), _index(REPLICA, dates))
    assert c.stale == (TS("2021-04-16"),)
    assert c.monthly["stale"].tolist() == [False, False, True, True, False]
    assert any("2021-04-16" in n and "last value before" in n for n in c.notes)
    assert c.monthly["real"].to_numpy() == pytest.approx(REPLICA)  # the values were taken as-of


def test_periods_outside_the_series_or_before_the_comparison_start_are_dropped() -> None:
    c = compare(SPECS["bxm"], _months(), _index(REPLICA[1:4], ROLLS[1:5]))
    assert c.months == 3 and (c.first, c.last) == (ROLLS[1], ROLLS[4])
    spec = SPECS["cll"]  # compared from its 2009-10-16 discontinuity on
    assert spec.compare_from is not None and spec.compare_from == TS("2009-10-16")
    early = [Month(TS("2009-09-18"), spec.compare_from, 0.01, ())]
    series = pd.Series([100.0, 80.0], index=[TS("2009-09-18"), spec.compare_from])
    assert compare(spec, early, series).months == 0


def test_cll_replica_starts_at_the_last_march_cycle_roll_before_the_comparison() -> None:
    # the series starts in April; the replica buys its put at the March roll as the index did
    market = _cll_market()
    real = pd.Series([80.0, 85.0, 90.0, 91.0], index=pd.DatetimeIndex(
        ["2021-04-16", "2021-05-21", "2021-06-18", "2021-07-16"]))  # fmt: skip
    c = validate_index(market, "cll", real)
    assert c.first == TS("2021-04-16") and c.months == 3
    assert c.monthly["replica"].iloc[0] == pytest.approx((90.0 + 0.5) / (80.0 + 2.0 - 1.0) - 1.0)
    assert "cross-roll: 1 month(s)" in " ".join(c.notes)


def test_validate_runs_the_indices_present_and_rejects_missing_ones() -> None:
    data = make_data({d: (100.0, 100.0) for d in ("2021-01-14", *map(str, ROLLS.date))})
    prices = {(a, b, 100.0, r): 2.0 for a, b in itertools.pairwise(ROLLS) for r in "PC"}
    market = PricedMarket(data, [str(d.date()) for d in ROLLS], prices)
    bench = pd.DataFrame({"put": _index(REPLICA), "bxm": _index(REPLICA)})
    res = validate(market, bench, start=None)
    assert [c.spec.name for c in res.indices] == ["put", "bxm"]
    assert res.quotes == "modeled" and res.dividends.startswith("daily div_yield")
    assert res.settlement.startswith("5 of 5 compared expiries settle at the previous SPX close")
    with pytest.raises(KeyError, match="cll"):
        validate(market, bench, ["cll"], start=None)

    table = comparison_table(res)
    assert tuple(table.columns) == TABLE_COLUMNS and table["months"].tolist() == [5, 5]
    assert len(format_comparison(res)) == 2
    doc = json.loads(dumps_stable(validation_document(res)))
    first = doc["indices"][0]
    keys = {"index", "months", "correlation", "mean_gap_pct_per_year",
            "tracking_error_pct_per_year", "worst_month_gap_pct", "meets_target", "monthly",
            "notes"}  # fmt: skip
    assert keys <= set(first)
    assert first["index"] == "PUT" and len(first["monthly"]) == 5
    assert doc["calibration"] is None and doc["approximations"]
