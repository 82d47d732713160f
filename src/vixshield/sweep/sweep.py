"""The parameter sweep: every variant of a grid over one window, resumable.

``run_sweep`` validates every variant (`grid.expand`) before it opens the data or runs
anything, keys each run (`keys.variant_key`), skips the keys already in
``OUT/sweep.parquet`` and runs the rest (`runner.execute`), one row per variant:
``variant`` (index in the grid), ``variant_key``, ``label``, one column per grid path
(named by the dotted path; lists and tables as JSON text) and every field of
`vixshield.backtest.summary_dict` (nested ones flattened: ``pnl_by_component.condor``;
lists such as ``warnings`` as JSON text). ``OUT/sweep.html`` is the report
(`vixshield.sweep.report`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from vixshield.errors import UserError
from vixshield.strategy.policy import Policy, load_policy
from vixshield.sweep.grid import Grid, Variant, expand, grid_from
from vixshield.sweep.keys import iso_day, variant_key
from vixshield.sweep.runner import (
    DataRef,
    Job,
    JobResult,
    ResultTable,
    data_ref,
    execute,
    open_data,
)

if TYPE_CHECKING:
    from vixshield.markets.types import MarketView

__all__ = [
    "GridLike",
    "SweepRun",
    "check_window",
    "param_value",
    "resolve_data",
    "resolve_policy",
    "run_sweep",
    "summary_part",
    "sweep_frame",
]

GridLike = str | Path | Mapping[str, Any] | Grid
ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class SweepRun:
    """The outcome of a sweep.

    Attributes
    ----------
    frame : DataFrame
        One row per variant, in grid order (columns in the module docstring).
    executed, reused : tuple of str
        Keys run now, and keys found done in ``OUT/sweep.parquet``.
    dropped : int
        Rows of other keys (another grid, data or code version) dropped from the file.
    grid : Grid
    out : Path or None
    """

    frame: pd.DataFrame
    executed: tuple[str, ...]
    reused: tuple[str, ...]
    dropped: int
    grid: Grid
    out: Path | None


def resolve_policy(policy: str | Path | Policy) -> Policy:
    """A `Policy` from a preset name, a TOML path or a policy."""
    return policy if isinstance(policy, Policy) else load_policy(policy)


def resolve_data(data: str | MarketView | DataRef) -> DataRef:
    """A `DataRef` from a ``--data`` source name, a market object or a `DataRef`."""
    if isinstance(data, DataRef):
        return data
    if isinstance(data, str):
        return open_data(data)
    return data_ref(data)


def check_window(ref: DataRef, start: str | None, end: str | None) -> None:
    """`UserError` when ``start``/``end`` lie outside the data or are out of order."""
    assert ref.market is not None
    index = ref.market.data.daily.index
    if len(index) == 0:
        raise UserError("the market data has no trading days")
    first, last = index[0], index[-1]
    for flag, day in (("--start", start), ("--end", end)):
        if day is not None and not first <= pd.Timestamp(day) <= last:
            raise UserError(
                f"{flag} {day} is outside the data: the data covers "
                f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"
            )
    if start is not None and end is not None and pd.Timestamp(start) > pd.Timestamp(end):
        raise UserError(f"--start {start} is after --end {end}")


def param_value(value: object) -> object:
    """A grid value as a table cell: scalars as they are, lists and tables as JSON text."""
    if isinstance(value, list | tuple | Mapping):
        return json.dumps(value, sort_keys=True)
    return value


_META = frozenset({"variant", "variant_key", "label", "fold", "train_start", "train_end"})


def summary_part(row: Mapping[str, object]) -> dict[str, object]:
    """The summary fields of a stored row (without its grid paths and row metadata).

    Grid paths start with a `Policy` field name (``condor.``, ``hedge.`` ...); no summary
    field does, so a row found in an earlier file is relabelled for the current grid.
    """
    fields = Policy.model_fields
    return {k: v for k, v in row.items() if k not in _META and k.split(".")[0] not in fields}


def variant_row(variant: Variant, summary: Mapping[str, object]) -> dict[str, object]:
    """The table row of a finished variant (parameters, then the summary)."""
    row: dict[str, object] = {"variant": variant.index, "label": variant.label}
    for path, value in variant.params.items():
        row[path] = param_value(value)
    clash = sorted(set(row) & set(summary))
    if clash:
        raise RuntimeError(f"grid paths {clash} clash with summary fields")
    row.update(summary)
    return row


def run_sweep(
    grid: GridLike,
    policy: str | Path | Policy = "alvh-442",
    data: str | MarketView | DataRef = "embedded",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    out: str | Path | None = None,
    progress: ProgressFn | None = None,
    on_result: Callable[[JobResult], None] | None = None,
) -> SweepRun:
    """Run every variant of ``grid`` over ``policy`` (see `sweep_frame`).

    ``progress(done, total)`` is called as variants finish (reused ones count as done);
    ``on_result`` after each run is recorded (an exception it raises stops the sweep,
    with the finished rows written).
    """
    g = grid_from(grid)
    variants = expand(g, resolve_policy(policy))  # every variant validated, nothing run yet
    ref = resolve_data(data)
    first, last = iso_day(start), iso_day(end)
    check_window(ref, first, last)
    keys = [variant_key(v.policy, ref.checksum, first, last) for v in variants]
    by_key = dict(zip(keys, variants, strict=True))
    out_dir = Path(out) if out is not None else None
    table = ResultTable(out_dir / "sweep.parquet" if out_dir else None, keep=keys)
    reused = tuple(k for k in keys if table.has(k))
    jobs = [Job(k, by_key[k].policy, first, last) for k in dict.fromkeys(keys) if not table.has(k)]
    executed: list[str] = []
    total = len(by_key)
    if progress is not None:
        progress(total - len(jobs), total)

    def record(result: JobResult) -> None:
        table.add(result.key, variant_row(by_key[result.key], result.summary))
        executed.append(result.key)
        if progress is not None:
            progress(total - len(jobs) + len(executed), total)
        if on_result is not None:
            on_result(result)

    try:
        execute(jobs, ref, record, workers=workers, scheduler=scheduler)
    finally:
        table.flush()
    for k in reused:  # rows of an earlier run, labelled by the current grid
        table.add(k, variant_row(by_key[k], summary_part(table.row(k))))
    table.flush()
    frame = _ordered(table.frame(), g)
    if out_dir is not None:
        from vixshield.sweep.report import write_sweep_html

        write_sweep_html(frame, g.paths, out_dir / "sweep.html", title=f"Sweep of {g.source}")
    return SweepRun(frame, tuple(executed), reused, table.dropped, g, out_dir)


def _ordered(frame: pd.DataFrame, grid: Grid) -> pd.DataFrame:
    if frame.empty:
        return frame
    lead = ["variant", "variant_key", "label", *grid.paths]
    rest = [c for c in frame.columns if c not in lead]
    return frame.sort_values("variant")[lead + rest].reset_index(drop=True)


def sweep_frame(
    grid: GridLike,
    policy: str | Path | Policy = "alvh-442",
    data: str | MarketView | DataRef = "embedded",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    out: str | Path | None = None,
) -> pd.DataFrame:
    """Run a parameter sweep and return one row per variant.

    Parameters
    ----------
    grid : path, mapping or Grid
        A GRID.toml path, or a mapping of dotted policy path -> list of values (or a
        range table ``{"start", "stop", "step"}``, or one value); see `vixshield.sweep.grid`.
    policy : str, path or Policy
        The base policy the variants override (preset name or TOML file).
    data : str or MarketView
        ``"embedded"``, ``"store"`` (the store at ``VIXSHIELD_HOME``) or a market object.
    start, end : date-like, optional
        The window (`vixshield.backtest.Backtest` defaults where None).
    workers : int, optional
        0 in this process; N local Dask worker processes (default: the CPU count).
    scheduler : str, optional
        A running Dask scheduler's address, used instead of a local cluster.
    out : path, optional
        Folder for ``sweep.parquet`` (resumable) and ``sweep.html``; None keeps nothing.

    Returns
    -------
    DataFrame
        Columns ``variant``, ``variant_key``, ``label``, the grid paths, then every
        summary field (nested ones flattened with ``.``).
    """
    return run_sweep(grid, policy, data, start, end, workers, scheduler, out).frame
