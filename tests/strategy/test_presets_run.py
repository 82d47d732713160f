"""Every preset through 60 closes of the fake market: the order contract holds."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from strategy_fakes import FakeMarket, synthetic_data

from vixshield.strategy import (
    AccountState,
    Position,
    compute_indicators,
    decide,
    list_presets,
    load_policy,
)

DATA = synthetic_data(200, seed=11)


@pytest.mark.parametrize("name", list_presets())
def test_preset_runs_and_orders_are_well_formed(name: str) -> None:
    policy = load_policy(name)
    # the fake's smile pays less than SPX's: relax the credit-to-width floor so entries happen
    policy = policy.model_copy(
        update={"condor": policy.condor.model_copy(update={"min_credit_to_width": 0.02})}
    )
    ind = compute_indicators(DATA, policy)
    market = FakeMarket(DATA, weeklies=True, skew=-0.25)  # SPX-like put skew
    account = AccountState(policy.account.capital, policy.account.capital, 0.0)
    positions: list[Position] = []
    state = None
    kinds = {"condor"} | {f"hedge:{x.name}" for x in policy.hedge.layers}
    opened = 0
    for day in DATA.daily.index[120:180]:
        positions = [p for p in positions if min(x.expiry for x in p.legs) > day]
        dec = decide(day, market, positions, account, policy, state, ind)
        json.dumps(dec.details, allow_nan=False)
        assert dec.audit and dec.regime in ("calm", "normal", "elevated", "stressed")
        held = {p.id: p for p in positions}
        for o in dec.orders:
            assert o.label in kinds and o.contracts > 0 and o.reason
            if o.action == "close":
                assert o.position_id in held and o.contracts <= held[o.position_id].contracts
                assert o.legs == held[o.position_id].legs
                p = held[o.position_id]
                held[o.position_id] = replace(p, contracts=p.contracts - o.contracts)
            else:
                assert o.position_id is None
                if o.kind == "condor":
                    assert [x.ratio for x in o.legs] == [1, -1, -1, 1]
                    s = [x.strike for x in o.legs]
                    assert s == sorted(s)
                q = market.quote(
                    day,
                    o.legs[0].underlying,
                    [x.expiry for x in o.legs],
                    np.array([x.strike for x in o.legs]),
                    [x.right for x in o.legs],
                )
                price = float(sum(x.ratio * q.mid[j] for j, x in enumerate(o.legs)))
                opened += 1
                held[f"n{opened}"] = Position(
                    f"n{opened}", o.kind, o.legs, o.contracts, day, price, layer=o.layer
                )
        positions = [p for p in held.values() if p.contracts > 0]
        state = dec.state
    assert opened > 0
