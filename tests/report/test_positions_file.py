"""Positions file parsing with located errors (vixshield.report.positions_file)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from vixshield.errors import DataError, UserError
from vixshield.report.positions_file import (
    CSV_COLUMNS,
    load_positions,
    parse_positions_csv,
    parse_positions_json,
)
from vixshield.strategy.types import Leg

VALID = """{
  "positions": [
    {
      "id": "IC-2018-03-16",
      "kind": "condor",
      "contracts": 2,
      "opened": "2018-02-01",
      "entry_price": -4.35,
      "legs": [
        {"root": "SPX", "expiry": "2018-03-16", "strike": 2550, "right": "P", "ratio": 1},
        {"root": "SPX", "expiry": "2018-03-16", "strike": 2600, "right": "P", "ratio": -1},
        {"root": "SPXW", "expiry": "2018-03-16", "strike": 2700, "right": "call", "ratio": -1},
        {"root": "SPXW", "expiry": "2018-03-16", "strike": 2750, "right": "C", "ratio": 1}
      ]
    },
    {
      "id": "H-core-1",
      "kind": "hedge:core",
      "contracts": 10,
      "opened": "2018-02-01",
      "entry_price": 1.2,
      "meta": {"layer": "core", "target_delta": 0.3},
      "legs": [{"root": "VIX", "expiry": "2018-04-18", "strike": 20, "right": "C", "ratio": 1}]
    }
  ]
}
"""


def test_valid_json_parses_into_positions() -> None:
    condor, hedge = parse_positions_json(VALID, "pos.json")
    assert condor.id == "IC-2018-03-16" and condor.kind == "condor" and condor.contracts == 2
    assert condor.opened == pd.Timestamp("2018-02-01") and condor.entry_price == -4.35
    assert condor.legs[0] == Leg("SPX", "SPX", pd.Timestamp("2018-03-16"), "AM", 2550.0, "P", 1)
    # SPXW is PM-settled, "call" is a call; VIX options are AM-settled on the VIX underlying
    assert condor.legs[2] == Leg("SPX", "SPXW", pd.Timestamp("2018-03-16"), "PM", 2700.0, "C", -1)
    assert hedge.legs[0].underlying == "VIX" and hedge.legs[0].settlement == "AM"
    assert hedge.meta == {"layer": "core", "target_delta": 0.3}


def test_bare_array_is_accepted() -> None:
    items = json.loads(VALID)["positions"]
    assert len(parse_positions_json(json.dumps(items))) == 2


def _bad(path: str, value: object) -> str:
    doc = json.loads(VALID)
    node: object = doc
    keys = path.replace("[", ".").replace("]", "").split(".")
    for key in keys[:-1]:
        node = node[int(key)] if isinstance(node, list) else node[key]  # type: ignore[index]
    last = keys[-1]
    if value is KeyError:
        del node[last]  # type: ignore[attr-defined]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value  # type: ignore[index]
    return json.dumps(doc, indent=2)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("positions[0].legs[1].strike", -5, "expected a number > 0"),
        ("positions[0].legs[1].strike", "abc", "expected a finite number"),
        ("positions[0].legs[2].right", "X", "expected C or P"),
        ("positions[0].legs[0].ratio", 0, "non-zero"),
        ("positions[0].legs[0].root", "SPY", "expected one of SPX, SPXW, VIX"),
        ("positions[0].legs[3].expiry", "2018-01-15", "before opened"),
        ("positions[0].legs[3].expiry", "16/03/2018", "expected a date YYYY-MM-DD"),
        ("positions[1].kind", "hedge:", "expected 'condor' or 'hedge:<layer>'"),
        ("positions[1].contracts", 0, "expected an integer > 0"),
        ("positions[1].contracts", 1.5, "expected an integer"),
        ("positions[1].opened", KeyError, "missing"),
        ("positions[1].legs", [], "non-empty array of legs"),
        ("positions[1].id", "IC-2018-03-16", "duplicate position id"),
        ("positions[1].meta.layer", [1], "expected a string or number"),
    ],
)
def test_errors_name_file_line_and_field(path: str, value: object, message: str) -> None:
    text = _bad(path, value)
    with pytest.raises(DataError) as info:
        parse_positions_json(text, "pos.json")
    err = info.value
    assert err.file == "pos.json" and message in err.detail
    assert err.field == path
    # the reported line holds the offending value (or its enclosing object when it is missing)
    key = path.rsplit(".", 1)[-1].split("[")[0]
    assert err.row is not None
    line = text.splitlines()[err.row - 1]
    assert f'"{key}"' in line or value is KeyError or value == []
    assert str(err).startswith(f"pos.json:{err.row}: column '{path}' ")


def test_invalid_json_reports_the_decoder_line() -> None:
    text = VALID.replace('"contracts": 10,', '"contracts": 10')
    with pytest.raises(DataError) as info:
        parse_positions_json(text, "pos.json")
    # the decoder stops at the next key, on the line after the missing comma
    lines = text.splitlines()
    assert info.value.row == lines.index('      "contracts": 10') + 2
    assert "invalid JSON" in str(info.value)


def test_top_level_must_hold_positions() -> None:
    with pytest.raises(DataError, match="'positions' array"):
        parse_positions_json('{"open": []}', "p.json")


CSV_TEXT = """id,kind,contracts,opened,entry_price,root,expiry,strike,right,ratio
IC-1,condor,2,2018-02-01,-4.35,SPX,2018-03-16,2550,P,1
IC-1,condor,2,2018-02-01,-4.35,SPX,2018-03-16,2600,P,-1
IC-1,condor,2,2018-02-01,-4.35,SPX,2018-03-16,2700,C,-1
IC-1,condor,2,2018-02-01,-4.35,SPX,2018-03-16,2750,C,1
H-1,hedge:core,10,2018-02-01,1.2,VIX,2018-04-18,20,C,1
"""


def test_csv_rows_group_into_positions() -> None:
    assert CSV_TEXT.splitlines()[0].split(",") == list(CSV_COLUMNS)
    condor, hedge = parse_positions_csv(CSV_TEXT, "p.csv")
    assert [leg.strike for leg in condor.legs] == [2550.0, 2600.0, 2700.0, 2750.0]
    assert [leg.ratio for leg in condor.legs] == [1, -1, -1, 1]
    assert (hedge.kind, hedge.layer) == ("hedge", "core") and hedge.legs[0].root == "VIX"


def test_csv_errors_name_the_line() -> None:
    text = CSV_TEXT.replace("2700,C,-1", "2700,Q,-1")
    with pytest.raises(DataError) as info:
        parse_positions_csv(text, "p.csv")
    assert (info.value.row, info.value.field) == (4, "right")
    inconsistent = CSV_TEXT.replace(
        "IC-1,condor,2,2018-02-01,-4.35,SPX,2018-03-16,2750",
        "IC-1,condor,3,2018-02-01,-4.35,SPX,2018-03-16,2750",
    )
    with pytest.raises(DataError) as info:
        parse_positions_csv(inconsistent, "p.csv")
    assert (info.value.row, info.value.field) == (5, "contracts")
    with pytest.raises(DataError, match="missing column"):
        parse_positions_csv("id,kind\nA,condor\n", "p.csv")


def test_load_by_extension_and_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text(CSV_TEXT)
    (tmp_path / "p.json").write_text(VALID)
    assert len(load_positions(tmp_path / "p.csv")) == 2
    assert len(load_positions(tmp_path / "p.json")) == 2
    with pytest.raises(UserError, match="cannot read positions file"):
        load_positions(tmp_path / "absent.json")
