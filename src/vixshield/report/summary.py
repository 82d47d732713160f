"""The summary document of a backtest (``summary.json``) and its schema.

The metrics themselves come from `vixshield.backtest.metrics.summary_dict`;
this module adds the run header (policy, period, capital, warnings), checks the
result against `SUMMARY_SCHEMA` and normalises the table-like parts (stress
windows, provenance) for the terminal and HTML views.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from vixshield.backtest.result import BacktestResult
from vixshield.report.json_out import to_jsonable
from vixshield.report.stress import StressWindow, policy_windows, stress_table
from vixshield.strategy.policy import Policy

__all__ = [
    "KEY_METRICS",
    "PARTIAL_MARK",
    "SUMMARY_SCHEMA",
    "build_summary",
    "compare_stress_rows",
    "provenance_rows",
    "stress_rows",
    "validate_summary",
]

KEY_METRICS: tuple[tuple[str, str, str], ...] = (
    ("cagr", "CAGR", "pct"),
    ("irr", "IRR", "pct"),
    ("sharpe", "Sharpe", "num"),
    ("max_drawdown", "Max drawdown", "pct"),
    ("alpha", "Alpha (annual)", "pct"),
    ("beta", "Beta to SPX", "num"),
    ("credit_to_hedge_ratio", "Credit / hedge cost", "num"),
    ("credit_to_hedge_premium_ratio", "Credit / hedge premium", "num"),
)
"""(summary key, label, format) of the headline metrics, in display order."""

SUMMARY_SCHEMA: Mapping[str, tuple[str, ...]] = {
    "policy": ("string",),
    "start": ("string",),
    "end": ("string",),
    "capital": ("number",),
    "final_equity": ("number",),
    "cagr": ("number", "null"),
    "irr": ("number", "null"),
    "sharpe": ("number", "null"),
    "max_drawdown": ("number", "null"),
    "alpha": ("number", "null"),
    "beta": ("number", "null"),
    "credit_to_hedge_ratio": ("number", "null"),
    "credit_to_hedge_premium_ratio": ("number", "null"),
    "pnl_by_component": ("object",),
    "stress_windows": ("array", "object"),
    "provenance": ("object",),
    "warnings": ("array",),
}
"""Required top-level keys of ``summary.json`` and their allowed JSON types."""


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def build_summary(
    result: BacktestResult,
    metrics: Mapping[str, object],
    extra_windows: Iterable[StressWindow] = (),
    *,
    policy: Policy | None = None,
) -> dict[str, object]:
    """The JSON-ready summary: ``metrics`` plus the run header and its stress windows.

    Parameters
    ----------
    result : BacktestResult
        The run (header fields: policy name, first/last day, capital, final
        equity in dollars, warnings).
    metrics : Mapping
        `vixshield.backtest.metrics.summary_dict` of the run. Its keys win over
        the header where both define one, except the header's ``policy``,
        ``start``, ``end``, ``capital`` and ``stress_windows``.
    extra_windows : iterable of StressWindow
        Stress windows added to the shipped list.
    policy : Policy, optional
        The run's policy: its ``[[report.stress_windows]]`` are added after
        ``extra_windows`` (`vixshield.report.stress.policy_windows`; one with
        ``replace = true`` takes the shipped window's place).

    Returns
    -------
    dict
        Plain JSON types only (see `vixshield.report.json_out.to_jsonable`).
        ``stress_windows`` is `vixshield.report.stress.stress_table` of the run:
        every shipped (and extra) window the run overlaps, clipped and marked.
        ``cvar_95`` and ``cvar_99`` are returns, negative for a loss (the sign of
        ``worst_day``), as `vixshield.backtest.metrics.cvar` computes them.
    """
    final_equity = float(result.daily["equity"].iloc[-1]) if len(result.daily) else result.capital
    windows = (*extra_windows, *(policy_windows(policy) if policy is not None else ()))
    doc: dict[str, object] = {
        "final_equity": final_equity,
        "warnings": list(result.warnings),
        "provenance": {k: v for k, v in result.provenance.items()},
    }
    doc.update(dict(metrics))
    doc.update(
        {
            "policy": result.policy_name,
            "start": result.start,
            "end": result.end,
            "capital": float(result.capital),
            "stress_windows": stress_table(result.daily, extra=windows),
        }
    )
    out = to_jsonable(doc)
    assert isinstance(out, dict)
    return out


def validate_summary(doc: Mapping[str, object]) -> list[str]:
    """Problems of ``doc`` against `SUMMARY_SCHEMA` (an empty list when valid)."""
    problems: list[str] = []
    for key, allowed in SUMMARY_SCHEMA.items():
        if key not in doc:
            problems.append(f"missing key '{key}'")
        elif _json_type(doc[key]) not in allowed:
            problems.append(f"'{key}' is {_json_type(doc[key])}, expected {' or '.join(allowed)}")
    pnl = doc.get("pnl_by_component")
    if isinstance(pnl, dict):
        for k, v in pnl.items():
            if _json_type(v) not in ("number", "null"):
                problems.append(f"'pnl_by_component.{k}' is {_json_type(v)}, expected number")
    return problems


def _rows(obj: object, key_name: str) -> list[dict[str, object]]:
    if isinstance(obj, Mapping):
        rows = []
        for k, v in obj.items():
            row: dict[str, object] = {key_name: str(k)}
            row.update(dict(v) if isinstance(v, Mapping) else {"value": v})
            rows.append(row)
        return rows
    if isinstance(obj, Sequence) and not isinstance(obj, str):
        return [dict(v) if isinstance(v, Mapping) else {"value": v} for v in obj]
    return []


PARTIAL_MARK = " (partial)"
"""Appended to the name of a window the run covers only in part (its figures are clipped)."""


def stress_rows(summary: Mapping[str, object]) -> list[dict[str, object]]:
    """``summary["stress_windows"]`` as a list of rows (a mapping becomes rows keyed ``window``).

    A row with ``partial`` true has `PARTIAL_MARK` appended to its ``window``.
    """
    rows = _rows(summary.get("stress_windows"), "window")
    for row in rows:
        if row.get("partial") is True and "window" in row:
            row["window"] = f"{row['window']}{PARTIAL_MARK}"
    return rows


def compare_stress_rows(
    summaries: Mapping[str, Mapping[str, object]],
) -> list[dict[str, object]]:
    """Stress windows of several runs side by side: one row per window any run overlaps.

    Each row has ``window`` (marked with `PARTIAL_MARK` where a run covers it only
    in part), ``from``, ``to`` (the widest span the runs cover) and, per run name,
    its ``pnl`` in the window (dollars; None where that run does not overlap it).
    """
    rows: dict[str, dict[str, object]] = {}
    for name, summary in summaries.items():
        for r in stress_rows(summary):
            base = str(r.get("window", "")).removesuffix(PARTIAL_MARK)
            row = rows.setdefault(base, {"window": base, "from": r.get("from"), "to": r.get("to")})
            if r.get("partial") is True:
                row["window"] = base + PARTIAL_MARK
            for key, pick in (("from", min), ("to", max)):
                have = [str(v) for v in (row.get(key), r.get(key)) if v is not None]
                row[key] = pick(have) if have else None
            row[name] = r.get("pnl")
    names = list(summaries)
    keys = ("window", "from", "to", *names)
    return [{k: row.get(k) for k in keys} for row in rows.values()]


def provenance_rows(summary: Mapping[str, object]) -> list[dict[str, object]]:
    """``summary["provenance"]`` as rows with ``series`` first (sorted by series)."""
    rows = _rows(summary.get("provenance"), "series")
    return sorted(rows, key=lambda r: str(r.get("series", "")))
