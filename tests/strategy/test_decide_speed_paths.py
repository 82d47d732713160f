"""The session-6 fast paths of the strategy engine against the definitions they stand in for.

Each fast path must give the same floats, bit for bit, as the plain formula:

- `gradient_rows` is NumPy's ``np.gradient(f, x, axis=1)`` (NumPy's documented
  second-order central differences, first-order edges);
- `SideQuotes.atm_iv` is ``np.nanmean`` of the put and call vols at the strike
  nearest the forward;
- the trapezoid `_integral` on a strictly increasing grid equals the one through
  ``np.unique`` (NumPy's sorted distinct points);
- `select_expiry` is the rule of its docstring, written out here by brute force;
- `credit_budget` is the module docstring's sums ``sum(f for d, f in flows if d >= day)``
  written out here, also for flows out of date order, and its one-entry memo gives
  what a fresh computation gives;
- the indicator rows, regime inputs, event distances and layer multipliers `decide`
  reads from its per-frame and per-policy tables equal `regime_inputs`,
  `layer_multiplier` and pandas' own row (``DataFrame.iloc``) at every row.
"""

from __future__ import annotations

import math
import struct
import warnings

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from vixshield.markets.types import Expiry
from vixshield.strategy import engine
from vixshield.strategy.condor import SideQuotes, gradient_rows, select_expiry
from vixshield.strategy.condor_analysis import _integral
from vixshield.strategy.policy import CondorPolicy, load_policy, parse_policy
from vixshield.strategy.regime import layer_multiplier, regime_inputs
from vixshield.strategy.state import StrategyState, _credit_budget, credit_budget
from vixshield.strategy.types import AccountState


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def _same(a: object, b: object) -> bool:
    """Equal, floats bit for bit (NaN equals NaN, -0.0 differs from 0.0)."""
    if isinstance(a, float) and isinstance(b, float):
        return _bits(a) == _bits(b)
    return type(a) is type(b) and a == b


floats = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(
    steps=st.lists(st.sampled_from([0.5, 1.0, 2.5, 5.0, 10.0, 25.0]), min_size=1, max_size=30),
    uniform=st.booleans(),
    start=st.floats(min_value=100.0, max_value=5000.0),
    data=st.data(),
)
def test_gradient_rows_is_numpys_gradient(
    steps: list[float], uniform: bool, start: float, data: st.DataObject
) -> None:
    dx = [steps[0]] * len(steps) if uniform else steps
    x = start + np.concatenate(([0.0], np.cumsum(dx)))
    n = len(x)
    f = np.array(data.draw(st.lists(floats, min_size=2 * n, max_size=2 * n))).reshape(2, n)
    got = gradient_rows(f, x)
    want = np.gradient(f, x, axis=1)
    assert got.tobytes() == want.tobytes()


def test_gradient_rows_of_one_point_is_numpys_error() -> None:
    f, x = np.ones((2, 1)), np.array([1.0])
    errors: list[tuple[type, str]] = []
    for fn in (lambda: np.gradient(f, x, axis=1), lambda: gradient_rows(f, x)):
        try:
            fn()
        except (ValueError, IndexError) as err:
            errors.append((type(err), str(err)))
    assert len(errors) == 2 and errors[0] == errors[1]


vols = st.one_of(
    st.floats(min_value=0.0, max_value=5.0),
    st.just(math.nan),
    st.just(-0.0),
)


