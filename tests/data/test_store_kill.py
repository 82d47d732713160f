"""kill -9 of ``vixshield data import`` at random points: the store is old or new, never
between, and after the startup sweep ``data check`` is clean with no orphan file.

Issue 15 found a kill at the wrong moment leaving 1-7 Parquet files the catalogue does
not list. Each trial copies a store holding one version of ``vix``/``vix_open``, starts
an import of three Cboe files (five series written in one atomic step) in a separate
process and SIGKILLs it at a random time. Most trials run the CLI entry point
(``vixshield.cli.app.main``) in a process forked from a pre-imported server process
that runs nothing else, so that the random times fall into the import itself rather than into
Python's start-up; a few run the whole ``python -c ... main`` process and are killed
once the write has taken the store's lock.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from vixshield.cli.app import app
from vixshield.data.calendars import trading_days
from vixshield.data.lock import LOCK_FILE
from vixshield.data.store import Store
from vixshield.data.store_import import import_path

FIXTURES = Path(__file__).parent / "fixtures"
FORKED_TRIALS = 30
PROCESS_TRIALS = 2
ROWS = 500
_CLI = "import sys; from vixshield.cli.app import main; main(sys.argv[1:])"
_SERVER = r"""
import json, os, sys, threading
import pydantic.fields, rich.console, rich.table, typer._adapters  # what the command imports
import vixshield.data.store_import
from vixshield.cli.app import main

print("ready", flush=True)
for line in sys.stdin:
    # the server runs nothing else: no Python thread can hold a lock at the fork (the
    # native pools pyarrow starts on import are fork-safe: Arrow re-creates them)
    if threading.active_count() != 1:
        print("threaded", flush=True)
        break
    pid = os.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        code = 70
        try:
            main(json.loads(line))
            code = 0
        except SystemExit as err:
            code = err.code if isinstance(err.code, int) else 1
        finally:
            os._exit(code)
    print(pid, flush=True)
    print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), flush=True)
"""


class _Server:
    """A pre-imported process that forks one ``main(argv)`` child at a time."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _SERVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._buffer = b""
        self.child: int | None = None
        assert self._line() == "ready"

    def _line(self, timeout_s: float = 120.0) -> str:
        """The server's next line; a child still running after ``timeout_s`` is killed."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout_s
        while b"\n" not in self._buffer:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:  # a hung child must fail the test, not hang it
                if self.child is not None:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(self.child, signal.SIGKILL)
                raise AssertionError(f"no answer from the fork server in {timeout_s} s")
            chunk = os.read(fd, 4096)
            assert chunk, "the fork server exited"
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode().strip()

    def start(self, argv: list[str]) -> int:
        """Fork a child running ``main(argv)``; its PID."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(argv) + "\n")
        self.proc.stdin.flush()
        answer = self._line()
        assert answer.isdigit(), answer
        self.child = int(answer)
        return self.child

    def wait(self) -> int:
        """Exit status of the last child (negative: killed by that signal)."""
        return int(self._line())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


# The fixture VIX_History.csv (Cboe's file, five rows): closes and the opens of the
# rows that are not close-only (OPEN=HIGH=LOW=CLOSE rows leave vix_open missing).
OLD_VIX = {"2004-06-09": 15.48, "2004-06-10": 15.16, "2018-02-02": 17.31}
OLD_VIX |= {"2018-02-05": 37.32, "2020-03-16": 82.69}
OLD_VIX_OPEN = {"2018-02-02": 14.29, "2018-02-05": 18.44, "2020-03-16": 57.83}


def _write_inputs(folder: Path) -> dict[str, dict[str, float]]:
    """Cboe VIX, VVIX and SKEW files of `ROWS` trading days from 1992; the values by series."""
    days = trading_days("1992-01-02", "1994-01-03")[:ROWS]
    n = len(days)
    assert n == ROWS
    i = np.arange(n)
    close = np.round(12.0 + (i % 97) * 0.25, 2)
    opens = np.round(close - 0.5, 2)
    vvix = np.round(80.0 + (i % 53) * 0.5, 2)
    skew = np.round(110.0 + (i % 61) * 0.5, 2)
    mdy = days.strftime("%m/%d/%Y")
    folder.mkdir(parents=True)
    lines = [
        f"{d},{o:.2f},{c + 1:.2f},{o - 1:.2f},{c:.2f}"
        for d, o, c in zip(mdy, opens, close, strict=True)
    ]
    (folder / "VIX_History.csv").write_text("DATE,OPEN,HIGH,LOW,CLOSE\n" + "\n".join(lines) + "\n")
    for name, values in (("VVIX", vvix), ("SKEW", skew)):
        body = "\n".join(f"{d},{v:.2f}" for d, v in zip(mdy, values, strict=True))
        (folder / f"{name}_History.csv").write_text(f"DATE,{name}\n{body}\n")
    iso = days.strftime("%Y-%m-%d")

    def by_day(values: np.ndarray) -> dict[str, float]:
        return dict(zip(iso, values.tolist(), strict=True))

    return {
        "vix": OLD_VIX | by_day(close),
        "vix_open": OLD_VIX_OPEN | by_day(opens),
        "vvix": by_day(vvix),
        "skew": by_day(skew),
    }


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _values(store: Store, series: str) -> dict[str, float]:
    got = store.read(series)["value"].dropna()
    return dict(zip(got.index.strftime("%Y-%m-%d"), got.tolist(), strict=True))


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    srv = _Server()
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    base = tmp_path_factory.mktemp("kill")
    template = base / "template"
    import_path(FIXTURES / "VIX_History.csv", Store(template))
    new = _write_inputs(base / "in")
    return template, base / "in", new


