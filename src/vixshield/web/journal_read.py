"""Read the journal for the API: signals, tickets with their order state, history, equity.

Everything here reads `vixshield.service.Journal` through its public methods, except
the fills' prices, which the journal has no method for yet: `read_fills` reads its
``fills`` table (documented in `vixshield.service.journal`) over a read-only
connection. Nothing here writes.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from vixshield.service.journal import Account, Journal, JournalOrder
from vixshield.web.schemas import (
    AccountOut,
    ClosedPositionOut,
    DecisionOut,
    EquityOut,
    EquityPoint,
    EventOut,
    FillOut,
    GreeksOut,
    HistoryOut,
    SignalItem,
    SignalOut,
    TicketLegOut,
    TicketOut,
)

__all__ = [
    "decision_of",
    "equity_out",
    "history_out",
    "num",
    "read_fills",
    "recorded_signal",
    "signal_out",
    "signal_rows",
    "signals_out",
    "ticket_out",
]

CondorAction = Literal["open", "close", "hold", "none"]


def num(x: object) -> float | None:
    """``x`` as a finite float, else None (JSON has no NaN)."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        return None
    return float(x) if math.isfinite(x) else None


def _str(x: object) -> str | None:
    return None if x is None else str(x)


def signal_rows(journal: Journal, account: Account) -> list[dict[str, Any]]:
    """Every recorded signal of ``account`` (`Journal.signal` rows), oldest first."""
    dates = sorted({r["date"] for r in journal.history(account) if r["kind"] == "signal"})
    rows = [journal.signal(account, d) for d in dates]
    return [r for r in rows if r is not None]


def ticket_out(t: Mapping[str, Any], order: JournalOrder | None) -> TicketOut:
    """A ticket of a signal document with the journal's order state (None: not recorded)."""
    legs = t.get("legs")
    max_loss = t.get("max_loss")
    return TicketOut(
        order_id=None if order is None else order.id,
        status=None if order is None else order.status,
        filled=None if order is None else order.filled,
        action=str(t.get("action")),
        kind=str(t.get("kind")),
        layer=_str(t.get("layer")),
        contracts=int(t.get("contracts") or 0),
        position_id=_str(t.get("position_id")),
        direction=str(t.get("direction")),
        mid=num(t.get("mid")),
        limit=num(t.get("limit")),
        worst=num(t.get("worst")),
        tick=num(t.get("tick")),
        max_loss=max_loss if isinstance(max_loss, str) else num(max_loss),
        buying_power=num(t.get("buying_power")),
        take_profit=num(t.get("take_profit")),
        stop=num(t.get("stop")),
        exit_date=_str(t.get("exit_date")),
        prices=str(t.get("prices")),
        reason=_str(t.get("reason")),
        legs=[
            TicketLegOut(
                verb=str(leg.get("verb")),
                quantity=int(leg.get("quantity") or 0),
                symbol=str(leg.get("symbol")),
                bid=num(leg.get("bid")),
                ask=num(leg.get("ask")),
                mid=num(leg.get("mid")),
                origin=str(leg.get("origin")),
            )
            for leg in (legs if isinstance(legs, list) else [])
            if isinstance(leg, Mapping)
        ],
    )


def _condor_action(doc: Mapping[str, Any]) -> CondorAction:
    tickets = [t for t in doc.get("tickets") or () if isinstance(t, Mapping)]
    orders = [o for o in doc.get("orders") or () if isinstance(o, Mapping)]
    acts = [(str(t.get("action")), str(t.get("kind"))) for t in tickets or orders]
    if ("open", "condor") in acts:
        return "open"
    if ("close", "condor") in acts:
        return "close"
    held = [p for p in doc.get("positions") or () if isinstance(p, Mapping)]
    return "hold" if any(p.get("kind") == "condor" for p in held) else "none"


def decision_of(doc: Mapping[str, Any]) -> DecisionOut:
    """The decision of a signal document in a trader's words."""
    condor = _condor_action(doc)
    tickets = [t for t in doc.get("tickets") or () if isinstance(t, Mapping)]
    orders = [o for o in doc.get("orders") or () if isinstance(o, Mapping)]
    hedges = []
    for t in tickets or orders:
        if t.get("kind") != "hedge":
            continue
        verb = "buy" if t.get("action") == "open" else "sell to close"
        target = f" (position {t['position_id']})" if t.get("position_id") else ""
        hedges.append(
            f"{verb} {t.get('contracts')} VIX call(s), layer {t.get('layer')}{target}: "
            f"{t.get('reason')}"
        )
    reason = _str(doc.get("condor_reason"))
    head = {
        "open": "Open an iron condor",
        "close": "Close the iron condor",
        "hold": "Hold the iron condor",
        "none": "No condor",
    }[condor]
    if condor in ("hold", "none") and reason:
        head += f" ({reason})"
    hedge_part = f"; {len(hedges)} hedge order(s)" if hedges else "; no hedge change"
    return DecisionOut(
        condor=condor, condor_reason=reason, hedges=hedges, summary=head + hedge_part
    )


def _greeks(raw: object) -> dict[str, GreeksOut]:
    if not isinstance(raw, Mapping):
        return {}
    return {
        str(u): GreeksOut(
            delta=num(g.get("delta")),
            gamma=num(g.get("gamma")),
            vega=num(g.get("vega")),
            theta=num(g.get("theta")),
        )
        for u, g in raw.items()
        if isinstance(g, Mapping)
    }


def _account(raw: object) -> AccountOut | None:
    if not isinstance(raw, Mapping):
        return None
    return AccountOut(
        name=str(raw.get("name")),
        equity=num(raw.get("equity")),
        cash=num(raw.get("cash")),
        margin=num(raw.get("margin")),
    )


