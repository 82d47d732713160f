"""`vixshield signal` restores the strategy state by replaying the backtest (`--since`).

The command runs for real (markets, strategy, engine) on the embedded sample, and on
the real history where ../shared/data is present: its orders are the backtest's orders
on the same close, and the output names the replay start.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from vixshield.backtest import Backtest
from vixshield.cli import run_cmd
from vixshield.cli.app import app
from vixshield.markets.view import Markets
from vixshield.report.json_out import dumps_stable, to_jsonable
from vixshield.strategy import compute_indicators, decide, load_policy
from vixshield.strategy.types import Decision

runner = CliRunner()
REAL_FILES = ("spx/spx_stooq_daily.csv", "cboe_indices", "rates/tbill13week_2005_2014.csv")


def backtest_decisions(market: Markets, start: str, end: str) -> dict[pd.Timestamp, Decision]:
    """The decisions of ``vixshield backtest --start START --end END`` (alvh-442), by close."""
    policy = load_policy("alvh-442")
    out: dict[pd.Timestamp, Decision] = {}

    def recording(*args: Any, **kwargs: Any) -> Decision:
        d = decide(*args, **kwargs)
        out[pd.Timestamp(d.date)] = d
        return d

    first = pd.Timestamp(start)
    ind = compute_indicators(market.data.until(pd.Timestamp(end)), policy, start=first)
    Backtest(policy, market, start=first, end=end, decide=recording, indicators=ind).run()
    return out


def orders_json(decision: Decision) -> Any:
    return json.loads(dumps_stable(to_jsonable(list(decision.orders))))


def signal_json(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["signal", "--json", *args])
    assert result.exit_code == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


@pytest.fixture(scope="module")
def embedded_market() -> Markets:
    return run_cmd._load_market("embedded")  # type: ignore[return-value]


@pytest.fixture
def embedded(embedded_market: Markets, monkeypatch: pytest.MonkeyPatch) -> Markets:
    monkeypatch.setattr(run_cmd, "_load_market", lambda source: embedded_market)
    return embedded_market


def test_signal_orders_are_the_backtest_orders_and_name_the_start(embedded: Markets) -> None:
    ref = backtest_decisions(embedded, "2017-11-01", "2018-02-07")
    for day in ("2018-02-05", "2018-02-06", "2018-02-07"):  # the closes
        doc = signal_json("--date", day, "--since", "2017-11-01")
        assert doc["replay"] == {"since": "2017-11-01", "positions": "replayed"}
        assert doc["orders"] == orders_json(ref[pd.Timestamp(day)]), day


def test_signal_default_start_is_a_year_before_and_is_shown(embedded: Markets) -> None:
    result = runner.invoke(app, ["signal", "--date", "2018-02-06"])
    assert result.exit_code == 0, result.stderr
    assert "Strategy state replayed from 2017-02-06" in result.stdout
    assert "the replayed book" in result.stdout


def test_signal_with_positions_keeps_the_replayed_state(embedded: Markets, tmp_path: Path) -> None:
    book = signal_json("--date", "2018-02-06", "--since", "2017-11-01")
    assert book["positions"]
    pos = tmp_path / "positions.json"
    pos.write_text(json.dumps({"positions": book["positions"]}))
    doc = signal_json("--date", "2018-02-06", "--since", "2017-11-01", "--positions", str(pos))
    assert doc["replay"] == {"since": "2017-11-01", "positions": "file"}
    assert [p["id"] for p in doc["positions"]] == [p["id"] for p in book["positions"]]
    ids = {p["id"] for p in book["positions"]}
    assert all(o["position_id"] in ids for o in doc["orders"] if o["action"] == "close")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2018-02-06", "--since", "2018-02-07"], "--since 2018-02-07 is after --date"),
        (["--date", "2018-02-06", "--since", "1980-01-02"], "--since 1980-01-02 is outside"),
        (["--since", "2018/01/02"], "--since: expected a date YYYY-MM-DD"),
    ],
)
def test_signal_since_errors(embedded: Markets, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["signal", *args])
    assert result.exit_code == 2 and result.stdout == ""
    assert message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.shared_data
def test_signal_on_the_real_history_equals_the_backtest(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vixshield.data.loader import load_store
    from vixshield.data.store import Store
    from vixshield.data.store_import import import_path

    store = Store(tmp_path)
    for f in REAL_FILES:
        import_path(shared_data / f, store)
    market = Markets(load_store(home=tmp_path))
    monkeypatch.setattr(run_cmd, "_load_market", lambda source: market)
    ref = backtest_decisions(market, "2019-01-02", "2019-07-31")
    day = next(d for d in sorted(ref) if d >= pd.Timestamp("2019-07-01") and ref[d].orders)
    doc = signal_json("--date", f"{day:%Y-%m-%d}", "--since", "2019-01-02", "--data", "store")
    assert doc["replay"] == {"since": "2019-01-02", "positions": "replayed"}
    assert doc["orders"] == orders_json(ref[day]) != []
