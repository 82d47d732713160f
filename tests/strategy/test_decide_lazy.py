"""The session-7 paths of `decide` against the definitions they stand in for.

- `Decision.deferred`: the details of a deferred decision read, compare, print,
  copy and pickle as those of a `Decision` made with ``details=make()`` (Python's
  dataclass semantics are the reference), and ``make`` runs once;
- `rolling_percentile` is pandas' ``rolling(window, min_periods).apply`` of
  ``np.mean(w <= w[-1])`` (the formula it replaced), bit for bit;
- `regime_scores` is `regime_score` (the documented rule) row by row, bit for bit;
- `_Columns.position` is pandas' "pad" lookup (``Index.get_indexer(method="pad")``).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import pickle
from functools import partial

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from vixshield.strategy import engine
from vixshield.strategy.indicators import rolling_percentile
from vixshield.strategy.types import Decision, Order, RuleFired

DAY = pd.Timestamp("2020-03-16")
AUDIT = (RuleFired("regime", {"vix": 57.8}, "info", "stressed"),)
ORDERS = (Order("close", "condor", (), 1, "stop (loss 2x credit)", "c1"),)


def _bits(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a, dtype=np.float64).tobytes()


def _details(calls: list[int], scale: float) -> dict[str, object]:
    """A module-level maker (pickles by reference, like `decide`'s partial)."""
    calls.append(1)
    return {"regime": "stressed", "credit_to_hedge": 3.5 * scale, "hedge": [{"layer": "short"}]}


def _pair(
    calls: list[int] | None = None,
) -> tuple[Decision[str], Decision[str]]:
    """A deferred decision and the plain one with the same fields."""
    calls = [] if calls is None else calls
    lazy = Decision[str].deferred(
        partial(_details, calls, 1.0), DAY, "stressed", {"vix": 57.8}, ORDERS, AUDIT, "s"
    )
    plain = Decision(DAY, "stressed", {"vix": 57.8}, ORDERS, AUDIT, _details([], 1.0), "s")
    return lazy, plain


def test_deferred_details_are_made_once_when_read() -> None:
    calls: list[int] = []
    lazy, plain = _pair(calls)
    assert calls == []  # nothing made at construction
    assert lazy.details == plain.details
    assert lazy.details is lazy.details  # kept, not made again
    assert calls == [1]
    json.dumps(lazy.details, allow_nan=False)


def test_deferred_decision_behaves_as_the_plain_one() -> None:
    lazy, plain = _pair()
    assert lazy == plain and plain == lazy
    assert repr(lazy) == repr(plain)
    assert dataclasses.asdict(lazy) == dataclasses.asdict(plain)
    moved = dataclasses.replace(lazy, regime="calm")
    assert moved == dataclasses.replace(plain, regime="calm")
    assert (lazy.date, lazy.regime, lazy.orders, lazy.audit, lazy.state) == (
        plain.date,
        plain.regime,
        plain.orders,
        plain.audit,
        plain.state,
    )


def test_deferred_decision_copies_and_pickles_unread_or_read() -> None:
    for read in (False, True):
        lazy, plain = _pair()
        if read:
            assert lazy.details == plain.details
        assert pickle.loads(pickle.dumps(lazy)) == plain
        assert copy.deepcopy(lazy) == plain
        assert copy.copy(lazy) == plain


def test_deferred_decision_other_attributes_still_fail() -> None:
    lazy, _ = _pair()
    try:
        lazy.no_such_field  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as err:
        assert "no_such_field" in str(err)
    else:
        raise AssertionError("an unknown attribute must raise AttributeError")


def _pandas_percentile(x: np.ndarray, window: int, minp: int) -> np.ndarray:
    """The formula `compute_indicators` used before `rolling_percentile` (pandas)."""
    roll = pd.Series(x).rolling(window, min_periods=minp)
    return roll.apply(lambda w: float(np.mean(w <= w[-1])), raw=True).to_numpy()


values = st.one_of(
    st.floats(min_value=5.0, max_value=90.0),
    st.just(math.nan),
    st.sampled_from([10.0, 20.0, 20.0, math.inf]),  # ties and an infinity
)


@settings(max_examples=200, deadline=None)
@given(
    x=st.lists(values, min_size=0, max_size=80),
    window=st.integers(min_value=1, max_value=30),
    minp=st.integers(min_value=1, max_value=30),
)
def test_rolling_percentile_is_pandas_rolling_apply(x: list[float], window: int, minp: int) -> None:
    minp = min(minp, window)  # pandas refuses min_periods > window
    arr = np.asarray(x, dtype=np.float64)
    assert _bits(rolling_percentile(arr, window, minp)) == _bits(
        _pandas_percentile(arr, window, minp)
    )


def test_rolling_percentile_at_the_indicator_lookback() -> None:
    rng = np.random.default_rng(7)
    x = 15.0 + 10.0 * rng.random(1500)
    x[rng.random(1500) < 0.05] = math.nan
    x[200:260] = math.nan  # a gap longer than the minimum history
    got = rolling_percentile(x, 252, 60)
    assert _bits(got) == _bits(_pandas_percentile(x, 252, 60))


def test_position_is_pandas_pad_lookup() -> None:
    idx = pd.DatetimeIndex(["2021-01-04", "2021-01-05", "2021-01-08", "2021-01-11"])
    cols = engine._columns(pd.DataFrame({"vix": [1.0, 2.0, 3.0, 4.0]}, index=idx))
    for day in pd.date_range("2020-12-30", "2021-01-14"):  # sessions, gaps, before, after
        want = int(idx.get_indexer([day], method="pad")[0])  # -1 before the first
        assert cols.position(day.value) == want, day
        assert cols.position(day.value) == want  # the date dict, made by the first call
