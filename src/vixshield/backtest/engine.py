"""The daily backtest loop: decide at each close, fill, mark, settle, accrue.

Spec, run and result are separate: `Backtest` holds what to run (never mutated),
`Backtest.run` returns a `BacktestResult`. The work is split by job: `loop` (the daily
loop), `settlement`, `marking`, `orders` (execution), `portfolio` (the ledger), `state`
(run state and the day's quote cache) and `frame` (result tables).

The days simulated are the trading days of ``market.data.daily`` between ``start`` and
``end`` that have an SPX close (others are skipped with a warning). Order of events on
each such day ``t`` (all at data known at ``t``):

1. Interest: idle cash of the previous close (cash minus margin, when positive)
   earns the previous close's 3-month T-bill rate (``daily["rate"]``) over the
   calendar days since then, ACT/360 (the T-bill money-market convention), when
   ``policy.account.cash_yield``. Negative idle cash is not charged.
2. Morning settlement: legs with AM settlement (SPX monthlies at the special
   opening quotation, VIX options at the SOQ) expiring on or before ``t`` settle in
   cash at ``market.settlement`` (value and origin); no spread, no commission.
3. Marks: every open leg is marked at ``t``'s close mid via ``market.quote`` (one
   batched call per underlying; the day's closes reuse these quotes)
   (a leg with no quote keeps its previous mark, with a warning).
4. Close settlement: PM legs (SPXW) expiring on or before ``t`` settle at the close.
5. Margin check: a margin call is recorded when equity is below the Reg-T
   requirement; on such a day the strategy's opening orders are blocked and,
   after its closing orders, condors are closed (largest requirement first) at
   the modeled fill until the requirement is within equity.
6. Decision: ``decide(t, market, positions, account, policy, state, indicators)``;
   its orders fill at ``t``'s close at the modeled price plus commissions and fees
   per contract per leg (`vixshield.markets.costs.CostModel`, which the strategy's
   estimates use too). An opening order is rejected with a warning when its
   requirement would exceed equity less the current requirement,
   or when its debit (with costs) exceeds idle cash (Reg-T: long options are paid in
   full). A closing order for ``contracts <= 0`` or more than held closes it all.
7. The day's row: equity = cash + marked value of positions, P&L by component;
   the components are checked to sum to the change in equity (an AssertionError
   otherwise: a bug, never a user error).

Hedge cost, as the strategy's credit-to-hedge rule counts it, is the premium the hedges
consumed: minus the hedge layers' P&L (spread paid and decay; negative when they
gained). Each day's is attributed to the condor cycles live that day, pro rata to their
credit, or carried to the next condor opened when none is live.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from vixshield.backtest.loop import run_backtest
from vixshield.backtest.result import BacktestResult
from vixshield.backtest.shock import Shock
from vixshield.backtest.spec import PolicyLike
from vixshield.markets.types import MarketView
from vixshield.strategy.types import DecideFn

__all__ = ["Backtest", "DecideFn", "PolicyLike"]


@dataclass(frozen=True, eq=False)
class Backtest:
    """A backtest specification.

    Parameters
    ----------
    policy : Policy
        Strategy policy (`vixshield.strategy.load_policy`).
    market : MarketView
        Markets layer over the data (`vixshield.markets.Markets`).
    start, end : date-like, optional
        First and last day simulated. Default start: the first day with a VIX close (the
        strategy needs VIX; before it the markets layer only has a realised-vol stand-in);
        default end: the last day with both an SPX and a VIX close. Days without an SPX
        close, and from the first VIX close on days without a VIX close, are not
        simulated (counted in the warnings): the run never decides on a VIX stand-in
        inside the VIX history (`vixshield.backtest.loop.day_closes`).
    capital : float, optional
        Starting equity in dollars (default ``policy.account.capital``).
    decide : DecideFn, optional
        Decision function (default `vixshield.strategy.decide`); tests pass scripted ones.
        The engine hands each close's ``Decision.state`` back to it at the next close.
    indicators : DataFrame, optional
        Precomputed indicators (default ``compute_indicators(market.data, policy, start)`` when
        ``decide`` is the default one, else None).
    shock : Shock
        Scenario for the liquidity (quick) ratio.
    """

    policy: PolicyLike
    market: MarketView
    start: pd.Timestamp | str | None = None
    end: pd.Timestamp | str | None = None
    capital: float | None = None
    decide: DecideFn[Any] | None = None
    indicators: pd.DataFrame | None = None
    shock: Shock = field(default_factory=Shock)

    def run(self, progress: Callable[[int, int], None] | None = None) -> BacktestResult:
        """Simulate every trading day in the data between ``start`` and ``end``.

        Parameters
        ----------
        progress : callable, optional
            Called as ``progress(done, total)`` after each day.

        Returns
        -------
        BacktestResult

        Notes
        -----
        The objects alive when the run starts (the market's tables, calibrations and
        curves, the indicators) are kept out of the garbage collector's scans for the
        run (`gc.freeze`, undone at the end): the loop creates many small objects, and
        each full collection would otherwise walk the whole market again. Nothing is
        kept alive longer than the run; results do not depend on it.
        """
        gc.freeze()
        try:
            return run_backtest(
                self.policy,
                self.market,
                start=self.start,
                end=self.end,
                capital=self.capital,
                decide=self.decide,
                indicators=self.indicators,
                shock=self.shock,
                progress=progress,
            )
        finally:
            gc.unfreeze()
