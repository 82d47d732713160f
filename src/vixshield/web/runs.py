"""Saved backtests and sweeps: the output folders the web app lists and serves.

A *backtest run* is a folder written by ``vixshield backtest --out DIR`` (it holds
``summary.json``, and ``report.html``); a *sweep* one written by ``vixshield sweep --out
DIR`` (``sweep.parquet``, and ``sweep.html``). The app looks in ``<data home>/runs/``
and in each ``--runs DIR`` given to ``vixshield serve``: a root that is itself a run is
listed, else each of its direct sub-folders that is one. A run's id is its folder name
(made URL-safe; a clash gets ``-2``, ``-3``, ...).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from vixshield.errors import UserError

__all__ = ["RUNS_FOLDER", "Run", "find_runs", "read_summary", "sweep_table"]

RUNS_FOLDER = "runs"
Kind = Literal["backtest", "sweep"]


@dataclass(frozen=True)
class Run:
    """One saved run: its id, kind and folder."""

    id: str
    kind: Kind
    path: Path

    @property
    def report(self) -> Path | None:
        """The run's HTML report, None where the folder has none."""
        page = self.path / ("report.html" if self.kind == "backtest" else "sweep.html")
        return page if page.is_file() else None

    @property
    def modified(self) -> str:
        """When the run's main file was last written (UTC, ISO 8601)."""
        main = self.path / ("summary.json" if self.kind == "backtest" else "sweep.parquet")
        return datetime.fromtimestamp(main.stat().st_mtime, UTC).isoformat(timespec="seconds")

    @property
    def files(self) -> list[str]:
        """The names of the files in the folder."""
        return sorted(p.name for p in self.path.iterdir() if p.is_file())


def _kind(folder: Path) -> Kind | None:
    if (folder / "summary.json").is_file():
        return "backtest"
    if (folder / "sweep.parquet").is_file():
        return "sweep"
    return None


def find_runs(roots: Iterable[Path]) -> list[Run]:
    """The runs under ``roots`` (module docstring), in root order then by folder name.

    A root that does not exist is skipped (``<data home>/runs`` need not exist); one that
    is a file is a `UserError`.
    """
    runs: list[Run] = []
    used: set[str] = set()
    for root in roots:
        if not root.exists():
            continue
        if not root.is_dir():
            raise UserError(f"--runs {root}: not a folder")
        kind = _kind(root)
        folders = [root] if kind else sorted(p for p in root.iterdir() if p.is_dir())
        for folder in folders:
            found = _kind(folder)
            if found is None:
                continue
            base = re.sub(r"[^A-Za-z0-9_.-]", "-", folder.name).strip(".") or "run"
            rid, n = base, 1
            while rid in used:
                n += 1
                rid = f"{base}-{n}"
            used.add(rid)
            runs.append(Run(rid, found, folder))
    return runs


def read_summary(run: Run) -> dict[str, Any]:
    """The ``summary.json`` of a backtest run; `UserError` naming the file when it is
    not a JSON object."""
    path = run.path / "summary.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise UserError(f"{path}: not readable JSON: {err}") from None
    if not isinstance(doc, dict):
        raise UserError(f"{path}: expected a JSON object")
    return doc


def sweep_table(run: Run) -> pd.DataFrame:
    """The ``sweep.parquet`` of a sweep run (one row per variant)."""
    path = run.path / "sweep.parquet"
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as err:
        raise UserError(f"{path}: not a readable parquet file: {err}") from None
