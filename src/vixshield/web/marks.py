"""What the API asks of the market: position marks, a signal computed for a date, origins.

Marks use the markets layer's own quotes (`MarketView.quote`, the surface the backtest
and the daily service price on), at one close: a position's value is
``100 x contracts x sum(ratio x mid)`` dollars and its P&L ``100 x contracts x (mark -
entry)`` with both per unit in index points (< 0 a credit). Greeks are summed the way
`vixshield.service.tickets.book_greeks` sums them (x100 per contract).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from vixshield import api
from vixshield._json import to_jsonable
from vixshield.errors import UserError
from vixshield.markets.costs import CONTRACT_MULTIPLIER
from vixshield.markets.types import MarketView
from vixshield.service.journal import Account, Journal
from vixshield.service.tickets import build_ticket, occ_symbol
from vixshield.strategy.marks import quote_legs
from vixshield.strategy.policy import load_policy
from vixshield.strategy.types import Leg, Position
from vixshield.web.journal_read import num, signal_out
from vixshield.web.schemas import (
    GreeksOut,
    MarkedLegOut,
    Origin,
    PositionOut,
    PositionsOut,
    ProvenanceOut,
    SeriesOrigin,
    SignalOut,
    TicketOrigin,
)

__all__ = [
    "check_day",
    "computed_signal",
    "mark_position",
    "mark_position_unmarked",
    "positions_out",
    "provenance_out",
]

_GREEKS = ("delta", "gamma", "vega", "theta")
_QUOTED = ("bid", "ask", "mid", *_GREEKS)
"""The per-leg quote fields of `MarkedLegOut` (None where a leg has no quote)."""


def _leg_out(lg: Leg, origin: Origin, quoted: Mapping[str, float | None]) -> MarkedLegOut:
    """A leg with its quote fields (``_QUOTED``; None: not quoted) and their origin."""
    return MarkedLegOut(
        symbol=occ_symbol(lg.root, lg.expiry, lg.right, lg.strike),
        underlying=lg.underlying,
        expiry=f"{lg.expiry:%Y-%m-%d}",
        strike=lg.strike,
        right=lg.right,
        ratio=lg.ratio,
        origin=origin,
        **quoted,
    )


def _combine(origins: Sequence[str]) -> Origin:
    kinds = set(origins)
    if not kinds:
        return "missing"
    if kinds == {"real"}:
        return "real"
    if kinds == {"modeled"}:
        return "modeled"
    if kinds == {"missing"}:
        return "missing"
    return "mixed"


def mark_position(
    market: MarketView, day: pd.Timestamp, p: Position
) -> tuple[PositionOut, list[str]]:
    """``p`` marked at ``day``'s close, and the problems (legs without a quote)."""
    legs: list[MarkedLegOut] = []
    problems: list[str] = []
    greeks = dict.fromkeys(_GREEKS, 0.0)
    mark = 0.0
    complete = True
    live = [i for i, lg in enumerate(p.legs) if lg.expiry >= day]
    quoted = quote_legs(day, market, [p.legs[i] for i in live]) if live else None
    row = {leg_index: k for k, leg_index in enumerate(live)}
    for i, lg in enumerate(p.legs):
        symbol = occ_symbol(lg.root, lg.expiry, lg.right, lg.strike)
        k = row.get(i)
        q: dict[str, float | None] = dict.fromkeys(_QUOTED)
        origin: Origin = "missing"
        if k is None or quoted is None:
            problems.append(f"position {p.id}: {symbol.strip()} expired before {day:%Y-%m-%d}")
        else:
            q = {f: num(float(getattr(quoted, f)[k])) for f in q}
            if q["mid"] is None:
                problems.append(f"position {p.id}: no quote for {symbol.strip()} on {day:%Y-%m-%d}")
            else:
                origin = quoted.origins()[k]
        mid = q["mid"]
        if mid is None:
            complete = False
        else:
            mark += lg.ratio * mid
        for g in _GREEKS:
            v = q[g]
            if v is not None:
                greeks[g] += lg.ratio * p.contracts * v * CONTRACT_MULTIPLIER
        legs.append(_leg_out(lg, origin, q))
    units = CONTRACT_MULTIPLIER * p.contracts
    out = PositionOut(
        id=p.id,
        kind=p.kind,
        layer=p.layer,
        label=p.label,
        contracts=p.contracts,
        opened=f"{p.opened:%Y-%m-%d}",
        entry_price=p.entry_price,
        mark=mark if complete else None,
        value=units * mark if complete else None,
        pnl=units * (mark - p.entry_price) if complete else None,
        greeks=GreeksOut(**greeks) if complete else None,
        origin=_combine([leg.origin for leg in legs]),
        legs=legs,
    )
    return out, problems


