"""Mark open positions at a close: one vectorised quote per underlying.

Values are per unit of the position (sum of ``ratio x mid``, index points),
so a short condor has a negative value (a liability) and a long hedge a
positive one. Greeks are per unit, not x100. ``spread`` is the summed quoted
width ``sum(|ratio| x (ask - bid))`` of the legs (points per unit): the cost of
crossing the whole market on every leg, from which exits derive their fill
(mid -/+ ``spread_share`` x width) and their round-trip cost. ``bid_value`` is
what selling the position outright at the bids would fetch: ``sum(ratio x bid)``
for long legs plus ``sum(ratio x ask)`` for short legs (points per unit).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from vixshield.markets.types import MarketView
from vixshield.strategy.types import Position

__all__ = ["PositionMark", "mark_positions"]


_NS_PER_DAY = 86_400_000_000_000  # nanoseconds per calendar day


def _day_number(ts: pd.Timestamp) -> int:
    """Calendar day number since the epoch (tz-naive, time of day dropped)."""
    value = ts.value if isinstance(ts, pd.Timestamp) else pd.Timestamp(ts).value
    return int(value // _NS_PER_DAY)


@dataclass(frozen=True)
class PositionMark:
    """Mark of one position per unit: value (points), greeks, calendar days to the first expiry.

    ``spread`` and ``bid_value`` in points per unit (see the module docstring);
    their defaults (0 and NaN) mean "not quoted".
    """

    value: float
    delta: float
    vega: float
    theta: float
    dte: int
    spread: float = 0.0
    bid_value: float = math.nan


def mark_positions(
    date: pd.Timestamp, market: MarketView, positions: Sequence[Position]
) -> dict[str, PositionMark]:
    """Marks of every position (one `MarketView.quote` call per underlying)."""
    out: dict[str, PositionMark] = {}
    if not positions:
        return out
    acc: dict[str, list[float]] = {p.id: [0.0] * 6 for p in positions}
    for und in ("SPX", "VIX"):
        rows = [(p.id, leg) for p in positions for leg in p.legs if leg.underlying == und]
        if not rows:
            continue
        qb = market.quote(
            date,
            und,
            [leg.expiry for _, leg in rows],
            np.array([leg.strike for _, leg in rows], dtype=np.float64),
            [leg.right for _, leg in rows],
        )
        cols = [qb.mid, qb.delta, qb.vega, qb.theta]
        width = (qb.ask - qb.bid).tolist()
        sell = np.where(np.array([leg.ratio for _, leg in rows]) > 0, qb.bid, qb.ask).tolist()
        vals = [c.tolist() for c in cols]
        for i, (pid, leg) in enumerate(rows):
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
        out[p.id] = PositionMark(a[0], a[1], a[2], a[3], int(dte), a[4], a[5])
    return out
