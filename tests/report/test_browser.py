"""report.html and compare.html open in headless Chromium with every chart drawn, no JS errors.

Needs ``/usr/bin/chromium`` (CI installs it); skipped with the reason where absent.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from report_fakes import make_result, on_trading_days

from vixshield.backtest import summary_dict
from vixshield.backtest.result import BacktestResult
from vixshield.markets.view import Markets
from vixshield.report.bundle import write_backtest_files, write_compare_files
from vixshield.report.summary import build_summary

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="headless Chromium not installed at /usr/bin/chromium"
    ),
]


def _dump_dom(page: Path, profile: Path, width: int | None = None) -> tuple[str, str]:
    """The DOM after load (and 10 s of virtual time for scripts), and Chromium's log.

    ``width``: the window's width in CSS pixels (Chromium's default without it).
    """
    size = [f"--window-size={width},1200"] if width is not None else []
    proc = subprocess.run(
        [
            str(CHROMIUM),
            *size,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=10000",
            "--dump-dom",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout, proc.stderr


def _chart_segments(dom: str) -> dict[str, str]:
    """Each chart div's markup up to the end of its section."""
    out = {}
    for m in re.finditer(r'<div id="(chart-[a-z0-9-]+)"', dom):
        end = dom.find("</section>", m.start())
        out[m.group(1)] = dom[m.start() : end]
    return out


def _assert_clean(dom: str, log: str) -> None:
    errors = re.search(r'<pre id="vs-errors"([^>]*)>(.*?)</pre>', dom, flags=re.S)
    assert errors is not None, "the error hook's element is missing"
    assert errors.group(2) == "", f"JavaScript errors: {errors.group(2)}"
    assert "hidden" in errors.group(1)
    console_errors = [ln for ln in log.splitlines() if "CONSOLE" in ln and "rror" in ln]
    assert console_errors == []


REPORT_CHARTS = {
    "chart-equity",
    "chart-vix-regime",
    "chart-pnl-components",
    "chart-credit-hedge",
    "chart-risk-graph",
    "chart-vix-scenarios",
    "chart-monthly-returns",
}


def _result(markets: Markets, policy: str = "alvh-442") -> BacktestResult:
    return on_trading_days(make_result(policy=policy), markets.data.daily.index)


def _assert_drawn(charts: dict[str, str]) -> None:
    for name, markup in charts.items():
        assert 'data-rendered="1"' in markup.split(">", 1)[0], f"{name} did not finish drawing"
        assert 'class="main-svg"' in markup, f"{name} has no plotly SVG"
        if name.startswith("chart-monthly-returns"):  # a heatmap is an image in its layer
            assert 'class="hm"' in markup and "<image" in markup, f"{name} has no heatmap"
        elif name.startswith("chart-vix-scenarios"):
            assert 'class="barlayer' in markup and "<path" in markup, f"{name} has no bars"
        else:
            assert "<path" in markup and 'class="scatterlayer' in markup, f"{name} has no traces"


def test_report_charts_render_without_errors(tmp_path: Path, embedded_markets: Markets) -> None:
    result = _result(embedded_markets)
    summary = build_summary(result, summary_dict(result))
    write_backtest_files(tmp_path / "out", result, summary, embedded_markets)
    dom, log = _dump_dom(tmp_path / "out" / "report.html", tmp_path / "profile")
    charts = _chart_segments(dom)
    assert set(charts) == REPORT_CHARTS
    _assert_drawn(charts)
    _assert_clean(dom, log)


def test_compare_page_renders_every_chart(tmp_path: Path, embedded_markets: Markets) -> None:
    results = {n: _result(embedded_markets, n) for n in ("alvh-442", "no-hedge")}
    summaries = {n: build_summary(r, summary_dict(r)) for n, r in results.items()}
    write_compare_files(tmp_path / "out", results, summaries, embedded_markets)
    dom, log = _dump_dom(tmp_path / "out" / "compare.html", tmp_path / "profile")
    charts = _chart_segments(dom)
    per_run = {c for c in REPORT_CHARTS if c != "chart-equity"}
    assert set(charts) == {"chart-compare"} | {f"{c}-{i}" for c in per_run for i in (1, 2)}
    _assert_drawn(charts)
    _assert_clean(dom, log)


