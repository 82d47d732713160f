"""`vixshield sweep`: same metrics as separate backtests, resume, refusal before running,
and the Dask paths (a LocalCluster, and a separately started scheduler plus worker)."""

from __future__ import annotations

import json
import math
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from vixshield.backtest import Backtest, summary_dict
from vixshield.cli.app import app
from vixshield.strategy.policy import load_policy
from vixshield.sweep import run_sweep, sweep_frame
from vixshield.sweep.runner import JobResult, flatten_summary

START, END = "2015-01-02", "2015-02-27"  # a short window keeps the folder fast
GRID = {"hedge.budget_basis": ["equity", "credit"]}
METRICS = ("final_equity", "total_return", "cagr", "sharpe", "max_drawdown", "calmar", "cycles")


def _reference(market: Any, basis: str) -> dict[str, object]:
    """A separate `Backtest` of the variant, built by hand (not through the sweep)."""
    base = load_policy("alvh-442")
    policy = base.model_copy(
        update={"hedge": base.hedge.model_copy(update={"budget_basis": basis})}
    )
    result = Backtest(policy, market, start=START, end=END).run()
    return flatten_summary(summary_dict(result))


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


@pytest.fixture(scope="module")
def references(embedded_market: Any) -> dict[str, dict[str, object]]:
    return {basis: _reference(embedded_market, basis) for basis in GRID["hedge.budget_basis"]}


def test_local_cluster_sweep_matches_separate_backtests(
    tmp_path: Path, references: dict[str, dict[str, object]]
) -> None:
    # two worker processes: each opens --data embedded once and checks its checksum
    frame = sweep_frame(GRID, data="embedded", start=START, end=END, workers=2, out=tmp_path)
    assert list(frame["hedge.budget_basis"]) == ["equity", "credit"]
    for _, row in frame.iterrows():
        ref = references[row["hedge.budget_basis"]]
        for m in METRICS:
            assert _same(row[m], ref[m]), m
        assert row["pnl_by_component.condor"] == ref["pnl_by_component.condor"]
    stored = pd.read_parquet(tmp_path / "sweep.parquet")
    assert len(stored) == 2 and stored["variant_key"].is_unique
    page = (tmp_path / "sweep.html").read_text(encoding="utf-8")
    assert "Pareto front" in page and "<script src=" not in page  # plotly.js inline


class _Stop(Exception):
    """Stands for a kill after the first finished variant."""


def test_interrupted_sweep_resumes_without_redoing(embedded_market: Any, tmp_path: Path) -> None:
    grid = {"sizing.risk_per_condor": [0.01, 0.02, 0.03]}  # three variants

    def stop_after_first(result: JobResult) -> None:
        raise _Stop

    with pytest.raises(_Stop):
        run_sweep(grid, data=embedded_market, start=START, end=END, workers=0, out=tmp_path,
                  on_result=stop_after_first)  # fmt: skip
    assert len(pd.read_parquet(tmp_path / "sweep.parquet")) == 1  # written before the stop
    seen: list[str] = []
    second = run_sweep(grid, data=embedded_market, start=START, end=END, workers=0,
                       out=tmp_path, on_result=lambda r: seen.append(r.key))  # fmt: skip
    assert len(seen) == 2 and len(second.reused) == 1 and set(seen).isdisjoint(second.reused)
    third = run_sweep(grid, data=embedded_market, start=START, end=END, workers=0,
                      out=tmp_path, on_result=lambda r: seen.append(r.key))  # fmt: skip
    assert len(seen) == 2 and third.executed == () and len(third.reused) == 3
    assert list(third.frame["sizing.risk_per_condor"]) == [0.01, 0.02, 0.03]
    # a different window is a different run: nothing reused
    fourth = run_sweep({"sizing.risk_per_condor": [0.02]}, data=embedded_market,
                       start=START, end="2015-02-26", workers=0)  # fmt: skip
    assert len(fourth.executed) == 1 and fourth.reused == ()


