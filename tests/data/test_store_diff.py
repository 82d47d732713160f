"""`Store._diff` (key alignment) against hand counts and the merge it replaced."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vixshield.data.store import _diff, _normalize, key_columns, value_columns


def _merge_diff(series: str, old: pd.DataFrame, new: pd.DataFrame) -> tuple[int, int, int]:
    """The outer-merge count the store used before (the reference)."""
    keys, values = list(key_columns(series)), list(value_columns(series))
    m = old.merge(new, on=keys, how="outer", suffixes=("_old", "_new"), indicator=True)
    both = m[m["_merge"] == "both"]
    changed = pd.Series(False, index=both.index)
    for v in values:
        a, b = both[f"{v}_old"], both[f"{v}_new"]
        changed |= ~((a == b) | (a.isna() & b.isna())).fillna(False).astype(bool)
    added = int((m["_merge"] == "right_only").sum())
    removed = int((m["_merge"] == "left_only").sum())
    return int(changed.sum()), added, removed


def _daily(dates: list[str], values: list[float]) -> pd.DataFrame:
    return _normalize("vix", pd.DataFrame({"date": pd.to_datetime(dates), "value": values}))


def test_hand_counted_daily_diff() -> None:
    old = _daily(["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"], [13.2, 14.0, np.nan, 1])
    # 01-02 gone; 01-03 same; 01-04 NaN -> NaN same; 01-05 1 -> 2 changed; 01-08, 01-09 new
    new = _daily(
        ["2024-01-03", "2024-01-04", "2024-01-05", "2024-01-08", "2024-01-09"],
        [14.0, np.nan, 2.0, 13.0, 12.5],
    )
    assert _diff("vix", old, new) == (1, 2, 1)
    assert _diff("vix", None, new) == (0, 5, 0)
    assert _diff("vix", new, new) == (0, 0, 0)
    # NaN vs a number is a change, both ways
    assert _diff("vix", _daily(["2024-01-02"], [np.nan]), _daily(["2024-01-02"], [1.0])) == (
        1,
        0,
        0,
    )
    assert _diff("vix", _daily(["2024-01-02"], [1.0]), _daily(["2024-01-02"], [np.nan])) == (
        1,
        0,
        0,
    )


def test_one_new_day_appended_to_a_long_history() -> None:
    days = pd.bdate_range("1990-01-02", periods=9000)
    old = _daily(list(days.strftime("%Y-%m-%d")), list(np.linspace(10, 80, 9000)))
    new = pd.concat([old, _daily(["2024-12-31"], [17.0])], ignore_index=True)
    assert _diff("vix", old, _normalize("vix", new)) == (0, 1, 0)


@pytest.mark.parametrize("seed", range(6))
def test_random_frames_match_the_merge(seed: int) -> None:
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2020-01-01", periods=60)

    def vx() -> pd.DataFrame:
        n = 80
        frame = pd.DataFrame(
            {
                "date": rng.choice(days, n),
                "expiry": rng.choice(days[-10:], n),
                "settle": rng.choice([15.0, 16.5, np.nan, 20.0], n),
            }
        )
        return _normalize("vx", frame)

    def events() -> pd.DataFrame:
        n = 40
        frame = pd.DataFrame(
            {
                "date": rng.choice(days, n),
                "kind": rng.choice(["CPI", "FOMC"], n),
                "label": rng.choice(["a", "b", "c"], n),
                "value": rng.choice([0.1, 0.2, np.nan], n),
            }
        )
        return _normalize("events", frame)

    def daily() -> pd.DataFrame:
        picked = np.sort(rng.choice(days, 40, replace=False))
        return _daily(list(pd.DatetimeIndex(picked).strftime("%Y-%m-%d")),
                      list(rng.choice([1.0, 2.0, np.nan], 40)))  # fmt: skip

    for series, make in (("vix", daily), ("vx", vx), ("events", events)):
        old, new = make(), make()
        reference = _merge_diff(series, old, new)
        assert _diff(series, old, new) == reference
        assert sum(reference) > 0  # the random frames do differ
