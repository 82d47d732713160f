"""Fixtures of the fuzz suite.

Puts this folder on ``sys.path`` so the uniquely named helper modules (``fuzz_cli``,
``strategies_policy``, ``strategies_positions``) import under any pytest import mode,
and re-exports the CLI helpers: ``from fuzz_cli import run_cli, assert_user_error``.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from fuzz_cli import CliOutcome, assert_no_crash, assert_user_error, run_cli  # noqa: E402

__all__ = ["CliOutcome", "assert_no_crash", "assert_user_error", "run_cli"]
