"""CFE VX settlement files: both layouts, the x10 quirk, zero rows, expiries."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vixshield.data.calendars import vx_expiry
from vixshield.data.formats import parse_bytes, parse_file
from vixshield.errors import DataError

FIX = Path(__file__).resolve().parent / "fixtures"


def test_old_layout_quirks() -> None:
    p = parse_file(FIX / "CFE_J07_VX.csv")
    assert p.kind == "cfe_vx"
    vx = p.frames["vx"]
    assert list(vx.columns) == ["date", "expiry", "settle"]
    # two all-zero rows dropped; M/D/YYYY and MM/DD/YYYY both read
    assert list(vx["date"].dt.strftime("%Y-%m-%d")) == [
        "2006-09-05",
        "2007-03-23",
        "2007-03-26",
        "2007-04-17",
        "2007-04-18",
    ]
    # x10 before 2007-03-26: 165.5 -> 16.55 and 133.30 -> 13.33; from 03-26 as quoted
    np.testing.assert_allclose(vx["settle"], [16.55, 13.33, 13.38, 13.05, 12.88])
    # April 2007: 3rd Friday of May 2007 is 05-18, minus 30 days = Wednesday 04-18
    assert (vx["expiry"] == pd.Timestamp("2007-04-18")).all()
    assert any("divided by 10" in w for w in p.warnings)
    assert any("Settle 0" in w for w in p.warnings)


def test_new_layout_with_disclaimer() -> None:
    p = parse_file(FIX / "CFE_K18_VX.csv")
    vx = p.frames["vx"]
    assert len(vx) == 3
    assert (vx["expiry"] == pd.Timestamp("2018-05-16")).all()  # Cboe VX May 2018 expiry
    assert vx["settle"].iloc[1] == 23.875  # no x10 scaling after 2007
    assert any("preamble" in w for w in p.warnings)


def test_curve_snapshot_needs_a_date() -> None:
    data = (FIX / "VIX_FUTURES_CURVE_snapshot.csv").read_bytes()
    with pytest.raises(DataError, match="as_of"):
        parse_bytes(data, source="VIX_FUTURES_CURVE_snapshot.csv")
    p = parse_bytes(data, source="VIX_FUTURES_CURVE_snapshot.csv", as_of="2026-07-22")
    vx = p.frames["vx"]
    assert (vx["date"] == pd.Timestamp("2026-07-22")).all()
    assert vx["expiry"].iloc[1] == vx_expiry(2026, 8)  # the monthly VX/Q6 = 2026-08-19
    assert vx["settle"].iloc[-1] == 20.9009


def test_snapshot_date_from_file_name() -> None:
    data = (FIX / "VIX_FUTURES_CURVE_snapshot.csv").read_bytes()
    p = parse_bytes(data, source="curve_2026-07-22.csv")
    assert (p.frames["vx"]["date"] == pd.Timestamp("2026-07-22")).all()


def test_trade_after_expiry_is_located() -> None:
    text = (FIX / "CFE_K18_VX.csv").read_text().replace("2018-05-16,", "2018-05-17,")
    with pytest.raises(DataError) as err:
        parse_bytes(text.encode(), source="CFE_K18_VX.csv")
    assert (err.value.file, err.value.row, err.value.field) == ("CFE_K18_VX.csv", 5, "Trade Date")


def test_bad_settle_and_contract_located() -> None:
    text = (FIX / "CFE_J07_VX.csv").read_text()
    with pytest.raises(DataError) as err:
        parse_bytes(text.replace("13.38,-119.92", "x,-119.92").encode(), source="CFE_J07_VX.csv")
    assert (err.value.row, err.value.field) == (6, "Settle")
    bad = text.replace("03/26/2007,J (Apr 07)", "03/26/2007,Apr")
    with pytest.raises(DataError) as err:
        parse_bytes(bad.encode(), source="vx.csv")
    assert (err.value.row, err.value.field) == (6, "Futures")


def test_duplicate_date_per_contract_rejected() -> None:
    text = (FIX / "CFE_J07_VX.csv").read_text().replace("04/17/2007", "03/26/2007")
    with pytest.raises(DataError, match="strictly increase") as err:
        parse_bytes(text.encode(), source="CFE_J07_VX.csv")
    assert err.value.row == 7


@pytest.mark.shared_data
def test_real_cfe_files(shared_data: Path) -> None:
    frames = []
    warned = []
    for f in sorted((shared_data / "cfe_vx").glob("CFE_*_VX.csv")):
        p = parse_file(f)
        frames.append(p.frames["vx"])
        warned += [w for w in p.warnings if "no-trade settlement" in w]
    vx = pd.concat(frames, ignore_index=True)
    # every settle in VIX points after the x10 fix; 1.00 placeholders dropped
    assert vx["settle"].between(9.0, 70.0).all()
    assert (vx["date"] <= vx["expiry"]).all()
    # x10 quirk: CFE_K04 first settle 203.2 (VXB) -> 20.32 on 2004-03-26
    k04 = vx[vx["expiry"] == vx_expiry(2004, 5)]
    assert k04["settle"].iloc[0] == pytest.approx(20.32)
    # J07 straddles the 2007-03-26 change: 133.30 on 03-23 -> 13.33, 13.38 on 03-26
    j07 = vx[vx["expiry"] == pd.Timestamp("2007-04-18")].set_index("date")["settle"]
    assert j07["2007-03-23"] == pytest.approx(13.33)
    assert j07["2007-03-26"] == pytest.approx(13.38)
    assert len(warned) == 2  # Jul and Oct 2004 final-settled a week before the rule's date
    snap = parse_file(
        shared_data / "cfe_vx" / "VIX_FUTURES_CURVE_snapshot_2026-07.csv", as_of="2026-07-22"
    )
    assert len(snap.frames["vx"]) == 13
