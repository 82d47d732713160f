"""Grid parsing and variant validation (`vixshield.sweep.grid`): no backtest runs here."""

from __future__ import annotations

from pathlib import Path

import pytest

from vixshield.errors import UserError
from vixshield.strategy.policy import load_policy
from vixshield.sweep.grid import expand, load_grid, parse_grid

BASE = load_policy("alvh-442")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "grids"


def test_dotted_and_quoted_keys_lists_and_ranges(tmp_path: Path) -> None:
    path = tmp_path / "g.toml"
    path.write_text(
        '"hedge.budget_basis" = ["equity", "credit"]\n'
        "sizing.risk_per_condor = { start = 0.01, stop = 0.03, step = 0.01 }\n"
        "hedge.layers.0.weight = 0.05\n",
        encoding="utf-8",
    )
    grid = load_grid(path)
    assert grid.paths == ("hedge.budget_basis", "sizing.risk_per_condor", "hedge.layers.0.weight")
    # the range includes its stop; 0.01 + 2 x 0.01 reads 0.03, not 0.030000000000000002
    assert dict(grid.axes)["sizing.risk_per_condor"] == (0.01, 0.02, 0.03)
    variants = expand(grid, BASE)
    assert len(variants) == 2 * 3 * 1
    last = variants[-1]
    assert last.params == {
        "hedge.budget_basis": "credit",
        "sizing.risk_per_condor": 0.03,
        "hedge.layers.0.weight": 0.05,
    }
    assert last.policy.hedge.budget_basis == "credit"
    assert last.policy.sizing.risk_per_condor == 0.03
    assert last.policy.hedge.layers[0].weight == 0.05
    assert last.policy.hedge.layers[1] == BASE.hedge.layers[1]  # untouched fields stay
    assert BASE.hedge.budget_basis == "equity"  # the base is not mutated


def test_integer_range() -> None:
    grid = parse_grid({"entry.every_n_days": {"start": 3, "stop": 7, "step": 2}})
    assert dict(grid.axes)["entry.every_n_days"] == (3, 5, 7)


def test_unknown_path_is_located(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('"condor.k_lo" = [1.0]\n', encoding="utf-8")
    with pytest.raises(UserError) as err:
        expand(load_grid(path), BASE)
    msg = str(err.value)
    assert str(path) in msg and "[condor.k_lo]" in msg and "unknown policy field" in msg


def test_index_out_of_range_is_located() -> None:
    with pytest.raises(UserError, match=r"\[hedge\.layers\.7\.weight\].*index 0\.\.2"):
        expand(parse_grid({"hedge.layers.7.weight": [0.1]}), BASE)


def test_invalid_variant_names_file_key_and_variant() -> None:
    # k_low 2.5 > k_high 2.0 breaks the schema's "need k_low <= k_high" in variant 1 only
    grid = parse_grid({"condor.k_low": [1.5, 2.5]}, "grid.toml")
    with pytest.raises(UserError) as err:
        expand(grid, BASE)
    msg = str(err.value)
    assert msg.startswith("grid.toml: variant 1 (condor.k_low=2.5)")
    assert "k_low <= k_high" in msg


def test_bad_ranges_and_empty_lists() -> None:
    with pytest.raises(UserError, match="step must be positive"):
        parse_grid({"condor.k_low": {"start": 1, "stop": 2, "step": 0}})
    with pytest.raises(UserError, match="empty list"):
        parse_grid({"condor.k_low": []})
    with pytest.raises(UserError, match="names no policy field"):
        parse_grid({})


@pytest.mark.parametrize("name", ["budget_sizing", "condor_distance", "hedge_layers"])
def test_example_grids_validate(name: str) -> None:
    grid = load_grid(EXAMPLES / f"{name}.toml")
    variants = expand(grid, BASE)
    assert len(variants) == grid.size > 1
