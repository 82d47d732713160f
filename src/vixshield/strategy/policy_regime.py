"""The policy's regime section (classification, effects, the scanner) and custom inputs."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from vixshield.strategy.policy_fields import (
    MAX_LAYERS,
    MAX_MULTIPLIER,
    REGIMES,
    Count,
    Flag,
    NonNeg,
    PolicyModel,
    Real,
    Text,
    Vix,
)

__all__ = ["CustomIndicator", "RegimeEffect", "RegimePolicy", "ScanPolicy"]


class RegimeEffect(PolicyModel):
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


class ScanPolicy(PolicyModel):
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


class RegimePolicy(PolicyModel):
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


class CustomIndicator(PolicyModel):
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
