"""`vixshield backtest` and `signal` wired to the real layers on the embedded data.

Skipped where a layer is not importable yet. The embedded data, the policies and
the indicators are loaded once for the module (they are inputs, not what is
tested here); everything else - markets, strategy, engine, metrics, reports -
runs for real.
"""

from __future__ import annotations

import functools
import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from vixshield.cli import run_cmd
from vixshield.cli.app import app
from vixshield.report.bundle import BACKTEST_FILES
from vixshield.report.signal_view import SIGNAL_SCHEMA
from vixshield.report.summary import validate_summary

runner = CliRunner()


@pytest.fixture(scope="module")
def strategy_module() -> Any:
    try:
        importlib.import_module("vixshield.data.embedded")
        markets = importlib.import_module("vixshield.markets")
        strategy = importlib.import_module("vixshield.strategy")
    except ImportError as err:
        pytest.skip(f"a layer is not importable yet: {err}")
    for module, name in (
        (markets, "Markets"),
        (strategy, "decide"),
        (strategy, "compute_indicators"),
    ):
        if not hasattr(module, name):
            pytest.skip(f"{module.__name__}.{name} not available yet")
    return strategy


@pytest.fixture
def loaded_once(strategy_module: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cache data, policies and indicators across CLI invocations of this module."""
    cache = _CACHE
    if "market" not in cache:
        cache["market"] = run_cmd._load_market("embedded")
        cache["policy"] = functools.lru_cache(maxsize=None)(run_cmd._load_policy)
        compute = strategy_module.compute_indicators
        memo: dict[tuple[int, str], Any] = {}

        def indicators(data: Any, policy: Any, start: Any = None) -> Any:
            key = (id(data), policy.name, start)
            if key not in memo:
                memo[key] = compute(data, policy, start=start)
            return memo[key]

        cache["indicators"] = indicators
    monkeypatch.setattr(run_cmd, "_load_market", lambda source: cache["market"])
    monkeypatch.setattr(run_cmd, "_load_policy", cache["policy"])
    monkeypatch.setattr(strategy_module, "compute_indicators", cache["indicators"])


_CACHE: dict[str, Any] = {}


def test_real_backtest_writes_valid_deterministic_outputs(
    tmp_path: Path, loaded_once: None
) -> None:
    args = ["backtest", "--json", "--start", "2018-01-29", "--end", "2018-02-09"]
    first = runner.invoke(app, [*args, "--out", str(tmp_path / "a")])
    assert first.exit_code == 0, first.stderr
    doc = json.loads(first.stdout)
    assert validate_summary(doc) == []
    assert (doc["start"], doc["end"], doc["policy"]) == ("2018-01-29", "2018-02-09", "alvh-442")
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(BACKTEST_FILES)
    second = runner.invoke(app, [*args, "--out", str(tmp_path / "b")])
    assert second.exit_code == 0, second.stderr
    for name in BACKTEST_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_real_signal(tmp_path: Path, loaded_once: None) -> None:
    result = runner.invoke(app, ["signal", "--json", "--date", "2018-02-05"])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == SIGNAL_SCHEMA and doc["date"] == "2018-02-05"
    assert isinstance(doc["regime"]["name"], str) and doc["audit"]
    assert doc["condor"] is not None or doc["condor_reason"]
    shown = runner.invoke(app, ["signal", "--date", "2018-02-05"])
    assert shown.exit_code == 0 and "Regime:" in shown.stdout and "Audit trail" in shown.stdout
