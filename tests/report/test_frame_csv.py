"""``frame_csv`` (vixshield.report.bundle) writes what pandas' own ``to_csv`` writes.

The reference is pandas: ``to_csv(float_format="%.10g", lineterminator="\\n")`` of the
same frame with its dates already ISO text. `frame_csv` formats the float columns
itself (one pass instead of pandas' per-value formatter); the bytes must not change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vixshield.report.bundle import frame_csv

FLOATS = [
    0.0, -0.0, 1.0, -2.5, 1e-12, 123456789.0123, 12345678901234.5, np.nan, np.inf, -np.inf,
    0.1 + 0.2, 2.0 / 3.0, -1234.565, 5e300,
]  # fmt: skip


def _pandas_csv(frame: pd.DataFrame, index: bool) -> str:
    out = frame.copy()
    if index and isinstance(out.index, pd.DatetimeIndex):
        out.index = out.index.strftime("%Y-%m-%d").rename(frame.index.name)
    return str(out.to_csv(index=index, lineterminator="\n", float_format="%.10g"))


@pytest.mark.parametrize("index", [True, False])
def test_floats_are_written_as_pandas_writes_them(index: bool) -> None:
    n = len(FLOATS)
    days = pd.bdate_range("2020-01-01", periods=n, name="date" if index else None)
    frame = pd.DataFrame(
        {
            "x": FLOATS,
            "all_nan": [np.nan] * n,
            "ints": np.arange(n, dtype=np.int64),
            "flag": [i % 2 == 0 for i in range(n)],
            "text": ["a,b", 'say "hi"', "", "plain"] * (n // 4) + ["x"] * (n % 4),
            "y": np.linspace(-1.0, 1.0, n),
        },
        index=days,
    )
    assert frame_csv(frame) == _pandas_csv(frame, index)


def test_an_empty_frame_is_its_header() -> None:
    frame = pd.DataFrame({"a": pd.Series([], dtype=np.float64), "b": pd.Series([], dtype=str)})
    assert frame_csv(frame) == "a,b\n"


def _reference(frame: pd.DataFrame, index: bool) -> str:
    """pandas' ``to_csv`` of ``frame`` with its date cells written as ISO text by hand."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = [d.strftime("%Y-%m-%d") if d == d else None for d in out[col]]
        elif out[col].dtype == object:
            out[col] = [
                v.strftime("%Y-%m-%d") if isinstance(v, pd.Timestamp) else v for v in out[col]
            ]
    return _pandas_csv(out, index)


@pytest.mark.parametrize("index", [True, False])
def test_every_cell_kind_is_written_as_pandas_writes_it(index: bool) -> None:
    n = 6
    days = pd.bdate_range("2021-03-01", periods=n, name="date" if index else None)
    frame = pd.DataFrame(
        {
            "when": pd.to_datetime(
                ["2021-01-04", None, "2021-01-06", None, "2021-02-01", "2022-12-30"]
            ),
            "obj": [None, np.nan, pd.Timestamp("2021-05-03"), "a,b", 'q"t', "two\nlines"],
            "obj_floats": pd.Series([0.1, 2.0 / 3.0, np.nan, 1e20, -0.0, 5.0], dtype=object),
            "text": pd.Series(["x", None, "y, z", "", "plain", "end"], dtype="str"),
            "ints": np.array([-3, 0, 7, 2**40, 1, 2], dtype=np.int64),
            "flag": [True, False, True, True, False, False],
            "x": [1.5, np.nan, -np.inf, 3e-9, 0.0, 42.0],
        },
        index=days,
    )
    assert frame_csv(frame) == _reference(frame, index)


def test_dtypes_outside_the_fast_path_go_through_pandas() -> None:
    frame = pd.DataFrame(
        {"kind": pd.Categorical(["b", "a", "b"]), "x": [0.25, np.nan, 1.0 / 3.0]},
        index=pd.Index(["r1", "r2", "r3"], name="row"),
    )
    assert frame_csv(frame) == ("row,kind,x\nr1,b,0.25\nr2,a,\nr3,b,0.3333333333\n")


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"only": ["", "x", "a,b"]}),  # a row's only field, empty: quoted
        pd.DataFrame({"a,b": [1, 2], 'say "q"': ["x\ry", " s "]}),  # quoted header cells
        pd.DataFrame(index=range(3)),  # rows of no fields
        pd.DataFrame(
            {
                "obj": pd.Series(
                    [np.float64(0.5), np.int64(3), True, pd.NA, pd.Timestamp("2021-01-04")],
                    dtype=object,
                ),
                "maybe": pd.array([True, None, False, True, None], dtype="boolean"),
                "small": np.arange(5, dtype=np.int32),
            }
        ),
        pd.DataFrame({"x": [1.0, 2.0]}, index=pd.Index([10, 20], name="row")),
        pd.DataFrame(  # written at the wall time of its zone
            {"aware": pd.date_range("2021-03-13 23:30", periods=3, freq="D", tz="US/Eastern")}
        ),
    ],
)
def test_edge_frames_are_written_as_pandas_writes_them(frame: pd.DataFrame) -> None:
    index = frame.index.name is not None
    assert frame_csv(frame) == _reference(frame, index)
