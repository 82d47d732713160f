"""The result of a backtest run (a separate object from the spec that made it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from vixshield.data.market import Provenance
from vixshield.strategy.types import Decision, Position

__all__ = ["BacktestResult"]


@dataclass(frozen=True)
class BacktestResult:
    """Everything a run produced; reports read only this.

    Attributes
    ----------
    policy_name : str
    start, end : Timestamp
        First and last simulated trading day.
    capital : float
        Starting equity, dollars.
    daily : DataFrame
        Index ``date`` (trading days). Columns (dollars unless said): ``equity``, ``cash``,
        ``positions_value`` (marked value of open positions, signed), ``margin`` (Reg-T
        requirement), ``pnl`` (change in equity that day), ``pnl_condor``, ``pnl_hedge:<layer>``
        per hedge layer, ``pnl_interest``, ``pnl_costs`` (commissions, fees; negative),
        ``drawdown`` (fraction, <= 0), ``spx`` (index close), ``vix`` (index close), ``rate``
        (decimal), ``regime`` (str), ``credit_to_hedge`` (condor credit over hedge cost -
        minus hedge P&L - in the trailing 252 trading days, NaN where that cost <= 0),
        ``margin_call`` (bool). P&L columns sum to ``pnl`` on every day. Extra columns:
        ``shock_demand`` (margin plus the loss of a 10% SPX drop with the VIX doubling),
        ``credit`` (condor premium received that day), ``hedge_premium`` (hedge premium paid
        that day), ``n_positions``.
    trades : DataFrame
        One row per executed order leg: ``date``, ``position_id``, ``kind``, ``action``
        ("open"/"close"/"settle"), ``contracts``, ``root``, ``expiry``, ``strike``, ``right``,
        ``ratio``, ``mid``, ``fill`` (index points), ``cash_flow`` (dollars, signed),
        ``commission``, ``fees``, ``origin`` (real/modeled price), ``reason``.
    cycles : DataFrame
        One row per condor: ``opened``, ``closed``, ``credit`` (dollars received),
        ``hedge_cost`` (hedge premium consumed over the same cycle, dollars), ``pnl``
        (dollars), ``exit_reason``; also ``position_id``, ``contracts``, ``costs`` and
        ``credit_to_hedge`` (credit / hedge_cost, inf where hedge_cost <= 0).
    metrics : Mapping
        The summary metrics (see `vixshield.backtest.metrics`); JSON-serialisable.
    provenance : Mapping[str, Provenance]
        Inputs and whether each was real or modeled.
    last_decision : Decision or None
        The decision at the last simulated close.
    open_positions : tuple of Position
        Positions still open at the end.
    warnings : tuple of str
    settings : Mapping
        The run's resolved settings (capital, cost model, interest day count, hedge
        budget basis, margin rule, shock scenario); JSON-serialisable.
    """

    policy_name: str
    start: pd.Timestamp
    end: pd.Timestamp
    capital: float
    daily: pd.DataFrame
    trades: pd.DataFrame
    cycles: pd.DataFrame
    metrics: Mapping[str, object]
    provenance: Mapping[str, Provenance]
    last_decision: Decision | None = None
    open_positions: tuple[Position, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)
    settings: Mapping[str, object] = field(default_factory=dict)
