"""Walk-forward (`vixshield.sweep.walkforward`): folds, no look-ahead, chaining."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from vixshield.sweep import make_folds, pareto_front, walk_forward
from vixshield.sweep.walkforward import _chain

GRID = {"sizing.risk_per_condor": [0.01, 0.03]}
START, END = "2015-01-02", "2015-09-30"  # one fold: train to 2015-07-01, test to 2015-09-30


def test_folds_roll_by_the_test_length() -> None:
    days = pd.bdate_range("2010-01-01", "2015-12-31")
    folds = make_folds(days, 2, 1)
    # train [2010, 2012) test 2012; then [2011, 2013) test 2013; ...; last test 2015
    assert [(f.train_start.year, f.train_end.year, f.test_start.year) for f in folds] == [
        (2010, 2011, 2012), (2011, 2012, 2013), (2012, 2013, 2014), (2013, 2014, 2015),
    ]  # fmt: skip
    assert folds[0].train_end == pd.Timestamp("2011-12-30")  # last business day of 2011
    assert folds[0].test_start == pd.Timestamp("2012-01-02")
    assert all(f.train_end < f.test_start for f in folds)


def test_chain_multiplies_the_test_windows_returns() -> None:
    a = pd.DataFrame({"equity": [110.0, 121.0]}, index=pd.to_datetime(["2020-01-01", "2020-01-02"]))
    b = pd.DataFrame({"equity": [50.0]}, index=pd.to_datetime(["2020-01-03"]))
    # +10%, +10%, then -50% on a run that started with 100: 1000 x 1.1 x 1.1 x 0.5
    chained = _chain([a, b], [100.0, 100.0], 1000.0)
    np.testing.assert_allclose(chained.to_numpy(), [1100.0, 1210.0, 605.0])


def test_pareto_front_by_hand() -> None:
    # (cagr, max drawdown): b dominates a; c and b trade off; d is NaN
    front = pareto_front([0.05, 0.08, 0.12, float("nan")], [-0.10, -0.10, -0.20, -0.01])
    assert front.tolist() == [False, True, True, False]


def _altered_after(market: Any, day: pd.Timestamp) -> Any:
    """The embedded data with SPX down 30% and VIX doubled on every day after ``day``."""
    from vixshield.markets import Markets

    data = market.data
    daily = data.daily.copy()
    later = daily.index > day
    for col in ("spx_open", "spx_high", "spx_low", "spx_close", "spx_set"):
        daily.loc[later, col] *= 0.7
    for col in ("vix", "vix_open", "vix9d", "vix3m", "vix6m"):
        daily.loc[later, col] *= 2.0
    return Markets(replace(data, daily=daily))


@pytest.fixture(scope="module")
def original(embedded_market: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("wf")
    return walk_forward(GRID, 0.5, 0.25, "sharpe", data=embedded_market, start=START, end=END,
                        workers=0, out=out), out  # fmt: skip


def test_walk_forward_writes_and_chains(original: Any) -> None:
    result, out = original
    assert len(result.folds) == 1
    fold = result.folds.iloc[0]
    assert (fold["train_start"], fold["train_end"]) == ("2015-01-02", "2015-07-01")
    assert (fold["test_start"], fold["test_end"]) == ("2015-07-02", "2015-09-30")
    assert result.equity.index[0] == pd.Timestamp("2015-07-02")
    for name in ("walkforward.json", "walkforward.html", "walkforward_folds.parquet",
                 "walkforward_equity.parquet", "walkforward_runs.parquet"):  # fmt: skip
        assert (out / name).is_file(), name
    assert len(pd.read_parquet(out / "walkforward_runs.parquet")) == 2  # 1 fold x 2 variants


def test_training_never_sees_the_test_window(original: Any, embedded_market: Any) -> None:
    result, _ = original
    train_end = pd.Timestamp(result.folds.iloc[0]["train_end"])
    altered = walk_forward(GRID, 0.5, 0.25, "sharpe", data=_altered_after(embedded_market,
                           train_end), start=START, end=END, workers=0)  # fmt: skip
    before, after = result.folds.iloc[0], altered.folds.iloc[0]
    assert after["chosen"] == before["chosen"]
    assert after["in_sample_sharpe"] == before["in_sample_sharpe"]
    # the alteration is real: the out-of-sample runs saw it
    assert altered.metrics["oos"]["total_return"] != result.metrics["oos"]["total_return"]


def test_walk_forward_says_which_inputs_were_modeled(original: Any, embedded_market: Any) -> None:
    """Its JSON and HTML count, over the training and test runs, the inputs a separate
    backtest of the base policy on the test window declares modeled."""
    from vixshield.backtest import Backtest
    from vixshield.strategy.policy import load_policy

    result, out = original
    test = result.folds.iloc[0]
    ref = Backtest(load_policy("alvh-442"), embedded_market, test["test_start"],
                   test["test_end"]).run()  # fmt: skip
    modeled = {k for k, p in ref.provenance.items() if p.origin == "modeled"}
    doc = json.loads((out / "walkforward.json").read_text(encoding="utf-8"))
    inputs = doc["inputs"]
    assert inputs == result.inputs
    # training: 1 fold x 2 variants; tests: the chosen variant and the base policy (one
    # run where the chosen variant is the base policy)
    assert inputs["runs"] in (3, 4)
    assert modeled <= set(inputs["modeled"])
    assert all(inputs["series"][k]["modeled_runs"] >= 1 for k in modeled)
    assert inputs["series"]["vix"]["origin"] == "real"
    assert "Inputs: real or modeled" in (out / "walkforward.html").read_text(encoding="utf-8")
