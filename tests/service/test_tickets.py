"""Order tickets: OCC symbols against published examples, ticks, and figures by hand."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from vixshield.markets.types import QuoteBlock
from vixshield.service.tickets import (
    build_ticket,
    net_tick,
    occ_symbol,
    parse_occ_symbol,
    round_to_tick,
    verb,
)
from vixshield.strategy.policy import load_policy
from vixshield.strategy.types import Leg, Order

# Published OSI examples: the brief's SPXW example (issue 12); cutemarkets.com "OCC option
# symbol format" (SPXW 2026-04-17 6000 put, SPY 500 call, GLDM 65 call); macroption.com
# "OSI option symbol parser" (AAPL 2026-09-18 260 call).
OCC_EXAMPLES = [
    ("SPXW  251121P06250000", "SPXW", "2025-11-21", "P", 6250.0),
    ("SPXW  260417P06000000", "SPXW", "2026-04-17", "P", 6000.0),
    ("SPY   260417C00500000", "SPY", "2026-04-17", "C", 500.0),
    ("GLDM  260618C00065000", "GLDM", "2026-06-18", "C", 65.0),
    ("AAPL  260918C00260000", "AAPL", "2026-09-18", "C", 260.0),
    ("VIX   160518C00022500", "VIX", "2016-05-18", "C", 22.5),  # 22.50 -> 00022500 (OSI rule)
]


@pytest.mark.parametrize(("symbol", "root", "expiry", "right", "strike"), OCC_EXAMPLES)
def test_occ_symbols_match_published_examples(symbol, root, expiry, right, strike) -> None:
    assert occ_symbol(root, pd.Timestamp(expiry), right, strike) == symbol
    assert len(symbol) == 21
    assert parse_occ_symbol(symbol) == (root, pd.Timestamp(expiry), right, strike)
    assert parse_occ_symbol(symbol.replace(" ", ""))[0] == root  # the compact display


def test_bad_symbols_are_refused() -> None:
    with pytest.raises(ValueError):
        occ_symbol("TOOLONGROOT", pd.Timestamp("2026-01-16"), "C", 100)
    with pytest.raises(ValueError):
        occ_symbol("SPX", pd.Timestamp("2026-01-16"), "X", 100)
    with pytest.raises(ValueError):
        parse_occ_symbol("SPXW 2511P0625")


def test_verbs() -> None:
    assert [verb(1, "open"), verb(-1, "open"), verb(-1, "close"), verb(1, "close")] == [
        "BTO",
        "STO",
        "BTC",
        "STC",
    ]


def test_ticks_follow_cboe() -> None:
    # Cboe SPX/VIX: 0.05 below 3.00, 0.10 from 3.00; complex orders 0.05 (RG10-125)
    assert net_tick(2.95, 1) == 0.05
    assert net_tick(3.00, 1) == 0.10
    assert net_tick(7.3, 4) == 0.05
    assert round_to_tick(1.15, 0.05, "down") == 1.15  # not 1.10 from 1.15/0.05 = 22.99999
    assert round_to_tick(1.531, 0.05) == 1.55
    assert round_to_tick(3.34, 0.10, "up") == 3.40
    assert round_to_tick(3.34, 0.10, "down") == 3.30


class _Market:
    """Quotes fixed per (strike, right); SPX at 2000 on the date."""

    def __init__(self, quotes: dict[tuple[float, str], tuple[float, float]]) -> None:
        self.quotes = quotes
        daily = pd.DataFrame(
            {"spx_close": [2000.0], "vix": [20.0]}, index=[pd.Timestamp("2016-03-01")]
        )
        self.data = SimpleNamespace(daily=daily)

    def quote(self, date, underlying, expiry, strike, right) -> QuoteBlock:
        bid = np.array([self.quotes[(float(k), r)][0] for k, r in zip(strike, right, strict=True)])
        ask = np.array([self.quotes[(float(k), r)][1] for k, r in zip(strike, right, strict=True)])
        z = np.zeros(len(bid))
        return QuoteBlock(bid, ask, (bid + ask) / 2, z, z + 0.1, z, z, z, z, z, "modeled")


EXP = pd.Timestamp("2016-04-15")


def _leg(k: float, right: str, ratio: int, root: str = "SPXW") -> Leg:
    return Leg("SPX", root, EXP, "PM", k, right, ratio)  # type: ignore[arg-type]


def test_condor_ticket_figures_by_hand() -> None:
    policy = load_policy("alvh-442")  # spread share 0.25, take profit 0.5, stop 2x, exit 21 DTE
    legs = (_leg(1800, "P", 1), _leg(1850, "P", -1), _leg(2100, "C", -1), _leg(2150, "C", 1))
    market = _Market(
        {
            (1800.0, "P"): (1.00, 1.20),
            (1850.0, "P"): (2.00, 2.20),
            (2100.0, "C"): (1.50, 1.70),
            (2150.0, "C"): (0.40, 0.60),
        }
    )
    t = build_ticket(
        Order("open", "condor", legs, 3, "entry"), market, pd.Timestamp("2016-03-01"), policy
    )
    # mids 1.10, 2.10, 1.60, 0.50: credit 2.10 + 1.60 - 1.10 - 0.50 = 2.10
    assert t.direction == "credit"
    assert t.mid == pytest.approx(2.10)
    assert t.limit == pytest.approx(2.10)
    # worst: 2.10 - 0.25 x (4 legs x 0.20 wide) = 1.90
    assert t.worst == pytest.approx(1.90)
    assert [q.verb for q in t.legs] == ["BTO", "STO", "STO", "BTO"]
    assert [q.quantity for q in t.legs] == [3, 3, 3, 3]
    assert t.legs[0].symbol == "SPXW  160415P01800000"
    # max loss = (width 50 - credit 2.10) x 100 x 3 = 14,370
    assert t.max_loss == pytest.approx(14_370.0)
    # Reg-T: the wider wing, 50 x 100 x 3 = 15,000
    assert t.buying_power == pytest.approx(15_000.0)
    # take profit: close at (1 - 0.5) x 2.10 = 1.05; stop at (1 + 2) x 2.10 = 6.30
    assert t.take_profit == pytest.approx(1.05)
    assert t.stop == pytest.approx(6.30)
    # exit: the first session at most 21 days before 2016-04-15, i.e. on/after 2016-03-25
    # (Good Friday 2016-03-25 is an NYSE holiday) -> Monday 2016-03-28
    assert t.exit_date == pd.Timestamp("2016-03-28")
    assert t.origin == "modeled"


def test_close_ticket_reverses_the_sides() -> None:
    policy = load_policy("alvh-442")
    legs = (_leg(1850, "P", -1), _leg(1800, "P", 1))
    market = _Market({(1850.0, "P"): (0.90, 1.10), (1800.0, "P"): (0.20, 0.30)})
    order = Order("close", "condor", legs, 2, "take profit", position_id="P1")
    t = build_ticket(order, market, pd.Timestamp("2016-03-01"), policy)
    assert [q.verb for q in t.legs] == ["BTC", "STC"]
    # debit to close: 1.00 - 0.25 = 0.75; worst 0.75 + 0.25 x (0.20 + 0.10) = 0.825 -> 0.85
    assert (t.direction, t.limit, t.worst) == ("debit", 0.75, 0.85)
    assert t.max_loss is None
    # releases the 50-point spread's margin (50 x 100 x 2) and pays the debit
    assert t.buying_power == pytest.approx(-10_000 + 0.75 * 100 * 2)


def test_single_leg_long_call_max_loss_is_the_debit() -> None:
    policy = load_policy("alvh-442")
    market = _Market({(2100.0, "C"): (3.10, 3.50)})
    t = build_ticket(
        Order("open", "hedge", (_leg(2100, "C", 1),), 2, "buy", layer="short"),
        market,
        pd.Timestamp("2016-03-01"),
        policy,
    )
    # mid 3.30 at or above 3.00: single-leg tick 0.10; worst 3.30 + 0.25 x 0.40 = 3.40
    assert (t.tick, t.limit, t.worst) == (0.10, 3.3, 3.4)
    assert t.max_loss == pytest.approx(3.3 * 100 * 2)
