"""Rebuild the regression baselines of the backtest (tests/backtest/baseline/*.json).

Each case runs a shipped policy on the embedded real data (`load_embedded`) and
writes its `summary_json`. ``tests/backtest/test_baseline.py`` reruns the cases and
compares key metrics with a tolerance; rebuild after an intended change of the
strategy, markets or engine and review the diff.

Usage::

    python scripts/rebuild_baseline.py            # every case
    python scripts/rebuild_baseline.py default-2018

Cases: ``default-2018`` (alvh-442 over 2018, checked in every test run) and
``default`` (the embedded default, alvh-442 from the first VIX close, 2014-01-03, to
the last SPX close, 2018-12-31; also checked in every test run).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

BASELINE_DIR = Path(__file__).resolve().parents[1] / "tests" / "backtest" / "baseline"


@dataclass(frozen=True)
class Case:
    """One baseline run."""

    policy: str
    start: str
    end: str


CASES: dict[str, Case] = {
    "default-2018": Case("alvh-442", "2018-01-02", "2018-12-31"),
    "default": Case("alvh-442", "2014-01-03", "2018-12-31"),
}


def path_of(name: str) -> Path:
    """The baseline file of a case."""
    return BASELINE_DIR / f"{name}.json"


def run_case(name: str) -> str:
    """Run a case and return its summary JSON."""
    from vixshield.backtest import Backtest, summary_json
    from vixshield.data.embedded import load_embedded
    from vixshield.markets.view import Markets
    from vixshield.strategy import load_policy

    case = CASES[name]
    result = Backtest(
        load_policy(case.policy), Markets(load_embedded()), start=case.start, end=case.end
    ).run()
    return summary_json(result)


def main(argv: list[str]) -> int:
    names = argv or list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        print(f"unknown case(s) {unknown}; known: {sorted(CASES)}", file=sys.stderr)
        return 2
    BASELINE_DIR.mkdir(parents=True, exist_ok=True)
    for name in names:
        path_of(name).write_text(run_case(name), encoding="utf-8")
        print(f"wrote {path_of(name)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
