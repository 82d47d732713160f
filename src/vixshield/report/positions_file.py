"""Open positions from a file, for ``vixshield signal --positions FILE``.

Two formats, chosen by the file extension.

JSON (any extension but ``.csv``): an object with a ``positions`` array, or the
array itself. Each position::

    {
      "id": "IC-2018-02-16",          # unique, non-empty
      "kind": "condor",               # "condor" or "hedge:<layer name>" (or "hedge"
                                      # with "layer": "<layer name>", as a signal writes it)
      "contracts": 2,                 # integer > 0
      "opened": "2018-01-05",         # YYYY-MM-DD
      "entry_price": -4.35,           # net price per unit, index points; negative = credit
      "meta": {"note": "manual"},     # optional: string or number values
      "legs": [                       # at least one
        {"root": "SPX",               # "SPX" (AM monthly), "SPXW" (PM), "VIX" (AM)
         "expiry": "2018-02-16",      # YYYY-MM-DD, not before "opened"
         "strike": 2600,              # index points, > 0
         "right": "P",                # "C"/"P" (or "call"/"put")
         "ratio": -1,                 # signed non-zero integer per unit: -1 = short one
         "underlying": "SPX",         # optional, from root (VIX root -> "VIX")
         "settlement": "AM"}          # optional, from root (SPXW -> "PM", else "AM")
      ]
    }

CSV (``.csv``): one row per leg with the header
``id,kind,contracts,opened,entry_price,root,expiry,strike,right,ratio``
(optional ``underlying``, ``settlement``); rows sharing an ``id`` form one
position and must repeat the same position fields.

Every error is a `vixshield.errors.DataError` naming the file, the 1-based line
and the field (JSON: a path such as ``positions[1].legs[0].strike``).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from vixshield._typing import PositionKind, Right, Settlement, Underlying
from vixshield.errors import DataError
from vixshield.strategy.types import Leg, Position, kind_label, parse_kind_label

__all__ = ["CSV_COLUMNS", "ROOTS", "load_positions", "parse_positions_csv", "parse_positions_json"]

ROOTS: Mapping[str, tuple[Underlying, Settlement]] = {
    "SPX": ("SPX", "AM"),
    "SPXW": ("SPX", "PM"),
    "VIX": ("VIX", "AM"),
}
"""Option roots accepted, with their underlying and default settlement."""

CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "kind",
    "contracts",
    "opened",
    "entry_price",
    "root",
    "expiry",
    "strike",
    "right",
    "ratio",
)
"""Required columns of the CSV format."""

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LAST_STEP = re.compile(r"(\.[^.\[]+|\[\d+\])$")  # the last ".key" or "[i]" of a value path


class _Where:
    """Builds located errors for one file."""

    def __init__(self, file: str, lines: Mapping[str, int]) -> None:
        self.file, self.lines = file, lines

    def error(self, path: str, message: str, row: int | None = None) -> DataError:
        """A DataError at ``path``; the line is the nearest located enclosing value's."""
        probe = path
        while row is None:
            row = self.lines.get(probe)
            parent = _LAST_STEP.sub("", probe)
            if parent == probe:
                break
            probe = parent
        return DataError(message, file=self.file, row=row, field=path or None)


# -- locating JSON values: a tiny scanner recording the line of every value path --

_WS = re.compile(r"[ \t\n\r]*")
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null')


def _json_lines(text: str) -> dict[str, int]:
    """Map each value path (``a[0].b``) of valid JSON ``text`` to its 1-based line."""
    lines: dict[str, int] = {}

    def skip(pos: int) -> int:
        m = _WS.match(text, pos)
        return m.end() if m else pos

    def token(pos: int) -> tuple[str, int]:
        m = _TOKEN.match(text, pos)
        if m is None:  # unreachable for text json.loads accepted
            raise ValueError(f"unexpected JSON at offset {pos}")
        return m.group(), m.end()

    def value(pos: int, path: str) -> int:
        pos = skip(pos)
        lines[path] = text.count("\n", 0, pos) + 1
        if text[pos] in "{[":
            closing, i = ("}" if text[pos] == "{" else "]"), 0
            pos = skip(pos + 1)
            while text[pos] != closing:
                if closing == "}":
                    raw_key, pos = token(pos)
                    key = str(json.loads(raw_key))
                    pos = value(skip(pos) + 1, f"{path}.{key}" if path else key)
                else:
                    pos = value(pos, f"{path}[{i}]")
                    i += 1
                pos = skip(pos)
                if text[pos] == ",":
                    pos = skip(pos + 1)
            return pos + 1
        return token(pos)[1]

    value(0, "")
    return lines


