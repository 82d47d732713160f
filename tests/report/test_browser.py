"""report.html and compare.html open in headless Chromium with every chart drawn, no JS errors.

Needs ``/usr/bin/chromium`` (CI installs it); skipped with the reason where absent.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from report_fakes import make_result

from vixshield.backtest import summary_dict
from vixshield.report.bundle import write_backtest_files, write_compare_files
from vixshield.report.summary import build_summary

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="headless Chromium not installed at /usr/bin/chromium"
    ),
]


def _dump_dom(page: Path, profile: Path) -> tuple[str, str]:
    """The DOM after load (and 10 s of virtual time for scripts), and Chromium's log."""
    proc = subprocess.run(
        [
            str(CHROMIUM),
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
    for m in re.finditer(r'<div id="(chart-[a-z-]+)"', dom):
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


def test_report_charts_render_without_errors(tmp_path: Path) -> None:
    result = make_result()
    write_backtest_files(tmp_path / "out", result, build_summary(result, summary_dict(result)))
    dom, log = _dump_dom(tmp_path / "out" / "report.html", tmp_path / "profile")
    charts = _chart_segments(dom)
    assert set(charts) == {
        "chart-equity",
        "chart-vix-regime",
        "chart-pnl-components",
        "chart-credit-hedge",
        "chart-risk-graph",
        "chart-monthly-returns",
    }
    for name, markup in charts.items():
        assert 'data-rendered="1"' in markup.split(">", 1)[0], f"{name} did not finish drawing"
        assert 'class="main-svg"' in markup, f"{name} has no plotly SVG"
        if name == "chart-monthly-returns":  # a heatmap is drawn as an image in its layer
            assert 'class="hm"' in markup and "<image" in markup, f"{name} has no heatmap"
        else:
            assert "<path" in markup and 'class="scatterlayer' in markup, f"{name} has no traces"
    _assert_clean(dom, log)


def test_compare_chart_renders(tmp_path: Path) -> None:
    a, b = make_result(), make_result(policy="no-hedge")
    summaries = {
        "alvh-442": build_summary(a, summary_dict(a)),
        "no-hedge": build_summary(b, summary_dict(b)),
    }
    write_compare_files(tmp_path / "out", {"alvh-442": a, "no-hedge": b}, summaries)
    dom, log = _dump_dom(tmp_path / "out" / "compare.html", tmp_path / "profile")
    (markup,) = _chart_segments(dom).values()
    assert 'data-rendered="1"' in markup.split(">", 1)[0] and 'class="main-svg"' in markup
    _assert_clean(dom, log)


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
