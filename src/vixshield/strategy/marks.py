"""Mark open positions at a close: one vectorised quote per underlying.

Values are per unit of the position (sum of ``ratio x mid``, index points),
so a short condor has a negative value (a liability) and a long hedge a
positive one. Greeks are per unit, not x100. ``spread`` is the summed quoted
width ``sum(|ratio| x (ask - bid))`` of the legs (points per unit): the cost of
crossing the whole market on every leg, from which exits derive their fill
(mid -/+ ``spread_share`` x width) and their round-trip cost. ``bid_value`` is
what selling the position outright at the bids would fetch: ``sum(ratio x bid)``
for long legs plus ``sum(ratio x ask)`` for short legs (points per unit).
``legs`` keeps each leg's (mid, bid, ask) so that a close is priced by the one
cost model (`close_cash`), exactly as the execution layer books it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from vixshield.markets.costs import CostModel
from vixshield.markets.types import MarketView
from vixshield.strategy.types import Position

__all__ = ["PositionMark", "close_cash", "mark_positions"]


_NS_PER_DAY = 86_400_000_000_000  # nanoseconds per calendar day


def _day_number(ts: pd.Timestamp) -> int:
    """Calendar day number since the epoch (tz-naive, time of day dropped)."""
    value = ts.value if isinstance(ts, pd.Timestamp) else pd.Timestamp(ts).value
    return int(value // _NS_PER_DAY)


@dataclass(frozen=True)
class PositionMark:
    """Mark of one position per unit: value (points), greeks, calendar days to the first expiry.

    ``spread`` and ``bid_value`` in points per unit (see the module docstring);
    their defaults (0 and NaN) mean "not quoted". ``legs`` holds each leg's
    ``(mid, bid, ask)`` in index points, in the position's leg order (empty: not
    kept: the mark cannot price a close, `close_cash` raises).
    """

    value: float
    delta: float
    vega: float
    theta: float
    dte: int
    spread: float = 0.0
    bid_value: float = math.nan
    legs: tuple[tuple[float, float, float], ...] = ()


def close_cash(position: Position, mark: PositionMark, costs: CostModel, contracts: int) -> float:
    """The strategy's estimate of the cash of closing ``contracts`` of ``position``, USD.

    Positive: cash received (selling a long hedge); negative: cash paid (buying back
    a short condor), so the cost to close is ``-close_cash``. The close trades
    ``-ratio x contracts`` of every leg at the mark's quotes through
    `vixshield.markets.costs.CostModel.cash` (fills at mid -/+ ``spread_share`` x
    width, sells floored at 0, commission and fees per contract per leg): the rule
    the execution layer books the close at.
    """
    if len(mark.legs) != len(position.legs):
        raise ValueError(
            f"mark of {position.id} has {len(mark.legs)} leg quotes for {len(position.legs)} legs"
        )
    qty = np.array([-leg.ratio * contracts for leg in position.legs], dtype=np.float64)
    q = np.array(mark.legs, dtype=np.float64).reshape(-1, 3)
    return costs.cash(q[:, 0], q[:, 1], q[:, 2], qty)


def mark_positions(
    date: pd.Timestamp, market: MarketView, positions: Sequence[Position]
) -> dict[str, PositionMark]:
    """Marks of every position (one `MarketView.quote` call per underlying)."""
    out: dict[str, PositionMark] = {}
    if not positions:
        return out
    acc: dict[str, list[float]] = {p.id: [0.0] * 6 for p in positions}
    legq: dict[tuple[str, int], tuple[float, float, float]] = {}
    for und in ("SPX", "VIX"):
        rows = [
            (p.id, j, leg)
            for p in positions
            for j, leg in enumerate(p.legs)
            if leg.underlying == und
        ]
        if not rows:
            continue
        qb = market.quote(
            date,
            und,
            [leg.expiry for _, _, leg in rows],
            np.array([leg.strike for _, _, leg in rows], dtype=np.float64),
            [leg.right for _, _, leg in rows],
        )
        cols = [qb.mid, qb.delta, qb.vega, qb.theta]
        width = (qb.ask - qb.bid).tolist()
        sell = np.where(np.array([leg.ratio for _, _, leg in rows]) > 0, qb.bid, qb.ask).tolist()
        vals = [c.tolist() for c in cols]
        bids, asks = qb.bid.tolist(), qb.ask.tolist()
        for i, (pid, j_leg, leg) in enumerate(rows):
            legq[(pid, j_leg)] = (vals[0][i], bids[i], asks[i])
            a = acc[pid]
            r = leg.ratio
            for j in range(4):
                a[j] += r * vals[j][i]
            a[4] += abs(r) * width[i]
            a[5] += r * sell[i]
    day = pd.Timestamp(date).normalize().value // _NS_PER_DAY
    for p in positions:
        a = acc[p.id]
        dte = min(_day_number(leg.expiry) for leg in p.legs) - day
        legs = tuple(legq[(p.id, j)] for j in range(len(p.legs)))
        out[p.id] = PositionMark(a[0], a[1], a[2], a[3], int(dte), a[4], a[5], legs)
    return out
