"""Repository-level checks: README's commands and CI stay in step."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def test_readme_starts_with_run_and_test_commands() -> None:
    commands = _readme_commands()
    assert len(commands) >= 2
    assert "vixshield backtest" in commands[0]
    assert "pytest" in commands[1] and "mypy" in commands[1] and "ruff" in commands[1]


def test_ci_runs_exactly_readmes_test_command() -> None:
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _readme_commands()[1] in ci


def test_version_and_help_answer() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "vixshield", "--version"], capture_output=True, text=True, check=True
    )
    assert re.fullmatch(r"vixshield \d+\.\d+\.\d+\n", out.stdout)
    helped = subprocess.run(
        [sys.executable, "-m", "vixshield", "--help"], capture_output=True, text=True, check=True
    )
    assert "backtest" in helped.stdout or "data" in helped.stdout
