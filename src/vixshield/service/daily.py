"""One daily run after the close: settle, check freshness, decide, ticket, record.

`run_daily` is the whole of ``vixshield daily`` below the command line:

1. The session decided: the last NYSE session on or before ``--date`` (default: today
   in New York, the previous session before 16:15 ET, when the close is not yet in).
2. Freshness: SPX and VIX must have a close on that session, else `StaleInputs` (the
   command exits 3 with the reason); optional inputs (VIX3M, VIX9D, VVIX, SKEW, rate)
   missing on it are warnings.
3. Legs expired on or before the session settle at their settlement values
   (`Journal.settle_expired`).
4. A signal already recorded for the session is returned as it was: a second run on
   the same date gives the same signal and records nothing.
5. The strategy state is restored by replaying the backtest **from the journal
   account's start date** (`vixshield.backtest.replay` with ``since=account.start`` and
   ``capital=account.capital``): the state then belongs to the same history the
   account's orders came from. The decision is taken on the journal's open positions
   and account (`decide_replayed`): cash from the journal, equity = cash + positions
   at mid, margin by Reg-T (`vixshield.backtest.portfolio.reg_t_margin`). A journal
   position the replayed book also holds (same kind, layer, legs, open date) is given
   the replay's id while deciding, so state keyed by position id (monetised hedges)
   applies; the orders name the journal's ids.
6. Every order gets a `Ticket`, its legs quoted from the session's real chain where the
   store holds one (the Cboe delayed quotes `vixshield data fetch chain` stores per
   quote date, or imported chains), by the model otherwise: the ticket says ``prices``
   real, mixed or modeled, and a ticket not wholly real adds a warning to the run
   (`modeled_warning`), never a silent fallback. The signal, its tickets and orders are
   recorded in one transaction with the data versions and the policy hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from vixshield._json import to_jsonable
from vixshield.backtest import decide_replayed, replay
from vixshield.backtest.close_provenance import close_provenance, decision_options
from vixshield.backtest.portfolio import reg_t_margin
from vixshield.data.calendars import is_trading_day, previous_trading_day
from vixshield.errors import UserError
from vixshield.markets.costs import CONTRACT_MULTIPLIER
from vixshield.markets.types import MarketView
from vixshield.report.signal_view import build_signal
from vixshield.service.journal import Account, Journal, Settled
from vixshield.service.tickets import LegQuote, Ticket, book_greeks, build_ticket, occ_symbol
from vixshield.strategy import Policy
from vixshield.strategy.marks import quote_legs
from vixshield.strategy.types import AccountState, Order, Position

__all__ = [
    "OPTIONAL_INPUTS",
    "DailyResult",
    "StaleInputs",
    "decision_session",
    "modeled_warning",
    "policy_hash",
    "run_daily",
]

OPTIONAL_INPUTS: tuple[str, ...] = ("vix9d", "vix3m", "vvix", "skew", "rate")
"""Daily columns the strategy uses where present (the regime drops a missing one)."""
_CLOSE_IN = dt.time(16, 15)  # New York time after which the day's close is taken as in
_NEW_YORK = "America/New_York"


class StaleInputs(UserError):
    """SPX or VIX has no close on the session decided (``vixshield daily`` exits 3)."""


@dataclass(frozen=True)
class DailyResult:
    """What one run did.

    ``status`` "recorded" for a new signal, "repeat" for one recorded by an earlier run
    of the same session (nothing written). ``doc`` is the signal document as recorded,
    its ``"tickets"`` key the order tickets (`Ticket.as_dict`) and ``"order_ids"`` the
    journal's ids to report fills against.
    """

    session: pd.Timestamp
    status: Literal["recorded", "repeat"]
    doc: Mapping[str, Any]
    settled: tuple[Settled, ...]
    warnings: tuple[str, ...]

    @property
    def has_orders(self) -> bool:
        """True where the signal has at least one order."""
        return bool(self.doc.get("tickets"))


def decision_session(date: pd.Timestamp | None, now: dt.datetime | None = None) -> pd.Timestamp:
    """The session decided: the last NYSE session on or before ``date``.

    Without ``date``: today in New York once it is past 16:15 ET on a session, else the
    previous session (``now`` defaults to the clock, UTC).
    """
    if date is None:
        clock = now or dt.datetime.now(dt.UTC)
        ny = pd.Timestamp(clock).tz_convert(_NEW_YORK)
        day = pd.Timestamp(ny.date())
        if is_trading_day(day) and ny.time() >= _CLOSE_IN:
            return day
        return previous_trading_day(day)
    day = pd.Timestamp(date).normalize()
    return day if is_trading_day(day) else previous_trading_day(day)


def _last(series: pd.Series, upto: pd.Timestamp) -> str:
    s = series.loc[:upto].dropna()
    return f"{s.index[-1]:%Y-%m-%d}" if len(s) else "never"


def check_fresh(market: MarketView, session: pd.Timestamp) -> tuple[str, ...]:
    """Raise `StaleInputs` unless SPX and VIX close on ``session``; warnings for the rest."""
    daily = market.data.daily
    stale = []
    for column, name in (("spx_close", "SPX"), ("vix", "VIX")):
        value = daily[column].get(session, np.nan) if column in daily else np.nan
        if not math.isfinite(float(value)):
            stale.append(f"{name} last close {_last(daily[column], session)}")
    if stale:
        raise StaleInputs(
            f"stale inputs: {', '.join(stale)}; the session to decide is {session:%Y-%m-%d} "
            "(the last XNYS session on or before --date): its close is not in the data yet "
            "(not published by the providers, or their fetch failed: see the warnings; "
            "`vixshield daily` fetches unless --no-fetch, `vixshield data fetch` on its own); "
            "run again later or pass --date"
        )
    warnings = []
    for column in OPTIONAL_INPUTS:
        if column in daily and daily[column].notna().any():
            value = daily[column].get(session, np.nan)
            if not math.isfinite(float(value)):
                warnings.append(
                    f"{column} has no value on {session:%Y-%m-%d} (last "
                    f"{_last(daily[column], session)}): the strategy drops it today"
                )
    rate_note = market.data.rate_warning(session)  # a modeled or carried-forward rate, said
    if rate_note is not None:
        warnings.append(rate_note)
    return tuple(warnings)


def modeled_warning(tickets: list[Ticket], session: pd.Timestamp) -> str | None:
    """The run's warning where a ticket is priced partly or wholly by the model."""
    modeled = [t for t in tickets if t.origin != "real"]
    if not modeled:
        return None
    legs = sum(q.origin != "real" for t in modeled for q in t.legs)
    return (
        f"prices: {len(modeled)} of {len(tickets)} ticket(s) priced by the model for {legs} "
        f"leg(s): no real quote stored for them on {session:%Y-%m-%d} (store the session's "
        "Cboe delayed quotes after the close with `vixshield data fetch chain`)"
    )


