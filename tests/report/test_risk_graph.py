"""Risk graph of the book on the engine's surface (vixshield.report.risk_graph).

References: hand payoffs of an iron condor; QuantLib's Black-76 (`BlackCalculator`) for
the VIX legs repriced in a VIX scenario; the backtest's own end-of-run marks (the T+0
total at today's SPX must be the marked book).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import QuantLib as ql
from hypothesis import given, settings
from hypothesis import strategies as st
from report_fakes import condor_legs, vix_call_leg

from vixshield.backtest import Backtest
from vixshield.backtest.shock import Shock
from vixshield.markets.view import Markets
from vixshield.report.risk_graph import (
    VIX_FLOOR,
    VIX_LEVELS,
    break_evens,
    condor_max_loss,
    risk_graph,
    vix_for_spx,
)
from vixshield.strategy.policy import load_policy
from vixshield.strategy.types import Position

AS_OF = pd.Timestamp("2018-02-01")  # SPX closed near 2822, VIX 13.5 (embedded sample)
EXPIRY = pd.Timestamp("2018-03-16")


def condor(contracts: int = 1, credit: float = 4.0) -> Position:
    """Long 2550P / short 2600P / short 2700C / long 2750C for a net credit (index points)."""
    return Position("IC", "condor", condor_legs(EXPIRY), contracts, AS_OF, -credit)


def hedge(contracts: int = 10) -> Position:
    return Position("H", "hedge:core", (vix_call_leg(20.0),), contracts, AS_OF, 1.2)


def test_condor_pnl_at_expiry_matches_hand_values(embedded_markets: Markets) -> None:
    # Hand computation, 1 contract, credit 4.00, x100 multiplier:
    #   between the short strikes (2600..2700): keep the credit, +400
    #   below 2550 / above 2750: lose the 50-point width less the credit, -(50-4)*100 = -4600
    #   break-evens: 2600 - 4 = 2596 and 2700 + 4 = 2704
    g = risk_graph([condor()], embedded_markets, AS_OF, width=0.2, points=801)
    pnl = g.pnl["expiry"]["condor"]
    at = lambda s: float(np.interp(s, g.spx, pnl))  # noqa: E731
    assert at(2650.0) == pytest.approx(400.0, abs=1e-6)
    assert at(2500.0) == pytest.approx(-4600.0, abs=1e-6)
    assert at(2800.0) == pytest.approx(-4600.0, abs=1e-6)
    assert g.break_evens["condor"] == pytest.approx((2596.0, 2704.0), abs=1e-6)
    assert g.expiry == EXPIRY and g.horizons["expiry"] == EXPIRY
    assert g.short_strikes == (2600.0, 2700.0) and g.long_strikes == (2550.0, 2750.0)
    assert condor_max_loss(condor()) == pytest.approx(-4600.0)
    assert condor_max_loss(condor(3, 2.5)) == pytest.approx(-(50.0 - 2.5) * 300.0)


def test_t0_at_spot_is_the_sum_of_the_marks(embedded_markets: Markets) -> None:
    # The marks: one quote per leg at the close, ratio x mid x contracts x 100.
    book = [condor(2), hedge()]
    g = risk_graph(book, embedded_markets, AS_OF)
    marks = 0.0
    for p in book:
        for leg in p.legs:
            q = embedded_markets.quote(
                AS_OF, leg.underlying, [leg.expiry], [leg.strike], [leg.right]
            )
            marks += leg.ratio * float(q.mid[0]) * p.contracts * 100.0
    i = int(np.flatnonzero(g.spx == g.spot)[0])
    assert g.marked_value == pytest.approx(marks, rel=1e-12)
    cost = (-4.0 * 2 + 1.2 * 10) * 100.0
    assert g.pnl["T+0"]["total"][i] == pytest.approx(marks - cost, abs=1e-6)


def test_t0_total_equals_the_backtests_marked_book_on_its_last_day(
    embedded_markets: Markets,
) -> None:
    # A real run: `positions_value` of its last day is the engine's own mark of the book.
    result = Backtest(
        load_policy("alvh-442"), embedded_markets, start="2018-01-02", end="2018-04-30"
    ).run()
    assert any(p.kind == "condor" for p in result.open_positions)
    g = risk_graph(list(result.open_positions), embedded_markets, result.end)
    book = float(result.daily["positions_value"].iloc[-1])
    cost = sum(p.entry_price * p.contracts * 100.0 for p in result.open_positions)
    i = int(np.flatnonzero(g.spx == g.spot)[0])
    assert g.as_of == result.end  # the run's last day, never an earlier condor
    assert g.spot == pytest.approx(float(result.daily["spx"].iloc[-1]))
    assert g.marked_value == pytest.approx(book, abs=0.01)
    assert g.pnl["T+0"]["total"][i] == pytest.approx(book - cost, abs=0.01)


def test_vix_scenarios_reprice_hedges_with_black76(embedded_markets: Markets) -> None:
    # VX forward F' = F (1 + vx_beta (X / VIX0 - 1)), quoted vol, T unchanged: QuantLib Black-76.
    leg = vix_call_leg(20.0)
    g = risk_graph([condor(), hedge(10)], embedded_markets, AS_OF)
    q = embedded_markets.quote(AS_OF, "VIX", [leg.expiry], [leg.strike], [leg.right])
    day = embedded_markets.inputs(AS_OF)
    f, iv, t = float(q.forward[0]), float(q.iv[0]), float(q.t_years[0])
    for s in g.scenarios:
        fwd = f * (1.0 + Shock().vx_beta * (s.vix / day.vix - 1.0))
        ref = ql.BlackCalculator(
            ql.PlainVanillaPayoff(ql.Option.Call, 20.0), fwd, iv * np.sqrt(t), np.exp(-day.rate * t)
        ).value()
        assert s.hedge_value == pytest.approx(ref * 10 * 100.0, rel=1e-9)
        assert s.hedge_pnl == pytest.approx(s.hedge_value - 1.2 * 10 * 100.0)
        assert s.condor_max_loss == pytest.approx(-4600.0)
    assert tuple(s.vix for s in g.scenarios) == VIX_LEVELS
    assert np.all(np.diff([s.hedge_value for s in g.scenarios]) > 0)


def test_vix_scenario_follows_the_documented_beta_and_floor() -> None:
    # -1 vol point per +1 % SPX: SPX 2000 -> 1960 (-2 %) lifts VIX 15 -> 17;
    # +10 % would give 5, below the floor.
    out = vix_for_spx(np.array([1960.0, 2000.0, 2200.0]), spot=2000.0, vix0=15.0)
    np.testing.assert_allclose(out, [17.0, 15.0, VIX_FLOOR])


def test_break_evens_interpolate_sign_changes() -> None:
    x = np.array([0.0, 1.0, 2.0, 3.0])
    assert break_evens(x, np.array([-1.0, 1.0, 1.0, -3.0])) == pytest.approx((0.5, 2.25))
    assert break_evens(x, np.array([1.0, 2.0, 3.0, 4.0])) == ()


@settings(max_examples=25, deadline=None)
@given(credit=st.floats(0.5, 20.0), contracts=st.integers(1, 20), days=st.integers(1, 30))
def test_condor_pnl_is_bounded_by_credit_and_width(
    embedded_markets: Markets, credit: float, contracts: int, days: int
) -> None:
    # At every horizon a 50-wide condor's P&L lies in [-(50 - credit), credit] x 100 x contracts.
    g = risk_graph([condor(contracts, credit)], embedded_markets, AS_OF, days=days)
    lo, hi = -(50.0 - credit) * 100.0 * contracts, credit * 100.0 * contracts
    for curves in g.pnl.values():
        assert np.all(curves["condor"] >= lo - 1e-6) and np.all(curves["condor"] <= hi + 1e-6)


def test_hedge_gains_as_spx_falls_and_groups_add_up(embedded_markets: Markets) -> None:
    g = risk_graph([condor(), hedge()], embedded_markets, AS_OF)
    assert set(g.horizons) == {"T+0", "T+7", "expiry"}
    for curves in g.pnl.values():
        assert np.all(np.diff(curves["hedges"]) <= 1e-9)  # VIX calls gain as SPX falls
        np.testing.assert_allclose(curves["hedges"], curves["hedge:core"])
        np.testing.assert_allclose(curves["total"], curves["condor"] + curves["hedges"])


def test_hedges_only_book_has_no_condor_lines(embedded_markets: Markets) -> None:
    g = risk_graph([hedge()], embedded_markets, AS_OF)
    assert not g.has_condor and "condor" not in g.pnl["T+0"]
    assert g.expiry == vix_call_leg().expiry
    assert all(s.condor_max_loss is None for s in g.scenarios)


def test_empty_positions_rejected(embedded_markets: Markets) -> None:
    with pytest.raises(ValueError, match="at least one position"):
        risk_graph([], embedded_markets, AS_OF)


def test_the_graph_reads_the_runs_stored_quotes_with_the_same_result() -> None:
    # Two runs over one Markets object: the second stores its leg quotes (LegQuoteMemo).
    # The graph of the book then reads that day's quotes back instead of quoting again,
    # and gives what a fresh market, quoting every leg, gives, to the bit.
    from vixshield.backtest.state import stored_quotes
    from vixshield.data import load_embedded

    def run(m: Markets) -> tuple[Position, ...]:
        r = Backtest(load_policy("alvh-442"), m, start="2018-01-02", end="2018-04-30").run()
        return r.open_positions

    memo = Markets(load_embedded())
    run(memo)
    book = run(memo)
    end = pd.Timestamp("2018-04-30")
    legs = [leg for p in book for leg in p.legs if leg.underlying == "SPX"]
    assert stored_quotes(memo, end, legs) is not None
    fresh = Markets(load_embedded())
    assert stored_quotes(fresh, end, legs) is None  # a look-up makes no table
    a, b = risk_graph(list(book), memo, end), risk_graph(list(book), fresh, end)
    assert a.origins == b.origins and a.marked_value == b.marked_value
    for h in a.pnl:
        for g in a.pnl[h]:
            assert a.pnl[h][g].tobytes() == b.pnl[h][g].tobytes()
    assert a.scenarios == b.scenarios
