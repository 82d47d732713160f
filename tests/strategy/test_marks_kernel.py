"""The marks' per-position sums: the compiled kernel against its plain-Python reference and
a condor marked by hand.

References: the plain-Python `_position_sums` (the kernel's own source, run by the
interpreter) for the compiled sums, bit for bit; a 1850/1900/2100/2150 iron condor's value,
greeks, quoted width and bid value worked by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from vixshield.strategy.marks import _position_sums, _sums_kernel, marks_from_legs
from vixshield.strategy.types import Leg, Position

_E = pd.Timestamp("2016-01-15")


def _condor() -> Position:
    legs = tuple(
        Leg("SPX", "SPX", _E, "AM", k, r, q)  # type: ignore[arg-type]
        for k, r, q in ((1850.0, "P", 1), (1900.0, "P", -1), (2100.0, "C", -1), (2150.0, "C", 1))
    )
    return Position("P1", "condor", legs, 2, pd.Timestamp("2016-01-04"), 0.0)


def test_a_condor_marked_by_hand() -> None:
    # bid/ask 5-6, 10-11, 8-9, 3-4: mids 5.5, 10.5, 8.5, 3.5
    bid = np.array([5.0, 10.0, 8.0, 3.0])
    ask = bid + 1.0
    mid = (bid + ask) / 2
    delta = np.array([-0.1, -0.2, 0.3, 0.15])
    vega = np.array([1.0, 2.0, 2.5, 1.5])
    theta = np.array([-0.5, -1.0, -1.25, -0.75])
    m = marks_from_legs(pd.Timestamp("2016-01-04"), [_condor()], mid, delta, vega, theta, bid, ask)
    got = m["P1"]
    assert got.value == 5.5 - 10.5 - 8.5 + 3.5  # -10.0 points per unit
    assert got.delta == pytest.approx(-0.1 + 0.2 - 0.3 + 0.15)
    assert got.vega == 1.0 - 2.0 - 2.5 + 1.5
    assert got.theta == -0.5 + 1.0 + 1.25 - 0.75
    assert got.spread == 4.0  # four legs one point wide
    assert got.bid_value == 5.0 - 11.0 - 9.0 + 3.0  # longs at the bid, shorts at the ask
    assert got.dte == 11  # 2016-01-04 to 2016-01-15
    assert got.legs == ((5.5, 5.0, 6.0), (10.5, 10.0, 11.0), (8.5, 8.0, 9.0), (3.5, 3.0, 4.0))


def test_given_ratios_must_match_the_legs() -> None:
    q = [np.ones(4)] * 6
    with pytest.raises(ValueError, match="ratios of 4 legs"):
        marks_from_legs(pd.Timestamp("2016-01-04"), [_condor()], *q, ratios=np.ones(3))


_FLOATS = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False, allow_subnormal=False)


@settings(max_examples=60, deadline=None)
@given(
    lengths=st.lists(st.integers(0, 5), min_size=0, max_size=8),
    data=st.data(),
)
def test_compiled_sums_are_the_python_sums_bit_for_bit(
    lengths: list[int], data: st.DataObject
) -> None:
    n = sum(lengths)
    ratio = data.draw(arrays(np.float64, n, elements=st.sampled_from([-3.0, -2.0, -1.0, 1.0, 2.0])))
    cols = [data.draw(arrays(np.float64, n, elements=_FLOATS)) for _ in range(6)]
    counts = np.array(lengths, dtype=np.int64)
    want = _position_sums(ratio, *cols, counts)
    got = _sums_kernel()(ratio, *cols, counts)
    assert got.shape == (len(lengths), 6)
    assert got.tobytes() == want.tobytes()
    # the plain-Python run on lists (marks_from_legs' path while numba is not loaded)
    on_lists = _position_sums(ratio.tolist(), *(c.tolist() for c in cols), lengths)
    assert on_lists.tobytes() == want.tobytes()
    # and the plain sums of Python floats, leg by leg from 0.0
    at = 0
    for p, k in enumerate(lengths):
        r = ratio[at : at + k].tolist()
        m = cols[0][at : at + k].tolist()
        total = 0.0
        for x, y in zip(r, m, strict=True):
            total += x * y
        assert got[p, 0] == total
        at += k
