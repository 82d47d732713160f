"""The summary document and its schema (vixshield.report.summary)."""

from __future__ import annotations

import json

import pytest
from report_fakes import CAPITAL, make_result

from vixshield.backtest import summary_dict
from vixshield.report.json_out import dumps_stable
from vixshield.report.summary import (
    SUMMARY_SCHEMA,
    build_summary,
    provenance_rows,
    stress_rows,
    validate_summary,
)


def test_summary_of_a_run_passes_the_schema() -> None:
    result = make_result()
    doc = build_summary(result, summary_dict(result))
    assert validate_summary(doc) == []
    assert doc["policy"] == "alvh-442"
    assert doc["start"] == "2018-01-02" and doc["capital"] == CAPITAL
    # final equity is the last equity row: capital plus the sum of daily P&L
    assert doc["final_equity"] == pytest.approx(
        CAPITAL + float(result.daily["pnl"].sum()), rel=1e-9
    )


def test_summary_json_is_byte_identical_across_builds() -> None:
    a = dumps_stable(build_summary(make_result(), summary_dict(make_result())))
    b = dumps_stable(build_summary(make_result(), summary_dict(make_result())))
    assert a == b
    assert json.loads(a)["sharpe"] == 1.21


def test_schema_violations_are_reported() -> None:
    doc = build_summary(make_result(), summary_dict(make_result()))
    doc.pop("cagr")
    doc["sharpe"] = "high"
    doc["pnl_by_component"] = {"condor": "lots"}
    problems = validate_summary(doc)
    assert "missing key 'cagr'" in problems
    assert "'sharpe' is string, expected number or null" in problems
    assert any("pnl_by_component.condor" in p for p in problems)
    assert set(SUMMARY_SCHEMA) >= {"cagr", "sharpe", "provenance"}


def test_run_header_wins_over_metrics() -> None:
    result = make_result(policy="static-442")
    doc = build_summary(result, {"policy": "other", "cagr": 0.1})
    assert doc["policy"] == "static-442" and doc["cagr"] == 0.1


def test_table_rows_from_mapping_and_list() -> None:
    assert stress_rows({"stress_windows": {"2018-02": {"spx": -0.1}}}) == [
        {"window": "2018-02", "spx": -0.1}
    ]
    assert stress_rows({"stress_windows": [{"window": "a"}]}) == [{"window": "a"}]
    assert stress_rows({}) == []
    rows = provenance_rows({"provenance": {"vix": {"origin": "real"}, "spx": {"origin": "real"}}})
    assert [r["series"] for r in rows] == ["spx", "vix"]


def test_package_exports_resolve_to_their_objects() -> None:
    import vixshield.report as report

    for name in report.__all__:
        first, again = getattr(report, name), getattr(report, name)
        assert first is again and not isinstance(first, type(report)), name
