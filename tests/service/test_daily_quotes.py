"""The session's Cboe delayed quotes, fetched into the chain dataset, price the daily tickets.

The local provider server (tests/service/fixtures/service_provider_fixtures.py) also
answers Cboe's delayed-quotes paths (``/api/global/delayed_quotes/options/_SPX.json``,
``_VIX.json``) with a snapshot generated here (`QuoteFiles`): every option the model
lists on the session (the embedded data's SPX and VIX chains), in Cboe's JSON layout
(``SPXW160318P01900000`` symbols, bid/ask in index points, iv as a decimal), the
model's bid lowered and ask raised by `WIDEN` so no quote of the file is the model's.

Reference: the served files themselves. Where the session's snapshot is stored, every
ticket leg's bid and ask must be the file's quote of the leg's OCC symbol; where it is
not (a snapshot of the day before, an intraday one), the tickets say ``modeled`` with a
note and the run warns.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from service_provider_fixtures import ProviderFiles, ProviderServer
from typer.testing import CliRunner

from vixshield.cli._sources import open_markets
from vixshield.cli.app import app
from vixshield.data.chains import ChainDataset
from vixshield.data.chains.fetched import QuoteSnapshot, store_snapshots
from vixshield.data.formats import parse_bytes
from vixshield.data.store import Store
from vixshield.errors import DataError
from vixshield.markets.types import QuoteBlock
from vixshield.service.daily import modeled_warning
from vixshield.service.tickets import build_ticket
from vixshield.strategy.policy import load_policy, preset_text
from vixshield.strategy.types import Leg, Order

SESSION = pd.Timestamp("2016-03-01")
BEFORE = pd.Timestamp("2016-02-29")  # the session before
WIDEN = 0.05  # index points taken off the model's bid and added to its ask
_QUOTES = "/api/global/delayed_quotes/options/_"


def _symbol(root: str, expiry: pd.Timestamp, right: str, strike: float) -> str:
    return f"{root}{expiry:%y%m%d}{right}{round(strike * 1000):08d}"


def quotes_json(day: pd.Timestamp, underlying: str, taken: str) -> tuple[str, dict[str, tuple]]:
    """A Cboe delayed-quotes JSON of ``underlying`` on ``day`` stamped ``taken`` (ET).

    Returns the text and symbol -> (bid, ask) of every option in it.
    """
    chain = open_markets("embedded").chain(day, underlying)  # type: ignore[arg-type]
    options = []
    served: dict[str, tuple[float, float]] = {}
    for row in chain.quotes.itertuples():
        sym = _symbol(str(row.root), pd.Timestamp(row.expiry), str(row.right), float(row.strike))
        bid = round(max(float(row.bid) - WIDEN, 0.0), 2)
        ask = round(float(row.ask) + WIDEN, 2)
        served[sym] = (bid, ask)
        options.append({"option": sym, "bid": bid, "ask": ask, "iv": round(float(row.iv), 4)})
    doc = {
        "timestamp": f"{day:%Y-%m-%d} {taken}",
        "data": {"symbol": f"_{underlying}", "current_price": chain.spot, "options": options},
    }
    return json.dumps(doc), served


class QuoteFiles(ProviderFiles):
    """`ProviderFiles` that also serve a delayed-quotes snapshot per underlying."""

    def __init__(self, through: pd.Timestamp) -> None:
        super().__init__(through)
        self.quotes: dict[str, str] = {}

    def answer(self, path: str) -> tuple[str, str | None]:
        if path.startswith(_QUOTES) and path.endswith(".json"):
            return "cboe_quotes", self.quotes.get(path[len(_QUOTES) : -len(".json")])
        return super().answer(path)


def _setup(service_env: Path, server: ProviderServer) -> tuple[CliRunner, QuoteFiles]:
    """A store fetched through the session and an account starting on it."""
    files = QuoteFiles(SESSION)
    server.files = files
    runner = CliRunner()
    res = runner.invoke(app, ["data", "fetch"])
    assert res.exit_code == 0, res.output  # partial: CFE has no VX contract to serve
    policy = service_env / "policy.toml"
    policy.write_text(preset_text("alvh-442"), encoding="utf-8")
    out = runner.invoke(
        app,
        [
            *("init", "--data", "store", "--policy", str(policy), "--account", "quotes"),
            *("--start", f"{SESSION:%Y-%m-%d}", "--no-ask"),
        ],
    )
    assert out.exit_code == 0, out.output
    return runner, files


def _daily(runner: CliRunner) -> dict:
    res = runner.invoke(app, ["daily", "--date", f"{SESSION:%Y-%m-%d}", "--json", "--no-fetch"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["date"] == f"{SESSION:%Y-%m-%d}"
    assert doc["tickets"], "the session opens positions (a condor and hedges)"
    return doc


def test_session_quotes_price_the_tickets(
    service_env: Path, provider_server: ProviderServer
) -> None:
    runner, files = _setup(service_env, provider_server)
    for day in (BEFORE, SESSION):  # two evenings' fetches: each snapshot kept by its date
        served: dict[str, tuple] = {}
        for und, taken in (("SPX", "16:15:02"), ("VIX", "16:15:01")):
            files.quotes[und], quotes = quotes_json(day, und, taken)
            served |= quotes
        res = runner.invoke(app, ["data", "fetch", "chain"])
        assert res.exit_code == 0, res.output
        assert "stored in the chain dataset" in res.output
        assert f"SPX {day:%Y-%m-%d} 16:15 ET" in res.output
        assert f"VIX {day:%Y-%m-%d} 16:15 ET" in res.output
    dataset = ChainDataset()
    assert list(dataset.dates("SPX")) == [BEFORE, SESSION]
    assert list(dataset.dates("VIX")) == [BEFORE, SESSION]
    assert "chain" not in Store()  # not the old store series the loader ignores then

    doc = _daily(runner)
    kinds = {t["kind"] for t in doc["tickets"]}
    assert "condor" in kinds, kinds
    for ticket in doc["tickets"]:
        assert ticket["prices"] == "real", ticket
        assert ticket["prices_note"] is None
        for leg in ticket["legs"]:
            sym = re.sub(r"\s+", "", leg["symbol"])
            assert leg["origin"] == "real"
            assert (leg["bid"], leg["ask"]) == pytest.approx(served[sym], abs=1e-9), sym
    assert not any(w.startswith("prices:") for w in doc["warnings"])


def test_quotes_not_of_the_session_leave_the_tickets_modeled(
    service_env: Path, provider_server: ProviderServer
) -> None:
    runner, files = _setup(service_env, provider_server)
    files.quotes["SPX"], _ = quotes_json(BEFORE, "SPX", "16:15:02")  # yesterday's close
    files.quotes["VIX"], _ = quotes_json(SESSION, "VIX", "11:30:00")  # intraday
    res = runner.invoke(app, ["data", "fetch", "chain"])
    assert res.exit_code == 0, res.output
    # yesterday's snapshot is kept under its own date; the intraday one is refused
    assert "SPX 2016-02-29 16:15 ET" in res.output
    assert "_VIX.json skipped: taken 2016-03-01 11:30 ET, before the 16:00 ET close" in (
        res.output.replace("\n", " ").replace("  ", " ")
    )
    dataset = ChainDataset()
    assert list(dataset.dates("SPX")) == [BEFORE]
    assert list(dataset.dates("VIX")) == []

    doc = _daily(runner)
    for ticket in doc["tickets"]:
        assert ticket["prices"] == "modeled", ticket
        assert all(leg["origin"] == "modeled" for leg in ticket["legs"])
        note = ticket["prices_note"]
        assert note.startswith(f"modeled prices for {len(ticket['legs'])} of ")
        assert all(leg["symbol"].strip() in note for leg in ticket["legs"])
    (warning,) = [w for w in doc["warnings"] if w.startswith("prices:")]
    n = len(doc["tickets"])
    assert f"{n} of {n} ticket(s) priced by the model" in warning
    assert "2016-03-01" in warning and "vixshield data fetch chain" in warning


class _PartlyReal:
    """A market quoting every option at 1.00/1.20, real only for the strikes in ``real``."""

    def __init__(self, real: set[float]) -> None:
        self.real = real
        daily = pd.DataFrame({"spx_close": [2000.0], "vix": [20.0]}, index=[SESSION])
        self.data = SimpleNamespace(daily=daily)

    def quote(self, date, underlying, expiry, strike, right) -> QuoteBlock:
        n = len(strike)
        bid, ask, z = np.full(n, 1.0), np.full(n, 1.2), np.zeros(n)
        rows = tuple("real" if float(k) in self.real else "modeled" for k in strike)
        return QuoteBlock(bid, ask, (bid + ask) / 2, z, z, z, z, z, z, z, "modeled", rows)


@pytest.mark.parametrize(
    ("real", "prices", "modeled"),
    [
        ({1800.0, 1850.0, 2100.0, 2150.0}, "real", []),
        # OCC symbols (Options Symbology Initiative): root padded to 6, YYMMDD, C/P, strike x 1000
        ({1800.0, 1850.0}, "mixed", ["SPXW  160415C02100000", "SPXW  160415C02150000"]),
        (set(), "modeled", ["SPXW  160415P01800000", "SPXW  160415C02150000"]),
    ],
)
def test_ticket_prices_per_leg(real: set[float], prices: str, modeled: list[str]) -> None:
    exp = pd.Timestamp("2016-04-15")
    legs = tuple(
        Leg("SPX", "SPXW", exp, "PM", k, r, q)  # type: ignore[arg-type]
        for k, r, q in ((1800, "P", 1), (1850, "P", -1), (2100, "C", -1), (2150, "C", 1))
    )
    order = Order("open", "condor", legs, 1, "entry")
    t = build_ticket(order, _PartlyReal(real), SESSION, load_policy("alvh-442"))  # type: ignore[arg-type]
    doc = t.as_dict()
    assert doc["prices"] == prices
    if not modeled:
        assert doc["prices_note"] is None
        assert modeled_warning([t], SESSION) is None
        return
    note = str(doc["prices_note"])
    n = 4 - len(real)
    assert note.startswith(f"modeled prices for {n} of 4 leg(s)")
    assert all(sym in note for sym in modeled)
    warning = modeled_warning([t], SESSION)
    assert warning is not None
    assert warning.startswith(f"prices: 1 of 1 ticket(s) priced by the model for {n} leg(s)")


def _snapshot(stamp: str) -> QuoteSnapshot:
    doc = {
        "timestamp": stamp,
        "data": {
            "symbol": "_SPX",
            "options": [
                {"option": "SPXW160415P01800000", "bid": 10.0, "ask": 10.4, "iv": 0.21},
                {"option": "SPXW160415C02100000", "bid": 5.0, "ask": 5.3, "iv": 0.15},
            ],
        },
    }
    data = json.dumps(doc).encode()
    parsed = parse_bytes(data, source="_SPX.json", kind="cboe_quotes_json")
    return QuoteSnapshot("_SPX.json", data, parsed.frames["chain"])


# New York is UTC-5 on these days (US daylight saving time 2016 began on 13 March).
@pytest.mark.parametrize(
    ("stamp", "session", "stored", "why"),
    [
        ("2016-03-01 16:15:02", None, "2016-03-01", None),
        ("2016-03-01T21:15:00Z", None, "2016-03-01", None),  # 16:15 ET
        ("2016-03-01 15:59:00", None, None, "before the 16:00 ET close"),
        ("2016-03-01 20:15:00", None, None, "global trading hours"),
        ("2016-03-02T01:30:00+00:00", None, None, "global trading hours"),  # 20:30 ET
        ("2016-03-05 17:00:00", None, None, "2016-03-05 is not an XNYS session"),  # Saturday
        ("2016-02-29 16:20:00", SESSION, None, "not of the session 2016-03-01"),
    ],
)
def test_snapshot_rules(
    service_env: Path, stamp: str, session: pd.Timestamp | None, stored: str | None, why: str | None
) -> None:
    got = store_snapshots([_snapshot(stamp)], Store(), session=session)
    dates = [f"{d:%Y-%m-%d}" for d in ChainDataset().dates("SPX")]
    if stored is None:
        assert got.result is None and dates == []
        (line,) = got.lines()
        assert line.startswith("chain: _SPX.json skipped: ") and why in line
        return
    assert dates == [stored]
    assert got.result is not None and got.result.rows == 2
    assert got.skipped == ()


def test_a_bad_timestamp_is_a_located_error(service_env: Path) -> None:
    snap = _snapshot("2016-03-01 16:15:02")
    bad = QuoteSnapshot(snap.source, b'{"timestamp": "soon", "data": {"options": []}}', snap.frame)
    with pytest.raises(DataError, match="timestamp"):
        store_snapshots([bad], Store())