_MEASURE = """
<script>
window.addEventListener("load", function () { setTimeout(function () {
  var bad = [], vw = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > vw + 1) bad.push("page " +
      document.documentElement.scrollWidth + " > " + vw);
  document.querySelectorAll("section").forEach(function (s, i) {
    var box = s.getBoundingClientRect();
    if (box.right > vw + 1 || box.left < -1) bad.push("section " + i + " at " + box.right);
    s.querySelectorAll(".chart .main-svg").forEach(function (svg) {
      var r = svg.getBoundingClientRect();
      if (r.right > box.right + 1 || r.left < box.left - 1) bad.push("chart " +
          svg.closest(".chart").id + " " + Math.round(r.left) + ".." + Math.round(r.right) +
          " in card " + Math.round(box.left) + ".." + Math.round(box.right));
    });
  });
  var errors = document.getElementById("vs-errors").textContent;
  parent.postMessage({width: vw, layout: bad.length ? bad.join("; ") : "ok", errors: errors}, "*");
}, 2000); });
</script>
"""

_HOST = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">
<pre id="vs-layout"></pre>
<script>
window.addEventListener("message", function (ev) {
  var out = document.getElementById("vs-layout");
  out.setAttribute("data-width", ev.data.width);
  out.setAttribute("data-errors", ev.data.errors);
  out.textContent = ev.data.layout;
});
</script>
<iframe src="PAGE" style="width:WIDTHpx;height:1200px;border:0"></iframe>
</body></html>
"""


def _layout(dom: str) -> tuple[int, str, str]:
    m = re.search(
        r'<pre id="vs-layout" data-width="(\d+)" data-errors="([^"]*)">(.*?)</pre>', dom, re.S
    )
    assert m is not None, "the layout probe did not run"
    return int(m.group(1)), m.group(3), m.group(2)


@pytest.mark.parametrize("width", [400, 420, 2000])
@pytest.mark.parametrize("page", ["report.html", "compare.html"])
def test_no_card_overflows_from_400_to_2000_pixels(
    tmp_path: Path, embedded_markets: Markets, page: str, width: int
) -> None:
    # Every section (card) lies inside the viewport, every chart inside its card, and the
    # page does not scroll sideways (wide tables scroll inside their card). Headless
    # Chromium's window is at least 500 px wide, so the page is loaded in an iframe of
    # ``width`` CSS pixels (its own viewport), which reports back by postMessage.
    results = {n: _result(embedded_markets, n) for n in ("alvh-442", "no-hedge")}
    summaries = {n: build_summary(r, summary_dict(r)) for n, r in results.items()}
    out = tmp_path / "out"
    write_backtest_files(out, results["alvh-442"], summaries["alvh-442"], embedded_markets)
    write_compare_files(out, results, summaries, embedded_markets)
    path = out / page
    path.write_text(
        path.read_text(encoding="utf-8").replace("</body>", _MEASURE + "</body>"),
        encoding="utf-8",
    )
    host = out / "host.html"
    host.write_text(_HOST.replace("PAGE", page).replace("WIDTH", str(width)), encoding="utf-8")
    dom, log = _dump_dom(host, tmp_path / "profile", width + 100)
    seen, verdict, errors = _layout(dom)
    assert width - 20 <= seen <= width  # less the vertical scrollbar
    assert verdict == "ok"
    assert errors == ""
    assert [ln for ln in log.splitlines() if "CONSOLE" in ln and "rror" in ln] == []


def test_the_error_hook_catches_a_broken_script(tmp_path: Path) -> None:
    # Control: prove the check above can fail. A page with a bad script shows its error.
    result = make_result()
    write_backtest_files(tmp_path / "out", result, build_summary(result, summary_dict(result)))
    page = tmp_path / "out" / "report.html"
    text = page.read_text(encoding="utf-8")
    page.write_text(
        text.replace("</main>", "<script>noSuchFunction();</script></main>"), encoding="utf-8"
    )
    dom, log = _dump_dom(page, tmp_path / "profile")
    errors = re.search(r'<pre id="vs-errors"[^>]*>(.*?)</pre>', dom, flags=re.S)
    assert errors is not None and "noSuchFunction" in errors.group(1)
    assert any("CONSOLE" in ln and "noSuchFunction" in ln for ln in log.splitlines())
