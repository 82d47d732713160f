"""vixshield.strategy: policies, the iron condor builder, the ALVH hedge, the regime engine.

Entry points: `load_policy`, `compute_indicators`, `decide`.
"""

from __future__ import annotations

from vixshield.strategy.condor import CondorAnalytics, CondorCandidate, analyse_condor, build_condor
from vixshield.strategy.engine import decide
from vixshield.strategy.indicators import compute_indicators
from vixshield.strategy.policy import Policy, list_presets, load_policy, parse_policy
from vixshield.strategy.state import StrategyState
from vixshield.strategy.types import (
    AccountState,
    DecideFn,
    Decision,
    ForeignStateError,
    Leg,
    Order,
    Position,
    RuleFired,
)

__all__ = [
    "AccountState",
    "CondorAnalytics",
    "CondorCandidate",
    "DecideFn",
    "Decision",
    "ForeignStateError",
    "Leg",
    "Order",
    "Policy",
    "Position",
    "RuleFired",
    "StrategyState",
    "analyse_condor",
    "build_condor",
    "compute_indicators",
    "decide",
    "list_presets",
    "load_policy",
    "parse_policy",
]
