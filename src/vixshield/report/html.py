"""Self-contained HTML reports (``report.html``, ``compare.html``).

One file that works offline: plotly.js is embedded once from the installed
plotly package (`vixshield.report.plotly_json.plotly_js`, the file
``plotly.offline.get_plotlyjs`` returns, read without importing plotly), each
figure (`vixshield.report.figures`, plain JSON dicts) is drawn with
``Plotly.newPlot`` into a div with a fixed id. No timestamps, no random ids:
the same run gives the same bytes. A small script records any JavaScript error
into ``<pre id="vs-errors">`` so a broken page is visible (and testable). The
layout holds from 400 to 2,000 pixels wide: cards never overflow (wide tables
scroll inside their card, charts resize), and ``compare.html`` puts the runs
side by side where there is room.

The sections come from `vixshield.report.sections`; the risk graph, the
banner's input counts and the window provenance need the run's markets
(``markets``), and say so where they were not given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from vixshield.backtest.result import BacktestResult
from vixshield.markets.types import MarketView
from vixshield.report import figures
from vixshield.report.labels import fmt_value
from vixshield.report.plotly_json import plotly_js
from vixshield.report.sections import (
    banner_section,
    chart,
    esc,
    kpis,
    metrics_table,
    period_returns_section,
    provenance_section,
    report_risk_graph,
    risk_graph_section,
    stress_section,
    table,
    window_provenance,
)
from vixshield.report.summary import KEY_METRICS, compare_stress_rows

__all__ = [
    "period_returns_section",
    "render_compare_html",
    "render_report_html",
    "report_risk_graph",
]

_CSS = """
*,*::before,*::after{box-sizing:border-box} html{overflow-y:scroll}
body{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;
margin:0;background:#f6f8fa;color:#24292f;line-height:1.45}
header{background:#0d1117;color:#f0f6fc;padding:18px 32px}
header h1{margin:0;font-size:22px} header p{margin:4px 0 0;color:#8b949e}
main{max-width:1680px;margin:0 auto;padding:16px 24px 48px}
section{background:#fff;border:1px solid #d0d7de;border-radius:8px;margin:16px 0;
padding:12px 18px;min-width:0;overflow:hidden}
h2{font-size:17px;margin:6px 0 10px}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:13px;width:100%}
th,td{border-bottom:1px solid #eaeef2;padding:5px 8px;text-align:left}
th{background:#f6f8fa;font-weight:600} td.num,th.num{text-align:right;
font-variant-numeric:tabular-nums;white-space:nowrap}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px}
.side{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,520px),1fr));gap:16px}
.side>div{min-width:0}
.chart{width:100%;min-width:0}
.kpi{border:1px solid #eaeef2;border-radius:6px;padding:8px 10px}
.kpi b{display:block;font-size:19px} .kpi span{color:#57606a;font-size:12px}
.real{color:#1a7f37;font-weight:600} .modeled{color:#9a6700;font-weight:600}
.mixed{color:#8250df;font-weight:600}
.banner{background:#fff8c5;border:1px solid #d4a72c;border-radius:8px;padding:8px 14px;
margin:16px 0} .banner p{margin:4px 0}
.note{color:#57606a;font-size:12px} #vs-errors{color:#cf222e;white-space:pre-wrap}
@media (max-width:600px){header{padding:12px 14px} main{padding:8px 8px 32px}
section{padding:10px 10px} .grid{grid-template-columns:repeat(2,minmax(0,1fr))}}
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


def _page(title: str, subtitle: str, banner: str, sections: Sequence[str]) -> str:
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(title)}</title>",
            f"<style>{_CSS}</style>",
            f"<script>{_ERROR_HOOK}</script>",
            f"<script>{plotly_js()}</script>",
            "</head><body>",
            f"<header><h1>{esc(title)}</h1><p>{esc(subtitle)}</p></header>",
            '<main><pre id="vs-errors" hidden></pre>',
            banner,
            *(f"<section>{s}</section>" for s in sections),
            f"</main><script>{_FLUSH_ERRORS}</script></body></html>",
            "",
        ]
    )


def _pnl_rows(summary: Mapping[str, object]) -> list[dict[str, object]]:
    pnl = summary.get("pnl_by_component")
    if not isinstance(pnl, Mapping):
        return []
    return [{"Component": k, "P&L $": pnl[k]} for k in sorted(pnl)]


_BH_NOTE = (
    '<p class="note">SPX buy &amp; hold is the S&amp;P 500 price index (price only, '
    "dividends not reinvested) bought with the same capital on the first day.</p>"
)


def render_report_html(
    result: BacktestResult, summary: Mapping[str, object], markets: MarketView | None = None
) -> str:
    """The complete ``report.html`` of one run (a deterministic string).

    ``markets`` is the run's markets (what the backtest quoted): the risk graph
    and the counted provenance need it; without it those sections say so.
    """
    daily = result.daily
    counted = window_provenance(result, markets)
    sections = [
        kpis(summary),
        "<h2>Equity and drawdown</h2>"
        + chart("chart-equity", figures.equity_figure(daily, result.capital))
        + _BH_NOTE,
        "<h2>VIX and regime</h2>" + chart("chart-vix-regime", figures.vix_regime_figure(daily)),
        "<h2>P&amp;L by component</h2>"
        + chart("chart-pnl-components", figures.pnl_components_figure(daily))
        + table(_pnl_rows(summary), "usd"),
        "<h2>Credit-to-hedge ratio</h2>"
        + chart("chart-credit-hedge", figures.credit_to_hedge_figure(daily))
        + '<p class="note">Condor credit over hedge cost in the trailing 252 trading days, '
        "log scale between the 2nd and 98th percentiles of the run's ratios (at least 0.5..2); "
        "a day outside is drawn on the bound and its hover text gives its value.</p>",
        period_returns_section(daily, result.capital),
        risk_graph_section(result, markets),
        stress_section(summary),
        "<h2>Metrics</h2>" + metrics_table({str(summary.get("policy")): summary}),
        provenance_section(result, summary, counted),
    ]
    warnings = summary.get("warnings")
    if isinstance(warnings, list) and warnings:
        sections.append(
            "<h2>Warnings</h2><ul>" + "".join(f"<li>{esc(w)}</li>" for w in warnings) + "</ul>"
        )
    subtitle = f"Policy {summary.get('policy')} · {summary.get('start')} to {summary.get('end')}"
    return _page("VixShield backtest report", subtitle, banner_section(result, counted), sections)


def _side(parts: Mapping[str, str]) -> str:
    """One column per run (stacked on a narrow screen), each headed by the run's name."""
    cells = "".join(f"<div><h3>{esc(name)}</h3>{html}</div>" for name, html in parts.items())
    return f'<div class="side">{cells}</div>'


def render_compare_html(
    results: Mapping[str, BacktestResult],
    summaries: Mapping[str, Mapping[str, object]],
    markets: MarketView | None = None,
) -> str:
    """``compare.html``: everything a single report has, for each run side by side.

    Overlaid equity and drawdown, the key metrics and every metric in one table
    (a column per run), P&L by component and stress windows side by side in one
    table each, and per run (in columns): banner, VIX and regime, P&L by
    component, credit-to-hedge ratio, monthly returns, risk graph, provenance.
    """
    names = list(summaries)
    dailies = {n: results[n].daily for n in names}
    kpi_rows: list[dict[str, object]] = []
    for key, label, kind in (("final_equity", "Final equity", "usd"), *KEY_METRICS):
        row: dict[str, object] = {"Metric": label}
        row.update({n: fmt_value(summaries[n].get(key), kind) for n in names})
        kpi_rows.append(row)
    components = sorted(
        {str(k) for s in summaries.values() for k in _as_map(s.get("pnl_by_component"))}
    )
    pnl_rows = [
        {"Component": c, **{n: _as_map(summaries[n].get("pnl_by_component")).get(c) for n in names}}
        for c in components
    ]
    ids = {n: f"-{i + 1}" for i, n in enumerate(names)}
    first = summaries[names[0]] if names else {}
    parts = {n: _run_parts(results[n], summaries[n], markets, ids[n]) for n in names}
    titles = list(parts[names[0]]) if names else []
    per_run = [(t, {n: parts[n][t] for n in names}) for t in titles]
    sections = [
        "<h2>Equity and drawdown</h2>"
        + chart("chart-compare", figures.compare_figure(dailies))
        + _BH_NOTE.replace("SPX buy", "Drawdowns are of each policy; SPX buy"),
        "<h2>Key metrics</h2>" + table(kpi_rows),
        "<h2>P&amp;L by component</h2>" + table(pnl_rows, "usd"),
        '<h2>Stress windows</h2><div id="stress-windows">'
        + table(
            compare_stress_rows(summaries), "usd", {"window": "Window", "from": "From", "to": "To"}
        )
        + '</div><p class="note">P&amp;L of each policy inside the shipped stress windows '
        "(dollars); a window marked (partial) is clipped to the runs' days.</p>",
        "<h2>Metrics</h2>" + metrics_table(summaries),
        *(f"<h2>{title}</h2>" + _side(parts) for title, parts in per_run),
    ]
    subtitle = f"{', '.join(names)} · {first.get('start')} to {first.get('end')}"
    return _page("VixShield policy comparison", subtitle, "", sections)


def _run_parts(
    result: BacktestResult,
    summary: Mapping[str, object],
    markets: MarketView | None,
    suffix: str,
) -> dict[str, str]:
    """Section title -> one run's fragment, for the side-by-side part of ``compare.html``."""
    daily = result.daily
    counted = window_provenance(result, markets)
    return {
        "What was real and what was modeled": banner_section(result, counted, suffix),
        "VIX and regime": chart(f"chart-vix-regime{suffix}", figures.vix_regime_figure(daily)),
        "P&amp;L by component": chart(
            f"chart-pnl-components{suffix}", figures.pnl_components_figure(daily)
        ),
        "Credit-to-hedge ratio": chart(
            f"chart-credit-hedge{suffix}", figures.credit_to_hedge_figure(daily)
        ),
        "Monthly returns": period_returns_section(daily, result.capital, suffix),
        "Risk graph": risk_graph_section(result, markets, suffix),
        "Provenance": provenance_section(result, summary, counted),
    }


def _as_map(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}
