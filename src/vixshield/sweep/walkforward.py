"""Walk-forward: choose a variant on each training window, run it on the next test window.

Folds roll by the test length: fold k trains on the trading days in
``[first + k x test, first + k x test + train)`` and tests on the following ``test``
years (years as calendar months, ``round(12 x years)``); ``first`` is the first day of
the window with SPX and VIX closes. A last fold with fewer than `MIN_TEST_DAYS` test
days is left out. Training runs end at the fold's last training day (``Backtest``
``end=``), so nothing after it can reach the choice; every run starts flat.

In each fold every variant runs on the training window and the one with the highest
``metric`` is chosen (NaN ranks last; ties go to the earlier variant; where no variant
has a finite value the first is taken and the fold's ``note`` says so). The chosen
variant and the fixed base policy then run on the test window. The out-of-sample
equity chains the test windows' daily returns from the base policy's capital; its
metrics (`oos_metrics`) stand beside the base policy's over the same chained span and
beside the chosen variants' in-sample metrics (mean over the folds).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from vixshield.errors import UserError
from vixshield.strategy.policy import Policy
from vixshield.sweep.grid import Variant, expand, grid_from
from vixshield.sweep.inputs import inputs_document
from vixshield.sweep.keys import iso_day, variant_key
from vixshield.sweep.runner import DataRef, Job, JobResult, ResultTable, open_runner
from vixshield.sweep.sweep import (
    GridLike,
    check_window,
    param_value,
    resolve_data,
    resolve_policy,
)

if TYPE_CHECKING:
    from vixshield.markets.types import MarketView

__all__ = [
    "METRICS",
    "MIN_TEST_DAYS",
    "Fold",
    "WalkForwardResult",
    "make_folds",
    "oos_metrics",
    "walk_forward",
]

METRICS: tuple[str, ...] = (
    "calmar",
    "sharpe",
    "sortino",
    "cagr",
    "total_return",
    "irr",
    "max_drawdown",
    "worst_month",
    "win_rate",
    "profit_factor",
    "credit_to_hedge_premium_ratio",
)
"""Summary metrics a fold may choose by (higher is better for each; drawdowns are <= 0)."""

MIN_TEST_DAYS = 21  # trading days: a shorter last test window is left out
_OOS = ("total_return", "cagr", "annual_volatility", "sharpe", "sortino", "max_drawdown", "calmar")


@dataclass(frozen=True)
class Fold:
    """One fold's windows (first and last trading day of each, inclusive)."""

    index: int
    train_start: pd.Timestamp
    train_end: pd.Timestamp
    test_start: pd.Timestamp
    test_end: pd.Timestamp


@dataclass(frozen=True)
class WalkForwardResult:
    """The outcome of `walk_forward`.

    Attributes
    ----------
    folds : DataFrame
        One row per fold: windows, the chosen variant (index, key, label, parameters),
        its in-sample metric, its out-of-sample metric, the base policy's, and a note.
    equity : Series
        Out-of-sample equity (dollars), the test windows' returns chained.
    base_equity : Series
        The fixed base policy over the same test windows, chained the same way.
    metrics : dict
        ``{"oos": ..., "base_oos": ..., "in_sample_mean": ...}``, each metric -> value.
    metric : str
        The metric the folds chose by.
    runs : DataFrame
        Every training run (one row per fold and variant, summary fields flattened).
    inputs : dict
        What the training and test runs were priced and decided on
        (`vixshield.sweep.inputs.inputs_document`).
    """

    folds: pd.DataFrame
    equity: pd.Series
    base_equity: pd.Series
    metrics: dict[str, dict[str, float | None]]
    metric: str
    runs: pd.DataFrame = field(default_factory=pd.DataFrame)
    inputs: dict[str, Any] = field(default_factory=dict)


def _months(years: float, flag: str) -> int:
    months = round(12 * years)
    if not math.isfinite(years) or months < 1:
        raise UserError(f"{flag}: expected a positive number of years, got {years}")
    return months


