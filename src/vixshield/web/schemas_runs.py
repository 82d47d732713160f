"""Response models of the runs, sweeps and data-status routes (``/api/v1/runs``,
``/api/v1/sweeps``, ``/api/v1/data/status``). Dates are ``YYYY-MM-DD``; times UTC ISO 8601."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = [
    "DataStatusOut",
    "LiveOut",
    "RunOut",
    "RunSummaryOut",
    "RunsOut",
    "SeriesStatusOut",
    "SweepOut",
    "SweepsOut",
]


class RunOut(BaseModel):
    """A saved backtest (a ``vixshield backtest --out`` folder)."""

    id: str
    folder: str
    modified: str = Field(description="summary.json's last write, UTC.")
    files: list[str]
    report: str | None = Field(description="URL of its report.html, None where absent.")
    policy: str | None
    start: str | None
    end: str | None
    total_return: float | None = Field(description="Fraction (0.1 = 10 %).")
    max_drawdown: float | None = Field(description="Fraction, negative.")
    final_equity: float | None = Field(description="USD.")


class RunsOut(BaseModel):
    """Every saved backtest, and where they were looked for."""

    roots: list[str]
    runs: list[RunOut]
    problems: list[str] = Field(description="Run folders left out: each unreadable file.")


class RunSummaryOut(BaseModel):
    """A backtest's ``summary.json`` as written (`vixshield.report.summary`)."""

    id: str
    summary: dict[str, Any]


class SweepOut(BaseModel):
    """A saved sweep (a ``vixshield sweep --out`` folder)."""

    id: str
    folder: str
    modified: str = Field(description="sweep.parquet's last write, UTC.")
    files: list[str]
    report: str | None = Field(description="URL of its sweep.html, None where absent.")
    variants: int
    labels: list[str] = Field(description="Each variant's label, in the file's order.")


class SweepsOut(BaseModel):
    """Every saved sweep, and where they were looked for."""

    roots: list[str]
    sweeps: list[SweepOut]
    problems: list[str] = Field(description="Sweep folders left out: each unreadable file.")


class SeriesStatusOut(BaseModel):
    """One stored series: its span, origin and staleness."""

    series: str
    rows: int
    first: str | None
    last: str | None
    versions: int
    origin: str = Field(description="'real' or 'modeled'.")
    provider: str
    fetched_at: str
    stale: bool = Field(description="True where it ends before the last completed session.")
    sessions_behind: int | None = Field(
        description="NYSE sessions between its last date and the last completed session."
    )


class DataStatusOut(BaseModel):
    """The local store's series (`vixshield.data.store.Store.status`)."""

    home: str
    store_exists: bool
    last_session: str = Field(description="The last completed NYSE session, by the clock.")
    stale: bool = Field(description="True where any series is stale or the store is empty.")
    series: list[SeriesStatusOut]


class LiveOut(BaseModel):
    """Liveness: the app answers (the one route without auth)."""

    status: str
    version: str
