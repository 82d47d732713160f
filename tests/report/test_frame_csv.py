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
    if index:
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
