"""`vixshield chain`, `futures` and `vix-index` on a small synthetic MarketData."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from markets_fakes import make_data
from typer.testing import CliRunner

from vixshield.cli import _sources
from vixshield.cli.app import app
from vixshield.data.market import MarketData

_DATA = make_data(periods=40)


@pytest.fixture(autouse=True)
def _fake_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = _sources.load_data

    def load(source: str) -> MarketData:
        return _DATA if source in _sources.DATA_SOURCES else real(source)

    monkeypatch.setenv("VIXSHIELD_HOME", str(tmp_path))  # an empty store: no real chains
    monkeypatch.setattr(_sources, "load_data", load)


runner = CliRunner()
DAY = str(_DATA.daily.index[10].date())


def test_chain_csv_has_all_rows_and_columns() -> None:
    res = runner.invoke(app, ["chain", "SPX", "--date", DAY, "--csv"])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(io.StringIO(res.stdout))
    assert list(df.columns) == [
        "expiry", "strike", "right", "bid", "ask", "mid", "iv", "delta", "origin",
    ]  # fmt: skip
    assert len(df) > 1000 and set(df["origin"]) == {"modeled"}


def test_chain_table_is_truncated_with_a_note() -> None:
    res = runner.invoke(app, ["chain", "VIX", "--date", DAY])
    assert res.exit_code == 0, res.output
    assert "near the money" in res.stdout and "use --csv" in res.stdout


def test_futures_range_csv() -> None:
    end = str(_DATA.daily.index[12].date())
    res = runner.invoke(app, ["futures", "--start", DAY, "--end", end, "--csv"])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(io.StringIO(res.stdout))
    assert df["date"].nunique() == 3 and list(df.columns)[-1] == "origin"


def test_vix_index_prints_formula_and_actual() -> None:
    res = runner.invoke(app, ["vix-index", "--date", DAY])
    assert res.exit_code == 0, res.output
    actual = _DATA.daily.loc[pd.Timestamp(DAY), "vix"]
    assert f"actual VIX {actual:.2f}" in res.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["chain", "SPX", "--date", "1990-01-02"],
        ["chain", "QQQ", "--date", DAY],
        ["chain", "SPX", "--date", "not-a-date"],
        ["futures", "--date", DAY, "--start", DAY],
        ["vix-index", "--date", "2031-01-02"],
    ],
)
def test_user_errors(args: list[str]) -> None:
    from vixshield.errors import UserError

    res = runner.invoke(app, args)
    assert res.exit_code != 0
    assert isinstance(res.exception, UserError)


def test_modeled_spx_chain_says_how_the_surface_fits() -> None:
    # The note names the fitted VIX against its close, SKEW, and the inputs that are
    # modeled (the dividend yield always is: a shipped table, or the constant without it).
    res = runner.invoke(app, ["chain", "SPX", "--date", DAY])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "surface fitted/target: VIX" in out and "SKEW" in out
    assert "modeled inputs: q" in out
