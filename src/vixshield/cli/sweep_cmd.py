"""CLI: ``vixshield sweep`` and ``vixshield walk-forward`` (`vixshield.sweep`).

Every variant of the grid is validated before the data are opened or anything runs;
bad input prints ``error: <message>`` (naming the grid file, the key and the variant)
and exits with status 2. Runs go to a local Dask cluster (``--workers``, default the
CPU count; 0 runs in this process) or to a running one (``--scheduler``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from vixshield.cli._errors import parse_date, user_errors
from vixshield.cli._progress import progress_bar
from vixshield.cli._sources import DATA_HELP, choose_source, source_note
from vixshield.errors import UserError

if TYPE_CHECKING:
    import pandas as pd

    from vixshield.sweep.grid import Grid

__all__ = ["register"]

GridArg = Annotated[Path, typer.Argument(help="GRID.toml: dotted policy paths -> lists/ranges.")]
PolicyOpt = Annotated[
    str, typer.Option("--policy", "-p", help="Base policy: preset name or policy TOML file.")
]
DataOpt = Annotated[str | None, typer.Option("--data", help=DATA_HELP)]
StartOpt = Annotated[str | None, typer.Option("--start", help="First day, YYYY-MM-DD.")]
EndOpt = Annotated[str | None, typer.Option("--end", help="Last day, YYYY-MM-DD.")]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        help="Local Dask worker processes (default: the CPU count; 0 runs in this process).",
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option("--scheduler", help="Run on an existing Dask cluster: tcp://HOST:PORT."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print only JSON on stdout (no progress).")]


def _check_workers(workers: int | None, scheduler: str | None) -> None:
    if workers is not None and scheduler is not None:
        raise UserError("--workers and --scheduler exclude each other")
    if workers is not None and workers < 0:
        raise UserError(f"--workers: expected 0 (in process) or more, got {workers}")


def _dates(start: str | None, end: str | None) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    first, last = parse_date(start, "--start"), parse_date(end, "--end")
    if first is not None and last is not None and first > last:
        raise UserError(f"--start {start} is after --end {end}")
    return first, last


def _validate(grid: Path, policy: str) -> Grid:
    """The grid, every variant checked by the schema before any output (the run checks
    them again)."""
    from vixshield.sweep.grid import expand, load_grid
    from vixshield.sweep.sweep import resolve_policy

    loaded = load_grid(grid)
    expand(loaded, resolve_policy(policy))
    return loaded


_PERCENT = frozenset({"cagr", "total_return", "max_drawdown", "annual_volatility"})
"""Summary ratios the terminal tables show in percent (the files keep the fractions)."""


def _cell(column: str, value: object) -> str:
    """``value`` as a table cell: ratios of `_PERCENT` in percent, other floats to 4
    significant digits, a missing value (None: NaN in the JSON rows) empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value * 100:.2f} %" if column in _PERCENT else f"{value:.4g}"
    return str(value)


def _print_table(
    title: str,
    rows: list[dict[str, Any]],
    columns: list[str],
    headers: dict[str, str] | None = None,
    whole: frozenset[str] = frozenset(),
) -> None:
    """``rows`` as a Rich table of ``columns`` (``headers``: a shown name per column; the
    cells of ``whole`` columns are never folded, the others fold to fit the terminal)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_edge=False, pad_edge=False)
    for c in columns:
        table.add_column((headers or {}).get(c, c), overflow="fold", no_wrap=c in whole)
    for row in rows:
        table.add_row(*(_cell(c, row.get(c)) for c in columns))
    Console(file=sys.stdout).print(table)


def short_names(paths: list[str]) -> dict[str, str]:
    """Each dotted path's shortest tail of components that no other path ends with, and
    that does not start at a list index (``hedge.budget_basis`` -> ``budget_basis``;
    ``hedge.layers.0.weight`` and ``hedge.layers.2.weight`` -> ``layers.0.weight``,
    ``layers.2.weight``)."""
    out: dict[str, str] = {}
    for path in paths:
        parts = path.split(".")
        n = 1
        while n < len(parts):
            tail = ".".join(parts[-n:])
            clash = any(o != path and (o == tail or o.endswith("." + tail)) for o in paths)
            if not clash and not parts[-n].isdigit():
                break
            n += 1
        out[path] = ".".join(parts[-n:])
    return out


def _fold_table(doc: dict[str, Any], paths: list[str], metric: str) -> None:
    """The folds, one row each: both windows (first and last day, one above the other),
    the value the fold chose for each grid path and the metric in sample, out of sample
    and of the base policy out of sample; a fold's note, where any fold has one."""
    rows = [
        {
            **fold,
            "train": f"{fold['train_start']}\n{fold['train_end']}",
            "test": f"{fold['test_start']}\n{fold['test_end']}",
        }
        for fold in doc["folds"]
    ]
    scores = [f"in_sample_{metric}", f"oos_{metric}", f"base_oos_{metric}"]
    notes = ["note"] if any(fold.get("note") for fold in rows) else []
    # a path's short name with spaces for underscores, so a narrow terminal wraps it by word
    named = {p: n.replace("_", " ") for p, n in short_names(paths).items()}
    headers = {**named, "fold": "#", scores[0]: "in", scores[1]: "out", scores[2]: "base"}
    columns = ["fold", "train", "test", *paths, *scores, *notes]
    title = (
        f"Folds: the choice, its {metric} in sample (in) and out of sample (out), and the "
        "base policy's out of sample (base)"
    )
    _print_table(title, rows, columns, headers, frozenset(["train", "test", *scores]))


