"""HTML building blocks of the reports: tables, charts and the sections of one run.

`vixshield.report.html` assembles the pages from these. Every section returns an
HTML fragment (a string); nothing here writes files.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from vixshield.backtest.result import BacktestResult
from vixshield.markets.types import MarketView
from vixshield.markets.view import Markets
from vixshield.report import figures
from vixshield.report.labels import column_kind, fmt_value, metric_label
from vixshield.report.periods import MONTH_LABELS, monthly_returns, yearly_returns
from vixshield.report.plotly_json import figure_json
from vixshield.report.risk_graph import RiskGraph, risk_graph
from vixshield.report.summary import KEY_METRICS, provenance_rows, stress_rows
from vixshield.report.window import banner_text, window_provenance

__all__ = [
    "STRESS_HEADERS",
    "banner_section",
    "chart",
    "esc",
    "kpis",
    "metrics_table",
    "period_returns_section",
    "provenance_section",
    "report_risk_graph",
    "risk_graph_section",
    "stress_section",
    "table",
    "window_provenance",
]

STRESS_HEADERS: Mapping[str, str] = {
    "window": "Window",
    "from": "From",
    "to": "To",
    "days": "Days",
    "pnl": "P&L $",
    "pnl_condor": "Condor $",
    "pnl_hedge": "Hedges $",
    "spx_return": "SPX return %",
    "vix_max": "VIX max",
    "description": "What happened",
}
"""Stress-window field -> column header (layers ``pnl_hedge:<layer>`` become "Hedge <layer> $")."""


def esc(value: object) -> str:
    """HTML-escaped text of ``value``."""
    return html.escape(str(value), quote=True)


def chart(div_id: str, fig: figures.Figure) -> str:
    """A div drawn by ``Plotly.newPlot`` from the figure's JSON, errors into ``#vs-errors``."""
    spec = figure_json(fig).replace("</", "<\\/")
    return (
        f'<div id="{div_id}" class="chart"></div>\n<script>\n'
        f"try {{ var s = {spec};\n"
        f'  Plotly.newPlot("{div_id}", s.data, s.layout, {{responsive: true, displaylogo: false}})'
        f'.then(function () {{\n    document.getElementById("{div_id}")'
        f'.setAttribute("data-rendered", "1"); }})'
        f'.catch(function (e) {{ __vsError("{div_id}: " + e); }});\n'
        f'}} catch (e) {{ __vsError("{div_id}: " + e); }}\n</script>'
    )


def _cell(column: str, value: object, kind: str | None) -> str:
    if column == "origin" and value in ("real", "modeled", "mixed"):
        return f'<td class="{value}">{esc(value)}</td>'
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<td class="num">{esc(fmt_value(value, kind or column_kind(column)))}</td>'
    return f"<td>{'' if value is None else esc(value)}</td>"


