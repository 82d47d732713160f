"""report.html / compare.html: self-contained, deterministic, complete (vixshield.report.html)."""

from __future__ import annotations

import html
import re

import pandas as pd
from plotly.offline import get_plotlyjs
from report_fakes import make_result, on_trading_days

from vixshield.backtest import summary_dict
from vixshield.backtest.result import BacktestResult
from vixshield.markets.view import Markets
from vixshield.report.charts import regime_spans
from vixshield.report.html import render_compare_html, render_report_html
from vixshield.report.summary import build_summary

REPORT_CHARTS = (
    "chart-equity",
    "chart-vix-regime",
    "chart-pnl-components",
    "chart-credit-hedge",
    "chart-risk-graph",
    "chart-vix-scenarios",
    "chart-monthly-returns",
)


def _result(markets: Markets | None = None, **kwargs: object) -> BacktestResult:
    result = make_result(**kwargs)  # type: ignore[arg-type]
    return result if markets is None else on_trading_days(result, markets.data.daily.index)


def _report(markets: Markets | None = None, **kwargs: object) -> str:
    result = _result(markets, **kwargs)
    return render_report_html(result, build_summary(result, summary_dict(result)), markets)


def test_report_is_self_contained(embedded_markets: Markets) -> None:
    page = _report(embedded_markets)
    # plotly.js is embedded exactly once (its own source mentions URLs in strings: set it aside)
    assert page.count(get_plotlyjs()) == 1
    ours = page.replace(get_plotlyjs(), "")
    # no external script or stylesheet, no remote reference of any kind in our markup
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)
    assert not re.search(r"https?://", ours)
    assert "@import" not in ours


def test_report_is_deterministic_and_has_every_section(embedded_markets: Markets) -> None:
    page = _report(embedded_markets)
    assert page == _report(embedded_markets)
    for div in REPORT_CHARTS:
        assert page.count(f'<div id="{div}"') == 1
    headings = ("Key metrics", "Monthly returns", "Stress windows", "Metrics", "Risk graph")
    for heading in (*headings, "VIX scenarios"):
        assert f"<h2>{heading}</h2>" in page
    assert "<h2>Provenance in this run (2018-01-02 to 2018-02-26)</h2>" in page
    assert '<td class="real">real</td>' in page and '<td class="modeled">modeled</td>' in page
    assert "<td>February 2018</td>" in page  # the shipped window the run spans
    assert "vix9d missing before 2011-01-03" in page  # the run warning


def test_banner_names_real_and_modeled_inputs_of_the_window(embedded_markets: Markets) -> None:
    page = _report(embedded_markets)
    banner = re.search(r'<div class="banner" id="banner">(.*?)</div>', page, flags=re.S)
    assert banner is not None and page.index('id="banner"') < page.index("<section>")
    text = banner.group(1)
    # the fakes' four condor fills are modeled; the embedded sample has no VX futures
    # (modeled curve) and no VVIX (stand-in), but real VIX closes in 2018
    real, modeled = text.split('<p class="modeled">')
    assert "VIX close" in real and "SPX options (fills)" in modeled
    assert "VX futures (front month)" in modeled and "VVIX" in modeled
    assert "Real in this run (2018-01-02 to 2018-02-26)" in real


def test_metrics_table_has_human_labels_and_units() -> None:
    page = _report()
    table = page[page.index('<table id="metrics">') :]
    table = table[: table.index("</table>")]
    # metrics() in the fakes: cagr 0.081, max_drawdown -0.043, sharpe 1.21
    assert '<td title="cagr">CAGR %</td><td class="num">8.10</td>' in table
    assert '<td title="max_drawdown">Max drawdown %</td><td class="num">-4.30</td>' in table
    assert '<td title="sharpe">Sharpe ratio</td><td class="num">1.21</td>' in table
    assert ">cagr<" not in table and "credit_to_hedge_ratio<" not in table


def test_report_without_markets_says_why_there_is_no_risk_graph() -> None:
    page = _report()
    assert "Not drawn: the risk graph is priced on the run's own markets" in page
    assert '<div id="chart-risk-graph"' not in page
    assert "Inputs not counted: the run's markets not given." in html.unescape(page)


def test_report_with_nothing_open_says_so(embedded_markets: Markets) -> None:
    page = _report(embedded_markets, open_condor=False)
    assert "No position open on 2018-02-26." in page
    assert '<div id="chart-risk-graph"' not in page


def test_buy_and_hold_is_labelled_price_only() -> None:
    page = _report()
    assert "SPX buy & hold (price only)" in page
    assert "price only, dividends not reinvested" in page


def test_text_is_escaped() -> None:
    result = make_result(policy="<script>alert(1)</script>")
    page = render_report_html(result, build_summary(result, summary_dict(result)))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_compare_page_has_everything_side_by_side(embedded_markets: Markets) -> None:
    results = {n: _result(embedded_markets, policy=n) for n in ("alvh-442", "no-hedge")}
    summaries = {n: build_summary(r, summary_dict(r)) for n, r in results.items()}
    page = render_compare_html(results, summaries, embedded_markets)
    assert page.count('<div id="chart-compare"') == 1
    assert "<th>alvh-442</th>" in page and "<th>no-hedge</th>" in page
    for i in (1, 2):
        for div in REPORT_CHARTS[1:]:
            assert page.count(f'<div id="{div}-{i}"') == 1, (div, i)
        assert f'id="banner-{i}"' in page
    for heading in ("Stress windows", "Metrics", "P&amp;L by component", "Provenance"):
        assert f"<h2>{heading}</h2>" in page
    assert "<td>February 2018</td>" in page
    assert not re.search(r"<script[^>]+src=", page)
    assert page == render_compare_html(results, summaries, embedded_markets)


def test_regime_spans_touch_and_cover_the_period() -> None:
    idx = pd.bdate_range("2018-01-01", periods=6)
    spans = regime_spans(
        pd.Series(["calm", "calm", "normal", "normal", "normal", "calm"], index=idx)
    )
    assert spans == [
        ("calm", "2018-01-01", "2018-01-03"),
        ("normal", "2018-01-03", "2018-01-08"),
        ("calm", "2018-01-08", "2018-01-08"),
    ]


def test_vix_scenarios_say_when_no_hedge_is_open(embedded_markets: Markets) -> None:
    result = _result(embedded_markets)
    condors = tuple(p for p in result.open_positions if p.kind == "condor")
    result = type(result)(**{**result.__dict__, "open_positions": condors})
    page = render_report_html(result, build_summary(result, summary_dict(result)), embedded_markets)
    assert "No hedge open on 2018-02-26: nothing pays in a VIX jump" in html.unescape(page)
    assert "No hedge open" not in _report(embedded_markets)
