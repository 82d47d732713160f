"""``hedge.budget_cover`` on the embedded real data (2014): the regime multiplier binds.

Without the option every buy of alvh-442 is clipped by the credit-to-hedge cap, so it
buys exactly what static-442 (every multiplier 1) buys. With it the layer budgets sit
at the cover level (the condor credit rate / 3, `vixshield.strategy.hedge`) and the
multiplier changes the target and the orders - while the cap, hedge premium over every
3 consecutive cycles at most their credit / 3 (the seed rule), still holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pytest

from vixshield.backtest import Backtest
from vixshield.backtest.result import BacktestResult
from vixshield.data.embedded import load_embedded
from vixshield.markets.view import Markets
from vixshield.strategy import Policy, compute_indicators, decide, load_policy
from vixshield.strategy.policy import with_overrides
from vixshield.strategy.types import AccountState, Decision, Position

START, END = "2014-01-02", "2014-12-31"


@cache
def _markets() -> Markets:
    return Markets(load_embedded())


def _policy(name: str, cover: bool) -> Policy:
    return with_overrides(load_policy(name), {"hedge.budget_cover": cover}, "test")


@cache
def _run(name: str, cover: bool) -> tuple[BacktestResult, tuple[Decision[Any], ...]]:
    policy, market = _policy(name, cover), _markets()
    seen: list[Decision[Any]] = []

    def recording(
        date: pd.Timestamp,
        market: Any,
        positions: tuple[Position, ...],
        account: AccountState,
        policy: Any,
        state: Any = None,
        indicators: pd.DataFrame | None = None,
        marks: Mapping[str, Any] | None = None,
    ) -> Decision[Any]:
        d = decide(date, market, positions, account, policy, state, indicators, marks)
        seen.append(d)
        return d

    ind = compute_indicators(market.data, policy, start=pd.Timestamp(START))
    bt = Backtest(policy, market, START, END, decide=recording, indicators=ind)
    return bt.run(), tuple(seen)


def _hedge_buys(res: BacktestResult) -> list[tuple[str, str, str, float, int]]:
    t = res.trades
    b = t[(t["action"] == "open") & t["kind"].str.startswith("hedge")]
    cols = [b[c].tolist() for c in ("date", "kind", "expiry", "strike", "contracts")]
    return sorted(
        (str(pd.Timestamp(d).date()), str(k), str(e), float(x), int(n))
        for d, k, e, x, n in zip(*cols, strict=True)
    )


def _short_target(d: Decision[Any]) -> Mapping[str, Any]:
    (fired,) = [r for r in d.audit if r.rule == "target_smoothing:short"]
    return fired.inputs


def test_without_the_option_the_multiplier_changes_no_order() -> None:
    alvh, static = _run("alvh-442", False)[0], _run("static-442", False)[0]
    assert _hedge_buys(alvh) and _hedge_buys(alvh) == _hedge_buys(static)


def test_with_the_option_the_multiplier_changes_the_target_and_the_orders() -> None:
    (alvh, a_days), (static, s_days) = _run("alvh-442", True), _run("static-442", True)
    calm = load_policy("alvh-442").regime.effect("calm").layer_multipliers["short"]
    assert calm == 0.75  # the preset: calm short layer x0.75
    # until the first order that differs the two books are the same, so are the budgets:
    # the raw target of alvh-442 is static-442's times the regime multiplier
    first = next(
        i for i, (a, s) in enumerate(zip(a_days, s_days, strict=True)) if a.orders != s.orders
    )
    assert first > 0
    compared = 0
    for a, s in zip(a_days[:first], s_days[:first], strict=True):
        ta, ts = _short_target(a), _short_target(s)
        if "budget_bound" not in ta:
            continue
        assert ta["cover_budget"] == pytest.approx(ts["cover_budget"])
        if a.regime == "calm" and ta["budget_bound"] == "cover":
            assert ta["raw"] == pytest.approx(calm * float(ts["raw"]))
            compared += 1
    assert compared > 0
    buys_a, buys_s = _hedge_buys(alvh), _hedge_buys(static)
    assert buys_a and buys_s and buys_a != buys_s
    # calm 2014 (short x0.75): the adaptive book pays less hedge premium than the static
    assert _premium(alvh) < _premium(static)


def _premium(res: BacktestResult) -> float:
    t = res.trades
    b = t[(t["action"] == "open") & t["kind"].str.startswith("hedge")]
    return float((-b["cash_flow"] + b["commission"] + b["fees"]).sum())


@pytest.mark.parametrize("name", ["alvh-442", "static-442"])
def test_with_the_option_the_credit_to_hedge_cap_still_holds(name: str) -> None:
    res = _run(name, True)[0]
    op = res.trades[res.trades["action"] == "open"]
    net = op["cash_flow"] - op["commission"] - op["fees"]
    condor, hedge = op["kind"] == "condor", op["kind"].str.startswith("hedge")
    credit = net[condor].groupby(op.loc[condor, "date"]).sum().sort_index()
    paid = (-net[hedge]).groupby(op.loc[hedge, "date"]).sum().sort_index()
    days = list(credit.index)
    assert len(days) > 3 and paid.sum() > 0
    worst = np.inf
    for i in range(len(days) - 2):  # every 3 consecutive cycles, [entry i, entry i+3)
        hi = days[i + 3] if i + 3 < len(days) else pd.Timestamp.max
        p = float(paid[(paid.index >= days[i]) & (paid.index < hi)].sum())
        if p > 0:
            worst = min(worst, float(credit.iloc[i : i + 3].sum()) / p)
    assert worst >= 3.0 * (1 - 1e-9)
