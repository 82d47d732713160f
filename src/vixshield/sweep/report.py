"""Self-contained HTML reports of a sweep and of a walk-forward (work offline).

plotly.js is embedded once from the installed plotly package; the data are embedded as
JSON. ``sweep.html`` has a sortable table of every variant (click a header), a heatmap
of a chosen metric over two chosen grid parameters (drop-downs; where other parameters
vary too, each cell shows the best value over them) and the Pareto front of return
(CAGR) against drawdown (`pareto_front`). ``walkforward.html`` has the stitched
out-of-sample equity beside the fixed base policy, the metrics and the folds.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vixshield._typing import ArrayLike, BoolArray
from vixshield.errors import UserError
from vixshield.sweep.inputs import inputs_document

__all__ = [
    "HEADLINE",
    "inputs_sections",
    "pareto_front",
    "render_sweep_html",
    "render_walkforward_html",
    "write_sweep_html",
    "write_text",
]

HEADLINE: tuple[str, ...] = (
    "total_return",
    "cagr",
    "annual_volatility",
    "sharpe",
    "sortino",
    "max_drawdown",
    "calmar",
    "worst_month",
    "cvar_95",
    "cycles",
    "win_rate",
    "credit_collected",
    "hedge_premium_paid",
    "credit_to_hedge_premium_ratio",
    "final_equity",
)
"""Summary fields shown in the reports (the parquet keeps them all)."""

_CSS = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.8rem}
th,td{border:1px solid #ccc;padding:.2rem .4rem}td.num{text-align:right}
th{background:#f3f3f3;cursor:pointer;position:sticky;top:0}
tr.front td{background:#fff4d6}.note{color:#666;font-size:.85rem}
.chart{width:100%;height:480px}select{margin-right:1rem}
"""

_SORT_JS = """
function vsSortable(table){
  table.querySelectorAll('th').forEach(function(th, col){
    th.addEventListener('click', function(){
      var body = table.tBodies[0], rows = Array.from(body.rows);
      var asc = th.dataset.asc !== '1'; th.dataset.asc = asc ? '1' : '0';
      rows.sort(function(a, b){
        var x = a.cells[col].dataset.v, y = b.cells[col].dataset.v;
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : String(x).localeCompare(String(y));
        if (x === '') c = 1; else if (y === '') c = -1; else if (!asc) c = -c;
        return c;
      });
      rows.forEach(function(r){ body.appendChild(r); });
    });
  });
}
document.querySelectorAll('table.sortable').forEach(vsSortable);
"""

_HEATMAP_JS = """
(function(){
  var rows = VS_ROWS, m = document.getElementById('hm-metric'),
      x = document.getElementById('hm-x'), y = document.getElementById('hm-y');
  if (!m || !x || !y) return;
  function uniq(k){ var s = []; rows.forEach(function(r){
    var v = r[k]; if (s.indexOf(v) < 0) s.push(v); });
    return s.sort(function(a, b){ return (typeof a === 'number' && typeof b === 'number')
      ? a - b : String(a).localeCompare(String(b)); }); }
  function draw(){
    var xs = uniq(x.value), ys = uniq(y.value), z = ys.map(function(){
      return xs.map(function(){ return null; }); });
    rows.forEach(function(r){
      var v = r[m.value]; if (v === null || v === undefined || isNaN(v)) return;
      var i = ys.indexOf(r[y.value]), j = xs.indexOf(r[x.value]);
      if (z[i][j] === null || v > z[i][j]) z[i][j] = v; });
    Plotly.react('heatmap', [{type: 'heatmap', z: z, x: xs.map(String), y: ys.map(String),
      colorscale: 'Viridis', hoverongaps: false, colorbar: {title: m.value}}],
      {margin: {t: 30}, xaxis: {title: x.value, type: 'category'},
       yaxis: {title: y.value, type: 'category'}}, {displaylogo: false, responsive: true});
  }
  [m, x, y].forEach(function(s){ s.addEventListener('change', draw); });
  draw();
})();
"""


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _clean(value: object) -> object:
    if isinstance(value, float | np.floating):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def pareto_front(returns: ArrayLike, drawdowns: ArrayLike) -> BoolArray:
    """Which points are on the Pareto front of return (higher better) against drawdown.

    Parameters
    ----------
    returns : array_like
        Return per point (e.g. CAGR, decimal).
    drawdowns : array_like
        Maximum drawdown per point (decimal, <= 0: closer to 0 is better).

    Returns
    -------
    ndarray of bool
        True where no other point has a return at least as high and a drawdown at least
        as shallow with one of them strictly better. NaN points are never on the front.
    """
    r = np.asarray(returns, dtype=np.float64)
    d = np.asarray(drawdowns, dtype=np.float64)
    ok = np.isfinite(r) & np.isfinite(d)
    front = np.zeros(r.shape, dtype=bool)
    for i in np.flatnonzero(ok):
        better = ok & (r >= r[i]) & (d >= d[i]) & ((r > r[i]) | (d > d[i]))
        front[i] = not bool(better.any())
    return front


