"""report.html / compare.html: self-contained, deterministic, complete (vixshield.report.html)."""

from __future__ import annotations

import re

import pandas as pd
from plotly.offline import get_plotlyjs
from report_fakes import make_result

from vixshield.backtest import summary_dict
from vixshield.report.charts import regime_spans
from vixshield.report.html import (
    latest_condor_positions,
    render_compare_html,
    render_report_html,
)
from vixshield.report.summary import build_summary

REPORT_CHARTS = (
    "chart-equity",
    "chart-vix-regime",
    "chart-pnl-components",
    "chart-credit-hedge",
    "chart-risk-graph",
    "chart-monthly-returns",
)


def _report(**kwargs: object) -> str:
    result = make_result(**kwargs)  # type: ignore[arg-type]
    return render_report_html(result, build_summary(result, summary_dict(result)))


def test_report_is_self_contained() -> None:
    page = _report()
    # plotly.js is embedded exactly once (its own source mentions URLs in strings: set it aside)
    assert page.count(get_plotlyjs()) == 1
    ours = page.replace(get_plotlyjs(), "")
    # no external script or stylesheet, no remote reference of any kind in our markup
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)
    assert not re.search(r"https?://", ours)
    assert "@import" not in ours


def test_report_is_deterministic_and_has_every_section() -> None:
    page = _report()
    assert page == _report()
    for div in REPORT_CHARTS:
        assert page.count(f'<div id="{div}"') == 1
    headings = ("Key metrics", "Monthly returns", "Stress windows", "Metrics", "Provenance")
    for heading in (*headings, "Risk graph"):
        assert f"<h2>{heading}</h2>" in page
    assert '<td class="real">real</td>' in page and '<td class="modeled">modeled</td>' in page
    assert "<td>February 2018</td>" in page  # the shipped stress window the run spans
    assert "vix9d missing before 2011-01-03" in page  # the run warning


def test_risk_graph_rebuilt_from_trades_when_no_condor_is_open() -> None:
    result = make_result(open_condor=False)
    found = latest_condor_positions(result)
    assert found is not None
    (condor,), opened = found
    # the fills in report_fakes: +3.0 -5.5 -4.0 +1.5 = -5.0 (a 5-point credit), 2 contracts
    assert condor.entry_price == -5.0 and condor.contracts == 2
    assert [leg.strike for leg in condor.legs] == [2550.0, 2600.0, 2700.0, 2750.0]
    assert opened == result.trades["date"].iloc[0]
    assert '<div id="chart-risk-graph"' in _report(open_condor=False)


def test_report_without_any_condor_says_so() -> None:
    result = make_result(open_condor=False)
    result = type(result)(**{**result.__dict__, "trades": result.trades.iloc[0:0]})
    page = render_report_html(result, build_summary(result, summary_dict(result)))
    assert "No condor was traded in this run." in page
    assert '<div id="chart-risk-graph"' not in page


def test_text_is_escaped() -> None:
    result = make_result(policy="<script>alert(1)</script>")
    page = render_report_html(result, build_summary(result, summary_dict(result)))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_compare_page() -> None:
    a, b = make_result(policy="alvh-442"), make_result(policy="no-hedge")
    summaries = {
        n: build_summary(r, summary_dict(r)) for n, r in (("alvh-442", a), ("no-hedge", b))
    }
    page = render_compare_html(summaries, {"alvh-442": a.daily, "no-hedge": b.daily})
    assert page.count('<div id="chart-compare"') == 1
    assert "<th>alvh-442</th>" in page and "<th>no-hedge</th>" in page
    assert not re.search(r"<script[^>]+src=", page)
    assert page == render_compare_html(summaries, {"alvh-442": a.daily, "no-hedge": b.daily})


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
