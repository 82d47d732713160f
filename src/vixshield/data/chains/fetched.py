"""Fetched Cboe delayed quotes into the chain dataset, one snapshot per quote date.

`vixshield data fetch chain` downloads Cboe's delayed-quotes JSON (``_SPX.json``,
``_VIX.json``). Each file is a snapshot of the chain at its ``timestamp``; it is written
into the partitioned chain dataset (`importer.import_chains`, atomic under the store
lock) keyed by the snapshot's own date, so every day's snapshot is kept and
`vixshield.markets.Markets` prices that session from it (origin "real" per row).

The rules a snapshot must pass, else it is skipped with a warning naming the file and
why (nothing stored for it, nothing guessed):

- its ``timestamp`` is a wall-clock time in New York (Cboe's site shows Eastern time;
  a timestamp with an offset is converted to New York);
- its date is an XNYS session;
- it was taken at or after `SNAPSHOT_AFTER` (16:00 ET, the SPX close the daily signal
  decides on): an intraday snapshot is not the close's quotes;
- it was taken before `SNAPSHOT_BEFORE` (20:15 ET, when Cboe's global trading hours of
  SPX and VIX options open for the next session): later quotes are no longer the close's;
- where a ``session`` is given, its date is that session.

A snapshot of a date already stored replaces that date's rows (a later fetch of the
same evening is the fresher close).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from vixshield.data.calendars import is_trading_day
from vixshield.data.chains.importer import ChainImportResult, import_chains
from vixshield.data.store import Store
from vixshield.errors import DataError

__all__ = [
    "SNAPSHOT_AFTER",
    "SNAPSHOT_BEFORE",
    "FetchedQuotes",
    "QuoteSnapshot",
    "snapshot_time",
    "store_snapshots",
]

SNAPSHOT_AFTER = dt.time(16, 0)
"""New York time from which a snapshot is the close's (NYSE and the SPX index close)."""
SNAPSHOT_BEFORE = dt.time(20, 15)
"""New York time from which quotes belong to the next session (Cboe global trading hours
of SPX and VIX options: 8:15 p.m. to 9:15 a.m. ET)."""
_NEW_YORK = "America/New_York"


@dataclass(frozen=True)
class QuoteSnapshot:
    """One downloaded quotes file: its source, raw bytes and parsed chain frame."""

    source: str
    data: bytes
    frame: pd.DataFrame


@dataclass(frozen=True)
class FetchedQuotes:
    """What `store_snapshots` did: the import (None where nothing was stored), the
    snapshots stored (``"SPX 2016-03-01 16:15 ET"``) and one warning per skipped one."""

    result: ChainImportResult | None
    stored: tuple[str, ...]
    skipped: tuple[str, ...]

    def lines(self) -> tuple[str, ...]:
        """Lines for the fetch's report: the stored snapshots, then the skipped ones."""
        out = (
            [
                f"chain: {self.result.rows:,} option quotes ({', '.join(self.stored)}) stored in "
                "the chain dataset"
            ]
            if self.result is not None
            else []
        )
        return (*out, *self.skipped)


def snapshot_time(data: bytes, *, source: str) -> pd.Timestamp:
    """The snapshot's ``timestamp`` in New York time (tz-aware).

    Raises
    ------
    vixshield.errors.DataError
        Not JSON, or no readable ``timestamp`` (field named).
    """
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise DataError("invalid JSON", file=source) from None
    stamp = doc.get("timestamp") if isinstance(doc, dict) else None
    try:
        t = pd.Timestamp(str(stamp))
    except ValueError:
        raise DataError(
            f"expected a timestamp, got {stamp!r}", file=source, field="timestamp"
        ) from None
    if pd.isna(t):
        raise DataError(f"expected a timestamp, got {stamp!r}", file=source, field="timestamp")
    return t.tz_localize(_NEW_YORK) if t.tzinfo is None else t.tz_convert(_NEW_YORK)


def _skip_reason(taken: pd.Timestamp, session: pd.Timestamp | None) -> str | None:
    day = pd.Timestamp(taken.date())
    if not is_trading_day(day):
        return f"{day:%Y-%m-%d} is not an XNYS session"
    if taken.time() < SNAPSHOT_AFTER:
        return (
            f"taken {taken:%Y-%m-%d %H:%M} ET, before the {SNAPSHOT_AFTER:%H:%M} ET close "
            "(intraday quotes are not the close's)"
        )
    if taken.time() >= SNAPSHOT_BEFORE:
        return (
            f"taken {taken:%Y-%m-%d %H:%M} ET, after {SNAPSHOT_BEFORE:%H:%M} ET when the next "
            "session's global trading hours begin (the quotes are not the close's)"
        )
    if session is not None and day != pd.Timestamp(session).normalize():
        return f"quotes of {day:%Y-%m-%d}, not of the session {session:%Y-%m-%d}"
    return None


def store_snapshots(
    snapshots: Sequence[QuoteSnapshot],
    store: Store,
    *,
    session: pd.Timestamp | None = None,
    lock_timeout_s: float = 30.0,
) -> FetchedQuotes:
    """Write the snapshots that pass the rules (module docstring) in one dataset commit.

    Parameters
    ----------
    snapshots : sequence of QuoteSnapshot
        The downloads and their parsed frames (`CHAIN_FRAME_COLUMNS`).
    store : Store
        The store whose ``chains`` folder holds the dataset.
    session : Timestamp, optional
        Keep only snapshots of this session.
    lock_timeout_s : float
        Seconds to wait for another writer of the store.

    Returns
    -------
    FetchedQuotes
    """
    keep: list[tuple[str, pd.DataFrame]] = []
    stored: list[str] = []
    skipped: list[str] = []
    for snap in snapshots:
        taken = snapshot_time(snap.data, source=snap.source)
        why = _skip_reason(taken, session)
        if why is not None:
            skipped.append(f"chain: {snap.source} skipped: {why}; nothing stored for it")
            continue
        if snap.frame.empty:
            skipped.append(f"chain: {snap.source} skipped: no option quotes in it")
            continue
        day = pd.Timestamp(taken.date())
        frame = snap.frame.assign(quote_date=day)  # the snapshot's own New York date
        keep.append((snap.source, frame))
        unders = "/".join(sorted(map(str, frame["underlying"].unique())))
        stored.append(f"{unders} {day:%Y-%m-%d} {taken:%H:%M} ET")
    if not keep:
        return FetchedQuotes(None, (), tuple(skipped))
    result = import_chains([], store, frames=keep, lock_timeout_s=lock_timeout_s)
    return FetchedQuotes(result, tuple(stored), tuple(skipped))
