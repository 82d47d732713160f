"""Regime engine: the documented score, hysteresis, missing inputs, user rules."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vixshield.strategy import load_policy, parse_policy
from vixshield.strategy.policy import RegimePolicy
from vixshield.strategy.regime import (
    classify_regimes,
    entries_allowed,
    layer_multiplier,
    regime_inputs,
    regime_score,
    regime_scores,
)

NAN = math.nan
CFG = RegimePolicy()


_BY_HAND = [
    ((12.0, 0.1, 5.0, 50.0, 0.01, 0.0, 0.0), 0.0),  # calm level, nothing adds
    ((15.0, 0.1, 5.0, 50.0, 0.01, 0.0, 0.0), 1.0),  # at the first threshold
    ((22.0, -0.02, 5.0, 50.0, 0.01, 0.0, 0.0), 3.0),  # 2 + backwardation 1
    ((12.0, 0.1, -2.5, 75.0, 0.01, 0.0, 0.0), 1.5),  # vrp < -2 (+1), RSI > 70 (+0.5)
    ((12.0, 0.1, -1.0, 50.0, 0.01, 0.0, 0.0), 0.0),  # vrp above the -2 floor
    ((12.0, 0.1, 5.0, 50.0, -0.01, 0.0, 1.0), 1.0),  # MACD < 0 and < signal, bearish A-D
    ((40.0, -0.1, -5.0, 90.0, -0.1, 0.0, 1.0), 3.0),  # capped
    ((12.0, NAN, NAN, NAN, NAN, NAN, NAN), 0.0),  # missing inputs add nothing
    ((NAN, NAN, NAN, NAN, NAN, NAN, NAN), 1.0),  # no VIX: normal
]


@pytest.mark.parametrize(("args", "expected"), _BY_HAND)
def test_regime_score_by_hand(args: tuple[float, ...], expected: float) -> None:
    assert regime_score(*args, cfg=CFG) == expected


_SCORE_COLUMNS = ["vix", "ts_slope", "vrp", "vvix_rsi", "macd", "macd_signal", "ad_divergence"]


def test_regime_scores_of_a_frame_by_hand() -> None:
    # the same hand-worked rows as above, as the rows of one indicator frame
    frame = pd.DataFrame([row for row, _ in _BY_HAND], columns=_SCORE_COLUMNS)
    assert regime_scores(frame, CFG).tolist() == [want for _, want in _BY_HAND]


def _rule_by_the_docstring(row: list[float], cfg: RegimePolicy) -> float:
    """The module docstring's rule, restated in plain Python (the test's reference)."""
    vix, slope, vrp, rsi, line, signal, div = row
    if math.isnan(vix):
        return 1.0
    score = float(len([t for t in cfg.vix_thresholds if vix >= t]))
    score += (1.0 if slope < 0 else 0.0) + (1.0 if vrp < cfg.vrp_floor else 0.0)
    score += 0.5 if rsi > cfg.rsi_high else 0.0
    score += 0.5 if (line < 0 and line < signal) else 0.0
    score += 0.5 if div > 0 else 0.0
    return min(score, 3.0)


score_inputs = st.one_of(st.floats(min_value=-50.0, max_value=120.0), st.just(math.nan))


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.lists(score_inputs, min_size=7, max_size=7), min_size=1, max_size=40))
def test_scores_follow_the_documented_rule(rows: list[list[float]]) -> None:
    frame = pd.DataFrame(rows, columns=_SCORE_COLUMNS)
    want = [_rule_by_the_docstring(r, CFG) for r in rows]
    assert regime_scores(frame, CFG).tolist() == want
    assert [regime_score(*r, cfg=CFG) for r in rows] == want  # type: ignore[misc]


def _frame(vix: list[float]) -> pd.DataFrame:
    n = len(vix)
    idx = pd.bdate_range("2024-01-02", periods=n)
    cols = {"vix": vix}
    for c in ("ts_slope", "vrp", "vvix_rsi", "macd", "macd_signal", "ad_divergence"):
        cols[c] = [NAN] * n
    return pd.DataFrame(cols, index=idx)


def test_hysteresis_needs_persistence_and_escalates_at_once() -> None:
    # persist_days = 3: calm, two normal days (kept calm), calm, three normal days
    # (switch on the third), then VIX 35 (stressed, two levels up: at once).
    vix = [12, 12, 12, 17, 17, 12, 17, 17, 17, 35, 25, 25, 25]
    score, regime = classify_regimes(_frame([float(v) for v in vix]), CFG)
    assert list(regime) == [
        "calm", "calm", "calm", "calm", "calm", "calm", "calm", "calm", "normal",
        "stressed", "stressed", "stressed", "elevated",
    ]  # fmt: skip
    np.testing.assert_array_equal(score.to_numpy(), [0, 0, 0, 1, 1, 0, 1, 1, 1, 3, 2, 2, 2])


def test_regime_inputs_mark_missing() -> None:
    row = {"vix": 18.0, "ts_slope": 0.05, "vrp": NAN, "vvix_rsi": NAN, "macd_hist": 0.0}
    out = regime_inputs(row, load_policy("alvh-442"))
    assert out["vix"] == 18.0 and out["ts_slope"] == 0.05
    assert out["vrp"] == "missing" and out["vvix_rsi"] == "missing"
    assert out["ad_divergence"] == "missing"  # absent from the row altogether


CUSTOM = """
name = "c"
[[custom]]
name = "skewhigh"
series = "skew"
rule = "above"
threshold = 150
effect = "block"
[[custom]]
name = "vvixz"
series = "vvix"
rule = "zscore_above"
threshold = 2
effect = "layer"
layer = "short"
add = 2.5
"""


def test_custom_block_rule() -> None:
    p = parse_policy(CUSTOM)
    ok, fired = entries_allowed("normal", {"custom:skewhigh:on": True, "custom:skewhigh": 160.0}, p)
    assert not ok and fired[-1].text == "fail: block" and fired[-1].inputs["value"] == 160.0
    ok, _ = entries_allowed("normal", {"custom:skewhigh:on": False}, p)
    assert ok
    ok, fired = entries_allowed("stressed", {}, p)  # default effects block stressed
    assert not ok and fired[0].text == "fail: block"


def test_layer_multiplier_adds_and_clips() -> None:
    p = parse_policy(CUSTOM)
    # elevated short = 1.5 (defaults) + 2.5 = 4.0 -> clipped to 3.0
    m, fired = layer_multiplier("short", "elevated", {"custom:vvixz:on": True}, p)
    assert m == 3.0
    assert any(f.rule == "multiplier_bounds:short" for f in fired)
    m, _ = layer_multiplier("short", "elevated", {"custom:vvixz:on": False}, p)
    assert m == 1.5
    m, _ = layer_multiplier("medium", "elevated", {"custom:vvixz:on": True}, p)
    assert m == 1.25  # the custom rule names the short layer only


def test_static_hedge_multiplier_is_one() -> None:
    p = load_policy("static-442")
    for regime in ("calm", "normal", "elevated", "stressed"):
        assert layer_multiplier("short", regime, {}, p)[0] == 1.0


def test_regime_column_in_indicators(indicators: pd.DataFrame) -> None:
    assert set(indicators["regime"]) <= {"calm", "normal", "elevated", "stressed"}
    # every regime change is backed by a candidate that persisted or jumped two levels
    r = indicators["regime"].to_numpy()
    cand = indicators["regime_score"].astype(int).to_numpy()
    names = ["calm", "normal", "elevated", "stressed"]
    for i in range(1, len(r)):
        if r[i] != r[i - 1]:
            j = names.index(r[i])
            assert cand[i] == j
            jumped = j - names.index(r[i - 1]) >= 2
            assert jumped or all(cand[i - k] == j for k in range(3))
