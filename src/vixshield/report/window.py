"""What was real and what was modeled inside one run's window (not the whole store).

The store's provenance (`BacktestResult.provenance`) says where each series
came from over all of history. A run sees only its own days: this module
counts, over those days, the fills priced from real chains against modeled
ones (``trades.origin``), and where the run's markets are given, the days each
pricing input was real (`DayInputs.origins`, counted over the rows at once by
`MarketInputs.origin_counts`: VIX, VVIX, rate, dividend yield, and the store's
own origin of that series, `STORE_SERIES`) and the days the front VX future
was real (`Markets.vx_front_origin`, sampled on the first trading day of each
week).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from vixshield.backtest.result import BacktestResult
from vixshield.errors import UserError
from vixshield.markets.inputs import MarketInputs
from vixshield.markets.types import MarketView
from vixshield.markets.view import Markets

__all__ = ["INPUT_LABELS", "STORE_SERIES", "banner_text", "window_provenance"]

INPUT_LABELS: Mapping[str, str] = {
    "spx_options": "SPX options (fills)",
    "vix_options": "VIX options (fills)",
    "vix": "VIX close",
    "vvix": "VVIX (VIX-option vol)",
    "rate": "Risk-free rate",
    "q": "SPX dividend yield",
    "vx": "VX futures (front month)",
    "inputs": "VIX, VVIX, rate, dividend yield, VX futures",
}
"""Row key -> human label of the inputs a run prices with."""


STORE_SERIES: Mapping[str, str] = {"vix": "vix", "vvix": "vvix", "rate": "rate", "q": "div_yield"}
"""Input -> the store series it is read from: a day counts as real only where the markets
used the series (not a stand-in) and the store's series is itself real (a rate modeled from
the Fed funds target is present every day, but modeled)."""


def _row(key: str, real: int, modeled: int, unit: str, note: str = "") -> dict[str, object]:
    total = real + modeled
    origin = (
        "none" if total == 0 else "real" if modeled == 0 else "modeled" if real == 0 else "mixed"
    )
    return {
        "input": INPUT_LABELS.get(key, key),
        "origin": origin,
        "real": real,
        "modeled": modeled,
        "unit": unit,
        "note": note,
    }


def _fills(trades: pd.DataFrame, roots: Sequence[str]) -> tuple[int, int]:
    if trades.empty or not {"root", "origin"}.issubset(trades.columns):
        return 0, 0
    rows = trades[trades["root"].astype(str).isin(roots)]
    origin = rows["origin"].astype(str)
    return int((origin == "real").sum()), int((origin != "real").sum())


def _vx_origin(markets: Markets, day: pd.Timestamp) -> str | None:
    try:
        origin = markets.vx_front_origin(day)
    except UserError:  # VX futures not listed yet (before 2004)
        return None
    return None if origin is None else str(origin)


def _vx_weeks(markets: Markets, days: pd.Index) -> tuple[int, int]:
    """(real, modeled) front VX futures on the first trading day of each week of ``days``.

    Building the VX curve is a frame per call: sampled once a week. A week whose
    first day has no future listed (before 2004) is not counted.
    """
    weeks = pd.DatetimeIndex(days).to_period("W")
    firsts = pd.Series(days, index=days).groupby(weeks).first()
    n_real = n_modeled = 0
    for day in days[days.isin(firsts)]:
        origin = _vx_origin(markets, day)
        if origin is not None:
            n_real += origin == "real"
            n_modeled += origin != "real"
    return n_real, n_modeled


def window_provenance(
    result: BacktestResult, markets: MarketView | None = None
) -> list[dict[str, object]]:
    """Rows ``input, origin, real, modeled, unit, note`` for the run's own days.

    ``origin`` is ``"real"``, ``"modeled"``, ``"mixed"`` or ``"none"`` (not used in
    the window); ``real`` and ``modeled`` count fills or trading days (``unit``).
    Without ``markets`` (or with a view that is not `Markets`, whose inputs
    carry their origins) only the fills are counted (the rows say so).
    """
    rows = [
        _row("spx_options", *_fills(result.trades, ("SPX", "SPXW")), "fills"),
        _row("vix_options", *_fills(result.trades, ("VIX",)), "fills"),
    ]
    days = result.daily.index
    if not isinstance(markets, Markets):
        why = "not given" if markets is None else f"a {type(markets).__name__}, not Markets"
        note = f"inputs not counted: the run's markets {why}"
        rows.append(_row("inputs", 0, 0, "days", note))
        return rows
    stored = {
        key: p.origin
        for key, series in STORE_SERIES.items()
        if (p := result.provenance.get(series)) is not None
    }
    n_days = len(days)
    real_days = MarketInputs(markets.data).origin_counts(pd.DatetimeIndex(days))
    counts: dict[str, tuple[int, int]] = {}
    for key in ("vix", "vvix", "rate", "q"):
        n_real = real_days[key] if stored.get(key, "real") == "real" else 0
        counts[key] = (n_real, n_days - n_real)
    counts["vx"] = _vx_weeks(markets, days)
    for key, (n_real, n_modeled) in counts.items():
        rows.append(_row(key, n_real, n_modeled, "weeks" if key == "vx" else "days"))
    return rows


def banner_text(
    rows: Sequence[Mapping[str, object]], start: object, end: object
) -> tuple[str, str]:
    """(real, modeled) sentences naming the inputs of `window_provenance` ``rows``.

    A mixed input appears in both, with its counts.
    """
    real: list[str] = []
    modeled: list[str] = []
    for r in rows:
        label, origin = str(r["input"]), r["origin"]
        n_real, n_mod, unit = r["real"], r["modeled"], r["unit"]
        if origin == "real":
            real.append(f"{label}")
        elif origin == "modeled":
            modeled.append(f"{label}")
        elif origin == "mixed":
            real.append(f"{label} ({n_real} {unit})")
            modeled.append(f"{label} ({n_mod} {unit})")
    span = f"{start} to {end}"
    return (
        f"Real in this run ({span}): SPX close, " + ", ".join(real or ["nothing else"]),
        "Modeled in this run: " + ", ".join(modeled or ["nothing"]),
    )
