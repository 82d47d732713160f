"""Stable JSON and atomic writes (vixshield.report.json_out)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vixshield.report.json_out import (
    dumps_stable,
    to_jsonable,
    write_files_atomic,
    write_text_atomic,
)
from vixshield.strategy.types import RuleFired


def test_floats_rounded_to_ten_significant_digits() -> None:
    # 0.1 + 0.2 is 0.30000000000000004 in binary floating point; 10 digits give 0.3.
    assert to_jsonable(0.1 + 0.2) == 0.3
    assert to_jsonable(2.0 / 3.0) == 0.6666666667
    assert to_jsonable(-0.0) == 0.0 and math.copysign(1.0, to_jsonable(-0.0)) == 1.0  # type: ignore[arg-type]


def test_non_finite_and_missing_become_null() -> None:
    assert to_jsonable([float("nan"), float("inf"), -np.inf, pd.NaT, pd.NA, None]) == [None] * 6


def test_numpy_pandas_and_dataclasses_convert() -> None:
    obj = {
        "i": np.int64(3),
        "f": np.float32(0.5),
        "b": np.bool_(True),
        "day": pd.Timestamp("2018-02-05"),
        "at": pd.Timestamp("2018-02-05 16:00"),
        "arr": np.array([1.0, np.nan]),
        "rule": RuleFired("regime", {"vix": 17.5}, "info", "normal"),
        3: "int key",
    }
    assert to_jsonable(obj) == {
        "i": 3,
        "f": 0.5,
        "b": True,
        "day": "2018-02-05",
        "at": "2018-02-05T16:00:00",
        "arr": [1.0, None],
        "rule": {"rule": "regime", "inputs": {"vix": 17.5}, "outcome": "info", "note": "normal"},
        "3": "int key",
    }


def test_dumps_is_sorted_and_independent_of_insertion_order() -> None:
    a = dumps_stable({"b": 1, "a": {"y": 2.0, "x": [1, 2]}})
    b = dumps_stable({"a": {"x": [1, 2], "y": 2.0}, "b": 1})
    assert a == b
    assert a.index('"a"') < a.index('"b"') and a.endswith("\n")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None)
@given(json_values)
def test_dumps_is_a_fixed_point(value: object) -> None:
    # Serialising, reading back and serialising again gives the same bytes.
    text = dumps_stable(value)
    assert dumps_stable(json.loads(text)) == text


@settings(max_examples=60, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_rounding_error_is_within_ten_digits(x: float) -> None:
    y = to_jsonable(x)
    assert isinstance(y, float)
    assert abs(y - x) <= 5e-10 * abs(x) * (1 + 1e-12)


def test_write_text_atomic_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "a.json"
    write_text_atomic(target, "first\n")
    write_text_atomic(target, "second\n")
    assert target.read_text() == "second\n"
    assert [p.name for p in target.parent.iterdir()] == ["a.json"]


def test_failed_staging_leaves_targets_and_folder_untouched(tmp_path: Path) -> None:
    good = tmp_path / "summary.json"
    good.write_text("old summary\n")
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder is needed")
    with pytest.raises(OSError):
        write_files_atomic({good: "new summary\n", blocker / "report.html": "<html>"})
    assert good.read_text() == "old summary\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker", "summary.json"]


def test_failure_while_writing_text_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    with pytest.raises(TypeError):
        write_files_atomic({target: 12345})  # type: ignore[dict-item]
    assert list(tmp_path.iterdir()) == []