def make_folds(days: pd.DatetimeIndex, train_years: float, test_years: float) -> list[Fold]:
    """The rolling folds over the trading ``days`` (see the module docstring)."""
    train, test = _months(train_years, "--train"), _months(test_years, "--test")
    folds: list[Fold] = []
    if len(days) == 0:
        return folds
    first = days[0]
    while True:
        t0 = first + pd.DateOffset(months=test * len(folds))
        t1 = t0 + pd.DateOffset(months=train)
        t2 = t1 + pd.DateOffset(months=test)
        train_days = days[(days >= t0) & (days < t1)]
        test_days = days[(days >= t1) & (days < t2)]
        if len(test_days) < MIN_TEST_DAYS or len(train_days) == 0:
            return folds
        folds.append(Fold(len(folds), train_days[0], train_days[-1], test_days[0], test_days[-1]))


def _trading_days(ref: DataRef, start: str | None, end: str | None) -> pd.DatetimeIndex:
    assert ref.market is not None
    daily = ref.market.data.daily
    ok = daily["spx_close"].notna() & daily["vix"].notna()
    days = pd.DatetimeIndex(daily.index[ok.to_numpy()])
    if start is not None:
        days = days[days >= pd.Timestamp(start)]
    if end is not None:
        days = days[days <= pd.Timestamp(end)]
    return days


def _score(summary: Mapping[str, object], metric: str) -> float:
    value = summary.get(metric)
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return float("nan")


def _chain(daily: Sequence[pd.DataFrame], capitals: Sequence[float], capital: float) -> pd.Series:
    from vixshield.backtest.metrics import daily_returns

    parts = [
        pd.Series(daily_returns(d["equity"].to_numpy(), c), index=d.index)
        for d, c in zip(daily, capitals, strict=True)
    ]
    returns = pd.concat(parts)
    return pd.Series(capital * np.cumprod(1.0 + returns.to_numpy()), index=returns.index)


def oos_metrics(equity: pd.Series, rate: pd.Series, capital: float) -> dict[str, float | None]:
    """Return and risk of a chained equity curve (`vixshield.backtest.metrics` formulas).

    ``rate``: the 3-month T-bill yield on the same days (decimal per year; NaN as 0).
    """
    from vixshield.backtest import metrics as m

    e = equity.to_numpy(dtype=np.float64)
    r = m.daily_returns(e, capital)
    rf = rate.reindex(equity.index).fillna(0.0).to_numpy(dtype=np.float64)
    depth, _ = m.max_drawdown(e, capital)
    growth = m.cagr(float(e[-1]), capital, equity.index[0], equity.index[-1])
    out = {
        "total_return": float(e[-1]) / capital - 1.0,
        "cagr": growth,
        "annual_volatility": m.annual_volatility(r),
        "sharpe": m.sharpe(r, rf),
        "sortino": m.sortino(r, rf),
        "max_drawdown": depth,
        "calmar": growth / -depth if depth < 0 else float("nan"),
    }
    return {k: (v if math.isfinite(v) else None) for k, v in out.items()}


def _choose(
    variants: Sequence[Variant], summaries: Sequence[Mapping[str, object]], metric: str
) -> tuple[int, str]:
    scores = [_score(s, metric) for s in summaries]
    finite = [i for i, s in enumerate(scores) if not math.isnan(s)]
    if not finite:
        return 0, f"no variant had a finite {metric} on the training window: took variant 0"
    best = max(finite, key=lambda i: (scores[i], -i))
    return best, ""


