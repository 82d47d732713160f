"""Routes over saved runs and the store: ``/api/v1/runs``, ``/api/v1/runs/{id}/summary``,
``/api/v1/sweeps``, ``/api/v1/data/status``, and the runs' HTML reports
(``/runs/{id}/report``, ``/sweeps/{id}/report``). Where runs are found: `vixshield.web.runs`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypeVar

import pandas as pd
from fastapi import FastAPI
from fastapi.responses import FileResponse

from vixshield.data.calendars import trading_days
from vixshield.data.store import Store
from vixshield.errors import UserError
from vixshield.service.daily import decision_session
from vixshield.web.runs import Run, find_runs, read_summary, sweep_table
from vixshield.web.schemas import ErrorOut
from vixshield.web.schemas_runs import (
    DataStatusOut,
    RunOut,
    RunsOut,
    RunSummaryOut,
    SeriesStatusOut,
    SweepOut,
    SweepsOut,
)
from vixshield.web.source import NotFound, WebSource

__all__ = ["add_run_routes"]

T = TypeVar("T")

_ERRORS: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorOut, "description": "No such run."},
    422: {"model": ErrorOut, "description": "A run's file is unreadable."},
}


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _run_out(run: Run) -> RunOut:
    doc = read_summary(run)
    return RunOut(
        id=run.id,
        folder=str(run.path),
        modified=run.modified,
        files=run.files,
        report=f"/runs/{run.id}/report" if run.report else None,
        policy=_text(doc.get("policy")),
        start=_text(doc.get("start")),
        end=_text(doc.get("end")),
        total_return=_number(doc.get("total_return")),
        max_drawdown=_number(doc.get("max_drawdown")),
        final_equity=_number(doc.get("final_equity")),
    )


def _sweep_out(run: Run) -> SweepOut:
    table = sweep_table(run)
    labels = [str(x) for x in table["label"]] if "label" in table.columns else []
    return SweepOut(
        id=run.id,
        folder=str(run.path),
        modified=run.modified,
        files=run.files,
        report=f"/sweeps/{run.id}/report" if run.report else None,
        variants=len(table),
        labels=labels,
    )


def _behind(last: str | None, session: pd.Timestamp) -> int | None:
    if last is None:
        return None
    day = pd.Timestamp(last)
    if day >= session:
        return 0
    return len(trading_days(day, session)) - 1


def add_run_routes(app: FastAPI, source: WebSource) -> None:
    """Add the runs, sweeps and data-status routes (module docstring) to ``app``."""

    def _find(run_id: str, kind: str) -> Run:
        for run in find_runs(source.run_roots):
            if run.id == run_id and run.kind == kind:
                return run
        where = ", ".join(str(r) for r in source.run_roots)
        raise NotFound(f"no saved {kind} {run_id!r} (looked in {where})")

    def _each(make: Callable[[Run], T], kind: str) -> tuple[list[T], list[str]]:
        """``make`` of each run of ``kind``, and why the unreadable ones are left out."""
        out: list[T] = []
        problems: list[str] = []
        for run in find_runs(source.run_roots):
            if run.kind == kind:
                try:
                    out.append(make(run))
                except UserError as err:
                    problems.append(f"{run.id}: {err}")
        return out, problems

    def _report(run: Run) -> FileResponse:
        if run.report is None:
            raise NotFound(f"{run.path} holds no HTML report")
        return FileResponse(run.report, media_type="text/html")

    @app.get("/api/v1/runs", response_model=RunsOut, responses=_ERRORS, tags=["runs"])
    def runs() -> RunsOut:
        """Every saved backtest (``vixshield backtest --out``), by root then folder."""
        out, problems = _each(_run_out, "backtest")
        return RunsOut(roots=[str(r) for r in source.run_roots], runs=out, problems=problems)

    @app.get(
        "/api/v1/runs/{run_id}/summary",
        response_model=RunSummaryOut,
        responses=_ERRORS,
        tags=["runs"],
    )
    def run_summary(run_id: str) -> RunSummaryOut:
        """A saved backtest's ``summary.json``."""
        run = _find(run_id, "backtest")
        return RunSummaryOut(id=run.id, summary=read_summary(run))

    @app.get("/api/v1/sweeps", response_model=SweepsOut, responses=_ERRORS, tags=["runs"])
    def sweeps() -> SweepsOut:
        """Every saved sweep (``vixshield sweep --out``), by root then folder."""
        out, problems = _each(_sweep_out, "sweep")
        return SweepsOut(roots=[str(r) for r in source.run_roots], sweeps=out, problems=problems)

    @app.get("/api/v1/data/status", response_model=DataStatusOut, tags=["status"])
    def data_status() -> DataStatusOut:
        """The store's series with their span, origin and staleness."""
        store = Store(source.home)
        session = decision_session(None)
        rows = []
        for s in store.status():
            behind = _behind(s.last, session)
            rows.append(
                SeriesStatusOut(
                    series=s.series,
                    rows=s.rows,
                    first=s.first,
                    last=s.last,
                    versions=s.versions,
                    origin=s.provenance.origin,
                    provider=s.provenance.provider,
                    fetched_at=s.provenance.fetched_at,
                    stale=behind is None or behind > 0,
                    sessions_behind=behind,
                )
            )
        return DataStatusOut(
            home=str(store.home),
            store_exists=store.catalog_path.is_file(),
            last_session=f"{session:%Y-%m-%d}",
            stale=not rows or any(r.stale for r in rows),
            series=rows,
        )

    @app.get("/runs/{run_id}/report", include_in_schema=False)
    def run_report(run_id: str) -> FileResponse:
        return _report(_find(run_id, "backtest"))

    @app.get("/sweeps/{run_id}/report", include_in_schema=False)
    def sweep_report(run_id: str) -> FileResponse:
        return _report(_find(run_id, "sweep"))
