"""Benchmark: streaming chain import (``vixshield data import``) against a pyarrow read.

Generates a synthetic SPX chain of ``--rows`` option quotes (default 2 M) in the
generic format (`vixshield.data.formats.chain_csv`) and, with ``--optionsdx``, the
same quotes as an OptionsDX file (one line per strike with call and put: half the
lines); then, as whole processes (``os.wait4``: wall time and peak RSS of each):

* yardstick: ``pyarrow.csv.read_csv`` of the file (the whole file in memory, no
  validation, nothing written);
* ``vixshield data import FILE --home TMP`` into an empty store.

Prints rows/s, peak RSS, CPU seconds (user + system: on a shared machine wall time
depends on the other load, CPU time much less) and the ratios import / yardstick.
Targets (issue 14, 2-core machine): 20 M rows imported at >= 500k rows/s under 1.5 GB
peak.

``--against SRC`` also imports with the code of another checkout's ``src`` folder
(``PYTHONPATH=SRC python -m vixshield``), alternating with this one ``--repeat``
times, for a before/after ratio measured in the same run. ``--file`` reads an
existing generic chain file instead of writing one.

Run: ``python benchmarks/chain_import.py`` or ``--rows 20000000`` (about 1.5 GB of
text in the temporary folder; ``--keep`` leaves it there).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

VENV_BIN = Path(sys.executable).parent
ROWS_PER_DAY = 8000
"""Quotes a day: 8 weekly expiries x 500 strikes x call and put (a full SPX day is 10-20k)."""


@dataclass(frozen=True)
class Run:
    name: str
    seconds: float
    peak_mib: float
    cpu_seconds: float


def measure(name: str, cmd: list[str], env: dict[str, str] | None = None) -> Run:
    """Wall time, peak RSS and CPU time (user + system) of one child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    secs = time.perf_counter() - t0
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{name} failed: {err}")
    return Run(name, secs, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def count_rows(path: Path) -> int:
    """Data lines of a text file with one header line."""
    with path.open("rb") as fh:
        return sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 24), b"")) - 1


def show(r: Run, n: int) -> None:
    print(f"  {r.name:24s} {r.seconds:7.2f} s  {n / r.seconds / 1e3:8.0f}k rows/s  "
          f"peak {r.peak_mib:7.0f} MiB  cpu {r.cpu_seconds:7.2f} s")  # fmt: skip


