"""Validation of raw market-data columns, with located errors.

Every check takes the raw values of one column together with the 1-based
line numbers they came from, and either returns clean values or raises
`vixshield.errors.DataError` naming the file, the line, the column and what
was expected, e.g. ``VIX_History.csv:17: column 'CLOSE' expected a positive
number, got 'abc'``. Checks that find suspicious-but-plausible values return
warning strings instead (each naming the file and line).

The frame validators at the bottom (`validate_series`, `validate_vx`,
`validate_chain`) check already-parsed frames, for providers that build
frames without going through `vixshield.data.formats`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from vixshield._typing import BoolArray, FloatArray, IntArray
from vixshield.data.market import CHAIN_REQUIRED
from vixshield.errors import DataError

__all__ = [
    "MISSING_TOKENS",
    "VX_X10_CUTOFF",
    "check_bid_ask",
    "check_high_low",
    "check_increasing",
    "parse_dates",
    "parse_numbers",
    "strike_grid_warnings",
    "validate_chain",
    "validate_series",
    "validate_vx",
]

MISSING_TOKENS: frozenset[str] = frozenset({"", ".", "NA", "N/A", "NaN", "nan", "null", "None"})
"""Raw tokens read as a missing value where a column allows missing values."""

VX_X10_CUTOFF = pd.Timestamp("2007-03-26")
"""First trade date on which CFE quoted VX futures in VIX points; before it
prices were ten times larger (VXB points), e.g. ``212.4`` for 21.24."""

ObjArray = npt.NDArray[np.object_]


def _where(lines: IntArray, i: int) -> int:
    return int(lines[i])


def parse_numbers(
    raw: ObjArray,
    lines: IntArray,
    *,
    file: str,
    field: str,
    positive: bool = False,
    nonnegative: bool = False,
    allow_missing: bool = False,
) -> FloatArray:
    """Convert raw strings to float64, raising on the first bad value.

    Parameters
    ----------
    raw : ndarray of str
        Raw cell texts (already stripped).
    lines : ndarray of int
        1-based file line of each cell.
    file, field : str
        File name and column name for the error message.
    positive, nonnegative : bool
        Require ``> 0`` / ``>= 0`` for the present values.
    allow_missing : bool
        Whether `MISSING_TOKENS` become NaN (else they are errors).

    Returns
    -------
    ndarray of float64
    """
    text = pd.Series(raw, dtype=object).astype(str).str.strip()
    values = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan, copy=True
    )
    missing = text.isin(MISSING_TOKENS).to_numpy()
    what = "a positive number" if positive else ("a number >= 0" if nonnegative else "a number")
    bad = ~np.isfinite(values) & ~(missing & allow_missing)
    if positive:
        bad |= np.isfinite(values) & (values <= 0)
    elif nonnegative:
        bad |= np.isfinite(values) & (values < 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(
            f"expected {what}, got {str(raw[i])!r}", file=file, row=_where(lines, i), field=field
        )
    values[missing] = np.nan
    return values


_DATE_FORMATS: dict[str, str] = {
    "mdy": "%m/%d/%Y",  # accepts both M/D/YYYY and MM/DD/YYYY
    "iso": "%Y-%m-%d",
    "ym": "%Y-%m",
}


def parse_dates(
    raw: ObjArray,
    lines: IntArray,
    *,
    file: str,
    field: str,
    formats: Sequence[str] = ("iso", "mdy"),
) -> pd.DatetimeIndex:
    """Parse dates that may mix the given formats row by row.

    Parameters
    ----------
    formats : sequence of {"iso", "mdy", "ym"}
        Tried in order for each value; ISO values may carry a time part
        (``2026-08-21 16:15:05``), which is dropped.

    Returns
    -------
    pandas.DatetimeIndex
        tz-naive, normalised to midnight.
    """
    text = pd.Series(raw, dtype=object).astype(str).str.strip()
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    todo = np.ones(len(text), dtype=bool)
    for name in formats:
        if not todo.any():
            break
        fmt = _DATE_FORMATS[name]
        chunk = text[todo]
        if name == "iso":
            chunk = chunk.str.slice(0, 10)
        parsed = pd.to_datetime(chunk, format=fmt, errors="coerce")
        out[todo] = parsed.astype("datetime64[ns]")
        todo = out.isna().to_numpy()
    if todo.any():
        i = int(np.argmax(todo))
        shown = " or ".join(_DATE_FORMATS[f].replace("%", "") for f in formats)
        raise DataError(
            f"expected a date ({shown}), got {str(raw[i])!r}",
            file=file,
            row=_where(lines, i),
            field=field,
        )
    return pd.DatetimeIndex(out).normalize()


def check_increasing(
    dates: pd.DatetimeIndex,
    lines: IntArray,
    *,
    file: str,
    field: str,
    group: npt.NDArray[np.object_] | None = None,
) -> None:
    """Raise unless ``dates`` strictly increase (within each ``group``)."""
    values = dates.to_numpy(dtype="datetime64[ns]")
    if group is None:
        group = np.zeros(len(values), dtype=object)
    frame = pd.DataFrame({"g": group, "d": values, "i": np.arange(len(values))})
    for _, sub in frame.groupby("g", sort=False):
        d = sub["d"].to_numpy()
        step = d[1:] - d[:-1]
        bad = step <= np.timedelta64(0, "ns")
        if bad.any():
            k = int(np.argmax(bad)) + 1
            i = int(sub["i"].to_numpy()[k])
            kind = "a duplicate of" if step[k - 1] == np.timedelta64(0, "ns") else "before"
            prev = pd.Timestamp(d[k - 1]).date()
            raise DataError(
                f"dates must strictly increase: {pd.Timestamp(d[k]).date()} is {kind} the "
                f"previous row's {prev}",
                file=file,
                row=_where(lines, i),
                field=field,
            )


def check_high_low(
    high: FloatArray,
    low: FloatArray,
    lines: IntArray,
    *,
    file: str,
    field: str = "HIGH",
    strict: bool = True,
) -> list[str]:
    """Check ``high >= low`` where both are present.

    With ``strict`` a violation raises `DataError`; otherwise each violating
    line becomes a warning (for files whose high/low are not used).
    """
    bad = np.isfinite(high) & np.isfinite(low) & (high < low)
    if not bad.any():
        return []
    idx = np.flatnonzero(bad)
    if strict:
        i = int(idx[0])
        raise DataError(
            f"expected HIGH >= LOW, got HIGH={high[i]:g} < LOW={low[i]:g}",
            file=file,
            row=_where(lines, i),
            field=field,
        )
    return [
        f"{file}:{_where(lines, int(i))}: HIGH={high[i]:g} < LOW={low[i]:g} (kept; high/low unused)"
        for i in idx
    ]


def check_bid_ask(
    bid: FloatArray, ask: FloatArray, lines: IntArray, *, file: str, field: str = "bid"
) -> None:
    """Raise where a quote has ``bid > ask`` (both present)."""
    bad = np.isfinite(bid) & np.isfinite(ask) & (bid > ask)
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(
            f"expected bid <= ask, got bid={bid[i]:g} > ask={ask[i]:g}",
            file=file,
            row=_where(lines, i),
            field=field,
        )


def strike_grid_warnings(
    strike: FloatArray,
    underlying: ObjArray,
    lines: IntArray,
    *,
    file: str,
    limit: int = 5,
) -> list[str]:
    """Warnings for strikes off the listed grid.

    VIX options list strikes in multiples of 0.5 vol points; SPX options in
    multiples of 5 index points near the money (wider far away, still
    multiples of 5). Off-grid strikes are kept with a warning.
    """
    u = np.asarray(underlying, dtype=object)
    step = np.where(u == "VIX", 0.5, 5.0)
    off = np.abs(strike / step - np.round(strike / step)) > 1e-9
    idx = np.flatnonzero(off)
    out = [
        f"{file}:{_where(lines, int(i))}: strike {strike[i]:g} is not a multiple of "
        f"{step[i]:g} ({u[i]} grid); kept"
        for i in idx[:limit]
    ]
    if len(idx) > limit:
        out.append(f"{file}: {len(idx) - limit} more off-grid strikes")
    return out


# --- frame validators -------------------------------------------------------


def _frame_lines(n: int) -> IntArray:
    return np.arange(1, n + 1, dtype=np.int64)


def validate_series(frame: pd.DataFrame, *, name: str, positive: bool = True) -> None:
    """Validate a series frame (DatetimeIndex ``date``, float column ``value``).

    Raises `DataError` (``row`` = 1-based position in the frame) unless the
    dates strictly increase and the values are finite (and positive).
    """
    if list(frame.columns) != ["value"] or not isinstance(frame.index, pd.DatetimeIndex):
        raise DataError("expected a frame indexed by date with one column 'value'", file=name)
    lines = _frame_lines(len(frame))
    check_increasing(frame.index, lines, file=name, field="date")
    v = frame["value"].to_numpy(dtype=np.float64)
    bad: BoolArray = ~np.isfinite(v) | ((v <= 0) if positive else np.zeros(len(v), dtype=bool))
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(
            f"expected a {'positive ' if positive else ''}number, got {v[i]!r}",
            file=name,
            row=i + 1,
            field="value",
        )


def validate_vx(frame: pd.DataFrame, *, name: str = "vx") -> None:
    """Validate a VX frame (columns ``date``, ``expiry``, ``settle``).

    Dates strictly increase per expiry, settles are positive, and no
    settlement is dated after its contract's expiry.
    """
    missing = {"date", "expiry", "settle"} - set(frame.columns)
    if missing:
        raise DataError(
            f"expected columns date, expiry, settle; missing {sorted(missing)}", file=name
        )
    lines = _frame_lines(len(frame))
    check_increasing(
        pd.DatetimeIndex(frame["date"]),
        lines,
        file=name,
        field="date",
        group=frame["expiry"].to_numpy(dtype=object),
    )
    s = frame["settle"].to_numpy(dtype=np.float64)
    bad = ~np.isfinite(s) | (s <= 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(
            f"expected a positive settle, got {s[i]!r}", file=name, row=i + 1, field="settle"
        )
    late = (frame["date"] > frame["expiry"]).to_numpy()
    if late.any():
        i = int(np.argmax(late))
        raise DataError(
            "settlement dated after its contract's expiry", file=name, row=i + 1, field="date"
        )


def validate_chain(frame: pd.DataFrame, *, name: str = "chain") -> list[str]:
    """Validate a long chain frame; return strike-grid warnings.

    Checks strikes positive, rights in {C, P}, bid <= ask, quotes not before
    expiry... (``row`` = 1-based position in the frame).
    """
    need = CHAIN_REQUIRED
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise DataError(f"expected chain columns {list(need)}; missing {missing}", file=name)
    lines = _frame_lines(len(frame))
    strike = frame["strike"].to_numpy(dtype=np.float64)
    bad = ~np.isfinite(strike) | (strike <= 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(
            f"expected a positive strike, got {strike[i]!r}", file=name, row=i + 1, field="strike"
        )
    right = frame["right"].astype(str).to_numpy(dtype=object)
    bad = ~np.isin(right, np.array(["C", "P"], dtype=object))
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(
            f"expected right 'C' or 'P', got {right[i]!r}", file=name, row=i + 1, field="right"
        )
    check_bid_ask(
        frame["bid"].to_numpy(dtype=np.float64),
        frame["ask"].to_numpy(dtype=np.float64),
        lines,
        file=name,
    )
    late = (frame["quote_date"] > frame["expiry"]).to_numpy()
    if late.any():
        i = int(np.argmax(late))
        raise DataError(
            "quote dated after the option's expiry", file=name, row=i + 1, field="expiry"
        )
    return strike_grid_warnings(
        strike, frame["underlying"].astype(str).to_numpy(dtype=object), lines, file=name
    )
