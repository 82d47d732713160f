"""What the per-market memo of the strategy's market-only decisions saves a sweep.

Usage::

    python benchmarks/market_memo.py                      # embedded, 2014-2018, 10 variants
    VIXSHIELD_HOME=/tmp/vs-store python benchmarks/market_memo.py --data store \\
        --start 2006-01-03 --end 2025-12-31 --variants 4

Runs ``--variants`` values of ``sizing.risk_per_condor`` (0.01 .. 0.028) one after the
other on one market object, as an in-process sweep does (`vixshield.sweep.runner`), in
two arms, each with its own market: the memo of `vixshield.strategy.memo` switched off
(every `choose_hedge` and `build_condor` quotes the market) and on; the arms alternate
variant by variant. Prints each arm's seconds (first variant, mean of the others,
total) and the ratios off / on, and checks the two arms' trades and daily frames are
equal. Timings are of this run only: compare the ratios, not the seconds, across
machines.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Hashable
from typing import Any

import pandas as pd

from vixshield.backtest import Backtest
from vixshield.cli._sources import open_markets
from vixshield.strategy import condor, hedge_choice, load_policy
from vixshield.strategy.memo import MarketMemo


class _Off(MarketMemo[Any]):
    """A memo that never hits (the arm without memo)."""

    def get(self, market: object, key: Hashable) -> None:
        return None


def _arms(
    data: str, policy: Any, risks: list[float], start: str, end: str
) -> dict[str, tuple[list[float], list[Any]]]:
    """Each variant on the memo-off market, then on the memo-on market (interleaved, so
    the machine's load falls on both arms alike); seconds and results per arm."""
    markets = {"memo off": open_markets(data), "memo on": open_markets(data)}
    memos = {"memo off": (_Off(1), _Off(1)), "memo on": (hedge_choice._CHOICES, condor._CONDORS)}
    out: dict[str, tuple[list[float], list[Any]]] = {k: ([], []) for k in markets}
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    try:
        for risk in risks:
            sizing = policy.sizing.model_copy(update={"risk_per_condor": risk})
            variant = policy.model_copy(update={"sizing": sizing})
            for arm, market in markets.items():
                hedge_choice._CHOICES, condor._CONDORS = memos[arm]
                t0 = time.perf_counter()
                res = Backtest(variant, market, start=first, end=last).run()
                out[arm][0].append(time.perf_counter() - t0)
                out[arm][1].append(res)
    finally:
        hedge_choice._CHOICES, condor._CONDORS = memos["memo on"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="embedded")
    ap.add_argument("--start", default="2014-01-02")
    ap.add_argument("--end", default="2018-12-31")
    ap.add_argument("--policy", default="alvh-442")
    ap.add_argument("--variants", type=int, default=10)
    args = ap.parse_args()
    policy = load_policy(args.policy)
    risks = [round(0.01 + 0.002 * i, 6) for i in range(args.variants)]
    arms = _arms(args.data, policy, risks, args.start, args.end)
    (off, res_off), (on, res_on) = arms["memo off"], arms["memo on"]
    for a, b in zip(res_off, res_on, strict=True):
        pd.testing.assert_frame_equal(a.trades, b.trades)
        pd.testing.assert_frame_equal(a.daily, b.daily)
    for name, s in (("memo off", off), ("memo on", on)):
        rest = sum(s[1:]) / max(len(s) - 1, 1)
        print(f"{name:9s} first {s[0]:7.2f} s  extra variant {rest:7.2f} s  total {sum(s):7.2f} s")
    rest_off = sum(off[1:]) / max(len(off) - 1, 1)
    rest_on = sum(on[1:]) / max(len(on) - 1, 1)
    print(f"ratio off/on: total {sum(off) / sum(on):.2f}x, extra variant {rest_off / rest_on:.2f}x")
    print("results equal: yes")


if __name__ == "__main__":
    main()
