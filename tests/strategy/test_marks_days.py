"""Days to the first expiry in the marks, for dates with a time of day or a time zone.

Reference: calendar days counted by hand (2016-01-04 to 2016-01-15: 11 days); a tz-aware
date counts from its local date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vixshield.strategy.marks import marks_from_legs
from vixshield.strategy.types import Leg, Position

_E = pd.Timestamp("2016-01-15")


@pytest.mark.parametrize(
    "date",
    [
        pd.Timestamp("2016-01-04"),
        pd.Timestamp("2016-01-04 16:15"),
        pd.Timestamp("2016-01-04 23:30", tz="US/Eastern"),  # 04:30 UTC on the 5th
        "2016-01-04",
    ],
)
def test_days_to_first_expiry_count_from_the_local_date(date: pd.Timestamp | str) -> None:
    legs = (Leg("VIX", "VIX", _E, "AM", 20.0, "C", 1), Leg("VIX", "VIX", _E, "AM", 25.0, "C", -1))
    pos = Position("H1", "hedge", legs, 1, pd.Timestamp("2016-01-04"), 0.0, layer="tail")
    q = [np.array([1.0, 0.5])] * 6
    assert marks_from_legs(date, [pos], *q)["H1"].dte == 11  # type: ignore[arg-type]
