"""Validation of raw market-data columns, with located errors.

Every check takes the raw values of one column together with the 1-based
line numbers they came from, and either returns clean values or raises
`vixshield.errors.DataError` naming the file, the line, the column and what
was expected, e.g. ``VIX_History.csv:17: column 'CLOSE' expected a positive
number, got 'abc'``. Checks that find suspicious-but-plausible values return
warning strings instead (each naming the file and line).

Bounds every reader applies:

* dates from `DATE_MIN` to `DATE_MAX` (1900-01-01 .. 2100-12-31), unless a
  format states a wider window (stooq's S&P 500 history starts in 1789);
* numbers finite, written plainly (no thousands separators) and inside the
  series' plausibility range `PLAUSIBLE`.

The frame validators at the bottom (`validate_series`, `validate_vx`,
`validate_chain`) check already-parsed frames, for providers that build
frames without going through `vixshield.data.formats`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vixshield._typing import BoolArray, FloatArray, IntArray
from vixshield.data.market import CHAIN_REQUIRED
from vixshield.errors import DataError

__all__ = [
    "DATE_MAX",
    "DATE_MIN",
    "MISSING_TOKENS",
    "PLAUSIBLE",
    "VX_X10_CUTOFF",
    "Plausible",
    "check_bid_ask",
    "check_high_low",
    "check_increasing",
    "check_plausible",
    "parse_dates",
    "parse_numbers",
    "plausible_for",
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

DATE_MIN = pd.Timestamp("1900-01-01")
"""Earliest date a market-data file may carry (no series VixShield reads starts
earlier, except stooq's S&P 500 history, read with a wider window)."""
DATE_MAX = pd.Timestamp("2100-12-31")
"""Latest date a market-data file may carry (far beyond any listed expiry)."""


@dataclass(frozen=True)
class Plausible:
    """The range a series' values can take; a value outside it is a bad file, not a market.

    Attributes
    ----------
    series : str
        What the range is for, as messages name it (``"VIX"``).
    low, high : float
        Bounds, in the series' unit.
    low_open, high_open : bool
        Whether the bound itself is excluded.
    unit : str
        Unit of the bounds, for messages and docs.
    """

    series: str
    low: float
    high: float
    low_open: bool = True
    high_open: bool = False
    unit: str = ""

    def contains(self, values: FloatArray) -> BoolArray:
        """Element-wise: is each value inside the range?"""
        above = values > self.low if self.low_open else values >= self.low
        below = values < self.high if self.high_open else values <= self.high
        return np.asarray(above & below, dtype=bool)

    def describe(self) -> str:
        """The range in interval notation with its unit, e.g. ``(0, 200] vol points``."""
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        unit = f" {self.unit}" if self.unit else ""
        return f"{left}{self.low:g}, {self.high:g}{right}{unit}"


PLAUSIBLE: dict[str, Plausible] = {
    # Cboe volatility indices: VIX peaked at 89.53 intraday (2008-10-24), VIX9D at 111.68
    # (2020-03); 200 vol points is more than twice any print.
    "vix": Plausible("VIX", 0.0, 200.0, unit="vol points"),
    "vix_open": Plausible("VIX", 0.0, 200.0, unit="vol points"),
    "vix9d": Plausible("VIX9D", 0.0, 200.0, unit="vol points"),
    "vix3m": Plausible("VIX3M", 0.0, 200.0, unit="vol points"),
    "vix6m": Plausible("VIX6M", 0.0, 200.0, unit="vol points"),
    # VVIX peaked at 212.22 (2015-08-24), SKEW ranges 100..190 (by construction near 100-150).
    "vvix": Plausible("VVIX", 0.0, 500.0, unit="vol points"),
    "skew": Plausible("SKEW", 0.0, 500.0, unit="index points"),
    # VX settles in VIX points (after the pre-2007 x10 rescaling).
    "vx": Plausible("VX settle", 0.0, 200.0, unit="vol points"),
    # Raw CFE prices: VXB points (ten times VIX) before 2007-03-26.
    "vx_raw": Plausible("VX price", 0.0, 2000.0, low_open=False, unit="VX or VXB points"),
    # S&P 500 and its option-strategy benchmarks: positive, below a million points.
    "spx_open": Plausible("S&P 500", 0.0, 1e6, high_open=True, unit="index points"),
    "spx_high": Plausible("S&P 500", 0.0, 1e6, high_open=True, unit="index points"),
    "spx_low": Plausible("S&P 500", 0.0, 1e6, high_open=True, unit="index points"),
    "spx_close": Plausible("S&P 500", 0.0, 1e6, high_open=True, unit="index points"),
    "spx_set": Plausible("S&P 500 SOQ", 0.0, 1e6, high_open=True, unit="index points"),
    "put": Plausible("PUT", 0.0, 1e6, high_open=True, unit="index points"),
    "bxm": Plausible("BXM", 0.0, 1e6, high_open=True, unit="index points"),
    "pput": Plausible("PPUT", 0.0, 1e6, high_open=True, unit="index points"),
    "cll": Plausible("CLL", 0.0, 1e6, high_open=True, unit="index points"),
    # Short rate as a decimal per year: the 3-month bill peaked at 17.1 % (1981); the lowest
    # policy rates anywhere are about -0.75 %.
    "rate": Plausible("short rate", -0.05, 0.5, low_open=False, unit="decimal per year"),
    # Price indices (CPI 1982-84 = 100, PPI 1982 = 100).
    "cpi": Plausible("CPI", 0.0, 1e5, high_open=True, unit="index points"),
    "core_cpi": Plausible("core CPI", 0.0, 1e5, high_open=True, unit="index points"),
    "ppi": Plausible("PPI", 0.0, 1e5, high_open=True, unit="index points"),
    # Option chains, any vendor: strike and quotes in index points (the highest SPX strike
    # listed is below 20,000, VIX's below 1,000), implied volatility as a decimal a year
    # (100 = 10,000 %, far above any quoted IV). They catch a misread file, not a market.
    "chain_strike": Plausible("option strike", 0.0, 1e6, high_open=True, unit="index points"),
    "chain_price": Plausible(
        "option price", 0.0, 1e6, low_open=False, high_open=True, unit="index points"
    ),
    "chain_iv": Plausible("implied volatility", 0.0, 100.0, low_open=False, unit="decimal"),
    # Event values (a release's print, a rate decision): any plain number of sane size.
    "events": Plausible("event value", -1e6, 1e6, low_open=False, high_open=False),
}
"""Series key -> the range its values must lie in (units in each entry).

Ranges are generous (several times the largest value ever printed): they catch
a corrupted or misread file (``1e308``, a price in the wrong unit), not a
market extreme. A series not listed gets `_ANY`: finite and below 1e12 in size."""

_ANY = Plausible("value", -1e12, 1e12, high_open=True, low_open=True)


def plausible_for(key: str) -> Plausible:
    """The plausibility range of series ``key`` (`PLAUSIBLE`, else finite below 1e12)."""
    return PLAUSIBLE.get(key, _ANY)


Cells = npt.NDArray[np.object_] | Any
"""Raw cells: an object array of str, or a pyarrow string array."""

_MISSING = pa.array(sorted(MISSING_TOKENS), type=pa.string())
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_NUMBER_RE = re.compile(_NUMBER)

ObjArray = npt.NDArray[np.object_]


def _where(lines: IntArray, i: int) -> int:
    return int(lines[i])


_CHUNK = 1 << 18
"""Rows converted at a time (bounds the temporaries of a long column)."""


def _arrow_input(raw: Cells) -> Any:
    """Raw cells as a pyarrow string array (chunked or not; arrow input is not copied)."""
    if isinstance(raw, (pa.Array, pa.ChunkedArray)):
        arr = raw
    else:
        arr = pa.array(np.asarray(raw, dtype=object).astype(str), type=pa.string())
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.string())
    return arr


