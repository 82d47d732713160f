"""The store's inter-process lock: busy errors, re-entrancy, and concurrent writers.

Issue 15 found two ``vixshield data import`` processes writing one series at the same
time losing a revision in 12 of 18 trials, both exiting 0. Here writers in other
processes (real subprocesses, so real ``flock`` contention) and threads must serialise:
every revision ends up in the history and the latest version holds every value.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from multiprocessing.context import ForkServerContext
from pathlib import Path

import pandas as pd
import pytest

from vixshield.cli.app import main
from vixshield.data.lock import LOCK_FILE, LOCK_TIMEOUT_ENV, lock_holder, lock_timeout, store_lock
from vixshield.data.market import Provenance
from vixshield.data.store import Store
from vixshield.errors import EXIT_TEMPFAIL, StoreBusy, UserError

PROV = Provenance("", "cboe", "VIX_History.csv", "2026-11-26T06:00:00Z", "real")

# VIX closes published by Cboe (VIX_History.csv): 2018-02-02 17.31, 2018-02-05 37.32.
VIX_FEB_2018 = {"2018-02-01": 13.47, "2018-02-02": 17.31, "2018-02-05": 37.32}

_HOLDER = """
import sys, time
from pathlib import Path
from vixshield.data.lock import store_lock
with store_lock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.readline()  # hold until the test closes our stdin
"""

_CLI = "import sys; from vixshield.cli.app import main; main(sys.argv[1:])"


def daily(values: dict[str, float]) -> pd.DataFrame:
    idx = pd.DatetimeIndex(pd.to_datetime(list(values)), name="date")
    return pd.DataFrame({"value": list(values.values())}, index=idx, dtype="float64")


@pytest.fixture(scope="module")
def held_elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    """The lock of ``<tmp>/home/store`` held by another process: (store root, its PID).

    Shared by the tests of this module; none of them may change the store."""
    root = tmp_path_factory.mktemp("held") / "home" / "store"
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None
    assert proc.stdout.readline().strip() == "held"
    try:
        yield root, proc.pid
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


def test_lock_file_names_the_holder_and_goes_away(tmp_path: Path) -> None:
    root = tmp_path / "store"
    with store_lock(root):
        assert lock_holder(root) == os.getpid()
        with store_lock(root, timeout_s=0):  # re-entrant: no wait for ourselves
            assert (root / LOCK_FILE).is_file()
        assert (root / LOCK_FILE).is_file()  # still held by the outer block
    assert not (root / LOCK_FILE).exists()
    assert lock_holder(root) is None


def test_busy_store_names_the_holder_pid(held_elsewhere: tuple[Path, int]) -> None:
    root, pid = held_elsewhere
    with pytest.raises(StoreBusy) as info, store_lock(root, timeout_s=0.2):
        pass
    assert info.value.holder_pid == pid
    assert str(info.value) == f"store is busy (held by PID {pid}): {root.resolve() / LOCK_FILE}"


def test_write_to_a_busy_store_fails_and_changes_nothing(
    held_elsewhere: tuple[Path, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, pid = held_elsewhere
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "0.2")
    store = Store(root.parent)
    with pytest.raises(StoreBusy, match=f"held by PID {pid}"):
        store.write({"vix": daily(VIX_FEB_2018)}, PROV)
    assert sorted(p.name for p in root.iterdir()) == [LOCK_FILE]  # the holder's file only
    assert store.series() == ()


def test_cli_import_into_a_busy_store_exits_75_with_one_line(
    held_elsewhere: tuple[Path, int],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root, pid = held_elsewhere
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "0.2")
    src = Path(__file__).parent / "fixtures" / "VIX_History.csv"
    with pytest.raises(SystemExit) as info:
        main(["data", "import", str(src), "--home", str(root.parent)])
    assert info.value.code == EXIT_TEMPFAIL == 75  # sysexits.h EX_TEMPFAIL
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"error: store is busy (held by PID {pid})")


@pytest.mark.parametrize("text", ["soon", "-1", "nan", "1e9"])
def test_bad_lock_timeout_variable_is_a_user_error(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, text)
    with pytest.raises(UserError, match=LOCK_TIMEOUT_ENV):
        lock_timeout()


def test_threads_writing_one_series_lose_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.write({"vix": daily(VIX_FEB_2018)}, PROV)
    days = pd.bdate_range("2018-03-01", periods=8)
    errors: list[BaseException] = []

    def writer(i: int) -> None:
        try:
            Store(tmp_path).write({"vix": daily({str(days[i].date()): 20.0 + i})}, PROV)
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(len(days))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [v.version for v in store.history("vix")] == list(range(1, 10))
    got = store.read("vix")["value"]
    for i, day in enumerate(days):
        assert got.loc[day] == 20.0 + i
    assert got.loc["2018-02-05"] == 37.32


def _vix_file(path: Path, day: str, close: float) -> Path:
    """A one-row Cboe ``VIX_History.csv`` (DATE, OPEN, HIGH, LOW, CLOSE)."""
    month, dom, year = day[5:7], day[8:10], day[:4]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"DATE,OPEN,HIGH,LOW,CLOSE\n{month}/{dom}/{year},"
        f"{close - 1:.2f},{close + 1:.2f},{close - 2:.2f},{close:.2f}\n"
    )
    return path


TRIALS = 10
_PRELOAD = [
    "vixshield.cli.app",
    "vixshield.data.store_import",
    "typer._adapters",
    "pydantic.fields",
]


@pytest.fixture(scope="module")
def forkserver() -> ForkServerContext:
    """Processes forked from a pre-imported server: each starts in milliseconds."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)
    return ctx


