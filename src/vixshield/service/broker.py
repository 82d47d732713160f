"""Broker position files: a generic CSV and Interactive Brokers' Flex query CSV.

Both are read into `BrokerLeg` rows (one per option held) and grouped into
`vixshield.strategy.types.Position` objects for ``journal import``; ``journal
reconcile`` compares the rows with the journal's open legs.

Generic CSV (header required; ``#`` comment lines allowed before it)::

    id,symbol,quantity,price,opened,kind,layer
    IC1,SPXW  251121P06200000,-2,1.10,2025-10-07,condor,
    IC1,SPXW  251121P06250000,2,...          # legs sharing an id form one position
    H1,VIX   251217C00025000,5,1.35,2025-10-07,hedge,medium

``symbol`` is the OCC symbol (padded or compact), ``quantity`` signed contracts
(< 0 short), ``price`` the average price per unit in index points (>= 0), ``opened``
YYYY-MM-DD. ``id``, ``kind`` and ``layer`` are optional: without an id each row is its own
position; without a kind SPX/SPXW legs are a condor and VIX legs a hedge whose layer is
inferred (below).

IB Flex query CSV (an Activity Flex Query with the *Open Positions* section, CSV
format): the columns ``AssetClass``, ``Symbol`` (the OCC symbol), ``Quantity``
(signed) and ``CostBasisPrice`` (per unit, index points) are read, ``OpenDateTime``
where present (else the import date); rows whose ``AssetClass`` is not ``OPT`` and
repeated header rows (a query with several sections) are skipped. SPX/SPXW legs of one
expiry and the same absolute quantity form one condor; each VIX leg is a hedge.

A hedge's layer, where not given, is the policy layer whose holding window
``[roll_dte, dte_max]`` (calendar days to expiry at the import date) holds the leg.
Every error names the file, the line and the column.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from pathlib import Path

import pandas as pd

from vixshield.errors import DataError
from vixshield.report.positions_file import ROOTS
from vixshield.service.tickets import parse_occ_symbol
from vixshield.strategy.types import Leg, Position

__all__ = ["BrokerLeg", "LayerWindow", "group_positions", "read_broker_file"]


@dataclass(frozen=True)
class BrokerLeg:
    """One option held at the broker (a row of the file)."""

    line: int
    symbol: str
    root: str
    expiry: pd.Timestamp
    right: str
    strike: float
    quantity: int
    price: float
    opened: pd.Timestamp
    id: str | None = None
    kind: str | None = None
    layer: str | None = None


@dataclass(frozen=True)
class LayerWindow:
    """A hedge layer's holding window in calendar days to expiry: ``[low, high]``."""

    name: str
    low: int
    high: int


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(
            f"cannot read broker file: {err.__class__.__name__}", file=str(path)
        ) from None


def _int(raw: str, file: str, line: int, field: str) -> int:
    try:
        value = float(raw.replace(",", ""))
    except ValueError:
        raise DataError(
            f"expected a whole number, got {raw!r}", file=file, row=line, field=field
        ) from None
    if not value.is_integer() or value == 0:
        raise DataError(
            f"expected a non-zero whole number, got {raw!r}", file=file, row=line, field=field
        )
    return int(value)


def _price(raw: str, file: str, line: int, field: str) -> float:
    try:
        value = float(raw.replace(",", ""))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise DataError(f"expected a price >= 0, got {raw!r}", file=file, row=line, field=field)
    return value


def _date(raw: str, file: str, line: int, field: str) -> pd.Timestamp:
    text = raw.strip().split(";")[0].split(" ")[0].split(",")[0]
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return pd.Timestamp(pd.to_datetime(text, format=fmt))
        except ValueError:
            continue
    raise DataError(
        f"expected a date YYYY-MM-DD or YYYYMMDD, got {raw!r}", file=file, row=line, field=field
    )


def _symbol(raw: str, file: str, line: int, field: str) -> tuple[str, pd.Timestamp, str, float]:
    try:
        root, expiry, right, strike = parse_occ_symbol(raw)
    except ValueError as err:
        raise DataError(str(err), file=file, row=line, field=field) from None
    if root not in ROOTS:
        raise DataError(
            f"root {root!r} is not one of {', '.join(ROOTS)}", file=file, row=line, field=field
        )
    return root, expiry, right, strike


def _read_generic(
    rows: list[tuple[int, dict[str, str]]], file: str, today: pd.Timestamp
) -> list[BrokerLeg]:
    out = []
    for line, r in rows:
        root, expiry, right, strike = _symbol(r["symbol"], file, line, "symbol")
        opened = r.get("opened", "").strip()
        out.append(
            BrokerLeg(
                line=line,
                symbol=r["symbol"].strip(),
                root=root,
                expiry=expiry,
                right=right,
                strike=strike,
                quantity=_int(r["quantity"], file, line, "quantity"),
                price=_price(r["price"], file, line, "price"),
                opened=_date(opened, file, line, "opened") if opened else today,
                id=(r.get("id") or "").strip() or None,
                kind=(r.get("kind") or "").strip() or None,
                layer=(r.get("layer") or "").strip() or None,
            )
        )
    return out