def _table(rows: Sequence[Mapping[str, object]], columns: Sequence[str], mark: str = "") -> str:
    head = "".join(f"<th>{_esc(c)}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for c in columns:
            v = _clean(row.get(c))
            num = isinstance(v, int | float) and not isinstance(v, bool)
            data = "" if v is None else _esc(v)
            cls = ' class="num"' if num else ""
            cells.append(f'<td{cls} data-v="{data}">{_esc(_fmt(v))}</td>')
        cls = ' class="front"' if mark and row.get(mark) else ""
        body.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
    return (
        f'<table class="sortable"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _json(value: object) -> str:
    return json.dumps(value, allow_nan=False, default=str).replace("</", "<\\/")


def _page(title: str, sections: Sequence[str], script: str = "") -> str:
    from plotly.offline import get_plotlyjs

    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{_esc(title)}</title><style>{_CSS}</style>",
            f"<script>{get_plotlyjs()}</script>",
            f"</head><body><h1>{_esc(title)}</h1>",
            *sections,
            f"<script>{_SORT_JS}{script}</script></body></html>",
            "",
        ]
    )


def _figure(div_id: str, fig: Any) -> str:
    spec = str(fig.to_json()).replace("</", "<\\/")
    return (
        f'<div id="{div_id}" class="chart"></div><script>var s_{div_id} = {spec};'
        f'Plotly.newPlot("{div_id}", s_{div_id}.data, s_{div_id}.layout, '
        "{displaylogo: false, responsive: true});</script>"
    )


def _options(name: str, values: Sequence[str], selected: str) -> str:
    opts = "".join(
        f'<option value="{_esc(v)}"{" selected" if v == selected else ""}>{_esc(v)}</option>'
        for v in values
    )
    return f'<label>{_esc(name)} <select id="hm-{name}">{opts}</select></label>'


_MAX_WARNINGS = 40  # distinct warnings listed in a report (the JSON keeps them all)


def inputs_sections(inputs: Mapping[str, Any]) -> list[str]:
    """The report sections of an `vixshield.sweep.inputs.inputs_document`: each input
    series real, modeled or mixed over the runs, then the runs' warnings."""
    runs = int(inputs.get("runs", 0))
    series = inputs.get("series", {})
    rows = [
        {
            "series": name,
            "origin": v.get("origin"),
            "provider": v.get("provider"),
            "modeled in": f"{v.get('modeled_runs')} of {v.get('runs')} runs",
        }
        for name, v in series.items()
    ]
    warnings = list(inputs.get("warnings", []))
    shown = [{"runs": w.get("runs"), "warning": w.get("text")} for w in warnings[:_MAX_WARNINGS]]
    more = len(warnings) - len(shown)
    tail = f'<p class="note">{more} more in the JSON document.</p>' if more > 0 else ""
    return [
        "<h2>Inputs: real or modeled</h2>",
        f'<p class="note">Over the {runs} runs: where each input came from (a '
        "<code>:modeled_fill</code> entry counts the days a real series was stood in for; "
        "<code>options:*</code> the option quotes).</p>",
        _table(rows, ["series", "origin", "provider", "modeled in"]),
        "<h2>Warnings</h2>",
        _table(shown, ["runs", "warning"]) if shown else '<p class="note">None.</p>',
        tail,
    ]


