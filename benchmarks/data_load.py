"""Benchmark: `load_store()` for 1990-2026 against parsing the raw CSVs with pandas.

Imports every real history in ../shared/data (Cboe indices 1990-2026, FRED,
stooq, CFE VX, T-bill) into a temporary store, then times in the same run:

* baseline: ``pandas.read_csv`` of the same raw files (no validation, no alignment);
* ``load_store()`` read from the store's files (cache off: what the first process
  after an import pays), warm (calendar cached, best of N);
* ``load_store()`` read back from its cache file (`vixshield.data.cache_files`: every
  later process over the same store), warm;
* ``load_store()`` cold: first call in a fresh interpreter, imports included, with
  and without the cache.

Figures are printed as seconds and as ratios to the baseline. Target: warm
``load_store()`` under 0.5 s. The caches live in a temporary folder
(``$VIXSHIELD_MARKET_CACHE``), never the user's.

Run: ``python benchmarks/data_load.py``
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

SHARED = (Path(__file__).resolve().parents[1] / ".." / "shared" / "data").resolve()
REPEATS = 7


def best_of(fn: Callable[[], object], n: int = REPEATS) -> float:
    """Best wall time of ``n`` calls, seconds."""
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def read_raw_csvs() -> int:
    """Baseline: read every raw history with plain pandas (what a script would do)."""
    rows = 0
    for f in sorted((SHARED / "cboe_indices").glob("*_History.csv")):
        df = pd.read_csv(f)
        df["DATE"] = pd.to_datetime(df["DATE"], format="%m/%d/%Y")
        rows += len(df)
    for f in (SHARED / "fred" / "VIXCLS.csv", SHARED / "rates" / "tbill13week_2005_2014.csv"):
        rows += len(pd.read_csv(f, parse_dates=[0]))
    rows += len(pd.read_csv(SHARED / "spx" / "spx_stooq_daily.csv", parse_dates=["Date"]))
    for f in sorted((SHARED / "cfe_vx").glob("CFE_*_VX.csv")):
        df = pd.read_csv(f, usecols=range(11), index_col=False)
        df["Trade Date"] = pd.to_datetime(df["Trade Date"], format="mixed")
        rows += len(df)
    return rows


def main() -> None:
    if not SHARED.is_dir():
        print(f"skipped: real sample data not found at {SHARED}")
        return
    from vixshield.data.cache_files import CACHE_ENV
    from vixshield.data.loader import load_store
    from vixshield.data.store import Store
    from vixshield.data.store_import import import_path

    span = ("1990-01-01", "2026-12-31")
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as cache:
        t0 = time.perf_counter()
        result = import_path(SHARED, Store(home))
        t_import = time.perf_counter() - t0

        t_base = best_of(read_raw_csvs)
        os.environ[CACHE_ENV] = "off"
        load_store(*span, home=home)  # warm the calendar cache
        t_read = best_of(lambda: load_store(*span, home=home))
        os.environ[CACHE_ENV] = cache
        md = load_store(*span, home=home)  # computes and stores the cache file
        t_cached = best_of(lambda: load_store(*span, home=home))

        code = (
            "import time; t=time.perf_counter();"
            "from vixshield.data.loader import load_store;"
            f"load_store('1990-01-01', '2026-12-31', home={home!r});"
            "print(time.perf_counter()-t)"
        )

        def cold(folder: str) -> float:
            env = {**os.environ, CACHE_ENV: folder}
            return min(
                float(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                     text=True, check=True, env=env).stdout)
                for _ in range(3)
            )  # fmt: skip

        t_cold_read, t_cold_cached = cold("off"), cold(cache)

    print(f"imported {len(result.files)} files, {len(result.written)} series, {t_import:.2f} s")
    print(
        f"load_store 1990-2026: {len(md.daily)} trading days x {md.daily.shape[1]} columns, "
        f"{len(md.vx)} VX settlements, {len(md.events)} events"
    )
    rows = [
        ("baseline pandas.read_csv of the raw files", t_base),
        (f"load_store() from the files, warm (best of {REPEATS})", t_read),
        (f"load_store() from its cache, warm (best of {REPEATS})", t_cached),
        ("load_store() from the files, fresh interpreter", t_cold_read),
        ("load_store() from its cache, fresh interpreter", t_cold_cached),
    ]
    for label, t in rows:
        print(f"{label:<52}: {t * 1e3:8.1f} ms  ({t / t_base:.2f}x baseline)")
    print("(fresh interpreter: imports included)")
    print(f"target < 500 ms warm: {'met' if t_read < 0.5 else 'NOT met'}")


if __name__ == "__main__":
    main()
