"""The policy schema's building blocks: strict scalar types, their bounds, the base model.

Strict scalars: no coercion (``true`` is not 1, ``"45"`` is not 45), finite floats only.
Every section of `vixshield.strategy.policy.Policy` is a frozen `PolicyModel` that
refuses unknown keys.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "DEFAULT_LAYER_NAMES",
    "MAX_CAPITAL",
    "MAX_COST",
    "MAX_DAYS",
    "MAX_DTE",
    "MAX_LAYERS",
    "MAX_MULTIPLIER",
    "MAX_SD",
    "MAX_WEIGHT_SUM",
    "MIN_CAPITAL",
    "REGIMES",
    "Cost",
    "Count",
    "Days",
    "Dte",
    "EventKind",
    "Flag",
    "NonNeg",
    "PolicyModel",
    "Positive",
    "Real",
    "Sd",
    "Share",
    "Text",
    "Vix",
]

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


class PolicyModel(BaseModel):
    """A policy section: frozen, unknown keys refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)
