"""Column validators: properties (Hypothesis) and located errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vixshield.data.validate import (
    check_increasing,
    parse_dates,
    parse_numbers,
    validate_chain,
    validate_series,
    validate_vx,
)
from vixshield.errors import DataError


def _lines(n: int) -> np.ndarray:
    return np.arange(2, n + 2, dtype=np.int64)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(1e-6, 1e6, allow_nan=False), min_size=1, max_size=30))
def test_parse_numbers_round_trips_repr(values: list[float]) -> None:
    raw = np.array([repr(v) for v in values], dtype=object)
    out = parse_numbers(raw, _lines(len(values)), file="f.csv", field="x", positive=True)
    np.testing.assert_array_equal(out, np.array(values))


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(1e-3, 1e3, allow_nan=False), min_size=1, max_size=20),
    st.integers(0, 19),
)
def test_parse_numbers_locates_the_first_bad_cell(values: list[float], k: int) -> None:
    k = k % len(values)
    raw = np.array([repr(v) for v in values], dtype=object)
    raw[k] = "oops"
    with pytest.raises(DataError) as err:
        parse_numbers(raw, _lines(len(values)), file="f.csv", field="x")
    assert err.value.row == k + 2 and err.value.field == "x"


def test_missing_tokens() -> None:
    raw = np.array(["1.5", ".", "", "2"], dtype=object)
    out = parse_numbers(raw, _lines(4), file="f", field="x", allow_missing=True)
    assert np.isnan(out[1]) and np.isnan(out[2]) and out[3] == 2.0
    with pytest.raises(DataError) as err:
        parse_numbers(raw, _lines(4), file="f", field="x")
    assert err.value.row == 3


def test_mixed_date_formats() -> None:
    raw = np.array(["1/5/2005", "01/06/2005", "2005-01-07", "2005-01-10 16:15:00"], dtype=object)
    out = parse_dates(raw, _lines(4), file="f", field="d", formats=("iso", "mdy"))
    assert list(out.strftime("%Y-%m-%d")) == [
        "2005-01-05",
        "2005-01-06",
        "2005-01-07",
        "2005-01-10",
    ]


@settings(max_examples=40, deadline=None)
@given(st.sets(st.integers(0, 5000), min_size=2, max_size=30))
def test_check_increasing_accepts_sorted_and_rejects_swaps(offsets: set[int]) -> None:
    days = sorted(offsets)
    dates = pd.DatetimeIndex(pd.Timestamp("2000-01-01") + pd.to_timedelta(days, unit="D"))
    check_increasing(dates, _lines(len(days)), file="f", field="d")
    swapped = dates[[1, 0, *range(2, len(days))]]
    with pytest.raises(DataError) as err:
        check_increasing(swapped, _lines(len(days)), file="f", field="d")
    assert err.value.row == 3  # second data line of the file


def test_frame_validators() -> None:
    idx = pd.DatetimeIndex(["2020-01-02", "2020-01-03"], name="date")
    validate_series(pd.DataFrame({"value": [1.0, 2.0]}, index=idx), name="vix")
    with pytest.raises(DataError):
        validate_series(pd.DataFrame({"value": [1.0, -2.0]}, index=idx), name="vix")
    vx = pd.DataFrame(
        {
            "date": pd.to_datetime(["2020-01-02", "2020-01-02", "2020-01-03"]),
            "expiry": pd.to_datetime(["2020-01-22", "2020-02-19", "2020-01-22"]),
            "settle": [14.0, 15.0, 14.5],
        }
    )
    validate_vx(vx)
    with pytest.raises(DataError) as err:
        validate_vx(vx.assign(settle=[14.0, 0.0, 14.5]))
    assert err.value.row == 2
    chain = pd.DataFrame(
        {
            "quote_date": pd.to_datetime(["2020-01-02"]),
            "underlying": ["SPX"],
            "root": ["SPXW"],
            "expiry": pd.to_datetime(["2020-01-03"]),
            "settlement": ["PM"],
            "strike": [3252.5],
            "right": ["P"],
            "bid": [1.0],
            "ask": [1.2],
        }
    )
    assert len(validate_chain(chain)) == 1  # 3252.5 is off the SPX 5-point grid
    with pytest.raises(DataError):
        validate_chain(chain.assign(bid=[2.0]))
