"""Option chain formats: OptionsDX, the generic chain CSV/Parquet, Cboe delayed-quotes JSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vixshield.data.formats import CHAIN_FRAME_COLUMNS, parse_bytes, parse_file
from vixshield.data.formats.cboe_quotes_json import parse_option_symbol
from vixshield.errors import DataError

FIX = Path(__file__).resolve().parent / "fixtures"


def _chain_ok(chain: pd.DataFrame) -> None:
    assert tuple(chain.columns) == CHAIN_FRAME_COLUMNS
    assert set(chain["right"]) <= {"C", "P"}
    assert set(chain["settlement"]) <= {"AM", "PM"}
    assert (chain["bid"].fillna(0) <= chain["ask"].fillna(np.inf)).all()


def test_optionsdx_wide_to_long() -> None:
    p = parse_file(FIX / "optionsdx_spx_eod_202201.txt")
    assert p.kind == "optionsdx"
    chain = p.frames["chain"]
    _chain_ok(chain)
    assert len(chain) == 4
    weekly = chain[chain["expiry"] == pd.Timestamp("2022-01-19")]
    assert set(weekly["root"]) == {"SPXW"} and set(weekly["settlement"]) == {"PM"}
    monthly = chain[chain["expiry"] == pd.Timestamp("2022-02-18")]  # 3rd Friday
    assert set(monthly["root"]) == {"SPX"} and set(monthly["settlement"]) == {"AM"}
    put = chain[(chain["right"] == "P") & (chain["strike"] == 4660.0)].iloc[0]
    assert (put["bid"], put["ask"], put["iv"]) == (40.3, 41.0, 0.16056)


def test_optionsdx_bid_above_ask_located() -> None:
    text = (FIX / "optionsdx_spx_eod_202201.txt").read_text()
    text = text.replace("104.100000, 105.400000", "106.100000, 105.400000")
    with pytest.raises(DataError) as err:
        parse_bytes(text.encode(), source="spx_eod.txt")
    assert (err.value.row, err.value.field) == (3, "C_BID")


def test_chain_csv() -> None:
    p = parse_file(FIX / "chain.csv")
    chain = p.frames["chain"]
    _chain_ok(chain)
    spx = chain[chain["root"] == "SPX"].iloc[0]
    assert spx["right"] == "C" and spx["settlement"] == "AM"  # "call" and empty settlement
    vix = chain[chain["underlying"] == "VIX"].iloc[0]
    assert vix["strike"] == 22.5 and np.isnan(vix["iv"])
    assert p.warnings == ()


def test_chain_parquet_round_trip(tmp_path: Path) -> None:
    frame = pd.read_csv(FIX / "chain.csv", dtype=str, keep_default_na=False)
    path = tmp_path / "chain.parquet"
    frame.to_parquet(path)
    p = parse_file(path)
    assert p.kind == "chain_csv"
    csv = parse_file(FIX / "chain.csv").frames["chain"]
    pd.testing.assert_frame_equal(p.frames["chain"], csv)


@pytest.mark.parametrize(
    ("old", "new", "row", "field"),
    [
        (",6400,call,", ",6400,straddle,", 3, "right"),
        (",6000,P,41.2,42.0", ",6000,P,43.0,42.0", 2, "bid"),
        ("SPX,SPX,2026-08-21", "SPX,VIX,2026-08-21", 3, "root"),
        ("2026-08-19,AM,22.5", "2026-08-19,XX,22.5", 4, "settlement"),
        ("2026-08-19,AM,22.5", "2026-07-01,AM,22.5", 4, "expiry"),
    ],
)
def test_chain_csv_errors_located(old: str, new: str, row: int, field: str) -> None:
    text = (FIX / "chain.csv").read_text().replace(old, new)
    with pytest.raises(DataError) as err:
        parse_bytes(text.encode(), source="chain.csv")
    assert (err.value.file, err.value.row, err.value.field) == ("chain.csv", row, field)


def test_off_grid_strikes_warn() -> None:
    text = (FIX / "chain.csv").read_text().replace(",22.5,", ",22.3,").replace(",6000,", ",6001,")
    p = parse_bytes(text.encode(), source="chain.csv")
    assert len(p.warnings) == 2
    assert any("chain.csv:4: strike 22.3" in w for w in p.warnings)


def test_option_symbol() -> None:
    assert parse_option_symbol("SPXW260828P06790000") == (
        "SPXW",
        pd.Timestamp("2026-08-28"),
        "P",
        6790.0,
    )
    assert parse_option_symbol("VIX260916C00022500")[3] == 22.5
    with pytest.raises(ValueError):
        parse_option_symbol("AAPL260828P00100000")


def test_cboe_quotes_json() -> None:
    p = parse_file(FIX / "cboe_quotes_SPX.json")
    assert p.kind == "cboe_quotes_json"
    chain = p.frames["chain"]
    _chain_ok(chain)
    assert (chain["quote_date"] == pd.Timestamp("2026-07-22")).all()
    row = chain[chain["root"] == "SPXW"].iloc[0]
    assert (row["expiry"], row["right"], row["strike"]) == (pd.Timestamp("2026-08-28"), "P", 6000.0)
    assert np.isnan(chain[chain["root"] == "SPX"]["iv"].iloc[0])  # Cboe's 0 = no IV


def test_cboe_quotes_json_errors() -> None:
    doc = json.loads((FIX / "cboe_quotes_SPX.json").read_text())
    doc["data"]["options"][1]["option"] = "SPX2608C6400"
    with pytest.raises(DataError) as err:
        parse_bytes(json.dumps(doc).encode(), source="_SPX.json")
    assert err.value.field == "options[1].option"
    doc["data"]["options"][1]["option"] = "SPX260821C06400000"
    doc["data"]["options"][0]["bid"] = "abc"
    with pytest.raises(DataError) as err:
        parse_bytes(json.dumps(doc).encode(), source="_SPX.json")
    assert err.value.field == "options[0].bid"
    with pytest.raises(DataError, match="invalid JSON"):
        parse_bytes(b'{"data": ', source="_SPX.json", kind="cboe_quotes_json")
