"""Benchmark: VixShield's import and ``no-hedge`` backtest against optopsy's iron condor.

optopsy (michaelchu/optopsy) is the nearest open-source peer for backtests on option
chains. On the same synthetic SPX chain, whole processes, this script times and sizes:

* yardstick: ``pandas.read_csv`` of the generic chain file (our venv);
* ``vixshield data import`` of that file into a temporary ``VIXSHIELD_HOME`` (a copy
  of the daily series of the store in ``--store``, so the backtest has its SPX, VIX
  and rate closes);
* ``vixshield backtest --data store --policy no-hedge`` over the chain's dates, twice:
  cold (empty market cache) and warm (the cache the first run stored);
* optopsy's ``iron_condor`` (statistics by DTE and OTM buckets; its defaults except
  ``max_otm_pct``, ``--optopsy-otm`` 0.10) on the same chain in optopsy's column layout,
  read with ``optopsy.csv_data``, in its own venv (``--optopsy-python``, default
  ``/tmp/optopsy-venv/bin/python``; skipped with a message where it is missing, does not
  import, or would form more than ``--optopsy-cap`` condors, `condor_combinations`).
  optopsy forms every 4-strike combination of an entry day's expiry in one frame: at
  its default ``max_otm_pct`` 0.5 a 30k-row chain with 23 strikes a side took 319 s and
  10.7 GB here, and the 500k chain at 0.10 (3.6 M condors) peaked at 5.9 GB, about
  1.6 KB a condor, so the benchmark bounds it rather than exhaust the machine.

Each figure is a child process's wall time and peak RSS (``os.wait4``), printed with
the ratios VixShield / optopsy. The chain: the store's last ``--days`` trading days
with SPX and VIX closes; per day the Monday/Wednesday/Friday PM expiries (SPXW) 0 to 75
calendar days out (optopsy exits at expiry, so each expiry is quoted on its last day)
and the strikes of one grid (multiples of ``step`` points, chosen so the file has about
``--rows`` rows) within spot +/- 25 %; BSM prices on the day's SPX close, rate and a skewed
smile around the VIX close; quotes ``mid -/+ (0.05 + 2 % of mid)``, rounded to 0.05,
bids floored at 0. Extra columns (``underlying_price``, ``delta``) serve optopsy;
VixShield's importer ignores them (`vixshield.data.formats.chain_csv`).

Run: ``python benchmarks/peer_optopsy.py`` (500k rows) or ``--rows 5000000``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from scipy.special import ndtr

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
DEFAULT_STORE = Path("/tmp/vs-store")
DEFAULT_OPTOPSY = Path("/tmp/optopsy-venv/bin/python")
DIV_YIELD = 0.015  # decimal per year, a round S&P 500 dividend yield for the synthetic chain
SKEW = 0.9  # smile slope: vol = atm x (1 - SKEW x ln(K/F)), floored at 40 % of atm
TICK = 0.05  # index points, SPX option minimum tick above 3.00 (Cboe) used for every quote

OPTOPSY_RUN = """
import sys, optopsy as op
from importlib.metadata import version
data = op.csv_data(sys.argv[1], underlying_symbol=0, underlying_price=1, option_type=2,
                   expiration=3, quote_date=4, strike=5, bid=6, ask=7, delta=8)
stats = op.iron_condor(data, max_otm_pct=float(sys.argv[2]))
print(version("optopsy"), "rows", len(data), "stats", len(stats))
"""


@dataclass(frozen=True)
class Run:
    """One child process: wall seconds, peak RSS in MiB, exit status, its last stdout line."""

    name: str
    seconds: float
    peak_mib: float
    status: int
    out: str


def best(runs: list[Run]) -> Run:
    """The fastest of repeated runs (the machine is shared: the others lost time to it)."""
    return min(runs, key=lambda r: (r.status != 0, r.seconds))


def measure(name: str, cmd: list[str], env: dict[str, str] | None = None) -> Run:
    """Run ``cmd`` to completion; its wall time and peak RSS from ``os.wait4``."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=REPO)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        text, errors = out.read().decode(), err.read().decode()
    if p.returncode != 0:
        tail = (errors.strip().splitlines() or ["(no stderr)"])[-1]
        print(f"  {name}: exit {p.returncode}: {tail}", file=sys.stderr)
    last = (text.strip().splitlines() or [""])[-1]
    return Run(name, seconds, usage.ru_maxrss / 1024.0, p.returncode, last)