def signal_out(
    doc: Mapping[str, Any],
    orders: Sequence[JournalOrder | None],
    *,
    source: Literal["journal", "computed"],
    row: Mapping[str, Any] | None = None,
    extra_warnings: Sequence[str] = (),
) -> SignalOut:
    """A `SignalOut` of a signal document; ``orders`` are its tickets' journal orders."""
    tickets = [t for t in doc.get("tickets") or () if isinstance(t, Mapping)]
    padded = list(orders) + [None] * (len(tickets) - len(orders))
    regime = doc.get("regime")
    warnings = [str(w) for w in doc.get("warnings") or ()] + list(extra_warnings)
    recorded = {} if row is None else row["data_versions"]
    versions = {str(k): str(v) for k, v in recorded.items()}
    return SignalOut(
        id=None if row is None else int(row["id"]),
        date=str(doc.get("date")),
        source=source,
        policy=_str(doc.get("policy")),
        regime=_str(regime.get("name")) if isinstance(regime, Mapping) else _str(regime),
        decision=decision_of(doc),
        tickets=[ticket_out(t, o) for t, o in zip(tickets, padded, strict=False)],
        account=_account(doc.get("account")),
        book_greeks=_greeks(doc.get("book_greeks")),
        warnings=warnings,
        settled=[dict(s) for s in doc.get("settled") or () if isinstance(s, Mapping)],
        created_at=None if row is None else _str(row.get("created_at")),
        policy_hash=None if row is None else _str(row.get("policy_hash")),
        data_versions=versions,
        document=dict(doc),
    )


def recorded_signal(journal: Journal, account: Account, row: Mapping[str, Any]) -> SignalOut:
    """The `SignalOut` of a recorded signal row, its tickets joined to their orders."""
    orders = journal.orders(account, row["date"])
    return signal_out(row["doc"], orders, source="journal", row=row)


def signals_out(journal: Journal, account: Account) -> list[SignalItem]:
    """The list of issued signals."""
    out = []
    for row in signal_rows(journal, account):
        doc = row["doc"]
        regime = doc.get("regime")
        out.append(
            SignalItem(
                id=int(row["id"]),
                date=str(row["date"]),
                created_at=str(row["created_at"]),
                regime=_str(regime.get("name")) if isinstance(regime, Mapping) else None,
                orders=len(doc.get("tickets") or ()),
                condor=_condor_action(doc),
                policy_hash=str(row["policy_hash"]),
            )
        )
    return out


def read_fills(path: Path, account: Account) -> list[dict[str, Any]]:
    """The ``fills`` rows of ``account`` joined to their orders, read-only, by time."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    db = sqlite3.connect(uri, uri=True)
    db.row_factory = sqlite3.Row
    try:
        rows = db.execute(
            "SELECT f.order_id, f.position_id, f.time, f.price, f.contracts, f.fees, f.cash, "
            "o.date, o.action, o.kind, o.layer, o.direction FROM fills f "
            "JOIN orders o ON o.id = f.order_id WHERE f.account_id = ? ORDER BY f.id",
            (account.id,),
        ).fetchall()
    finally:
        db.close()
    return [dict(r) for r in rows]


def history_out(journal: Journal, account: Account) -> HistoryOut:
    """Fills, closed positions (P&L = sum of their cash flows) and every event."""
    events = journal.history(account)
    flows: dict[str, list[Mapping[str, Any]]] = {}
    for e in events:
        if e["position_id"] is not None and e["amount"] is not None:
            flows.setdefault(str(e["position_id"]), []).append(e)
    open_ids = {p.id for p in journal.positions(account)}
    closed = [
        ClosedPositionOut(
            id=p.id,
            kind=p.kind,
            layer=p.layer,
            label=p.label,
            opened=f"{p.opened:%Y-%m-%d}",
            closed=max((str(e["date"]) for e in flows.get(p.id, ())), default=None),
            entry_price=p.entry_price,
            pnl=sum(float(e["amount"]) for e in flows.get(p.id, ())),
        )
        for p in journal.positions(account, include_closed=True)
        if p.id not in open_ids
    ]
    fills = [
        FillOut(
            order_id=str(r["order_id"]),
            position_id=str(r["position_id"]),
            time=str(r["time"]),
            date=str(r["date"]),
            action=str(r["action"]),
            kind=str(r["kind"]),
            layer=_str(r["layer"]),
            direction=str(r["direction"]),
            price=float(r["price"]),
            contracts=int(r["contracts"]),
            fees=float(r["fees"]),
            cash=float(r["cash"]),
        )
        for r in read_fills(journal.path, account)
    ]
    return HistoryOut(
        account=account.name,
        fills=fills,
        closed=closed,
        events=[
            EventOut(
                date=str(e["date"]),
                kind=str(e["kind"]),
                amount=num(e["amount"]),
                position_id=_str(e["position_id"]),
                note=str(e["note"]),
            )
            for e in events
        ],
    )


def equity_out(journal: Journal, account: Account) -> EquityOut:
    """The account's equity, cash and margin at each recorded signal (dollars)."""
    points = []
    for row in signal_rows(journal, account):
        acct = row["doc"].get("account")
        if not isinstance(acct, Mapping):
            continue
        equity, cash, margin = (num(acct.get(k)) for k in ("equity", "cash", "margin"))
        if equity is None or cash is None or margin is None:
            continue
        points.append(EquityPoint(date=str(row["date"]), equity=equity, cash=cash, margin=margin))
    return EquityOut(account=account.name, capital=account.capital, points=points)