def test_invalid_variant_is_refused_before_anything_runs(tmp_path: Path) -> None:
    grid = tmp_path / "GRID.toml"
    grid.write_text('"condor.k_low" = [1.5, 2.5]\n"hedge.budget_basis" = ["equity"]\n')
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["sweep", str(grid), "--out", str(out), "--workers", "0"])
    assert res.exit_code == 2
    assert res.stderr.startswith(f"error: {grid}: variant 1 (condor.k_low=2.5, ")
    assert "k_low <= k_high" in res.stderr and "Traceback" not in res.stderr
    assert not out.exists()  # nothing run, no parquet written
    grid.write_text('"condor.k_lo" = [1.5]\n')
    res = CliRunner().invoke(app, ["sweep", str(grid), "--out", str(out)])
    assert res.exit_code == 2 and "[condor.k_lo] unknown policy field" in res.stderr
    assert not out.exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_sweep_on_a_separately_started_scheduler_and_worker(
    references: dict[str, dict[str, object]],
) -> None:
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
         "--port", str(port), "--no-dashboard"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    worker = None
    try:
        worker = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
             "--no-nanny", "--no-dashboard", "--host", "127.0.0.1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:  # wait until the scheduler listens (the sweep then waits for the worker)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        frame = sweep_frame({"hedge.budget_basis": ["credit"]}, data="embedded",
                            start=START, end=END, scheduler=address)  # fmt: skip
        ref = references["credit"]
        assert len(frame) == 1
        for m in METRICS:
            assert _same(frame.loc[0, m], ref[m]), m
    finally:
        for proc in (worker, scheduler):
            if proc is not None:
                proc.terminate()
        for proc in (worker, scheduler):
            if proc is not None:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def test_the_sweep_table_shows_each_grid_path_and_ratios_in_percent(
    tmp_path: Path, references: dict[str, dict[str, object]]
) -> None:
    grid = tmp_path / "GRID.toml"
    grid.write_text('"hedge.budget_basis" = ["equity", "credit"]\n')
    args = ["sweep", str(grid), "--data", "embedded", "--start", START, "--end", END,
            "--workers", "0", "--out", str(tmp_path / "out")]  # fmt: skip
    res = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    header = next(line for line in res.stdout.splitlines() if "variant" in line and "┃" in line)
    assert [c.strip() for c in header.strip("┃").split("┃")][:3] == [
        "variant", "hedge.budget_basis", "cagr"
    ]  # fmt: skip
    for basis, ref in references.items():
        row = next(line for line in res.stdout.splitlines() if f"│ {basis} " in line)
        cagr, drawdown = ref["cagr"], ref["max_drawdown"]
        assert isinstance(cagr, float) and isinstance(drawdown, float)
        assert f"{cagr * 100:.2f} %" in row and f"{drawdown * 100:.2f} %" in row


def _modeled(ref: dict[str, object]) -> set[str]:
    """The series a separate backtest's summary declares modeled."""
    pre, suf = "provenance.", ".origin"
    return {
        k[len(pre) : -len(suf)]
        for k, v in ref.items()
        if k.startswith(pre) and k.endswith(suf) and v == "modeled"
    }


def test_the_sweep_says_which_inputs_were_modeled(
    tmp_path: Path, references: dict[str, dict[str, object]]
) -> None:
    """--json, the terminal and sweep.html name the inputs the separate backtests of the
    variants declare modeled (the embedded data: its rate, dividend yield, VVIX, SKEW and
    option quotes), each with the count of runs."""
    grid = tmp_path / "GRID.toml"
    grid.write_text('"hedge.budget_basis" = ["equity", "credit"]\n')
    out = tmp_path / "out"
    args = ["sweep", str(grid), "--data", "embedded", "--start", START, "--end", END,
            "--workers", "0", "--out", str(out)]  # fmt: skip
    res = CliRunner().invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    inputs = json.loads(res.stdout)["inputs"]
    want = set.union(*(_modeled(r) for r in references.values()))
    assert {"options:SPX", "div_yield"} <= want
    assert set(inputs["modeled"]) == want and inputs["runs"] == 2
    for name in want:
        n = sum(name in _modeled(r) for r in references.values())
        assert inputs["series"][name]["modeled_runs"] == n
    assert inputs["series"]["vix"] == {"origin": "real", "provider": "arch", "runs": 2,
                                       "modeled_runs": 0}  # fmt: skip
    shown = CliRunner().invoke(app, args, env={"COLUMNS": "200"})  # reuses both rows
    line = next(x for x in shown.stdout.splitlines() if x.startswith("Modeled inputs: "))
    assert all(name in line for name in want) and "vix," not in line
    page = (out / "sweep.html").read_text(encoding="utf-8")
    assert "Inputs: real or modeled" in page and "options:SPX" in page
