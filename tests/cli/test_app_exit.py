"""How ``vixshield`` ends its process (vixshield.cli.app.main).

As the program (no ``argv``), `main` collects less often and freezes the garbage
collector before its `SystemExit`, so the exit does not walk the run's objects again;
called with ``argv`` (tests, scripts) it leaves the collector alone. The reference is
what an ordinary interpreter exit does: the same status, the same output, every
`atexit` handler run.
"""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from vixshield.cli import app

_PROGRAM = """
import atexit, sys
atexit.register(lambda: print("handler ran", flush=True))
sys.argv = ["vixshield", *sys.argv[1:]]
from vixshield.cli.app import main
main()
print("not reached")
"""


def _program(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _PROGRAM, *args], capture_output=True, text=True, timeout=120
    )


def test_the_program_runs_its_exit_handlers_and_keeps_its_status() -> None:
    done = _program("--version")
    assert (done.returncode, done.stdout, done.stderr) == (0, "vixshield 0.1.0\nhandler ran\n", "")


def test_a_user_error_keeps_its_status_and_line() -> None:
    done = _program("backtest", "--data", "nowhere")
    assert done.returncode == 2
    assert done.stdout == "handler ran\n"
    assert done.stderr.startswith("error: --data: expected one of ")


def test_with_argv_main_raises_system_exit() -> None:
    with pytest.raises(SystemExit) as exit_:
        app.main(["--version"])
    assert exit_.value.code == 0


def test_only_the_program_tunes_the_collector(monkeypatch: pytest.MonkeyPatch) -> None:
    frozen, threshold = gc.get_freeze_count(), gc.get_threshold()
    with pytest.raises(SystemExit):
        app.main(["--version"])
    assert (gc.get_freeze_count(), gc.get_threshold()) == (frozen, threshold)
    monkeypatch.setattr(sys, "argv", ["vixshield", "--version"])
    try:
        with pytest.raises(SystemExit) as exit_:
            app.main()
        assert exit_.value.code == 0
        assert gc.get_freeze_count() > frozen
        assert gc.get_threshold() == (10_000, 10, 10)
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
