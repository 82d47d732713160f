"""The fast paths of `decide` against the library behaviour they stand in for.

- `grid_index` is "the first strike ``np.isclose`` finds" (NumPy's definition of a
  match, default tolerances), -1 where it finds none;
- the indicator rows `decide` reads equal pandas' own row (``DataFrame.iloc``) with
  NumPy floats and bools as Python ones;
- the strict-JSON details map NaN to None and infinities to "inf"/"-inf" and keep
  every other value (the JSON standard, RFC 8259, has no NaN or infinity);
- `fold` hands each rule the orders and entry blocks of the rules before it only.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from vixshield.strategy.condor import grid_index
from vixshield.strategy.engine import _columns, _json
from vixshield.strategy.rules import DayContext, Step, fold
from vixshield.strategy.state import StrategyState
from vixshield.strategy.types import Order, RuleFired

grids = st.lists(
    st.floats(min_value=1.0, max_value=10_000.0, allow_nan=False), min_size=1, max_size=40
)


@settings(max_examples=200, deadline=None)
@given(
    grid=grids,
    pick=st.integers(min_value=0, max_value=39),
    nudge=st.sampled_from([0.0, 1e-9, 1e-3, 0.5]),
)
def test_grid_index_is_numpys_isclose(grid: list[float], pick: int, nudge: float) -> None:
    k = np.sort(np.asarray(grid, dtype=np.float64))
    x = float(k[pick % len(k)]) + nudge
    hits = np.flatnonzero(np.isclose(k, x))
    assert grid_index(k, x) == (int(hits[0]) if len(hits) else -1)


def test_grid_index_of_no_strike() -> None:
    k = np.array([4000.0, 4005.0, 4010.0])
    assert grid_index(k, math.nan) == -1
    assert grid_index(k, math.inf) == -1
    assert grid_index(k, 4007.5) == -1
    assert grid_index(k, 4005.0) == 1


def test_rows_equal_pandas_rows() -> None:
    idx = pd.bdate_range("2020-01-01", periods=4)
    frame = pd.DataFrame(
        {
            "vix": [12.5, np.nan, 30.25, 18.0],
            "flag": [True, False, True, False],
            "regime": ["calm", "normal", "stressed", np.float64(1.5)],
            "days": np.array([1, 2, 3, 4], dtype=np.int64),
            "f32": np.array([0.1, 0.2, 0.3, 0.4], dtype=np.float32),
        },
        index=idx,
    )
    cols = _columns(frame)
    for i in range(len(frame)):
        row = cols.row(i)
        expected = frame.iloc[i].to_dict()
        assert list(row) == list(frame.columns)
        for name, v in expected.items():
            got = row[name]
            if isinstance(v, float | np.floating) and math.isnan(v):
                assert isinstance(got, float) and math.isnan(got)
            else:
                assert got == v
            if isinstance(v, np.floating | float):
                assert type(got) is float  # Python floats, as the audit stores them
            if isinstance(v, np.bool_ | bool):
                assert type(got) is bool
    assert type(cols.row(0)["days"]) is np.int64  # integers stay NumPy scalars


def test_json_details_are_strict_json() -> None:
    details = {
        "a": math.nan,
        "b": [1.0, math.inf, -math.inf, (2, "x")],
        "c": {"d": None, 3: True, "e": np.float64("nan"), "f": 0.25},
        "g": (math.nan,),
    }
    out = _json(details)
    assert out == {
        "a": None,
        "b": [1.0, "inf", "-inf", [2, "x"]],
        "c": {"d": None, "3": True, "e": None, "f": 0.25},
        "g": [None],
    }
    json.dumps(out, allow_nan=False)  # strict JSON: raises on any NaN / inf left


def _ctx() -> DayContext:
    return DayContext(
        date=pd.Timestamp("2020-01-02"),
        market=None,  # type: ignore[arg-type]
        positions=(),
        marks={},
        account=None,  # type: ignore[arg-type]
        row={},
        regime="normal",
        regime_inputs={},
        multipliers={},
        multiplier_audit=(),
        days_to_events={},
        sessions=np.array([0], dtype=np.int64),
        session=0,
        costs=None,  # type: ignore[arg-type]
        orders=(Order("close", "condor", (), 1, "stale", "old"),),  # never seen by a rule
    )


def test_fold_shows_each_rule_the_orders_before_it() -> None:
    seen: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    block = RuleFired("scan", {}, "fail", "kink")

    def rule(reason: str | None, blocks: bool):
        def run(ctx: DayContext, state: StrategyState) -> Step:
            seen.append(
                (tuple(o.reason for o in ctx.orders), tuple(b.note for b in ctx.entry_blocks))
            )
            orders = (Order("close", "condor", (), 1, reason, reason),) if reason else ()
            return Step(state, orders, (), {}, (block,) if blocks else ())

        return run

    steps = fold(
        _ctx(),
        StrategyState(),
        [
            rule(None, False),
            rule("tp", True),
            rule(None, False),
            rule("stop", False),
            rule(None, False),
        ],
    )
    assert len(steps) == 5
    assert seen == [
        ((), ()),
        ((), ()),
        (("tp",), ("kink",)),
        (("tp",), ("kink",)),
        (("tp", "stop"), ("kink",)),
    ]
