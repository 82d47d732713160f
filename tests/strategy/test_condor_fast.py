"""The condor builder's one-pass helpers against the library behaviour they stand in for.

- `grid_positions` is "the first strike ``np.isclose`` finds" for each of the four strikes
  (NumPy's definition of a match, default tolerances), -1 where it finds none or the
  strike is not finite;
- `vertical_credits` is each vertical's short fill minus its long fill by
  `CostModel.fills` (the numpy rule), bit for bit;
- `analyse_condor`'s opening costs are `CostModel.charges` of the four legs, and its
  break-even probabilities ``np.interp`` of the CDF at each break-even alone.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from vixshield.markets.costs import CostModel
from vixshield.strategy.condor import (
    SideQuotes,
    analyse_condor,
    grid_positions,
    risk_neutral_cdf,
    vertical_credits,
)

grids = st.lists(
    st.floats(min_value=1.0, max_value=10_000.0, allow_nan=False), min_size=1, max_size=40
)
strikes = st.one_of(
    st.floats(min_value=0.0, max_value=10_000.0),
    st.sampled_from([math.nan, math.inf, -math.inf]),
)


def _isclose_first(k: np.ndarray, s: float) -> int:
    if not math.isfinite(s):
        return -1
    hit = np.flatnonzero(np.isclose(k, s))
    return int(hit[0]) if len(hit) else -1


@settings(max_examples=300, deadline=None)
@given(
    grid=grids,
    picks=st.lists(st.integers(min_value=0, max_value=39), min_size=4, max_size=4),
    nudge=st.sampled_from([0.0, 1e-9, 1e-3, 0.5]),
    other=strikes,
    dup=st.booleans(),
)
def test_grid_at_is_numpys_isclose(
    grid: list[float], picks: list[int], nudge: float, other: float, dup: bool
) -> None:
    k = np.asarray(grid, dtype=np.float64)
    if dup:  # repeated strikes: the first one is the hit
        k = np.concatenate((k, k[::-1]))
    k = np.sort(k) if picks[0] % 2 else k  # sorted or not: the rule reads neither
    four = [float(k[p % len(k)]) + nudge for p in picks[:3]] + [other]
    assert grid_positions(k, *four) == tuple(_isclose_first(k, s) for s in four)


def _quotes(n: int, seed: int) -> SideQuotes:
    rng = np.random.default_rng(seed)
    k = 4000.0 + 5.0 * np.arange(n)
    f = 4000.0 + 2.5 * n
    put = np.maximum(k - f, 0.0) + rng.uniform(0.0, 5.0, n)
    call = np.maximum(f - k, 0.0) + rng.uniform(0.0, 5.0, n)
    half = rng.uniform(-0.2, 0.6, (4, n))  # some crossed or NaN quotes below
    half[0, rng.integers(0, n)] = math.nan
    g = {name: rng.normal(size=n) for name in ("delta", "gamma", "vega", "theta")}
    return SideQuotes(
        strikes=k, put_mid=put, call_mid=call,
        put_bid=put - half[0], put_ask=put + half[1],
        call_bid=call - half[2], call_ask=call + half[3],
        put_iv=np.full(n, 0.2), call_iv=np.full(n, 0.2),
        put_greeks=g, call_greeks=g, forward=f, t_years=30 / 365, rate=0.03,
    )  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=10_000),
    rows=st.lists(st.integers(min_value=0, max_value=19), min_size=4, max_size=4),
    share=st.sampled_from([0.0, 0.25, 0.5, 1.0]),
)
def test_vertical_credits_are_the_numpy_fills(seed: int, rows: list[int], share: float) -> None:
    q = _quotes(20, seed)
    costs = CostModel(commission_per_contract=0.65, fees_per_contract=0.3, spread_share=share)
    lp, sp, sc, lc = (float(q.strikes[r]) for r in rows)
    got = vertical_credits(q, lp, sp, sc, lc, costs)

    def numpy_credit(mid: np.ndarray, bid: np.ndarray, ask: np.ndarray, s: int, lg: int) -> float:
        fill = costs.fills(mid[[s, lg]], bid[[s, lg]], ask[[s, lg]], [-1.0, 1.0])
        return float(fill[0] - fill[1])

    i = rows
    want = (
        numpy_credit(q.put_mid, q.put_bid, q.put_ask, i[1], i[0]),
        numpy_credit(q.call_mid, q.call_bid, q.call_ask, i[2], i[3]),
    )
    np.testing.assert_array_equal(np.array(got), np.array(want))  # NaN == NaN here
    assert [math.copysign(1.0, x) for x in got] == [math.copysign(1.0, x) for x in want]


def test_analyse_reads_costs_and_cdf_as_the_numpy_rules() -> None:
    q = _quotes(40, 7)
    costs = CostModel(commission_per_contract=0.65, fees_per_contract=0.32, spread_share=0.25)
    lp, sp, sc, lc = 4020.0, 4060.0, 4140.0, 4180.0
    a = analyse_condor(q, lp, sp, sc, lc, 30, costs)
    assert a.open_costs == sum(costs.charges([1.0, -1.0, -1.0, 1.0]))
    cdf = risk_neutral_cdf(q)
    pop = float(np.interp(a.breakeven_call, q.strikes, cdf)) - float(
        np.interp(a.breakeven_put, q.strikes, cdf)
    )
    assert a.pop == max(pop, 0.0)
    again = analyse_condor(q, lp, sp, sc, lc, 30, CostModel(0.65, 0.32, 0.25))  # equal model
    assert again == a
