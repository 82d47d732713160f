"""Which inputs were real, counted over many days at once (`MarketInputs.origin_counts`).

Reference: the stand-in rules of vixshield.markets.inputs read straight off the real
1990-2026 history (../shared/data, skipped where absent): a day's rate is real where
the row has one, its VIX where the row has a close, its VVIX where the row has one of
at least 40; the dividend yield is always modeled. Each day's own `DayInputs.origins`
must say the same.
"""

from __future__ import annotations

import pandas as pd
import pytest

from vixshield.data.market import MarketData
from vixshield.errors import UserError
from vixshield.markets.inputs import INPUT_KEYS, MarketInputs

pytestmark = pytest.mark.shared_data


def _expected(daily: pd.DataFrame) -> dict[str, pd.Series]:
    return {
        "rate": daily["rate"].notna(),
        "q": pd.Series(False, index=daily.index),
        "vix": daily["vix"].notna(),
        "vvix": daily["vvix"].notna() & (daily["vvix"] > 40.0),
    }


def test_counts_over_the_whole_history_follow_the_stand_in_rules(
    real_history: MarketData,
) -> None:
    daily = real_history.daily[real_history.daily["spx_close"].notna()]
    expected = _expected(daily)
    counts = MarketInputs(real_history).origin_counts(daily.index)
    assert counts == {key: int(expected[key].sum()) for key in INPUT_KEYS}
    assert 0 < counts["vvix"] < counts["vix"] <= len(daily)  # VVIX starts in 2007


def test_counts_agree_with_each_days_origins(real_history: MarketData) -> None:
    daily = real_history.daily[real_history.daily["spx_close"].notna()]
    days = daily.index[:: max(1, len(daily) // 400)]  # every era: before VVIX, after
    inputs = MarketInputs(real_history)
    expected = _expected(daily.loc[days])
    for day in days:
        origins = inputs.day(day).origins
        assert list(origins) == list(INPUT_KEYS)
        for key in INPUT_KEYS:
            assert (origins[key] == "real") == bool(expected[key].loc[day]), (day, key)
    counts = MarketInputs(real_history).origin_counts(days)
    assert counts == {k: sum(inputs.day(d).origins[k] == "real" for d in days) for k in INPUT_KEYS}


def test_a_day_that_is_not_traded_is_refused_as_day_refuses_it(
    real_history: MarketData,
) -> None:
    inputs = MarketInputs(real_history)
    saturday = pd.Timestamp("2020-03-14")
    with pytest.raises(UserError, match="2020-03-14 is not a trading day in the data"):
        inputs.origin_counts(pd.DatetimeIndex([pd.Timestamp("2020-03-13"), saturday]))
    with pytest.raises(UserError, match="2020-03-14 is not a trading day in the data"):
        inputs.day(saturday)
    assert inputs.origin_counts(pd.DatetimeIndex([])) == dict.fromkeys(INPUT_KEYS, 0)
