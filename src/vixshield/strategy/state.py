"""The strategy's state between closes (immutable; each decision returns a new one).

The regime's hysteresis lives in the indicator frame (it is a causal function
of the data), so the state only keeps what depends on the orders the strategy
issued: the condor cycles and hedge premium of the credit-to-hedge budget cap,
monetised hedge positions, event pre-positioning flags and smoothed targets.

The credit-to-hedge budget cap
------------------------------
Seed rule: the net credit received from the iron condors must exceed the
premium paid for the ALVH hedge layers by at least ``ratio`` (3:1) over
multiple cycles. It is enforced as a *budget cap* that binds on every buy:

- a *cycle* is one condor entry; its credit is the net credit of the entry
  order, USD: ``(credit_fill x 100 - open_costs) x contracts`` (the modeled
  fill, mid -/+ ``costs.spread_share`` x quoted width per leg, less commission
  and fees; `vixshield.strategy.condor.analyse_condor`);
- the *window* holds the last ``window`` cycles (N, ``hedge.credit_to_hedge_window``)
  and runs from the entry date of the oldest of them (inclusive) to today;
  when cycle N+1 is entered the oldest ages out and the window starts at the
  entry date of the next one;
- *premium paid* is the hedge premium of the buys ordered on the window's
  days, USD: ``contracts x (fill x 100 + legs x (commission + fees))`` at the
  modeled fill ``mid + spread_share x (ask - bid)`` per leg bought (minus it
  per leg sold in a spread). It is recorded when the order is issued (the
  decision's estimate of the fill, which is the rule the execution layer
  fills at); sales never give premium back to the budget, and the marked
  value of the hedges is not a cost: a spike in their value leaves the cap as
  it is;
- the cap: ``premium paid over the window <= credit of its cycles / ratio``,
  at every close and for every window of N consecutive cycles, the days of the
  window of cycles ``i .. i+N-1`` being ``[entry of i, entry of i+N)``.

A premium paid today stays in the trailing window until the cycle entered
before it ages out, and in the meantime the window loses its older cycles'
credit. So a buy today must fit every window that will contain it: those that
start at any of the last N cycles (their later cycles, not entered yet, can
only add credit). The remaining cap is therefore the smallest slack over the
suffixes of the window::

    remaining = max(min over j of (credit(j..k) / ratio - paid since entry j), 0)

for j over the last N cycles, k the latest; ``credit(j..k)`` sums the credits
(a negative one counts as 0) of cycles j to k. It binds at j = k when the
latest cycle brought little credit: the spend since the latest entry never
exceeds that cycle's credit / ratio. With no cycle yet (or no credit) it is 0
and no hedge is bought. Every buy is sized to fit (whole contracts, rounded
down), so the premium over the days of any N consecutive cycles is at most
their credit / ratio.

Realised hedge P&L is reported beside the cap (audit inputs), never mixed in:
``hedge_proceeds`` are the modeled proceeds of the hedge sales ordered in the
window (``mid - spread_share x width`` per unit, less commission and fees),
``realised_net = proceeds - paid``. Cash settlements at expiry are made by the
execution layer and not seen here.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from operator import itemgetter

import pandas as pd

from vixshield.strategy.types import Position, RuleFired

__all__ = ["CreditBudget", "StrategyState", "credit_budget"]


def _day(date: pd.Timestamp | str) -> str:
    """ISO date of a date-like (time of day dropped)."""
    if type(date) is pd.Timestamp and date.tz is None:  # the backtest's days: kept by value
        return _naive_day(date.value)
    return str((date if type(date) is pd.Timestamp else pd.Timestamp(date)).date())


@lru_cache(maxsize=4096)
def _naive_day(value: int) -> str:
    """`_day` of the tz-naive timestamp of ``value`` nanoseconds (since 1970-01-01)."""
    return str(pd.Timestamp(value).date())


def _since(
    flows: tuple[tuple[str, float], ...], start: str | None
) -> tuple[tuple[str, float], ...]:
    """The flows dated on or after ``start`` (none when None), in order."""
    if start is None:
        return ()
    if not flows or min(map(_DATE, flows)) >= start:  # all kept: the tuple as it is
        return flows
    return tuple(f for f in flows if f[0] >= start)


_DATE = itemgetter(0)
_AMOUNT = itemgetter(1)


def _sums_since(flows: tuple[tuple[str, float], ...]) -> Callable[[str], float]:
    """``day -> sum(f for d, f in flows if d >= day)``, the same sum of the same terms.

    Flows recorded close by close are in date order: the terms dated on or after a
    day are then a suffix, found by bisection and summed in order (``sum`` of the
    same floats in the same order is the same float). Out-of-order flows are
    filtered one by one.
    """
    dates = list(map(_DATE, flows))
    if dates != sorted(dates):
        return lambda day: sum(f for d, f in flows if d >= day)
    amounts = list(map(_AMOUNT, flows))
    return lambda day: sum(amounts[bisect_left(dates, day) :])


@dataclass(frozen=True)
class StrategyState:
    """Opaque strategy state (pass ``Decision.state`` back to the next `decide`).

    Attributes
    ----------
    cycles : tuple of (date, credit)
        The last ``credit_to_hedge_window`` condor entries: ISO entry date and
        net credit in USD (see the module docstring), oldest first.
    hedge_paid : tuple of (date, premium)
        Hedge premium paid per day (USD, > 0, fill estimate plus costs) on the
        days of the current window (from the entry date of the oldest kept cycle).
    hedge_proceeds : tuple of (date, proceeds)
        Modeled proceeds of hedge sales per day (USD, net of costs), same days.
    pending : str or None
        ISO date of a cycle recorded at the previous close whose order has not
        been seen filled yet; the next `decide` drops the cycle if no condor
        opened that day is among its positions (the execution layer rejected it).
    monetised : frozenset of str
        Hedge position ids already partly sold by the monetise rule.
    prepositioned : frozenset of str
        Layer names currently scaled up ahead of an event.
    moved : tuple of (layer, date)
        Layers rolled into the next by the temporal theta rule, until an ISO date.
    targets : tuple of (layer, premium)
        Each layer's smoothed own target premium (USD) at the last close.
    """

    cycles: tuple[tuple[str, float], ...] = ()
    hedge_paid: tuple[tuple[str, float], ...] = ()
    hedge_proceeds: tuple[tuple[str, float], ...] = ()
    pending: str | None = None
    monetised: frozenset[str] = frozenset()
    prepositioned: frozenset[str] = frozenset()
    moved: tuple[tuple[str, str], ...] = ()
    targets: tuple[tuple[str, float], ...] = ()

    def _pruned(self, cycles: tuple[tuple[str, float], ...]) -> StrategyState:
        start = cycles[0][0] if cycles else None
        return replace(
            self,
            cycles=cycles,
            hedge_paid=_since(self.hedge_paid, start),
            hedge_proceeds=_since(self.hedge_proceeds, start),
        )

    def add_cycle(self, date: pd.Timestamp | str, credit: float, window: int) -> StrategyState:
        """A new state with a condor cycle entered at ``date`` (credit USD).

        Keeps the last ``window`` cycles and the hedge flows from the entry date
        of the oldest of them; the cycle is marked pending until the next close.
        """
        cycles = (*self.cycles, (_day(date), float(credit)))[-window:]
        return replace(self._pruned(cycles), pending=_day(date))

    def reconcile(self, date: pd.Timestamp, positions: Sequence[Position]) -> StrategyState:
        """Drop the pending cycle if its condor was not filled (see ``pending``).

        A condor opened at close ``d`` is among the positions at the next close
        (it cannot expire or be closed before). Called at the start of `decide`.
        """
        if self.pending is None or self.pending >= _day(date):
            return self
        filled = any(p.kind == "condor" and _day(p.opened) == self.pending for p in positions)
        if filled:
            return replace(self, pending=None)
        cycles = tuple(c for c in self.cycles if c[0] != self.pending)
        return replace(self, cycles=cycles, pending=None)

    def record(
        self,
        date: pd.Timestamp,
        paid: float,
        proceeds: float,
        monetised: frozenset[str],
        prepositioned: frozenset[str],
        moved: tuple[tuple[str, str], ...] = (),
        targets: tuple[tuple[str, float], ...] = (),
    ) -> StrategyState:
        """A new state with today's hedge premium paid and sale proceeds (USD).

        Flows before the first cycle are not kept (there is no window yet; the
        cap is 0 then, so nothing is paid).
        """
        day = _day(date)
        start = self.cycles[0][0] if self.cycles else None
        paid_flows = self.hedge_paid + (((day, paid),) if paid != 0.0 else ())
        proceeds_flows = self.hedge_proceeds + (((day, proceeds),) if proceeds != 0.0 else ())
        return StrategyState(  # every field named: one construction, no `replace`
            cycles=self.cycles,
            hedge_paid=_since(paid_flows, start),
            hedge_proceeds=_since(proceeds_flows, start),
            pending=self.pending,
            monetised=monetised,
            prepositioned=prepositioned,
            moved=moved,
            targets=targets,
        )


@dataclass(frozen=True)
class CreditBudget:
    """The credit-to-hedge budget cap at one close (USD; see the module docstring).

    Attributes
    ----------
    cycles : int
        Cycles in the window (at most ``window``).
    window_start : str
        ISO entry date of the oldest cycle in the window ("" with none).
    credit : float
        Net condor credit of the window's cycles.
    paid : float
        Hedge premium paid on the window's days so far.
    cap : float
        ``max(credit, 0) / ratio``.
    remaining : float
        The smallest slack over the window's suffixes (module docstring), >= 0:
        what the layers may spend today; <= ``max(cap - paid, 0)``.
    binding_start : str
        ISO entry date of the suffix that sets ``remaining`` ("" with none).
    proceeds : float
        Modeled hedge sale proceeds on the window's days (not part of the cap).
    """

    cycles: int
    window_start: str
    credit: float
    paid: float
    cap: float
    remaining: float
    proceeds: float
    binding_start: str = ""

    @property
    def ratio(self) -> float:
        """Credit over premium paid in the window (inf with nothing paid, NaN with no cycle)."""
        if self.cycles == 0:
            return math.nan
        return self.credit / self.paid if self.paid > 0 else math.inf


def credit_budget(
    state: StrategyState, window: int, ratio: float
) -> tuple[CreditBudget, RuleFired]:
    """The remaining hedge premium budget under the credit-to-hedge cap.

    Parameters
    ----------
    state : StrategyState
        With today's cycle already added (`StrategyState.add_cycle`) when a
        condor is entered today: the hedge of a cycle may be bought on its entry
        day, once its credit is known.
    window : int
        N, the cycles of the window (``hedge.credit_to_hedge_window``).
    ratio : float
        Minimum credit over premium paid (``hedge.credit_to_hedge_min``); 0
        turns the cap off (remaining = inf).

    Returns
    -------
    (CreditBudget, RuleFired)
        The budget and the audit record ``credit_to_hedge``, whose inputs carry
        the realised net hedge P&L of the window (proceeds - paid) beside the cap.

    Notes
    -----
    ``cap = credit / ratio`` over the last ``window`` cycles;
    ``remaining = max(min_j (credit(j..k) / ratio - paid since entry j), 0)``
    over the suffixes j of those cycles (see the module docstring).

    The last answer is kept with the very tuples it was computed from: a close
    whose state holds the same cycle and flow tuples (no entry, no hedge flow
    since) and the same window and ratio gets it back (immutable tuples of
    immutable values: the same objects hold the same numbers).
    """
    global _LAST_BUDGET  # a one-entry memo of the last call
    last = _LAST_BUDGET
    if (
        last is not None
        and last[0] is state.cycles
        and last[1] is state.hedge_paid
        and last[2] is state.hedge_proceeds
        and last[3] == (window, type(ratio), float(ratio).hex())
    ):
        return last[4]
    got = _credit_budget(state, window, ratio)
    _LAST_BUDGET = (
        state.cycles,
        state.hedge_paid,
        state.hedge_proceeds,
        (window, type(ratio), float(ratio).hex()),
        got,
    )
    return got


_Flows = tuple[tuple[str, float], ...]
_LAST_BUDGET: tuple[_Flows, _Flows, _Flows, object, tuple[CreditBudget, RuleFired]] | None = None
"""`credit_budget`'s last (cycles, paid, proceeds, (window, ratio), answer): one entry."""


