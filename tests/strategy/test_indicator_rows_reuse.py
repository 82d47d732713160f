"""The indicator rows kept by frame content (`_columns`) against rows read afresh.

The reference is `_Columns` made from the frame itself (`_read`): a frame equal bit for
bit to one read before reuses its rows; a frame that differs in any value the rows are
made of (a float's bits, -0.0 for 0.0, an item's type, a string, a date, a name) is read
afresh; a change to a frame after it was read never reaches the rows of a later frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vixshield.strategy import indicator_rows as ir


def _frame() -> pd.DataFrame:
    idx = pd.bdate_range("2021-01-04", periods=6)
    return pd.DataFrame(
        {
            "vix": [20.0, 21.5, np.nan, 0.0, 30.25, 19.0],
            "flag": [True, False, True, True, False, False],
            "regime": ["calm", "normal", "normal", "stressed", None, "calm"],
            "mixed": [1, 1.0, "x", np.nan, True, None],
        },
        index=idx,
    )


def _rows(cols: ir._Columns) -> list[str]:
    return [repr(r) for r in cols.rows]  # types and values (repr tells 1 from 1.0, -0.0)


def test_a_copy_reuses_the_rows_read_before() -> None:
    first = _frame()
    cols = ir._columns(first)
    again = ir._columns(first.copy())
    assert again is cols
    assert _rows(again) == _rows(ir._Columns(ir._read(first)))


@pytest.mark.parametrize(
    ("column", "row", "value"),
    [
        ("vix", 3, -0.0),  # equal to 0.0, other bits
        ("vix", 1, 21.500000000000004),
        ("flag", 0, False),
        ("regime", 4, "calm"),
        ("mixed", 0, 1.0),  # 1 == 1.0, another type
        ("mixed", 4, 1),  # True == 1, another type
        ("mixed", 5, np.nan),  # None and NaN
    ],
)
def test_any_other_value_is_read_afresh(column: str, row: int, value: object) -> None:
    base = _frame()
    cols = ir._columns(base)
    other = base.copy()
    other[column] = other[column].astype(object) if column != "vix" else other[column]
    other.iloc[row, other.columns.get_loc(column)] = value
    if column == "flag":
        other["flag"] = other["flag"].astype(bool)
    got = ir._columns(other)
    assert got is not cols
    assert _rows(got) == _rows(ir._Columns(ir._read(other)))


def test_other_dates_or_names_are_read_afresh() -> None:
    base = _frame()
    cols = ir._columns(base)
    shifted = base.copy()
    shifted.index = shifted.index + pd.Timedelta(days=1)
    renamed = base.rename(columns={"vix": "vix9d"})
    for other in (shifted, renamed, base.iloc[:5].copy()):
        got = ir._columns(other)
        assert got is not cols
        assert _rows(got) == _rows(ir._Columns(ir._read(other)))
        assert list(got.index) == list(ir._read(other).dates)


def test_a_later_change_to_a_read_frame_does_not_reach_later_rows() -> None:
    base = _frame()
    want = _rows(ir._Columns(ir._read(base)))
    ir._columns(base)
    base.iloc[0, 0] = 99.0  # changed in place after it was read (not done by a run)
    fresh = _frame()
    assert _rows(ir._columns(fresh)) == want
