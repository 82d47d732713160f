"""Cash settlement of expiring legs at the morning (AM) or closing (PM) settlement.

AM legs (SPX monthlies at the special opening quotation, VIX options at the SOQ)
expiring on or before the day settle in the morning, together with anything overdue
(a missed expiry); at the close everything expiring on or before the day settles. The
settlement value comes from ``market.settlement`` (the close, with a warning, when it
has none), and each settle row carries its origin: ``"modeled"`` where a proxy stood in
(a VIX settlement without the day's open, or the close fallback). Settlement pays
intrinsic value: no spread, no commission.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from vixshield._daynumber import NS_PER_DAY
from vixshield.backtest.state import RunState
from vixshield.markets.costs import CONTRACT_MULTIPLIER
from vixshield.strategy.types import Position

__all__ = ["settle"]


def settle(
    run: RunState, t: pd.Timestamp, session: Literal["AM", "PM"], spot: Mapping[str, float]
) -> None:
    """Settle the legs due at ``t``'s ``session``, booking cash and trade rows.

    Parameters
    ----------
    run : RunState
    t : Timestamp
        The day (midnight).
    session : {"AM", "PM"}
        Morning settlement (AM legs due, anything overdue) or close (everything due).
    spot : mapping
        Close by underlying, index points (fallback settlement value).
    """
    day = t.value // NS_PER_DAY  # whole days since 1970-01-01
    ledger = run.ledger
    if not ledger.positions or min(run.book().first_expiry_days) > day:
        return  # nothing due: the common case
    for pid in list(ledger.positions):
        op = ledger.positions[pid]
        first = op.first_expiry_day
        if first is None or first > day:  # nothing due: the common case
            continue
        exp = op.expiry_days
        legs = op.position.legs
        # AM: AM legs due today and anything overdue (a missed expiry); PM: everything due
        due = (op.am_settled & (exp <= day)) | (exp < day) if session == "AM" else exp <= day
        if not due.any():
            continue
        values = np.empty(len(legs))
        origins: list[str] = []
        for i, lg in enumerate(legs):
            if not due[i]:
                values[i] = np.nan
                continue
            v, origin = run.market.settlement(lg.underlying, lg.expiry, lg.root)
            if not np.isfinite(v):
                v, origin = spot[lg.underlying], "modeled"
                run.warn(f"no settlement value for {lg.root} {lg.expiry.date()}: used the close", t)
            values[i] = v
            origins.append(origin)
        w = np.where(op.is_call, 1.0, -1.0)
        intrinsic = np.where(due, np.maximum(w * (np.nan_to_num(values) - op.strikes), 0.0), 0.0)
        cash_flow = float(
            np.dot(op.ratios[due], intrinsic[due]) * op.position.contracts * CONTRACT_MULTIPLIER
        )
        sub = Position(
            op.position.id,
            op.position.kind,
            tuple(lg for lg, d in zip(legs, due, strict=True) if d),
            op.position.contracts,
            op.position.opened,
            op.position.entry_price,
            layer=op.position.layer,
        )
        run.trade_rows(
            t,
            sub,
            "settle",
            op.position.contracts,
            intrinsic[due],
            intrinsic[due],
            origins,
            0.0,
            0.0,
            "expiry settlement",
            -1.0,
        )
        op = ledger.settle_legs(pid, ~due, cash_flow)
        if pid not in ledger.positions:
            run.finish(op, t, "expired")
