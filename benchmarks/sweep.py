"""Sweep speed: N variants on Dask as ratios against one cold backtest of the same run.

Usage::

    python benchmarks/sweep.py               # 100 variants over 2014-2018 (embedded)
    python benchmarks/sweep.py --n 20        # fewer variants (same ratios, less time)

Measured in this one run (wall times, seconds):

* ``cold``: one whole process that imports vixshield, opens ``--data embedded`` and
  backtests ``alvh-442`` over the window (what one ``vixshield backtest`` costs before
  its report, the market cache warm but no memos kept by an earlier process, as the
  first run over a day's data): the baseline;
* ``sweep(2)``: the N-variant sweep on a LocalCluster of 2 worker processes (cluster
  start, each worker opening the market once, every run); target ``<= 25 x cold`` for
  N = 100 on 2 cores (issue 11);
* ``sweep(1)``: the same sweep on 1 worker; target ``sweep(1) / sweep(2) >= 1.7``;
* ``sweep(0)``: the same sweep in this process (one market object for every run): the
  cost of a run without Dask, so ``sweep(1) / sweep(0)`` is what a worker adds;
* the extrapolated 1,000-variant time: the 2-worker fixed cost (a 1-variant sweep)
  plus 1,000 x the marginal cost per variant, times the window's length in years over 5
  (target under 5 minutes).

The variants are a grid over ``sizing.risk_per_condor`` (N values), so every run trades.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time

from vixshield.sweep import run_sweep

START, END = "2014-01-02", "2018-12-31"
COLD = (
    "from vixshield.cli._sources import load_data, market_cache\n"
    "from vixshield.markets import Markets\n"
    "from vixshield.strategy.policy import load_policy\n"
    "from vixshield.backtest import Backtest, summary_dict\n"
    "d = load_data('embedded')\n"
    "m = Markets(d, cache=market_cache(d))  # no memos kept: a first run over the data\n"
    f"summary_dict(Backtest(load_policy('alvh-442'), m, start='{START}', end='{END}').run())\n"
)


def cold_backtest() -> float:
    """Wall time of one whole process doing one backtest (imports and market included)."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", COLD], check=True)
    return time.perf_counter() - t0


def timed_sweep(n: int, workers: int) -> float:
    """Wall time of an ``n``-variant sweep on ``workers`` local worker processes."""
    grid = {"sizing.risk_per_condor": [round(0.005 + 0.0003 * i, 6) for i in range(n)]}
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        run = run_sweep(grid, data="embedded", start=START, end=END, workers=workers, out=out)
        elapsed = time.perf_counter() - t0
    assert len(run.executed) == n
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="variants (default 100)")
    args = parser.parse_args()
    n = args.n
    cold = cold_backtest()
    one = timed_sweep(1, 2)
    two = timed_sweep(n, 2)
    single = timed_sweep(n, 1)
    here = timed_sweep(n, 0)
    years = 5.0  # 2014-2018
    per_variant = max(two - one, 0.0) / max(n - 1, 1)
    thousand = (one + 1000 * per_variant) * 5.0 / years
    print(f"window {START}..{END}, {n} variants")
    print(f"cold single backtest (whole process): {cold:8.1f} s  (baseline 1.0x)")
    print(f"1-variant sweep, 2 workers (fixed):   {one:8.1f} s  {one / cold:6.1f}x")
    print(f"{n}-variant sweep, 2 workers:        {two:8.1f} s  {two / cold:6.1f}x  (target <= 25x)")
    print(f"{n}-variant sweep, 1 worker:         {single:8.1f} s  {single / cold:6.1f}x")
    print(f"{n}-variant sweep, in process:       {here:8.1f} s  {here / cold:6.1f}x")
    print(f"1 worker / in process:                {single / here:8.2f}x")
    print(f"speedup 1 -> 2 workers:               {single / two:8.2f}x  (target >= 1.7x)")
    print(f"marginal cost per variant, 2 workers: {per_variant:8.2f} s")
    print(f"extrapolated 1,000 variants x 5 years: {thousand:7.0f} s  (target < 300 s)")


if __name__ == "__main__":
    main()