def trading_days(store: Path, days: int) -> pd.DataFrame:
    """The store's last ``days`` dates with SPX and VIX closes: spx_close, vix, rate."""
    code = (
        "import sys; from vixshield.data.loader import load_store; "
        "d = load_store().daily[['spx_close', 'vix', 'rate']].dropna(subset=['spx_close', 'vix']);"
        "d.to_csv(sys.stdout)"
    )
    env = {**os.environ, "VIXSHIELD_HOME": str(store)}
    text = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env
    ).stdout
    from io import StringIO

    daily = pd.read_csv(StringIO(text), index_col=0, parse_dates=True)
    daily["rate"] = daily["rate"].ffill().fillna(0.02)
    return daily.iloc[-days:]


def _expiries(day: pd.Timestamp) -> list[pd.Timestamp]:
    """Monday, Wednesday and Friday PM expiries 0 to 75 calendar days after ``day`` (SPXW's
    schedule of 2016-2022); holidays are not skipped (a synthetic chain)."""
    out = [day + pd.Timedelta(days=d) for d in range(76)]
    return [e for e in out if e.weekday() in (0, 2, 4)]


def chain_day(
    day: pd.Timestamp, spot: float, vix: float, rate: float, step: float
) -> dict[str, np.ndarray]:
    """One day's synthetic chain (see module notes) as arrays: expiry (datetime64[D]),
    strike, right ("C"/"P"), bid, ask, iv, delta; by expiry, right (calls first), strike."""
    k = np.arange(math.ceil(spot * 0.75 / step) * step, spot * 1.25, step)
    exps = _expiries(day)
    e = np.array([x.to_datetime64() for x in exps], dtype="datetime64[D]")
    t = np.maximum((e - np.datetime64(day.date(), "D")).astype(np.float64), 1.0 / 24.0) / 365.0
    t = t[:, None]  # expiry day: an hour to go, about intrinsic
    f = spot * np.exp((rate - DIV_YIELD) * t)
    atm = vix / 100.0
    vol = np.maximum(atm * (1.0 - SKEW * np.log(k[None, :] / f)), 0.4 * atm)
    sd = vol * np.sqrt(t)
    d1 = (np.log(f / k) + 0.5 * sd * sd) / sd
    disc = np.exp(-rate * t)
    call = disc * (f * ndtr(d1) - k * ndtr(d1 - sd))
    put = call - disc * (f - k)
    shape = (len(exps), 2, k.size)  # expiry, right (C, P), strike
    mid = np.maximum(np.stack([call, put], axis=1), 0.0)
    half = TICK + 0.02 * mid
    bid = np.maximum(np.round((mid - half) / TICK) * TICK, 0.0)
    ask = np.maximum(np.round((mid + half) / TICK) * TICK, TICK)
    delta = np.stack([ndtr(d1), ndtr(d1) - 1.0], axis=1)
    return {
        "expiry": np.broadcast_to(e[:, None, None], shape).ravel(),
        "strike": np.broadcast_to(k[None, None, :], shape).ravel(),
        "right": np.broadcast_to(np.array(["C", "P"])[None, :, None], shape).ravel(),
        "bid": bid.ravel(),
        "ask": ask.ravel(),
        "iv": np.broadcast_to(vol[:, None, :], shape).ravel(),
        "delta": delta.ravel(),
    }


