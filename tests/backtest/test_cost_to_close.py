"""The strategy's cost to close equals the cash the backtest books when it closes.

Property (Hypothesis): for random positions (condors, VIX calls and call spreads, any
size, partial closes), random quotes on the closing day (zero bids included, so the
zero floor on sell fills binds) and random costs, the strategy's estimate of closing -
the condor's ``cost_to_close`` in `manage_condors`' audit, a hedge's `sale_proceeds`,
both from `mark_positions` - equals the change in the backtest's cash on the day a
scripted `DecideFn` closes the position (no interest: ``cash_yield`` off). The two
layers reach the number by their own public paths: marks and policy costs on one side,
the engine's quotes, fills and ledger on the other.
"""

from __future__ import annotations

import pandas as pd
import pytest
from bt_fakes import FakeMarket, Script, condor_legs, make_data, policy, ts
from hypothesis import given, settings
from hypothesis import strategies as st

from vixshield.backtest import Backtest
from vixshield.strategy.engine import manage_condors
from vixshield.strategy.hedge import sale_proceeds
from vixshield.strategy.marks import mark_positions
from vixshield.strategy.policy import CostsPolicy, ManagementPolicy
from vixshield.strategy.types import AccountState, Leg, Order, Position

DAYS = ["2016-01-04", "2016-01-05", "2016-01-06"]
SPX_EXPIRY = "2016-02-19"
VIX_EXPIRY = "2016-02-17"
HOLD = ManagementPolicy(take_profit=0.5, stop_multiple=2.0, exit_dte=0)


def _quote() -> st.SearchStrategy[tuple[float, float]]:
    """(bid, ask), index points: a zero bid one time in three."""
    bid = st.one_of(st.just(0.0), st.floats(0.0, 30.0))
    width = st.floats(0.0, 3.0)
    return st.tuples(bid, width).map(lambda bw: (bw[0], bw[0] + bw[1]))


@st.composite
def _case(draw: st.DrawFn) -> dict[str, object]:
    kind = draw(st.sampled_from(["condor", "call", "call_spread"]))
    if kind == "condor":
        legs = condor_legs(SPX_EXPIRY, 1850, 1900, 2100, 2150)
    else:
        e = ts(VIX_EXPIRY)
        legs = (Leg("VIX", "VIX", e, "AM", 20.0, "C", 1),)
        if kind == "call_spread":
            legs = (*legs, Leg("VIX", "VIX", e, "AM", 30.0, "C", -1))
    contracts = draw(st.integers(1, 20))
    closed = draw(st.integers(1, contracts)) if kind != "condor" else contracts
    return {
        "legs": legs,
        "contracts": contracts,
        "closed": closed,
        "open_quotes": [draw(_quote()) for _ in legs],
        "close_quotes": [draw(_quote()) for _ in legs],
        "costs": CostsPolicy(
            commission_per_contract=draw(st.floats(0.0, 2.0)),
            fees_per_contract=draw(st.floats(0.0, 1.0)),
            spread_share=draw(st.floats(0.0, 1.0)),
        ),
    }


def _market(case: dict[str, object]) -> FakeMarket:
    m = FakeMarket(make_data(DAYS, spx=2000.0, vix=18.0))
    legs: tuple[Leg, ...] = case["legs"]  # type: ignore[assignment]
    for day, quotes in ((DAYS[0], case["open_quotes"]), (DAYS[1], case["close_quotes"])):
        for leg, (bid, ask) in zip(legs, quotes, strict=True):  # type: ignore[call-overload]
            m.set(day, leg.underlying, str(leg.expiry.date()), leg.strike, leg.right, bid, ask)
    return m


def _estimate(
    m: FakeMarket, p: Position, contracts: int, costs: CostsPolicy, account: AccountState
) -> float:
    """The strategy's cash of closing ``contracts`` of ``p`` at the close, USD."""
    day = ts(DAYS[1])
    marks = mark_positions(day, m, [p])  # type: ignore[arg-type]
    model = costs.model()
    if p.kind == "condor":
        _, audit = manage_condors([p], marks, HOLD, model)
        return -float(audit[0].inputs["cost_to_close"]) * 100.0 * contracts
    return sale_proceeds(p, contracts, marks[p.id], model)


@settings(max_examples=100, deadline=None)
@given(case=_case())
def test_cost_to_close_is_the_cash_booked(case: dict[str, object]) -> None:
    m = _market(case)
    costs: CostsPolicy = case["costs"]  # type: ignore[assignment]
    legs: tuple[Leg, ...] = case["legs"]  # type: ignore[assignment]
    kind = "condor" if legs[0].underlying == "SPX" else "hedge"
    layer = None if kind == "condor" else "short"
    closed: int = case["closed"]  # type: ignore[assignment]
    estimates: list[float] = []

    def orders(d: pd.Timestamp, held: tuple[Position, ...], acct: AccountState) -> list[Order]:
        if d == ts(DAYS[0]):
            return [Order("open", kind, legs, case["contracts"], "open", layer=layer)]  # type: ignore[arg-type]
        if d == ts(DAYS[1]) and held:
            p = held[0]
            estimates.append(_estimate(m, p, closed, costs, acct))
            return [Order("close", p.kind, p.legs, closed, "close", p.id, p.layer)]
        return []

    spec = policy(
        capital=1e7,
        commission=costs.commission_per_contract,
        fees=costs.fees_per_contract,
        spread_share=costs.spread_share,
    )
    res = Backtest(spec, m, decide=Script(orders)).run()
    assert len(res.trades[res.trades["action"] == "open"]) == len(legs)  # the opening filled
    assert len(estimates) == 1
    cash = res.daily["cash"].to_numpy()
    # cash near 1e7 dollars: its float spacing is ~2e-9, so compare to a micro-dollar
    assert cash[1] - cash[0] == pytest.approx(estimates[0], rel=1e-12, abs=1e-6)