def _arrow_text(arr: Any) -> Any:
    """A slice of cells, nulls as empty strings, surrounding white space removed."""
    if arr.null_count:
        arr = pc.fill_null(arr, "")
    return pc.utf8_trim_whitespace(arr)


def _np(values: Any) -> npt.NDArray[Any]:
    """A pyarrow array (chunked or not) as a numpy array."""
    return np.asarray(values.to_numpy(zero_copy_only=False))


def _first(mask: pa.Array | BoolArray) -> int:
    """Index of the first true value of a boolean mask (arrow or numpy)."""
    if isinstance(mask, (pa.Array, pa.ChunkedArray)):
        mask = mask.to_numpy(zero_copy_only=False)
    return int(np.argmax(mask))


def _cell(text: pa.Array, i: int) -> str:
    """Cell ``i`` as shown in a message (long cells cut)."""
    value = str(text[i].as_py())
    return value if len(value) <= 40 else f"{value[:40]}... ({len(value)} characters)"


def parse_numbers(
    raw: Cells,
    lines: IntArray,
    *,
    file: str,
    field: str,
    positive: bool = False,
    nonnegative: bool = False,
    allow_missing: bool = False,
    plausible: Plausible | None = None,
) -> FloatArray:
    """Convert raw strings to float64, raising on the first bad value.

    Parameters
    ----------
    raw : ndarray of str or pyarrow string array
        Raw cell texts (surrounding spaces are ignored).
    lines : ndarray of int
        1-based file line of each cell.
    file, field : str
        File name and column name for the error message.
    positive, nonnegative : bool
        Require ``> 0`` / ``>= 0`` for the present values.
    allow_missing : bool
        Whether `MISSING_TOKENS` become NaN (else they are errors).
    plausible : Plausible, optional
        The series' plausibility range (see `PLAUSIBLE`); a present value
        outside it is an error.

    Returns
    -------
    ndarray of float64

    Notes
    -----
    A number is written ``[+-]digits[.digits][e[+-]digits]``; a thousands
    separator (``1,234.5``), ``inf``, hex or any other spelling is refused, as
    is a value that overflows float64 (``1e400``).
    """
    raw = _arrow_input(raw)
    out = np.empty(len(raw), dtype=np.float64)
    for start in range(0, len(raw), _CHUNK):
        stop = min(start + _CHUNK, len(raw))
        out[start:stop] = _numbers(
            raw.slice(start, stop - start),
            lines[start:stop],
            file=file,
            field=field,
            positive=positive,
            nonnegative=nonnegative,
            allow_missing=allow_missing,
            plausible=plausible,
        )
    return out


