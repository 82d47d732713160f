"""Regression baseline: the embedded default's summary against tests/backtest/baseline/.

Rebuild with ``python scripts/rebuild_baseline.py`` after an intended change and review
the diff of the JSON files in the same commit.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "rebuild_baseline.py"

KEYS = (
    "final_equity",
    "cagr",
    "sharpe",
    "max_drawdown",
    "irr",
    "credit_collected",
    "hedge_cost",
    "cycles",
    "trades",
)


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rebuild_baseline", SCRIPT)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("rebuild_baseline", mod)  # dataclasses look the module up
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("case", ["default-2018", "default"])
def test_summary_matches_baseline(case: str) -> None:
    mod = _script()
    path = mod.path_of(case)
    assert path.exists(), f"no baseline {path.name}: run scripts/rebuild_baseline.py {case}"
    expected = json.loads(path.read_text(encoding="utf-8"))
    got = json.loads(mod.run_case(case))
    for key in KEYS:
        assert got[key] == pytest.approx(expected[key], rel=1e-6, abs=1e-6), key
    for comp, value in expected["pnl_by_component"].items():
        assert got["pnl_by_component"][comp] == pytest.approx(value, rel=1e-6, abs=1e-2), comp
    assert set(got) == set(expected)
