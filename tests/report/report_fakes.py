"""Hand-made BacktestResult / Decision objects for report and CLI tests (no engine needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from vixshield.backtest.result import BacktestResult
from vixshield.data.market import DAILY_COLUMNS, MarketData, Provenance
from vixshield.strategy.types import Decision, Leg, Order, Position, RuleFired

CAPITAL = 100_000.0
EXPIRY = pd.Timestamp("2018-03-16")
VIX_EXPIRY = pd.Timestamp("2018-04-18")
OPENED = pd.Timestamp("2018-02-01")


def condor_legs(expiry: pd.Timestamp = EXPIRY) -> tuple[Leg, ...]:
    """Long 2550P, short 2600P, short 2700C, long 2750C (SPX monthly, AM)."""
    return tuple(
        Leg("SPX", "SPX", expiry, "AM", k, r, q)
        for k, r, q in ((2550.0, "P", 1), (2600.0, "P", -1), (2700.0, "C", -1), (2750.0, "C", 1))
    )


def vix_call_leg(strike: float = 20.0) -> Leg:
    return Leg("VIX", "VIX", VIX_EXPIRY, "AM", strike, "C", 1)


def positions(opened: pd.Timestamp = OPENED) -> tuple[Position, ...]:
    return (
        Position("IC-1", "condor", condor_legs(), 2, opened, -4.0),
        Position("H-1", "hedge:core", (vix_call_leg(),), 10, opened, 1.2),
    )


def make_daily(n: int = 40, start: str = "2018-01-02") -> pd.DataFrame:
    idx = pd.bdate_range(start, periods=n, name="date")
    t = np.arange(n, dtype=np.float64)
    spx = 2650.0 + 30.0 * np.sin(t / 5.0)
    vix = 14.0 + 6.0 * (np.cos(t / 7.0) + 1.0)
    pnl_condor = 120.0 * np.sin(t / 3.0)
    pnl_core = -15.0 + 40.0 * np.cos(t / 4.0)
    pnl_tail = -5.0 + 0.0 * t
    pnl_interest = 4.0 + 0.0 * t
    pnl_costs = np.where(t % 10 == 0, -13.0, 0.0)
    pnl = pnl_condor + pnl_core + pnl_tail + pnl_interest + pnl_costs
    pnl[0] = 0.0
    pnl_condor[0] = pnl_core[0] = pnl_tail[0] = pnl_interest[0] = pnl_costs[0] = 0.0
    equity = CAPITAL + np.cumsum(pnl)
    drawdown = equity / np.maximum.accumulate(equity) - 1.0
    regime = np.where(vix < 17.0, "calm", np.where(vix < 22.0, "normal", "elevated"))
    cth = np.where(t < 5, np.nan, 1.1 + 0.3 * np.sin(t / 6.0))
    return pd.DataFrame(
        {
            "equity": equity,
            "cash": equity - 500.0,
            "positions_value": 500.0 + 0.0 * t,
            "margin": 10_000.0 + 0.0 * t,
            "pnl": pnl,
            "pnl_condor": pnl_condor,
            "pnl_hedge:core": pnl_core,
            "pnl_hedge:tail": pnl_tail,
            "pnl_interest": pnl_interest,
            "pnl_costs": pnl_costs,
            "drawdown": drawdown,
            "spx": spx,
            "vix": vix,
            "rate": 0.015 + 0.0 * t,
            "regime": pd.Series(regime, index=idx, dtype="string"),
            "credit_to_hedge": cth,
            "margin_call": np.zeros(n, dtype=bool),
        },
        index=idx,
    )


def condor_open_rows(
    pid: str, opened: pd.Timestamp | str, fills: dict[float, float]
) -> list[dict[str, object]]:
    """trades.csv rows opening 2 of `condor_legs` at ``fills`` (strike -> price, points)."""
    return [
        {
            "date": pd.Timestamp(opened),
            "position_id": pid,
            "kind": "condor",
            "action": "open",
            "contracts": 2,
            "root": leg.root,
            "expiry": leg.expiry,
            "strike": leg.strike,
            "right": leg.right,
            "ratio": leg.ratio,
            "mid": fills[leg.strike],
            "fill": fills[leg.strike],
            "cash_flow": -leg.ratio * fills[leg.strike] * 200.0,
            "commission": 1.3,
            "fees": 0.7,
            "origin": "modeled",
            "reason": "entry",
        }
        for leg in condor_legs()
    ]


def make_trades(opened: pd.Timestamp) -> pd.DataFrame:
    fills = {2550.0: 3.0, 2600.0: 5.5, 2700.0: 4.0, 2750.0: 1.5}  # net credit 5.0
    return pd.DataFrame(condor_open_rows("IC-1", opened, fills))


def metrics() -> dict[str, object]:
    return {
        "cagr": 0.081,
        "irr": 0.079,
        "sharpe": 1.21,
        "max_drawdown": -0.043,
        "alpha": 0.02,
        "beta": 0.11,
        "credit_to_hedge_ratio": 1.35,
        "credit_to_hedge_premium_ratio": 2.4,
        "pnl_by_component": {
            "condor": 5200.0,
            "hedge:core": -1200.0,
            "hedge:tail": -195.0,
            "interest": 156.0,
            "costs": -52.0,
        },
        "stress_windows": [
            {
                "window": "2018-02 Volmageddon",
                "start": "2018-02-02",
                "end": "2018-02-09",
                "strategy": -0.021,
                "spx": -0.089,
            },
        ],
        "event_study": {"FOMC": {"n": 2, "pnl": 12.5}},
    }


def provenance() -> dict[str, Provenance]:
    return {
        "spx_close": Provenance(
            "spx_close", "cboe", "resource:spx.csv", "2024-01-01T00:00:00Z", "real"
        ),
        "vix": Provenance("vix", "cboe", "resource:vix.csv", "2024-01-01T00:00:00Z", "real"),
        "spx_options": Provenance(
            "spx_options",
            "model",
            "vixshield.markets",
            "2024-01-01T00:00:00Z",
            "modeled",
            "BSM on a VIX-implied smile",
        ),
    }


CYCLE_COLUMNS = [
    "position_id",
    "opened",
    "closed",
    "contracts",
    "credit",
    "hedge_cost",
    "costs",
    "pnl",
    "credit_to_hedge",
    "exit_reason",
]
"""`vixshield.backtest.frame.CYCLE_COLUMNS`, spelled out so the fakes do not depend on it."""


def make_cycles(spans: tuple[tuple[str, pd.Timestamp, pd.Timestamp], ...]) -> pd.DataFrame:
    """Closed condor cycles of the `make_trades` condor (2 lots, 5.00 credit): one per span.

    The engine records a cycle only when the condor is fully closed, so a run whose
    condor is still open has none.
    """
    rows = [
        {
            "position_id": pid,
            "opened": a,
            "closed": b,
            "contracts": 2,
            "credit": 1000.0,
            "hedge_cost": 740.0,
            "costs": 8.0,
            "pnl": 310.0,
            "credit_to_hedge": 1000.0 / 740.0,
            "exit_reason": "take_profit",
        }
        for pid, a, b in spans
    ]
    return pd.DataFrame(rows, columns=CYCLE_COLUMNS)


def make_result(
    *, n: int = 40, policy: str = "alvh-442", open_condor: bool = True
) -> BacktestResult:
    daily = make_daily(n)
    opened = daily.index[n // 2]
    held = positions(opened) if open_condor else ()
    return BacktestResult(
        policy_name=policy,
        start=daily.index[0],
        end=daily.index[-1],
        capital=CAPITAL,
        daily=daily,
        trades=make_trades(opened),
        cycles=make_cycles(() if open_condor else (("IC-1", opened, daily.index[-1]),)),
        metrics=metrics(),
        provenance=provenance(),
        last_decision=None,
        open_positions=held,
        warnings=("vix9d missing before 2011-01-03",),
    )


def make_market(daily: pd.DataFrame) -> MarketData:
    """MarketData over the same days as a fake daily frame."""
    frame = pd.DataFrame(np.nan, index=daily.index, columns=list(DAILY_COLUMNS), dtype="float64")
    frame["spx_close"] = daily["spx"].to_numpy()
    frame["vix"] = daily["vix"].to_numpy()
    frame["rate"] = daily["rate"].to_numpy()
    vx = pd.DataFrame({"date": pd.DatetimeIndex([]), "expiry": pd.DatetimeIndex([]), "settle": []})
    events = pd.DataFrame({"date": pd.DatetimeIndex([]), "kind": [], "label": [], "value": []})
    return MarketData(daily=frame, vx=vx, events=events, provenance=provenance())


def make_decision(date: pd.Timestamp) -> Decision:
    legs = condor_legs(pd.Timestamp("2018-04-20"))
    return Decision(
        date=date,
        regime="normal",
        regime_inputs={"vix": 17.5, "term_slope": 0.08, "vvix": "missing"},
        orders=(
            Order("open", "condor", legs, 2, "regime normal: open 16-delta condor"),
            Order("close", "condor", condor_legs(), 2, "take profit at 50%", position_id="IC-1"),
            Order("open", "hedge:core", (vix_call_leg(22.0),), 5, "core layer below target"),
        ),
        audit=(
            RuleFired("regime", {"vix": 17.5}, "normal"),
            RuleFired("condor.entry", {"dte": 45.0}, "open"),
        ),
        details={
            "condor": {
                "expiry": "2018-04-20",
                "strikes": [2550.0, 2600.0, 2700.0, 2750.0],
                "contracts": 2,
                "credit": 980.0,
                "max_loss": 9020.0,
                "break_evens": [2595.1, 2704.9],
                "probability_of_profit": 0.71,
                "greeks": {"delta": -0.8, "gamma": -0.02, "vega": -310.0, "theta": 42.0},
            },
            "hedge_layers": {
                "core": {"target": 15, "held": 10, "order": 5},
                "tail": {"target": 4, "held": 4, "order": 0},
            },
            "events": [{"date": "2018-03-21", "kind": "FOMC", "label": "FOMC 2018-03"}],
            "credit_to_hedge": 1.32,
            "notes": "hand-made",
        },
    )


def on_trading_days(result: BacktestResult, days: pd.DatetimeIndex) -> BacktestResult:
    """``result`` with its daily rows cut to ``days`` (the fakes' weekdays include holidays)."""
    daily = result.daily[result.daily.index.isin(days)]
    fields = {**result.__dict__, "daily": daily, "start": daily.index[0], "end": daily.index[-1]}
    return BacktestResult(**fields)
