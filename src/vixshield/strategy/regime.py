"""The regime engine: calm / normal / elevated / stressed, with hysteresis.

Classification (documented rule)
--------------------------------
A daily score starts at the VIX level: the number of ``vix_thresholds``
(default 15, 20, 30 vol points) at or below the VIX close (0..3). Then:

- +1 when the term structure is in backwardation (``ts_slope < 0``);
- +1 when implied minus GARCH-forecast vol is below ``vrp_floor`` (realised
  risk exceeds what options pay for);
- +0.5 when the VVIX RSI(14) is above ``rsi_high`` (vol of vol overbought);
- +0.5 when the MACD of the slope is below zero and below its signal line
  (the curve is flattening);
- +0.5 on a bearish SPX / advance-decline divergence.

The score is capped at 3 and its integer part names the candidate regime. A
missing input adds nothing and is reported as "missing"; without VIX the
candidate is "normal".

Hysteresis: the regime switches to a new candidate only after that candidate
has held ``persist_days`` consecutive trading days; a jump of two or more levels
upward switches at once (stress is not waited for).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from vixshield.strategy.policy import REGIMES, Policy, RegimePolicy
from vixshield.strategy.types import RuleFired

__all__ = [
    "REGIMES",
    "classify_regimes",
    "entries_allowed",
    "layer_multiplier",
    "regime_inputs",
    "regime_score",
]

_INPUTS = ("vix", "ts_slope", "vrp", "vvix_rsi", "macd_hist", "ad_divergence", "iv_rank")


def regime_score(
    vix: float,
    ts_slope: float,
    vrp: float,
    vvix_rsi: float,
    macd_line: float,
    macd_signal: float,
    ad_divergence: float,
    cfg: RegimePolicy,
) -> float:
    """The daily regime score (0..3) by the module's documented rule; NaN inputs add 0."""
    if math.isnan(vix):
        return 1.0
    score = float(sum(vix >= t for t in cfg.vix_thresholds))
    if ts_slope < 0:
        score += 1.0
    if vrp < cfg.vrp_floor:
        score += 1.0
    if vvix_rsi > cfg.rsi_high:
        score += 0.5
    if macd_line < 0 and macd_line < macd_signal:
        score += 0.5
    if ad_divergence > 0:
        score += 0.5
    return min(score, 3.0)


def classify_regimes(ind: pd.DataFrame, cfg: RegimePolicy) -> tuple[pd.Series, pd.Series]:
    """Scores and regimes (with hysteresis) for an indicator frame, causally.

    Returns
    -------
    score : Series of float
    regime : Series of str (one of `REGIMES`)
    """
    cols = ("vix", "ts_slope", "vrp", "vvix_rsi", "macd", "macd_signal", "ad_divergence")
    arrs = [ind[c].to_numpy(dtype=np.float64) for c in cols]
    n = len(ind)
    scores = np.empty(n)
    labels: list[str] = []
    current = -1
    pending, count = -1, 0
    for i in range(n):
        v = [float(a[i]) for a in arrs]
        sc = regime_score(v[0], v[1], v[2], v[3], v[4], v[5], v[6], cfg)
        scores[i] = sc
        cand = int(sc)
        if current < 0 or cand == current:
            current = cand if current < 0 else current
            pending, count = -1, 0
        elif cand >= current + 2:
            current, pending, count = cand, -1, 0
        else:
            count = count + 1 if cand == pending else 1
            pending = cand
            if count >= cfg.persist_days:
                current, pending, count = cand, -1, 0
        labels.append(REGIMES[current])
    return pd.Series(scores, index=ind.index), pd.Series(labels, index=ind.index, dtype=object)


def _num(row: Mapping[str, object], key: str) -> float:
    v = row.get(key, math.nan)
    return float(v) if isinstance(v, int | float | np.floating) else math.nan


def regime_inputs(row: Mapping[str, object], policy: Policy) -> dict[str, float | str]:
    """The inputs the regime used at a row; a missing one maps to ``"missing"``."""
    out: dict[str, float | str] = {}
    for key in _INPUTS:
        v = _num(row, key)
        out[key] = "missing" if math.isnan(v) else round(v, 6)
    out["ts_state"] = str(row.get("ts_state", "missing"))
    out["ts_source"] = str(row.get("ts_source", "missing"))
    out["regime_score"] = _num(row, "regime_score")
    for spec in policy.custom:
        v = _num(row, f"custom:{spec.name}")
        out[f"custom:{spec.name}"] = "missing" if math.isnan(v) else round(v, 6)
    return out


def entries_allowed(
    regime: str, row: Mapping[str, object], policy: Policy
) -> tuple[bool, list[RuleFired]]:
    """Whether new condors may open: the regime's permission and custom "block" rules."""
    fired: list[RuleFired] = []
    ok = policy.regime.effect(regime).allow_entries
    fired.append(
        RuleFired(
            "regime_permission",
            {"regime": regime},
            "pass" if ok else "fail",
            "allow" if ok else "block",
        )
    )
    for spec in policy.custom:
        if spec.effect != "block":
            continue
        on = bool(row.get(f"custom:{spec.name}:on", False))
        value = _num(row, f"custom:{spec.name}")
        fired.append(
            RuleFired(
                f"custom:{spec.name}",
                {
                    "series": spec.series,
                    "rule": spec.rule,
                    "threshold": spec.threshold,
                    "value": "missing" if math.isnan(value) else value,
                },
                "fail" if on else "pass",
                "block" if on else "",
            )
        )
        ok = ok and not on
    return ok, fired


def layer_multiplier(
    layer: str, regime: str, row: Mapping[str, object], policy: Policy
) -> tuple[float, list[RuleFired]]:
    """A hedge layer's budget multiplier: regime effect plus custom "layer" rules,
    clipped to [multiplier_min, multiplier_max]; 1.0 when the hedge is not adaptive."""
    hp = policy.hedge
    if not hp.adaptive:
        return 1.0, [
            RuleFired(f"multiplier:{layer}", {"adaptive": "false"}, "info", "1.0 (static)")
        ]
    base = policy.regime.effect(regime).layer_multipliers.get(layer, 1.0)
    fired = [RuleFired(f"multiplier:{layer}", {"regime": regime}, "info", f"{base:g} (regime)")]
    m = base
    for spec in policy.custom:
        if spec.effect != "layer" or spec.layer not in ("all", layer):
            continue
        if bool(row.get(f"custom:{spec.name}:on", False)):
            m += spec.add
            fired.append(
                RuleFired(f"custom:{spec.name}", {"layer": layer, "add": spec.add}, "info", "added")
            )
    clipped = min(max(m, hp.multiplier_min), hp.multiplier_max)
    if clipped != m:
        fired.append(
            RuleFired(
                f"multiplier_bounds:{layer}",
                {"raw": m, "min": hp.multiplier_min, "max": hp.multiplier_max},
                "warn",
                f"clipped to {clipped:g}",
            )
        )
    return clipped, fired
