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

The scanner as an input (``[regime.scan]``, off by default)
-----------------------------------------------------------
`scan_entries` runs the put-call parity scan (`vixshield.markets.parity.scan_parity`)
on the day's real SPX chain and the kink scan (`vixshield.markets.vx_curve_scan.vx_kinks`)
on the real months of the VX curve, at the policy's costs, and blocks the day's
entries when the largest parity edge exceeds ``max_parity_edge`` (dollars per
contract set) or a month is more than ``max_vx_kink`` vol points off its
neighbours' line. A modeled SPX chain satisfies parity by construction: it is not
scanned ("not scanned (modeled chain)", info) and never blocks, and neither does
the VX curve on such a day.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from vixshield._typing import FloatArray
from vixshield.errors import NotListed
from vixshield.markets.costs import CostModel
from vixshield.markets.parity import Finding, scan_parity
from vixshield.markets.types import MarketView, OptionChain
from vixshield.markets.vx_curve_scan import real_curve, vx_kinks
from vixshield.strategy.policy import REGIMES, Policy, RegimeEffect, RegimePolicy, ScanPolicy
from vixshield.strategy.types import RuleFired

__all__ = [
    "ABSENT",
    "NOT_SCANNED_MODELED",
    "REGIMES",
    "InputKind",
    "chain_frame",
    "classify_regimes",
    "entries_allowed",
    "layer_multiplier",
    "regime_input",
    "regime_input_keys",
    "regime_inputs",
    "regime_score",
    "regime_scores",
    "scan_entries",
]

NOT_SCANNED_MODELED = "not scanned (modeled chain)"
"""The note of the scan's audit entry on a day whose SPX chain is modeled."""

_SCAN_COLUMNS = ("root", "expiry", "settlement", "strike", "right", "bid", "ask", "iv")
_MIN_KINK_MONTHS = 3  # a kink needs a month and both its neighbours

_INPUTS = ("vix", "ts_slope", "vrp", "vvix_rsi", "macd_hist", "ad_divergence", "iv_rank")


_SCORE_COLUMNS = ("vix", "ts_slope", "vrp", "vvix_rsi", "macd", "macd_signal", "ad_divergence")
"""The indicator columns the score reads, in `regime_score`'s argument order."""


def _scores(columns: list[FloatArray], cfg: RegimePolicy) -> FloatArray:
    """The module's documented rule on arrays of one length, the `_SCORE_COLUMNS` in order
    (the arguments of `regime_score`).

    Each term is 0, 0.5 or 1 and the sum at most 7, so every partial sum is exact and
    the order of the terms cannot change a score; a NaN input compares False (adds 0),
    a NaN ``vix`` scores 1.
    """
    vix, slope, vrp, rsi, line, signal, div = columns
    score = np.zeros(len(vix))
    for t in cfg.vix_thresholds:
        score += vix >= t
    score += slope < 0
    score += vrp < cfg.vrp_floor
    score += 0.5 * (rsi > cfg.rsi_high)
    score += 0.5 * ((line < 0) & (line < signal))
    score += 0.5 * (div > 0)
    score = np.minimum(score, 3.0)
    score[np.isnan(vix)] = 1.0
    return score


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
    """The daily regime score (0..3) by the module's documented rule; NaN inputs add 0.

    One row of `regime_scores` (VIX, term-structure slope and VRP in vol points, VVIX
    RSI 0..100, MACD line and signal of the slope, A-D divergence flag).
    """
    row = (vix, ts_slope, vrp, vvix_rsi, macd_line, macd_signal, ad_divergence)
    return float(_scores([np.array((float(x),)) for x in row], cfg)[0])


def regime_scores(ind: pd.DataFrame, cfg: RegimePolicy) -> FloatArray:
    """`regime_score` of every row of an indicator frame, as one array.

    Reads the columns ``vix``, ``ts_slope``, ``vrp``, ``vvix_rsi``, ``macd``,
    ``macd_signal`` and ``ad_divergence`` (all needed).
    """
    return _scores([ind[c].to_numpy(dtype=np.float64) for c in _SCORE_COLUMNS], cfg)


