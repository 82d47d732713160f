"""Provenance of a run's own window and the banner (vixshield.report.window).

References: the fills in report_fakes (four modeled SPX fills), and the embedded sample's
own contents (VIX closes present in 2018, no VVIX, no VX futures: its provenance notes).
"""

from __future__ import annotations

from report_fakes import make_result, on_trading_days

from vixshield.data.market import Provenance
from vixshield.markets.view import Markets
from vixshield.report.window import banner_text, window_provenance


def _by_input(rows: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {str(r["input"]): r for r in rows}


def test_fills_are_counted_from_the_trades_without_markets() -> None:
    rows = _by_input(window_provenance(make_result()))
    spx = rows["SPX options (fills)"]
    assert (spx["origin"], spx["real"], spx["modeled"], spx["unit"]) == ("modeled", 0, 4, "fills")
    assert rows["VIX options (fills)"]["origin"] == "none"
    note = str(rows["VIX, VVIX, rate, dividend yield, VX futures"]["note"])
    assert note == "inputs not counted: the run's markets not given"


def test_inputs_are_counted_over_the_runs_days_only(embedded_markets: Markets) -> None:
    result = on_trading_days(make_result(), embedded_markets.data.daily.index)
    modeled_rate = Provenance("rate", "model", "fed funds", "2024-01-01T00:00:00Z", "modeled")
    result = type(result)(
        **{**result.__dict__, "provenance": {**result.provenance, "rate": modeled_rate}}
    )
    n = len(result.daily)
    rows = _by_input(window_provenance(result, embedded_markets))
    data = embedded_markets.data.daily.loc[result.start : result.end]
    assert data["vix"].notna().all() and data["vvix"].isna().all()  # the sample's contents
    assert (rows["VIX close"]["real"], rows["VIX close"]["modeled"]) == (n, 0)
    assert (rows["VVIX (VIX-option vol)"]["real"], rows["VVIX (VIX-option vol)"]["modeled"]) == (
        0,
        n,
    )
    # present every day in the data, but the store says the series itself is modeled
    assert rows["Risk-free rate"]["origin"] == "modeled"
    assert rows["VX futures (front month)"]["origin"] == "modeled"  # no VX in the sample


def test_banner_names_mixed_inputs_on_both_sides() -> None:
    rows = [
        {"input": "VIX close", "origin": "mixed", "real": 10, "modeled": 2, "unit": "days"},
        {"input": "SPX options (fills)", "origin": "modeled", "real": 0, "modeled": 4,
         "unit": "fills"},
        {"input": "Risk-free rate", "origin": "real", "real": 12, "modeled": 0, "unit": "days"},
        {"input": "VX", "origin": "none", "real": 0, "modeled": 0, "unit": "days"},
    ]  # fmt: skip
    real, modeled = banner_text(rows, "2018-01-02", "2018-01-17")
    assert real == (
        "Real in this run (2018-01-02 to 2018-01-17): SPX close, VIX close (10 days), "
        "Risk-free rate"
    )
    assert modeled == "Modeled in this run: VIX close (2 days), SPX options (fills)"