def _credit_budget(
    state: StrategyState, window: int, ratio: float
) -> tuple[CreditBudget, RuleFired]:
    """`credit_budget` computed afresh."""
    cycles = state.cycles[-window:]
    start = cycles[0][0] if cycles else ""
    credit = sum(c for _, c in cycles)
    paid_since = _sums_since(state.hedge_paid)
    paid = paid_since(start) if cycles else 0
    proceeds = _sums_since(state.hedge_proceeds)(start) if cycles else 0
    credit_ok = credit if math.isfinite(credit) and credit > 0 else 0.0
    cap = math.inf if ratio <= 0 else credit_ok / ratio
    remaining, binding = math.inf, ""
    if ratio > 0:
        for j, (day_j, _) in enumerate(cycles):
            credit_j = sum(max(c, 0.0) for _, c in cycles[j:] if math.isfinite(c))
            slack = credit_j / ratio - paid_since(day_j)
            if slack < remaining:
                remaining, binding = slack, day_j
        remaining = max(remaining, 0.0) if cycles and credit_ok > 0 else 0.0
    budget = CreditBudget(len(cycles), start, credit, paid, cap, remaining, proceeds, binding)
    inputs: dict[str, float | str] = {
        "cycles": len(cycles),
        "window": window,
        "window_start": start or "none",
        "credit": credit,
        "hedge_premium_paid": paid,
        "minimum": ratio,
        "cap": cap if math.isfinite(cap) else "inf",
        "remaining": remaining if math.isfinite(remaining) else "inf",
        "binding_start": binding or "none",
        "hedge_proceeds": proceeds,
        "realised_net_hedge_pnl": proceeds - paid,
    }
    r = budget.ratio
    if not math.isnan(r):
        inputs["ratio"] = r if math.isfinite(r) else "inf"
    if not cycles:
        note = "cap 0: no condor cycle yet, no hedge buys"
    elif credit_ok <= 0:
        note = "cap 0: no condor credit in the window, no hedge buys"
    elif remaining <= 0:
        note = "cap reached: no hedge buys"
    else:
        return budget, RuleFired(
            "credit_to_hedge", inputs, "pass", f"cap: {remaining:.0f} USD left"
        )
    return budget, RuleFired("credit_to_hedge", inputs, "warn", note)
