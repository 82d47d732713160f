"""The strategy's state between closes (immutable; each decision returns a new one).

The regime's hysteresis lives in the indicator frame (it is a causal function
of the data), so the state only keeps what depends on the orders the strategy
issued: the credit-to-hedge history, monetised hedge positions and event
pre-positioning flags.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import pandas as pd

from vixshield.strategy.types import RuleFired

__all__ = ["StrategyState", "credit_to_hedge"]


@dataclass(frozen=True)
class StrategyState:
    """Opaque strategy state (pass ``Decision.state`` back to the next `decide`).

    Attributes
    ----------
    cycles : tuple of (date, credit, hedge_value)
        The most recent condor entries: ISO date, net credit in USD (modeled
        fill x 100 x contracts minus opening costs) and the marked value of the
        hedges held at that close before its orders (USD).
    hedge_flows : tuple of (date, premium)
        Hedge premium paid (positive) or received (negative), USD, at the
        modeled fill, since the oldest kept cycle.
    monetised : frozenset of str
        Hedge position ids already partly sold by the monetise rule.
    prepositioned : frozenset of str
        Layer names currently scaled up ahead of an event.
    moved : tuple of (layer, date)
        Layers rolled into the next by the temporal theta rule, until an ISO date.
    targets : tuple of (layer, premium)
        Each layer's smoothed own target premium (USD) at the last close.
    shrink : float
        The smoothed credit-to-hedge shrink factor at the last close (NaN: none yet).
    skipped : int
        Consecutive due condor entries skipped by the credit-to-hedge rule (action
        "skip"). After ``window`` skips one entry is let through: with no new cycle the
        ratio could never recover, and the rule would stop the condors for good.
    """

    cycles: tuple[tuple[str, float, float], ...] = ()
    hedge_flows: tuple[tuple[str, float], ...] = ()
    monetised: frozenset[str] = frozenset()
    prepositioned: frozenset[str] = frozenset()
    moved: tuple[tuple[str, str], ...] = ()
    targets: tuple[tuple[str, float], ...] = ()
    shrink: float = math.nan
    skipped: int = 0

    def record(
        self,
        date: pd.Timestamp,
        window: int,
        condor_credit: float | None,
        hedge_value: float,
        hedge_premium: float,
        monetised: frozenset[str],
        prepositioned: frozenset[str],
        moved: tuple[tuple[str, str], ...] = (),
        targets: tuple[tuple[str, float], ...] = (),
        shrink: float = math.nan,
    ) -> StrategyState:
        """A new state with today's credit and hedge flow, pruned to ``window`` cycles."""
        day = str(pd.Timestamp(date).date())
        new = ((day, condor_credit, hedge_value),) if condor_credit is not None else ()
        cycles = (self.cycles + new)[-window:]
        flows = self.hedge_flows + (((day, hedge_premium),) if hedge_premium != 0.0 else ())
        if cycles:
            flows = tuple(f for f in flows if f[0] >= cycles[0][0])
        return replace(
            self,
            cycles=cycles,
            hedge_flows=flows,
            monetised=monetised,
            prepositioned=prepositioned,
            moved=moved,
            targets=targets,
            shrink=shrink,
        )


def credit_to_hedge(
    state: StrategyState, window: int, minimum: float, action: str, hedge_value: float
) -> tuple[float, float, RuleFired]:
    """The credit-to-hedge ratio over the last ``window`` condor cycles.

    Ratio = net condor credit of the kept cycles / hedge cost since the oldest
    of them, where the hedge cost is what the hedges consumed: net premium paid
    since then plus the hedges' marked value then minus ``hedge_value`` now
    (USD; so buying a hedge that keeps its value costs nothing, its decay
    does). inf when that cost is <= 0; NaN with no cycle yet.
    Returns (ratio, shrink factor for hedge targets, the rule record). The
    shrink factor is ``min(1, ratio / minimum)`` under action "shrink", else 1.
    """
    credit = sum(c for _, c, _ in state.cycles)
    start_value = state.cycles[0][2] if state.cycles else 0.0
    cost = sum(f for _, f in state.hedge_flows) + start_value - hedge_value
    inputs: dict[str, float | str] = {
        "cycles": len(state.cycles),
        "window": window,
        "credit": credit,
        "hedge_cost": cost,
        "minimum": minimum,
        "action": action,
    }
    if not state.cycles:
        return math.nan, 1.0, RuleFired("credit_to_hedge", inputs, "pass: no cycle yet")
    if math.isnan(cost) or math.isnan(credit):
        return math.nan, 1.0, RuleFired("credit_to_hedge", inputs, "pass: no valid marks")
    ratio = math.inf if cost <= 0 else credit / cost
    inputs["ratio"] = ratio if math.isfinite(ratio) else "inf"
    if ratio >= minimum:
        return ratio, 1.0, RuleFired("credit_to_hedge", inputs, "pass")
    shrink = max(ratio, 0.0) / minimum if action == "shrink" else 1.0
    outcome = {
        "shrink": f"shrink hedges x{shrink:.3f}",
        "skip": "fail: skip new condors",
        "warn": "warn",
    }[action]
    return ratio, shrink, RuleFired("credit_to_hedge", inputs, outcome)
