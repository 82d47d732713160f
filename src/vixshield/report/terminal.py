"""Rich terminal views of a backtest summary and of a comparison of runs.

Views take the JSON-ready summary (`vixshield.report.summary.build_summary`),
so the terminal, ``summary.json`` and the HTML report always show the same
numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from vixshield.report.labels import column_kind, fmt_value
from vixshield.report.summary import (
    KEY_METRICS,
    compare_stress_rows,
    provenance_rows,
    stress_rows,
)

__all__ = [
    "STRESS_COLUMNS",
    "column_kind",
    "compare_stress_view",
    "fmt_value",
    "metrics_table",
    "print_compare",
    "print_summary",
    "rows_table",
    "stress_view",
    "summary_renderable",
]


STRESS_COLUMNS: tuple[str, ...] = (
    "window",
    "from",
    "to",
    "days",
    "pnl",
    "pnl_condor",
    "pnl_hedge",
    "spx_return",
    "vix_max",
)
"""Stress-window fields shown on the terminal (the HTML report shows every field)."""


def metrics_table(summary: Mapping[str, object], title: str = "Key metrics") -> Table:
    """Headline metrics, capital and final equity of one run."""
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("Metric")
    table.add_column("Value", justify="right")
    table.add_row("Period", f"{summary.get('start')} → {summary.get('end')}")
    table.add_row("Capital", fmt_value(summary.get("capital"), "usd"))
    table.add_row("Final equity", fmt_value(summary.get("final_equity"), "usd"))
    for key, label, kind in KEY_METRICS:
        table.add_row(label, fmt_value(summary.get(key), kind))
    return table


def _pnl_table(summary: Mapping[str, object]) -> Table:
    table = Table(title="P&L by component", header_style="bold")
    table.add_column("Component")
    table.add_column("P&L", justify="right")
    pnl = summary.get("pnl_by_component")
    if isinstance(pnl, Mapping):
        for key in sorted(pnl):
            value = pnl[key]
            style = "red" if isinstance(value, int | float) and value < 0 else ""
            table.add_row(str(key), Text(fmt_value(value, "usd"), style=style))
    return table


def rows_table(
    rows: Sequence[Mapping[str, object]],
    title: str,
    only: Sequence[str] | None = None,
    *,
    money: bool = False,
) -> Table:
    """A table of heterogeneous rows; columns in first-seen order (or ``only``'s, where present).

    Columns with no value in any row are left out; values are formatted by `column_kind`
    (every number as dollars when ``money``).
    """
    table = Table(title=title, header_style="bold")
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    if only is not None:
        columns = [c for c in only if c in columns]
    columns = [c for c in columns if any(row.get(c) not in (None, "") for row in rows)]
    for col in columns:
        numeric = any(isinstance(row.get(col), int | float) for row in rows)
        table.add_column(col, justify="right" if numeric else "left")
    for row in rows:
        table.add_row(
            *(
                ""
                if row.get(c) is None
                else fmt_value(row.get(c), "usd" if money else column_kind(c))
                for c in columns
            )
        )
    return table


_STRESS_VIEW: tuple[tuple[str, str, str], ...] = (
    ("days", "Days", "int"),
    ("pnl", "P&L", "usd"),
    ("pnl_condor", "Condor", "usd"),
    ("pnl_hedge", "Hedges", "usd"),
    ("spx_return", "SPX", "pct"),
    ("vix_max", "VIX max", "num"),
)  # (field, short header, kind): fits 80 columns with the window column wrapped


def _span(row: Mapping[str, object]) -> str:
    a, b = str(row.get("from") or ""), str(row.get("to") or "")
    if a[:4] == b[:4] and a and b:
        b = b[5:]  # same year: 2015-08-17..09-04
    return f"{a}..{b}"


def stress_view(rows: Sequence[Mapping[str, object]], title: str = "Stress windows") -> Table:
    """Stress windows for a narrow terminal: the window's name over its dates, short headers.

    Readable at 80 columns: numbers never wrap, the window column does; P&L in
    dollars to the cent, SPX return in percent, VIX max in vol points.
    """
    table = Table(
        title=title, header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True
    )
    table.add_column("Window", overflow="fold", ratio=1, min_width=10)
    cells = [[fmt_value(row.get(k), kind) for k, _, kind in _STRESS_VIEW] for row in rows]
    for j, (_, header, _) in enumerate(_STRESS_VIEW):
        width = max([len(header), *(len(c[j]) for c in cells)])
        table.add_column(header, justify="right", no_wrap=True, min_width=width)
    for row, values in zip(rows, cells, strict=True):
        table.add_row(f"{row.get('window')}\n{_span(row)}", *values)
    table.caption = "P&L in dollars inside each window; SPX = its return over the window"
    return table


def summary_renderable(summary: Mapping[str, object]) -> RenderableType:
    """Everything `print_summary` shows, as one Rich renderable."""
    parts: list[RenderableType] = [
        Text(f"VixShield backtest — policy {summary.get('policy')}", style="bold"),
        metrics_table(summary),
        _pnl_table(summary),
    ]
    stress = stress_rows(summary)
    if stress:
        parts.append(stress_view(stress))
    prov = provenance_rows(summary)
    if prov:
        parts.append(rows_table(prov, "Provenance", ("series", "origin", "provider", "note")))
    warnings = summary.get("warnings")
    if isinstance(warnings, list) and warnings:
        parts.append(Text("Warnings:\n" + "\n".join(f"  • {w}" for w in warnings), style="yellow"))
    return Group(*parts)


def print_summary(console: Console, summary: Mapping[str, object]) -> None:
    """Print the key metrics, P&L by component, stress windows, provenance and warnings."""
    console.print(summary_renderable(summary))


def print_compare(console: Console, summaries: Mapping[str, Mapping[str, object]]) -> None:
    """Print a side-by-side table of the key metrics of several runs (one column per policy)."""
    table = Table(title="Policy comparison", header_style="bold")
    table.add_column("Metric")
    for name in summaries:
        table.add_column(name, justify="right")
    runs = list(summaries.values())
    table.add_row("Final equity", *(fmt_value(s.get("final_equity"), "usd") for s in runs))
    for key, label, kind in KEY_METRICS:
        table.add_row(label, *(fmt_value(s.get(key), kind) for s in runs))
    components: set[str] = set()
    for s in runs:
        pnl = s.get("pnl_by_component")
        if isinstance(pnl, Mapping):
            components.update(str(k) for k in pnl)
    for comp in sorted(components):
        cells = []
        for s in runs:
            pnl = s.get("pnl_by_component")
            cells.append(fmt_value(pnl.get(comp) if isinstance(pnl, Mapping) else None, "usd"))
        table.add_row(f"P&L {comp}", *cells)
    if runs:
        table.caption = f"{runs[0].get('start')} → {runs[0].get('end')}"
    console.print(table)
    stress = compare_stress_rows(summaries)
    if stress:
        console.print(compare_stress_view(stress, list(summaries)))


def compare_stress_view(rows: Sequence[Mapping[str, object]], names: Sequence[str]) -> Table:
    """Stress windows of several runs: the window over its dates, then each run's P&L."""
    table = Table(
        title="Stress windows: P&L in dollars",
        header_style="bold",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("Window", overflow="fold", ratio=1, min_width=10)
    cells = [[fmt_value(row.get(n), "usd") for n in names] for row in rows]
    for j, name in enumerate(names):
        width = max([min(len(name), 14), *(len(c[j]) for c in cells)])
        table.add_column(name, justify="right", overflow="fold", min_width=width)
    for row, values in zip(rows, cells, strict=True):
        table.add_row(f"{row.get('window')}\n{_span(row)}", *values)
    return table
