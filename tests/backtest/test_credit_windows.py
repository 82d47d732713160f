"""Credit-to-hedge window ratios from a trades table, against figures worked by hand."""

from __future__ import annotations

import math

import pandas as pd

from vixshield.backtest.credit_windows import credit_and_premium, window_ratios


def _trade(date: str, kind: str, action: str, cash_flow: float, costs: float) -> dict[str, object]:
    return {
        "date": pd.Timestamp(date),
        "kind": kind,
        "action": action,
        "cash_flow": cash_flow,
        "commission": costs,
        "fees": 0.0,
    }


TRADES = pd.DataFrame(
    [
        _trade("2024-01-02", "condor", "open", 500.0, 5.0),  # cycle 1: 495 net
        _trade("2024-01-02", "condor", "open", -200.0, 5.0),  # same order's long wing
        _trade("2024-01-03", "hedge:vix_1", "open", -60.0, 2.0),  # 62 paid
        _trade("2024-01-20", "condor", "close", -100.0, 5.0),  # closes are not credit
        _trade("2024-02-01", "condor", "open", 400.0, 10.0),  # cycle 2: 390
        _trade("2024-02-05", "hedge:vix_2", "open", -48.0, 2.0),  # 50 paid
        _trade("2024-02-06", "hedge:vix_2", "close", 30.0, 2.0),  # a sale gives nothing back
        _trade("2024-03-01", "condor", "open", 300.0, 0.0),  # cycle 3: 300, nothing paid after
    ]
)


def test_credit_and_premium_by_hand() -> None:
    credit, paid = credit_and_premium(TRADES)
    assert credit.to_dict() == {
        pd.Timestamp("2024-01-02"): 290.0,  # 495 - 205
        pd.Timestamp("2024-02-01"): 390.0,
        pd.Timestamp("2024-03-01"): 300.0,
    }
    assert paid.to_dict() == {pd.Timestamp("2024-01-03"): 62.0, pd.Timestamp("2024-02-05"): 50.0}


def test_window_ratios_by_hand() -> None:
    credit, paid = credit_and_premium(TRADES)
    # windows of 2 cycles: [Jan 2, Mar 1): (290 + 390) / (62 + 50); [Feb 1, end): 690 / 50
    assert window_ratios(credit, paid, 2).tolist() == [680.0 / 112.0, 690.0 / 50.0]
    # one cycle each: [Jan 2, Feb 1) 290 / 62, [Feb 1, Mar 1) 390 / 50, [Mar 1, end) nothing paid
    assert window_ratios(credit, paid, 1).tolist() == [290.0 / 62.0, 390.0 / 50.0, math.inf]
    assert window_ratios(credit, paid, 4).tolist() == []  # fewer cycles than a window
