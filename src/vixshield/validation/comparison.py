"""Monthly returns of a replica against its real Cboe index, and the whole validation run.

`compare` lines a replica's months (`vixshield.validation.indices.replicate`)
up with the real index's values on the same roll dates; `validate_index` runs
one index from its roll dates to its comparison; `validate` runs several and
gathers what the reports need.

Metrics (monthly returns ``real`` and ``replica`` over the same roll periods)
----------------------------------------------------------------------------
* correlation: Pearson correlation of the two.
* mean gap: ``12 mean(real - replica)``, percent per year (positive: the real
  index earned more than the replica).
* tracking error: ``sqrt(12) std(real - replica)`` (ddof 1), percent per year.
* worst month: the period with the largest ``|real - replica|``, percent (signed).
* annualised returns: ``prod(1 + r) ** (12 / n) - 1``, percent per year.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from vixshield.markets.types import MarketView
from vixshield.validation.indices import dividend_source, monthly_rolls, replicate
from vixshield.validation.specs import CLL_PUT_MONTHS, SPECS, IndexName, IndexSpec, Month

__all__ = [
    "APPROXIMATIONS",
    "DEFAULT_START",
    "MONTHLY_COLUMNS",
    "IndexComparison",
    "ValidationResult",
    "compare",
    "validate",
    "validate_index",
]

MONTHS_PER_YEAR = 12
DEFAULT_START = pd.Timestamp("2007-01-01")
"""First roll date `validate` compares by default: PUT is daily from 2007-01-03, and the
modeled chains need the VIX family and a short rate, both known from then on."""

MONTHLY_COLUMNS: tuple[str, ...] = ("start", "end", "real", "replica", "gap", "stale", "notes")
"""Columns of `IndexComparison.monthly`: roll dates, returns (decimal), real minus
replica, whether a roll date's index value was taken from an earlier date, notes."""

APPROXIMATIONS: tuple[str, ...] = (
    "new options are struck against the roll day's SPX close and traded at the close mid of "
    "the chain (Cboe: strikes against the index before 11:00 ET, trades at the 11:30-12:00 ET "
    "VWAP), a known source of month-to-month noise",
    "expiring options settle at MarketView.settlement (on modeled data the SPX open of the "
    "expiry day stands in for the SOQ)",
    "dividends accrue smoothly at the dividend yield (Cboe: actual ex-date dividends), not "
    "reinvested within the month",
    "PUT's T-bills earn the roll day's 3-month rate simply (ACT/360) for the month "
    "(Cboe: one- and three-month T-bills)",
)
"""What the replicas approximate (shown with every result)."""


@dataclass(frozen=True)
class IndexComparison:
    """A replica against its real index, month by month.

    Attributes
    ----------
    spec : IndexSpec
        Which index, its comparison start and its target.
    months : int
        Periods compared.
    first, last : Timestamp or None
        First and last roll date compared (None where no period is).
    correlation : float
        Of monthly returns (NaN with fewer than three months).
    mean_gap : float
        Annualised mean return gap, real minus replica, percent per year.
    tracking_error : float
        Annualised standard deviation of the monthly gap, percent per year.
    worst_gap : float
        The monthly gap of largest magnitude, percent (signed; NaN where no month).
    worst_month : Timestamp or None
        Start of that period.
    real_return, replica_return : float
        Annualised (geometric) returns over the compared periods, percent per year.
    stale : tuple of Timestamp
        Roll dates missing from the index series, valued at the last value before.
    notes : tuple of str
        Quirks and events (the comparison start, cross-rolls, stale dates).
    quotes : str
        Origin of the option quotes of the compared months (``"modeled"``,
        ``"real"``, ``"modeled/real"``; ``"none"`` where no month is compared).
    monthly : DataFrame
        One row per period, columns `MONTHLY_COLUMNS`.
    """

    spec: IndexSpec
    months: int
    first: pd.Timestamp | None
    last: pd.Timestamp | None
    correlation: float
    mean_gap: float
    tracking_error: float
    worst_gap: float
    worst_month: pd.Timestamp | None
    real_return: float
    replica_return: float
    stale: tuple[pd.Timestamp, ...]
    notes: tuple[str, ...]
    quotes: str
    monthly: pd.DataFrame

    @property
    def meets_correlation(self) -> bool:
        """Correlation at or above the target."""
        return bool(self.correlation >= self.spec.target.min_correlation)

    @property
    def meets_gap(self) -> bool:
        """|mean gap| at or below the target."""
        return bool(abs(self.mean_gap) <= self.spec.target.max_abs_gap)

    @property
    def meets_target(self) -> bool:
        """Both targets met."""
        return self.meets_correlation and self.meets_gap


