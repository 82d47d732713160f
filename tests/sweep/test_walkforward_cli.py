"""`vixshield walk-forward` in the terminal: the fold table fits 80 columns, cells whole."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from vixshield.cli.app import app
from vixshield.cli.sweep_cmd import short_names


def test_short_names_are_unique_tails_never_starting_at_an_index() -> None:
    assert short_names(["hedge.budget_basis", "sizing.risk_per_condor"]) == {
        "hedge.budget_basis": "budget_basis",
        "sizing.risk_per_condor": "risk_per_condor",
    }
    assert short_names(["hedge.layers.0.weight", "hedge.layers.2.weight"]) == {
        "hedge.layers.0.weight": "layers.0.weight",
        "hedge.layers.2.weight": "layers.2.weight",
    }
    assert short_names(["a.x", "b.x", "c"]) == {"a.x": "a.x", "b.x": "b.x", "c": "c"}


def test_fold_table_shows_whole_windows_the_choice_and_the_scores_at_80_columns(
    tmp_path: Path,
) -> None:
    grid = tmp_path / "GRID.toml"
    grid.write_text('"hedge.budget_basis" = ["equity", "max_loss"]\n')
    args = ["walk-forward", str(grid), "--train", "0.5", "--test", "0.25", "--metric", "sharpe",
            "--data", "embedded", "--start", "2015-01-02", "--end", "2015-12-31",
            "--workers", "0", "--out", str(tmp_path / "out")]  # fmt: skip
    doc = json.loads(CliRunner().invoke(app, [*args, "--json"]).stdout)
    assert len(doc["folds"]) >= 2
    shown = CliRunner().invoke(app, args, env={"COLUMNS": "80"})  # reuses every run
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines if "│" in line or "┃" in line)
    header = "".join(line for line in lines if "┃" in line)
    assert "budget" in header and "basis" in header
    for fold in doc["folds"]:
        at = next(i for i, x in enumerate(lines) if f"│ {fold['train_start']} │" in x)
        row, below = lines[at], lines[at + 1]
        cells = [c.strip() for c in row.split("│")]
        assert cells[0] == str(fold["fold"])
        assert cells[2] == fold["test_start"]
        assert [c.strip() for c in below.split("│")][1:3] == [fold["train_end"], fold["test_end"]]
        assert cells[3] == fold["hedge.budget_basis"]
        for cell, key in zip(cells[4:7], ["in_sample_sharpe", "oos_sharpe", "base_oos_sharpe"],
                             strict=True):  # fmt: skip
            assert cell == f"{fold[key]:.4g}"
