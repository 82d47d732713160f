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

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from vixshield._compiled import numba_loaded
from vixshield._daynumber import NS_PER_DAY, day_number
from vixshield._typing import FloatArray, Origin
from vixshield.markets.costs import CostModel
from vixshield.markets.types import MarketView, QuoteBlock
from vixshield.strategy.types import Leg, Position, PositionMark

__all__ = ["PositionMark", "close_cash", "mark_positions", "marks_from_legs", "quote_legs"]


def _naive(date: object) -> bool:
    """Whether ``date`` is a tz-naive `pandas.Timestamp` (its day number is `day_number`)."""
    return type(date) is pd.Timestamp and date.tz is None


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
    # `CostModel.cash` on the legs, leg by leg on Python floats (`CostModel.fill_one`), the
    # premium through the same `np.dot`; ``sum(|qty|)`` of whole contracts is exact in any order
    signed = [-leg.ratio * contracts for leg in position.legs]
    qty = np.array(signed, dtype=np.float64)
    fill = np.array(
        [costs.fill_one(m, b, a, sq) for (m, b, a), sq in zip(mark.legs, signed, strict=True)],
        dtype=np.float64,
    )
    n = float(sum(map(abs, signed)))
    return (
        costs.premium(fill, qty) - costs.commission_per_contract * n - costs.fees_per_contract * n
    )


_QUOTE_FIELDS = ("bid", "ask", "mid", "iv", "delta", "gamma", "vega", "theta", "forward", "t_years")


def quote_legs(date: pd.Timestamp, market: MarketView, legs: Sequence[Leg]) -> QuoteBlock:
    """Quotes of ``legs`` at ``date``'s close, row for row: one `MarketView.quote` per underlying.

    The rows of a quote do not depend on the rows quoted with them, so this equals
    quoting each leg on its own. ``row_origins`` is set where the legs' origins differ.
    """
    n = len(legs)
    cols = {f: np.full(n, np.nan) for f in _QUOTE_FIELDS}
    origins: list[Origin] = ["modeled"] * n
    for und in ("SPX", "VIX"):
        at = [i for i, leg in enumerate(legs) if leg.underlying == und]
        if not at:
            continue
        qb = market.quote(
            date,
            und,
            [legs[i].expiry for i in at],
            np.array([legs[i].strike for i in at], dtype=np.float64),
            [legs[i].right for i in at],
        )
        for f, col in cols.items():
            col[at] = getattr(qb, f)
        for i, o in zip(at, qb.origins(), strict=True):
            origins[i] = o
    origin: Origin = "real" if n and all(o == "real" for o in origins) else "modeled"
    rows = tuple(origins) if len(set(origins)) > 1 else None
    return QuoteBlock(**cols, origin=origin, row_origins=rows)


def mark_positions(
    date: pd.Timestamp, market: MarketView, positions: Sequence[Position]
) -> dict[str, PositionMark]:
    """Marks of every position (one `MarketView.quote` call per underlying)."""
    if not positions:
        return {}
    q = quote_legs(date, market, [leg for p in positions for leg in p.legs])
    return marks_from_legs(date, positions, q.mid, q.delta, q.vega, q.theta, q.bid, q.ask)


