"""The notebook API (`vixshield.api`, re-exported as ``import vixshield as vs``).

Reference values come from outside the API: the engine run directly
(`Backtest(...).run()` and `summary_dict`), the CLI's files, the accounting identity
equity = capital + P&L, the policy schema itself.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import vixshield as vs
from vixshield.backtest import Backtest, summary_dict
from vixshield.data.embedded import load_embedded
from vixshield.errors import UserError
from vixshield.markets import Markets
from vixshield.strategy.policy import Policy, load_policy

REPO = Path(__file__).resolve().parents[1]
START, END = "2016-01-04", "2016-06-30"
SCALARS = (str, int, float, bool, type(None))


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("market-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VIXSHIELD_MARKET_CACHE", str(folder))
        yield folder


@pytest.fixture(scope="module")
def data(cache_dir: Path) -> vs.Data:
    return vs.load_data("embedded")


def _credit_policy() -> Policy:
    """alvh-442 with hedge.budget_basis = credit, built from the schema, not the API."""
    tree = load_policy("alvh-442").model_dump()
    tree["hedge"]["budget_basis"] = "credit"
    return Policy.model_validate(tree)


@pytest.fixture(scope="module")
def credit_run(data: vs.Data) -> vs.Result:
    return vs.backtest("alvh-442", data, start=START, end=END, hedge__budget_basis="credit")


def test_summary_is_the_engines_summary_of_a_direct_run(credit_run: vs.Result) -> None:
    direct = Backtest(_credit_policy(), Markets(load_embedded()), start=START, end=END).run()
    expected = {k: v for k, v in summary_dict(direct).items() if isinstance(v, SCALARS)}
    assert credit_run.summary.to_dict() == expected
    assert credit_run.policy.hedge.budget_basis == "credit"
    pd.testing.assert_frame_equal(credit_run.trades, direct.trades)
    pd.testing.assert_frame_equal(credit_run.cycles, direct.cycles)
    pd.testing.assert_series_equal(credit_run.equity, direct.daily["equity"])


def test_equity_is_capital_plus_the_pnl(credit_run: vs.Result) -> None:
    daily = credit_run.daily
    capital = float(credit_run.summary["capital"])
    pnl_cols = [c for c in daily.columns if str(c).startswith("pnl_")]
    total = float(daily[pnl_cols].to_numpy().sum())
    assert credit_run.equity.iloc[-1] == pytest.approx(capital + total, abs=0.01)
    assert credit_run.equity.index[0] == pd.Timestamp(START)
    assert credit_run.equity.index[-1] == pd.Timestamp(END)
    assert float(credit_run.pnl_by_component.sum()) == pytest.approx(
        credit_run.equity.iloc[-1] - capital, abs=1.0
    )


def test_overrides_as_keywords_or_mapping_give_the_schema_policy() -> None:
    base = load_policy("alvh-442")
    before = base.model_dump()
    by_keyword = vs.resolve_policy(base, hedge__layers__0__weight=0.5, condor__k_low=1.25)
    by_mapping = vs.resolve_policy(
        base, overrides={"hedge.layers.0.weight": 0.5, "condor.k_low": 1.25}
    )
    tree = base.model_dump()
    tree["hedge"]["layers"][0]["weight"] = 0.5
    tree["condor"]["k_low"] = 1.25
    assert by_keyword == by_mapping == Policy.model_validate(tree)
    assert base.model_dump() == before  # the given policy is not modified


@pytest.mark.parametrize(
    ("kwargs", "located"),
    [
        ({"hedge__nope": 1}, "unknown policy field 'hedge.nope'"),
        ({"overrides": {"hedge.layers.7.weight": 1.0}}, "'hedge.layers.7' needs an index 0..2"),
        ({"hedge__budget_basis": "nope"}, "[hedge.budget_basis]"),
        ({"account__capital": -5.0}, "[account.capital]"),
    ],
)
def test_bad_overrides_are_refused_with_the_field(
    data: vs.Data, kwargs: dict[str, object], located: str
) -> None:
    with pytest.raises(UserError) as err:
        vs.backtest("alvh-442", data, start=START, end=END, **kwargs)  # type: ignore[arg-type]
    assert located in str(err.value)


def test_bad_period_and_source_are_user_errors(data: vs.Data) -> None:
    with pytest.raises(UserError, match="outside the data"):
        vs.backtest("alvh-442", data, start="2030-01-02")
    with pytest.raises(UserError, match="after end"):
        vs.backtest("alvh-442", data, start=END, end=START)
    with pytest.raises(UserError, match="--data: expected one of embedded, store"):
        vs.load_data("nowhere")


def test_written_files_are_the_clis(
    data: vs.Data, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from vixshield.cli.app import app

    monkeypatch.setenv("VIXSHIELD_MARKET_CACHE", "off")
    cli_out, api_out = tmp_path / "cli", tmp_path / "api"
    args = ["backtest", "--start", START, "--end", END, "--out", str(cli_out), "--json"]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    res = vs.backtest("alvh-442", data, start=START, end=END)
    names = sorted(p.name for p in res.write(api_out))
    assert names == ["cycles.csv", "equity.csv", "report.html", "summary.json", "trades.csv"]
    for name in names:
        assert (api_out / name).read_bytes() == (cli_out / name).read_bytes(), name
    assert (
        json.loads((cli_out / "summary.json").read_text())["final_equity"]
        == (res.summary["final_equity"])
    )


def test_plot_and_html_show_the_run(credit_run: vs.Result) -> None:
    figures = credit_run.plot()
    assert isinstance(figures, dict)
    assert {"equity", "vix_regime", "pnl_components", "credit_to_hedge"} <= set(figures)
    trace = figures["equity"].data[0]
    assert list(trace.y) == pytest.approx(credit_run.equity.tolist())
    assert credit_run.plot("equity").to_json() == figures["equity"].to_json()
    with pytest.raises(UserError, match="plot: expected one of"):
        credit_run.plot("nope")
    page = credit_run._repr_html_()
    final = float(credit_run.summary["final_equity"])
    assert f"${final:,.2f}" in page
    assert "modeled: " in page and "real: " in page  # what was real and what modeled
    assert "<table>" in page and "DataFrame" not in page


def test_compare_is_each_policys_own_summary(data: vs.Data) -> None:
    table = vs.compare(["alvh-442", "no-hedge"], data, start=START, end="2016-03-31")
    assert list(table.columns) == ["alvh-442", "no-hedge"]
    markets = Markets(load_embedded())
    for name in table.columns:
        run = Backtest(load_policy(name), markets, start=START, end="2016-03-31").run()
        expected = {k: v for k, v in summary_dict(run).items() if isinstance(v, SCALARS)}
        assert table[name].to_dict() == expected
    with pytest.raises(UserError, match="given twice"):
        vs.compare(["no-hedge", "no-hedge"], data, start=START, end="2016-03-31")


def test_signal_is_the_backtests_decision_at_that_close(data: vs.Data) -> None:
    day, since = "2016-03-01", "2015-09-01"
    sig = vs.signal(day, "alvh-442", data, since=since)
    run = Backtest(load_policy("alvh-442"), Markets(load_embedded()), start=since, end=day).run()
    assert run.last_decision is not None
    assert sig.decision.orders == run.last_decision.orders
    assert sig.document["date"] == day
    assert len(sig.orders) == len(run.last_decision.orders)
    assert "VixShield signal" in sig._repr_html_()


def test_import_is_cheap_and_subpackages_stay_modules() -> None:
    code = (
        "import sys, vixshield as vs\n"
        "heavy = [m for m in ('pandas', 'plotly', 'numba', 'arch') if m in sys.modules]\n"
        "import vixshield.backtest as bt\n"
        "from vixshield.backtest import Backtest\n"
        "print(heavy, bt.Backtest is Backtest, vs.backtest is bt, callable(vs.backtest),"
        " 'load_data' in dir(vs))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert out.stdout.strip() == "[] True True True True"


def test_embedded_data_loads_without_importing_arch() -> None:
    code = (
        "import sys\n"
        "from vixshield.data.embedded import load_embedded\n"
        "d = load_embedded()\n"
        "print('arch' in sys.modules, len(d.daily))\n"
        "from arch.data import sp500, vix, core_cpi\n"
        "from vixshield.data.embedded import _arch_data\n"
        "print(sp500.load().equals(_arch_data('sp500', 'sp500.csv.gz')),"
        " vix.load().equals(_arch_data('vix', 'vix.csv.gz')),"
        " core_cpi.load().equals(_arch_data('core_cpi', 'core-cpi.csv.gz')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    first, second = out.stdout.split("\n")[:2]
    assert first.startswith("False ")
    assert second == "True True True"  # read as arch's own loaders read them


def _readme_example() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Python API\n", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found is not None, "README's Python API section has no python block"
    return found.group(1)


def test_readme_example_runs(cache_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scope: dict[str, object] = {}
    exec(compile(_readme_example(), "README.md:Python API", "exec"), scope)
    res = scope["res"]
    assert isinstance(res, vs.Result)
    assert res.policy.hedge.budget_basis == "credit"
    table = scope["table"]
    assert isinstance(table, pd.DataFrame)
    direct = Backtest(load_policy("no-hedge"), Markets(load_embedded()), start=START, end=END)
    assert table.loc["final_equity", "no-hedge"] == summary_dict(direct.run())["final_equity"]
    assert "final_equity" in capsys.readouterr().out


sweep_available = importlib.util.find_spec("vixshield.sweep") is not None


@pytest.mark.skipif(not sweep_available, reason="vixshield.sweep is not written yet")
def test_sweep_rows_are_separate_backtests(data: vs.Data) -> None:
    grid = {"hedge.budget_basis": ["equity", "credit"]}
    frame = vs.sweep(grid, "alvh-442", "embedded", START, "2016-03-31", workers=0)
    assert list(frame["hedge.budget_basis"]) == ["equity", "credit"]
    for basis, final in zip(frame["hedge.budget_basis"], frame["final_equity"], strict=True):
        tree = load_policy("alvh-442").model_dump()
        tree["hedge"]["budget_basis"] = basis
        run = Backtest(
            Policy.model_validate(tree), Markets(load_embedded()), start=START, end="2016-03-31"
        ).run()
        assert final == summary_dict(run)["final_equity"]