# -- field checks ----------------------------------------------------------------


def _text(where: _Where, path: str, raw: Any, row: int | None) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise where.error(path, f"expected a non-empty string, got {raw!r}", row)
    return raw.strip()


def _int(where: _Where, path: str, raw: Any, row: int | None, *, positive: bool) -> int:
    value: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif (isinstance(raw, float) and raw.is_integer()) or (
        isinstance(raw, str) and re.fullmatch(r"\s*[-+]?\d+\s*", raw)
    ):
        value = int(raw)
    if value is None:
        raise where.error(path, f"expected an integer, got {raw!r}", row)
    if positive and value <= 0:
        raise where.error(path, f"expected an integer > 0, got {value}", row)
    if not positive and value == 0:
        raise where.error(path, "expected a non-zero signed integer (e.g. -1 short, 1 long)", row)
    return value


def _number(where: _Where, path: str, raw: Any, row: int | None, *, positive: bool) -> float:
    value: float | None = None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw)
    elif isinstance(raw, str):
        try:
            value = float(raw)
        except ValueError:
            value = None
    if value is None or not math.isfinite(value):
        raise where.error(path, f"expected a finite number, got {raw!r}", row)
    if positive and value <= 0:
        raise where.error(path, f"expected a number > 0, got {value:g}", row)
    return value


def _date(where: _Where, path: str, raw: Any, row: int | None) -> pd.Timestamp:
    if isinstance(raw, str) and _DATE.match(raw.strip()):
        try:
            return pd.Timestamp(raw.strip())
        except ValueError:
            pass
    raise where.error(path, f"expected a date YYYY-MM-DD, got {raw!r}", row)


def _kind(
    where: _Where, path: str, raw: Any, layer: Any, row: int | None
) -> tuple[PositionKind, str | None]:
    label = _text(where, path, raw, row)
    if label == "hedge" and isinstance(layer, str) and layer:
        label = kind_label("hedge", layer)
    try:
        return parse_kind_label(label)
    except ValueError:
        raise where.error(
            path, f"expected 'condor' or 'hedge:<layer>', got {label!r}", row
        ) from None


def _leg(where: _Where, path: str, raw: Any, row: int | None, opened: pd.Timestamp) -> Leg:
    if not isinstance(raw, Mapping):
        raise where.error(path, f"expected an object for a leg, got {raw!r}", row)
    for key in ("root", "expiry", "strike", "right", "ratio"):
        if raw.get(key) in (None, ""):
            raise where.error(f"{path}.{key}" if path else key, "missing", row)

    def sub(key: str) -> str:
        return f"{path}.{key}" if path else key

    root = _text(where, sub("root"), raw["root"], row).upper()
    if root not in ROOTS:
        raise where.error(sub("root"), f"expected one of {', '.join(ROOTS)}, got {root!r}", row)
    underlying, settlement = ROOTS[root]
    if raw.get("underlying") not in (None, ""):
        given = str(raw["underlying"]).upper()
        if given != underlying:
            raise where.error(sub("underlying"), f"root {root} has underlying {underlying}", row)
    if raw.get("settlement") not in (None, ""):
        s = str(raw["settlement"]).upper()
        if s not in ("AM", "PM"):
            raise where.error(sub("settlement"), f"expected AM or PM, got {s!r}", row)
        settlement = "AM" if s == "AM" else "PM"
    expiry = _date(where, sub("expiry"), raw["expiry"], row)
    if expiry < opened:
        raise where.error(sub("expiry"), f"expiry {expiry:%Y-%m-%d} is before opened", row)
    right_raw = _text(where, sub("right"), raw["right"], row).upper()
    rights: dict[str, Right] = {"C": "C", "CALL": "C", "P": "P", "PUT": "P"}
    if right_raw not in rights:
        raise where.error(sub("right"), f"expected C or P, got {raw['right']!r}", row)
    return Leg(
        underlying=underlying,
        root=root,
        expiry=expiry,
        settlement=settlement,
        strike=_number(where, sub("strike"), raw["strike"], row, positive=True),
        right=rights[right_raw],
        ratio=_int(where, sub("ratio"), raw["ratio"], row, positive=False),
    )


