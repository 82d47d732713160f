"""Backtest speed: wall times as ratios against a no-op-strategy baseline, and hot spots.

Usage::

    python benchmarks/backtest.py            # embedded default + 1990-2026 on ../shared/data
    python benchmarks/backtest.py --short    # embedded default only
    python benchmarks/backtest.py --long     # 1990-2026 only
    python benchmarks/backtest.py --single   # a single run: reference vs current, see below
    python benchmarks/backtest.py --single --store   # ... plus 2006-2025 on $VIXSHIELD_HOME
    python benchmarks/backtest.py --fresh    # the first command on a new machine, see below

``--single`` (issue 11, item 4) times one run against the reference path measured in the
same invocation: ``arch`` imported in every process and no market or GARCH cache. In
process: the backtest on cold markets, on markets and GARCH fits seeded from the disk cache
(`vixshield.markets.cache`) and on the same markets object a second time (the report's own
before/after, plotly graph objects against the JSON figures, is `benchmarks/report.py`).
As whole processes (``python -m vixshield backtest``, subprocess, medians of ``--repeat
N``, default 3): reference, current with the cache off, current with a warm cache (the
market, GARCH, embedded-data, event-calendar and store caches) but no memos kept (a first
run over these data), and current with the memos an earlier run kept
(`vixshield.backtest.memo_cache`: a rerun), for the five years and for one month (the
fixed cost of a process).
Ratios are reference / current (higher is faster).

``--fresh`` times what every other row leaves out: the embedded default as the first
command on a new machine or after a code change, with numba's cache of compiled kernels
empty (``NUMBA_CACHE_DIR`` a new folder) and no market cache; then the same command again
(the kernels and the market cache on disk, the memos kept), in the same run. The compile
time of each kernel numba built is listed from its own timers.

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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from vixshield.backtest import Backtest
from vixshield.backtest.memo_cache import MEMO_FILES, keep_memos
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


# -- a single run: reference path vs current ------------------------------------------


def _reference_cli(args: list[str]) -> None:
    """``vixshield ARGS`` on the reference path (arch imported, no market or GARCH cache)."""
    import os

    os.environ["VIXSHIELD_MARKET_CACHE"] = "off"
    import arch  # noqa: F401  (what `load_embedded` used to import in every process)

    from vixshield.cli.app import main as cli_main

    sys.argv = ["vixshield", *args]
    cli_main()


def _median_process(
    cmd: list[str], env: dict[str, str], repeat: int, before: Callable[[], object] | None = None
) -> float:
    import statistics
    import subprocess

    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _line(label: str, seconds: float, reference: float) -> None:
    print(f"  {label:<52} {seconds:8.3f} s   {reference / seconds:8.2f}x")


def _single_in_process(label: str, market_data: MarketData, start: str, end: str) -> None:
    from vixshield.markets.cache import MarketCache
    from vixshield.markets.view import Markets
    from vixshield.strategy import load_policy

    policy = load_policy("alvh-442")
    print(f"{label}: in process (ratio: reference / this)")
    _garch_step(market_data, policy.regime.garch_min_obs, start)
    with _cache_env("off"):
        t0 = time.perf_counter()
        markets = Markets(market_data)
        Backtest(policy, markets, start=start, end=end).run()
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        Backtest(policy, markets, start=start, end=end).run()
        again = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as folder, _cache_env(folder):
        markets_with_cache = Markets(market_data, cache=MarketCache.for_data(market_data, folder))
        save_memos = keep_memos(markets_with_cache)
        Backtest(policy, markets_with_cache, start=start, end=end).run()
        markets_with_cache.save_cache()
        if save_memos is not None:
            save_memos()
        _clear_garch_memo()
        t0 = time.perf_counter()
        seeded = Markets(market_data, cache=MarketCache.for_data(market_data, folder))
        Backtest(policy, seeded, start=start, end=end).run()
        warm = time.perf_counter() - t0
        _clear_garch_memo()
        t0 = time.perf_counter()
        with_memos = Markets(market_data, cache=MarketCache.for_data(market_data, folder))
        keep_memos(with_memos)
        Backtest(policy, with_memos, start=start, end=end).run()
        rerun = time.perf_counter() - t0
    _line("backtest, cold markets (reference)", cold, cold)
    _line("backtest, markets and GARCH from the disk cache", warm, cold)
    _line("backtest, ... and the memos an earlier process kept", rerun, cold)
    _line("backtest, same markets object again", again, cold)


@contextmanager
def _cache_env(value: str) -> Iterator[None]:
    """``$VIXSHIELD_MARKET_CACHE`` set to ``value`` in the block (the GARCH cache follows it)."""
    import os

    from vixshield.markets.cache import CACHE_ENV

    saved = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = value
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(CACHE_ENV, None)
        else:
            os.environ[CACHE_ENV] = saved


def _clear_garch_memo() -> None:
    from vixshield.strategy import indicators

    indicators._GARCH_MEMO.clear()


def _garch_step(market_data: MarketData, min_obs: int, start: str) -> None:
    """The GARCH forecast of a run: fitted (reference) vs read from its disk cache."""
    from vixshield.strategy.indicators import WARMUP_DAYS, garch_forecast

    close = market_data.daily["spx_close"].astype("float64")
    warmup = pd.Timestamp(start) - pd.Timedelta(days=WARMUP_DAYS)
    with tempfile.TemporaryDirectory() as folder:
        _clear_garch_memo()
        t0 = time.perf_counter()
        fitted = garch_forecast(close, min_obs, from_date=warmup, cache_dir=folder)
        cold = time.perf_counter() - t0
        _clear_garch_memo()
        t0 = time.perf_counter()
        stored = garch_forecast(close, min_obs, from_date=warmup, cache_dir=folder)
        warm = time.perf_counter() - t0
    _clear_garch_memo()
    same = fitted.to_numpy().tobytes() == stored.to_numpy().tobytes()
    _line("GARCH step, fitted (reference)", cold, cold)
    _line(f"GARCH step, from its disk cache (bit-identical: {same})", warm, cold)


def _single_processes(label: str, args: list[str], repeat: int) -> None:
    import os

    env = dict(os.environ)
    here = str(Path(__file__).resolve())
    with tempfile.TemporaryDirectory() as tmp:
        out = ["--out", str(Path(tmp) / "out")]
        reference = _median_process(
            [sys.executable, here, "--reference-cli", *args, *out], env, repeat
        )
        off = _median_process(
            [sys.executable, "-m", "vixshield", *args, *out],
            {**env, "VIXSHIELD_MARKET_CACHE": "off"},
            repeat,
        )
        folder = Path(tmp) / "cache"
        cached = {**env, "VIXSHIELD_MARKET_CACHE": str(folder)}
        cmd = [sys.executable, "-m", "vixshield", *args, *out]
        _median_process(cmd, cached, 1)  # fill it
        warm = _median_process(cmd, cached, repeat)

        def drop_memos() -> None:  # the first run over these data: memos not kept yet
            for f in folder.glob(f"{MEMO_FILES}-*.pkl"):
                f.unlink()

        first = _median_process(cmd, cached, repeat, before=drop_memos)
        t0 = time.perf_counter()
        _median_process([sys.executable, "-c", "import vixshield"], env, 1)
        bare = time.perf_counter() - t0
    print(f"{label}: whole processes, medians of {repeat} (ratio: reference / this)")
    _line("reference (per-span shading, arch, no cache)", reference, reference)
    _line("current, cache off", off, reference)
    _line("current, warm market cache, no memos kept (a first run)", first, reference)
    _line("current, warm market cache and memos (a rerun)", warm, reference)
    print(f"  (python -c 'import vixshield': {bare:.2f} s)")


def _single(argv: list[str]) -> None:
    from vixshield.data.embedded import load_embedded

    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 3
    _single_in_process("embedded default 2014-2018", load_embedded(), "2014-01-03", "2018-12-31")
    embedded = ["backtest", "--data", "embedded", "--json"]  # not the store, when one is imported
    _single_processes("embedded default 2014-2018", embedded, repeat)
    # the fixed cost every process pays (imports, data, kernels, files): a one-month run
    month = [*embedded, "--start", "2018-12-03", "--end", "2018-12-31"]
    _single_processes("embedded default 2018-12 (fixed cost)", month, repeat)
    if "--store" in argv:
        from vixshield.data.loader import load_store

        window = ["--start", "2006-01-03", "--end", "2025-12-31"]
        _single_in_process("store 2006-2025", load_store(), "2006-01-03", "2025-12-31")
        _single_processes("store 2006-2025", ["backtest", "--data", "store", *window, "--json"], 1)


_FRESH_TIMERS = """
import sys
from vixshield.cli.app import main
sys.argv = ["vixshield", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
from numba.core.registry import CPUDispatcher
import vixshield.markets._kernels as mk, vixshield.pricing._kernels as pk
seen = set()
for mod in (mk, pk):
    for name in sorted(vars(mod)):
        f = getattr(mod, name)
        if isinstance(f, CPUDispatcher) and id(f) not in seen:
            seen.add(id(f))
            for sig in f.signatures:
                t = (f.get_metadata(sig) or {}).get("timers", {})
                name = f"{f.py_func.__module__}.{f.py_func.__name__}"
                print(name, t.get("compiler_lock", 0.0), file=sys.stderr)
"""


def _fresh() -> None:
    """The embedded default as a new machine's first command, then as its second."""
    import os
    import subprocess

    args = ["backtest", "--data", "embedded", "--json"]
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "NUMBA_CACHE_DIR": str(Path(tmp) / "numba"),
            "VIXSHIELD_MARKET_CACHE": str(Path(tmp) / "cache"),
        }
        cmd = [sys.executable, "-c", _FRESH_TIMERS, *args, "--out", str(Path(tmp) / "out")]
        t0 = time.perf_counter()
        done = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
        first = time.perf_counter() - t0
        plain = [sys.executable, "-m", "vixshield", *args, "--out", str(Path(tmp) / "out")]
        second = _median_process(plain, env, 1)
    compiled = [ln.rsplit(" ", 1) for ln in done.stderr.splitlines() if ln.startswith("vixshield.")]
    # a kernel's timer includes the callees compiled for it, so the rows overlap (not a sum)
    print("embedded default 2014-2018, a new machine: whole processes (ratio: first / this)")
    _line("first command (numba compiles, no market cache)", first, first)
    _line("second command (kernels, market cache and memos on disk)", second, first)
    print("  compile time of each kernel built by the first command (s, includes its callees):")
    for name, seconds in sorted(compiled, key=lambda x: -float(x[1])):
        print(f"    {name:<50} {float(seconds):8.2f}")


def main(argv: list[str]) -> int:
    from vixshield.data.embedded import load_embedded

    if argv[:1] == ["--reference-cli"]:
        _reference_cli(argv[1:])
        return 0
    if "--fresh" in argv:
        _fresh()
        return 0
    if "--single" in argv:
        _single(argv)
        return 0

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
