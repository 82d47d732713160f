"""Backtest speed: wall times as ratios against a no-op-strategy baseline, and hot spots.

Usage::

    python benchmarks/backtest.py            # embedded default + 1990-2026 on ../shared/data
    python benchmarks/backtest.py --short    # embedded default only
    python benchmarks/backtest.py --long     # 1990-2026 only

For each data set the same daily loop runs with a no-op strategy (the baseline:
calendar, accounting and metrics with nothing to mark) and with the ``alvh-442``
policy; on the embedded default it also replays the recorded ``alvh-442`` decisions
(engine + market quotes without the strategy) and splits that time into
``market.quote`` and the engine's own work. Times are printed in seconds and as a
ratio to the baseline of the same run (market construction is outside the timings); a
cProfile of the default run lists the hot spots (by own time) and the share of time
per layer. Targets (2-core machine): default under 3 s (engine's own share a few
hundred ms), 1990-2026 under 20 s.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd

from vixshield.backtest import Backtest
from vixshield.data.market import MarketData
from vixshield.strategy.types import Decision

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def noop(date: pd.Timestamp, *args: object, **kwargs: object) -> Decision:
    """A strategy that never trades (the baseline loop)."""
    return Decision(date=date, regime="none", regime_inputs={}, orders=(), audit=())


class _TimedMarket:
    """A market that adds up the time spent in ``quote`` (delegates everything else)."""

    def __init__(self, market: Any) -> None:
        self.market = market
        self.seconds = 0.0
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.market, name)

    def quote(self, *args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        out = self.market.quote(*args, **kwargs)
        self.seconds += time.perf_counter() - t0
        self.calls += 1
        return out


def _timed(
    data: MarketData,
    decide: Any,
    start: str | None,
    end: str | None,
    indicators: pd.DataFrame | None = None,
) -> tuple[float, Any]:
    from vixshield.markets.view import Markets
    from vixshield.strategy import load_policy

    policy = load_policy("alvh-442")
    market = _TimedMarket(Markets(data))
    t0 = time.perf_counter()
    Backtest(policy, market, start=start, end=end, decide=decide, indicators=indicators).run()
    return time.perf_counter() - t0, market


def _compare(
    label: str, data: MarketData, start: str | None, end: str | None, replay: bool
) -> None:
    base, _ = _timed(data, noop, start, end)
    full, _ = _timed(data, None, start, end)
    n = len(data.daily.loc[start:end])
    print(f"{label}: {n} days")
    print(f"  no-op strategy (baseline)  {base:8.2f} s   1.00x")
    print(f"  alvh-442                   {full:8.2f} s   {full / base:6.1f}x")
    if not replay:
        return
    from vixshield.strategy import compute_indicators, decide, load_policy

    indicators = compute_indicators(data, load_policy("alvh-442"))
    recorded: dict[pd.Timestamp, Decision] = {}

    def record(date: pd.Timestamp, *args: Any, **kwargs: Any) -> Decision:
        out = decide(date, *args, **kwargs)
        recorded[date] = out
        return out

    def replayed(date: pd.Timestamp, *args: Any, **kwargs: Any) -> Decision:
        return recorded[date]

    _timed(data, record, start, end, indicators)
    wall, market = _timed(data, replayed, start, end, indicators)
    engine = wall - market.seconds
    print(f"  replayed decisions         {wall:8.2f} s   {wall / base:6.1f}x")
    print(f"    of which market.quote    {market.seconds:8.2f} s   ({market.calls} calls)")
    print(f"    engine's own work        {engine:8.2f} s   {engine / base:6.1f}x")


def _profile(data: MarketData, start: str, end: str) -> None:
    from vixshield.markets.view import Markets
    from vixshield.strategy import load_policy

    policy = load_policy("alvh-442")
    prof = cProfile.Profile()
    prof.enable()
    Backtest(policy, Markets(data), start=start, end=end).run()
    prof.disable()
    stats = pstats.Stats(prof)
    layers: dict[str, float] = defaultdict(float)
    total = 0.0
    for (file, _, _), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        total += own
        parts = Path(file).parts
        layer = parts[parts.index("vixshield") + 1] if "vixshield" in parts else "third-party"
        layers[layer.removesuffix(".py")] += own
    print("own time by layer (profiled):")
    for layer, own in sorted(layers.items(), key=lambda kv: -kv[1]):
        print(f"  {layer:<14} {own / total:6.1%}")
    print("hot spots (own time):")
    stats.sort_stats("tottime").print_stats(15)


def _shared_data() -> MarketData | None:
    if not SHARED.is_dir():
        print(f"(no {SHARED.resolve()}: 1990-2026 run skipped)")
        return None
    from vixshield.data.loader import load_store
    from vixshield.data.store import Store
    from vixshield.data.store_import import import_path

    home = Path(tempfile.mkdtemp(prefix="vixshield-bench-"))
    store = Store(home)
    for f in ("spx/spx_stooq_daily.csv", "cboe_indices", "rates/tbill13week_2005_2014.csv"):
        import_path(SHARED / f, store)
    return load_store("1990-01-02", None, home=home)


def main(argv: list[str]) -> int:
    from vixshield.data.embedded import load_embedded

    if "--long" not in argv:
        t0 = time.perf_counter()
        data = load_embedded()
        print(f"load_embedded: {time.perf_counter() - t0:.2f} s (not in the times below)")
        _compare("embedded default 2014-01-03..2018-12-31", data, "2014-01-03", "2018-12-31", True)
    if "--short" not in argv:
        real = _shared_data()
        if real is not None:
            _compare("imported real indices 1990..", real, None, None, False)
    if "--long" not in argv:
        _profile(data, "2014-01-03", "2018-12-31")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