def policy_hash(policy: Policy) -> str:
    """sha256 of the validated policy's canonical JSON (what the journal records)."""
    return hashlib.sha256(policy.model_dump_json().encode("utf-8")).hexdigest()


def _data_versions(market: MarketView) -> dict[str, str]:
    return {k: p.data_version for k, p in sorted(market.data.provenance.items())}


def _quote_positions(
    market: MarketView, session: pd.Timestamp, positions: tuple[Position, ...]
) -> list[tuple[Position, list[LegQuote]]]:
    """Each open position with its legs' quotes at ``session`` (for marks and greeks)."""
    q = quote_legs(session, market, [leg for p in positions for leg in p.legs])
    origins = q.origins()
    out = []
    i = 0
    for p in positions:
        quotes: list[LegQuote] = []
        for leg in p.legs:
            quotes.append(
                LegQuote(
                    verb="HOLD",
                    quantity=leg.ratio * p.contracts,
                    symbol=occ_symbol(leg.root, leg.expiry, leg.right, leg.strike),
                    bid=float(q.bid[i]),
                    ask=float(q.ask[i]),
                    mid=float(q.mid[i]),
                    delta=float(q.delta[i]),
                    gamma=float(q.gamma[i]),
                    vega=float(q.vega[i]),
                    theta=float(q.theta[i]),
                    origin=origins[i],
                )
            )
            i += 1
        out.append((p, quotes))
    return out


def _account_state(
    market: MarketView,
    session: pd.Timestamp,
    cash: float,
    held: list[tuple[Position, list[LegQuote]]],
) -> AccountState:
    value = 0.0
    margin = 0.0
    daily = market.data.daily
    for p, quotes in held:
        for leg, q in zip(p.legs, quotes, strict=True):
            if not math.isfinite(q.mid):
                raise UserError(
                    f"position {p.id}: no quote for {q.symbol.strip()} on {session:%Y-%m-%d}"
                )
            value += CONTRACT_MULTIPLIER * leg.ratio * p.contracts * q.mid
        spot_col = "spx_close" if p.legs and p.legs[0].underlying == "SPX" else "vix"
        spot = float(daily[spot_col].get(session, np.nan))
        margin += reg_t_margin(p.legs, p.contracts, spot if math.isfinite(spot) else 0.0)
    return AccountState(equity=cash + value, cash=cash, margin=margin)


