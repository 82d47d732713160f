"""vixshield.backtest: the engine, portfolio accounting and metrics.

``Backtest(policy, market).run() -> BacktestResult``; ``summary_dict(result)`` digests it;
``replay(policy, market, date)`` restores the strategy state at a close (the signal's).
"""

from vixshield.backtest.engine import Backtest, DecideFn, PolicyLike
from vixshield.backtest.replay import Replay, decide_replayed, replay, replay_start
from vixshield.backtest.result import BacktestResult
from vixshield.backtest.shock import Shock
from vixshield.backtest.summary import summary_dict, summary_json
from vixshield.markets.costs import CONTRACT_MULTIPLIER, CostModel

__all__ = [
    "CONTRACT_MULTIPLIER",
    "Backtest",
    "BacktestResult",
    "CostModel",
    "DecideFn",
    "PolicyLike",
    "Replay",
    "Shock",
    "decide_replayed",
    "replay",
    "replay_start",
    "summary_dict",
    "summary_json",
]