def condor_combinations(
    c: dict[str, np.ndarray], day: pd.Timestamp, spot: float, otm: float
) -> int:
    """Iron condors optopsy forms from one day's chain: per expiry, pairs of puts times
    pairs of calls among the quotes it keeps (``|K - S| / K <= otm``, bid and ask above
    its ``min_bid_ask`` 0.05, entry DTE 1 to 90). Its strategy join holds them all at once."""
    dte = (c["expiry"] - np.datetime64(day.date(), "D")).astype(np.int64)
    keep = (
        (np.abs(c["strike"] - spot) / c["strike"] <= otm)
        & (c["bid"] > 0.05)
        & (c["ask"] > 0.05)
        & (dte > 0)
        & (dte <= 90)
    )
    combos = 0
    for e in np.unique(c["expiry"][keep]):
        sel = keep & (c["expiry"] == e)
        nc = int((sel & (c["right"] == "C")).sum())
        np_ = int((sel & (c["right"] == "P")).sum())
        combos += (nc * (nc - 1) // 2) * (np_ * (np_ - 1) // 2)
    return combos


def _csv_table(columns: dict[str, object]) -> pa.Table:
    return pa.table(
        {k: pa.array(v) if not isinstance(v, pa.Array) else v for k, v in columns.items()}
    )


def write_chains(
    daily: pd.DataFrame, rows: int, folder: Path, otm: float
) -> tuple[Path, Path, int, int]:
    """The generic chain CSV and optopsy's CSV of the same quotes; returns their row count
    and the condors optopsy will form (`condor_combinations`)."""
    per_day = rows / len(daily)
    expiries = len(_expiries(pd.Timestamp(daily.index[-1])))
    strikes = per_day / (2 * expiries)  # over spot +/- 25 %, one grid for every day
    step = max(5.0, 5.0 * round(0.1 * float(daily["spx_close"].median()) / strikes))
    generic, peer = folder / "chain.csv", folder / "chain_optopsy.csv"
    n = combos = 0
    opts = pacsv.WriteOptions(quoting_style="none")
    writers: list[pacsv.CSVWriter] = []
    with pa.OSFile(str(generic), "wb") as gsink, pa.OSFile(str(peer), "wb") as psink:
        for day, r in daily.iterrows():
            d, spot = pd.Timestamp(day), float(r["spx_close"])
            c = chain_day(d, spot, float(r["vix"]), float(r["rate"]), step)
            m = c["strike"].size
            n += m
            combos += condor_combinations(c, d, spot, otm)
            qd = pa.array([d.strftime("%Y-%m-%d")] * m)
            ex = pa.array(np.datetime_as_string(c["expiry"], unit="D"))
            g = _csv_table({
                "quote_date": qd, "underlying": ["SPX"] * m, "root": ["SPXW"] * m,
                "expiry": ex, "settlement": ["PM"] * m, "strike": c["strike"],
                "right": c["right"], "bid": c["bid"], "ask": c["ask"],
                "iv": np.round(c["iv"], 4),
            })  # fmt: skip
            o = _csv_table({
                "underlying_symbol": ["SPX"] * m, "underlying_price": np.full(m, spot),
                "option_type": np.char.lower(c["right"].astype(str)), "expiration": ex,
                "quote_date": qd, "strike": c["strike"], "bid": c["bid"], "ask": c["ask"],
                "delta": np.round(c["delta"], 4),
            })  # fmt: skip
            if not writers:
                writers = [
                    pacsv.CSVWriter(gsink, g.schema, write_options=opts),
                    pacsv.CSVWriter(psink, o.schema, write_options=opts),
                ]
            writers[0].write_table(g)
            writers[1].write_table(o)
        for w in writers:
            w.close()
    return generic, peer, n, combos


def optopsy_python(given: Path) -> tuple[Path | None, str]:
    """The interpreter that imports optopsy, or None and the reason."""
    if not given.exists():
        return None, f"{given} not found (python3.11 -m venv ... && pip install optopsy)"
    probe = subprocess.run(
        [
            str(given),
            "-c",
            "import optopsy; from importlib.metadata import version; print(version('optopsy'))",
        ],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        return None, f"optopsy does not import with {given}: {probe.stderr.strip()[-200:]}"
    return given, probe.stdout.strip()


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b > 0 else "n/a"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=500_000, help="Chain rows (about).")
    ap.add_argument(
        "--days", type=int, default=None, help="Trading days (default 520, 2600 over 1M rows)."
    )
    ap.add_argument("--store", type=Path, default=DEFAULT_STORE, help="Store with daily SPX/VIX.")
    ap.add_argument("--optopsy-python", type=Path, default=DEFAULT_OPTOPSY)
    ap.add_argument(
        "--optopsy-otm",
        type=float,
        default=0.10,
        help="optopsy's max_otm_pct (its default 0.5 forms every strike pair: memory explodes).",
    )
    ap.add_argument(
        "--optopsy-cap",
        type=float,
        default=6e6,
        help="Skip optopsy where it would form more condors than this (about 1.6 KB each).",
    )
    ap.add_argument("--keep", action="store_true", help="Keep the temporary folder.")
    ap.add_argument(
        "--repeat", type=int, default=1, help="Paired runs of the warm backtest and optopsy (best)."
    )
    args = ap.parse_args()
    if not (args.store / "store" / "catalog.json").exists():
        print(f"skipped: no store with daily series at {args.store} (vixshield data fetch)")
        return
    days = args.days or (520 if args.rows <= 1_000_000 else 2600)
    work = Path(tempfile.mkdtemp(prefix="vs-peer-"))
    try:
        _run(args, days, work)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _run(args: argparse.Namespace, days: int, work: Path) -> None:
    daily = trading_days(args.store, days)
    t0 = time.perf_counter()
    generic, peer, n, combos = write_chains(daily, args.rows, work, args.optopsy_otm)
    first, last = daily.index[0].date(), daily.index[-1].date()
    print(
        f"chain: {n:,} rows, {len(daily)} days {first}..{last}, "
        f"{generic.stat().st_size / 2**20:.0f} MiB (generated in {time.perf_counter() - t0:.0f} s)"
    )
    home = work / "home"
    home.mkdir()
    shutil.copytree(args.store / "store", home / "store")
    env = {**os.environ, "VIXSHIELD_HOME": str(home)}
    env.pop("VIXSHIELD_MARKET_CACHE", None)
    vs = str(VENV_BIN / "vixshield")
    py = sys.executable
    runs = [
        measure("pandas read_csv", [py, "-c", f"import pandas; pandas.read_csv({str(generic)!r})"])
    ]
    runs.append(measure("vixshield data import", [vs, "data", "import", str(generic)], env))
    bt = [vs, "backtest", "--data", "store", "--policy", "no-hedge", "--start", str(first),
          "--end", str(last), "--out", str(work / "out"), "--json"]  # fmt: skip
    runs.append(measure("vixshield backtest (cold cache)", bt, env))
    peer_py, version = optopsy_python(args.optopsy_python)
    print(f"optopsy: max_otm_pct {args.optopsy_otm}, {combos:,} condors to form")
    if peer_py is None:
        print(f"optopsy skipped: {version}")
    elif combos > args.optopsy_cap:
        peer_py = None
        print(f"optopsy skipped: {combos:,} condors > --optopsy-cap {args.optopsy_cap:,.0f}")
    warm, peer_runs = [], []
    for _ in range(max(1, args.repeat)):  # paired: each pair shares the machine's load
        warm.append(measure("vixshield backtest (warm cache)", bt, env))
        if peer_py is not None:
            cmd = [str(peer_py), "-c", OPTOPSY_RUN, str(peer), str(args.optopsy_otm)]
            peer_runs.append(measure("optopsy iron_condor", cmd))
    runs.append(best(warm))
    if peer_runs:
        runs.append(best(peer_runs))
    trades = _trades(work / "out")
    print("\n| step | wall s | peak RSS MiB | exit | note |\n|---|---|---|---|---|")
    for r in runs:
        note = r.out if r.name.startswith("optopsy") else ""  # version, rows read, stats rows
        print(f"| {r.name} | {r.seconds:.1f} | {r.peak_mib:.0f} | {r.status} | {note} |")
    print(f"\nbacktest trades: {trades}")
    by = {r.name: r for r in runs}
    read, imp = by["pandas read_csv"], by["vixshield data import"]
    print(f"import / pandas read: time {_ratio(imp.seconds, read.seconds)}, "
          f"memory {_ratio(imp.peak_mib, read.peak_mib)}; "
          f"import rate {n / imp.seconds:,.0f} rows/s")  # fmt: skip
    if peer_py is not None:
        op = by["optopsy iron_condor"]
        print(f"optopsy {version} (run: {op.out})")
        for name in ("vixshield backtest (cold cache)", "vixshield backtest (warm cache)"):
            r = by[name]
            print(f"{name} / optopsy: time {_ratio(r.seconds, op.seconds)}, "
                  f"peak memory {_ratio(r.peak_mib, op.peak_mib)}")  # fmt: skip


def _trades(out: Path) -> str:
    try:
        summary = json.loads((out / "summary.json").read_text())
    except (OSError, ValueError):
        return "no summary.json"
    keys = [k for k in ("condors_opened", "n_condors", "trades", "cycles") if k in summary]
    return ", ".join(f"{k} {summary[k]}" for k in keys) or f"keys: {sorted(summary)[:8]}"


if __name__ == "__main__":
    main()
