"""Checks of open positions against the signal date, the policy and the listed market.

`vixshield.report.positions_file` parses a positions file on its own; what a file
cannot know by itself is checked here, with the same located errors (file, line,
position path and field):

- no position opened after the signal date, no leg already expired (an expiry on
  the signal date itself settles that day and is kept);
- every expiry a listed expiration of its underlying on the signal date (never a
  weekend, never a day the listing rules of `vixshield.markets.listing`, or the real
  chain, do not list). The root is not matched against the listing: its eras of
  SPX/SPXW roots are approximate, and the strike grid is the expiry's either way;
- every strike on the listed strike grid of its expiry (`MarketView.strikes`);
- every hedge position's layer one of the policy's layers.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from vixshield.errors import DataError

if TYPE_CHECKING:
    from vixshield.markets.types import MarketView
    from vixshield.strategy.types import Leg, Position

__all__ = ["PositionContext", "check_position"]

Fail = Callable[[str, str, int | None], DataError]
"""Builds the located error: (field path, message, 1-based line or None)."""

_STRIKE_TOL = 1e-6  # index points: a strike "on the grid" equals a listed one to this


@dataclass(frozen=True)
class PositionContext:
    """What positions are checked against.

    Attributes
    ----------
    as_of : pandas.Timestamp
        The signal date (the close the decision is taken at).
    layers : collection of str, optional
        The policy's hedge layer names; None skips the layer check.
    market : MarketView, optional
        Listed expiries and strikes; None skips the listing checks.
    """

    as_of: pd.Timestamp
    layers: Collection[str] | None = None
    market: MarketView | None = None


def _sub(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def check_position(
    pos: Position,
    ctx: PositionContext,
    fail: Fail,
    head: tuple[str, int | None],
    legs: Sequence[tuple[str, int | None]],
) -> None:
    """Raise the located `DataError` for the first thing ``pos`` gets wrong in ``ctx``.

    Parameters
    ----------
    pos : Position
        As parsed.
    ctx : PositionContext
        Signal date, policy layers and market.
    fail : callable
        ``fail(path, message, row)`` builds the located error.
    head : (str, int or None)
        The position's path (``positions[1]``, ``""`` in CSV) and line.
    legs : sequence of (str, int or None)
        Each leg's path and line, in the order of ``pos.legs``.
    """
    path, row = head
    day = pd.Timestamp(ctx.as_of).normalize()
    if pos.opened > day:
        raise fail(
            _sub(path, "opened"),
            f"opened {pos.opened:%Y-%m-%d} is after the signal date {day:%Y-%m-%d}",
            row,
        )
    if pos.kind == "hedge" and ctx.layers is not None and pos.layer not in ctx.layers:
        known = ", ".join(ctx.layers) or "none"
        raise fail(
            _sub(path, "kind"),
            f"unknown hedge layer {pos.layer!r}; the policy's layers: {known}",
            row,
        )
    for leg, (leg_path, leg_row) in zip(pos.legs, legs, strict=True):
        expiry = leg.expiry.normalize()
        if expiry < day:
            raise fail(
                _sub(leg_path, "expiry"),
                f"expired {expiry:%Y-%m-%d}, before the signal date {day:%Y-%m-%d}",
                leg_row,
            )
        if expiry.weekday() >= 5:
            raise fail(
                _sub(leg_path, "expiry"),
                f"{expiry:%Y-%m-%d} is a {expiry:%A}: no option expires on a weekend",
                leg_row,
            )
        if ctx.market is not None:
            _check_listed(ctx.market, day, leg, fail, leg_path, leg_row)


def _check_listed(
    market: MarketView,
    day: pd.Timestamp,
    leg: Leg,
    fail: Fail,
    path: str,
    row: int | None,
) -> None:
    listed = market.expiries(day, leg.underlying)
    if not any(e.date.normalize() == leg.expiry.normalize() for e in listed):
        raise fail(
            _sub(path, "expiry"),
            f"{leg.expiry:%Y-%m-%d} is not a listed {leg.underlying} option expiration on "
            f"{day:%Y-%m-%d}",
            row,
        )
    grid = np.asarray(market.strikes(day, leg.underlying, leg.expiry), dtype=float)
    if len(grid) == 0:
        return
    if np.min(np.abs(grid - leg.strike)) <= _STRIKE_TOL:
        return
    if grid[0] <= leg.strike <= grid[-1] or len(grid) < 2:
        i = int(np.searchsorted(grid, leg.strike))
        near = ", ".join(f"{k:g}" for k in grid[max(i - 1, 0) : i + 1])
        raise fail(
            _sub(path, "strike"),
            f"{leg.strike:g} is not a listed strike of {leg.root} {leg.expiry:%Y-%m-%d} "
            f"(nearest listed: {near})",
            row,
        )
    # beyond the listed range: it must still sit on the edge's strike increment
    step = grid[1] - grid[0] if leg.strike < grid[0] else grid[-1] - grid[-2]
    edge = grid[0] if leg.strike < grid[0] else grid[-1]
    off = abs((leg.strike - edge) / step - round((leg.strike - edge) / step)) * step
    if step > 0 and off > _STRIKE_TOL:
        raise fail(
            _sub(path, "strike"),
            f"{leg.strike:g} is off the {step:g}-point strike grid of {leg.root} "
            f"{leg.expiry:%Y-%m-%d}",
            row,
        )
