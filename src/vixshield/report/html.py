"""Self-contained HTML reports (``report.html``, ``compare.html``).

One file that works offline: plotly.js is embedded once from the installed
plotly package (`plotly.offline.get_plotlyjs`), each figure is its JSON spec
drawn with ``Plotly.newPlot`` into a div with a fixed id. No timestamps, no
random ids: the same run gives the same bytes. A small script records any
JavaScript error into ``<pre id="vs-errors">`` so a broken page is visible
(and testable).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from vixshield.backtest.result import BacktestResult
from vixshield.report import charts
from vixshield.report.periods import MONTH_LABELS, monthly_returns, yearly_returns
from vixshield.report.risk_graph import RiskGraph, risk_graph
from vixshield.report.summary import (
    KEY_METRICS,
    compare_stress_rows,
    provenance_rows,
    stress_rows,
)
from vixshield.report.terminal import column_kind, fmt_value
from vixshield.strategy.types import Leg, Position

__all__ = [
    "latest_condor_positions",
    "period_returns_section",
    "render_compare_html",
    "render_report_html",
    "report_risk_graph",
]

_CSS = """
body{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;
margin:0;background:#f6f8fa;color:#24292f;line-height:1.45}
header{background:#0d1117;color:#f0f6fc;padding:18px 32px}
header h1{margin:0;font-size:22px} header p{margin:4px 0 0;color:#8b949e}
main{max-width:1180px;margin:0 auto;padding:16px 24px 48px}
section{background:#fff;border:1px solid #d0d7de;border-radius:8px;margin:16px 0;padding:12px 18px}
h2{font-size:17px;margin:6px 0 10px}
table{border-collapse:collapse;font-size:13px;width:100%}
th,td{border-bottom:1px solid #eaeef2;padding:5px 8px;text-align:left}
th{background:#f6f8fa;font-weight:600} td.num{text-align:right;font-variant-numeric:tabular-nums}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:10px}
.kpi{border:1px solid #eaeef2;border-radius:6px;padding:8px 10px}
.kpi b{display:block;font-size:19px} .kpi span{color:#57606a;font-size:12px}
.real{color:#1a7f37;font-weight:600} .modeled{color:#9a6700;font-weight:600}
.note{color:#57606a;font-size:12px} #vs-errors{color:#cf222e;white-space:pre-wrap}
"""

_ERROR_HOOK = """
window.__vsErrors = [];
function __vsError(msg) {
  window.__vsErrors.push(String(msg));
  var el = document.getElementById("vs-errors");
  if (el) { el.textContent = window.__vsErrors.join("\\n"); el.hidden = false; }
}
window.onerror = function (msg, src, line, col) { __vsError(msg + " (" + line + ":" + col + ")"); };
window.addEventListener("unhandledrejection", function (ev) {
  __vsError("rejected: " + ev.reason);
});
"""

_FLUSH_ERRORS = "if (window.__vsErrors.length) { __vsError(window.__vsErrors.pop()); }"


def _script_json(fig: go.Figure) -> str:
    return str(fig.to_json()).replace("</", "<\\/")


def _chart(div_id: str, fig: go.Figure) -> str:
    spec = _script_json(fig)
    return (
        f'<div id="{div_id}" class="chart"></div>\n<script>\n'
        f"try {{ var s = {spec};\n"
        f'  Plotly.newPlot("{div_id}", s.data, s.layout, {{responsive: true, displaylogo: false}})'
        f'.then(function () {{\n    document.getElementById("{div_id}")'
        f'.setAttribute("data-rendered", "1"); }})'
        f'.catch(function (e) {{ __vsError("{div_id}: " + e); }});\n'
        f'}} catch (e) {{ __vsError("{div_id}: " + e); }}\n</script>'
    )


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _table(rows: Sequence[Mapping[str, object]], numeric_kind: str | None = None) -> str:
    """Rows as an HTML table; numbers formatted by ``numeric_kind`` or by `column_kind`."""
    if not rows:
        return '<p class="note">None.</p>'
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    head = "".join(f"<th>{_esc(c)}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for c in columns:
            v = row.get(c)
            if c == "origin" and v in ("real", "modeled"):
                cells.append(f'<td class="{v}">{_esc(v)}</td>')
            elif isinstance(v, int | float) and not isinstance(v, bool):
                kind = numeric_kind or column_kind(c)
                cells.append(f'<td class="num">{_esc(fmt_value(v, kind))}</td>')
            else:
                cells.append(f"<td>{'' if v is None else _esc(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _page(title: str, subtitle: str, sections: Sequence[str]) -> str:
    from plotly.offline import get_plotlyjs

    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_esc(title)}</title>",
            f"<style>{_CSS}</style>",
            f"<script>{_ERROR_HOOK}</script>",
            f"<script>{get_plotlyjs()}</script>",
            "</head><body>",
            f"<header><h1>{_esc(title)}</h1><p>{_esc(subtitle)}</p></header>",
            '<main><pre id="vs-errors" hidden></pre>',
            *(f"<section>{s}</section>" for s in sections),
            f"</main><script>{_FLUSH_ERRORS}</script></body></html>",
            "",
        ]
    )


def _kpis(summary: Mapping[str, object]) -> str:
    items = [
        ("Final equity", fmt_value(summary.get("final_equity"), "usd")),
        ("Capital", fmt_value(summary.get("capital"), "usd")),
    ] + [(label, fmt_value(summary.get(key), kind)) for key, label, kind in KEY_METRICS]
    cells = "".join(
        f'<div class="kpi"><b>{_esc(v)}</b><span>{_esc(k)}</span></div>' for k, v in items
    )
    return f'<h2>Key metrics</h2><div class="grid">{cells}</div>'


def _pnl_rows(summary: Mapping[str, object]) -> list[dict[str, object]]:
    pnl = summary.get("pnl_by_component")
    if not isinstance(pnl, Mapping):
        return []
    return [{"component": k, "P&L (dollars)": pnl[k]} for k in sorted(pnl)]


def _legs_from_trades(rows: pd.DataFrame) -> tuple[Leg, ...]:
    legs = []
    for r in rows.to_dict("records"):
        root = str(r["root"])
        legs.append(
            Leg(
                underlying="VIX" if root == "VIX" else "SPX",
                root=root,
                expiry=pd.Timestamp(str(r["expiry"])).normalize(),
                settlement="PM" if root == "SPXW" else "AM",
                strike=float(r["strike"]),
                right="C" if str(r["right"]).upper().startswith("C") else "P",
                ratio=int(r["ratio"]),
            )
        )
    return tuple(legs)


def latest_condor_positions(result: BacktestResult) -> tuple[list[Position], pd.Timestamp] | None:
    """The latest condor with its hedges, and the date to price them at.

    Open positions at the end of the run when a condor is among them (priced at
    the last day); otherwise the last condor opened in ``trades`` (priced at its
    opening day, legs and entry price rebuilt from the fills). None when the
    run traded no condor.
    """
    if any(p.kind == "condor" for p in result.open_positions):
        return list(result.open_positions), pd.Timestamp(result.end)
    trades = result.trades
    needed = {"position_id", "kind", "action", "date", "root", "expiry", "strike", "right", "ratio"}
    if trades.empty or not needed.issubset(trades.columns):
        return None
    opens = trades[(trades["kind"] == "condor") & (trades["action"] == "open")]
    if opens.empty:
        return None
    last_id = opens["position_id"].iloc[-1]
    rows = opens[opens["position_id"] == last_id]
    legs = _legs_from_trades(rows)
    price_col = "fill" if "fill" in rows.columns else "mid"
    entry = float((rows["ratio"].astype(float) * rows[price_col].astype(float)).sum())
    opened = pd.Timestamp(rows["date"].iloc[0])
    contracts = int(rows["contracts"].iloc[0]) if "contracts" in rows.columns else 1
    condor = Position(str(last_id), "condor", legs, contracts, opened, entry)
    hedges = [p for p in result.open_positions if p.kind.startswith("hedge")]
    return [condor, *hedges], opened


def report_risk_graph(result: BacktestResult) -> RiskGraph | None:
    """Risk graph of `latest_condor_positions` using that day's SPX, VIX and rate."""
    found = latest_condor_positions(result)
    if found is None or result.daily.empty:
        return None
    positions, as_of = found
    daily = result.daily.loc[:as_of]
    if daily.empty:
        return None
    last = daily.iloc[-1]
    rate = float(last["rate"]) if "rate" in daily.columns and pd.notna(last["rate"]) else 0.0
    return risk_graph(
        positions, as_of=as_of, spot=float(last["spx"]), vix0=float(last["vix"]), rate=rate
    )


def period_returns_section(daily: pd.DataFrame, capital: float) -> str:
    """Monthly returns heatmap and the years-by-months table with each year's return."""
    if daily.empty:
        return '<h2>Monthly returns</h2><p class="note">No trading days in this run.</p>'
    months = monthly_returns(daily["equity"], capital)
    years = yearly_returns(daily["equity"], capital)
    head = "".join(f"<th>{m}</th>" for m in ("Year", *MONTH_LABELS, "Year return"))
    body = []
    for year in months.index:
        cells = [f"<td>{int(year)}</td>"]
        for m in MONTH_LABELS:
            v = months.loc[year, m]
            cells.append(f'<td class="num">{"" if pd.isna(v) else _esc(fmt_value(v, "pct"))}</td>')
        cells.append(f'<td class="num"><b>{_esc(fmt_value(float(years[year]), "pct"))}</b></td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        "<h2>Monthly returns</h2>"
        + _chart("chart-monthly-returns", charts.monthly_returns_figure(months))
        + f'<table id="monthly-returns"><thead><tr>{head}</tr></thead>'
        + f"<tbody>{''.join(body)}</tbody></table>"
        + '<p class="note">Return of equity over each calendar month and year (decimal shown '
        "in percent); the first month from the starting capital; the first and last periods "
        "cover only the run's days.</p>"
    )


def render_report_html(result: BacktestResult, summary: Mapping[str, object]) -> str:
    """The complete ``report.html`` of one run (a deterministic string)."""
    daily = result.daily
    sections = [
        _kpis(summary),
        "<h2>Equity and drawdown</h2>"
        + _chart("chart-equity", charts.equity_figure(daily, result.capital)),
        "<h2>VIX and regime</h2>" + _chart("chart-vix-regime", charts.vix_regime_figure(daily)),
        "<h2>P&amp;L by component</h2>"
        + _chart("chart-pnl-components", charts.pnl_components_figure(daily))
        + _table(_pnl_rows(summary), "usd"),
        "<h2>Credit-to-hedge ratio</h2>"
        + _chart("chart-credit-hedge", charts.credit_to_hedge_figure(daily)),
        period_returns_section(daily, result.capital),
    ]
    graph = report_risk_graph(result)
    if graph is not None:
        sections.append(
            "<h2>Risk graph</h2>"
            + _chart("chart-risk-graph", charts.risk_graph_figure(graph))
            + '<p class="note">Modeled: SPX options by Black-Scholes-Merton at a flat vol of '
            "VIX/100; "
            "VIX hedges by Black-76 with the VX forward moving point for point with VIX, and VIX "
            "moving -1 vol point per +1 % SPX (floor 9).</p>"
        )
    else:
        sections.append('<h2>Risk graph</h2><p class="note">No condor was traded in this run.</p>')
    sections += [
        '<h2>Stress windows</h2><div id="stress-windows">'
        + _table(stress_rows(summary))
        + '</div><p class="note">Shipped windows (and the policy\'s own) that overlap the run; '
        "a window marked (partial) is clipped to the run's days (from, to).</p>",
        "<h2>Metrics</h2>" + _metrics_table(summary),
        "<h2>Provenance</h2>" + _table(provenance_rows(summary)),
    ]
    warnings = summary.get("warnings")
    if isinstance(warnings, list) and warnings:
        sections.append(
            "<h2>Warnings</h2><ul>" + "".join(f"<li>{_esc(w)}</li>" for w in warnings) + "</ul>"
        )
    subtitle = f"Policy {summary.get('policy')} · {summary.get('start')} to {summary.get('end')}"
    return _page("VixShield backtest report", subtitle, sections)


_HEADER_KEYS = frozenset({"schema", "policy", "start", "end"})


def _metrics_table(summary: Mapping[str, object]) -> str:
    rows = []
    for key, value in sorted(summary.items()):
        if key in _HEADER_KEYS or not (value is None or isinstance(value, int | float | str)):
            continue
        kind = column_kind(key)
        rows.append(
            f'<tr><td>{_esc(key)}</td><td class="num">{_esc(fmt_value(value, kind))}</td></tr>'
        )
    return (
        "<table><thead><tr><th>metric</th><th>value</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def render_compare_html(
    summaries: Mapping[str, Mapping[str, object]], dailies: Mapping[str, pd.DataFrame]
) -> str:
    """``compare.html``: overlaid equity and drawdown curves and a side-by-side metrics table."""
    names = list(summaries)
    rows: list[dict[str, object]] = []
    for key, label, kind in (("final_equity", "Final equity", "usd"), *KEY_METRICS):
        row: dict[str, object] = {"metric": label}
        row.update({n: fmt_value(summaries[n].get(key), kind) for n in names})
        rows.append(row)
    first = summaries[names[0]] if names else {}
    sections = [
        "<h2>Equity and drawdown</h2>" + _chart("chart-compare", charts.compare_figure(dailies)),
        "<h2>Key metrics</h2>" + _table(rows),
        '<h2>Stress windows</h2><div id="stress-windows">'
        + _table(compare_stress_rows(summaries), "usd")
        + '</div><p class="note">P&amp;L of each policy inside the shipped stress windows '
        "(dollars); a window marked (partial) is clipped to the runs' days.</p>",
    ]
    subtitle = f"{', '.join(names)} · {first.get('start')} to {first.get('end')}"
    return _page("VixShield policy comparison", subtitle, sections)