@settings(max_examples=300, deadline=None)
@given(put=vols, call=vols)
def test_atm_iv_is_numpys_nanmean(put: float, call: float) -> None:
    k = np.array([95.0, 100.0, 105.0])
    side = np.array([0.3, put, 0.3])
    cside = np.array([0.3, call, 0.3])
    nan3 = np.full(3, math.nan)
    q = SideQuotes(k, nan3, nan3, nan3, nan3, nan3, nan3, side, cside, {}, {}, 100.2, 0.1, 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # both NaN: "Mean of empty slice"
        want = float(np.nanmean([put, call]))
        got = q.atm_iv()
    assert _same(got, want)


@settings(max_examples=300, deadline=None)
@given(
    grid=st.lists(st.floats(min_value=1.0, max_value=1000.0), min_size=2, max_size=40, unique=True),
    data=st.data(),
)
def test_integral_on_increasing_grid_is_the_unique_one(
    grid: list[float], data: st.DataObject
) -> None:
    k = np.sort(np.asarray(grid))
    f = np.array(data.draw(st.lists(floats, min_size=len(k), max_size=len(k))))
    i = data.draw(st.integers(0, len(k) - 1))
    j = data.draw(st.integers(0, len(k) - 1))
    lo, hi = float(k[min(i, j)]), float(k[max(i, j)])
    assert _same(_integral(k, f, lo, hi, True), _integral(k, f, lo, hi, False))


def _brute_expiry(
    date: pd.Timestamp, expiries: list[Expiry], cfg: CondorPolicy, floor_dte: int
) -> Expiry | None:
    """`select_expiry`'s docstring: nearest the target in the window, else within the
    tolerance of it, above ``floor_dte``; ties to the earlier, then the PM root, then
    the first listed."""

    def pick(lo: int, hi: int) -> Expiry | None:
        best: tuple[tuple[int, int, int], int] | None = None
        for i, e in enumerate(expiries):
            dte = (e.date - date).days
            if lo <= dte <= hi and dte > floor_dte:
                key = ((abs(dte - cfg.dte_target), dte, 0 if e.settlement == "PM" else 1), i)
                best = key if best is None or key < best else best
        return None if best is None else expiries[best[1]]

    return pick(cfg.dte_min, cfg.dte_max) or pick(
        cfg.dte_min - cfg.dte_tolerance, cfg.dte_max + cfg.dte_tolerance
    )


@settings(max_examples=300, deadline=None)
@given(
    days=st.lists(st.integers(min_value=0, max_value=120), max_size=30),
    roots=st.data(),
    floor=st.integers(min_value=0, max_value=40),
    tolerance=st.integers(min_value=0, max_value=20),
)
def test_select_expiry_is_its_rule(
    days: list[int], roots: st.DataObject, floor: int, tolerance: int
) -> None:
    date = pd.Timestamp("2019-03-04")
    ex = []
    for n in days:
        am = roots.draw(st.booleans())
        ex.append(
            Expiry(
                date + pd.Timedelta(days=n), "SPX" if am else "SPXW", "AM" if am else "PM", n / 365
            )
        )
    cfg = CondorPolicy(dte_min=30, dte_max=60, dte_target=45, dte_tolerance=min(tolerance, 29))
    assert select_expiry(date, ex, cfg, floor) is _brute_expiry(date, ex, cfg, floor)


flows = st.lists(
    st.tuples(
        st.sampled_from([f"2020-01-{d:02d}" for d in range(1, 29)]),
        st.floats(min_value=0.01, max_value=5000.0),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(
    cycles=st.lists(
        st.tuples(
            st.sampled_from([f"2020-01-{d:02d}" for d in range(1, 29)]),
            st.floats(min_value=-2000.0, max_value=8000.0),
        ),
        max_size=5,
    ),
    paid=flows,
    proceeds=flows,
    ordered=st.booleans(),
    window=st.integers(min_value=1, max_value=4),
    ratio=st.sampled_from([0.0, 2.0, 3.0]),
)
def test_credit_budget_sums_are_the_definition(
    cycles: list[tuple[str, float]],
    paid: list[tuple[str, float]],
    proceeds: list[tuple[str, float]],
    ordered: bool,
    window: int,
    ratio: float,
) -> None:
    cyc = tuple(sorted(cycles))
    if ordered:
        paid, proceeds = sorted(paid), sorted(proceeds)
    s = StrategyState(cycles=cyc, hedge_paid=tuple(paid), hedge_proceeds=tuple(proceeds))
    budget, fired = credit_budget(s, window, ratio)
    kept = cyc[-window:]
    start = kept[0][0] if kept else ""
    want_paid = sum(f for d, f in paid if kept and d >= start)
    want_proceeds = sum(f for d, f in proceeds if kept and d >= start)
    assert _same(budget.paid, want_paid) and type(budget.paid) is type(want_paid)
    assert _same(budget.proceeds, want_proceeds)
    if ratio > 0 and kept and budget.credit > 0:
        slacks = [
            sum(max(c, 0.0) for _, c in kept[j:]) / ratio
            - sum(f for d, f in paid if d >= kept[j][0])
            for j in range(len(kept))
        ]
        assert _same(budget.remaining, max(min(slacks), 0.0))
    again = credit_budget(s, window, ratio)  # the memo's answer: the fresh one's
    fresh = _credit_budget(s, window, ratio)
    assert again[0] == fresh[0] and again[1] == fresh[1] and again[1] == fired


def test_credit_budget_memo_misses_on_a_new_window_or_ratio() -> None:
    s = StrategyState(cycles=(("2020-01-02", 3000.0), ("2020-01-09", 3000.0)))
    assert credit_budget(s, 2, 3.0)[0].cap == 2000.0  # (3000 + 3000) / 3
    assert credit_budget(s, 1, 3.0)[0].cap == 1000.0  # the last cycle only
    assert credit_budget(s, 1, 2.0)[0].cap == 1500.0
    assert credit_budget(s, 1, -0.0)[1].inputs["minimum"] == -0.0  # the cap off, as given
    assert math.copysign(1.0, credit_budget(s, 1, -0.0)[1].inputs["minimum"]) == -1.0  # type: ignore[arg-type]
    assert math.copysign(1.0, credit_budget(s, 1, 0.0)[1].inputs["minimum"]) == 1.0  # type: ignore[arg-type]


def _frame() -> pd.DataFrame:
    idx = pd.bdate_range("2021-01-04", periods=6)
    nan = math.nan
    return pd.DataFrame(
        {
            "vix": [12.3456789, nan, 30.0, 18.25, math.inf, 1e-9],
            "ts_slope": [0.1, -0.2, nan, 0.0, -0.0, 0.3333333333],
            "ts_state": ["contango", "backwardation", "missing", "flat", "flat", "contango"],
            "vrp": np.array([1, 2, 3, 4, 5, 6], dtype=np.int64),  # ints: no number to round
            "iv_rank": [0.5, 0.25, nan, 1.0, 0.0, 0.75],
            "custom:x": [1.0, 2.0, nan, 4.1234567, 5.0, 6.0],
            "custom:x:on": [True, False, True, False, True, False],
            "days_to_fomc": [3.0, 2.0, 1.0, 0.0, nan, 10.0],
            "days_to_cpi": ["none", None, 2.0, 1.0, 0.0, 5.0],
            "regime_score": [0.0, 1.5, nan, 2.0, 3.0, 1.0],
            "regime": ["calm", "normal", "stressed", "elevated", "normal", "calm"],
        },
        index=idx,
    )


CUSTOM = """
name = "t"
[[custom]]
name = "x"
series = "vix"
rule = "above"
threshold = 20.0
effect = "{effect}"
{layer}
"""


def test_context_tables_equal_the_row_rules() -> None:
    frame = _frame()
    account = AccountState(1e6, 1e6, 0.0)
    policies = [load_policy("alvh-442")]
    for effect, layer in (("block", ""), ("layer", 'layer = "all"\nadd = 0.5')):
        policies.append(parse_policy(CUSTOM.format(effect=effect, layer=layer)))
    for policy in policies:
        for i, day in enumerate(frame.index):
            ctx = engine._context(day, None, (), account, engine._plan(policy), frame, {})  # type: ignore[arg-type]
            row = engine._columns(frame).row(i)  # pandas' row (test_decide_fast_paths)
            assert dict(ctx.row) == row and list(ctx.row) == list(row)
            want = regime_inputs(row, policy)
            assert list(ctx.regime_inputs) == list(want)
            assert all(_same(ctx.regime_inputs[k], v) for k, v in want.items())
            events = {k: ctx.days_to_events[k] for k in ("FOMC", "CPI", "PPI", "GDP")}
            assert _same(events["FOMC"], float(row["days_to_fomc"]))
            cpi = row["days_to_cpi"]
            assert _same(events["CPI"], float(cpi) if isinstance(cpi, float) else math.nan)
            assert math.isnan(events["PPI"]) and math.isnan(events["GDP"])  # no such column
            assert ctx.regime == row["regime"]
            for name in (layer.name for layer in policy.hedge.layers):
                m, fired = layer_multiplier(name, ctx.regime, row, policy)
                assert ctx.multipliers[name] == m
                assert [f for f in ctx.multiplier_audit if f.rule.endswith(f":{name}")] == [
                    f for f in fired if f.rule.endswith(f":{name}")
                ]


def test_context_without_a_regime_column_is_normal() -> None:
    frame = _frame().drop(columns=["regime"])
    ctx = engine._context(
        frame.index[0],
        None,
        (),
        AccountState(1.0, 1.0, 0.0),
        engine._plan(load_policy("alvh-442")),
        frame,
        {},  # type: ignore[arg-type]
    )
    assert ctx.regime == "normal"
    assert ctx.row.get("regime") is None and "regime" not in ctx.row
