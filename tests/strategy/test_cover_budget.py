"""The credit cover bound of the hedge budgets (``hedge.budget_cover``), by hand.

Every expected number is worked out by hand from the rules in the docstrings of
`vixshield.strategy.hedge` ("Budget to holding", "Credit cover") and
`HedgeContext.credit_rate`:

- credit rate = window credit x 365 / max(T - t_1, N / (N - 1) x (t_N - t_1)) USD per
  year (one cycle: the floor is the condor DTE target);
- a layer's budget = min(weight x equity, weight / sum of weights x rate / 3);
- its target = budget x (dte_min + dte_max) / 2 / 365 x multiplier (no smoothing on
  the first close).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from vixshield.errors import PolicyError
from vixshield.strategy import Policy, load_policy, parse_policy
from vixshield.strategy.hedge import HedgeContext, HedgeMemory, LayerPlan, plan_hedges
from vixshield.strategy.policy import preset_text, with_overrides

# three weekly entries of 3,500 USD net credit each
WEEKLY = (("2024-01-02", 3500.0), ("2024-01-09", 3500.0), ("2024-01-16", 3500.0))


def _cover_policy(on: bool = True) -> Policy:
    return with_overrides(load_policy("alvh-442"), {"hedge.budget_cover": on}, "test")


def _ctx(
    date: str,
    cycles: tuple[tuple[str, float], ...],
    equity: float = 500_000.0,
    multipliers: dict[str, float] | None = None,
) -> HedgeContext:
    return HedgeContext(
        date=pd.Timestamp(date),
        market=None,  # type: ignore[arg-type]  # cap 0: no layer buys, no quote is read
        positions=(),
        marks={},
        equity=equity,
        multipliers=multipliers or {},
        days_to_events={},
        costs=_cover_policy().costs.model(),
        cap=0.0,
        condor_dte_target=52,
        cycles=cycles,
    )


def _plans(ctx: HedgeContext, policy: Policy) -> dict[str, LayerPlan]:
    plans = plan_hedges(ctx, policy.hedge, HedgeMemory(frozenset(), frozenset(), {}, {}))
    return {p.layer: p for p in plans}


def _target_inputs(plan: LayerPlan) -> dict[str, float | str]:
    (fired,) = [r for r in plan.audit if r.rule == f"target_smoothing:{plan.layer}"]
    return dict(fired.inputs)


def test_credit_rate_of_weekly_entries_holds_still_between_entries() -> None:
    # 10,500 USD over 3 entries 7 days apart: days = max(T - 01-02, 3/2 x 14 = 21)
    for day in ("2024-01-16", "2024-01-19", "2024-01-22"):  # 14, 17 and 20 days
        assert _ctx(day, WEEKLY).credit_rate == pytest.approx(10_500.0 * 365.0 / 21.0)
    # the 4th entry ages the first out: 01-09 .. 01-23, floor 21 again, the same rate
    aged = (*WEEKLY[1:], ("2024-01-23", 3500.0))
    assert _ctx("2024-01-23", aged).credit_rate == pytest.approx(182_500.0)


def test_credit_rate_decays_once_entries_stop_and_starts_at_the_dte_target() -> None:
    # no entry since 01-16: on 02-13 the window spans 42 days
    assert _ctx("2024-02-13", WEEKLY).credit_rate == pytest.approx(10_500.0 * 365.0 / 42.0)
    # the first cycle alone: its credit earned over the 52-day DTE target
    first = WEEKLY[:1]
    assert _ctx("2024-01-02", first).credit_rate == pytest.approx(3500.0 * 365.0 / 52.0)
    assert _ctx("2024-01-02", ()).credit_rate == 0.0  # no cycle: nothing funds a hedge
    assert _ctx("2024-01-10", (("2024-01-09", -50.0),)).credit_rate == 0.0  # net debit


def test_layer_budgets_are_the_smaller_of_basis_and_cover() -> None:
    policy = _cover_policy()
    # rate 182,500 USD/yr; shares 0.4 / 0.4 / 0.2; cover = share x rate / 3
    plans = _plans(_ctx("2024-01-19", WEEKLY), policy)
    short = _target_inputs(plans["short"])
    assert short["basis_budget"] == pytest.approx(0.04 * 500_000.0)  # 20,000
    assert short["cover_budget"] == pytest.approx(0.4 * 182_500.0 / 3.0)  # 24,333.33
    assert short["credit_rate"] == pytest.approx(182_500.0)
    assert short["budget_bound"] == "basis"
    assert plans["short"].details["annual_budget"] == pytest.approx(20_000.0)
    # six weeks on with no entry: rate 91,250, short cover 12,166.67 < 20,000
    plans = _plans(_ctx("2024-02-13", WEEKLY), policy)
    short = _target_inputs(plans["short"])
    assert short["budget_bound"] == "cover"
    assert plans["short"].details["annual_budget"] == pytest.approx(0.4 * 91_250.0 / 3.0)
    # long: weight 0.02, share 0.2: min(10,000, 0.2 x 91,250 / 3 = 6,083.33)
    assert plans["long"].details["annual_budget"] == pytest.approx(6_083.333333)
    # target = budget x 30 / 365 for the short layer (15-45 DTE), multiplier 1
    assert plans["short"].details["target_premium"] == pytest.approx(12_166.6667 * 30 / 365)


def test_the_multiplier_scales_the_cover_target() -> None:
    policy = _cover_policy()
    cycles = WEEKLY
    calm = _plans(_ctx("2024-02-13", cycles, multipliers={"short": 0.75}), policy)
    hot = _plans(_ctx("2024-02-13", cycles, multipliers={"short": 1.5}), policy)
    base = 0.4 * 91_250.0 / 3.0 * 30.0 / 365.0  # 1,000 USD to hold at multiplier 1
    assert base == pytest.approx(1000.0)
    assert calm["short"].details["target_premium"] == pytest.approx(750.0)
    assert hot["short"].details["target_premium"] == pytest.approx(1500.0)


def test_off_by_default_and_the_basis_budget_unchanged() -> None:
    policy = _cover_policy(on=False)
    assert load_policy("alvh-442").hedge.budget_cover is False
    plans = _plans(_ctx("2024-02-13", WEEKLY), policy)
    assert plans["short"].details["annual_budget"] == pytest.approx(20_000.0)
    assert "cover_budget" not in _target_inputs(plans["short"])


def test_the_option_is_validated_strictly() -> None:
    text = preset_text("alvh-442")
    with pytest.raises(PolicyError, match=r"budget_cover"):
        parse_policy(text.replace("[hedge]\n", "[hedge]\nbudget_cover = 1\n"))
    with pytest.raises(PolicyError, match=r"budget_cover needs credit_to_hedge_min > 0"):
        with_overrides(
            load_policy("alvh-442"),
            {"hedge.budget_cover": True, "hedge.credit_to_hedge_min": 0.0},
            "test",
        )
    assert math.isclose(_cover_policy().hedge.credit_to_hedge_min, 3.0)