def _numbers(
    raw: Any,
    lines: IntArray,
    *,
    file: str,
    field: str,
    positive: bool,
    nonnegative: bool,
    allow_missing: bool,
    plausible: Plausible | None,
) -> FloatArray:
    """`parse_numbers` on one slice of a column."""
    text = _arrow_text(raw)
    missing = _np(pc.is_in(text, value_set=_MISSING)).astype(bool)
    matches = pc.match_substring_regex(text, _NUMBER)
    well_formed = _np(matches).astype(bool)
    values = np.array(_np(pc.cast(pc.if_else(matches, text, "0"), pa.float64())), dtype=np.float64)
    values[~well_formed] = np.nan
    what = "a positive number" if positive else ("a number >= 0" if nonnegative else "a number")
    bad = ~np.isfinite(values) & ~(missing & allow_missing)
    if positive:
        bad |= np.isfinite(values) & (values <= 0)
    elif nonnegative:
        bad |= np.isfinite(values) & (values < 0)
    if bad.any():
        i = _first(bad)
        shown = _cell(text, i)
        if well_formed[i] and not np.isfinite(values[i]):
            what = "a finite number"
        elif "," in shown and _NUMBER_RE.fullmatch(shown.replace(",", "")):
            what = f"{what} without thousands separators"
        raise DataError(
            f"expected {what}, got {shown!r}", file=file, row=_where(lines, i), field=field
        )
    values[missing] = np.nan
    if plausible is not None:
        check_plausible(values, lines, file=file, field=field, plausible=plausible)
    return values


def check_plausible(
    values: FloatArray, lines: IntArray, *, file: str, field: str, plausible: Plausible
) -> None:
    """Raise on the first present (finite) value outside ``plausible``.

    For values rescaled after parsing (a rate in percent, pre-2007 VX prices)
    the check runs on the rescaled value, whose unit the range states.
    """
    outside = np.isfinite(values) & ~plausible.contains(values)
    if outside.any():
        i = _first(outside)
        raise DataError(
            f"expected a plausible {plausible.series} value in {plausible.describe()}, "
            f"got {values[i]:.6g}",
            file=file,
            row=_where(lines, i),
            field=field,
        )