def _day_block(rows: int) -> dict[str, np.ndarray]:
    """Within-day offsets of one day's quotes: expiry (weeks), strike index, right."""
    i = np.arange(rows)
    per_expiry = 1000
    return {"week": i // per_expiry, "k": (i % per_expiry) // 2, "put": i % 2 == 1}


def write_chain(path: Path, rows: int, *, optionsdx: bool) -> int:
    """Write ``rows`` quotes (generic) or their OptionsDX form; returns the quotes."""
    days = -(-rows // ROWS_PER_DAY)
    day0 = np.datetime64("2010-01-04")
    block = _day_block(ROWS_PER_DAY)
    rng = np.random.default_rng(14)
    written = 0
    with pa.OSFile(str(path), "wb") as sink:
        if optionsdx:
            sink.write(
                b"[QUOTE_UNIXTIME], [QUOTE_READTIME], [QUOTE_DATE], [UNDERLYING_LAST], "
                b"[EXPIRE_DATE], [C_IV], [C_BID], [C_ASK], [STRIKE], [P_BID], [P_ASK], [P_IV]\n"
            )
        opts = pacsv.WriteOptions(include_header=not optionsdx, quoting_style="none")
        writer = None
        for d in range(days):
            n = min(ROWS_PER_DAY, rows - written)
            qd = day0 + np.timedelta64(d * 7 // 5, "D")  # about 5 quote days a week
            friday = qd + np.timedelta64((4 - (int(qd.astype(np.int64)) - 1) % 7) % 7, "D")
            expiry = friday + (7 * (block["week"][:n] + 1)).astype("timedelta64[D]")
            strike = 3000.0 + 5.0 * block["k"][:n]
            mid = np.round(rng.uniform(0.5, 80.0, n), 2)
            if optionsdx:
                c = slice(0, n, 2)  # call and put of a strike on one line
                table = pa.table({
                    "u": np.full(n // 2, 1262638800), "rt": pa.array([f"{qd} 16:00"] * (n // 2)),
                    "qd": pa.array([str(qd)] * (n // 2)), "spot": np.full(n // 2, 3500.0),
                    "ex": pa.array(expiry[c].astype(str)), "civ": np.full(n // 2, 0.2),
                    "cb": mid[c], "ca": mid[c] + 0.5, "k": strike[c], "pb": mid[1::2],
                    "pa": mid[1::2] + 0.5, "piv": np.full(n // 2, 0.21),
                })  # fmt: skip
            else:
                table = pa.table({
                    "quote_date": pa.array([str(qd)] * n), "underlying": pa.array(["SPX"] * n),
                    "root": pa.array(["SPXW"] * n), "expiry": pa.array(expiry.astype(str)),
                    "settlement": pa.array(["PM"] * n), "strike": strike,
                    "right": pa.array(np.where(block["put"][:n], "P", "C")),
                    "bid": mid, "ask": mid + 0.5, "iv": np.full(n, 0.2),
                })  # fmt: skip
            if writer is None:
                writer = pacsv.CSVWriter(sink, table.schema, write_options=opts)
            writer.write_table(table)
            written += n
        if writer is not None:
            writer.close()
    if optionsdx:  # OptionsDX puts ", " between fields
        tmp = path.with_suffix(".tmp")
        with path.open("rb") as src, tmp.open("wb") as dst:
            for chunk in iter(lambda: src.read(1 << 24), b""):
                dst.write(chunk.replace(b",", b", ").replace(b",  ", b", "))
        tmp.replace(path)
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--optionsdx", action="store_true", help="Also the OptionsDX form.")
    ap.add_argument("--keep", action="store_true", help="Keep the temporary folder.")
    ap.add_argument("--file", type=Path, help="An existing generic chain file to import.")
    ap.add_argument("--against", type=Path, help="src folder of the code to compare with.")
    ap.add_argument("--repeat", type=int, default=1, help="Alternating runs with --against.")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vs-chain-bench-"))
    try:
        forms = [("generic", False)] + ([("optionsdx", True)] if args.optionsdx else [])
        for form, odx in forms:
            path = work / ("spx_eod_bench.txt" if odx else "chain_bench.csv")
            t0 = time.perf_counter()
            if args.file is not None and not odx:
                path, n = args.file, count_rows(args.file)
            else:
                n = write_chain(path, args.rows, optionsdx=odx)
            size = path.stat().st_size / 2**20
            print(f"{form}: {n:,} quotes, {size:,.0f} MiB, ready in "
                  f"{time.perf_counter() - t0:.1f} s")  # fmt: skip
            yard = measure(
                "pyarrow.csv.read_csv",
                [sys.executable, "-c",
                 f"import pyarrow.csv as c; c.read_csv({str(path)!r})"],
            )  # fmt: skip
            show(yard, n)
            home = work / f"home-{form}"
            cmd = [sys.executable, "-m", "vixshield", "data", "import", str(path), "--home"]
            here = os.environ | {"PYTHONPATH": str(Path(__file__).parents[1] / "src")}
            other = os.environ | {"PYTHONPATH": str(args.against)} if args.against else None
            for _ in range(args.repeat if other else 1):
                imp = measure("vixshield data import", [*cmd, str(home)], env=here)
                show(imp, n)
                print(f"  import / read_csv: time x{imp.seconds / yard.seconds:.2f}, "
                      f"peak RSS x{imp.peak_mib / yard.peak_mib:.2f}")  # fmt: skip
                shutil.rmtree(home, ignore_errors=True)
                if other is not None:
                    name = f"against {args.against.parent.name or args.against}"
                    base = measure(name, [*cmd, str(home)], env=other)
                    show(base, n)
                    print(f"  this / against: time x{imp.seconds / base.seconds:.2f}, cpu "
                          f"x{imp.cpu_seconds / base.cpu_seconds:.2f}, "
                          f"peak RSS x{imp.peak_mib / base.peak_mib:.2f}")  # fmt: skip
                    shutil.rmtree(home, ignore_errors=True)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
