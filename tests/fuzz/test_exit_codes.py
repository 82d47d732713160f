"""The exit codes of `vixshield.cli.app.main` (documented in `vixshield.errors`).

0 ok, 2 user error, 66 missing input, 70 internal error (traceback in a log file),
74 I/O error (disk full), 75 store busy, 77 permission denied; each with one
``error:`` line and never a traceback on the terminal.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from fuzz_cli import CliOutcome, run_cli

import vixshield.strategy.policy as policy_module
from vixshield.errors import StoreBusy


def _one_line(outcome: CliOutcome, code: int, *words: str) -> str:
    text = outcome.describe()
    assert "Traceback" not in outcome.stderr + outcome.stdout, text
    assert outcome.code == code, text
    assert len(outcome.error_lines) == 1, text
    for word in words:
        assert word in outcome.error_lines[0], text
    return outcome.error_lines[0]


def _policy_check_raising(monkeypatch: pytest.MonkeyPatch, err: BaseException) -> CliOutcome:
    def fail(path: object) -> str:
        raise err

    monkeypatch.setattr(policy_module, "read_policy_text", fail)
    return run_cli(["policy", "check", "any.toml"])


def test_success_is_0(tmp_path: Path) -> None:
    f = tmp_path / "p.toml"
    f.write_text(policy_module.preset_text("steward"))
    assert run_cli(["policy", "check", str(f)]).code == 0


def test_a_bug_exits_70_pointing_at_a_log_with_the_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VIXSHIELD_HOME", str(tmp_path))
    line = _one_line(
        _policy_check_raising(monkeypatch, ZeroDivisionError("boom")),
        70,
        "internal error",
        "ZeroDivisionError: boom",
        str(tmp_path / "logs"),
    )
    (log,) = (tmp_path / "logs").glob("crash-*.log")
    assert str(log) in line
    text = log.read_text()
    assert "Traceback (most recent call last)" in text and "ZeroDivisionError: boom" in text


def test_disk_full_is_74(monkeypatch: pytest.MonkeyPatch) -> None:
    err = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/data/x.parquet")
    _one_line(_policy_check_raising(monkeypatch, err), 74, "disk full", "/data/x.parquet")


def test_permission_denied_is_77(monkeypatch: pytest.MonkeyPatch) -> None:
    err = PermissionError(errno.EACCES, os.strerror(errno.EACCES), "/data")
    _one_line(_policy_check_raising(monkeypatch, err), 77, "permission denied", "/data")


def test_a_busy_store_is_75(monkeypatch: pytest.MonkeyPatch) -> None:
    err = StoreBusy("/data/.lock", 4242)
    line = _one_line(_policy_check_raising(monkeypatch, err), 75)
    assert line == "error: store is busy (held by PID 4242): /data/.lock"


def test_a_missing_input_is_66(monkeypatch: pytest.MonkeyPatch) -> None:
    err = FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), "/nowhere/x.csv")
    _one_line(_policy_check_raising(monkeypatch, err), 66, "/nowhere/x.csv")


def test_writing_to_a_full_disk_is_74(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # /dev/full answers every write with ENOSPC (Linux): the backtest's files "go" there
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    import vixshield.report.bundle as bundle
    from vixshield.cli import run_cmd

    def write_to_full_disk(out: Path, *args: object) -> list[Path]:
        with Path("/dev/full").open("w") as f:
            f.write("x" * 65536)
            f.flush()
        return []

    monkeypatch.setattr(bundle, "write_backtest_files", write_to_full_disk)
    monkeypatch.setattr(run_cmd, "_run_backtest", lambda *a: object())
    monkeypatch.setattr(run_cmd, "_summarize", lambda result, policy: {})
    outcome = run_cli(["backtest", "--data", "embedded", "--out", str(tmp_path)])
    _one_line(outcome, 74, "disk full", str(tmp_path))