_DATE_PATTERNS: dict[str, tuple[str, str]] = {
    # name -> (regex with named groups y, m[, d], as shown in messages)
    "mdy": (r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})$", "MM/DD/YYYY"),
    "iso": (r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ T][0-9:.+Z-]*)?$", "YYYY-MM-DD"),
    "ym": (r"^(?P<y>\d{4})-(?P<m>\d{1,2})$", "YYYY-MM"),
}


def _components(text: pa.Array, name: str) -> tuple[IntArray, IntArray, IntArray, BoolArray]:
    """(year, month, day, matched) of every cell read with date format ``name``."""
    pattern = _DATE_PATTERNS[name][0]
    parts = pc.extract_regex(text, pattern)
    matched = _np(pc.is_valid(parts)).astype(bool)
    names = {parts.type.field(k).name for k in range(parts.type.num_fields)}

    def field_of(key: str) -> IntArray:
        if key not in names:
            return np.ones(len(text), dtype=np.int64)
        number = pc.fill_null(pc.cast(pc.struct_field(parts, key), pa.int32()), 0)
        return _np(number).astype(np.int64)

    return field_of("y"), field_of("m"), field_of("d"), matched


def parse_dates(
    raw: Cells,
    lines: IntArray,
    *,
    file: str,
    field: str,
    formats: Sequence[str] = ("iso", "mdy"),
    earliest: pd.Timestamp = DATE_MIN,
    latest: pd.Timestamp = DATE_MAX,
) -> pd.DatetimeIndex:
    """Parse dates that may mix the given formats row by row.

    Parameters
    ----------
    raw : ndarray of str or pyarrow string array
        Raw cell texts.
    lines : ndarray of int
        1-based file line of each cell.
    formats : sequence of {"iso", "mdy", "ym"}
        Tried in order for each value; ISO values may carry a time part
        (``2026-08-21 16:15:05``), which is dropped. ``mdy`` takes ``M/D/YYYY``
        and ``MM/DD/YYYY``; ``ym`` is the first of the month.
    earliest, latest : Timestamp
        The accepted window (default `DATE_MIN` .. `DATE_MAX`); a date outside
        it is an error.

    Returns
    -------
    pandas.DatetimeIndex
        tz-naive, normalised to midnight.
    """
    raw = _arrow_input(raw)
    out = np.empty(len(raw), dtype="datetime64[D]")
    window = (np.datetime64(earliest.date(), "D"), np.datetime64(latest.date(), "D"))
    for start in range(0, len(raw), _CHUNK):
        stop = min(start + _CHUNK, len(raw))
        out[start:stop] = _dates(
            raw.slice(start, stop - start),
            lines[start:stop],
            file=file,
            field=field,
            formats=formats,
            window=window,
        )
    return pd.DatetimeIndex(out.astype("datetime64[ns]"))


def _dates(
    raw: Any,
    lines: IntArray,
    *,
    file: str,
    field: str,
    formats: Sequence[str],
    window: tuple[np.datetime64, np.datetime64],
) -> npt.NDArray[np.datetime64]:
    """`parse_dates` on one slice of a column (days)."""
    text = _arrow_text(raw)
    n = len(text)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    todo = np.ones(n, dtype=bool)
    for name in formats:
        if not todo.any():
            break
        y, m, d, matched = _components(text, name)
        ok = todo & matched & (m >= 1) & (m <= 12) & (d >= 1) & (d <= 31)
        month = (np.where(ok, y, 1970) - 1970) * 12 + np.where(ok, m, 1) - 1
        first = month.astype("datetime64[M]").astype("datetime64[D]")
        day = first + (np.where(ok, d, 1) - 1).astype("timedelta64[D]")
        ok &= day.astype("datetime64[M]") == first.astype("datetime64[M]")  # 2026-02-30
        out[ok] = day[ok]
        todo &= ~ok
    if todo.any():
        i = _first(todo)
        shown = " or ".join(_DATE_PATTERNS[f][1] for f in formats)
        raise DataError(
            f"expected a date ({shown}), got {_cell(text, i)!r}",
            file=file,
            row=_where(lines, i),
            field=field,
        )
    lo, hi = window
    outside = (out < lo) | (out > hi)
    if outside.any():
        i = _first(outside)
        raise DataError(
            f"expected a date from {lo} to {hi}, got {_cell(text, i)!r}",
            file=file,
            row=_where(lines, i),
            field=field,
        )
    return out


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
