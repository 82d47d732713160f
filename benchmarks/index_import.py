"""Benchmark: peak memory and time of ``vixshield data import`` on big index files.

Generates Cboe index files (``VIX_History.csv`` layout: ``DATE,OPEN,HIGH,LOW,CLOSE``,
``MM/DD/YYYY`` dates), runs each as a whole process under ``/usr/bin/time`` semantics
(peak RSS from ``wait4``), and in the same run the baseline: a process that reads the
same file with ``pandas.read_csv`` (no validation) and one that only imports vixshield's
CLI (the interpreter's floor).

Files:

* ``2M``: 2,000,000 rows, one a day from 1900-01-01. A valid file cannot be this long
  (one row a day from 1900 to 2100 is 73,414 rows), so the import reads and converts
  the whole file, then refuses it at line 73,416 (the first date after 2100): exit 2.
  This is the memory the issue measured (1.9 GB before the arrow-backed reader).
* ``max-valid``: the 73,414 rows 1900-01-01 .. 2100-12-31, imported (exit 0).

Target: peak RSS under 500 MB for the 2-million-row file.

Run: ``python benchmarks/index_import.py [--rows N]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

BUDGET_MB = 500.0
VALID_DAYS = 73_414  # 1900-01-01 .. 2100-12-31


def write_index(path: Path, rows: int) -> None:
    """A Cboe VIX history of ``rows`` daily rows from 1900-01-01 (values 10..40)."""
    days = np.datetime64("1900-01-01") + np.arange(rows)
    iso = np.datetime_as_string(days.astype("datetime64[D]"))
    close = np.round(10 + np.random.default_rng(0).random(rows) * 30, 2)
    with path.open("w") as fh:
        fh.write("DATE,OPEN,HIGH,LOW,CLOSE\n")
        for d, c in zip(iso, close, strict=True):
            fh.write(f"{d[5:7]}/{d[8:10]}/{d[:4]},{c:.2f},{c + 1:.2f},{c - 1:.2f},{c:.2f}\n")


def run(cmd: list[str], env: dict[str, str]) -> tuple[int, float, float]:
    """(exit status, peak RSS in MB, wall seconds) of ``cmd`` as a child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    assert proc.stderr is not None
    err = proc.stderr.read().decode(errors="replace").strip().splitlines()
    proc.stderr.close()
    if err:
        print(f"    {err[-1][:150]}")
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024.0, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--write", nargs=2, metavar=("PATH", "ROWS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:
        write_index(Path(args.write[0]), int(args.write[1]))
        return
    exe = str(Path(sys.executable).with_name("vixshield"))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = {**os.environ, "VIXSHIELD_HOME": str(root / "home")}
        floor = [sys.executable, "-c", "import vixshield.cli.app, vixshield.data.store_import"]
        code, base_mb, base_s = run(floor, env)
        print(f"interpreter + imports: {base_mb:7.0f} MB {base_s:6.2f} s")
        print(
            f"{'file':>10} {'rows':>10} {'MiB':>6} | {'import MB':>9} {'s':>6} exit |"
            f" {'pandas MB':>9} {'s':>6} | MB ratio  s ratio"
        )
        for label, rows in (("max-valid", VALID_DAYS), (f"{args.rows // 10**6}M", args.rows)):
            path = root / label / "VIX_History.csv"
            path.parent.mkdir()
            # written by a child: a big parent would count in the next child's peak RSS
            # (the pages a fork copies before its exec)
            subprocess.run([sys.executable, __file__, "--write", str(path), str(rows)], check=True)
            size = path.stat().st_size / 2**20
            code, mb, secs = run([exe, "data", "import", str(path)], env)
            read = f"import pandas as pd; pd.read_csv({str(path)!r})"
            _, pd_mb, pd_s = run([sys.executable, "-c", read], env)
            print(
                f"{label:>10} {rows:>10} {size:6.1f} | {mb:9.0f} {secs:6.2f} {code:>4} |"
                f" {pd_mb:9.0f} {pd_s:6.2f} | {mb / pd_mb:8.2f} {secs / pd_s:8.2f}"
            )
            if rows == args.rows:
                verdict = "within" if mb < BUDGET_MB else "OVER"
                print(f"peak {mb:.0f} MB for {rows} rows: {verdict} the {BUDGET_MB:.0f} MB budget")


if __name__ == "__main__":
    main()
