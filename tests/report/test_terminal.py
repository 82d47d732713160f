"""Rich terminal views (vixshield.report.terminal, vixshield.report.signal_view)."""

from __future__ import annotations

import json

import pandas as pd
from report_fakes import make_decision, make_result, positions
from rich.console import Console

from vixshield.backtest import summary_dict
from vixshield.report.json_out import dumps_stable
from vixshield.report.signal_view import SIGNAL_SCHEMA, build_signal, print_signal
from vixshield.report.summary import build_summary
from vixshield.report.terminal import fmt_value, print_compare, print_summary


def _console() -> Console:
    return Console(record=True, width=160, color_system=None)


def test_fmt_value() -> None:
    assert fmt_value(None) == "–"
    assert fmt_value(0.0812, "pct") == "8.12%"
    assert fmt_value(-1200.4, "usd") == "-$1,200.40"  # money to the cent
    assert fmt_value(99305.405, "usd") == "$99,305.41"  # half away from zero
    assert fmt_value(-0.004, "usd") == "$0.00"
    assert fmt_value(float("nan"), "usd") == "–"
    assert fmt_value(3.6, "int") == "4"
    assert fmt_value(1.2345, "num") == "1.23"
    assert fmt_value(12) == "12" and fmt_value("x") == "x" and fmt_value(True) == "True"


def test_summary_view_shows_metrics_components_stress_and_provenance() -> None:
    result = make_result()
    console = _console()
    print_summary(console, build_summary(result, summary_dict(result)))
    text = console.export_text()
    for needle in (
        "CAGR",
        "8.10%",
        "Sharpe",
        "1.21",
        "Max drawdown",
        "-4.30%",
        "hedge:core",
        "-$1,200.00",
        "February 2018",  # the shipped stress window the run spans
        "spx_options",
        "modeled",
        "vix9d missing",
    ):
        assert needle in text, needle


def test_compare_view_has_one_column_per_policy() -> None:
    summaries = {
        name: build_summary(r, summary_dict(r))
        for name, r in (("alvh-442", make_result()), ("no-hedge", make_result(policy="no-hedge")))
    }
    console = _console()
    print_compare(console, summaries)
    text = console.export_text()
    assert "alvh-442" in text and "no-hedge" in text and "P&L condor" in text


def test_signal_document_follows_the_schema() -> None:
    day = pd.Timestamp("2018-02-26")
    doc = build_signal(make_decision(day), positions(), "alvh-442")
    assert doc["schema"] == SIGNAL_SCHEMA and doc["date"] == "2018-02-26"
    assert doc["regime"] == {
        "name": "normal",
        "inputs": {"vix": 17.5, "term_slope": 0.08, "vvix": "missing"},
    }
    assert doc["condor"]["strikes"] == [2550.0, 2600.0, 2700.0, 2750.0]  # type: ignore[index]
    assert doc["hedge_layers"]["core"] == {"target": 15, "held": 10, "order": 5}  # type: ignore[index]
    assert doc["credit_to_hedge"] == 1.32
    assert doc["events"][0]["kind"] == "FOMC"  # type: ignore[index]
    assert len(doc["orders"]) == 3  # type: ignore[arg-type]
    (manage,) = doc["management"]  # type: ignore[misc]
    assert manage["position_id"] == "IC-1" and manage["action"] == "close"
    assert [p["id"] for p in doc["positions"]] == ["IC-1", "H-1"]  # type: ignore[union-attr, index]
    assert doc["audit"][0] == {"rule": "regime", "inputs": {"vix": 17.5}, "outcome": "normal"}  # type: ignore[index]
    assert doc["other"] == {"notes": "hand-made"}
    assert json.loads(dumps_stable(doc)) == doc


def test_signal_view_shows_every_part() -> None:
    doc = build_signal(make_decision(pd.Timestamp("2018-02-26")), positions(), "alvh-442")
    console = _console()
    print_signal(console, doc)
    text = console.export_text()
    for needle in (
        "Regime: normal",
        "probability_of_profit",
        "0.71",
        "Management of open positions",
        "take profit at 50%",
        "Hedge layers",
        "core",
        "FOMC 2018-03",
        "Audit trail",
        "condor.entry",
        "-1 SPX 2018-03-16 2,600P",
    ):
        assert needle in text, needle


def test_signal_without_details_says_so() -> None:
    from vixshield.strategy.types import Decision

    decision = Decision(pd.Timestamp("2018-02-26"), "calm", {}, (), ())
    doc = build_signal(decision, (), "p")
    assert doc["condor"] is None and doc["orders"] == [] and doc["other"] == {}
    console = _console()
    print_signal(console, doc)
    text = console.export_text()
    assert "Condor: no candidate reported" in text and "Orders: none" in text


def test_condor_reason_comes_from_the_failed_rules() -> None:
    from vixshield.strategy.types import Decision, RuleFired

    audit = (
        RuleFired("entry_schedule", {"every_n_days": 5.0}, "pass", "due"),
        RuleFired("regime_permission", {"regime": "stressed"}, "fail", "block"),
        RuleFired("condor_expiry", {"dte_min": 45.0}, "fail", "no listed expiry in window"),
    )
    doc = build_signal(Decision(pd.Timestamp("2018-02-05"), "stressed", {}, (), audit), (), "p")
    assert doc["condor_reason"] == (
        "regime_permission: fail: block; condor_expiry: fail: no listed expiry in window"
    )
    opened = build_signal(make_decision(pd.Timestamp("2018-02-26")), (), "p")
    assert opened["condor_reason"] is None


def test_wide_layer_rows_are_shown_one_column_per_layer() -> None:
    from vixshield.strategy.types import Decision

    fields = {f"field_{i}": i for i in range(8)}
    layers = [{"layer": "short", **fields}, {"layer": "long", **fields}]
    decision = Decision(pd.Timestamp("2018-02-05"), "calm", {}, (), (), {"hedge": layers})
    console = _console()
    print_signal(console, build_signal(decision, (), "p"))
    text = console.export_text()
    header = next(ln for ln in text.splitlines() if "short" in ln and "long" in ln)
    assert "field" in header  # transposed: fields down, layers across
    assert any("field_7" in ln for ln in text.splitlines())


def test_column_kind_by_name() -> None:
    from vixshield.report.terminal import column_kind

    assert column_kind("pnl_hedge:long") == "usd" and column_kind("final_equity") == "usd"
    assert column_kind("spx_return") == "pct" and column_kind("cagr") == "pct"
    assert column_kind("vix_max") == "auto" and column_kind("sharpe") == "auto"
