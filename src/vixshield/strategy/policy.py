"""Policies: the TOML schema (pydantic v2), loading, presets.

A policy is data, not code: every rule the strategy applies reads its
parameters from a `Policy`. Presets are TOML files shipped in
``vixshield/strategy/presets``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from vixshield._limits import (
    MAX_NESTING,
    first_too_deep,
    short_repr,
    tree_too_deep,
    utf8_problem,
)
from vixshield.data.stress import default_stress_windows
from vixshield.errors import PolicyError
from vixshield.markets.costs import CostModel

__all__ = [
    "AccountPolicy",
    "CondorPolicy",
    "CostsPolicy",
    "CustomIndicator",
    "EntryPolicy",
    "HedgeLayer",
    "HedgePolicy",
    "ManagementPolicy",
    "Policy",
    "RegimeEffect",
    "RegimePolicy",
    "ReportPolicy",
    "ScanPolicy",
    "SizingPolicy",
    "StressWindowSpec",
    "format_validation_error",
    "list_presets",
    "load_policy",
    "override_tree",
    "parse_policy",
    "preset_text",
    "read_policy_text",
    "shipped_window_names",
    "with_overrides",
]

# Strict scalars: no coercion (``true`` is not 1, ``"45"`` is not 45), finite floats only.
# An integer is accepted where a float is expected (``capital = 1000000``).
Real = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Count = Annotated[int, Field(strict=True)]
Flag = Annotated[bool, Field(strict=True)]
Text = Annotated[str, Field(strict=True, max_length=200)]

MIN_CAPITAL = 1e3  # USD: below this no SPX condor can be sized
MAX_CAPITAL = 1e10  # USD: beyond any single account; keeps P&L sums far from overflow
MAX_DTE = 1100  # calendar days: SPX LEAPS are listed about three years out
MAX_DAYS = 1000  # trading or calendar days for schedules, holds and windows
MAX_SD = 10.0  # standard deviations of the expiry's move (strikes, wings)
MAX_MULTIPLIER = 100.0  # any multiplier or ratio of a policy
MAX_COST = 100.0  # USD per contract (commission, fees)
MAX_LAYERS = 10  # hedge layers
MAX_WEIGHT_SUM = 1.0  # sum of the layer weights: the whole budget basis per year

Share = Annotated[Real, Field(ge=0.0, le=1.0)]
NonNeg = Annotated[Real, Field(ge=0.0, le=MAX_MULTIPLIER)]
Positive = Annotated[Real, Field(gt=0.0, le=MAX_MULTIPLIER)]
Dte = Annotated[Count, Field(ge=1, le=MAX_DTE)]
Days = Annotated[Count, Field(ge=0, le=MAX_DAYS)]
Sd = Annotated[Real, Field(gt=0.0, le=MAX_SD)]
Cost = Annotated[Real, Field(ge=0.0, le=MAX_COST)]
Vix = Annotated[Real, Field(gt=0.0, le=200.0)]  # VIX level, vol points
EventKind = Literal["FOMC", "CPI", "PPI", "GDP"]
REGIMES: tuple[str, ...] = ("calm", "normal", "elevated", "stressed")
DEFAULT_LAYER_NAMES: tuple[str, ...] = ("short", "medium", "long")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AccountPolicy(_Model):
    """Account: ``capital`` in USD; ``cash_yield`` True lets idle cash earn the T-bill rate."""

    capital: Annotated[Real, Field(ge=MIN_CAPITAL, le=MAX_CAPITAL)] = 1_000_000.0
    cash_yield: Flag = True


class CostsPolicy(_Model):
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


class SizingPolicy(_Model):
    """Contracts = floor(``risk_per_condor`` x equity / max loss per condor)."""

    risk_per_condor: Annotated[Real, Field(gt=0.0, le=1.0)] = 0.02
    min_one: Flag = True


class EntryPolicy(_Model):
    """Entry schedule: a new condor every ``every_n_days`` trading days, at most
    ``max_open_condors`` open; no entry within ``min_days_to_event`` trading days
    of the next event of ``event_kinds`` (0 turns the filter off)."""

    every_n_days: Annotated[Count, Field(ge=1, le=MAX_DAYS)] = 5
    max_open_condors: Annotated[Count, Field(ge=1, le=100)] = 6
    min_days_to_event: Annotated[Count, Field(ge=0, le=60)] = 0
    event_kinds: Annotated[tuple[EventKind, ...], Field(max_length=4)] = ("FOMC", "CPI")


class CondorPolicy(_Model):
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


class ManagementPolicy(_Model):
    """Condor exits: take profit when the cost to close has fallen to
    (1 - ``take_profit``) x credit; stop when the loss (cost to close - credit)
    reaches ``stop_multiple`` x credit; exit at ``exit_dte`` calendar days to
    expiry. The cost to close is what a buy-back really costs: every leg at its
    modeled fill (`CostsPolicy.model`), plus commission and fees (see
    `vixshield.strategy.rules.manage_condors`)."""

    take_profit: Annotated[Real, Field(gt=0.0, le=1.0)] = 0.5
    stop_multiple: Positive = 2.0
    exit_dte: Annotated[Count, Field(ge=0, le=MAX_DTE)] = 21


class HedgeLayer(_Model):
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


class HedgePolicy(_Model):
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


class RegimeEffect(_Model):
    """What a regime allows: new condors, the k multiplier, layer multipliers
    (by layer name; a layer not named gets 1.0)."""

    allow_entries: Flag = True
    k_multiplier: Annotated[Real, Field(gt=0.0, le=10.0)] = 1.0
    layer_multipliers: Annotated[dict[str, NonNeg], Field(max_length=MAX_LAYERS)] = Field(
        default_factory=dict
    )


_NO_EFFECT = RegimeEffect()
"""The effect of a regime the policy names none for (frozen; built once, not per call)."""


def _default_effects() -> dict[str, RegimeEffect]:
    return {
        "calm": RegimeEffect(layer_multipliers={"short": 0.75, "medium": 1.0, "long": 1.0}),
        "normal": RegimeEffect(),
        "elevated": RegimeEffect(
            k_multiplier=1.15, layer_multipliers={"short": 1.5, "medium": 1.25, "long": 1.0}
        ),
        "stressed": RegimeEffect(
            allow_entries=False, k_multiplier=1.3, layer_multipliers={"short": 0.5, "medium": 1.0}
        ),
    }


class ScanPolicy(_Model):
    """The parity and VX curve scanner as a regime input (``[regime.scan]``, off by default).

    On a day an entry is due and the SPX chain is real (``market.chain(...).origin
    == "real"``), the scan (`vixshield.strategy.regime.scan_entries`) blocks the day's
    entries when a conversion, reversal or box is worth more than
    ``max_parity_edge`` after the policy's costs (dollars per contract set: an edge
    that large means crossed or stale quotes, or a dislocation), or when a month of
    the real VX curve is more than ``max_vx_kink`` vol points off its neighbours'
    line. A modeled chain is never scanned (it satisfies parity by construction)
    and never blocks.

    Defaults are choices: 500 USD is 5 index points off the expiry's parity line
    after costs, many times an at-the-money SPX synthetic's quoted spread; 2 vol
    points is twice the scanner's own kink threshold
    (`vixshield.markets.vx_curve_scan.DEFAULT_KINK_THRESHOLD`).
    """

    enabled: Flag = False
    max_parity_edge: Annotated[Real, Field(ge=0.0, le=1e6)] = 500.0  # USD per contract set
    max_vx_kink: Annotated[Real, Field(gt=0.0, le=50.0)] = 2.0  # vol points


class RegimePolicy(_Model):
    """Regime classification (see `vixshield.strategy.regime`).

    ``vix_thresholds``: VIX levels (vol points) separating calm/normal/elevated/
    stressed. ``persist_days``: trading days a new regime must persist before it
    is adopted (escalations of two or more levels switch at once).
    ``rsi_high``: VVIX RSI above which the score rises half a level;
    ``vrp_floor``: implied minus forecast vol (vol points) below which it rises one.
    """

    vix_thresholds: tuple[Vix, Vix, Vix] = (15.0, 20.0, 30.0)
    persist_days: Annotated[Count, Field(ge=1, le=252)] = 3
    rsi_high: Annotated[Real, Field(ge=0.0, le=100.0)] = 70.0
    vrp_floor: Annotated[Real, Field(ge=-100.0, le=100.0)] = -2.0  # vol points
    garch_min_obs: Annotated[Count, Field(ge=100, le=20_000)] = 252
    effects: dict[str, RegimeEffect] = Field(default_factory=_default_effects)
    scan: ScanPolicy = Field(default_factory=ScanPolicy)

    @model_validator(mode="after")
    def _check(self) -> RegimePolicy:
        if list(self.vix_thresholds) != sorted(self.vix_thresholds):
            raise ValueError("vix_thresholds must be increasing")
        unknown = set(self.effects) - set(REGIMES)
        if unknown:
            raise ValueError(f"unknown regime(s) {sorted(unknown)}; known: {list(REGIMES)}")
        return self

    def effect(self, regime: str) -> RegimeEffect:
        """The effect of ``regime`` (defaults where the policy names none)."""
        effect = self.effects.get(regime)
        return _NO_EFFECT if effect is None else effect


class CustomIndicator(_Model):
    """A user-defined input: a column of ``MarketData.daily`` with a rule.

    ``rule``: "above"/"below" compare the value with ``threshold``;
    "zscore_above"/"zscore_below" compare its ``window``-day z-score.
    ``effect``: "block" blocks new condors while the rule holds; "layer" adds
    ``add`` to the multiplier of ``layer`` (a layer name or "all").
    """

    name: Annotated[Text, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
    series: Annotated[Text, Field(min_length=1)]
    rule: Literal["above", "below", "zscore_above", "zscore_below"]
    threshold: Annotated[Real, Field(ge=-1e9, le=1e9)]
    window: Annotated[Count, Field(ge=2, le=20_000)] = 252
    effect: Literal["block", "layer"] = "layer"
    layer: Text = "all"
    add: Annotated[Real, Field(ge=-MAX_MULTIPLIER, le=MAX_MULTIPLIER)] = 0.5


MIN_WINDOW_DATE = date(1900, 1, 1)
MAX_WINDOW_DATE = date(2100, 12, 31)
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def shipped_window_names() -> frozenset[str]:
    """Names of the shipped stress windows (the ``name`` column of the resource).

    The report layer (`vixshield.report.stress`) reads the same file with full
    validation; a policy window may not reuse one of these names unless it sets
    ``replace = true``.
    """
    return frozenset(w.name for w in default_stress_windows())


class StressWindowSpec(_Model):
    """A stress window of the policy's own (``[[report.stress_windows]]``).

    ``start`` and ``end`` are inclusive days, a TOML date (``2008-09-15``) or an ISO
    string (``"2008-09-15"``), between 1900-01-01 and 2100-12-31, ``start <= end``.
    ``replace = true`` lets the window take the place of the shipped one of the same
    name (it must name one); otherwise the name must be new.
    """

    name: Annotated[Text, Field(min_length=1, max_length=60)]
    start: date
    end: date
    description: Annotated[Text, Field(max_length=200)] = ""
    replace: Flag = False

    @field_validator("start", "end", mode="before")
    @classmethod
    def _day(cls, v: object) -> object:
        if isinstance(v, datetime) or not isinstance(v, date | str):
            raise ValueError('expected a date (2008-09-15 or "2008-09-15")')
        if isinstance(v, str):
            if not _ISO_DAY.match(v):
                raise ValueError("expected an ISO date YYYY-MM-DD")
            try:
                return date.fromisoformat(v)
            except ValueError:
                raise ValueError("expected an ISO date YYYY-MM-DD") from None
        return v

    @model_validator(mode="after")
    def _check(self) -> StressWindowSpec:
        if not self.name.strip() or self.name != self.name.strip():
            raise ValueError(f"name {self.name!r}: no leading or trailing blanks")
        for key, day in (("start", self.start), ("end", self.end)):
            if not MIN_WINDOW_DATE <= day <= MAX_WINDOW_DATE:
                raise ValueError(f"{key} {day} outside {MIN_WINDOW_DATE}..{MAX_WINDOW_DATE}")
        if self.end < self.start:
            raise ValueError(f"need start <= end (got {self.start} > {self.end})")
        return self


class ReportPolicy(_Model):
    """What reports show beyond the defaults: ``stress_windows``, the policy's own.

    Shown with the shipped ones (``summary.json``, the HTML report, the terminal,
    ``compare``) wherever they overlap a run. Names are unique; a shipped name
    needs ``replace = true`` (see `StressWindowSpec`).
    """

    stress_windows: Annotated[tuple[StressWindowSpec, ...], Field(max_length=100)] = ()


def _check_windows(section: ReportPolicy) -> None:
    """Unique names; a shipped name only with ``replace = true``, and only then."""
    seen: set[str] = set()
    shipped = shipped_window_names()
    for i, w in enumerate(section.stress_windows):
        where = f"[report.stress_windows.{i}.name]"
        if w.name in seen:
            raise ValueError(f"{where} window {w.name!r} is defined twice")
        seen.add(w.name)
        if w.name in shipped and not w.replace:
            raise ValueError(
                f"{where} {w.name!r} is a shipped stress window; set replace = true "
                "to redefine it, or choose another name"
            )
        if w.replace and w.name not in shipped:
            raise ValueError(f"{where} replace = true but no shipped window is named {w.name!r}")


class Policy(_Model):
    """A whole trading policy (see the module docstring of each rule)."""

    name: Annotated[Text, Field(min_length=1)]
    description: Annotated[str, Field(strict=True, max_length=10_000)] = ""
    account: AccountPolicy = Field(default_factory=AccountPolicy)
    costs: CostsPolicy = Field(default_factory=CostsPolicy)
    sizing: SizingPolicy = Field(default_factory=SizingPolicy)
    entry: EntryPolicy = Field(default_factory=EntryPolicy)
    condor: CondorPolicy = Field(default_factory=CondorPolicy)
    management: ManagementPolicy = Field(default_factory=ManagementPolicy)
    hedge: HedgePolicy = Field(default_factory=HedgePolicy)
    regime: RegimePolicy = Field(default_factory=RegimePolicy)
    custom: Annotated[tuple[CustomIndicator, ...], Field(max_length=50)] = ()
    report: ReportPolicy = Field(default_factory=ReportPolicy)

    @model_validator(mode="after")
    def _check(self) -> Policy:
        if self.management.exit_dte >= self.condor.dte_min:
            # a condor opened at dte_min would be closed at once by the DTE exit
            raise ValueError(
                f"[management.exit_dte] need management.exit_dte < condor.dte_min "
                f"(got {self.management.exit_dte} >= {self.condor.dte_min})"
            )
        _check_windows(self.report)
        names = {layer.name for layer in self.hedge.layers}
        for i, c in enumerate(self.custom):
            if c.layer != "all" and c.layer not in names:
                choices = ", ".join(["all", *sorted(names)])
                raise ValueError(
                    f"[custom.{i}.layer] custom '{c.name}' names unknown layer '{c.layer}'; "
                    f"known: {choices}"
                )
        known = sorted(names | set(DEFAULT_LAYER_NAMES))
        for regime, effect in self.regime.effects.items():
            unknown = sorted(set(effect.layer_multipliers) - set(known))
            if unknown:
                raise ValueError(
                    f"[regime.effects.{regime}.layer_multipliers] unknown layer(s) "
                    f"{', '.join(unknown)}; known: {', '.join(known)} (the policy's layers "
                    f"and the default ones)"
                )
        return self


_PRESETS = "vixshield.strategy.presets"


def list_presets() -> list[str]:
    """Names of the shipped presets, sorted."""
    files = resources.files(_PRESETS).iterdir()
    return sorted(f.name[:-5] for f in files if f.name.endswith(".toml"))


def preset_text(name: str) -> str:
    """The TOML text of preset ``name``; `PolicyError` if unknown."""
    if name not in list_presets():
        raise PolicyError(f"unknown preset '{name}'; known: {', '.join(list_presets())}")
    return resources.files(_PRESETS).joinpath(f"{name}.toml").read_text(encoding="utf-8")


MAX_POLICY_BYTES = 1 << 20
"""Largest policy file read (1 MiB; the shipped presets are about 4 KiB)."""


def format_validation_error(err: ValidationError, source: str) -> str:
    """One line per error: ``SOURCE: [a.b.0.c] message (got value)``.

    The key path ``a.b.0.c`` names tables, fields and 0-based list indices
    (``hedge.layers.1.weight`` is the second layer's weight); the message says what
    was expected (a type, a bound, a rule between fields).
    """
    lines = []
    for e in err.errors(include_url=False):
        loc = ".".join(str(p) for p in e["loc"])
        got = e.get("input")
        shown = "" if isinstance(got, dict | list | tuple) else f" (got {short_repr(got)})"
        msg = e["msg"].removeprefix("Value error, ")
        where = f"[{loc}] " if loc else ""  # a whole-policy rule names its keys itself
        lines.append(f"{source}: {where}{msg}{shown}")
    return "\n".join(" ".join(line.split()) for line in lines)


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    """Parse and validate TOML ``text``; `PolicyError` with located messages.

    Text nested deeper than `vixshield._limits.MAX_NESTING` (arrays, tables) is
    refused before parsing, with its line.
    """
    line = first_too_deep(text, "toml")
    if line is not None:
        raise PolicyError(
            f"{source}: line {line}: nested deeper than {MAX_NESTING} levels of arrays "
            f"and tables (a policy needs at most 5)"
        )
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise PolicyError(f"{source}: TOML syntax error: {err}") from None
    except RecursionError:  # nesting the scan could not see; never a traceback
        raise PolicyError(f"{source}: nested too deeply to parse") from None
    except ValueError:  # CPython's limit on integer literals (4300 digits)
        long = re.search(r"\d{4300,}", text)
        line = text.count("\n", 0, long.start()) + 1 if long else None
        at = f"line {line}: " if line else ""
        raise PolicyError(f"{source}: {at}a number of more than 4300 digits") from None
    if tree_too_deep(raw):
        raise PolicyError(
            f"{source}: keys nested deeper than {MAX_NESTING} levels (a policy needs at most 5)"
        )
    try:
        return Policy.model_validate(raw)
    except ValidationError as err:
        raise PolicyError(format_validation_error(err, source)) from None


def read_policy_text(path: str | Path) -> str:
    """The text of a policy file: UTF-8, at most `MAX_POLICY_BYTES`.

    Raises
    ------
    PolicyError
        Unreadable, too large, or not UTF-8 text (naming the file and line).
    """
    p = Path(path)
    try:
        with p.open("rb") as f:
            data = f.read(MAX_POLICY_BYTES + 1)
    except OSError as err:
        raise PolicyError(f"{p}: cannot read policy file ({err.strerror or err})") from None
    if len(data) > MAX_POLICY_BYTES:
        raise PolicyError(f"{p}: policy file larger than {MAX_POLICY_BYTES >> 20} MiB")
    problem = utf8_problem(data)
    if problem is not None:
        raise PolicyError(f"{p}: {problem}")
    return data.decode("utf-8")


def load_policy(name_or_path: str | Path) -> Policy:
    """Load a preset by name or a TOML policy file by path.

    Raises
    ------
    PolicyError
        Unknown preset, unreadable, oversized, non-UTF-8 or too deeply nested file,
        TOML syntax error (with line and column) or schema violations (one located
        line each).
    """
    path = Path(name_or_path)
    text_name = str(name_or_path)
    if path.suffix == ".toml" or path.exists() or "/" in text_name:
        return parse_policy(read_policy_text(path), str(path))
    return parse_policy(preset_text(text_name), f"preset:{text_name}")


def _thaw(value: Any) -> Any:
    """Nested dicts and lists (tuples become lists) that `override_tree` can edit."""
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_thaw(v) for v in value]
    return value


def override_tree(base: Policy, changes: Mapping[str, Any], source: str) -> dict[str, Any]:
    """``base`` as a plain tree with each dotted path of ``changes`` set (not validated).

    A path names policy fields and list indices (``hedge.layers.0.weight``). Raises
    `PolicyError` ``SOURCE: [path] ...`` naming the first step that does not exist.
    ``base`` is never modified.
    """
    tree: dict[str, Any] = _thaw(base.model_dump())
    for path, value in changes.items():
        parts = path.split(".")
        node: Any = tree
        for depth, part in enumerate(parts):
            here = ".".join(parts[: depth + 1])
            key: str | int = part
            if isinstance(node, dict):
                if part not in node:
                    known = ", ".join(sorted(node))
                    raise PolicyError(
                        f"{source}: [{path}] unknown policy field '{here}' (known here: {known})"
                    )
            elif isinstance(node, list):
                if not part.isdigit() or int(part) >= len(node):
                    raise PolicyError(
                        f"{source}: [{path}] '{here}' needs an index 0..{len(node) - 1} "
                        f"into a list of {len(node)}"
                    )
                key = int(part)
            else:
                parent = ".".join(parts[:depth])
                raise PolicyError(f"{source}: [{path}] '{parent}' is a value, not a table or list")
            if depth == len(parts) - 1:
                node[key] = _thaw(value)
            else:
                node = node[key]
    return tree


def with_overrides(base: Policy, changes: Mapping[str, Any], source: str) -> Policy:
    """``base`` with the dotted-path ``changes`` applied, validated by the schema.

    Raises `PolicyError` with located lines (``SOURCE: [a.b] message (got value)``) for
    an unknown path or a value the schema refuses; ``base`` is never modified.
    """
    if not changes:
        return base
    tree = override_tree(base, changes, source)
    try:
        return Policy.model_validate(tree)
    except ValidationError as err:
        raise PolicyError(format_validation_error(err, source)) from None
