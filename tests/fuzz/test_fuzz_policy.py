"""Fuzz every policy field through ``vixshield policy check`` (in-process).

Each case (`strategies_policy`) is a bad policy file; the command must exit 2 with one
``error:`` line naming the file and the key path, and no traceback. The shipped
presets still pass (the regression baselines are unchanged).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from fuzz_cli import assert_user_error, run_cli
from hypothesis import HealthCheck, given, settings
from strategies_policy import BASE_TREE, PolicyCase, dumps_toml, policy_case, policy_corpus

from vixshield.strategy.policy import list_presets, preset_text


def _check(tmp: Path, case: PolicyCase) -> None:
    f = tmp / "policy.toml"
    f.write_bytes(case.data)
    outcome = run_cli(["policy", "check", str(f)])
    try:
        assert_user_error(outcome, str(f), *case.must_name)
    except AssertionError as err:
        raise AssertionError(f"{case.describe()}\n{err}") from None


# -- each failure class of the issue, reproduced first ------------------------------------


@pytest.mark.parametrize(
    ("edit", "must_name"),
    [
        ({"weight": True}, "[hedge.layers.0.weight]"),  # was read as 100 % of equity a year
        ({"dte_min": "45"}, "[hedge.layers.0.dte_min]"),  # was read as the number 45
    ],
)
def test_no_coercion(tmp_path: Path, edit: dict[str, object], must_name: str) -> None:
    tree = {**BASE_TREE, "hedge": {**BASE_TREE["hedge"]}}
    tree["hedge"]["layers"] = [{**BASE_TREE["hedge"]["layers"][0], **edit}]
    _check(tmp_path, PolicyCase(dumps_toml(tree).encode(), (must_name,), "coercion"))


def test_layer_weights_summing_to_180_percent_are_refused(tmp_path: Path) -> None:
    tree = {**BASE_TREE, "hedge": {**BASE_TREE["hedge"]}}
    tree["hedge"]["layers"] = [{**x, "weight": 0.6} for x in BASE_TREE["hedge"]["layers"]]
    _check(tmp_path, PolicyCase(dumps_toml(tree).encode(), ("sum to 1.8", "<= 1"), "sum"))


def test_unknown_layer_multiplier_is_refused(tmp_path: Path) -> None:
    tree = {**BASE_TREE, "regime": {**BASE_TREE["regime"]}}
    tree["regime"]["effects"] = {"calm": {"layer_multipliers": {"shrot": 0.75}}}
    case = PolicyCase(dumps_toml(tree).encode(), ("regime.effects.calm", "shrot"), "layer")
    _check(tmp_path, case)


@pytest.mark.parametrize("capital", ["inf", "1e308", "9" * 5000, "nan", "-1.0", "0"])
def test_capital_must_be_finite_and_sane(tmp_path: Path, capital: str) -> None:
    text = f'name = "x"\n[account]\ncapital = {capital}\n'
    must = ("line",) if len(capital) > 4300 else ("[account.capital]",)
    _check(tmp_path, PolicyCase(text.encode(), must, "capital"))


def test_deep_nesting_and_non_utf8_are_located(tmp_path: Path) -> None:
    deep = 'name = "x"\nx = ' + "[" * 500 + "]" * 500 + "\n"
    _check(tmp_path, PolicyCase(deep.encode(), ("line 2", "nested"), "nesting"))
    _check(tmp_path, PolicyCase(b'name = "caf\xe9"\n', ("line 1", "not UTF-8"), "encoding"))


@pytest.mark.parametrize("name", list_presets())
def test_every_preset_still_passes_the_check(tmp_path: Path, name: str) -> None:
    f = tmp_path / f"{name}.toml"
    f.write_text(preset_text(name), encoding="utf-8")
    outcome = run_cli(["policy", "check", str(f)])
    assert outcome.code == 0 and f"policy '{name}'" in outcome.stdout, outcome.describe()


# -- the generated corpus and Hypothesis ---------------------------------------------------


def test_corpus_every_field_is_refused_and_located(tmp_path: Path) -> None:
    kinds: Counter[str] = Counter()
    for case in policy_corpus(per_leaf=4):
        _check(tmp_path, case)
        kinds[case.kind] += 1
    # the corpus covers every class (counts reported by the fuzz report)
    assert set(kinds) == {
        "type/bound", "choice", "unknown key", "unknown layer", "weight sum",
        "dte order", "order", "nesting", "encoding",
    }  # fmt: skip
    assert sum(kinds.values()) > 400


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=policy_case())
def test_any_bad_value_anywhere_is_refused_and_located(
    tmp_path_factory: pytest.TempPathFactory, case: PolicyCase
) -> None:
    _check(tmp_path_factory.mktemp("p"), case)
