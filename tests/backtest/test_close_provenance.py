"""The signal's per-close provenance against the raw files it must agree with.

Expected origins are read from the Cboe History CSVs in ../shared/data directly (a date
the file has a value for is real, any other is stood in for), not from the code under
test; crisis dates, the day before VIX9D/VIX3M existed and the data's latest date.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from vixshield.backtest.close_provenance import close_provenance, decision_options
from vixshield.data.chains import ChainDataset
from vixshield.data.loader import load_store, load_store_chains
from vixshield.data.market import MarketData
from vixshield.markets import Markets
from vixshield.markets.inputs import STAND_INS
from vixshield.strategy.types import Decision, Leg, Order

INDEX_FILES = {
    "vix": "VIX_History.csv",
    "vvix": "VVIX_History.csv",
    "skew": "SKEW_History.csv",
    "vix9d": "VIX9D_History.csv",
    "vix3m": "VIX3M_History.csv",
    "vix6m": "VIX6M_History.csv",
}
DATES = ("2008-10-10", "2010-06-01", "2015-08-24", "2018-02-05", "2020-03-16", "2022-06-16")


def _raw_closes(shared: Path, name: str) -> pd.Series:
    raw = pd.read_csv(shared / "cboe_indices" / INDEX_FILES[name])
    dates = pd.to_datetime(raw["DATE"], format="%m/%d/%Y")
    return pd.Series(raw.iloc[:, -1].to_numpy(dtype=float), index=dates).dropna()


@pytest.fixture(scope="module")
def market(real_history: MarketData) -> Markets:
    return Markets(real_history)


def _latest(market: Markets) -> pd.Timestamp:
    """The data's last day with both an SPX and a VIX close (the latest a signal is for)."""
    daily = market.data.daily
    return pd.Timestamp(daily.index[(daily["spx_close"].notna() & daily["vix"].notna())][-1])


def _expected_real(shared: Path, name: str, day: pd.Timestamp) -> bool:
    closes = _raw_closes(shared, name)
    if day not in closes.index:
        return False
    value = float(closes.loc[day])
    return value > 40.0 if name == "vvix" else value > 0


@pytest.mark.parametrize("date", [*DATES, "latest"])
def test_each_index_is_real_exactly_where_the_cboe_file_has_the_close(
    market: Markets, shared_data: Path, date: str
) -> None:
    day = _latest(market) if date == "latest" else pd.Timestamp(date)
    prov = close_provenance(market, day, [])
    for name in INDEX_FILES:
        real = _expected_real(shared_data, name, day)
        entry = prov[name]
        assert entry.origin == ("real" if real else "modeled"), (name, day, entry.note)
        if not real:  # the stand-in is named
            assert STAND_INS[name] in entry.note
    assert prov["spx_close"].origin == "real"
    assert prov["div_yield"].origin == "modeled"  # the shipped year-end table


def test_latest_date_says_the_six_month_index_is_stood_in(
    market: Markets, shared_data: Path
) -> None:
    """The latest close of the data is after the VIX6M file's last row (2026-04-24 in
    the shared copy): the signal there must say its surface's long end is modeled."""
    day = _latest(market)
    last_vix6m = _raw_closes(shared_data, "vix6m").index.max()
    assert last_vix6m < day
    entry = close_provenance(market, day, [])["vix6m"]
    assert entry.origin == "modeled" and "no value" in entry.note


def test_vx_curve_without_futures_data_is_declared_modeled(market: Markets) -> None:
    """The real history fixture imports no CFE files: every VX future is the modeled
    term structure, and the entry counts them."""
    day = pd.Timestamp("2020-03-16")
    entry = close_provenance(market, day, [])["vx"]
    n = len(market.vx_curve(day))
    assert entry.origin == "modeled" and entry.note.startswith(f"0 of {n} listed VX futures")


def test_before_vx_futures_no_vx_entry(market: Markets) -> None:
    assert "vx" not in close_provenance(market, pd.Timestamp("2003-06-02"), [])


# -- option quotes: a real chain of three rows --------------------------------------

DAY = pd.Timestamp("2022-01-14")
EXPIRY = pd.Timestamp("2022-02-18")


@pytest.fixture
def chain_market(three_row_chain_home: Path) -> Markets:
    """Markets on the shared three-row real chain (tests/conftest.py)."""
    chains = load_store_chains(three_row_chain_home)
    assert isinstance(chains, ChainDataset)
    return Markets(load_store(home=three_row_chain_home), chains=chains)


def _leg(strike: float, right: str, ratio: int) -> Leg:
    return Leg("SPX", "SPX", EXPIRY, "AM", strike, right, ratio)  # type: ignore[arg-type]


def _decision(legs: list[Leg], details: dict[str, object]) -> Decision:
    order = Order("open", "condor", tuple(legs), 1, "test")
    return Decision(DAY, "normal", {}, (order,), (), details)


def test_option_quotes_real_only_where_the_chain_holds_every_leg(chain_market: Markets) -> None:
    real = _decision([_leg(4650, "C", 1), _leg(4700, "C", -1)], {})
    entry = close_provenance(chain_market, DAY, decision_options(real, []))["options:SPX"]
    assert entry.origin == "real" and "2 from a real chain, 0 modeled" in entry.note
    # the candidate's four strikes are quoted too: 4650 P and 4700 C are in the chain,
    # 4600 P and 4750 C are not
    cand = {"expiry": "2022-02-18", "long_put": 4600.0, "short_put": 4650.0,
            "short_call": 4700.0, "long_call": 4750.0}  # fmt: skip
    mixed = _decision([_leg(4650, "C", 1)], {"condor": cand})
    legs = decision_options(mixed, [])
    assert len(legs) == 5
    entry = close_provenance(chain_market, DAY, legs)["options:SPX"]
    assert entry.origin == "modeled" and "3 from a real chain, 2 modeled" in entry.note


def test_signal_json_carries_the_close_provenance(tmp_path: Path) -> None:
    """`vixshield signal --json` on the embedded data: its VIX is the real arch close,
    its VIX9D, VIX3M and VIX6M are absent (stood in) and its option quotes modeled."""
    from typer.testing import CliRunner

    from vixshield.cli.app import app

    result = CliRunner().invoke(
        app, ["signal", "--data", "embedded", "--date", "2018-02-05", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    prov = json.loads(result.stdout)["provenance"]
    inputs = prov["inputs"]
    assert inputs["vix"]["origin"] == "real" and inputs["spx_close"]["origin"] == "real"
    for name in ("vix9d", "vix3m", "vix6m"):
        assert inputs[name]["origin"] == "modeled"
        assert inputs[name]["note"].startswith(f"the data has no {name} series")
    assert inputs["options:SPX"]["origin"] == "modeled"
    assert prov["modeled"] == sorted(k for k, v in inputs.items() if v["origin"] == "modeled")
    assert {"vix9d", "vix3m", "vix6m", "options:SPX", "div_yield"} <= set(prov["modeled"])