def _head(where: _Where, path: str, raw: Mapping[str, Any], row: int | None) -> dict[str, Any]:
    def sub(key: str) -> str:
        return f"{path}.{key}" if path else key

    for key in ("id", "kind", "contracts", "opened", "entry_price"):
        if raw.get(key) in (None, ""):
            raise where.error(sub(key), "missing", row)
    kind, layer = _kind(where, sub("kind"), raw["kind"], raw.get("layer"), row)
    return {
        "id": _text(where, sub("id"), raw["id"], row),
        "kind": kind,
        "layer": layer,
        "contracts": _int(where, sub("contracts"), raw["contracts"], row, positive=True),
        "opened": _date(where, sub("opened"), raw["opened"], row),
        "entry_price": _number(where, sub("entry_price"), raw["entry_price"], row, positive=False),
    }


def _meta(where: _Where, path: str, raw: Any) -> dict[str, float | str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise where.error(path, "expected an object of string or number values")
    out: dict[str, float | str] = {}
    for k, v in raw.items():
        if isinstance(v, bool) or not isinstance(v, int | float | str):
            raise where.error(f"{path}.{k}", f"expected a string or number, got {v!r}")
        out[str(k)] = v if isinstance(v, str) else float(v)
    return out


def parse_positions_json(text: str, file: str = "<positions>") -> tuple[Position, ...]:
    """Parse the JSON format (see the module docstring) into positions."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise DataError(f"invalid JSON: {err.msg}", file=file, row=err.lineno) from None
    where = _Where(file, _json_lines(text))
    prefix = "positions"
    if isinstance(doc, Mapping):
        if "positions" not in doc:
            raise where.error("", "expected an object with a 'positions' array (or an array)", 1)
        items = doc["positions"]
    else:
        items, prefix = doc, ""
    if not isinstance(items, list):
        raise where.error(prefix, "expected an array of positions")
    out: list[Position] = []
    seen: set[str] = set()
    for i, raw in enumerate(items):
        path = f"{prefix}[{i}]"
        if not isinstance(raw, Mapping):
            raise where.error(path, "expected an object for a position")
        head = _head(where, path, raw, None)
        if head["id"] in seen:
            raise where.error(f"{path}.id", f"duplicate position id {head['id']!r}")
        seen.add(head["id"])
        legs_raw = raw.get("legs")
        if not isinstance(legs_raw, list) or not legs_raw:
            raise where.error(f"{path}.legs", "expected a non-empty array of legs")
        legs = tuple(
            _leg(where, f"{path}.legs[{j}]", leg, None, head["opened"])
            for j, leg in enumerate(legs_raw)
        )
        out.append(Position(legs=legs, meta=_meta(where, f"{path}.meta", raw.get("meta")), **head))
    return tuple(out)


def parse_positions_csv(text: str, file: str = "<positions>") -> tuple[Position, ...]:
    """Parse the CSV format (one row per leg, see the module docstring) into positions."""
    reader = csv.DictReader(io.StringIO(text))
    where = _Where(file, {})
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise where.error(missing[0], f"missing column(s) {', '.join(missing)}", 1)
    heads: dict[str, dict[str, Any]] = {}
    legs: dict[str, list[Leg]] = {}
    for raw in reader:
        row = reader.line_num
        rec = {str(k).strip(): (v.strip() if isinstance(v, str) else v) for k, v in raw.items()}
        head = _head(where, "", rec, row)
        pid = head["id"]
        if pid in heads:
            for key, value in head.items():
                if heads[pid][key] != value:
                    raise where.error(key, f"differs from the first row of position {pid!r}", row)
        else:
            heads[pid], legs[pid] = head, []
        legs[pid].append(_leg(where, "", rec, row, head["opened"]))
    return tuple(Position(legs=tuple(legs[pid]), **heads[pid]) for pid in heads)


def load_positions(path: str | Path) -> tuple[Position, ...]:
    """Read open positions from ``path`` (``.csv``: CSV format, otherwise JSON).

    Raises
    ------
    DataError
        Unreadable file or invalid content, with file, line and field.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(
            f"cannot read positions file: {err.__class__.__name__}", file=str(p)
        ) from None
    if p.suffix.lower() == ".csv":
        return parse_positions_csv(text, str(p))
    return parse_positions_json(text, str(p))
