"""The policy's account, cost, sizing, entry, condor and management sections."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from vixshield.markets.costs import CostModel
from vixshield.strategy.policy_fields import (
    MAX_CAPITAL,
    MAX_DAYS,
    MAX_DTE,
    MIN_CAPITAL,
    Cost,
    Count,
    Dte,
    EventKind,
    Flag,
    PolicyModel,
    Positive,
    Real,
    Sd,
    Share,
)

__all__ = [
    "AccountPolicy",
    "CondorPolicy",
    "CostsPolicy",
    "EntryPolicy",
    "ManagementPolicy",
    "SizingPolicy",
]


class AccountPolicy(PolicyModel):
    """Account: ``capital`` in USD; ``cash_yield`` True lets idle cash earn the T-bill rate."""

    capital: Annotated[Real, Field(ge=MIN_CAPITAL, le=MAX_CAPITAL)] = 1_000_000.0
    cash_yield: Flag = True


class CostsPolicy(PolicyModel):
    """Trading costs (USD per contract) and the fill model.

    ``fees_per_contract`` default 0.60: Cboe SPX exchange fee plus ORF/OCC
    fees, about 0.60 USD per contract (Cboe fee schedule, 2024, rounded).
    Fill = mid -/+ ``spread_share`` x (ask - bid), a sell never below 0; both the
    strategy's estimates and the backtest's bookings use `model` (one rule).
    """

    commission_per_contract: Cost = 0.65  # USD per contract, typical retail broker
    fees_per_contract: Cost = 0.60  # USD per contract, exchange + regulatory
    spread_share: Share = 0.25

    def model(self) -> CostModel:
        """The one fill and cost model with these parameters (`vixshield.markets.costs`)."""
        return CostModel(self.commission_per_contract, self.fees_per_contract, self.spread_share)


class SizingPolicy(PolicyModel):
    """Contracts = floor(``risk_per_condor`` x equity / max loss per condor)."""

    risk_per_condor: Annotated[Real, Field(gt=0.0, le=1.0)] = 0.02
    min_one: Flag = True


class EntryPolicy(PolicyModel):
    """Entry schedule: a new condor every ``every_n_days`` trading days, at most
    ``max_open_condors`` open; no entry within ``min_days_to_event`` trading days
    of the next event of ``event_kinds`` (0 turns the filter off)."""

    every_n_days: Annotated[Count, Field(ge=1, le=MAX_DAYS)] = 5
    max_open_condors: Annotated[Count, Field(ge=1, le=100)] = 6
    min_days_to_event: Annotated[Count, Field(ge=0, le=60)] = 0
    event_kinds: Annotated[tuple[EventKind, ...], Field(max_length=4)] = ("FOMC", "CPI")


class CondorPolicy(PolicyModel):
    """Iron condor construction.

    Every distance scales with the index: short strikes and wing widths are in
    standard deviations of the chosen expiry's move to expiration,
    ``sd = F sigma sqrt(T)`` (index points), with ``sigma`` the square root of
    that expiry's Cboe variance (the VIX formula on its own strikes and quotes,
    `vixshield.markets.vix_formula.expiry_moments`), and the minimum credit is a
    share of the wing width. The expiry is the listed one with calendar DTE in
    [``dte_min``, ``dte_max``] nearest ``dte_target``; where none lies in the
    window, the one nearest ``dte_target`` within ``dte_tolerance`` days outside
    it (the audit trail says so).

    ``strike_rule`` "sd": short strikes k standard deviations from the forward,
    k = ``k_low`` + (``k_high`` - ``k_low``) x IV rank, scaled per side by
    ``put_k_scale``/``call_k_scale`` and by the regime's k multiplier.
    "delta": short strikes at ``short_delta`` (absolute; the regime's k multiplier
    applies to the "sd" rule only). IV rank is that of VIX over 252 trading days
    (`vixshield.strategy.indicators`). Wings by ``wing_rule``: "width"
    (``put_width_sd``/``call_width_sd`` standard deviations, filled by the listed
    strike nearest ``short -/+ width x sd``, which must lie within one strike
    increment of it) or "delta" (``wing_delta``). ``min_credit_to_width``: the
    credit at the modeled fill over the wider wing's width (points per point).
    """

    dte_min: Dte = 45
    dte_max: Dte = 60
    dte_target: Dte = 52
    dte_tolerance: Annotated[Count, Field(ge=0, le=365)] = 10  # calendar days outside
    strike_rule: Literal["sd", "delta"] = "sd"
    k_low: Sd = 1.5
    k_high: Sd = 2.0
    put_k_scale: Sd = 1.0
    call_k_scale: Sd = 1.0
    short_delta: Annotated[Real, Field(gt=0.0, lt=0.5)] = 0.10
    wing_rule: Literal["width", "delta"] = "width"
    put_width_sd: Sd = 0.2  # standard deviations
    call_width_sd: Sd = 0.2  # standard deviations
    wing_delta: Annotated[Real, Field(gt=0.0, lt=0.5)] = 0.03
    min_credit_to_width: Share = 0.05

    @model_validator(mode="before")
    @classmethod
    def _renamed(cls, raw: object) -> object:
        # index-point fields of the first release: refused with their replacement
        # (a point width cannot be converted without the day's market)
        replaced = {
            "put_width": "put_width_sd (standard deviations of the expiry's move)",
            "call_width": "call_width_sd (standard deviations of the expiry's move)",
            "min_credit": "min_credit_to_width (credit over the wider wing's width)",
        }
        if isinstance(raw, dict):
            old = [k for k in replaced if k in raw]
            if old:
                said = "; ".join(f"{k} (index points) is replaced by {replaced[k]}" for k in old)
                raise ValueError(said)
        return raw

    @model_validator(mode="after")
    def _windows(self) -> CondorPolicy:
        if not self.dte_min <= self.dte_target <= self.dte_max:
            raise ValueError("need dte_min <= dte_target <= dte_max")
        if self.dte_tolerance >= self.dte_min:
            raise ValueError(
                f"need dte_tolerance < dte_min (got {self.dte_tolerance} >= {self.dte_min})"
            )
        if self.k_high < self.k_low:
            raise ValueError("need k_low <= k_high")
        return self


class ManagementPolicy(PolicyModel):
    """Condor exits: take profit when the cost to close has fallen to
    (1 - ``take_profit``) x credit; stop when the loss (cost to close - credit)
    reaches ``stop_multiple`` x credit; exit at ``exit_dte`` calendar days to
    expiry. The cost to close is what a buy-back really costs: every leg at its
    modeled fill (`CostsPolicy.model`), plus commission and fees (see
    `vixshield.strategy.rules.manage_condors`)."""

    take_profit: Annotated[Real, Field(gt=0.0, le=1.0)] = 0.5
    stop_multiple: Positive = 2.0
    exit_dte: Annotated[Count, Field(ge=0, le=MAX_DTE)] = 21