def classify_regimes(ind: pd.DataFrame, cfg: RegimePolicy) -> tuple[pd.Series, pd.Series]:
    """Scores and regimes (with hysteresis) for an indicator frame, causally.

    The scores are `regime_scores` (`regime_score` row by row); a score's whole part
    is the candidate regime. A candidate two or more levels above the current regime
    is taken at once; any other change only after ``cfg.persist_days`` closes in a row.

    Returns
    -------
    score : Series of float
    regime : Series of str (one of `REGIMES`)
    """
    scores = regime_scores(ind, cfg)
    labels: list[str] = []
    current = -1
    pending, count = -1, 0
    persist = cfg.persist_days
    for cand in scores.astype(np.int64).tolist():  # int(score): 0..3
        if current < 0 or cand == current:
            current = cand if current < 0 else current
            pending, count = -1, 0
        elif cand >= current + 2:
            current, pending, count = cand, -1, 0
        else:
            count = count + 1 if cand == pending else 1
            pending = cand
            if count >= persist:
                current, pending, count = cand, -1, 0
        labels.append(REGIMES[current])
    return pd.Series(scores, index=ind.index), pd.Series(labels, index=ind.index, dtype=object)


def _num(row: Mapping[str, object], key: str) -> float:
    v = row.get(key, math.nan)
    return float(v) if isinstance(v, int | float | np.floating) else math.nan


ABSENT = object()
"""The value `regime_input` is given for a column the indicator row does not have."""

InputKind = Literal["rounded", "text", "raw"]
"""How `regime_input` shows a row value: a number rounded to 6 places ("missing" when
not a number), the value as text ("missing" when absent), the number as it is (NaN
when not a number)."""


def regime_input(value: object, kind: InputKind) -> float | str:
    """One regime input as `regime_inputs` shows it (``value`` is `ABSENT` for no column)."""
    if kind == "text":
        return "missing" if value is ABSENT else str(value)
    v = float(value) if isinstance(value, int | float | np.floating) else math.nan
    if kind == "raw":
        return v
    return "missing" if math.isnan(v) else round(v, 6)


def regime_input_keys(policy: Policy) -> tuple[tuple[str, InputKind], ...]:
    """The row columns `regime_inputs` reads, in its order, with how each is shown."""
    rounded: InputKind = "rounded"
    return (
        *((key, rounded) for key in _INPUTS),
        ("ts_state", "text"),
        ("ts_source", "text"),
        ("regime_score", "raw"),
        *((f"custom:{spec.name}", rounded) for spec in policy.custom),
    )


def regime_inputs(row: Mapping[str, object], policy: Policy) -> dict[str, float | str]:
    """The inputs the regime used at a row; a missing one maps to ``"missing"``.

    The VIX-based inputs and the custom series are rounded to 6 places, the term
    structure's state and source are text, the score is as it is.
    """
    return {
        key: regime_input(row.get(key, ABSENT), kind) for key, kind in regime_input_keys(policy)
    }


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
    layer: str,
    regime: str,
    row: Mapping[str, object],
    policy: Policy,
    effect: RegimeEffect | None = None,
) -> tuple[float, list[RuleFired]]:
    """A hedge layer's budget multiplier: regime effect plus custom "layer" rules,
    clipped to [multiplier_min, multiplier_max]; 1.0 when the hedge is not adaptive.

    ``effect`` is ``policy.regime.effect(regime)`` when the caller has it already
    (looked up here when None).
    """
    hp = policy.hedge
    if not hp.adaptive:
        return 1.0, [
            RuleFired(f"multiplier:{layer}", {"adaptive": "false"}, "info", "1.0 (static)")
        ]
    if effect is None:
        effect = policy.regime.effect(regime)
    base = effect.layer_multipliers.get(layer, 1.0)
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


