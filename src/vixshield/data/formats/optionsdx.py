"""OptionsDX end-of-day chains.

One row per quote time, expiry and strike holding both the call and the put;
delimiter ``", "``; bracketed header ``[QUOTE_UNIXTIME], [QUOTE_READTIME],
[QUOTE_DATE], ..., [C_IV], ..., [C_BID], [C_ASK], [STRIKE], [P_BID], [P_ASK],
..., [P_IV], [P_VOLUME]``. Empty cells are missing values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vixshield.data.formats._chain import DEFAULT_SETTLEMENT, build_chain, infer_spx_root
from vixshield.data.formats._parsed import Hints, Parsed
from vixshield.data.formats._table import display_name, read_table
from vixshield.data.validate import parse_dates, parse_numbers
from vixshield.errors import DataError

__all__ = ["KIND", "looks_like", "parse"]

KIND = "optionsdx"


def _norm(field: str) -> str:
    return field.strip().strip("[]").strip().upper()


def looks_like(lines: list[str]) -> bool:
    """A header starting ``[QUOTE_UNIXTIME]``."""
    return bool(lines) and lines[0].lstrip().upper().startswith("[QUOTE_UNIXTIME]")


def _underlying(file: str, hints: Hints) -> str:
    if hints.underlying:
        u = hints.underlying.upper()
    elif "vix" in file.lower():
        u = "VIX"
    else:
        u = "SPX"
    if u not in ("SPX", "VIX"):
        raise DataError(f"underlying must be SPX or VIX, got {u!r}", file=file)
    return u


def parse(text: str, *, source: str, hints: Hints) -> Parsed:
    """Parse into ``{"chain": frame}`` (two rows per file row: call and put)."""
    file = display_name(source)
    table = read_table(
        text,
        file=file,
        is_header=lambda f: bool(f) and f[0] == "QUOTE_UNIXTIME",
        normalise=_norm,
    )
    lines = table.lines
    qd = parse_dates(table.col("QUOTE_DATE"), lines, file=file, field="QUOTE_DATE")
    ex = parse_dates(table.col("EXPIRE_DATE"), lines, file=file, field="EXPIRE_DATE")
    strike = parse_numbers(table.col("STRIKE"), lines, file=file, field="STRIKE", positive=True)
    num = {
        c: parse_numbers(
            table.col(c), lines, file=file, field=c, nonnegative=True, allow_missing=True
        )
        for c in ("C_BID", "C_ASK", "P_BID", "P_ASK")
    }
    ivs = {
        c: parse_numbers(table.col(c), lines, file=file, field=c, allow_missing=True)
        if table.has(c)
        else np.full(len(lines), np.nan)
        for c in ("C_IV", "P_IV")
    }
    u = _underlying(file, hints)
    n = len(lines)
    root = infer_spx_root(ex) if u == "SPX" else np.array(["VIX"] * n, dtype=object)
    settlement = np.array([DEFAULT_SETTLEMENT[r] for r in root], dtype=object)
    frames = []
    warnings: list[str] = []
    for right in ("C", "P"):
        f, w = build_chain(
            file=file,
            lines=lines,
            quote_date=qd,
            underlying=np.array([u] * n, dtype=object),
            root=root,
            expiry=ex,
            settlement=settlement,
            strike=strike,
            right=np.array([right] * n, dtype=object),
            bid=num[f"{right}_BID"],
            ask=num[f"{right}_ASK"],
            iv=ivs[f"{right}_IV"],
            bid_field=f"{right}_BID",
            expiry_field="EXPIRE_DATE",
        )
        frames.append(f)
        warnings += w if right == "C" else []
    chain = pd.concat(frames, ignore_index=True)
    chain = chain.sort_values(["quote_date", "expiry", "right", "strike"], kind="stable")
    if u == "SPX":
        warnings.append(
            f"{file}: root inferred from the expiry date (3rd-Friday rule: SPX AM, else SPXW PM)"
        )
    return Parsed(KIND, {"chain": chain.reset_index(drop=True)}, tuple(warnings))
