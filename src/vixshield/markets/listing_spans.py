"""SPX expirations listed over runs of days, month by month; the span machinery.

The rules and their sources are in `vixshield.markets.listing` (its module notes and
era table). They are stated once per calendar month, as spans: each expiration with
the run of the month's days that list it (a series once listed stays listed to its
expiry). `spx_month` is the month's table (every SPX expiration by day run, with its
settlement minute); ``tests/markets/test_listing_reference.py`` checks it against the
rules applied day by day. The VIX listing (`vixshield.markets.listing`) shares the
pieces `add_months`, `dated`, `month_days`, `Row`, `Fields` and `SETTLE_OFFSET`.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import NamedTuple

import pandas as pd

from vixshield._typing import Settlement
from vixshield.data import calendars
from vixshield.data.calendars import spx_monthly_expiry

__all__ = [
    "SETTLE_OFFSET",
    "Fields",
    "Row",
    "SpxMonth",
    "add_months",
    "dated",
    "month_days",
    "previous_session",
    "spx_month",
    "spx_settlement",
]

_D = dt.date

_SPX_AM_FROM = _D(1992, 6, 19)  # first AM-settled standard monthly (year medium, month low)
_QUARTERLY_FROM = _D(2006, 7, 3)  # first as-of date with SPX quarterlys (low)
_QUARTERLY_COUNT = 4  # quarter-ends listed ahead, plus the December of the next year
_EOM_FROM = _D(2014, 7, 1)  # first as-of date with SPX end-of-month options (low-medium)
_EOM_COUNT = 12  # month-ends listed ahead (the Rule 4.13(e)(2) cap)

_WEEKLY_ERAS: tuple[tuple[dt.date, int, int], ...] = (
    # (first as-of date, weekday Monday = 0, calendar days of expirations listed ahead);
    # sorted by date: a later row of a weekday replaces the earlier one
    (_D(2005, 10, 28), 4, 7),  # SPX Weeklys: the next Friday
    (_D(2011, 1, 3), 4, 28),  # four Fridays (RG14-010: "from four to six"; date low)
    (_D(2014, 1, 13), 4, 49),  # RG14-010: six Fridays beyond the current one
    (_D(2016, 2, 23), 2, 14),  # Wednesday weeklies: two expirations at launch
    (_D(2016, 5, 24), 2, 28),  # RG16-102: at least four consecutive Wednesdays
    (_D(2016, 8, 15), 0, 42),  # Monday weeklies: six consecutive maintained
    (_D(2016, 8, 15), 2, 42),  # ... and six Wednesdays (Cboe SPXW product page, 2016)
    (_D(2022, 4, 18), 1, 28),  # Tuesday weeklies: at least four weeks out (Cboe spec page)
    (_D(2022, 5, 11), 3, 28),  # Thursday weeklies: daily expirations
)

_SETTLE_MINUTE = {"AM": 9 * 60 + 30, "PM": 16 * 60}  # minutes after midnight ET (pricing)
_CLOSE_MINUTE = 16 * 60  # the as-of time: 16:00 ET close
SETTLE_OFFSET = {k: v - _CLOSE_MINUTE for k, v in _SETTLE_MINUTE.items()}  # minutes


def previous_session(day: pd.Timestamp) -> pd.Timestamp:
    """``day`` itself where it is a session, else the preceding session."""
    return _previous_session(pd.Timestamp(day).normalize())


@lru_cache(maxsize=16384)
def _previous_session(d: pd.Timestamp) -> pd.Timestamp:
    return d if calendars.is_trading_day(d) else calendars.previous_trading_day(d)


def add_months(year: int, month: int, k: int) -> tuple[int, int]:
    m = month - 1 + k
    return year + m // 12, m % 12 + 1


@lru_cache(maxsize=16384)
def dated(e: pd.Timestamp) -> tuple[pd.Timestamp, dt.date]:
    """A listing date with its ``datetime.date`` (memoised: dates compare much faster)."""
    return e, e.date()


@lru_cache(maxsize=16384)
def _weekly_expiry(d: dt.date) -> tuple[pd.Timestamp, dt.date]:
    """The session a weekly due on ``d`` expires on (the one before where ``d`` is a holiday)."""
    return dated(_previous_session(pd.Timestamp(d)))


@lru_cache(maxsize=4096)
def _month_end(year: int, month: int) -> tuple[pd.Timestamp, dt.date]:
    """The last session of ``year``-``month`` (EOM and quarterly expirations)."""
    ny, nm = add_months(year, month, 1)
    return dated(_previous_session(pd.Timestamp(_D(ny, nm, 1) - dt.timedelta(days=1))))


def _monthly_settlement(expiry: dt.date) -> Settlement:
    return "AM" if expiry >= _SPX_AM_FROM else "PM"


def spx_settlement(expiry: pd.Timestamp) -> Settlement:
    """Settlement of the SPX expiration listed on ``expiry``.

    AM for the standard monthly (third Friday, holiday-adjusted) from the 1992
    switch to A.M. settlement on; PM for the earlier monthlies and every SPXW
    expiration (weeklies, EOM, quarterlys).
    """
    e = pd.Timestamp(expiry).normalize()
    if e == spx_monthly_expiry(e.year, e.month):
        return _monthly_settlement(e.date())
    return "PM"


def _weekly_horizons(day: dt.date) -> tuple[int, ...]:
    """Calendar days of SPXW weeklies listed ahead at ``day``, by weekday (0: none)."""
    h = [0, 0, 0, 0, 0]
    for first, wd, days in _WEEKLY_ERAS:
        if day < first:
            break
        h[wd] = days
    return tuple(h)


Row = tuple[pd.Timestamp, dt.date, str, Settlement]
"""One listed expiration: its date (Timestamp and date), root and settlement."""


@lru_cache(maxsize=1024)
def _monthly_rows(year: int, month: int) -> tuple[Row, ...]:
    """The standard monthlies listed from ``year``-``month`` on (before the as-of filter)."""
    rows: list[Row] = []
    for k in range(0, 38):
        y, m = add_months(year, month, k)
        if k > 12 and not ((k <= 24 and m % 3 == 0) or m == 12):
            continue
        e, ed = dated(spx_monthly_expiry(y, m))
        rows.append((e, ed, "SPX", _monthly_settlement(ed)))
    return tuple(rows)


@lru_cache(maxsize=1024)
def _month_end_rows(year: int, month: int, step: int, count: int) -> tuple[Row, ...]:
    """Last sessions of ``count`` months ``step`` months apart from ``year``-``month`` (SPXW PM)."""
    rows: list[Row] = []
    for k in range(count):
        e, ed = _month_end(*add_months(year, month, step * k))
        rows.append((e, ed, "SPXW", "PM"))
    return tuple(rows)


Fields = tuple[pd.Timestamp, str, Settlement]
"""An expiration's fields other than its time: date, root, settlement."""

