"""Positions entering the journal: refusals, broker files, import and reconcile."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from vixshield.cli.app import app
from vixshield.errors import DataError
from vixshield.service.broker import LayerWindow, group_positions, read_broker_file
from vixshield.service.checks import check_positions
from vixshield.service.journal import Journal, journal_path
from vixshield.strategy.types import Leg, Position

LAYERS = ("short", "medium", "long")
DAY = pd.Timestamp("2016-03-01")


def _pos(**change: object) -> Position:
    leg = {
        "underlying": "VIX",
        "root": "VIX",
        "expiry": pd.Timestamp("2016-05-18"),
        "settlement": "AM",
        "strike": 22.5,
        "right": "C",
        "ratio": 1,
    }
    leg.update({k: v for k, v in change.items() if k in leg})
    head = {
        "id": "H1",
        "kind": "hedge",
        "layer": "medium",
        "contracts": 3,
        "opened": DAY,
        "entry_price": 1.2,
    }
    head.update({k: v for k, v in change.items() if k in head})
    return Position(legs=(Leg(**leg),), **head)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"layer": "bogus"}, "positions[0] (H1).layer", "unknown hedge layer 'bogus'"),
        ({"strike": 22.3}, "positions[0] (H1).legs[0].strike", "off the VIX strike grid"),
        (
            {"root": "SPXW", "underlying": "SPX", "strike": 2102.0},
            "legs[0].strike",
            "multiples of 5",
        ),
        ({"expiry": pd.Timestamp("2016-05-21")}, "legs[0].expiry", "is a Saturday"),
        ({"expiry": pd.Timestamp("2016-05-30")}, "legs[0].expiry", "not an NYSE session"),
        ({"contracts": 10**12}, "positions[0] (H1).contracts", "above the 10000"),
        ({"expiry": pd.Timestamp("2016-02-17")}, "legs[0].expiry", "expired on 2016-02-17"),
    ],
)
def test_impossible_positions_are_refused_with_their_place(change, field, words) -> None:
    with pytest.raises(DataError) as err:
        check_positions([_pos(**change)], LAYERS, DAY, "pos.csv")
    assert field in str(err.value)
    assert words in str(err.value)
    assert str(err.value).startswith("pos.csv")


def test_a_sound_position_passes() -> None:
    check_positions([_pos()], LAYERS, DAY)


GENERIC = """# positions at my broker
id,symbol,quantity,price,opened,kind,layer
IC1,SPXW  160415P01800000,2,1.00,2016-02-25,,
IC1,SPXW  160415P01850000,-2,2.00,2016-02-25,,
IC1,SPXW160415C02100000,-2,1.50,2016-02-25,,
IC1,SPXW  160415C02150000,2,0.40,2016-02-25,,
,VIX   160518C00022500,5,1.20,2016-02-26,hedge,medium
"""

_IB_HEADER = (
    "ClientAccountID,AssetClass,Symbol,Description,Multiplier,Quantity,CostBasisPrice,"
    "OpenDateTime\n"
)
IB_FLEX = (
    _IB_HEADER
    + """U123,STK,SPY,SPDR S&P 500,1,10,200.1,20160201;093000
U123,OPT,SPXW  160415P01800000,SPXW 15APR16 1800 P,100,2,1.00,20160225;101500
U123,OPT,SPXW  160415P01850000,SPXW 15APR16 1850 P,100,-2,2.00,20160225;101500
U123,OPT,SPXW  160415C02100000,SPXW 15APR16 2100 C,100,-2,1.50,20160225;101500
U123,OPT,SPXW  160415C02150000,SPXW 15APR16 2150 C,100,2,0.40,20160225;101500
"""
    + _IB_HEADER
    + """U123,OPT,VIX   160518C00022500,VIX 18MAY16 22.5 C,100,5,1.20,20160226;100000
"""
)

WINDOWS = [
    LayerWindow("short", 7, 45),
    LayerWindow("medium", 46, 120),
    LayerWindow("long", 121, 270),
]


@pytest.mark.parametrize("text", [GENERIC, IB_FLEX], ids=["generic", "ib-flex"])
def test_broker_files_group_into_a_condor_and_a_hedge(tmp_path: Path, text: str) -> None:
    path = tmp_path / "broker.csv"
    path.write_text(text)
    legs = read_broker_file(path, DAY)
    assert len(legs) == 5  # the stock row is not an option
    found = {p.kind: p for p in group_positions(legs, WINDOWS, DAY, str(path))}
    condor, hedge = found["condor"], found["hedge"]
    assert condor.contracts == 2
    assert sorted(lg.ratio for lg in condor.legs) == [-1, -1, 1, 1]
    # net per unit: 1.00 - 2.00 - 1.50 + 0.40 = -2.10 (a credit)
    assert condor.entry_price == pytest.approx(-2.10)
    assert condor.opened == pd.Timestamp("2016-02-25")
    # 2016-03-01 -> 2016-05-18 is 78 days: the medium window
    assert (hedge.layer, hedge.contracts, hedge.entry_price) == ("medium", 5, 1.2)


def test_bad_broker_rows_are_located(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("symbol,quantity,price\nSPXW  160415P01800000,two,1.0\n")
    with pytest.raises(DataError, match=r"bad.csv:2: column 'quantity'"):
        read_broker_file(path, DAY)
    path.write_text("symbol,qty\nx,1\n")
    with pytest.raises(DataError, match="missing column"):
        read_broker_file(path, DAY)


def test_import_then_reconcile_through_the_cli(service_env: Path) -> None:
    runner = CliRunner()
    assert (
        runner.invoke(app, ["init", "--data", "embedded", "--start", "2016-02-25"]).exit_code == 0
    )
    broker = service_env / "broker.csv"
    broker.write_text(GENERIC)
    res = runner.invoke(app, ["journal", "import", str(broker), "--date", "2016-03-01"])
    assert res.exit_code == 0, res.output
    assert "imported 2 position(s)" in res.stdout
    res = runner.invoke(app, ["journal", "positions"])
    assert "SPXW  160415P01850000" in res.stdout
    assert "2 open position(s)" in res.stdout
    res = runner.invoke(app, ["journal", "history"])
    # the imported entry premiums as cash flows: +2.10 x 100 x 2 = +420; -1.20 x 100 x 5 = -600
    assert "+420.00" in res.stdout and "-600.00" in res.stdout
    assert runner.invoke(app, ["journal", "reconcile", str(broker)]).exit_code == 0
    statement = service_env / "statement.csv"
    statement.write_text(IB_FLEX.replace(",5,1.20", ",4,1.20"))
    res = runner.invoke(app, ["journal", "reconcile", str(statement)])
    assert res.exit_code == 1
    assert "VIX   160518C00022500  journal +5  broker +4  difference -1" in res.stdout
    # importing the same positions again is refused, all or nothing
    res = runner.invoke(app, ["journal", "import", str(broker), "--date", "2016-03-01"])
    assert res.exit_code == 2
    with Journal(journal_path()) as j:
        assert len(j.positions(j.account("main"))) == 2


def test_import_refuses_an_unknown_layer_with_exit_2(service_env: Path) -> None:
    runner = CliRunner()
    runner.invoke(app, ["init", "--data", "embedded", "--start", "2016-02-25"])
    broker = service_env / "broker.csv"
    broker.write_text(GENERIC.replace("hedge,medium", "hedge,weekly"))
    res = runner.invoke(app, ["journal", "import", str(broker), "--date", "2016-03-01"])
    assert res.exit_code == 2
    assert "error:" in res.stderr and "unknown hedge layer 'weekly'" in res.stderr
    assert "Traceback" not in res.output