def _key(p: Position | Order, opened: pd.Timestamp) -> tuple[object, ...]:
    legs = tuple(
        (lg.root, f"{lg.expiry:%Y-%m-%d}", round(lg.strike, 6), lg.right, lg.ratio) for lg in p.legs
    )
    return (p.kind, p.layer, f"{opened:%Y-%m-%d}", legs)


def _match_ids(journal: tuple[Position, ...], replayed: tuple[Position, ...]) -> dict[str, str]:
    """Journal id -> replayed id for positions both books hold (module docstring, step 5)."""
    pool: dict[tuple[object, ...], list[str]] = {}
    for p in replayed:
        pool.setdefault(_key(p, p.opened), []).append(p.id)
    out = {}
    for p in journal:
        ids = pool.get(_key(p, p.opened))
        if ids:
            out[p.id] = ids.pop(0)
    return out


def run_daily(
    journal: Journal,
    account: Account,
    policy: Policy,
    market: MarketView,
    date: pd.Timestamp | None = None,
    *,
    now: dt.datetime | None = None,
) -> DailyResult:
    """Run the service for one session (module docstring). Raises `StaleInputs`."""
    session = decision_session(date, now)
    if session < account.start:
        raise UserError(
            f"--date {session:%Y-%m-%d} is before the account's start {account.start:%Y-%m-%d}"
        )
    warnings = list(check_fresh(market, session))
    settled = journal.settle_expired(account, session, market.settlement)
    recorded = journal.signal(account, session)
    if recorded is not None:
        ids = [o.id for o in journal.orders(account, session)]
        doc = {**recorded["doc"], "order_ids": ids, "signal_id": recorded["id"]}
        return DailyResult(session, "repeat", doc, settled, tuple(warnings))
    positions = journal.positions(account)
    held = _quote_positions(market, session, positions)
    state = _account_state(market, session, journal.cash(account), held)
    rep = replay(policy, market, session, since=account.start, capital=account.capital)
    to_replay = _match_ids(positions, rep.positions)
    back = {v: k for k, v in to_replay.items()}
    renamed = tuple(replace(p, id=to_replay.get(p.id, p.id)) for p in positions)
    decision = decide_replayed(rep, policy, market, renamed, state)
    orders = tuple(
        replace(o, position_id=back.get(o.position_id, o.position_id))
        if o.position_id is not None
        else o
        for o in decision.orders
    )
    decision = replace(decision, orders=orders)
    by_id = {p.id: p for p in positions}
    tickets: list[Ticket] = [build_ticket(o, market, session, policy, by_id) for o in orders]
    doc = build_signal(
        decision,
        positions,
        policy.name,
        {"since": rep.since, "positions": "journal", "account": account.name},
        close_provenance(market, session, decision_options(decision, positions)),
    )
    modeled = modeled_warning(tickets, session)
    if modeled is not None:
        warnings.append(modeled)
    free = state.equity - state.margin
    needed = sum(max(t.buying_power, 0.0) for t in tickets)
    if needed > free:
        warnings.append(
            f"margin: the orders need {needed:,.0f} USD of buying power, "
            f"{free:,.0f} USD is free (equity {state.equity:,.0f}, margin {state.margin:,.0f})"
        )
    doc = {
        **doc,
        "tickets": [t.as_dict() for t in tickets],
        "account": {
            "name": account.name,
            "equity": state.equity,
            "cash": state.cash,
            "margin": state.margin,
        },
        "book_greeks": book_greeks(tickets, held),
        "settled": [
            {
                "position_id": s.position_id,
                "leg": occ_symbol(s.leg.root, s.leg.expiry, s.leg.right, s.leg.strike),
                "value": s.value,
                "origin": s.origin,
                "cash": s.cash,
            }
            for s in settled
        ],
        "warnings": warnings,
    }
    plain = to_jsonable(doc)
    assert isinstance(plain, dict)
    costs = policy.costs
    signal_id, order_ids = journal.record_signal(
        account,
        session,
        plain,
        list(zip(orders, plain["tickets"], strict=True)),
        data_versions=_data_versions(market),
        policy_hash=policy_hash(policy),
        state=to_jsonable(decision.state) if decision.state is not None else None,  # type: ignore[arg-type]
        fees_per_contract=costs.commission_per_contract + costs.fees_per_contract,
    )
    stored = journal.signal(account, session)
    assert stored is not None
    doc_out = {**stored["doc"], "order_ids": list(order_ids), "signal_id": signal_id}
    return DailyResult(session, "recorded", doc_out, settled, tuple(warnings))
