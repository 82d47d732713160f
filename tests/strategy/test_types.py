"""Typed seams: position kinds with a layer, audit outcomes with a note, the DecideFn state."""

from __future__ import annotations

import pandas as pd
import pytest
from strategy_fakes import FakeMarket, synthetic_data

from vixshield.strategy import compute_indicators, decide, load_policy
from vixshield.strategy.state import StrategyState
from vixshield.strategy.types import (
    AccountState,
    ForeignStateError,
    Leg,
    Order,
    Position,
    RuleFired,
    parse_kind_label,
)

LEG = Leg("VIX", "VIX", pd.Timestamp("2016-02-17"), "AM", 20.0, "C", 1)
DAY = pd.Timestamp("2016-01-04")


def test_a_hedge_names_its_layer_and_a_condor_has_none() -> None:
    p = Position("h", "hedge", (LEG,), 1, DAY, 1.0, layer="short")
    assert (p.kind, p.layer, p.label) == ("hedge", "short", "hedge:short")
    with pytest.raises(ValueError, match="layer"):
        Position("h", "hedge", (LEG,), 1, DAY, 1.0)
    with pytest.raises(ValueError, match="no layer"):
        Order("open", "condor", (LEG,), 1, "x", layer="short")


def test_a_label_is_split_once_at_the_boundary() -> None:
    assert parse_kind_label("condor") == ("condor", None)
    assert parse_kind_label("hedge:long") == ("hedge", "long")
    for bad in ("hedge:", "hedge", "put", "condor:x"):
        with pytest.raises(ValueError):
            parse_kind_label(bad)
    legacy = Position("h", "hedge:medium", (LEG,), 1, DAY, 1.0)  # type: ignore[arg-type]
    assert (legacy.kind, legacy.layer) == ("hedge", "medium")


def test_outcome_and_note_are_separate() -> None:
    r = RuleFired("min_credit", {}, "fail", "credit too small for the width")
    assert r.failed and r.text == "fail: credit too small for the width"
    ok = RuleFired("min_credit", {}, "pass")
    assert not ok.failed and ok.text == "pass"


def test_decide_refuses_a_state_it_did_not_make() -> None:
    data = synthetic_data(200)
    policy = load_policy("alvh-442")
    ind = compute_indicators(data, policy)
    day = data.daily.index[150]
    account = AccountState(1e6, 1e6, 0.0)
    first = decide(day, FakeMarket(data), [], account, policy, None, ind)
    assert isinstance(first.state, StrategyState)
    with pytest.raises(ForeignStateError, match="dict"):
        decide(day, FakeMarket(data), [], account, policy, {"cycles": ()}, ind)  # type: ignore[arg-type]