_Span = tuple[int, int, int, int, Fields, int]
"""One expiration listed on a run of days: (first day, end day (exclusive), expiry day,
precedence, fields, settlement minute). Days are proleptic ordinals
(`datetime.date.toordinal`); the minute is ``expiry day * 1440 + settle offset``, so the
years from a day's close are ``(minute - day * 1440) / MINUTES_PER_YEAR``
(`t_years_in_days`)."""

_RANK_MONTHLY, _RANK_EOM, _RANK_QUARTERLY, _RANK_DECEMBER, _RANK_WEEKLY = range(5)
"""Precedence of the series listed on one date (lowest first; weeklies add the weekday)."""


def _span(
    lo: int, end: int, e: pd.Timestamp, ed: dt.date, rank: int, root: str, st: Settlement
) -> _Span:
    """``e`` listed from day ``lo`` until it expires or the month's days ``end``."""
    day = ed.toordinal()
    return lo, min(end, day), day, rank, (e, root, st), day * 1440 + SETTLE_OFFSET[st]


def month_days(year: int, month: int) -> tuple[int, int]:
    """The first day of ``year``-``month`` and the first of the next month (ordinals)."""
    ny, nm = add_months(year, month, 1)
    return _D(year, month, 1).toordinal(), _D(ny, nm, 1).toordinal()


def _first_after_spans(rows: tuple[Row, ...], lo: int, end: int, rank: int) -> list[_Span]:
    """Spans of "the first ``len(rows) - 1`` of ``rows`` dated after the day", days ``lo..end-1``.

    ``rows`` are month ends from the month of the days on (`_month_end_rows`), so only
    ``rows[0]`` can fall within the days: it is listed until its date, ``rows[-1]`` from
    it on, the others every day.
    """
    turn = rows[0][1].toordinal()
    last = len(rows) - 1
    return [
        _span(max(lo, turn) if i == last else lo, end, e, ed, rank, root, st)
        for i, (e, ed, root, st) in enumerate(rows)
    ]


def _horizon_pieces(wd: int, first: int, end: int) -> list[tuple[int, int, int]]:
    """(first day, end day, calendar days listed ahead) of weekday ``wd``'s weeklies, days
    ``first..end-1`` cut where an era starts; pieces without weeklies left out."""
    pieces: list[tuple[int, int, int]] = []
    a, h = first, _weekly_horizons(_D.fromordinal(first))[wd]
    for start, w, days in _WEEKLY_ERAS:
        s = start.toordinal()
        if w == wd and first < s < end:
            pieces.append((a, s, h))
            a, h = s, days
    pieces.append((a, end, h))
    return [p for p in pieces if p[2] > 0]


