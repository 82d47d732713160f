"""The strategy state's ISO day of a date-like, against dates written by hand.

Reference: the calendar (ISO 8601 dates); a tz-aware timestamp's day is its local date.
"""

from __future__ import annotations

import pandas as pd
import pytest

from vixshield.strategy.state import _day


@pytest.mark.parametrize(
    ("date", "want"),
    [
        (pd.Timestamp("2016-03-01"), "2016-03-01"),
        (pd.Timestamp("2016-03-01 23:59:59"), "2016-03-01"),  # the time of day dropped
        (pd.Timestamp("1969-12-31 13:00"), "1969-12-31"),  # before the epoch
        (pd.Timestamp("2016-03-01 23:00", tz="US/Eastern"), "2016-03-01"),  # 04:00 UTC next day
        ("2016-03-02", "2016-03-02"),
    ],
)
def test_iso_day_of_a_date_like(date: pd.Timestamp | str, want: str) -> None:
    assert _day(date) == want
    assert _day(date) == want  # again: the kept answer