def _forked_pair(ctx: ForkServerContext, argvs: list[list[str]]) -> list[tuple[int, str]]:
    procs = [ctx.Process(target=main, args=(argv,)) for argv in argvs]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    return [(p.exitcode if p.exitcode is not None else -1, "") for p in procs]


def _process_pair(argvs: list[list[str]]) -> list[tuple[int, str]]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CLI, *argv],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for argv in argvs
    ]
    return [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]


def _two_writers_trial(
    tmp_path: Path, trial: int, run: Callable[[list[list[str]]], list[tuple[int, str]]]
) -> str | None:
    """Two imports of ``vix`` (different days) into one store at once; None when nothing
    was lost, else what the history holds."""
    home = tmp_path / f"home{trial}"
    Store(home).write({"vix": daily(VIX_FEB_2018)}, PROV)
    a = _vix_file(tmp_path / f"a{trial}" / "VIX_History.csv", "2018-03-01", 21.0)
    b = _vix_file(tmp_path / f"b{trial}" / "VIX_History.csv", "2018-03-02", 22.0)
    outcomes = run([["data", "import", str(f), "--home", str(home)] for f in (a, b)])
    for code, err in outcomes:
        assert code == 0, err  # the default 30 s lock timeout: both must succeed
    store = Store(home)
    history = store.history("vix")
    sources = sorted(v.provenance.source for v in history[1:])
    if [v.version for v in history] != [1, 2, 3] or sources != sorted([str(a), str(b)]):
        return f"trial {trial}: {[(v.version, v.provenance.source) for v in history]}"
    got = store.read("vix")["value"]
    # both revisions' values are in the latest version, and the older values too
    assert got.loc["2018-03-01"] == 21.0 and got.loc["2018-03-02"] == 22.0
    assert got.loc["2018-02-05"] == 37.32
    assert store.verify() == () and store.leftovers() == ()
    return None


def test_two_import_processes_of_one_series_both_land(
    tmp_path: Path, forkserver: ForkServerContext
) -> None:
    """10 trials of two ``vixshield data import`` processes started together."""
    lost = [
        _two_writers_trial(tmp_path, trial, lambda argvs: _forked_pair(forkserver, argvs))
        for trial in range(TRIALS)
    ]
    assert [x for x in lost if x is not None] == []


def test_two_full_vixshield_processes_of_one_series_both_land(tmp_path: Path) -> None:
    """The same with two whole ``python -c ... main`` processes (start-up included)."""
    assert _two_writers_trial(tmp_path, 0, _process_pair) is None


def test_a_killed_holders_lock_file_does_not_block(tmp_path: Path) -> None:
    root = tmp_path / "store"
    root.mkdir()
    (root / LOCK_FILE).write_text("4194304\n")  # left by a holder killed with -9 (no flock)
    with store_lock(root, timeout_s=0):
        assert lock_holder(root) == os.getpid()
    assert not (root / LOCK_FILE).exists()


def test_cli_repair_of_a_busy_store_exits_75(
    held_elsewhere: tuple[Path, int],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root, pid = held_elsewhere
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "0.2")
    with pytest.raises(SystemExit) as info:
        main(["data", "check", "--repair", "--home", str(root.parent)])
    assert info.value.code == EXIT_TEMPFAIL
    assert capsys.readouterr().err.startswith(f"error: store is busy (held by PID {pid})")


def test_readers_never_see_a_half_written_version(tmp_path: Path) -> None:
    """A reader without the lock, while versions with 1..30 rows are committed."""
    days = pd.bdate_range("2018-01-01", periods=30)
    store = Store(tmp_path)
    store.write({"vix": daily({str(days[0].date()): 10.0})}, PROV)
    done = threading.Event()
    seen: list[int] = []
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            while not done.is_set():
                got = Store(tmp_path).read("vix")["value"]
                # version k holds days[0..k-1] with values 10, 11, ...: never a mix
                assert got.tolist() == [10.0 + i for i in range(len(got))]
                seen.append(len(got))
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    t = threading.Thread(target=reader)
    t.start()
    for i in range(1, len(days)):
        store.write({"vix": daily({str(days[i].date()): 10.0 + i})}, PROV)
    done.set()
    t.join()
    assert errors == []
    assert seen and seen == sorted(seen)  # versions only move forward
    assert len(store.read("vix")) == len(days)
