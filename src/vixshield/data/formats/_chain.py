"""Shared assembly and validation of the long option-chain frame."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from vixshield._typing import FloatArray, IntArray
from vixshield.data.calendars import spx_monthly_expiry
from vixshield.data.market import CHAIN_FRAME_COLUMNS
from vixshield.data.validate import check_bid_ask, strike_grid_warnings
from vixshield.errors import DataError

__all__ = ["CHAIN_FRAME_COLUMNS", "DEFAULT_SETTLEMENT", "build_chain", "infer_spx_root"]

DEFAULT_SETTLEMENT: dict[str, str] = {"SPX": "AM", "SPXW": "PM", "VIX": "AM", "VIXW": "AM"}
"""Settlement style by root: SPX monthlies and all VIX options settle on the
special opening quotation (AM); SPXW weeklies/dailies at the close (PM)."""

ObjArray = npt.NDArray[np.object_]


def infer_spx_root(expiry: pd.DatetimeIndex) -> ObjArray:
    """``"SPX"`` for standard monthly expiries (3rd Friday rule), else ``"SPXW"``.

    Files that do not name the root (OptionsDX) hold both; on a standard
    expiry date the AM monthly is assumed.
    """
    months = {(d.year, d.month) for d in expiry}
    monthly = {spx_monthly_expiry(y, m) for y, m in months}
    return np.array(["SPX" if d in monthly else "SPXW" for d in expiry], dtype=object)


def build_chain(
    *,
    file: str,
    lines: IntArray,
    quote_date: pd.DatetimeIndex,
    underlying: ObjArray,
    root: ObjArray,
    expiry: pd.DatetimeIndex,
    settlement: ObjArray,
    strike: FloatArray,
    right: ObjArray,
    bid: FloatArray,
    ask: FloatArray,
    iv: FloatArray,
    bid_field: str = "bid",
    expiry_field: str = "expiry",
) -> tuple[pd.DataFrame, list[str]]:
    """Validate and assemble the chain frame; return it with warnings."""
    check_bid_ask(bid, ask, lines, file=file, field=bid_field)
    late = np.asarray(quote_date > expiry)
    if late.any():
        i = int(np.argmax(late))
        raise DataError(
            f"expiry {expiry[i].date()} is before the quote date {quote_date[i].date()}",
            file=file,
            row=int(lines[i]),
            field=expiry_field,
        )
    warnings = strike_grid_warnings(strike, underlying, lines, file=file)
    frame = pd.DataFrame(
        {
            "quote_date": quote_date.astype("datetime64[ns]"),
            "underlying": pd.array(underlying, dtype="string"),
            "root": pd.array(root, dtype="string"),
            "expiry": expiry.astype("datetime64[ns]"),
            "settlement": pd.array(settlement, dtype="string"),
            "strike": strike,
            "right": pd.array(right, dtype="string"),
            "bid": bid,
            "ask": ask,
            "iv": iv,
        }
    )
    key = ["quote_date", "underlying", "root", "expiry", "strike", "right"]
    dup = frame.duplicated(key, keep="first").to_numpy()
    if dup.any():
        i = int(np.argmax(dup))
        raise DataError(
            "duplicate quote for the same date, root, expiry, strike and right",
            file=file,
            row=int(lines[i]),
            field="strike",
        )
    frame = frame.sort_values(["quote_date", "expiry", "right", "strike"], kind="stable")
    return frame.reset_index(drop=True), warnings