def _best(rows: list[dict[str, Any]], metric: str, n: int) -> list[dict[str, Any]]:
    """The ``n`` rows of highest ``metric``, rows without it (NaN, None) last."""
    return sorted(rows, key=lambda r: (r.get(metric) is None, -(r.get(metric) or 0.0)))[:n]


_SHOWN = ("cagr", "max_drawdown", "calmar", "sharpe", "cycles")


def sweep(
    grid: GridArg,
    policy: PolicyOpt = "alvh-442",
    data: DataOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path(
        "vixshield-out/sweep"
    ),
    json_output: JsonOpt = False,
) -> None:
    """Backtest every variant of a grid of policy fields; resumable.

    Files in the output folder: sweep.parquet (one row per variant: its parameters and
    every summary metric; a rerun skips the variants already there) and sweep.html.
    """
    with user_errors(), source_note() as keep_note:
        from vixshield.sweep.inputs import inputs_document, modeled_line
        from vixshield.sweep.sweep import run_sweep

        _check_workers(workers, scheduler)
        first, last = _dates(start, end)
        _validate(grid, policy)
        source, note = choose_source(data)
        with progress_bar(not json_output, f"sweep {grid.name}", eta=True) as update:
            run = run_sweep(grid, policy, source, first, last, workers, scheduler, out, update)
        frame = run.frame
        shown = [c for c in _SHOWN if c in frame.columns]
        inputs = inputs_document(frame.to_dict("records"))
        if json_output:
            rows = json.loads(frame[["variant", "label", *shown]].to_json(orient="records"))
            doc = {
                "schema": "vixshield.sweep/1",
                "grid": str(grid),
                "variants": len(frame),
                "executed": len(run.executed),
                "reused": len(run.reused),
                "out": str(out),
                "rows": rows,
                "inputs": inputs,
            }
            sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
            keep_note(note)
            return
        params = [*run.grid.paths]  # one column per grid path, then the metrics
        cells = json.loads(frame[["variant", *params, *shown]].to_json(orient="records"))
        _print_table(
            f"{len(frame)} variants (best 10 by calmar)",
            _best(cells, "calmar", 10),
            ["variant", *params, *shown],
        )
        typer.echo(modeled_line(inputs))
        dropped = f" ({run.dropped} rows of another sweep dropped)" if run.dropped else ""
        typer.echo(
            f"Ran {len(run.executed)}, reused {len(run.reused)}{dropped}. "
            f"Wrote sweep.parquet, sweep.html to {out}/"
        )
        keep_note(note)


def walk_forward(
    grid: GridArg,
    train: Annotated[float, typer.Option("--train", help="Training window, years.")],
    test: Annotated[float, typer.Option("--test", help="Test window (and step), years.")],
    metric: Annotated[
        str, typer.Option("--metric", help="Choose by: calmar, sharpe, sortino, cagr, ...")
    ] = "calmar",
    policy: PolicyOpt = "alvh-442",
    data: DataOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path(
        "vixshield-out/walk-forward"
    ),
    json_output: JsonOpt = False,
) -> None:
    """Rolling folds: choose the best variant on each training window by the metric, run
    it on the next test window, chain the out-of-sample equity.

    Files: walkforward.json, walkforward.html, walkforward_folds.parquet,
    walkforward_equity.parquet, walkforward_runs.parquet (training runs, resumable).
    """
    with user_errors(), source_note() as keep_note:
        from vixshield.sweep.inputs import modeled_line
        from vixshield.sweep.walkforward import result_document
        from vixshield.sweep.walkforward import walk_forward as run_walk_forward

        _check_workers(workers, scheduler)
        first, last = _dates(start, end)
        paths = list(_validate(grid, policy).paths)
        source, note = choose_source(data)
        with progress_bar(not json_output, f"walk-forward {grid.name}", eta=True) as update:
            result = run_walk_forward(
                grid, train, test, metric, policy, source, first, last, workers, scheduler, out,
                update,
            )  # fmt: skip
        doc = result_document(result)
        if json_output:
            sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
            keep_note(note)
            return
        _fold_table(doc, paths, metric)
        rows = [{"series": k, **v} for k, v in result.metrics.items()]
        _print_table(
            f"Out of sample {doc['oos_start']} to {doc['oos_end']}",
            rows,
            ["series", "total_return", "cagr", "max_drawdown", "calmar", "sharpe"],
        )
        typer.echo(modeled_line(result.inputs))
        typer.echo(f"Wrote walkforward.json, walkforward.html and Parquet tables to {out}/")
        keep_note(note)


def register(app: typer.Typer) -> None:
    """Add ``sweep`` and ``walk-forward`` to ``app``."""
    app.command("sweep")(sweep)
    app.command("walk-forward")(walk_forward)
