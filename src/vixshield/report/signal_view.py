"""The daily signal: a `Decision` as a stable JSON document and as a Rich view.

Signal JSON schema (``"schema": "vixshield.signal/1"``), keys sorted::

    {
      "schema": "vixshield.signal/1",
      "date": "YYYY-MM-DD",                 # the close the decision is for
      "policy": str,
      "regime": {"name": str, "inputs": {name: number | "missing"}},
      "condor": object | null,              # candidate analytics (expiry, strikes, contracts,
                                            # credit, max loss, break-evens, probability of
                                            # profit, greeks) as the strategy reports them
                                            # (details["condor"]); null when none was built
      "condor_reason": str | null,          # why no condor is opened at this close (the audit
                                            # rules that failed or blocked); null when one is
      "hedge_layers": object | array | null,# each layer's target vs holdings and orders
      "events": array | object | null,      # upcoming events (details["events"])
      "credit_to_hedge": number | object | null,
      "orders": [Order],                    # every order to place at this close
      "management": [Order],                # the orders acting on open positions (close,
                                            # roll), each with its position_id
      "positions": [Position],              # the open positions the decision was given
      "replay": object | null,              # where the strategy state came from:
                                            # {"since": "YYYY-MM-DD" (first day of the
                                            # backtest replayed to restore it),
                                            # "positions": "replayed" (the replayed book's)
                                            # or "file" (--positions)}; null when not given
      "provenance": {                       # where this close's inputs came from
        "inputs": {name: {"origin": "real" | "modeled", "provider": str,
                          "source": str, "note": str}},
                                            # the daily series (spx_close, vix, vvix, skew,
                                            # vix9d, vix3m, vix6m, rate, div_yield, breadth),
                                            # "vx" (the VX curve) and "options:<underlying>"
                                            # (the quotes behind orders, candidate, positions)
                                            # (vixshield.backtest.close_provenance)
        "modeled": [name]                   # the inputs stood in for or modeled (sorted)
      } | null,                             # null when the caller does not say
      "audit": [{"rule": str, "inputs": {...}, "outcome": str, "note": str}],
                                            # outcome: "pass", "fail", "warn" or "info";
                                            # "note" (why, in words) only when there is one
      "other": object                       # details keys not listed above
    }

``Order`` is ``{"action", "kind", "contracts", "reason", "position_id", "layer",
"legs": [Leg]}``;
``Position`` is ``{"id", "kind", "contracts", "opened", "entry_price", "meta", "layer", "legs"}``
(``kind`` "condor" or "hedge", ``layer`` the hedge's layer name, null for a condor);
``Leg`` is ``{"underlying", "root", "expiry", "settlement", "strike", "right", "ratio"}``.
Floats are rounded to 10 significant digits, NaN is ``null``
(`vixshield.report.json_out`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from vixshield.data.market import Provenance
from vixshield.report.json_out import to_jsonable
from vixshield.report.labels import fmt_value
from vixshield.strategy.types import Decision, Position

__all__ = ["DETAIL_KEYS", "SIGNAL_SCHEMA", "build_signal", "print_signal", "signal_renderable"]

SIGNAL_SCHEMA = "vixshield.signal/1"
_MAX_COLUMNS = 6  # wider row tables are shown transposed (one column per row)

DETAIL_KEYS: Mapping[str, tuple[str, ...]] = {
    "condor": ("condor", "condor_candidate", "candidate"),
    "hedge_layers": ("hedge_layers", "hedge", "hedges", "layers"),
    "events": ("events", "upcoming_events"),
    "credit_to_hedge": ("credit_to_hedge", "credit_to_hedge_ratio"),
}
"""Signal key -> the `Decision.details` keys it is read from (first present wins)."""


def build_signal(
    decision: Decision,
    positions: Sequence[Position],
    policy_name: str,
    replay: Mapping[str, object] | None = None,
    provenance: Mapping[str, Provenance] | None = None,
) -> dict[str, object]:
    """The signal document of ``decision`` (plain JSON types, schema in the module docstring).

    ``replay`` describes where the decision's strategy state came from (the ``"replay"``
    key: ``since`` and ``positions``); ``provenance`` where each input of the close came
    from (`vixshield.backtest.close_provenance.close_provenance`); None when the caller
    does not say.
    """
    details = dict(decision.details)
    used: set[str] = set()
    picked: dict[str, object] = {}
    for key, aliases in DETAIL_KEYS.items():
        picked[key] = None
        for alias in aliases:
            if alias in details:
                picked[key] = details[alias]
                used.add(alias)
                break
    orders = [to_jsonable(o) for o in decision.orders]
    management = [
        to_jsonable(o) for o in decision.orders if o.position_id is not None or o.action == "close"
    ]
    opens_condor = any(o.action == "open" and o.kind == "condor" for o in decision.orders)
    reason = (
        None
        if opens_condor
        else "; ".join(f"{r.rule}: {r.text}" for r in decision.audit if r.failed)
        or "no entry rule fired"
    )
    doc = {
        "schema": SIGNAL_SCHEMA,
        "condor_reason": reason,
        "date": decision.date,
        "policy": policy_name,
        "regime": {"name": decision.regime, "inputs": dict(decision.regime_inputs)},
        **picked,
        "orders": orders,
        "management": management,
        "positions": list(positions),
        "replay": None if replay is None else dict(replay),
        "provenance": None if provenance is None else _provenance(provenance),
        "audit": [
            {"rule": r.rule, "inputs": dict(r.inputs), "outcome": r.outcome}
            | ({"note": r.note} if r.note else {})
            for r in decision.audit
        ],
        "other": {k: v for k, v in details.items() if k not in used},
    }
    out = to_jsonable(doc)
    assert isinstance(out, dict)
    return out


def _provenance(provenance: Mapping[str, Provenance]) -> dict[str, object]:
    inputs = {
        k: {"origin": p.origin, "provider": p.provider, "source": p.source, "note": p.note}
        for k, p in provenance.items()
    }
    return {
        "inputs": inputs,
        "modeled": sorted(k for k, p in provenance.items() if p.origin != "real"),
    }


def _kv_table(title: str, mapping: Mapping[str, object]) -> Table:
    table = Table(title=title, header_style="bold", show_header=False)
    table.add_column("Key", style="bold")
    table.add_column("Value")
    for key in sorted(mapping):
        value = mapping[key]
        table.add_row(str(key), "–" if value is None else _cell(value))
    return table


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return f"{len(value)} items"
    if isinstance(value, list):
        return ", ".join(fmt_value(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={fmt_value(v)}" for k, v in value.items())
    return fmt_value(value)


def _rows_table(title: str, rows: Sequence[object]) -> Table:
    """Rows as a table; with more than `_MAX_COLUMNS` fields, one column per row instead."""
    dict_rows = [r if isinstance(r, Mapping) else {"value": r} for r in rows]
    columns: list[str] = []
    for r in dict_rows:
        columns.extend(str(k) for k in r if str(k) not in columns)
    table = Table(title=title, header_style="bold")
    if len(columns) > _MAX_COLUMNS and len(dict_rows) <= _MAX_COLUMNS:
        label = next((c for c in ("layer", "name", "id") if c in columns), None)
        table.add_column("field", style="bold")
        for i, r in enumerate(dict_rows):
            table.add_column(str(r.get(label, i + 1)) if label else str(i + 1))
        for c in columns:
            if c != label:
                table.add_row(c, *(_cell(r.get(c)) for r in dict_rows))
        return table
    for c in columns:
        table.add_column(c)
    for r in dict_rows:
        table.add_row(*(_cell(r.get(c)) for c in columns))
    return table


def _section(title: str, value: object, empty: str) -> RenderableType:
    if value is None or value == {} or value == []:
        return Text(f"{title}: {empty}", style="dim")
    if isinstance(value, Mapping):
        if value and all(isinstance(v, Mapping) for v in value.values()):
            return _rows_table(title, [{"name": k, **dict(v)} for k, v in value.items()])
        return _kv_table(title, value)
    if isinstance(value, list):
        return _rows_table(title, value)
    return Text(f"{title}: {fmt_value(value)}")


def _leg_text(leg: Mapping[str, object]) -> str:
    ratio = leg.get("ratio")
    sign = "+" if isinstance(ratio, int | float) and ratio > 0 else ""
    strike = fmt_value(leg.get("strike"))
    return f"{sign}{ratio} {leg.get('root')} {leg.get('expiry')} {strike}{leg.get('right')}"


def _orders_table(title: str, orders: Sequence[Mapping[str, object]]) -> Table:
    table = Table(title=title, header_style="bold")
    for col in ("action", "kind", "contracts", "position", "legs", "reason"):
        table.add_column(col)
    for o in orders:
        legs = o.get("legs")
        leg_text = " / ".join(
            _leg_text(leg)
            for leg in (legs if isinstance(legs, list) else [])
            if isinstance(leg, Mapping)
        )
        table.add_row(
            str(o.get("action")),
            f"{o.get('kind')}:{o.get('layer')}" if o.get("layer") else str(o.get("kind")),
            fmt_value(o.get("contracts")),
            str(o.get("position_id") or ""),
            leg_text,
            str(o.get("reason") or ""),
        )
    return table


def _provenance_parts(prov: object) -> list[RenderableType]:
    """The real inputs in one line and a table of the modeled ones with their notes."""
    if not isinstance(prov, Mapping) or not isinstance(prov.get("inputs"), Mapping):
        return [Text("Inputs: provenance not given", style="yellow")]
    inputs: Mapping[str, Mapping[str, object]] = prov["inputs"]
    real = [k for k, v in inputs.items() if v.get("origin") == "real"]
    parts: list[RenderableType] = [Text(f"Real inputs: {', '.join(real) or 'none'}", style="dim")]
    modeled = {k: v for k, v in inputs.items() if v.get("origin") != "real"}
    if modeled:
        table = Table(title="Modeled inputs at this close", header_style="bold yellow")
        table.add_column("input")
        table.add_column("why")
        for k, v in modeled.items():
            table.add_row(k, str(v.get("note") or ""))
        parts.append(table)
    return parts


def signal_renderable(doc: Mapping[str, object]) -> RenderableType:
    """The terminal view of a signal document (`build_signal`)."""
    regime = doc.get("regime")
    regime_map = regime if isinstance(regime, Mapping) else {}
    parts: list[RenderableType] = [
        Text(
            f"VixShield signal for the {doc.get('date')} close — policy {doc.get('policy')}",
            style="bold",
        ),
    ]
    replay = doc.get("replay")
    if isinstance(replay, Mapping):
        book = "the replayed book" if replay.get("positions") == "replayed" else "--positions"
        parts.append(
            Text(
                f"Strategy state replayed from {replay.get('since')} (backtest from that day "
                f"to this close); positions: {book}",
                style="dim",
            )
        )
    parts += _provenance_parts(doc.get("provenance"))
    parts += [
        Text(f"Regime: {regime_map.get('name')}", style="bold magenta"),
        _section("Regime inputs", regime_map.get("inputs"), "none"),
        _section("Condor", doc.get("condor"), "no candidate reported"),
    ]
    if doc.get("condor_reason"):
        parts.append(Text(f"No condor opened: {doc['condor_reason']}", style="yellow"))
    management = doc.get("management")
    if isinstance(management, list) and management:
        parts.append(_orders_table("Management of open positions", management))
    else:
        held = doc.get("positions")
        n = len(held) if isinstance(held, list) else 0
        parts.append(Text(f"Management: no action on {n} open position(s)", style="dim"))
    parts.append(_section("Hedge layers", doc.get("hedge_layers"), "no hedge details reported"))
    orders = doc.get("orders")
    if isinstance(orders, list) and orders:
        parts.append(_orders_table("Orders at this close", orders))
    else:
        parts.append(Text("Orders: none", style="dim"))
    parts.append(_section("Upcoming events", doc.get("events"), "none reported"))
    parts.append(_section("Credit-to-hedge", doc.get("credit_to_hedge"), "undefined"))
    audit = doc.get("audit")
    if isinstance(audit, list) and audit:
        table = Table(title="Audit trail", header_style="bold")
        for col in ("rule", "inputs", "outcome"):
            table.add_column(col)
        for r in audit:
            if isinstance(r, Mapping):
                inputs = r.get("inputs")
                text = (
                    ", ".join(f"{k}={fmt_value(v)}" for k, v in inputs.items())
                    if isinstance(inputs, Mapping)
                    else ""
                )
                note = f": {r.get('note')}" if r.get("note") else ""
                table.add_row(str(r.get("rule")), text, f"{r.get('outcome')}{note}")
        parts.append(table)
    return Group(*parts)


def print_signal(console: Console, doc: Mapping[str, object]) -> None:
    """Print the signal: regime, condor, management, hedge layers, orders, events, audit."""
    console.print(signal_renderable(doc))