@dataclass(frozen=True)
class ValidationResult:
    """Every index compared, with the conventions used.

    Attributes
    ----------
    indices : tuple of IndexComparison
    dividends : str
        Where the S&P 500 dividends of the replicas come from.
    quotes : str
        Origin of the option quotes used (``"modeled"``, ``"real"`` or a mix).
    settlement : str
        How many compared expiries settle at a value equal to the previous SPX
        close (a stale open in an SPX file where the open stands in for the SOQ).
    approximations : tuple of str
        `APPROXIMATIONS`.
    """

    indices: tuple[IndexComparison, ...]
    dividends: str
    quotes: str
    settlement: str
    approximations: tuple[str, ...] = APPROXIMATIONS


def _clean(real: pd.Series) -> pd.Series:
    s = pd.Series(real, dtype="float64").dropna()
    s.index = pd.DatetimeIndex(s.index).normalize()
    s = s[~s.index.duplicated(keep="last")].sort_index()
    return s


_LISTED_DATES = 3  # dates shown per kind of month event


def _event_lines(events: Sequence[tuple[pd.Timestamp, str]]) -> list[str]:
    """One line per kind of event (``"<kind>: <detail>"``): how many months, and the first."""
    kinds: dict[str, list[tuple[pd.Timestamp, str]]] = {}
    for day, note in events:
        kinds.setdefault(note.split(":", 1)[0], []).append((day, note))
    lines = []
    for kind, rows in kinds.items():
        shown = "; ".join(
            f"{d.date()} {n.split(':', 1)[-1].strip()}" for d, n in rows[:_LISTED_DATES]
        )
        more = f"; ... {len(rows) - _LISTED_DATES} more" if len(rows) > _LISTED_DATES else ""
        lines.append(f"{kind}: {len(rows)} month(s) ({shown}{more})")
    return lines


