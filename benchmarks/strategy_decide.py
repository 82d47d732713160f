"""Strategy speed: time spent inside `decide` over the embedded 2014-2018 run.

Usage::

    python benchmarks/strategy_decide.py

Runs the same daily backtest loop (real `Markets` on the embedded data, policy
``alvh-442``) three times in one process:

1. a no-op decide (the baseline: the loop, marks and accounting with no book);
2. the real `decide`, timed per call with ``time.perf_counter``;
3. the real `decide` under cProfile, to list the strategy's own hot spots.

Indicators (GARCH fits included) are computed once, timed separately, and passed
in, so (2) measures the per-close decision only. Figures are printed in seconds
and as ratios to the baseline loop of the same run (machines differ; ratios are
what to compare between versions). Target: the whole default backtest under 3 s
on a 2-core machine, with decide a small share of it.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time
from typing import Any

import pandas as pd

from vixshield.strategy.types import Decision

START, END = "2014-01-03", "2018-12-31"


def noop(date: pd.Timestamp, *args: object, **kwargs: object) -> Decision:
    """A strategy that never trades (the baseline loop)."""
    return Decision(date=date, regime="none", regime_inputs={}, orders=(), audit=())


def main(argv: list[str]) -> int:
    from vixshield.backtest import Backtest
    from vixshield.data.embedded import load_embedded
    from vixshield.markets.view import Markets
    from vixshield.strategy import compute_indicators, decide, load_policy

    data = load_embedded()
    policy = load_policy("alvh-442")
    t0 = time.perf_counter()
    indicators = compute_indicators(data, policy)
    t_ind = time.perf_counter() - t0

    def run(fn: Any) -> float:
        t = time.perf_counter()
        Backtest(
            policy, Markets(data), start=START, end=END, decide=fn, indicators=indicators
        ).run()
        return time.perf_counter() - t

    base = run(noop)
    spent = [0.0]
    calls = [0]

    def timed(*args: Any, **kwargs: Any) -> Decision:
        t = time.perf_counter()
        out = decide(*args, **kwargs)
        spent[0] += time.perf_counter() - t
        calls[0] += 1
        return out

    full = run(timed)
    print(f"embedded {START}..{END}, policy alvh-442")
    print(f"  compute_indicators (once)     {t_ind:8.2f} s")
    print(f"  no-op loop (baseline)         {base:8.2f} s   1.00x")
    print(f"  loop with decide              {full:8.2f} s   {full / base:7.1f}x")
    print(
        f"  inside decide ({calls[0]} closes)  {spent[0]:8.2f} s   {spent[0] / base:7.1f}x"
        f"   {1e3 * spent[0] / max(calls[0], 1):.2f} ms per close,"
        f" {spent[0] / full:.0%} of the loop"
    )
    if "--no-profile" not in argv:
        prof = cProfile.Profile()
        prof.enable()
        run(decide)
        prof.disable()
        print("strategy hot spots (cumulative):")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(r"strategy[/\\]", 15)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
