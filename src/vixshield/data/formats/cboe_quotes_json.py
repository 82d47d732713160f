"""Cboe delayed-quotes JSON for index options.

``{"timestamp": "...", "data": {"symbol": "_SPX", "current_price": ...,
"options": [{"option": "SPXW260828P06790000", "bid": ..., "ask": ...,
"iv": ..., ...}]}}``. The option symbol is the root (SPX, SPXW, VIX,
VIXW), the expiry ``YYMMDD``, ``C`` or ``P`` and the strike times 1000 in
eight digits. Errors name the option's index (``options[i]``) as the field
since JSON has no meaningful line numbers.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np
import pandas as pd

from vixshield.data.formats._chain import DEFAULT_SETTLEMENT, build_chain
from vixshield.data.formats._parsed import Hints, Parsed
from vixshield.data.formats._table import display_name
from vixshield.errors import DataError

__all__ = ["KIND", "OPTION_SYMBOL", "looks_like", "parse", "parse_option_symbol"]

KIND = "cboe_quotes_json"

OPTION_SYMBOL = re.compile(r"^(SPXW|SPX|VIXW|VIX)(\d{6})([CP])(\d{8})$")
"""Root, expiry YYMMDD, right, strike x 1000 (8 digits)."""


def looks_like(lines: list[str]) -> bool:
    """JSON text mentioning ``"options"`` or ``"data"``."""
    head = "\n".join(lines).lstrip()
    return head.startswith("{") and ('"data"' in head or '"options"' in head)


def parse_option_symbol(symbol: str) -> tuple[str, pd.Timestamp, str, float]:
    """Split ``SPXW260828P06790000`` into (``"SPXW"``, 2026-08-28, ``"P"``, 6790.0).

    Raises
    ------
    ValueError
        If the symbol does not follow the pattern.
    """
    m = OPTION_SYMBOL.match(symbol.strip())
    if not m:
        raise ValueError(f"not an index option symbol: {symbol!r}")
    root, ymd, right, strike = m.groups()
    expiry = pd.Timestamp(f"20{ymd[:2]}-{ymd[2:4]}-{ymd[4:]}")
    return root, expiry, right, int(strike) / 1000.0


def _num(value: Any, *, file: str, field: str, allow_missing: bool = True) -> float:
    if value is None or value == "":
        if allow_missing:
            return math.nan
        raise DataError("expected a number, got nothing", file=file, field=field)
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise DataError(f"expected a number, got {value!r}", file=file, field=field) from None
    if not math.isfinite(out) or out < 0:
        raise DataError(f"expected a number >= 0, got {value!r}", file=file, field=field)
    return out


def parse(text: str, *, source: str, hints: Hints) -> Parsed:
    """Parse into ``{"chain": frame}``; the quote date is the timestamp's date."""
    file = display_name(source)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"invalid JSON ({exc.msg})", file=file, row=exc.lineno) from None
    data = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("options"), list):
        raise DataError(
            "expected an object with data.options (a list)", file=file, field="data.options"
        )
    stamp = doc.get("timestamp")
    try:
        quote_date = pd.Timestamp(str(stamp)).normalize()
        if quote_date.tzinfo is not None:
            quote_date = quote_date.tz_localize(None)
    except ValueError:
        raise DataError(
            f"expected a timestamp, got {stamp!r}", file=file, field="timestamp"
        ) from None
    under = str(data.get("symbol", "")).lstrip("_^").upper()
    options = data["options"]
    rows: list[tuple[str, pd.Timestamp, str, float, float, float, float]] = []
    for i, opt in enumerate(options):
        where = f"options[{i}]"
        sym = str(opt.get("option", "")) if isinstance(opt, dict) else ""
        try:
            root, expiry, right, strike = parse_option_symbol(sym)
        except ValueError:
            raise DataError(
                f"expected an option symbol like SPXW260828P06790000, got {sym!r}",
                file=file,
                field=f"{where}.option",
            ) from None
        rows.append(
            (
                root,
                expiry,
                right,
                strike,
                _num(opt.get("bid"), file=file, field=f"{where}.bid"),
                _num(opt.get("ask"), file=file, field=f"{where}.ask"),
                _num(opt.get("iv"), file=file, field=f"{where}.iv"),
            )
        )
    n = len(rows)
    roots = np.array([r[0] for r in rows], dtype=object)
    underlying = np.array(["VIX" if r.startswith("VIX") else "SPX" for r in roots], dtype=object)
    if under and n and under not in ("SPX", "VIX"):
        raise DataError(
            f"expected an SPX or VIX chain, got symbol {under!r}", file=file, field="data.symbol"
        )
    iv = np.array([r[6] for r in rows], dtype=np.float64)
    iv[iv == 0] = np.nan  # Cboe reports 0 where it has no implied volatility
    frame, warnings = build_chain(
        file=file,
        lines=np.arange(1, n + 1, dtype=np.int64),
        quote_date=pd.DatetimeIndex([quote_date] * n),
        underlying=underlying,
        root=roots,
        expiry=pd.DatetimeIndex([r[1] for r in rows]),
        settlement=np.array([DEFAULT_SETTLEMENT[r] for r in roots], dtype=object),
        strike=np.array([r[3] for r in rows], dtype=np.float64),
        right=np.array([r[2] for r in rows], dtype=object),
        bid=np.array([r[4] for r in rows], dtype=np.float64),
        ask=np.array([r[5] for r in rows], dtype=np.float64),
        iv=iv,
    )
    return Parsed(KIND, {"chain": frame}, tuple(warnings))