def chain_frame(chain: OptionChain) -> pd.DataFrame:
    """An `OptionChain` in the data layer's long form, the scanner's input."""
    q = chain.quotes[list(_SCAN_COLUMNS)]
    return q.assign(quote_date=chain.as_of, underlying=chain.underlying).reset_index(drop=True)


def _describe(f: Finding) -> str:
    """One line naming a finding: kind, expiry, strikes, edge."""
    strikes = sorted({leg.strike for leg in f.legs if leg.strike is not None})
    at = f" K {'/'.join(f'{k:g}' for k in strikes)}" if strikes else ""
    return f"{f.kind} {f.underlying} {f.expiry.date()}{at}: edge ${f.edge:,.2f}"


def _probe(date: pd.Timestamp, market: MarketView) -> OptionChain | str:
    """The day's SPX chain if it is real; otherwise why it is not scanned.

    One expiry is asked first (cheap where the chain is modeled); a real answer
    is followed by the whole chain.
    """
    try:
        listed = market.expiries(date, "SPX")
    except NotListed as err:
        return f"not scanned ({err})"
    if not listed:
        return "not scanned (no SPX expiry listed)"
    if market.chain(date, "SPX", listed[0].date).origin != "real":
        return NOT_SCANNED_MODELED
    return market.chain(date, "SPX")


def scan_entries(
    date: pd.Timestamp, market: MarketView, costs: CostModel, section: ScanPolicy
) -> tuple[bool, RuleFired]:
    """Whether the day's scan lets entries through, and its audit entry.

    Parameters
    ----------
    date : Timestamp
        The close scanned.
    market : MarketView
        Its SPX chain (scanned only where ``origin == "real"``) and VX curve (its
        real months).
    costs : CostModel
        The policy's fills and per-contract costs (edges are after them).
    section : ScanPolicy
        ``max_parity_edge`` (dollars per contract set) and ``max_vx_kink`` (vol points).

    Returns
    -------
    allowed : bool
        False where the largest parity edge is above ``max_parity_edge`` or a VX
        month is more than ``max_vx_kink`` vol points off its neighbours' line.
    fired : RuleFired
        Rule ``"scan"``: "fail" naming the finding that blocks, "pass" with the
        largest edge seen, or "info" where nothing was scanned (a modeled chain).
    """
    chain = _probe(date, market)
    limits: dict[str, float | str] = {
        "max_parity_edge": section.max_parity_edge,
        "max_vx_kink": section.max_vx_kink,
    }
    if isinstance(chain, str):
        return True, RuleFired("scan", {"spx_chain": "modeled", **limits}, "info", chain)
    res = scan_parity(chain_frame(chain), date, "SPX", costs)
    parity = sorted(res.findings, key=lambda f: -f.edge)
    try:
        curve = real_curve(market.vx_curve(date))
    except NotListed:
        curve = None
    months = 0 if curve is None else len(curve)
    kinks: list[Finding] = []
    if curve is not None and months >= _MIN_KINK_MONTHS:
        kinks = sorted(vx_kinks(curve, costs, section.max_vx_kink), key=lambda f: -f.edge)
    top = parity[0].edge if parity else 0.0
    inputs: dict[str, float | str] = {
        "spx_chain": "real",
        "parity_findings": len(parity),
        "largest_parity_edge": top,
        "vx_real_months": months,
        "vx_kinks": len(kinks),
        **limits,
    }
    blocks: list[str] = []
    if parity and top > section.max_parity_edge:
        blocks.append(f"{_describe(parity[0])} > ${section.max_parity_edge:,.2f} per contract set")
    if kinks:
        blocks.append(f"{_describe(kinks[0])} ({kinks[0].note.split(':')[0]})")
    if blocks:
        return False, RuleFired("scan", inputs, "fail", "entries blocked: " + "; ".join(blocks))
    scanned = "VX curve" if months >= _MIN_KINK_MONTHS else "VX curve not scanned"
    note = f"{len(parity)} parity findings, largest ${top:,.2f} per contract set; {scanned}"
    return True, RuleFired("scan", inputs, "pass", note)