def table(
    rows: Sequence[Mapping[str, object]],
    numeric_kind: str | None = None,
    headers: Mapping[str, str] | None = None,
    table_id: str | None = None,
) -> str:
    """Rows as a scrollable HTML table; numbers by ``numeric_kind`` or by `column_kind`."""
    if not rows:
        return '<p class="note">None.</p>'
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    names = headers or {}
    head = "".join(f"<th>{esc(names.get(c, c))}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(_cell(c, row.get(c), numeric_kind) for c in columns) + "</tr>"
        for row in rows
    )
    ident = f' id="{table_id}"' if table_id else ""
    return (
        f'<div class="scroll"><table{ident}><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def kpis(summary: Mapping[str, object]) -> str:
    """The headline figures as tiles."""
    items = [
        ("Final equity", fmt_value(summary.get("final_equity"), "usd")),
        ("Capital", fmt_value(summary.get("capital"), "usd")),
    ] + [(label, fmt_value(summary.get(key), kind)) for key, label, kind in KEY_METRICS]
    cells = "".join(
        f'<div class="kpi"><b>{esc(v)}</b><span>{esc(k)}</span></div>' for k, v in items
    )
    return f'<h2>Key metrics</h2><div class="grid">{cells}</div>'


_HEADER_KEYS = frozenset({"schema", "policy", "start", "end"})


def _metric_value(value: object, kind: str) -> str:
    """A metric's value without its unit (the label carries it): 8.10 for 8.10 %."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return fmt_value(value)
    if kind == "pct":
        return fmt_value(100.0 * value, "num")
    if kind == "usd":
        return fmt_value(value, "usd").replace("$", "")
    return fmt_value(value, kind)


def metrics_table(summaries: Mapping[str, Mapping[str, object]]) -> str:
    """Every scalar metric with a human label and its unit, one value column per run."""
    keys: list[str] = []
    for summary in summaries.values():
        keys.extend(
            k
            for k, v in summary.items()
            if k not in keys
            and k not in _HEADER_KEYS
            and (v is None or (isinstance(v, int | float) and not isinstance(v, bool)))
        )
    keys.sort(key=lambda k: metric_label(k)[0])
    head = "".join(f'<th class="num">{esc(n)}</th>' for n in summaries)
    rows = []
    for key in keys:
        label, kind = metric_label(key)
        cells = "".join(
            f'<td class="num">{esc(_metric_value(s.get(key), kind))}</td>'
            for s in summaries.values()
        )
        rows.append(f'<tr><td title="{esc(key)}">{esc(label)}</td>{cells}</tr>')
    return (
        f'<div class="scroll"><table id="metrics"><thead><tr><th>Metric</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        '<p class="note">Worst day/week/month and CVaR are returns, negative for a loss. '
        "Money in dollars to the cent.</p>"
    )


def banner_section(
    result: BacktestResult, rows: Sequence[Mapping[str, object]], suffix: str = ""
) -> str:
    """The banner naming what was real and what was modeled in this run's window.

    ``rows`` is `vixshield.report.window.window_provenance` of the run; their notes
    (inputs not counted, and why) are shown under the two sentences.
    """
    real, modeled = banner_text(rows, f"{result.start:%Y-%m-%d}", f"{result.end:%Y-%m-%d}")
    notes = "".join(
        f'<p class="note">{esc(str(r["note"]).capitalize())}.</p>' for r in rows if r.get("note")
    )
    return (
        f'<div class="banner" id="banner{suffix}"><p class="real">{esc(real)}.</p>'
        f'<p class="modeled">{esc(modeled)}.</p>{notes}</div>'
    )


def provenance_section(
    result: BacktestResult, summary: Mapping[str, object], rows: Sequence[Mapping[str, object]]
) -> str:
    """Provenance in the run's window (``rows``, counted), then the store's (collapsed)."""
    headers = {"input": "Input", "origin": "Origin", "real": "Real", "modeled": "Modeled"}
    headers.update({"unit": "Counted in", "note": "Note"})
    store = table(provenance_rows(summary))
    return (
        f"<h2>Provenance in this run ({result.start:%Y-%m-%d} to {result.end:%Y-%m-%d})</h2>"
        + table(rows, "int", headers, "provenance-window")
        + "<details><summary>Where each series of the store came from (whole history)</summary>"
        + store
        + "</details>"
    )


def _stress_headers(rows: Sequence[Mapping[str, object]]) -> dict[str, str]:
    out = dict(STRESS_HEADERS)
    for row in rows:
        for key in row:
            if key.startswith("pnl_hedge:"):
                out[key] = f"Hedge {key.removeprefix('pnl_hedge:')} $"
    return out


def stress_section(summary: Mapping[str, object]) -> str:
    """Stress windows the run overlaps, with human headers."""
    rows = [
        {k: v for k, v in row.items() if k not in ("start", "end", "partial")}
        for row in stress_rows(summary)
    ]
    return (
        '<h2>Stress windows</h2><div id="stress-windows">'
        + table(rows, None, _stress_headers(rows))
        + '</div><p class="note">Shipped windows (and the policy\'s own) that overlap the run; '
        "a window marked (partial) is clipped to the run's days (From, To).</p>"
    )


def period_returns_section(daily: pd.DataFrame, capital: float, suffix: str = "") -> str:
    """Monthly returns heatmap and the years-by-months table with each year's return."""
    if daily.empty:
        return '<h2>Monthly returns</h2><p class="note">No trading days in this run.</p>'
    months = monthly_returns(daily["equity"], capital)
    years = yearly_returns(daily["equity"], capital)
    head = "".join(f"<th>{m}</th>" for m in ("Year", *MONTH_LABELS, "Year %"))
    body = []
    cells_by_year = months.loc[:, list(MONTH_LABELS)].to_numpy(dtype=np.float64)
    for year, row in zip(months.index, cells_by_year, strict=True):
        cells = [f"<td>{int(year)}</td>"]
        for v in row:
            cells.append(f'<td class="num">{"" if pd.isna(v) else esc(fmt_value(v, "pct"))}</td>')
        cells.append(f'<td class="num"><b>{esc(fmt_value(float(years[year]), "pct"))}</b></td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        "<h2>Monthly returns</h2>"
        + chart(f"chart-monthly-returns{suffix}", figures.monthly_returns_figure(months))
        + f'<div class="scroll"><table id="monthly-returns{suffix}"><thead><tr>{head}</tr>'
        + f"</thead><tbody>{''.join(body)}</tbody></table></div>"
        + '<p class="note">Return of equity over each calendar month and year, percent; the '
        "first month from the starting capital; the first and last periods cover only the "
        "run's days.</p>"
    )


def report_risk_graph(
    result: BacktestResult, markets: MarketView | None = None
) -> RiskGraph | None:
    """`risk_graph` of the book open at the run's last close, on the run's markets.

    None where nothing is open that day or ``markets`` is not the engine's
    `Markets` (the risk graph is priced on the run's own surface, never on a
    stand-in).
    """
    if not isinstance(markets, Markets) or not result.open_positions:
        return None
    return risk_graph(list(result.open_positions), markets, pd.Timestamp(result.end))


def _graph_facts(graph: RiskGraph) -> str:
    i = int(abs(graph.spx - graph.spot).argmin())
    t0 = float(graph.pnl["T+0"]["total"][i])
    rows: list[dict[str, object]] = [
        {"item": "Marked value of the book (sum of the marks) $", "value": graph.marked_value},
        {"item": "Cost basis $ (negative: net credit)", "value": graph.cost_basis},
        {"item": "T+0 P&L at today's SPX $", "value": t0},
    ]
    for group, levels in graph.break_evens.items():
        text = ", ".join(f"{x:,.2f}" for x in levels) or "none in range"
        rows.append({"item": f"Break-evens at expiry, {group} (SPX)", "value": text})
    for name, strikes in (("short", graph.short_strikes), ("long", graph.long_strikes)):
        text = ", ".join(f"{k:,.2f}" for k in strikes) or "–"
        rows.append({"item": f"Condor {name} strikes (SPX)", "value": text})
    origins = ", ".join(f"{n} {o}" for o, n in graph.origins.items())
    rows.append({"item": "Legs priced (quote origin)", "value": origins})
    return table(rows, "usd", {"item": "", "value": ""}, "risk-facts")


def _scenario_rows(graph: RiskGraph) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for s in graph.scenarios:
        loss = s.condor_max_loss
        cover = s.hedge_pnl / -loss if loss is not None and loss < 0 else None
        out.append(
            {
                "VIX": f"{s.vix:g}",
                "Hedge value $": fmt_value(s.hedge_value, "usd"),
                "Hedge P&L vs cost $": fmt_value(s.hedge_pnl, "usd"),
                "Hedge gain vs today $": fmt_value(s.hedge_gain, "usd"),
                "Condor max loss $": fmt_value(loss, "usd"),
                "Hedge P&L / max loss": fmt_value(cover, "pct"),
            }
        )
    return out


def risk_graph_section(result: BacktestResult, markets: MarketView | None, suffix: str = "") -> str:
    """The risk graph, its facts and the VIX-scenario view (or the reason there is none)."""
    head = "<h2>Risk graph</h2>"
    if not isinstance(markets, Markets):
        why = "were not given" if markets is None else f"are a {type(markets).__name__}"
        return head + (
            '<p class="note">Not drawn: the risk graph is priced on the run\'s own markets '
            f"(the engine's Markets, with its calibrated surface), which {esc(why)}.</p>"
        )
    graph = report_risk_graph(result, markets)
    if graph is None:
        return head + f'<p class="note">No position open on {result.end:%Y-%m-%d}.</p>'
    none = (
        ""
        if graph.has_condor
        else (f'<p class="note">No condor open on {graph.as_of:%Y-%m-%d}: hedges only.</p>')
    )
    scen = _scenario_rows(graph)
    return (
        head
        + none
        + chart(f"chart-risk-graph{suffix}", figures.risk_graph_figure(graph))
        + _graph_facts(graph)
        + "<h2>VIX scenarios</h2>"
        + (
            ""
            if "hedges" in graph.pnl["T+0"]
            else f'<p class="note">No hedge open on {graph.as_of:%Y-%m-%d}: nothing pays '
            "in a VIX jump; the line is the condors' max loss.</p>"
        )
        + chart(f"chart-vix-scenarios{suffix}", figures.vix_scenario_figure(graph))
        + table(scen, None, None, f"vix-scenarios{suffix}")
        + '<p class="note">Every leg open at the close of the run\'s last day, quoted on the '
        "run's markets (the engine's marks) and repriced on the engine's calibrated SPX "
        "surface: the smile moves with the forward, its level with VIX; VIX moves -1 vol point "
        "per +1 % SPX (floor 9); VX futures pass on half a spot-VIX rise (the engine's shock "
        "rule). VIX scenarios: T+0, SPX unchanged. Max loss: each condor's worst P&L at its "
        "expiry, summed.</p>"
    )
