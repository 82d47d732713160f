"""The daily backtest loop: decide at each close, fill, mark, settle, accrue.

Spec, run and result are separate: `Backtest` holds what to run (never mutated),
`Backtest.run` returns a `BacktestResult`.

The days simulated are the trading days of ``market.data.daily`` between ``start`` and
``end`` that have an SPX close (others are skipped with a warning). Order of events on
each such day ``t`` (all at data known at ``t``):

1. Interest: idle cash of the previous close (cash minus margin, when positive)
   earns the previous close's 3-month T-bill rate (``daily["rate"]``) over the
   calendar days since then, ACT/360 (the T-bill money-market convention), when
   ``policy.account.cash_yield``. Negative idle cash is not charged.
2. Morning settlement: legs with AM settlement (SPX monthlies at the special
   opening quotation, VIX options at the SOQ) expiring on or before ``t`` settle in
   cash at ``market.settlement_value``; no spread, no commission.
3. Marks: every open leg is marked at ``t``'s close mid via ``market.quote``
   (a leg with no quote keeps its previous mark, with a warning).
4. Close settlement: PM legs (SPXW) expiring on or before ``t`` settle at the close.
5. Margin check: a margin call is recorded when equity is below the Reg-T
   requirement; on such a day the strategy's opening orders are blocked and,
   after its closing orders, condors are closed (largest requirement first) at
   the modeled fill until the requirement is within equity.
6. Decision: ``decide(t, market, positions, account, policy, state, indicators)``;
   its orders fill at ``t``'s close at the modeled price (`execution.fill_prices`)
   plus commissions and fees per contract per leg. An opening order is rejected with
   a warning when its requirement would exceed equity less the current requirement,
   or when its debit (with costs) exceeds idle cash (Reg-T: long options are paid in
   full). A closing order for ``contracts <= 0`` or more than held closes it all.
7. The day's row: equity = cash + marked value of positions, P&L by component;
   the components are checked to sum to the change in equity (an AssertionError
   otherwise: a bug, never a user error).

Hedge cost, as the strategy's credit-to-hedge rule counts it, is the premium the hedges
consumed: minus the hedge layers' P&L (spread paid and decay; negative when they
gained). Each day's is attributed to the condor cycles live that day, pro rata to their
credit, or carried to the next condor opened when none is live.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from vixshield._typing import FloatArray, Origin
from vixshield.backtest.execution import CONTRACT_MULTIPLIER, Costs, fill_prices, trade_costs
from vixshield.backtest.portfolio import Ledger, OpenPosition, reg_t_margin
from vixshield.backtest.result import BacktestResult
from vixshield.backtest.shock import Shock, shocked_prices
from vixshield.data.market import Provenance
from vixshield.errors import UserError
from vixshield.markets.types import MarketView
from vixshield.strategy.types import AccountState, Decision, Leg, Order, Position

__all__ = ["Backtest", "DecideFn", "PolicyLike"]

_DAYS_PER_YEAR_MM = 360.0  # ACT/360 money-market day count for T-bill interest


class _AccountSpec(Protocol):
    @property
    def capital(self) -> float: ...
    @property
    def cash_yield(self) -> bool: ...


class _CostSpec(Protocol):
    @property
    def commission_per_contract(self) -> float: ...
    @property
    def fees_per_contract(self) -> float: ...
    @property
    def spread_share(self) -> float: ...


class _HedgeSpec(Protocol):
    @property
    def budget_basis(self) -> str: ...


class PolicyLike(Protocol):
    """The policy attributes the engine reads (`vixshield.strategy.Policy` has them)."""

    @property
    def name(self) -> str: ...
    @property
    def account(self) -> _AccountSpec: ...
    @property
    def costs(self) -> _CostSpec: ...
    @property
    def hedge(self) -> _HedgeSpec: ...


class DecideFn(Protocol):
    """The strategy's decision function (`vixshield.strategy.decide`)."""

    def __call__(
        self,
        date: pd.Timestamp,
        market: Any,
        positions: tuple[Position, ...],
        account: AccountState,
        policy: Any,
        state: object = None,
        indicators: pd.DataFrame | None = None,
    ) -> Decision: ...