def _asof(s: pd.Series, day: pd.Timestamp) -> float:
    """The last value of ``s`` (sorted, no NaN) on or before ``day``."""
    i = int(s.index.searchsorted(day, side="right")) - 1
    return float(s.to_numpy(dtype=np.float64)[i])


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation; NaN with fewer than three points or a constant series."""
    if a.size < 3 or not (np.std(a) > 0.0 and np.std(b) > 0.0):
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def _annualised(r: np.ndarray) -> float:
    if not r.size:
        return float("nan")
    return float(100.0 * (np.prod(1.0 + r) ** (MONTHS_PER_YEAR / r.size) - 1.0))


def compare(
    spec: IndexSpec, months: Sequence[Month], real: pd.Series, notes: Sequence[str] = ()
) -> IndexComparison:
    """Compare a replica's months with the real index's values on the same roll dates.

    Parameters
    ----------
    spec : IndexSpec
        The index (its ``compare_from`` drops earlier periods).
    months : sequence of Month
        The replica (`replicate`).
    real : Series
        Index closes by date (any source; NaN rows are dropped).
    notes : sequence of str
        Extra notes to carry.

    Notes
    -----
    A period is compared where both roll dates lie within the series' first
    and last date (and the start on or after ``spec.compare_from``). A roll
    date missing from the series is valued at the last value before it and
    listed in ``stale``.
    """
    s = _clean(real)
    rows = []
    stale: set[pd.Timestamp] = set()
    events: list[tuple[pd.Timestamp, str]] = []
    origins: set[str] = set()
    if len(s):
        lo = s.index[0] if spec.compare_from is None else max(s.index[0], spec.compare_from)
        for m in months:
            if m.start < lo or m.end > s.index[-1]:
                continue
            a, b = _asof(s, m.start), _asof(s, m.end)
            missing = [d for d in (m.start, m.end) if d not in s.index]
            stale.update(missing)
            origins.update(leg.origin for leg in m.legs)
            events.extend((m.start, n) for n in m.notes)
            r = b / a - 1.0
            rows.append((m.start, m.end, r, m.ret, r - m.ret, bool(missing), "; ".join(m.notes)))
    monthly = pd.DataFrame(rows, columns=list(MONTHLY_COLUMNS))
    real_r = monthly["real"].to_numpy(dtype=np.float64)
    rep_r = monthly["replica"].to_numpy(dtype=np.float64)
    gap = real_r - rep_r
    n = len(monthly)
    worst = int(np.argmax(np.abs(gap))) if n else -1
    all_notes = list(notes)
    if spec.note:
        all_notes.append(spec.note)
    if stale:
        days = ", ".join(str(d.date()) for d in sorted(stale))
        all_notes.append(
            f"{len(stale)} roll date(s) missing from the series, valued at the last value "
            f"before: {days}"
        )
    all_notes.extend(_event_lines(events))
    return IndexComparison(
        spec=spec,
        months=n,
        first=pd.Timestamp(monthly["start"].iloc[0]) if n else None,
        last=pd.Timestamp(monthly["end"].iloc[-1]) if n else None,
        correlation=_correlation(real_r, rep_r),
        mean_gap=float(100.0 * MONTHS_PER_YEAR * gap.mean()) if n else float("nan"),
        tracking_error=float(100.0 * np.sqrt(MONTHS_PER_YEAR) * gap.std(ddof=1))
        if n >= 2
        else float("nan"),
        worst_gap=float(100.0 * gap[worst]) if n else float("nan"),
        worst_month=pd.Timestamp(monthly["start"].iloc[worst]) if n else None,
        real_return=_annualised(real_r),
        replica_return=_annualised(rep_r),
        stale=tuple(sorted(stale)),
        notes=tuple(all_notes),
        quotes="/".join(sorted(origins)) or "none",
        monthly=monthly,
    )


def _window(
    market: MarketView,
    spec: IndexSpec,
    real: pd.Series,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """First and last roll date to replicate (None where the series and the data do not meet)."""
    s = _clean(real)
    spx = market.data.daily["spx_close"].dropna()
    if not len(s) or not len(spx):
        return None
    lo = max(s.index[0], spx.index[0])
    if spec.compare_from is not None:
        lo = max(lo, spec.compare_from)
    if start is not None:
        lo = max(lo, pd.Timestamp(start).normalize())
    hi = min(s.index[-1], spx.index[-1])
    if end is not None:
        hi = min(hi, pd.Timestamp(end).normalize())
    return (lo, hi) if lo <= hi else None


def validate_index(
    market: MarketView,
    name: IndexName,
    real: pd.Series,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> IndexComparison:
    """Replicate index ``name`` on ``market`` and compare it with ``real``.

    Parameters
    ----------
    market : MarketView
        Quotes and data (the real SPX path).
    name : {"put", "bxm", "pput", "cll"}
    real : Series
        The real index's closes by date.
    start, end : Timestamp, optional
        Bounds on the roll dates compared (default: where the series, the data
        and the index's comparison start allow).

    Notes
    -----
    The CLL replica starts at the last March-cycle roll on or before the
    first compared roll (buying its put there, as the index did) so that its
    first compared month holds the put the index held.
    """
    spec = SPECS[name]
    window = _window(market, spec, real, start, end)
    if window is None:
        return compare(spec, (), real, ("the series and the data do not overlap",))
    lo, hi = window
    rolls = monthly_rolls(market, lo, hi)
    if name == "cll" and rolls and rolls[0].month not in CLL_PUT_MONTHS:
        back = monthly_rolls(market, rolls[0] - pd.Timedelta(days=100), rolls[0])
        earlier = [r for r in back if r.month in CLL_PUT_MONTHS and r < rolls[0]]
        if earlier:
            rolls = (*[r for r in back if earlier[-1] <= r < rolls[0]], *rolls)
    months = replicate(market, name, rolls)
    return compare(spec, months, real)


def validate(
    market: MarketView,
    benchmarks: pd.DataFrame | Mapping[str, pd.Series],
    names: Sequence[IndexName] | None = None,
    start: pd.Timestamp | None = DEFAULT_START,
    end: pd.Timestamp | None = None,
) -> ValidationResult:
    """Compare every index of ``benchmarks`` (or of ``names``) with its replica on ``market``.

    Parameters
    ----------
    market : MarketView
    benchmarks : DataFrame or mapping of Series
        Real index closes by date, one column per index key (``"put"``,
        ``"bxm"``, ``"pput"``, ``"cll"``; other columns are ignored).
    names : sequence of IndexName, optional
        Indices to run (default: every known one present in ``benchmarks``).
    start, end : Timestamp, optional
        Bounds on the roll dates (default: `DEFAULT_START` to the end of the data).

    Raises
    ------
    KeyError
        Where a requested index is not in ``benchmarks``.
    """
    cols = {str(k).lower(): v for k, v in dict(benchmarks.items()).items()}
    wanted = list(names) if names is not None else [n for n in SPECS if n in cols]
    missing = [n for n in wanted if n not in cols]
    if missing:
        raise KeyError(f"no series for {', '.join(missing)} in the benchmarks")
    out = [validate_index(market, n, pd.Series(cols[n]), start, end) for n in wanted]
    origins = sorted({o for c in out for o in c.quotes.split("/") if o != "none"})
    ends = sorted({pd.Timestamp(d) for c in out for d in c.monthly["end"]})
    return ValidationResult(
        tuple(out),
        dividend_source(market),
        "/".join(origins) or "none",
        _stale_settlements(market, ends),
    )


_STALE_POINTS = 0.005  # index points: a settlement this close to the previous close is stale


def _stale_settlements(market: MarketView, expiries: Sequence[pd.Timestamp]) -> str:
    """A line on settlements equal to the previous SPX close (stale opens), with the dates."""
    close = market.data.daily["spx_close"].dropna()
    stale = []
    for e in expiries:
        before = close[close.index < e]
        settle, _ = market.settlement("SPX", e, "SPX")
        if len(before) and abs(settle - float(before.iloc[-1])) < _STALE_POINTS:
            stale.append(e)
    line = f"{len(stale)} of {len(expiries)} compared expiries settle at the previous SPX close"
    if stale:
        shown = ", ".join(str(d.date()) for d in stale[:_LISTED_DATES])
        more = f", ... {len(stale) - _LISTED_DATES} more" if len(stale) > _LISTED_DATES else ""
        line += f" (a stale open in the SPX file: {shown}{more})"
    return line