def _check_after_kill(home: Path, template: Path, new: dict[str, dict[str, float]]) -> str:
    """Assert old-or-new, sweep, clean check, no orphan.

    Returns ``"old"``, ``"new"``, or ``"old+debris"`` / ``"new+debris"`` where the kill
    landed inside the write (it left the lock file, temporaries or unlisted Parquet).
    """
    store = Store(home)
    debris = bool(store.leftovers()) or (home / "store" / LOCK_FILE).exists()
    assert store.verify() == ()  # the catalogue lists complete files only
    old_snapshot = _snapshot(template / "store")
    if store.catalog_path.read_bytes() == old_snapshot["catalog.json"]:
        state = "old"
    else:
        state = "new"
        assert sorted(store.series()) == sorted(new)
        for series, values in new.items():
            assert _values(store, series) == values, series
    store.sweep()  # what every write does first, inside the lock
    root = home / "store"
    listed = {"catalog.json"} | {v.file for s in store.series() for v in store.history(s)}
    files = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert files == listed  # no orphan Parquet, no temporary file, no lock file
    if state == "old":
        assert _snapshot(root) == old_snapshot
    out = CliRunner().invoke(app, ["data", "check", "--home", str(home)])
    assert out.exit_code == 0, out.output
    assert "The store is intact." in out.output and "leftover" not in out.output
    return f"{state}+debris" if debris else state


def _fresh(base: Path, template: Path, name: str) -> Path:
    home = base / name
    shutil.copytree(template, home)
    return home


def test_kill_9_forked_import_at_random_points(
    server: _Server, setup: tuple[Path, Path, dict[str, Any]], tmp_path: Path
) -> None:
    template, inputs, new = setup
    argv = ["data", "import", str(inputs), "--home"]
    # uninterrupted runs: how long an import takes here (the slower of two), the new state
    durations = []
    for name in ("calibrate1", "calibrate2"):
        home = _fresh(tmp_path, template, name)
        t0 = time.monotonic()
        server.start([*argv, str(home)])
        assert server.wait() == 0
        durations.append(time.monotonic() - t0)
        assert _check_after_kill(home, template, new) == "new"

    rng = random.Random(15)
    states: list[str] = []
    for trial in range(FORKED_TRIALS):
        home = _fresh(tmp_path, template, f"trial{trial}")
        pid = server.start([*argv, str(home)])
        time.sleep(rng.uniform(0.0, 1.1 * max(durations)))
        with contextlib.suppress(ProcessLookupError):  # it may have finished
            os.kill(pid, signal.SIGKILL)
        assert server.wait() in (0, -signal.SIGKILL)
        states.append(_check_after_kill(home, template, new))
        if trial % 10 == 0:  # the store stays usable: the same import then lands in full
            import_path(inputs, Store(home))
            assert _values(Store(home), "vix") == new["vix"]
    assert len(states) == FORKED_TRIALS
    # the random points did interrupt writes (a run here: 10 old, 10 inside, 10 new)
    assert any(s.endswith("+debris") for s in states), states


def test_kill_9_import_process_while_it_holds_the_lock(
    setup: tuple[Path, Path, dict[str, Any]], tmp_path: Path
) -> None:
    template, inputs, new = setup
    rng = random.Random(9)
    for trial in range(PROCESS_TRIALS):
        home = _fresh(tmp_path, template, f"proc{trial}")
        lock = home / "store" / LOCK_FILE
        proc = subprocess.Popen(
            [sys.executable, "-c", _CLI, "data", "import", str(inputs), "--home", str(home)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while proc.poll() is None and not lock.exists():
            time.sleep(0.0005)
        time.sleep(rng.uniform(0.0, 0.05))
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=120) in (0, -signal.SIGKILL)
        _check_after_kill(home, template, new)