@dataclass(frozen=True, eq=False)
class Backtest:
    """A backtest specification.

    Parameters
    ----------
    policy : Policy
        Strategy policy (`vixshield.strategy.load_policy`).
    market : MarketView
        Markets layer over the data (`vixshield.markets.Markets`).
    start, end : date-like, optional
        First and last day simulated. Default start: the first day with a VIX close (the
        strategy needs VIX; before it the markets layer only has a realised-vol stand-in);
        default end: the last day of the data.
    capital : float, optional
        Starting equity in dollars (default ``policy.account.capital``).
    decide : callable, optional
        Decision function (default `vixshield.strategy.decide`); tests pass scripted ones.
    indicators : DataFrame, optional
        Precomputed indicators (default ``compute_indicators(market.data, policy)`` when
        ``decide`` is the default one, else None).
    shock : Shock
        Scenario for the liquidity (quick) ratio.
    """

    policy: PolicyLike
    market: MarketView
    start: pd.Timestamp | str | None = None
    end: pd.Timestamp | str | None = None
    capital: float | None = None
    decide: DecideFn | None = None
    indicators: pd.DataFrame | None = None
    shock: Shock = field(default_factory=Shock)

    def run(self, progress: Callable[[int, int], None] | None = None) -> BacktestResult:
        """Simulate every trading day in the data between ``start`` and ``end``.

        Parameters
        ----------
        progress : callable, optional
            Called as ``progress(done, total)`` after each day.

        Returns
        -------
        BacktestResult
        """
        return _Run(self).execute(progress)


def _default_strategy(policy: PolicyLike, market: MarketView) -> tuple[DecideFn, pd.DataFrame]:
    """`vixshield.strategy.decide` and the run's precomputed indicators."""
    from vixshield.strategy import Policy, compute_indicators, decide

    if not isinstance(policy, Policy):
        raise UserError("the default strategy needs a vixshield.strategy.Policy (load_policy)")
    return decide, compute_indicators(market.data, policy)