def marks_from_legs(
    date: pd.Timestamp,
    positions: Sequence[Position],
    mid: FloatArray,
    delta: FloatArray,
    vega: FloatArray,
    theta: FloatArray,
    bid: FloatArray,
    ask: FloatArray,
    *,
    first_expiry_days: Sequence[int] | None = None,
    ratios: FloatArray | None = None,
) -> dict[str, PositionMark]:
    """Marks of ``positions`` from the quotes of their legs, concatenated in position order.

    Each array has one entry per leg of ``positions`` (index points per unit; greeks per
    unit: delta per point, vega per vol point, theta per calendar day). The backtest hands
    the quotes it marked the book with, so the strategy does not quote the legs again,
    and the earliest expiry of each position as whole days since 1970-01-01
    (``first_expiry_days``, else found from the legs) and the legs' signed ratios
    (``ratios``, float64, else read from the legs). Each sum accumulates leg by leg from
    0.0, in leg order (`_position_sums`).
    """
    counts = [len(p.legs) for p in positions]
    n = sum(counts)
    if any(len(a) != n for a in (mid, delta, vega, theta, bid, ask)):
        raise ValueError(f"leg quotes of {n} legs expected")
    if first_expiry_days is None:
        first_expiry_days = [day_number(min([leg.expiry for leg in p.legs])) for p in positions]
    elif len(first_expiry_days) != len(positions):
        raise ValueError(f"first expiry days of {len(positions)} positions expected")
    if ratios is None:
        ratios = np.array([leg.ratio for p in positions for leg in p.legs], dtype=np.float64)
    elif len(ratios) != n:
        raise ValueError(f"ratios of {n} legs expected")
    m, d, v, th, b, a = (
        np.ascontiguousarray(x, dtype=np.float64) for x in (mid, delta, vega, theta, bid, ask)
    )
    r = np.ascontiguousarray(ratios, dtype=np.float64)
    if n <= SMALL_LEGS and not numba_loaded():  # the same sums bit for bit
        cols = (r.tolist(), m.tolist(), d.tolist(), v.tolist(), th.tolist(), b.tolist(), a.tolist())
        sums = _position_sums(*cols, counts).tolist()
    else:
        sums = _sums_kernel()(r, m, d, v, th, b, a, np.array(counts, dtype=np.int64)).tolist()
    quotes = list(zip(m.tolist(), b.tolist(), a.tolist(), strict=True))  # (mid, bid, ask)
    day = day_number(date) if _naive(date) else pd.Timestamp(date).normalize().value // NS_PER_DAY
    out: dict[str, PositionMark] = {}
    at = 0
    for p, count, first, (value, dlt, vga, tht, spread, bid_value) in zip(
        positions, counts, first_expiry_days, sums, strict=True
    ):
        end = at + count
        dte = int(first - day)  # the day number rises with time
        out[p.id] = PositionMark(
            value, dlt, vga, tht, dte, spread, bid_value, tuple(quotes[at:end])
        )
        at = end
    return out


_Column = FloatArray | Sequence[float]
"""A column of `_position_sums`: an array (compiled) or a list (plain Python)."""

SMALL_LEGS = 256
"""Legs up to which the sums run as plain Python (`_position_sums` on lists) while numba is
not loaded in the process (`vixshield._compiled`): about 0.4 us a leg, against 0.9 s to
load numba for the compiled kernel."""

_KERNEL: list[Callable[..., FloatArray]] = []
"""`_position_sums` compiled, once per process (numba is imported on the first marks)."""


def _sums_kernel() -> Callable[..., FloatArray]:
    """`_position_sums` compiled by numba (made on first use: importing numba takes time)."""
    if not _KERNEL:
        from numba import njit

        _KERNEL.append(njit(cache=True, fastmath=False, error_model="numpy")(_position_sums))
    return _KERNEL[0]


def _position_sums(
    ratio: _Column,
    mid: _Column,
    delta: _Column,
    vega: _Column,
    theta: _Column,
    bid: _Column,
    ask: _Column,
    lengths: np.ndarray | Sequence[int],
) -> FloatArray:
    """Per position (``lengths[p]`` consecutive legs): value, delta, vega, theta, spread and
    bid value, each summed leg by leg from 0.0 in leg order. The plain-Python reference of
    `_sums_kernel` (compiled without fast math, so without fused multiply-adds: the same
    sums bit for bit).

    ``value = sum(r m)``, ``delta``, ``vega``, ``theta`` alike, ``spread = sum(|r| (a - b))``,
    ``bid_value = sum(r b)`` over long legs plus ``sum(r a)`` over short legs.
    """
    out = np.zeros((len(lengths), 6))
    i = 0
    for p in range(len(lengths)):
        value = dlt = vga = tht = spread = bid_value = 0.0
        for _ in range(lengths[p]):
            r, b, a = ratio[i], bid[i], ask[i]
            value += r * mid[i]
            dlt += r * delta[i]
            vga += r * vega[i]
            tht += r * theta[i]
            if r > 0:
                spread += r * (a - b)
                bid_value += r * b
            else:
                spread += -r * (a - b)
                bid_value += r * a
            i += 1
        out[p, 0] = value
        out[p, 1] = dlt
        out[p, 2] = vga
        out[p, 3] = tht
        out[p, 4] = spread
        out[p, 5] = bid_value
    return out