def positions_out(
    journal: Journal, account: Account, market: MarketView | None, day: pd.Timestamp | None
) -> PositionsOut:
    """The open positions of ``account`` marked at ``day`` (unmarked without a day)."""
    held = journal.positions(account)
    marked: list[PositionOut] = []
    problems: list[str] = []
    for p in held:
        if market is None or day is None:
            out, why = mark_position_unmarked(p), ["no signal recorded yet: nothing to mark at"]
        else:
            out, why = mark_position(market, day, p)
        marked.append(out)
        problems += [w for w in why if w not in problems]
    book: dict[str, dict[str, float]] = {}
    for p, m in zip(held, marked, strict=True):
        if m.greeks is None or not p.legs:
            continue
        g = book.setdefault(p.legs[0].underlying, dict.fromkeys(_GREEKS, 0.0))
        for name in _GREEKS:
            g[name] += getattr(m.greeks, name) or 0.0
    complete = all(m.value is not None for m in marked)
    return PositionsOut(
        account=account.name,
        as_of=None if day is None else f"{day:%Y-%m-%d}",
        cash=journal.cash(account),
        value=sum(m.value or 0.0 for m in marked) if complete else None,
        pnl=sum(m.pnl or 0.0 for m in marked) if complete else None,
        greeks={u: GreeksOut(**g) for u, g in sorted(book.items())},
        positions=marked,
        problems=problems,
    )


def mark_position_unmarked(p: Position) -> PositionOut:
    """``p`` with its legs and no marks (no date to mark at)."""
    return PositionOut(
        id=p.id,
        kind=p.kind,
        layer=p.layer,
        label=p.label,
        contracts=p.contracts,
        opened=f"{p.opened:%Y-%m-%d}",
        entry_price=p.entry_price,
        mark=None,
        value=None,
        pnl=None,
        greeks=None,
        origin="missing",
        legs=[_leg_out(lg, "missing", dict.fromkeys(_QUOTED)) for lg in p.legs],
    )


def computed_signal(data: api.Data, policy: str, day: pd.Timestamp) -> SignalOut:
    """The signal at ``day``'s close computed by `vixshield.api.signal` (not recorded).

    The book is the replayed backtest's (one year from ``day``), not the journal's; the
    tickets are quoted on the same market (`vixshield.service.build_ticket`).
    """
    sig = api.signal(day, policy, data)
    spec = load_policy(policy)
    by_id = {p.id: p for p in sig.positions}
    tickets = [
        build_ticket(o, data.markets, day, spec, by_id).as_dict() for o in sig.decision.orders
    ]
    doc = to_jsonable({**sig.document, "tickets": tickets})
    assert isinstance(doc, dict)
    note = (
        f"computed for {day:%Y-%m-%d} on a book replayed from {sig.since:%Y-%m-%d} "
        "(not the journal's positions); not recorded"
    )
    return signal_out(doc, [], source="computed", extra_warnings=[note])


def _missing_inputs(doc: Mapping[str, Any]) -> list[str]:
    regime = doc.get("regime")
    inputs = regime.get("inputs") if isinstance(regime, Mapping) else None
    if not isinstance(inputs, Mapping):
        return []
    return sorted(
        str(k)
        for k, v in inputs.items()
        if v is None or v == "missing" or (isinstance(v, float) and not math.isfinite(v))
    )


