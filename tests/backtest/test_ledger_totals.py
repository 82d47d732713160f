"""The ledger's kept totals and the margin of a leg set, against hand and brute-force values.

References: Reg-T for defined-risk spreads and uncovered index options (Cboe, *Margin
Manual*, 2000) worked by brute force over the expiry payoff; portfolio values worked by
hand (``sum(ratio x mid) x contracts x 100``); the Black-76 reference
(`vixshield.pricing.reference`) for the shock loss.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from bt_fakes import FakeMarket, make_data, ts
from hypothesis import given, settings
from hypothesis import strategies as st

from vixshield.backtest.marking import ShockDemands, mark_all
from vixshield.backtest.portfolio import Ledger, LegsMargin, OpenPosition, reg_t_margin
from vixshield.backtest.shock import Shock
from vixshield.backtest.state import RunState
from vixshield.markets.costs import CostModel
from vixshield.pricing.reference import black76_price_ref
from vixshield.strategy.types import Leg, Position

_DAY = "2020-03-02"
_EXPIRY = "2020-03-20"


def _leg(und: str, strike: float, right: str, ratio: int) -> Leg:
    return Leg(und, und, ts(_EXPIRY), "AM", strike, right, ratio)  # type: ignore[arg-type]


def _op(pid: str, legs: Sequence[Leg], contracts: int, mid: Sequence[float]) -> OpenPosition:
    kind, layer = ("hedge", "tail") if legs[0].underlying == "VIX" else ("condor", None)
    pos = Position(pid, kind, tuple(legs), contracts, ts(_DAY), 0.0, layer=layer)  # type: ignore[arg-type]
    n = len(legs)
    return OpenPosition(pos, np.array(mid, dtype=float), np.zeros(n), np.zeros(n), np.zeros(n))


def _condor() -> list[Leg]:
    # 2900/2950 put spread, 3150/3175 call spread: widest wing 50 points
    return [
        _leg("SPX", 2900.0, "P", 1),
        _leg("SPX", 2950.0, "P", -1),
        _leg("SPX", 3150.0, "C", -1),
        _leg("SPX", 3175.0, "C", 1),
    ]


def _brute_force_margin(legs: Sequence[Leg], contracts: int, spot: float) -> float:
    """Reg-T by brute force: the worst expiry payoff over 0, every strike and the spot (the
    payoff is piecewise linear between them), plus 20% of spot per uncovered call."""

    def payoff(s: float) -> float:
        return sum(
            lg.ratio * max((s - lg.strike) if lg.right == "C" else (lg.strike - s), 0.0)
            for lg in legs
        )

    points = [0.0, max(spot, 0.0), *[lg.strike for lg in legs]]
    worst = min(payoff(s) for s in points)
    net_calls = sum(lg.ratio for lg in legs if lg.right == "C")
    naked = max(-net_calls, 0) * 0.20 * max(spot, 0.0)
    return (max(-worst, 0.0) + naked) * 100.0 * contracts


@settings(max_examples=80, deadline=None)
@given(
    legs=st.lists(
        st.tuples(
            st.sampled_from([1500.0, 1800.0, 1850.0, 1900.0, 2000.0, 2100.0, 2150.0]),
            st.sampled_from(["C", "P"]),
            st.sampled_from([-2, -1, 1, 2]),
        ),
        min_size=1,
        max_size=5,
    ),
    spots=st.lists(st.floats(0.0, 3000.0), min_size=1, max_size=4),
    contracts=st.integers(1, 5),
)
def test_legs_margin_is_reg_t_by_brute_force(
    legs: list[tuple[float, str, int]], spots: list[float], contracts: int
) -> None:
    lgs = [_leg("SPX", k, r, q) for k, r, q in legs]
    lm = LegsMargin.of(lgs)
    op = _op("A", lgs, contracts, [0.0] * len(lgs))  # its margin kept per spot
    for s in [*spots, *spots[::-1]]:  # any order of spots
        want = _brute_force_margin(lgs, contracts, s)
        assert lm.margin(contracts, s) == pytest.approx(want, rel=1e-12, abs=1e-6)
        assert reg_t_margin(lgs, contracts, s) == lm.margin(contracts, s)
        assert op.margin(s) == lm.margin(contracts, s)


def test_an_open_position_uses_a_given_legs_margin_only_for_its_own_legs() -> None:
    condor = _condor()
    op = _op("A", condor, 2, [0.0] * 4)
    # a margin of other legs (one naked short call) is not taken for the condor's
    op.legs_margin = LegsMargin.of([_leg("SPX", 3150.0, "C", -1)])
    assert op.margin(3000.0) == 10_000.0  # widest wing 50 x 100 x 2 contracts
    assert op.legs_margin is not None and op.legs_margin.legs is op.position.legs


def test_ledger_totals_follow_marks_opens_closes_and_settlements() -> None:
    led = Ledger(cash=0.0)
    spot = {"SPX": 3000.0, "VIX": 15.0}
    condor = _op("A", _condor(), 2, [1.0, 2.0, 3.0, 0.5])
    led.open(condor, 0.0)
    # hand: (1 - 2 - 3 + 0.5) x 2 x 100 = -700
    assert led.positions_value == -700.0
    assert led.margin(spot) == 10_000.0
    hedge = _op("B", [_leg("VIX", 20.0, "C", 2)], 3, [1.5])
    led.open(hedge, 0.0)
    # hand: 2 x 1.5 x 3 x 100 = 900; the long calls need no margin
    assert led.positions_value == 200.0 and led.equity == 200.0
    assert led.margin(spot) == 10_000.0
    assert [p.contracts for p in led.open_positions()] == [2, 3]
    led.mark("A", np.array([1.0, 2.0, 2.0, 0.5]))  # the short call cheaper: -2.5 x 200
    assert led.positions_value == -500.0 + 900.0
    led.close("A", 1, 0.0)  # a partial close: 1 contract left
    assert led.positions_value == -250.0 + 900.0
    assert led.margin(spot) == 5_000.0
    assert [p.contracts for p in led.open_positions()] == [1, 3]
    # the 3150 call 50 in the money at 3200: still the widest-wing loss, 50 x 100
    assert led.margin({"SPX": 3200.0, "VIX": 15.0}) == 5_000.0
    led.settle_legs("B", np.array([False]), 0.0)  # the hedge expires: position removed
    assert led.positions_value == -250.0
    assert [p.id for p in led.open_positions()] == ["A"]
    led.close("A", 1, 0.0)
    assert led.positions_value == 0.0 and led.margin(spot) == 0.0
    assert led.open_positions() == ()


def _run_with_condor(contracts: int) -> RunState:
    market = FakeMarket(make_data([_DAY]))
    for lg, (b, a) in zip(_condor(), [(2.0, 2.2), (3.0, 3.4), (4.0, 4.4), (3.0, 3.2)], strict=True):
        market.set(_DAY, "SPX", _EXPIRY, lg.strike, lg.right, b, a)
    run = RunState(market=market, costs=CostModel(), shock=Shock(), ledger=Ledger(cash=1e6))
    spx = float(market.data.daily.loc[ts(_DAY), "spx_close"])
    run.start_day(spx, 15.0)
    run.ledger.open(_op("A", _condor(), contracts, [0.0] * 4), 0.0)
    mark_all(run, ts(_DAY))
    return run


def _shock_loss(run: RunState) -> float:
    demands = ShockDemands(run.shock)
    demands.add(run, 0.0)
    (loss,) = demands.losses()
    return loss


def test_shock_loss_of_the_marked_book_is_the_black76_repricing() -> None:
    run = _run_with_condor(2)
    loss = _shock_loss(run)
    # reference: every leg repriced by Black-76 at F x 0.9 and iv x 2, t unchanged, no
    # discounting; the loss is sum(qty x (mid - shocked)) x 100 (the fake quotes iv 0.2,
    # the forward at the close)
    op = run.ledger.positions["A"]
    qty = [lg.ratio * 2 for lg in op.position.legs]
    shocked = [
        black76_price_ref(f * 0.9, lg.strike, t, 0.0, 0.4, lg.right == "C")
        for lg, f, t in zip(op.position.legs, op.forward, op.t_years, strict=True)
    ]
    want = sum(q * (m - s) for q, m, s in zip(qty, op.mid, shocked, strict=True)) * 100.0
    assert loss == pytest.approx(max(want, 0.0), rel=1e-9)
    # the same once the positions changed after the marks (the per-position marks path)
    run.ledger.close("A", 1, 0.0)
    assert _shock_loss(run) == loss / 2