def _read_ib(
    rows: list[tuple[int, dict[str, str]]], file: str, today: pd.Timestamp
) -> list[BrokerLeg]:
    out = []
    for line, r in rows:
        if r.get("AssetClass", "").strip() == "AssetClass":
            continue  # the header of a later section
        if r.get("AssetClass", "").strip() != "OPT":
            continue
        root, expiry, right, strike = _symbol(r["Symbol"], file, line, "Symbol")
        opened = (r.get("OpenDateTime") or "").strip()
        out.append(
            BrokerLeg(
                line=line,
                symbol=r["Symbol"].strip(),
                root=root,
                expiry=expiry,
                right=right,
                strike=strike,
                quantity=_int(r["Quantity"], file, line, "Quantity"),
                price=_price(r["CostBasisPrice"], file, line, "CostBasisPrice"),
                opened=_date(opened, file, line, "OpenDateTime") if opened else today,
            )
        )
    return out


def read_broker_file(path: str | Path, today: pd.Timestamp) -> tuple[BrokerLeg, ...]:
    """The option legs of a generic or IB Flex CSV (module docstring), chosen by header."""
    p = Path(path)
    file = str(p)
    lines = _lines(p)
    start = 0
    while start < len(lines) and (not lines[start].strip() or lines[start].startswith("#")):
        start += 1
    reader = csv.DictReader(io.StringIO("\n".join(lines[start:])))
    header = [h.strip() for h in reader.fieldnames or []]
    rows = [
        (reader.line_num + start, {str(k).strip(): (v or "") for k, v in r.items()}) for r in reader
    ]
    if {"AssetClass", "Symbol", "Quantity", "CostBasisPrice"} <= set(header):
        return tuple(_read_ib(rows, file, today))
    missing = [c for c in ("symbol", "quantity", "price") if c not in header]
    if missing:
        raise DataError(
            f"missing column(s) {', '.join(missing)}: expected the generic format "
            "(id,symbol,quantity,price,opened,kind,layer) or an IB Flex Open Positions CSV "
            "(AssetClass,Symbol,Quantity,CostBasisPrice)",
            file=file,
            row=start + 1,
            field=missing[0],
        )
    return tuple(_read_generic(rows, file, today))


def _layer(leg: BrokerLeg, windows: Sequence[LayerWindow], today: pd.Timestamp, file: str) -> str:
    dte = int((leg.expiry - today).days)
    for w in windows:
        if w.low <= dte <= w.high:
            return w.name
    shown = ", ".join(f"{w.name} {w.low}-{w.high}" for w in windows)
    raise DataError(
        f"{dte} days to expiry fits no hedge layer's holding window ({shown}); give the layer",
        file=file,
        row=leg.line,
        field="layer",
    )


def _position(pid: str, legs: Sequence[BrokerLeg], kind: str, layer: str | None) -> Position:
    size = reduce(math.gcd, (abs(x.quantity) for x in legs))
    return Position(
        id=pid,
        kind=kind,  # type: ignore[arg-type]
        layer=layer,
        legs=tuple(
            Leg(
                underlying=ROOTS[x.root][0],
                root=x.root,
                expiry=x.expiry,
                settlement=ROOTS[x.root][1],
                strike=x.strike,
                right=x.right,  # type: ignore[arg-type]
                ratio=x.quantity // size,
            )
            for x in legs
        ),
        contracts=size,
        opened=min(x.opened for x in legs),
        entry_price=sum((x.quantity // size) * x.price for x in legs),
    )


def group_positions(
    legs: Iterable[BrokerLeg], windows: Sequence[LayerWindow], today: pd.Timestamp, file: str
) -> tuple[Position, ...]:
    """Positions from broker legs (module docstring for the grouping rules)."""
    groups: dict[str, list[BrokerLeg]] = {}
    for leg in legs:
        if leg.id is not None:
            key = leg.id
        elif ROOTS[leg.root][0] == "SPX" and leg.kind in (None, "condor"):
            key = f"IC-{leg.expiry:%Y%m%d}-{abs(leg.quantity)}"
        else:
            key = f"H-{leg.root}-{leg.expiry:%Y%m%d}-{leg.strike:g}{leg.right}-L{leg.line}"
        groups.setdefault(key, []).append(leg)
    out = []
    for key, members in groups.items():
        first = members[0]
        underlying = ROOTS[first.root][0]
        kind = first.kind or ("condor" if underlying == "SPX" else "hedge")
        if kind not in ("condor", "hedge"):
            raise DataError(
                f"expected 'condor' or 'hedge', got {kind!r}",
                file=file,
                row=first.line,
                field="kind",
            )
        layer = None
        if kind == "hedge":
            layer = first.layer or _layer(first, windows, today, file)
        elif first.layer:
            raise DataError("a condor has no layer", file=file, row=first.line, field="layer")
        pid = re.sub(r"[^A-Za-z0-9_.#-]", "", key) or f"L{first.line}"
        out.append(_position(pid, members, kind, layer))
    return tuple(out)
