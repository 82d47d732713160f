"""The policy's hedge section: the ALVH layers, their budget and trading discipline."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from vixshield.strategy.policy_fields import (
    MAX_DAYS,
    MAX_DTE,
    MAX_LAYERS,
    MAX_MULTIPLIER,
    MAX_WEIGHT_SUM,
    Count,
    Days,
    Dte,
    EventKind,
    Flag,
    NonNeg,
    PolicyModel,
    Positive,
    Real,
    Share,
    Text,
)

__all__ = ["HedgeLayer", "HedgePolicy"]


class HedgeLayer(PolicyModel):
    """One ALVH layer.

    ``weight``: annual premium budget as a share of the budget basis.
    ``strike_rule`` "delta" (call delta, ``strike_value`` e.g. 0.30; SPX puts use
    the absolute put delta) or "pct_otm" (``strike_value`` percent over the VIX
    future, below the SPX forward for puts). ``spread_width`` (points) is the
    short call's distance for "vix_call_spread". Rolls at ``roll_dte`` days or when
    theta per day exceeds ``roll_theta_share`` of the value (only a position worth
    rolling: see `HedgePolicy`; a worthless one expires); monetises
    ``monetise_share`` when the value reaches ``monetise_multiple`` x cost;
    scales by ``event_scale`` from ``event_days_before`` trading days before an
    event of ``event_kinds`` (1.0 turns it off).
    """

    name: Annotated[Text, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
    instrument: Literal["vix_call", "vix_call_spread", "spx_put"] = "vix_call"
    dte_min: Dte
    dte_max: Dte
    strike_rule: Literal["delta", "pct_otm"] = "delta"
    strike_value: Annotated[Real, Field(gt=0.0, le=100.0)] = 0.30  # delta, or percent OTM
    spread_width: Annotated[Real, Field(gt=0.0, le=1000.0)] = 10.0  # index points
    weight: Share
    roll_dte: Annotated[Count, Field(ge=0, le=MAX_DTE)] = 7
    roll_theta_share: Annotated[Real, Field(gt=0.0, le=1.0)] = 0.10
    monetise_multiple: Annotated[Real, Field(gt=1.0, le=MAX_MULTIPLIER)] = 3.0
    monetise_share: Annotated[Real, Field(gt=0.0, le=1.0)] = 0.5
    event_scale: Annotated[Real, Field(ge=0.0, le=10.0)] = 1.0
    event_days_before: Annotated[Count, Field(ge=0, le=60)] = 2
    event_kinds: Annotated[tuple[EventKind, ...], Field(max_length=4)] = ("FOMC", "CPI", "PPI")
    temporal_theta: Flag = False

    @model_validator(mode="after")
    def _window(self) -> HedgeLayer:
        if self.dte_max < self.dte_min:
            raise ValueError("need dte_min <= dte_max")
        if self.roll_dte >= self.dte_min:
            # a layer bought at dte_min would be rolled the next day: pure cost churn
            raise ValueError(f"need roll_dte < dte_min (got {self.roll_dte} >= {self.dte_min})")
        return self


def _default_layers() -> tuple[HedgeLayer, ...]:
    return (
        HedgeLayer(name="short", dte_min=15, dte_max=45, weight=0.04, temporal_theta=True),
        HedgeLayer(name="medium", dte_min=60, dte_max=120, weight=0.04),
        HedgeLayer(name="long", dte_min=150, dte_max=270, weight=0.02, roll_dte=60),
    )


class HedgePolicy(PolicyModel):
    """The Adaptive Layered VIX Hedge.

    ``budget_basis``: "equity" (annual budget = weight x equity), "credit"
    (weight x annualised credit of the open condors) or "max_loss" (weight x max
    loss of the open condors). ``adaptive`` False fixes every multiplier at 1.
    Multipliers are clipped to [``multiplier_min``, ``multiplier_max``].
    Credit-to-hedge budget cap (`vixshield.strategy.state`): the hedge premium
    paid (modeled fills of hedge buys plus commission and fees, USD) over the
    trailing window of ``credit_to_hedge_window`` condor cycles (from the entry
    date of the oldest of the last N entries to today) never exceeds the net
    condor credit of those cycles / ``credit_to_hedge_min``. Each layer may spend
    ``min(its basis-driven buy, weight / sum of weights x remaining cap)`` a day;
    with no cycle yet the cap is 0 and nothing is bought. ``credit_to_hedge_min``
    0 turns the cap off. Mark-to-market never counts as cost.
    ``budget_cover`` (default False) bounds each layer's annual budget by the hedge
    spend the condor credit can fund: ``min(weight x basis, weight / sum of weights x
    credit rate / credit_to_hedge_min)``, the credit rate being the window's condor
    credit annualised in USD per year (`vixshield.strategy.hedge.HedgeContext.credit_rate`),
    so the regime multipliers scale a target at the cover level instead of one the cap
    clips on every buy; it needs ``credit_to_hedge_min > 0``.
    Rebalancing buys when held premium < (1 - ``buy_band``) x target and sells
    when above (1 + ``sell_band``) x target. ``temporal_theta_ratio``: the short
    layer moves to the medium bucket when its decay per premium dollar exceeds
    this multiple of the medium layer's.

    Trading discipline (`vixshield.strategy.hedge`): layer targets are smoothed
    by an exponential average with a half-life of ``target_halflife`` closes
    (0 turns it off); a hedge position is not sold down or theta-rolled before
    it has been held ``min_hold_days`` calendar days; the theta-share roll only
    fires on a position whose proceeds at the bid are at least
    ``roll_min_multiple`` x its round-trip cost; and no hedge is ever sold for
    less than its round-trip cost (it expires instead).
    """

    budget_basis: Literal["equity", "credit", "max_loss"] = "equity"
    adaptive: Flag = True
    multiplier_min: NonNeg = 0.0
    multiplier_max: NonNeg = 3.0
    credit_to_hedge_min: NonNeg = 3.0
    credit_to_hedge_window: Annotated[Count, Field(ge=1, le=MAX_DAYS)] = 3  # condor cycles
    budget_cover: Flag = False  # budgets bounded by the credit cover (credit rate / ratio)
    buy_band: Share = 0.25
    sell_band: NonNeg = 1.0
    temporal_theta_ratio: Positive = 2.0
    target_halflife: Annotated[Real, Field(ge=0.0, le=MAX_DAYS)] = 10.0  # closes
    min_hold_days: Days = 10  # calendar days
    roll_min_multiple: NonNeg = 2.0  # x round-trip cost per contract
    layers: Annotated[tuple[HedgeLayer, ...], Field(max_length=MAX_LAYERS)] = Field(
        default_factory=_default_layers
    )

    @model_validator(mode="before")
    @classmethod
    def _removed(cls, raw: object) -> object:
        # the first release's ratio test ("shrink"/"skip"/"warn") is now a binding cap
        if isinstance(raw, dict) and "credit_to_hedge_action" in raw:
            raise ValueError(
                "credit_to_hedge_action is removed: the credit-to-hedge rule is a budget cap "
                "that always binds (hedge premium paid over the last credit_to_hedge_window "
                "cycles <= their credit / credit_to_hedge_min)"
            )
        return raw

    @model_validator(mode="after")
    def _check(self) -> HedgePolicy:
        if self.multiplier_max < self.multiplier_min:
            raise ValueError("need multiplier_min <= multiplier_max")
        if self.budget_cover and self.credit_to_hedge_min <= 0:
            raise ValueError(
                "budget_cover needs credit_to_hedge_min > 0 (the cover budget is the condor "
                "credit rate / credit_to_hedge_min; 0 turns the cap off)"
            )
        names = [layer.name for layer in self.layers]
        if len(set(names)) != len(names):
            raise ValueError(f"layer names must be unique (got {names})")
        total = sum(layer.weight for layer in self.layers)
        if total > MAX_WEIGHT_SUM + 1e-12:
            shares = " + ".join(f"{layer.weight:g}" for layer in self.layers)
            raise ValueError(
                f"layer weights sum to {total:.4g} ({shares}); need a sum <= {MAX_WEIGHT_SUM:g} "
                f"(the whole budget basis per year)"
            )
        return self
