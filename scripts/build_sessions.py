"""Rebuild ``src/vixshield/data/resources/xnys_sessions.txt.gz`` from exchange_calendars.

The shipped list spares every process the ~1.5 s it takes to build the XNYS calendar;
``tests/data/test_calendars.py`` checks it against exchange_calendars (the oracle), so a
newly declared closure shows up as a failing test that says to run this script.

Usage: ``python scripts/build_sessions.py``
"""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path

import exchange_calendars as xcals
import pandas as pd

from vixshield.data.calendars import CALENDAR_END, CALENDAR_START

OUT = Path(__file__).resolve().parents[1] / "src/vixshield/data/resources/xnys_sessions.txt.gz"


def main() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cal = xcals.get_calendar("XNYS", start=CALENDAR_START, end=CALENDAR_END)
    days = pd.DatetimeIndex(cal.sessions).strftime("%Y-%m-%d")
    text = "\n".join(days) + "\n"
    # mtime=0: byte-identical output for the same sessions
    with open(OUT, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(text.encode("ascii"))
    print(f"wrote {len(days)} sessions {days[0]} .. {days[-1]} to {OUT}")


if __name__ == "__main__":
    main()
