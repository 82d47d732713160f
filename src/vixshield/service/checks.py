"""Checks on positions entering the journal: refused with a located error.

A positions file (`vixshield.report.positions_file`) checks its syntax; these check that
the positions can exist and belong to the policy at a date:

- the hedge layer is one of the policy's (``hedge.layers[].name``);
- each expiry is an NYSE session (`vixshield.data.calendars`; Cboe follows the NYSE
  holidays) -- a Saturday, as OCC dated SPX monthlies before February 2015, is refused
  with the settlement day to give instead;
- no leg has expired at the date (an expired leg belongs to a statement, not a book);
- strikes on the Cboe grid: SPX/SPXW multiples of `SPX_STRIKE_STEP`, VIX of
  `VIX_STRIKE_STEP` (necessary conditions, index points);
- contracts at most `MAX_CONTRACTS`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import pandas as pd

from vixshield.data.calendars import is_trading_day
from vixshield.errors import DataError
from vixshield.strategy.types import Position

__all__ = ["MAX_CONTRACTS", "SPX_STRIKE_STEP", "VIX_STRIKE_STEP", "check_positions"]

SPX_STRIKE_STEP = 5.0
"""SPX and SPXW strikes are listed at 5-point intervals (Cboe SPX product specifications;
wider far from the money, so a multiple of 5 is necessary, not sufficient), index points."""
VIX_STRIKE_STEP = 0.5
"""VIX strikes are listed at 0.50-point intervals at the finest (Cboe VIX options product
specifications: 0.50 below 15, then 1.00 and 2.50), vol points."""
MAX_CONTRACTS = 10_000
"""Contracts per position above which an entry is taken as a typing error: 10,000 SPX
contracts is a notional of about 5 billion dollars at SPX 5000 (x100 per point)."""


def _on_grid(strike: float, step: float) -> bool:
    return math.isclose(strike / step, round(strike / step), abs_tol=1e-9)


def check_positions(
    positions: Sequence[Position],
    layers: Iterable[str],
    as_of: pd.Timestamp,
    file: str = "<positions>",
) -> None:
    """Raise a `DataError` (file, position, field) for the first position that cannot be.

    Parameters
    ----------
    positions : sequence of Position
    layers : iterable of str
        The policy's hedge layer names.
    as_of : Timestamp
        The day the positions are held at: no leg may have expired before it.
    file : str
        Named in the error.
    """
    known = sorted(set(layers))
    day = pd.Timestamp(as_of).normalize()
    for i, p in enumerate(positions):
        where = f"positions[{i}] ({p.id})"
        if p.kind == "hedge" and p.layer not in known:
            raise DataError(
                f"unknown hedge layer {p.layer!r}; the policy's layers: {', '.join(known)}",
                file=file,
                field=f"{where}.layer",
            )
        if p.contracts > MAX_CONTRACTS:
            raise DataError(
                f"{p.contracts} contracts is above the {MAX_CONTRACTS} a position may hold",
                file=file,
                field=f"{where}.contracts",
            )
        for j, leg in enumerate(p.legs):
            lw = f"{where}.legs[{j}]"
            expiry = pd.Timestamp(leg.expiry).normalize()
            if expiry.day_of_week >= 5:
                friday = expiry - pd.Timedelta(days=expiry.day_of_week - 4)
                raise DataError(
                    f"expiry {expiry:%Y-%m-%d} is a {expiry:%A}; give the last trading day "
                    f"(the settlement day, e.g. {friday:%Y-%m-%d})",
                    file=file,
                    field=f"{lw}.expiry",
                )
            if not is_trading_day(expiry):
                raise DataError(
                    f"expiry {expiry:%Y-%m-%d} is not an NYSE session (a holiday)",
                    file=file,
                    field=f"{lw}.expiry",
                )
            if expiry < day:
                raise DataError(
                    f"the leg expired on {expiry:%Y-%m-%d}, before {day:%Y-%m-%d}",
                    file=file,
                    field=f"{lw}.expiry",
                )
            step = VIX_STRIKE_STEP if leg.underlying == "VIX" else SPX_STRIKE_STEP
            if not _on_grid(leg.strike, step):
                raise DataError(
                    f"strike {leg.strike:g} is off the {leg.root} strike grid "
                    f"(multiples of {step:g})",
                    file=file,
                    field=f"{lw}.strike",
                )