def _weekly_spans(first: int, end: int) -> list[_Span]:
    """SPXW weeklies listed on days ``first..end-1``.

    A weekly due on date ``D`` is listed on day ``d`` where ``d < D <= d + horizon`` and
    it expires after ``d`` (`_weekly_expiry`, holiday-adjusted). The horizons of a
    weekday only grow from era to era, so the days listing it are one run: from the
    first day ``D - horizon`` is reached to the expiry. The expiries are looked up in
    the order a day-by-day listing first meets them (by that first day, weekday, date),
    so the memoised dates are the same objects as a day-by-day listing's.
    """
    due: list[tuple[int, int, int]] = []  # (first day listed, weekday, date due)
    for wd in range(5):
        pieces = _horizon_pieces(wd, first, end)
        if not pieces:
            continue
        reach = end - 1 + max(h for _, _, h in pieces)  # the last date any day lists
        start = first + 1 + (wd - _D.fromordinal(first + 1).weekday()) % 7
        for dn in range(start, reach + 1, 7):
            if wd == 4 and 15 <= _D.fromordinal(dn).day <= 21:  # the third Friday: a monthly
                continue
            los = [max(a, dn - h) for a, b, h in pieces if max(a, dn - h) < min(b, dn)]
            if los:
                due.append((min(los), wd, dn))
    out: list[_Span] = []
    for lo, wd, dn in sorted(due):
        e, ed = _weekly_expiry(_D.fromordinal(dn))
        out.append(_span(lo, end, e, ed, _RANK_WEEKLY + wd, "SPXW", "PM"))
    return out


class SpxMonth(NamedTuple):
    """What is listed on each day of a month: from ``starts[i]`` (an ordinal) to the next
    start, the expirations ``fields[i]`` settling at ``minutes[i]`` (`_Span`), by date."""

    starts: tuple[int, ...]
    fields: tuple[tuple[Fields, ...], ...]
    minutes: tuple[tuple[int, ...], ...]


def _by_precedence(spans: list[_Span]) -> list[_Span]:
    """``spans`` (sorted by expiry, then precedence) without the days on which a span of
    the same date and higher precedence is listed: one expiration per date and day."""
    out: list[_Span] = []
    covered: list[tuple[int, int]] = []
    current = -1
    for span in spans:
        lo, hi, expiry = span[:3]
        if expiry != current:  # the date's first span: nothing to cut
            current, covered = expiry, [(lo, hi)]
            out.append(span)
            continue
        pieces = [(lo, hi)]
        for a, b in covered:  # cut out the days a higher-precedence span holds
            pieces = [q for x, y in pieces for q in ((x, min(y, a)), (max(x, b), y)) if q[0] < q[1]]
        out.extend((x, y, *span[2:]) for x, y in pieces)
        covered.append((lo, hi))
    return out


def _table(spans: list[_Span], first: int, end: int) -> SpxMonth:
    """`SpxMonth` of days ``first..end-1`` from ``spans`` (by expiry, one per date and day)."""
    cuts = {first}
    cuts.update(day for span in spans for day in span[:2] if first < day < end)
    starts = sorted(cuts)
    held = [[span for span in spans if span[0] <= day < span[1]] for day in starts]
    return SpxMonth(
        tuple(starts),
        tuple([tuple([span[4] for span in run]) for run in held]),
        tuple([tuple([span[5] for span in run]) for run in held]),
    )


@lru_cache(maxsize=256)
def spx_month(year: int, month: int) -> SpxMonth:
    """Every SPX expiration listed on a day of ``year``-``month``, by expiry (`SpxMonth`).

    Within a month the monthlies are one set (`_monthly_rows`), each listed until it
    expires; EOMs and quarterlys turn over on the month's (quarter's) last session;
    the weeklies move day by day (`_weekly_spans`).
    """
    first, end = month_days(year, month)
    spans = [
        _span(first, end, e, ed, _RANK_MONTHLY, root, st)
        for e, ed, root, st in _monthly_rows(year, month)
    ]
    eom_lo = max(first, _EOM_FROM.toordinal())
    if eom_lo < end:
        rows = _month_end_rows(year, month, 1, _EOM_COUNT + 1)
        spans += _first_after_spans(rows, eom_lo, end, _RANK_EOM)
    q_lo = max(first, _QUARTERLY_FROM.toordinal())
    if q_lo < end:
        q_month = (month + 2) // 3 * 3  # this quarter's last month
        rows = _month_end_rows(year, q_month, 3, _QUARTERLY_COUNT + 1)
        spans += _first_after_spans(rows, q_lo, end, _RANK_QUARTERLY)
        e, ed = _month_end(year + 1, 12)
        spans.append(_span(q_lo, end, e, ed, _RANK_DECEMBER, "SPXW", "PM"))
    spans += _weekly_spans(first, end)
    return _table(_by_precedence(sorted(spans, key=lambda s: (s[2], s[3]))), first, end)