class _Run:
    """State of one run (private; created and discarded by `Backtest.run`)."""

    def __init__(self, spec: Backtest) -> None:
        self.spec = spec
        self.market = spec.market
        policy = spec.policy
        self.costs = Costs(
            float(policy.costs.commission_per_contract),
            float(policy.costs.fees_per_contract),
            float(policy.costs.spread_share),
        )
        self.cash_yield = bool(policy.account.cash_yield)
        self.capital = float(spec.capital if spec.capital is not None else policy.account.capital)
        if not np.isfinite(self.capital) or self.capital <= 0:
            raise UserError(f"capital must be a positive number of dollars, got {self.capital}")
        self.indicators: pd.DataFrame | None
        self.decide: DecideFn
        if spec.decide is None:
            self.decide, self.indicators = _default_strategy(policy, self.market)
        else:
            self.decide, self.indicators = spec.decide, spec.indicators
        if spec.indicators is not None:
            self.indicators = spec.indicators
        self.ledger = Ledger(cash=self.capital)
        self.trades: list[dict[str, object]] = []
        self.cycles: list[dict[str, object]] = []
        self._warn: dict[str, tuple[int, pd.Timestamp]] = {}
        self._next_id = 0
        self.origins: dict[str, set[str]] = {}
        self.pending_hedge_cost = 0.0
        self._finished_today: list[tuple[dict[str, object], float]] = []
        self.today_credit = 0.0
        self.today_hedge = 0.0
        self._spot: dict[str, float] = {"SPX": 0.0, "VIX": 0.0}

    # -- helpers ---------------------------------------------------------------------------
    def warn(self, message: str, date: pd.Timestamp) -> None:
        count, first = self._warn.get(message, (0, date))
        self._warn[message] = (count + 1, first)

    def _quote(
        self, t: pd.Timestamp, legs: Sequence[Leg]
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, list[str]]:
        """Bid, ask, mid, iv, t_years, forward per leg, and the origin per leg."""
        n = len(legs)
        out = np.full((6, n), np.nan)
        origin = ["modeled"] * n
        by_und: dict[str, list[int]] = {}
        for i, lg in enumerate(legs):
            by_und.setdefault(lg.underlying, []).append(i)
        for und, idx in by_und.items():
            qb = self.market.quote(
                t,
                und,  # type: ignore[arg-type]
                [legs[i].expiry for i in idx],
                np.array([legs[i].strike for i in idx], dtype=np.float64),
                [legs[i].right for i in idx],
            )
            for row, arr in enumerate((qb.bid, qb.ask, qb.mid, qb.iv, qb.t_years, qb.forward)):
                out[row, idx] = np.asarray(arr, dtype=np.float64)
            self.origins.setdefault(und, set()).add(qb.origin)
            for i in idx:
                origin[i] = qb.origin
        return out[0], out[1], out[2], out[3], out[4], out[5], origin

    def _trade_rows(
        self,
        t: pd.Timestamp,
        pos: Position,
        action: str,
        contracts: int,
        mid: FloatArray,
        fill: FloatArray,
        origin: Sequence[str],
        commission: float,
        fees: float,
        reason: str,
        sign: float,
    ) -> None:
        """One trade row per leg; ``sign`` +1 for opening, -1 for closing/settling."""
        n = len(pos.legs)
        for i, lg in enumerate(pos.legs):
            qty = sign * lg.ratio * contracts
            self.trades.append(
                {
                    "date": t,
                    "position_id": pos.id,
                    "kind": pos.kind,
                    "action": action,
                    "contracts": int(qty),
                    "root": lg.root,
                    "expiry": lg.expiry,
                    "strike": float(lg.strike),
                    "right": lg.right,
                    "ratio": int(lg.ratio),
                    "mid": float(mid[i]),
                    "fill": float(fill[i]),
                    "cash_flow": float(-qty * fill[i] * CONTRACT_MULTIPLIER),
                    "commission": commission / n,
                    "fees": fees / n,
                    "origin": origin[i],
                    "reason": reason,
                }
            )

    def _finish(self, op: OpenPosition, t: pd.Timestamp, reason: str) -> None:
        """Record a condor cycle when its position is fully closed."""
        if op.position.kind != "condor":
            return
        row: dict[str, object] = {
            "position_id": op.position.id,
            "opened": op.position.opened,
            "closed": t,
            "contracts": int(op.position.meta.get("_contracts0", 0) or 0),
            "credit": op.credit,
            "hedge_cost": op.hedge_cost,
            "costs": op.costs,
            "pnl": op.cash_flows - op.costs,
            "exit_reason": reason,
        }
        self.cycles.append(row)
        self._finished_today.append((row, op.credit))

    def _attribute_hedge_cost(self) -> None:
        """Split the day's hedge cost over the condor cycles live that day, by credit.

        The day's hedge cost is minus the hedge layers' P&L (premium consumed: spread
        and decay; negative when the hedges gained). It goes to the condors open at the
        close or closed that day, pro rata to their credit; with none, it is carried to
        the next condor opened.
        """
        cost = -sum(v for k, v in self.ledger.today.items() if k.startswith("pnl_hedge"))
        if cost == 0.0:
            return
        live: list[tuple[object, float]] = [
            (p, p.credit) for p in self.ledger.positions.values() if p.position.kind == "condor"
        ]
        live += [(row, credit) for row, credit in self._finished_today]
        if not live:
            self.pending_hedge_cost += cost
            return
        w = np.array([max(c, 0.0) for _, c in live])
        w = w / w.sum() if w.sum() > 0 else np.full(len(live), 1.0 / len(live))
        for (target, _), share in zip(live, w, strict=True):
            if isinstance(target, OpenPosition):
                target.hedge_cost += cost * float(share)
            else:
                row = target  # a cycle closed today
                assert isinstance(row, dict)
                row["hedge_cost"] = float(row["hedge_cost"]) + cost * float(share)

    # -- settlement ------------------------------------------------------------------------
    def _settle(self, t: pd.Timestamp, session: str, spot: Mapping[str, float]) -> None:
        day = t.value // 86_400_000_000_000  # whole days since 1970-01-01
        for pid in list(self.ledger.positions):
            op = self.ledger.positions[pid]
            legs = op.position.legs
            exp = op.expiry_days
            if session == "AM":  # AM legs due today, and anything overdue (a missed expiry)
                am = np.array([lg.settlement == "AM" for lg in legs], dtype=bool)
                due = (am & (exp <= day)) | (exp < day)
            else:  # by the close, everything expiring on or before t settles
                due = exp <= day
            if not due.any():
                continue
            values = np.empty(len(legs))
            for i, lg in enumerate(legs):
                if not due[i]:
                    values[i] = np.nan
                    continue
                v = float(self.market.settlement_value(lg.underlying, lg.expiry, lg.root))
                if not np.isfinite(v):
                    v = spot[lg.underlying]
                    self.warn(
                        f"no settlement value for {lg.root} {lg.expiry.date()}: used the close",
                        t,
                    )
                values[i] = v
            strike = np.array([lg.strike for lg in legs])
            w = np.array([1.0 if lg.right == "C" else -1.0 for lg in legs])
            intrinsic = np.where(due, np.maximum(w * (np.nan_to_num(values) - strike), 0.0), 0.0)
            ratios = op.ratios
            cash_flow = float(
                np.dot(ratios[due], intrinsic[due]) * op.position.contracts * CONTRACT_MULTIPLIER
            )
            sub = Position(
                op.position.id,
                op.position.kind,
                tuple(lg for lg, d in zip(legs, due, strict=True) if d),
                op.position.contracts,
                op.position.opened,
                op.position.entry_price,
            )
            self._trade_rows(
                t,
                sub,
                "settle",
                op.position.contracts,
                intrinsic[due],
                intrinsic[due],
                ["real"] * int(due.sum()),
                0.0,
                0.0,
                "expiry settlement",
                -1.0,
            )
            op = self.ledger.settle_legs(pid, ~due, cash_flow)
            if pid not in self.ledger.positions:
                self._finish(op, t, "expired")

    # -- orders ----------------------------------------------------------------------------
    def _open(self, t: pd.Timestamp, order: Order) -> None:
        legs = tuple(order.legs)
        if not legs or order.contracts <= 0:
            self.warn("empty opening order ignored", t)
            return
        bid, ask, mid, iv, ty, fwd, origin = self._quote(t, legs)
        if not np.isfinite(mid).all():
            self.warn(f"no quote for a leg of an opening {order.kind} order: rejected", t)
            return
        ratios = np.array([lg.ratio for lg in legs], dtype=np.float64)
        qty = ratios * order.contracts
        fill = fill_prices(mid, bid, ask, qty, self.costs.spread_share)
        led = self.ledger
        margin_now = led.margin(self._spot)
        margin_new = reg_t_margin(legs, order.contracts, self._spot.get(legs[0].underlying, 0.0))
        if margin_new > led.equity - margin_now:
            self.warn(f"{order.kind} opening rejected: margin would exceed equity", t)
            return
        cash_flow = float(-np.dot(qty, fill) * CONTRACT_MULTIPLIER)
        commission, fees = trade_costs(self.costs, qty)
        net = cash_flow - commission - fees
        if net < 0 and -net > led.cash - margin_now:
            self.warn(f"{order.kind} opening rejected: debit exceeds idle cash (Reg-T)", t)
            return
        self._next_id += 1
        pid = f"P{self._next_id:06d}"
        pos = Position(
            pid,
            order.kind,
            legs,
            int(order.contracts),
            t,
            float(np.dot(ratios, fill)),
            {"reason": order.reason, "_contracts0": int(order.contracts)},
        )
        op = OpenPosition(pos, mid.copy(), iv, ty, fwd)
        self.ledger.open(op, cash_flow)
        self.ledger.charge(commission + fees, pid)
        self._trade_rows(
            t, pos, "open", order.contracts, mid, fill, origin, commission, fees, order.reason, 1.0
        )
        if order.kind == "condor":
            self.today_credit += cash_flow
            op.hedge_cost += self.pending_hedge_cost
            self.pending_hedge_cost = 0.0
        elif order.kind.startswith("hedge") and cash_flow < 0:
            self.today_hedge += -cash_flow

    def _close(self, t: pd.Timestamp, pid: str | None, contracts: int, reason: str) -> None:
        if pid is None or pid not in self.ledger.positions:
            self.warn(f"close order for unknown position {pid}: ignored", t)
            return
        op = self.ledger.positions[pid]
        k = min(int(contracts), op.position.contracts) if contracts > 0 else op.position.contracts
        legs = op.position.legs
        bid, ask, mid, _, _, _, origin = self._quote(t, legs)
        mid = np.where(np.isfinite(mid), mid, op.mid)
        qty = -op.ratios * k
        fill = fill_prices(mid, bid, ask, qty, self.costs.spread_share)
        cash_flow = float(-np.dot(qty, fill) * CONTRACT_MULTIPLIER)
        commission, fees = trade_costs(self.costs, qty)
        self._trade_rows(
            t, op.position, "close", k, mid, fill, origin, commission, fees, reason, -1.0
        )
        self.ledger.charge(commission + fees, pid)
        op = self.ledger.close(pid, k, cash_flow)
        if pid not in self.ledger.positions:
            self._finish(op, t, reason)

    # -- marks -----------------------------------------------------------------------------
    def _mark_all(self, t: pd.Timestamp) -> None:
        ops = list(self.ledger.positions.values())
        if not ops:
            return
        legs = [lg for op in ops for lg in op.position.legs]
        _, _, mid, iv, ty, fwd, _ = self._quote(t, legs)
        at = 0
        for op in ops:
            n = len(op.position.legs)
            m = mid[at : at + n]
            if not np.isfinite(m).all():
                self.warn("missing quote for an open leg: kept its previous mark", t)
                m = np.where(np.isfinite(m), m, op.mid)
            op.iv, op.t_years, op.forward = iv[at : at + n], ty[at : at + n], fwd[at : at + n]
            self.ledger.mark(op.position.id, m)
            at += n

    def _shock_loss(self) -> float:
        ops = list(self.ledger.positions.values())
        if not ops:
            return 0.0
        legs = [lg for op in ops for lg in op.position.legs]
        qty = np.concatenate([op.ratios * op.position.contracts for op in ops])
        mid = np.concatenate([op.mid for op in ops])
        shocked = shocked_prices(
            np.array([lg.underlying == "VIX" for lg in legs]),
            np.array([lg.right == "C" for lg in legs]),
            np.array([lg.strike for lg in legs], dtype=np.float64),
            np.concatenate([op.forward for op in ops]),
            np.concatenate([op.t_years for op in ops]),
            np.concatenate([op.iv for op in ops]),
            mid,
            self.spec.shock,
        )
        return max(float(np.dot(qty, mid - shocked)) * CONTRACT_MULTIPLIER, 0.0)

    # -- the loop --------------------------------------------------------------------------
    def execute(self, progress: Callable[[int, int], None] | None) -> BacktestResult:
        from vixshield.backtest.metrics import compute_metrics

        data = self.market.data
        daily = data.daily
        idx = daily.index
        with_vix = idx[daily["vix"].notna().to_numpy()] if "vix" in daily else idx[:0]
        default_lo = with_vix[0] if len(with_vix) else idx[0]
        lo = pd.Timestamp(self.spec.start) if self.spec.start is not None else default_lo
        hi = pd.Timestamp(self.spec.end) if self.spec.end is not None else idx[-1]
        window = (idx >= lo) & (idx <= hi)
        sel = window & daily["spx_close"].notna().to_numpy()
        days = pd.DatetimeIndex(idx[sel])
        if len(days) == 0:
            raise UserError(
                f"no trading days with an SPX close in the data between {lo.date()} and {hi.date()}"
            )
        skipped = idx[window & ~sel]
        if len(skipped):
            self.warn(
                f"{len(skipped)} trading day(s) without an SPX close not simulated",
                pd.Timestamp(skipped[0]),
            )
        spx = daily["spx_close"].to_numpy(dtype=np.float64)[sel]
        vix = daily["vix"].to_numpy(dtype=np.float64)[sel]
        rate_all = daily["rate"].ffill().to_numpy(dtype=np.float64)[sel]
        if self.cash_yield and not np.isfinite(rate_all).any():
            self.warn("no T-bill rate in the data: idle cash earned nothing", days[0])
        rate = np.nan_to_num(rate_all, nan=0.0)

        rows: dict[str, list[object]] = {
            k: []
            for k in (
                "equity",
                "cash",
                "positions_value",
                "margin",
                "regime",
                "margin_call",
                "shock_demand",
                "credit",
                "hedge_premium",
                "n_positions",
            )
        }
        comps: list[dict[str, float]] = []
        state: object = None
        decision: Decision | None = None
        prev_idle = 0.0
        prev_t: pd.Timestamp | None = None
        n = len(days)
        for i, t in enumerate(days):
            t = pd.Timestamp(t)
            led = self.ledger
            led.start_day()
            self.today_credit = self.today_hedge = 0.0
            self._finished_today = []
            s_spx = float(spx[i]) if np.isfinite(spx[i]) else 0.0
            s_vix = float(vix[i]) if np.isfinite(vix[i]) else 0.0
            self._spot = {"SPX": s_spx, "VIX": s_vix}
            if prev_t is not None and self.cash_yield and prev_idle > 0:
                dt = (t - prev_t).days
                led.accrue(prev_idle * float(rate[i - 1]) * dt / _DAYS_PER_YEAR_MM)
            self._settle(t, "AM", self._spot)
            self._mark_all(t)
            self._settle(t, "PM", self._spot)

            margin = led.margin(self._spot)
            equity = led.equity
            margin_call = equity < margin
            account = AccountState(equity=equity, cash=led.cash, margin=margin)
            decision = self.decide(
                t,
                self.market,
                led.open_positions(),
                account,
                self.spec.policy,
                state,
                self.indicators,
            )
            state = decision.state
            for order in decision.orders:
                if order.action == "close":
                    self._close(t, order.position_id, order.contracts, order.reason)
            if margin_call:
                self.warn("margin call: openings blocked, condors reduced", t)
                self._reduce(t)
            for order in decision.orders:
                if order.action == "open":
                    if margin_call:
                        continue
                    self._open(t, order)

            self._attribute_hedge_cost()
            margin = led.margin(self._spot)
            rows["equity"].append(led.equity)
            rows["cash"].append(led.cash)
            rows["positions_value"].append(led.positions_value)
            rows["margin"].append(margin)
            rows["regime"].append(decision.regime)
            rows["margin_call"].append(bool(margin_call))
            rows["shock_demand"].append(margin + self._shock_loss())
            rows["credit"].append(self.today_credit)
            rows["hedge_premium"].append(self.today_hedge)
            rows["n_positions"].append(len(led.positions))
            comps.append(dict(led.today))
            self._check_day(t, rows["equity"], comps[-1])
            prev_idle = max(led.cash - margin, 0.0)
            prev_t = t
            if progress is not None:
                progress(i + 1, n)

        frame = self._daily_frame(days, rows, comps, spx, vix, rate_all)
        trades = pd.DataFrame(self.trades, columns=_TRADE_COLUMNS)
        cycles = pd.DataFrame(self.cycles, columns=_CYCLE_COLUMNS)
        cost = cycles["hedge_cost"].astype("float64")
        cycles["credit_to_hedge"] = (cycles["credit"].astype("float64") / cost).where(
            cost > 0, np.inf
        )
        warnings = tuple(
            f"{msg} ({cnt}x, first {first.date()})" for msg, (cnt, first) in self._warn.items()
        ) + tuple(data.warnings)
        metrics = compute_metrics(frame, cycles, data.events, self.capital)
        return BacktestResult(
            policy_name=str(self.spec.policy.name),
            start=pd.Timestamp(days[0]),
            end=pd.Timestamp(days[-1]),
            capital=self.capital,
            daily=frame,
            trades=trades,
            cycles=cycles,
            metrics=metrics,
            provenance=self._provenance(),
            last_decision=decision,
            open_positions=self.ledger.open_positions(),
            warnings=warnings,
            settings=self._settings(),
        )

    def _settings(self) -> dict[str, object]:
        sh = self.spec.shock
        return {
            "capital": self.capital,
            "cash_yield": self.cash_yield,
            "interest_day_count": "ACT/360",
            "commission_per_contract": self.costs.commission_per_contract,
            "fees_per_contract": self.costs.fees_per_contract,
            "spread_share": self.costs.spread_share,
            "hedge_budget_basis": str(self.spec.policy.hedge.budget_basis),
            "margin": "Reg-T (defined risk: max loss at expiry; uncovered calls: +20% of spot)",
            "shock": {"spx_move": sh.spx_move, "vix_factor": sh.vix_factor, "vx_beta": sh.vx_beta},
        }

    def _check_day(self, t: pd.Timestamp, equity: list[object], today: dict[str, float]) -> None:
        """Invariant: the day's P&L components sum to its change in equity (else a bug)."""
        now = float(equity[-1])  # type: ignore[arg-type]
        before = float(equity[-2]) if len(equity) > 1 else self.capital  # type: ignore[arg-type]
        gap = sum(today.values()) - (now - before)
        if abs(gap) > 1e-6 * max(1.0, abs(now)):
            raise AssertionError(f"P&L attribution off by {gap:.6g} dollars on {t.date()}")

    def _reduce(self, t: pd.Timestamp) -> None:
        """Close condors, largest requirement first, until margin is within equity."""
        led = self.ledger
        while led.equity < led.margin(self._spot):
            condors = [p for p in led.positions.values() if p.position.kind == "condor"]
            if not condors:
                break
            worst = max(
                condors,
                key=lambda p: p.margin(self._spot.get("SPX", 0.0)),
            )
            self._close(t, worst.position.id, worst.position.contracts, "margin call")

    def _daily_frame(
        self,
        days: pd.DatetimeIndex,
        rows: dict[str, list[object]],
        comps: list[dict[str, float]],
        spx: FloatArray,
        vix: FloatArray,
        rate: FloatArray,
    ) -> pd.DataFrame:
        frame = pd.DataFrame(rows, index=pd.DatetimeIndex(days, name="date"))
        equity = frame["equity"].to_numpy(dtype=np.float64)
        prev = np.concatenate(([self.capital], equity[:-1]))
        frame.insert(4, "pnl", equity - prev)
        names = ["pnl_condor", *sorted(self.ledger.components - {"pnl_condor"})]
        for extra in ("pnl_interest", "pnl_costs"):
            if extra not in names:
                names.append(extra)
        fixed = {"pnl_condor", "pnl_interest", "pnl_costs"}
        hedges = sorted(c for c in names if c.startswith("pnl_hedge"))
        others = sorted(c for c in names if c not in fixed and not c.startswith("pnl_hedge"))
        names = ["pnl_condor", *hedges, *others, "pnl_interest", "pnl_costs"]
        for c in names:
            frame[c] = np.array([d.get(c, 0.0) for d in comps], dtype=np.float64)
        peak = np.maximum.accumulate(np.concatenate(([self.capital], equity)))[1:]
        frame["drawdown"] = equity / peak - 1.0
        frame["spx"] = spx
        frame["vix"] = vix
        frame["rate"] = rate
        credit = frame["credit"].rolling(252, min_periods=1).sum()
        hedge_pnl = frame[[c for c in names if c.startswith("pnl_hedge")]].sum(axis=1)
        hedge = -hedge_pnl.rolling(252, min_periods=1).sum()
        frame["credit_to_hedge"] = (credit / hedge).where(hedge > 0)
        frame["regime"] = frame["regime"].astype(object)
        frame["margin_call"] = frame["margin_call"].astype(bool)
        return frame

    def _provenance(self) -> dict[str, Provenance]:
        prov = dict(self.market.data.provenance)
        for und, origins in sorted(self.origins.items()):
            origin: Origin = "modeled" if "modeled" in origins else "real"
            prov[f"options:{und}"] = Provenance(
                series=f"options:{und}",
                provider="model" if origin == "modeled" else "market",
                source="vixshield.markets",
                fetched_at="",
                origin=origin,
                note="option quotes used for fills and marks",
            )
        return prov


_TRADE_COLUMNS = [
    "date",
    "position_id",
    "kind",
    "action",
    "contracts",
    "root",
    "expiry",
    "strike",
    "right",
    "ratio",
    "mid",
    "fill",
    "cash_flow",
    "commission",
    "fees",
    "origin",
    "reason",
]
_CYCLE_COLUMNS = [
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