def _close_inputs(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The signal document's per-close input origins (``provenance.inputs``); empty for a
    signal recorded before the document carried them."""
    prov = document.get("provenance")
    inputs = prov.get("inputs") if isinstance(prov, Mapping) else None
    if not isinstance(inputs, Mapping):
        return {}
    return {str(k): v for k, v in inputs.items() if isinstance(v, Mapping)}


def provenance_out(
    signal: SignalOut,
    provenance: Mapping[str, Any] | None,
    data_source: str,
    data_last_day: str | None = None,
) -> ProvenanceOut:
    """Real against modeled for ``signal``: its tickets' quotes and the data's series.

    A series the signal document records for its close (``provenance.inputs``,
    `vixshield.backtest.close_provenance`) is shown as recorded there: the origin of that
    close's value (a stand-in is modeled), not of the series at large.

    ``provenance`` is the opened data's `MarketData.provenance` (series -> `Provenance`),
    None where the data could not be opened (then only the tickets and the recorded
    versions are known); ``data_last_day`` the data's last day with SPX and VIX closes.
    """
    tickets = [
        TicketOrigin(
            order_id=t.order_id,
            prices=t.prices,
            real_legs=sum(leg.origin == "real" for leg in t.legs),
            modeled_legs=sum(leg.origin != "real" for leg in t.legs),
        )
        for t in signal.tickets
    ]
    versions = signal.data_versions
    series: list[SeriesOrigin] = []
    close = _close_inputs(signal.document)
    for name in sorted(set(versions) | set(provenance or {}) | set(close)):
        at_close = close.get(name)
        if at_close is not None:  # the signal's own record of the close (day-level)
            series.append(
                SeriesOrigin(
                    series=name,
                    provider=str(at_close.get("provider", "")),
                    origin=str(at_close.get("origin", "unknown")),
                    version=versions.get(name),
                    note=str(at_close.get("note", "")),
                )
            )
            continue
        p = (provenance or {}).get(name)
        series.append(
            SeriesOrigin(
                series=name,
                provider=str(p.provider) if p is not None else versions[name].split("@")[0],
                origin=str(p.origin) if p is not None else "unknown",
                version=versions.get(name),
                note=str(p.note) if p is not None else "",
            )
        )
    origins = [leg.origin for t in signal.tickets for leg in t.legs]
    origins += [s.origin for s in series if s.origin in ("real", "modeled")]
    overall = _combine(origins)
    missing = _missing_inputs(signal.document)
    modeled = [s.series for s in series if s.origin == "modeled"]
    quoted = "; ".join(f"{t.order_id or 'order'} {t.prices}" for t in tickets)
    summary = (
        f"Ticket prices: {quoted or 'no orders'}. "
        f"Modeled series: {', '.join(modeled) or 'none'}. "
        f"Regime inputs missing: {', '.join(missing) or 'none'}."
    )
    if provenance is None:
        summary += " The data could not be opened: series origins unknown."
    return ProvenanceOut(
        date=signal.date,
        signal_id=signal.id,
        data_source=data_source,
        data_last_day=data_last_day,
        overall=overall,
        tickets=tickets,
        series=series,
        regime_missing=missing,
        summary=summary,
    )


def check_day(data: api.Data, day: pd.Timestamp) -> pd.Timestamp:
    """``day`` if the data has an SPX and a VIX close on it, else a `UserError`."""
    daily = data.daily
    if day not in daily.index or not (
        math.isfinite(float(daily["spx_close"].get(day, np.nan)))
        and math.isfinite(float(daily["vix"].get(day, np.nan)))
    ):
        raise UserError(
            f"date {day:%Y-%m-%d}: no SPX and VIX close in the {data.source} data "
            f"({data.first_day:%Y-%m-%d} .. {data.last_day:%Y-%m-%d}); pick a trading day"
        )
    return day
