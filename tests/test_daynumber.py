"""`day_number`: calendar days since 1970-01-01, against the standard library's ordinals."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from vixshield._daynumber import NS_PER_DAY, day_number

_EPOCH = dt.date(1970, 1, 1).toordinal()


@given(st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 12, 31)))
def test_day_number_is_the_ordinal_of_the_wall_clock_date(when: dt.datetime) -> None:
    expected = when.date().toordinal() - _EPOCH
    ts = pd.Timestamp(when)
    assert day_number(ts) == expected
    assert day_number(ts.as_unit("s")) == expected  # another unit: the same day
    assert day_number(when.date()) == expected
    assert day_number(np.datetime64(when, "ns")) == expected
    assert day_number(when.date().isoformat()) == expected
    # a tz-aware stamp keeps its own local day, whatever the UTC day is (a time in the
    # DST gap, 02:00-03:00, shifts to 03:00 of the same day)
    local = ts.tz_localize("US/Eastern", ambiguous=True, nonexistent="shift_forward")
    assert day_number(local) == expected


def test_ns_per_day_is_a_day_of_timestamp_values() -> None:
    assert pd.Timestamp("1970-01-02").value == NS_PER_DAY
    late = pd.Timestamp("2026-07-22 23:59:59.999999999", tz="US/Eastern")
    assert day_number(late) == dt.date(2026, 7, 22).toordinal() - _EPOCH  # UTC is the 23rd
