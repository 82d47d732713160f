"""The Cboe S&P 500 strategy benchmark indices: names, comparison quirks, targets, result types.

`SPECS` holds what is known about each index outside its rules: its Cboe name,
where its published history can be compared from (the quirks of
``../shared/reference/cboe_strategy/README.md``) and the model's target.
`Leg`, `Month` and `Period` are what the replicas (`vixshield.validation.indices`)
read and return.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from vixshield._typing import Origin, Right

__all__ = [
    "CLL_PUT_MONTHS",
    "DEFAULT_DIV_YIELD",
    "INDEX_NAMES",
    "SPECS",
    "IndexName",
    "IndexSpec",
    "Leg",
    "Month",
    "Period",
    "Target",
]

IndexName = Literal["put", "bxm", "pput", "cll"]
"""Key of a Cboe strategy benchmark index (lower case, as in `MarketData.benchmarks`)."""

INDEX_NAMES: tuple[IndexName, ...] = ("put", "bxm", "pput", "cll")

DEFAULT_DIV_YIELD = 0.018
"""S&P 500 dividend yield, decimal per year, where the data has no ``div_yield``
column (the long-run average the modeled SPX forward also assumes)."""

CLL_PUT_MONTHS = frozenset({3, 6, 9, 12})  # March cycle of the CLL put (expiry months)


@dataclass(frozen=True)
class Target:
    """What a replica must reach against its index (monthly returns).

    Attributes
    ----------
    min_correlation : float
        Lowest acceptable correlation of monthly returns.
    max_abs_gap : float
        Largest acceptable |annualised mean return gap|, percent per year.
    """

    min_correlation: float
    max_abs_gap: float


@dataclass(frozen=True)
class IndexSpec:
    """One Cboe strategy index: its names, where its comparison starts, its target.

    Attributes
    ----------
    name : IndexName
        Key, e.g. ``"put"``.
    ticker : str
        Cboe ticker, e.g. ``"PUT"``.
    title : str
        Cboe's name of the index.
    compare_from : Timestamp or None
        First roll date compared (a quirk of the published history), None for
        the first value of the series.
    note : str
        Why ``compare_from`` is set (empty where it is not).
    target : Target
        The model's target against this index.
    """

    name: IndexName
    ticker: str
    title: str
    compare_from: pd.Timestamp | None
    note: str
    target: Target


SPECS: Mapping[IndexName, IndexSpec] = {
    "put": IndexSpec(
        "put",
        "PUT",
        "Cboe S&P 500 PutWrite Index",
        pd.Timestamp("2007-01-03"),
        "PUT has daily values only from 2007-01-03 (7 isolated values before)",
        Target(0.97, 0.5),
    ),
    "bxm": IndexSpec("bxm", "BXM", "Cboe S&P 500 BuyWrite Index", None, "", Target(0.97, 0.5)),
    "pput": IndexSpec(
        "pput", "PPUT", "Cboe S&P 500 5% Put Protection Index", None, "", Target(0.97, 0.5)
    ),
    "cll": IndexSpec(
        "cll",
        "CLL",
        "Cboe S&P 500 95-110 Collar Index",
        pd.Timestamp("2009-10-16"),
        "CLL drops 19.8 % from 2009-10-15 to 2009-10-16, a level discontinuity of the "
        "series, not a market move: compared from the 2009-10-16 roll on",
        Target(0.95, 1.0),
    ),
}
"""The four indices (targets: ../shared/reference/cboe_strategy/README.md and the brief)."""


@dataclass(frozen=True)
class Leg:
    """One option held over a period, per unit of the index portfolio.

    Attributes
    ----------
    right : {"C", "P"}
    strike : float
        Index points.
    expiry : Timestamp
        Expiration (root SPX, AM).
    quantity : float
        +1 long, -1 short, per S&P 500 unit (PUT: per put).
    entry : float
        Value at the period start, index points: the close mid (the price paid or
        received where the option is traded then).
    exit : float
        Value at the period end, index points: the payoff against the settlement
        where the option expires then, else the close mid.
    origin : {"real", "modeled"}
        Origin of the entry quote.
    """

    right: Right
    strike: float
    expiry: pd.Timestamp
    quantity: float
    entry: float
    exit: float
    origin: Origin


@dataclass(frozen=True)
class Month:
    """One period of a replica: its return and the options behind it.

    Attributes
    ----------
    start, end : Timestamp
        Roll dates (the period runs from the close of ``start`` to the close of ``end``).
    ret : float
        Return over the period, decimal.
    legs : tuple of Leg
    notes : tuple of str
        Events of the period, each ``"<kind>: <detail>"`` (a cross-roll, a strike
        off the listed grid); empty in an ordinary month.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    ret: float
    legs: tuple[Leg, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Period:
    """The real SPX path between two roll dates (what every rule reads).

    Attributes
    ----------
    start, end : Timestamp
        Roll dates.
    spot : float
        SPX close on ``start``, index points.
    close : float
        SPX close on ``end``, index points.
    settle : float
        Settlement value of the monthly expiring on ``end`` (`MarketView.settlement`).
    rate : float
        Rate known at ``start``'s close, decimal per year.
    dividends : float
        S&P 500 dividends over (start, end], index points.
    days : int
        Calendar days from ``start`` to ``end``.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    spot: float
    close: float
    settle: float
    rate: float
    dividends: float
    days: int
