"""Shared helpers of the fuzz suite: run the CLI in-process and judge its outcome.

Import as ``from fuzz_cli import run_cli, assert_user_error`` (``tests/fuzz/conftest.py``
puts this folder on ``sys.path``; ``benchmarks/fuzz_long.py`` inserts it itself).

API (stable; `test_fuzz_formats.py` and ``benchmarks/fuzz_long.py`` use it):

- ``run_cli(args, env=None) -> CliOutcome(code, stdout, stderr)`` runs
  `vixshield.cli.app.main` with ``args`` (the words after ``vixshield``), with
  stdout/stderr captured and ``env`` overriding environment variables for the call
  (a value of None removes the variable).
- ``assert_user_error(outcome, *must_name)``: exit 2, exactly one ``error:`` line on
  stderr that contains every string of ``must_name`` (a file name, a key path), and
  no ``Traceback`` anywhere.
- ``assert_no_crash(outcome)``: no traceback and not exit 70 / 1 from an exception;
  for inputs that may be valid.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from typer.testing import CliRunner

from vixshield.cli.app import main

__all__ = ["CliOutcome", "assert_no_crash", "assert_user_error", "run_cli"]


@dataclass(frozen=True)
class CliOutcome:
    """What one in-process CLI run produced."""

    code: int
    stdout: str
    stderr: str

    @property
    def error_lines(self) -> list[str]:
        """The ``error:`` lines written on stderr."""
        return [line for line in self.stderr.splitlines() if line.startswith("error:")]

    def describe(self) -> str:
        """A short account for assertion messages."""
        tail = self.stdout[-2000:]
        return f"exit {self.code}\n--- stderr ---\n{self.stderr}\n--- stdout ---\n{tail}"


def run_cli(args: Sequence[str], env: Mapping[str, str | None] | None = None) -> CliOutcome:
    """Run ``vixshield <args>`` in this process through `main` and capture its outcome.

    Parameters
    ----------
    args : sequence of str
        The arguments after ``vixshield``.
    env : mapping, optional
        Environment variables set (or, with None, removed) for the call only.

    Returns
    -------
    CliOutcome
        Exit status, stdout and stderr (decoded as UTF-8, undecodable bytes replaced).
    """
    runner = CliRunner()
    code = 0
    with runner.isolation(env=dict(env) if env else None) as (out, err, _mixed):
        try:
            main(list(args))
        except SystemExit as exit_:
            code = _exit_status(exit_.code)
        sys.stdout.flush()  # the isolation's text wrappers buffer
        sys.stderr.flush()
        stdout = out.getvalue().decode("utf-8", "replace")
        stderr = err.getvalue().decode("utf-8", "replace")
    return CliOutcome(code, stdout, stderr)


def _exit_status(value: object) -> int:
    """The process status `SystemExit(value)` would give."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    return 1  # sys.exit("message") prints the message and exits 1


def assert_user_error(outcome: CliOutcome, *must_name: str) -> None:
    """Assert a located user error: exit 2, one ``error:`` line naming each of ``must_name``.

    Parameters
    ----------
    outcome : CliOutcome
        From `run_cli`.
    *must_name : str
        Strings the error line must contain (file name, key path, row, flag).
    """
    text = outcome.describe()
    assert "Traceback" not in outcome.stderr + outcome.stdout, text
    assert outcome.code == 2, text
    lines = outcome.error_lines
    assert len(lines) == 1, f"expected exactly one error line\n{text}"
    for name in must_name:
        assert name in lines[0], f"error line does not name {name!r}\n{text}"


def assert_no_crash(outcome: CliOutcome) -> None:
    """Assert the run ended either well or with a located error, never with a bug.

    Parameters
    ----------
    outcome : CliOutcome
        From `run_cli`.
    """
    text = outcome.describe()
    assert "Traceback" not in outcome.stderr + outcome.stdout, text
    assert outcome.code != 70, text
    if outcome.code != 0:
        assert len(outcome.error_lines) >= 1 or "Usage:" in outcome.stderr, text
