"""A chain import killed with SIGKILL at any point leaves the dataset old or new, never mixed."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from vixshield.data.chains import ChainDataset, import_chains
from vixshield.data.store import Store


def _chain(path: Path, months: int, per_day: int, bid0: float) -> None:
    with path.open("w") as fh:
        fh.write("quote_date,underlying,root,expiry,settlement,strike,right,bid,ask,iv\n")
        for m in range(months):
            for d in pd.date_range(pd.Timestamp("2016-01-04") + pd.DateOffset(months=m),
                                   periods=3, freq="B"):  # fmt: skip
                q, e = d.date().isoformat(), (d + pd.Timedelta(days=45)).date().isoformat()
                fh.write("".join(
                    f"{q},SPX,SPXW,{e},PM,{1000 + 5 * i},{r},{bid0 + i / 100:.2f},"
                    f"{bid0 + 1 + i / 100:.2f},0.2\n"
                    for i in range(per_day // 2) for r in ("C", "P")
                ))  # fmt: skip


def _state(home: Path) -> tuple[tuple[str, int], ...] | None:
    """(date, rows) of the dataset plus a digest of its rows; None for an empty dataset."""
    ds = ChainDataset(home)
    assert ds.verify() == ()  # every file the catalogue names is there, intact
    if not len(ds):
        return None
    rows = ds.query("SPX")
    digest = hashlib.sha256(pd.util.hash_pandas_object(rows, index=False).to_numpy()).hexdigest()
    days = rows.groupby(rows["quote_date"].dt.strftime("%Y-%m-%d")).size()
    return (*((d, int(n)) for d, n in days.items()), (digest, len(rows)))


def _run(big: Path, home: Path) -> subprocess.Popen[bytes]:
    code = (
        "from pathlib import Path; from vixshield.data.chains import import_chains;"
        "from vixshield.data.store import Store;"
        f"import_chains([Path({str(big)!r})], Store(Path({str(home)!r})), chunk_bytes=65536)"
    )
    return subprocess.Popen([sys.executable, "-c", code])


def test_kill_during_import_leaves_old_or_new(tmp_path: Path) -> None:
    old_file, big = tmp_path / "old.csv", tmp_path / "big.csv"
    _chain(old_file, months=2, per_day=200, bid0=1.0)  # overlaps the new import's first days
    _chain(big, months=12, per_day=1200, bid0=2.0)
    # the reference new state, and how long a whole import takes here
    ref = tmp_path / "ref"
    import_chains([old_file], Store(ref))
    old_state = _state(ref)
    t0 = time.monotonic()
    proc = _run(big, ref)
    assert proc.wait() == 0
    full = time.monotonic() - t0
    new_state = _state(ref)
    assert old_state != new_state

    rng = random.Random(20261201)
    seen = set()
    for n in range(4):
        home = tmp_path / f"h{n}"
        import_chains([old_file], Store(home))
        proc = _run(big, home)
        time.sleep(rng.uniform(0.05, 1.0) * full)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        state = _state(home)
        assert state in (old_state, new_state)
        seen.add(state == new_state)
        # the next import goes through and leaves no file the catalogue does not name
        import_chains([big], Store(home))
        assert _state(home) == new_state
        ds = ChainDataset(home)
        named = {p.file for p in ds.partitions()}
        on_disk = {
            f.relative_to(ds.folder).as_posix()
            for f in ds.folder.rglob("*.parquet")
            if ".staging" not in f.parts
        }
        assert on_disk == named