def walk_forward(
    grid: GridLike,
    train_years: float,
    test_years: float,
    metric: str = "calmar",
    policy: str | Path | Policy = "alvh-442",
    data: str | MarketView | DataRef = "embedded",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    out: str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> WalkForwardResult:
    """Walk-forward selection over the variants of ``grid`` (see the module docstring).

    Parameters are those of `vixshield.sweep.sweep_frame`, plus ``train_years`` and
    ``test_years`` (fold lengths, years) and ``metric`` (one of `METRICS`). With ``out``,
    writes ``walkforward_runs.parquet`` (training runs, resumable), ``walkforward_folds``
    and ``walkforward_equity`` (Parquet), ``walkforward.json`` and ``walkforward.html``.
    """
    if metric not in METRICS:
        raise UserError(f"--metric: expected one of {', '.join(METRICS)}, got {metric!r}")
    _months(train_years, "--train")
    _months(test_years, "--test")
    g = grid_from(grid)
    base = resolve_policy(policy)
    variants = expand(g, base)  # every variant validated before anything runs
    ref = resolve_data(data)
    first, last = iso_day(start), iso_day(end)
    check_window(ref, first, last)
    folds = make_folds(_trading_days(ref, first, last), train_years, test_years)
    if not folds:
        raise UserError(
            f"--train {train_years} --test {test_years}: the window holds no whole fold "
            f"(needs {train_years} + {test_years} years with at least {MIN_TEST_DAYS} test days)"
        )

    def key(p: Policy, a: pd.Timestamp, b: pd.Timestamp) -> str:
        return variant_key(p, ref.checksum, iso_day(a), iso_day(b))

    train_keys = {
        (f.index, v.index): key(v.policy, f.train_start, f.train_end)
        for f in folds
        for v in variants
    }
    out_dir = Path(out) if out is not None else None
    table = ResultTable(
        out_dir / "walkforward_runs.parquet" if out_dir else None, keep=list(train_keys.values())
    )
    where = {k: fv for fv, k in train_keys.items()}
    jobs = [
        Job(k, variants[v].policy, iso_day(folds[f].train_start), iso_day(folds[f].train_end))
        for k, (f, v) in where.items()
        if not table.has(k)
    ]
    total = len(where) + 2 * len(folds)
    done = [len(where) - len(jobs)]

    def tick() -> None:
        if progress is not None:
            progress(done[0], total)

    def record(result: JobResult) -> None:
        f, v = where[result.key]
        row: dict[str, object] = {
            "fold": f,
            "variant": v,
            "label": variants[v].label,
            "train_start": iso_day(folds[f].train_start),
            "train_end": iso_day(folds[f].train_end),
        }
        row.update({p: param_value(x) for p, x in variants[v].params.items()})
        row.update(result.summary)
        table.add(result.key, row)
        done[0] += 1
        tick()

    tests: dict[str, JobResult] = {}

    def record_test(result: JobResult) -> None:
        tests[result.key] = result
        done[0] += 1
        tick()

    tick()
    with open_runner(ref, workers, scheduler) as run:
        try:
            run(jobs, record)
        finally:
            table.flush()
        chosen: list[tuple[int, str]] = []
        for f in folds:
            summaries = [table.row(train_keys[(f.index, v.index)]) for v in variants]
            chosen.append(_choose(variants, summaries, metric))
        test_jobs: dict[str, Job] = {}
        for f, (c, _) in zip(folds, chosen, strict=True):
            a, b = iso_day(f.test_start), iso_day(f.test_end)
            for p in (variants[c].policy, base):
                k = key(p, f.test_start, f.test_end)
                test_jobs[k] = Job(k, p, a, b, keep_daily=True)
        done[0] += 2 * len(folds) - len(test_jobs)
        run(list(test_jobs.values()), record_test)
    return _assemble(
        g.paths, variants, base, folds, chosen, table, train_keys, tests, key, ref, metric, out_dir
    )


def _assemble(
    paths: Sequence[str],
    variants: Sequence[Variant],
    base: Policy,
    folds: Sequence[Fold],
    chosen: Sequence[tuple[int, str]],
    table: ResultTable,
    train_keys: Mapping[tuple[int, int], str],
    tests: Mapping[str, JobResult],
    key: Callable[[Policy, pd.Timestamp, pd.Timestamp], str],
    ref: DataRef,
    metric: str,
    out_dir: Path | None,
) -> WalkForwardResult:
    rows: list[dict[str, object]] = []
    picked: list[JobResult] = []
    fixed: list[JobResult] = []
    in_sample: list[Mapping[str, object]] = []
    for f, (c, note) in zip(folds, chosen, strict=True):
        train = table.row(train_keys[(f.index, c)])
        oos = tests[key(variants[c].policy, f.test_start, f.test_end)]
        ref_run = tests[key(base, f.test_start, f.test_end)]
        picked.append(oos)
        fixed.append(ref_run)
        in_sample.append(train)
        row: dict[str, object] = {
            "fold": f.index,
            "train_start": iso_day(f.train_start),
            "train_end": iso_day(f.train_end),
            "test_start": iso_day(f.test_start),
            "test_end": iso_day(f.test_end),
            "chosen": c,
            "chosen_key": train_keys[(f.index, c)],
            "chosen_label": variants[c].label,
        }
        row.update({p: param_value(x) for p, x in variants[c].params.items()})
        row[f"in_sample_{metric}"] = _score(train, metric)
        row[f"oos_{metric}"] = _score(oos.summary, metric)
        row[f"base_oos_{metric}"] = _score(ref_run.summary, metric)
        row["note"] = note
        rows.append(row)
    capital = float(base.account.capital)
    equity = _chain(
        [r.daily for r in picked if r.daily is not None],
        [float(str(r.summary["capital"])) for r in picked],
        capital,
    )
    base_equity = _chain(
        [r.daily for r in fixed if r.daily is not None],
        [float(str(r.summary["capital"])) for r in fixed],
        capital,
    )
    rate = pd.concat([r.daily["rate"] for r in picked if r.daily is not None])
    metrics = {
        "oos": oos_metrics(equity, rate, capital),
        "base_oos": oos_metrics(base_equity, rate, capital),
        "in_sample_mean": {k: _mean([_score(s, k) for s in in_sample]) for k in _OOS},
    }
    runs = table.frame()
    every: list[Mapping[Any, Any]] = [*runs.to_dict("records")]
    every += [r.summary for r in tests.values()]
    result = WalkForwardResult(
        pd.DataFrame(rows), equity, base_equity, metrics, metric, runs, inputs_document(every)
    )
    if out_dir is not None:
        _write(result, paths, out_dir)
    return result


def _mean(values: Sequence[float]) -> float | None:
    finite = [v for v in values if math.isfinite(v)]
    return float(np.mean(finite)) if finite else None


def result_document(result: WalkForwardResult) -> dict[str, Any]:
    """The walk-forward as a JSON-serialisable document (the CLI's ``--json``)."""
    folds = json.loads(result.folds.to_json(orient="records"))
    return {
        "schema": "vixshield.walkforward/1",
        "metric": result.metric,
        "metrics": result.metrics,
        "folds": folds,
        "oos_start": iso_day(result.equity.index[0]),
        "oos_end": iso_day(result.equity.index[-1]),
        "inputs": result.inputs,
    }


def _write(result: WalkForwardResult, paths: Sequence[str], out: Path) -> None:
    from vixshield.sweep.report import render_walkforward_html, write_text

    equity = pd.DataFrame({"walk_forward_oos": result.equity, "base_policy": result.base_equity})
    equity.index.name = "date"
    try:
        out.mkdir(parents=True, exist_ok=True)
        result.folds.to_parquet(out / "walkforward_folds.parquet", index=False)
        equity.to_parquet(out / "walkforward_equity.parquet")
    except OSError as err:
        raise UserError(f"cannot write to {out}: {err.strerror or err}") from None
    doc = result_document(result)
    write_text(out / "walkforward.json", json.dumps(doc, indent=2, sort_keys=True) + "\n")
    table = [{"series": name, **values} for name, values in result.metrics.items()]
    columns = [
        "fold", "train_start", "train_end", "test_start", "test_end", "chosen", "chosen_label",
        f"in_sample_{result.metric}", f"oos_{result.metric}", f"base_oos_{result.metric}", "note",
    ]  # fmt: skip
    page = render_walkforward_html(
        f"Walk-forward by {result.metric}", equity, table, result.folds, columns, result.inputs
    )
    write_text(out / "walkforward.html", page)
