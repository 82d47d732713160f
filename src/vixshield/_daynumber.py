"""Day numbers: whole calendar days since 1970-01-01, the integers dates are compared as.

Every layer counts days the same way (DTEs, days held, calendar lookups, month indexes):
the date's wall-clock day (a tz-aware date keeps its own local day, its time zone
dropped; a time of day is dropped), so that a difference of day numbers is a number of
calendar days. `NS_PER_DAY` turns the nanoseconds of a tz-naive ``pd.Timestamp.value``
(or a ``datetime64[ns]``) into its day number by floor division.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

__all__ = ["NS_PER_DAY", "day_number"]

NS_PER_DAY = 86_400_000_000_000
"""Nanoseconds per calendar day (``pd.Timestamp.value`` of a tz-naive ``ns`` date)."""


def day_number(value: pd.Timestamp | dt.date | np.datetime64 | str) -> int:
    """Calendar day number since 1970-01-01 of a date-like (time of day dropped).

    A tz-naive nanosecond ``pd.Timestamp`` (the daily loop's dates) is one floor division;
    anything else goes through ``pd.Timestamp`` (tz dropped, wall-clock day kept).
    """
    if type(value) is pd.Timestamp and value.tzinfo is None and value.unit == "ns":
        return int(value.value // NS_PER_DAY)
    ts = pd.Timestamp(value)
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return int(ts.as_unit("ns").value // NS_PER_DAY)
