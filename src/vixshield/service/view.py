"""The condensed daily view: order tickets first, in plain text of at most 80 columns.

The audit trail and the strategy's details follow only with ``--verbose``
(`vixshield.report.signal_view.print_signal`). The same text is the body of the
notifications.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence

__all__ = ["WIDTH", "daily_subject", "daily_text", "stale_text"]

WIDTH = 80


def _money(x: object) -> str:
    if isinstance(x, int | float) and math.isfinite(x):
        return f"{x:,.0f}"
    return str(x)


def _px(x: object) -> str:
    if isinstance(x, int | float) and math.isfinite(x):
        return f"{x:.2f}"
    return "-"


def _ticket_lines(order_id: str, t: Mapping[str, object]) -> list[str]:
    kind = f"hedge:{t.get('layer')}" if t.get("layer") else str(t.get("kind"))
    target = f" pos {t['position_id']}" if t.get("position_id") else ""
    head = (
        f"ORDER {order_id}  {t.get('action')} {kind}{target} x{t.get('contracts')}  "
        f"{str(t.get('direction')).upper()} limit {_px(t.get('limit'))} "
        f"worst {_px(t.get('worst'))}"
    )
    lines = [head[:WIDTH]]
    legs = t.get("legs")
    for leg in legs if isinstance(legs, list) else []:
        if isinstance(leg, Mapping):
            lines.append(
                f"  {leg.get('verb'):<3} {leg.get('quantity'):>4} {leg.get('symbol')}  "
                f"bid {_px(leg.get('bid')):>6} ask {_px(leg.get('ask')):>6} "
                f"mid {_px(leg.get('mid')):>6} {leg.get('origin')}"
            )
    risk = [f"mid {_px(t.get('mid'))} tick {_px(t.get('tick'))}"]
    if t.get("max_loss") is not None:
        risk.append(f"max loss {_money(t.get('max_loss'))}")
    risk.append(f"buying power {_money(t.get('buying_power'))}")
    lines.append("  " + "  ".join(risk))
    if t.get("take_profit") is not None:
        lines.append(
            f"  take profit at {_px(t.get('take_profit'))} debit  stop at "
            f"{_px(t.get('stop'))} debit  exit by {t.get('exit_date')}"
        )
    lines.append(f"  prices {t.get('prices')}; {t.get('reason')!s}"[:WIDTH])
    return lines


def daily_subject(doc: Mapping[str, object]) -> str:
    """A notification subject: the date and what to do."""
    tickets = doc.get("tickets")
    n = len(tickets) if isinstance(tickets, list) else 0
    what = f"{n} order(s)" if n else "no orders"
    return f"VixShield {doc.get('date')}: {what}"


def daily_text(doc: Mapping[str, object]) -> str:
    """The condensed view of a recorded daily signal (module docstring)."""
    account = doc.get("account") if isinstance(doc.get("account"), Mapping) else {}
    assert isinstance(account, Mapping)
    regime = doc.get("regime") if isinstance(doc.get("regime"), Mapping) else {}
    assert isinstance(regime, Mapping)
    lines = [
        f"VixShield daily {doc.get('date')}  policy {doc.get('policy')}  "
        f"account {account.get('name')}",
        f"regime {regime.get('name')}  equity {_money(account.get('equity'))}  "
        f"cash {_money(account.get('cash'))}  margin {_money(account.get('margin'))}",
    ]
    tickets = doc.get("tickets")
    ids = doc.get("order_ids")
    tickets = tickets if isinstance(tickets, list) else []
    ids = ids if isinstance(ids, list) else []
    if not tickets:
        lines.append("No orders today.")
        if doc.get("condor_reason"):
            lines.append(f"No condor: {doc.get('condor_reason')}"[:WIDTH])
    origins = set()
    for i, t in enumerate(tickets):
        if isinstance(t, Mapping):
            origins.add(t.get("prices"))
            lines += _ticket_lines(str(ids[i]) if i < len(ids) else f"#{i + 1}", t)
            if t.get("prices_note"):
                lines += textwrap.wrap(f"  {t.get('prices_note')}", WIDTH, subsequent_indent="  ")
    if origins:
        if origins == {"real"}:
            shown = "real (every leg from the day's quotes)"
        elif "modeled" in origins and len(origins) == 1:
            shown = "modeled (no real quote for any leg)"
        else:
            shown = "mixed (real where quoted, modeled elsewhere: see each ticket)"
        lines.append(f"Prices in these tickets: {shown}")
    settled = doc.get("settled")
    for s in settled if isinstance(settled, list) else []:
        if isinstance(s, Mapping):
            lines.append(
                f"settled {s.get('leg')} at {_px(s.get('value'))} ({s.get('origin')}): "
                f"{_money(s.get('cash'))} USD"
            )
    greeks = doc.get("book_greeks")
    if isinstance(greeks, Mapping) and greeks:
        lines.append("book after orders (delta USD/pt, vega USD/vol pt, theta USD/day):")
        for u, g in sorted(greeks.items()):
            if isinstance(g, Mapping):
                lines.append(
                    f"  {u}: delta {_money(g.get('delta'))} gamma {_px(g.get('gamma'))} "
                    f"vega {_money(g.get('vega'))} theta {_money(g.get('theta'))}"
                )
    warnings = doc.get("warnings")
    for w in warnings if isinstance(warnings, list) else []:
        lines.append(f"warning: {w}")
    if tickets:
        lines.append("Report each fill: vixshield journal fill ORDER_ID --price P")
    return "\n".join(_wrap(line) for line in lines) + "\n"


def _wrap(line: str) -> str:
    """Break ``line`` at spaces so that no piece exceeds `WIDTH` columns."""
    if len(line) <= WIDTH:
        return line
    out: list[str] = []
    current = ""
    for word in line.split(" "):
        if current and len(current) + 1 + len(word) > WIDTH:
            out.append(current)
            current = "    " + word
        else:
            current = f"{current} {word}" if current else word
    out.append(current)
    return "\n".join(piece[:WIDTH] for piece in out)


def stale_text(reason: str, date: str) -> str:
    """The body of a stale-data refusal."""
    return "\n".join(_wrap(x) for x in (f"VixShield daily {date}: NO SIGNAL", reason)) + "\n"


def format_rows(rows: Sequence[Mapping[str, object]], columns: Sequence[str]) -> str:
    """A plain fixed-width table of ``rows`` (``journal positions``/``history``)."""
    cells = [[str(c) for c in columns]]
    for r in rows:
        cells.append(["" if r.get(c) is None else str(r.get(c)) for c in columns])
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    return (
        "\n".join(
            "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
            for row in cells
        )
        + "\n"
    )
