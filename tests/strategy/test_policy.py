"""Policies: presets validate, bad files give located errors, the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from vixshield.errors import PolicyError
from vixshield.strategy.policy import (
    Policy,
    list_presets,
    load_policy,
    parse_policy,
    preset_text,
)

PRESETS = ["alvh-442", "no-hedge", "promoter", "static-442", "steward"]

MINIMAL = """
name = "mine"
[[hedge.layers]]
name = "short"
dte_min = 15
dte_max = 45
weight = {weight}
"""


def test_list_presets() -> None:
    assert list_presets() == PRESETS


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_validates(name: str) -> None:
    p = load_policy(name)
    assert p.name == name
    assert parse_policy(preset_text(name)) == p
    assert p.account.capital == 1_000_000.0
    assert p.costs.commission_per_contract == 0.65
    assert p.costs.spread_share == 0.25


def test_alvh_442_is_the_4_4_2_adaptive_hedge() -> None:
    p = load_policy("alvh-442")
    assert [(x.name, x.weight) for x in p.hedge.layers] == [
        ("short", 0.04),
        ("medium", 0.04),
        ("long", 0.02),
    ]
    assert [(x.dte_min, x.dte_max) for x in p.hedge.layers] == [(15, 45), (60, 120), (150, 270)]
    assert p.hedge.adaptive and p.hedge.budget_basis == "equity"
    assert (p.condor.dte_min, p.condor.dte_target, p.condor.dte_max) == (45, 52, 60)
    assert (p.condor.k_low, p.condor.k_high) == (1.5, 2.0)


def test_variants_differ_only_where_documented() -> None:
    base = load_policy("alvh-442")
    static = load_policy("static-442")
    nohedge = load_policy("no-hedge")
    promoter = load_policy("promoter")
    steward = load_policy("steward")
    assert not static.hedge.adaptive and static.hedge.layers == base.hedge.layers
    assert nohedge.hedge.layers == () and promoter.hedge.layers == ()
    for part in ("condor", "entry", "management", "sizing", "costs", "regime"):
        assert getattr(nohedge, part) == getattr(base, part)
    assert promoter.condor.k_high < base.condor.k_low + 0.01
    assert steward.hedge.layers[0].event_scale > 1.0
    assert steward.entry.min_days_to_event > 0
    # README: steward has wider strikes; both size condors at 1 % of equity (the walk-forward's)
    assert steward.condor.k_low > base.condor.k_low and steward.condor.k_high > base.condor.k_high
    assert steward.sizing.risk_per_condor == base.sizing.risk_per_condor == 0.01


def test_policy_is_frozen() -> None:
    p = load_policy("alvh-442")
    with pytest.raises(ValidationError):
        p.name = "x"  # type: ignore[misc]


def test_load_from_file(tmp_path: Path) -> None:
    f = tmp_path / "p.toml"
    f.write_text(MINIMAL.format(weight=0.05))
    p = load_policy(f)
    assert p.name == "mine" and p.hedge.layers[0].weight == 0.05
    assert p.hedge.layers[0].instrument == "vix_call"


def test_negative_weight_is_located(tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(MINIMAL.format(weight=-1))
    with pytest.raises(PolicyError) as err:
        load_policy(f)
    msg = str(err.value)
    assert msg.startswith(
        f"{f}: [hedge.layers.0.weight] Input should be greater than or equal to 0"
    )
    assert msg.endswith("(got -1)")


def test_exit_dte_must_fall_before_the_entry_window(tmp_path: Path) -> None:
    # exit at 90 DTE with entries at 45-60 DTE would close every condor the day after it opens
    f = tmp_path / "churn.toml"
    f.write_text(MINIMAL.format(weight=0.04) + "\n[management]\nexit_dte = 90\n")
    with pytest.raises(PolicyError) as err:
        load_policy(f)
    assert "need management.exit_dte < condor.dte_min (got 90 >= 45)" in str(err.value)


def test_roll_dte_must_fall_before_the_layer_window() -> None:
    from vixshield.strategy.policy import HedgeLayer

    with pytest.raises(ValueError, match=r"need roll_dte < dte_min \(got 20 >= 15\)"):
        HedgeLayer(name="short", dte_min=15, dte_max=45, weight=0.04, roll_dte=20)


def test_several_errors_one_per_line(tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(MINIMAL.format(weight=-1) + "\n[costs]\nspread_share = 2\n[foo]\nx = 1\n")
    with pytest.raises(PolicyError) as err:
        load_policy(f)
    lines = str(err.value).splitlines()
    assert len(lines) == 3
    assert any(
        "[costs.spread_share] Input should be less than or equal to 1 (got 2)" in x for x in lines
    )
    assert any("[foo] Extra inputs are not permitted" in x for x in lines)


def test_toml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text('name = "x"\nweight = = 1\n')
    with pytest.raises(PolicyError, match=r"TOML syntax error: .*line 2, column"):
        load_policy(f)


def test_unknown_preset_and_missing_file() -> None:
    with pytest.raises(PolicyError, match="unknown preset 'nope'"):
        load_policy("nope")
    with pytest.raises(PolicyError, match="cannot read policy file"):
        load_policy("/nonexistent/x.toml")


def test_cross_field_rules() -> None:
    with pytest.raises(PolicyError, match=r"\[condor\].*dte_min <= dte_target"):
        parse_policy('name="x"\n[condor]\ndte_min=50\ndte_target=40\ndte_max=60\n')
    with pytest.raises(PolicyError, match="unique"):
        parse_policy(
            'name="x"\n[[hedge.layers]]\nname="a"\ndte_min=1\ndte_max=2\nweight=0\nroll_dte=0\n'
            '[[hedge.layers]]\nname="a"\ndte_min=1\ndte_max=2\nweight=0\nroll_dte=0\n'
        )
    with pytest.raises(PolicyError, match="unknown layer"):
        parse_policy(
            'name="x"\n[[custom]]\nname="s"\nseries="skew"\nrule="above"\nthreshold=1\nlayer="zz"\n'
        )


@settings(max_examples=25, deadline=None)
@given(w=st.floats(max_value=-1e-6, min_value=-1e6, allow_nan=False))
def test_any_negative_weight_is_rejected_and_located(w: float) -> None:
    with pytest.raises(PolicyError) as err:
        parse_policy(MINIMAL.format(weight=repr(w)), "f.toml")
    assert str(err.value).startswith("f.toml: [hedge.layers.0.weight]")


@settings(max_examples=25, deadline=None)
@given(w=st.floats(min_value=0.0, max_value=1.0, allow_nan=False))
def test_any_non_negative_weight_loads(w: float) -> None:
    p = parse_policy(MINIMAL.format(weight=repr(w)))
    assert isinstance(p, Policy) and p.hedge.layers[0].weight == w


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vixshield", "policy", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_list_show_check(tmp_path: Path) -> None:
    out = _cli("list")
    assert out.returncode == 0
    assert [line.split()[0] for line in out.stdout.splitlines()] == PRESETS
    shown = _cli("show", "steward")
    assert shown.returncode == 0 and parse_policy(shown.stdout).name == "steward"
    f = tmp_path / "ok.toml"
    f.write_text(shown.stdout)
    ok = _cli("check", str(f))
    assert ok.returncode == 0 and "ok" in ok.stdout


def test_cli_check_bad_file_exit_2_without_traceback(tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(MINIMAL.format(weight=-1))
    out = _cli("check", str(f))
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert (
        f"{f}: [hedge.layers.0.weight] Input should be greater than or equal to 0 (got -1)"
        in out.stderr
    )
    bad = _cli("show", "nope")
    assert bad.returncode == 2 and "unknown preset" in bad.stderr
