"""The ledger's kept Reg-T total over moving spots, against the margin worked afresh.

`Ledger.margin` keeps its total while every spot stays where each position's margin does
not move (all legs out of the money, no uncovered call); these tests move the spots
inside and outside those levels, in any order, and compare with Reg-T worked by brute
force over the expiry payoff (Cboe, *Margin Manual*, 2000: the widest wing of a defined-
risk spread; 20% of spot per uncovered index call) and, bit for bit, with `reg_t_margin`
of each position summed in opening order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from bt_fakes import ts
from hypothesis import given, settings
from hypothesis import strategies as st

from vixshield.backtest.portfolio import Ledger, OpenPosition, reg_t_margin
from vixshield.strategy.types import Leg, Position

_DAY = "2020-03-02"
_EXPIRY = "2020-03-20"


def _leg(und: str, strike: float, right: str, ratio: int) -> Leg:
    return Leg(und, und, ts(_EXPIRY), "AM", strike, right, ratio)  # type: ignore[arg-type]


def _op(pid: str, legs: Sequence[Leg], contracts: int) -> OpenPosition:
    kind, layer = ("hedge", "tail") if legs[0].underlying == "VIX" else ("condor", None)
    pos = Position(pid, kind, tuple(legs), contracts, ts(_DAY), 0.0, layer=layer)  # type: ignore[arg-type]
    n = len(legs)
    return OpenPosition(pos, np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n))


_CONDOR = [
    _leg("SPX", 2900.0, "P", 1),
    _leg("SPX", 2950.0, "P", -1),
    _leg("SPX", 3150.0, "C", -1),
    _leg("SPX", 3175.0, "C", 1),
]  # widest wing 50 points: 5,000 USD a contract while 2950 <= SPX <= 3150
_NAKED = [_leg("SPX", 3200.0, "C", -1)]  # 20% of spot a contract: moves with every spot
_VIX_CALLS = [_leg("VIX", 20.0, "C", 2)]  # long calls: no margin at any level


def _brute_force(legs: Sequence[Leg], contracts: int, spot: float) -> float:
    """Worst expiry payoff over 0, the strikes and the spot, plus 20% of spot per uncovered call."""

    def payoff(s: float) -> float:
        return sum(
            lg.ratio * max((s - lg.strike) if lg.right == "C" else (lg.strike - s), 0.0)
            for lg in legs
        )

    worst = min(payoff(s) for s in [0.0, max(spot, 0.0), *[lg.strike for lg in legs]])
    net_calls = sum(lg.ratio for lg in legs if lg.right == "C")
    return (max(-worst, 0.0) + max(-net_calls, 0) * 0.20 * max(spot, 0.0)) * 100.0 * contracts


def test_a_condor_keeps_its_margin_inside_its_short_strikes_only() -> None:
    led = Ledger(cash=0.0)
    led.open(_op("A", _CONDOR, 2), 0.0)
    assert led.margin({"SPX": 3000.0}) == 10_000.0  # 50 x 100 x 2
    assert led.margin({"SPX": 3100.0}) == 10_000.0  # still out of the money
    # 25 points in the money at 3175: the put wing (50) stays the worst loss
    assert led.margin({"SPX": 3175.0}) == 10_000.0
    led.open(_op("B", _NAKED, 1), 0.0)
    # the naked call: 20% x 3000 = 600 points, 60,000 USD, on top of the condor's
    assert led.margin({"SPX": 3000.0}) == 70_000.0
    assert led.margin({"SPX": 3100.0}) == 72_000.0  # 20% x 3100 x 100
    assert led.margin({"SPX": 3000.0}) == 70_000.0


@settings(max_examples=60, deadline=None)
@given(
    spx=st.lists(st.floats(-10.0, 4000.0), min_size=1, max_size=8),
    vix=st.lists(st.floats(0.0, 80.0), min_size=1, max_size=8),
    naked=st.booleans(),
    contracts=st.integers(1, 4),
)
def test_kept_total_is_the_margin_worked_afresh_at_every_spot(
    spx: list[float], vix: list[float], naked: bool, contracts: int
) -> None:
    books = [("A", _CONDOR, contracts), ("V", _VIX_CALLS, 3)]
    if naked:
        books.append(("N", _NAKED, 1))
    books.append(("C", _CONDOR[:2], contracts + 1))  # a put spread: 50 points
    led = Ledger(cash=0.0)
    for pid, legs, n in books:
        led.open(_op(pid, legs, n), 0.0)
    days = [*zip(spx, vix, strict=False), *zip(spx[::-1], vix, strict=False)]  # any order
    for s, v in days:
        spot = {"SPX": s, "VIX": v}
        got = led.margin(spot)
        fresh = 0.0
        for _, legs, n in books:  # in opening order, as the ledger adds
            fresh += reg_t_margin(legs, n, spot[legs[0].underlying])
        assert got == fresh
        want = sum(_brute_force(legs, n, spot[legs[0].underlying]) for _, legs, n in books)
        assert got == pytest.approx(want, rel=1e-12, abs=1e-6)


_BOOKS = [_CONDOR, _NAKED, _VIX_CALLS, _CONDOR[:2], _CONDOR[2:]]

_ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("open"), st.integers(0, len(_BOOKS) - 1), st.integers(1, 3)),
        st.tuples(st.just("close"), st.integers(0, 9), st.integers(1, 3)),
        st.tuples(st.just("settle"), st.integers(0, 9), st.integers(0, 3)),
        st.tuples(st.just("spot"), st.floats(2800.0, 3300.0), st.floats(10.0, 40.0)),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=80, deadline=None)
@given(actions=_ACTIONS)
def test_kept_total_follows_opens_closes_and_settlements(
    actions: list[tuple[str, float, float]],
) -> None:
    led = Ledger(cash=0.0)
    spot = {"SPX": 3000.0, "VIX": 15.0}
    made = 0
    for kind, a, b in actions:
        held = list(led.positions)
        if kind == "open":
            made += 1
            led.open(_op(f"P{made}", _BOOKS[int(a)], int(b)), 0.0)
        elif kind == "close" and held:
            led.close(held[int(a) % len(held)], int(b), 0.0)
        elif kind == "settle" and held:
            op = led.positions[held[int(a) % len(held)]]
            keep = np.ones(len(op.position.legs), dtype=bool)
            keep[int(b) % len(keep)] = False  # one leg settles
            led.settle_legs(op.position.id, keep, 0.0)
        elif kind == "spot":
            spot = {"SPX": float(a), "VIX": float(b)}
        fresh = 0.0  # the positions in opening order, each worked afresh
        for p in led.positions.values():
            legs = p.position.legs
            fresh += reg_t_margin(legs, p.position.contracts, spot[legs[0].underlying])
        assert led.margin(spot) == fresh