def render_sweep_html(frame: pd.DataFrame, params: Sequence[str], title: str) -> str:
    """The sweep report (see the module docstring) of a `run_sweep` frame."""
    import plotly.graph_objects as go

    metrics = [c for c in HEADLINE if c in frame.columns]
    rows = [{str(k): _clean(v) for k, v in r.items()} for r in frame.to_dict("records")]
    on_front = (
        pareto_front(frame["cagr"], frame["max_drawdown"])
        if {"cagr", "max_drawdown"} <= set(frame.columns)
        else np.zeros(len(frame), dtype=bool)
    )
    for row, flag in zip(rows, on_front, strict=True):
        row["pareto"] = bool(flag)
    columns = ["variant", *params, *metrics, "pareto"]
    sections = [
        f'<p class="note">{len(frame)} variants; click a header to sort. Rows on the '
        "Pareto front of CAGR against maximum drawdown are highlighted. Every summary "
        "field is in sweep.parquet.</p>",
        "<h2>Variants</h2>",
        _table(rows, columns, mark="pareto"),
        "<h2>Heatmap</h2>",
    ]
    if len(params) >= 2:
        default = "calmar" if "calmar" in metrics else metrics[0]
        sections.append(
            "<p>"
            + _options("metric", metrics, default)
            + _options("x", list(params), params[0])
            + _options("y", list(params), params[1])
            + '</p><p class="note">Where other parameters vary, a cell shows the best '
            "(highest) value over them.</p>" + '<div id="heatmap" class="chart"></div>'
        )
    else:
        sections.append('<p class="note">A heatmap needs a grid of two or more parameters.</p>')
    if "cagr" in frame.columns and "max_drawdown" in frame.columns:
        labels = frame["label"].astype(str).tolist() if "label" in frame else None
        fig = go.Figure()
        fig.add_trace(
            go.Scatter(
                x=frame["max_drawdown"],
                y=frame["cagr"],
                mode="markers",
                name="variants",
                text=labels,
                marker={"color": "#888"},
            )
        )
        front = frame.loc[on_front].sort_values("max_drawdown")
        fig.add_trace(
            go.Scatter(
                x=front["max_drawdown"],
                y=front["cagr"],
                mode="lines+markers",
                name="Pareto front",
                text=front["label"].astype(str).tolist() if "label" in front else None,
                marker={"color": "#d62728", "size": 9},
            )
        )
        fig.update_layout(
            xaxis_title="max drawdown (decimal, closer to 0 is better)",
            yaxis_title="CAGR (decimal)",
            margin={"t": 30},
        )
        sections += ["<h2>Pareto front: return against drawdown</h2>", _figure("pareto", fig)]
    sections += inputs_sections(inputs_document(frame.to_dict("records")))
    data = [{k: row.get(k) for k in ["label", *params, *metrics]} for row in rows]
    script = f"var VS_ROWS = {_json(data)};{_HEATMAP_JS}"
    return _page(title, sections, script)


def write_text(path: Path, text: str) -> None:
    """Write ``text`` atomically (temporary file, then ``os.replace``); `UserError` on failure."""
    import os

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise UserError(f"cannot write {path}: {err.strerror or err}") from None


def write_sweep_html(frame: pd.DataFrame, params: Sequence[str], path: Path, title: str) -> None:
    """Render and write ``sweep.html``."""
    write_text(path, render_sweep_html(frame, params, title))


def render_walkforward_html(
    title: str,
    equity: pd.DataFrame,
    metrics: Sequence[Mapping[str, object]],
    folds: pd.DataFrame,
    fold_columns: Sequence[str],
    inputs: Mapping[str, Any],
) -> str:
    """The walk-forward report: equity curves, the metrics table, the folds table and
    what the runs' inputs were (``inputs``: `vixshield.sweep.inputs.inputs_document`)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for column in equity.columns:
        fig.add_trace(go.Scatter(x=equity.index, y=equity[column], mode="lines", name=column))
    fig.update_layout(yaxis_title="equity (USD, chained test windows)", margin={"t": 30})
    metric_cols = list(dict.fromkeys(k for m in metrics for k in m))
    fold_rows = [{str(k): _clean(v) for k, v in r.items()} for r in folds.to_dict("records")]
    sections = [
        '<p class="note">Each fold chooses the best variant on its training window, then '
        "runs it on the following test window starting flat (no positions carried). The "
        "out-of-sample curve chains the test windows' daily returns; the base policy is run "
        "on the same test windows.</p>",
        "<h2>Out-of-sample equity</h2>",
        _figure("equity", fig),
        "<h2>Metrics</h2>",
        _table(metrics, metric_cols),
        "<h2>Folds</h2>",
        _table(fold_rows, list(fold_columns)),
        *inputs_sections(inputs),
    ]
    return _page(title, sections)
