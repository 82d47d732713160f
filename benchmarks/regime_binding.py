"""Does the ALVH regime scaling bind? alvh-442 vs static-442, ``hedge.budget_cover`` off and on.

Usage::

    # the store, 2006-01-03 .. 2026-07-22 (the default period)
    VIXSHIELD_HOME=/tmp/vs-store python benchmarks/regime_binding.py
    python benchmarks/regime_binding.py --data embedded --start 2014-01-02 --end 2018-12-31
    # four CLI --out folders: alvh off, static off, alvh on, static on
    python benchmarks/regime_binding.py --dirs OFF_ALVH OFF_STATIC ON_ALVH ON_STATIC

The four runs are ``alvh-442`` and ``static-442`` (no regime scaling: every layer
multiplier 1) with the policy option ``hedge.budget_cover`` off (the presets) and on
(each layer's annual budget bounded by its share of the condor credit rate / 3,
`vixshield.strategy.hedge`). For each it prints CAGR, max drawdown, hedge premium paid,
condor credit over hedge premium (whole run, and the worst window of
``credit_to_hedge_window`` consecutive cycles, days ``[entry of the first, entry of the
one after the last)``, which the cap keeps >= ``credit_to_hedge_min``), the hedge
premium paid per regime of the day, and the same figures in the stress windows
2008-09-01 .. 2008-12-31, 2020-02-19 .. 2020-04-30 and 2022. Then, per option setting,
how many hedge orders of alvh-442 and static-442 differ (a buy is its date, layer,
expiry, strike and contracts): with the option off they are identical on the store
(every buy is clipped by the cap, so the multiplier never changes an order), with it on
they differ.

Credit, premium and the window ratios are read from the trades by
`vixshield.backtest.credit_windows` (as the test ``tests/strategy/test_credit_budget_real.py``
does): credit = opening condor legs' cash flows less commission and fees, premium = minus
the hedge opening legs' cash flows plus commission and fees, USD.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pandas as pd

from vixshield.backtest.credit_windows import credit_and_premium, window_ratios

VARIANTS = (
    ("alvh-442", False),
    ("static-442", False),
    ("alvh-442", True),
    ("static-442", True),
)
WINDOWS = {
    "2008-10": ("2008-09-01", "2008-12-31"),
    "2020-03": ("2020-02-19", "2020-04-30"),
    "2022": ("2022-01-03", "2022-12-30"),
}
N_CYCLES = 3  # hedge.credit_to_hedge_window of both presets
RATIO = 3.0  # hedge.credit_to_hedge_min of both presets


class Run:
    """One backtest's output folder (``summary.json``, ``trades.csv``, ``equity.csv``)."""

    def __init__(self, label: str, folder: Path) -> None:
        self.label = label
        self.summary = json.loads((folder / "summary.json").read_text())
        self.trades = pd.read_csv(folder / "trades.csv", parse_dates=["date"])
        self.equity = pd.read_csv(folder / "equity.csv", parse_dates=["date"]).set_index("date")

    def hedge_buys(self) -> Counter[tuple[str, str, str, float, int]]:
        """Hedge buy legs as (date, layer, expiry, strike, contracts)."""
        t = self.trades
        b = t[(t["action"] == "open") & t["kind"].str.startswith("hedge")]
        cols = [b[c].tolist() for c in ("date", "kind", "expiry", "strike", "contracts")]
        return Counter(
            (str(pd.Timestamp(d).date()), str(k), str(e), float(x), int(n))
            for d, k, e, x, n in zip(*cols, strict=True)
        )


def _max_dd(equity: pd.Series) -> float:
    return float((equity / equity.cummax() - 1.0).min()) if len(equity) else math.nan


def figures(run: Run) -> dict[str, object]:
    """The run's headline figures (shares, USD)."""
    credit, paid = credit_and_premium(run.trades)
    ratios = window_ratios(credit, paid, N_CYCLES)
    regime = run.equity["regime"]
    by_regime = paid.groupby(regime.reindex(paid.index)).sum()
    out: dict[str, object] = {
        "cagr": run.summary["cagr"],
        "max_drawdown": run.summary["max_drawdown"],
        "final_equity": run.summary["final_equity"],
        "credit": float(credit.sum()),
        "hedge_premium": float(paid.sum()),
        "credit_over_hedge": float(credit.sum() / paid.sum()) if paid.sum() > 0 else math.inf,
        "worst_window_ratio": float(ratios.min()) if len(ratios) else math.nan,
        "windows_below_cap": int((ratios < RATIO * (1 - 1e-9)).sum()),
        "hedge_buys": sum(run.hedge_buys().values()),
        "premium_by_regime": {str(k): round(float(v), 2) for k, v in by_regime.items()},
    }
    hedge_cols = [c for c in run.equity.columns if c.startswith("pnl_hedge")]
    for name, (a, b) in WINDOWS.items():
        eq = run.equity.loc[a:b]
        if eq.empty:
            continue
        before = run.equity.loc[: pd.Timestamp(a) - pd.Timedelta(days=1), "equity"]
        start_eq = float(before.iloc[-1]) if len(before) else float(run.summary["capital"])
        out[name] = {
            "return": float(eq["equity"].iloc[-1] / start_eq - 1.0),
            "max_drawdown": _max_dd(pd.concat([pd.Series([start_eq]), eq["equity"]])),
            "hedge_premium": float(paid.loc[a:b].sum()),
            "hedge_pnl": float(eq[hedge_cols].sum().sum()),
        }
    return out


def differing(a: Run, b: Run) -> tuple[int, int, str]:
    """Hedge buy legs in one run and not the other (each way) and the first such date."""
    ca, cb = a.hedge_buys(), b.hedge_buys()
    only_a, only_b = ca - cb, cb - ca
    days = sorted({k[0] for k in (*only_a, *only_b)})
    return sum(only_a.values()), sum(only_b.values()), days[0] if days else "none"


def _run_all(data: str, start: str, end: str, tmp: Path) -> list[Path]:
    import vixshield as vs

    opened = vs.load_data(data)
    folders = []
    for name, cover in VARIANTS:
        folder = tmp / f"{name}-{'on' if cover else 'off'}"
        res = vs.backtest(name, opened, start=start, end=end, hedge__budget_cover=cover)
        res.write(folder)
        folders.append(folder)
        print(f"ran {name} budget_cover={cover}", file=sys.stderr)
    return folders


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--data", default="store")
    ap.add_argument("--start", default="2006-01-03")
    ap.add_argument("--end", default="2026-07-22")
    ap.add_argument("--dirs", nargs=4, type=Path, metavar="DIR", help="CLI --out folders")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folders = args.dirs or _run_all(args.data, args.start, args.end, Path(tmp))
        runs = [
            Run(f"{n} cover={'on' if c else 'off'}", f)
            for (n, c), f in zip(VARIANTS, folders, strict=True)
        ]
        table = {r.label: figures(r) for r in runs}
        print(json.dumps(table, indent=1, default=str))
        for off_on, (a, b) in (("off", runs[:2]), ("on", runs[2:])):
            x, y, first = differing(a, b)
            print(
                f"budget_cover {off_on}: hedge buy legs only in alvh-442 {x}, only in "
                f"static-442 {y}, first difference {first}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
