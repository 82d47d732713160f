"""The book's legs as arrays (`BookLegs`), the book quote path and the loop's memos.

References: `RunState.quote` for the rows of `RunState.quote_book`, the hand-set quotes of
`bt_fakes.FakeMarket`, the Black-76 reference (`vixshield.pricing.reference`) for the
shocked prices, and the Reg-T widths worked by hand for the ledger's margin.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from bt_fakes import CountingMarket, make_data, ts

from vixshield.backtest.book import BookCache, BookLegs, leg_key
from vixshield.backtest.portfolio import Ledger, OpenPosition
from vixshield.backtest.shock import Shock, shocked_prices
from vixshield.backtest.state import RunState
from vixshield.markets.costs import CostModel
from vixshield.pricing.reference import black76_price_ref
from vixshield.strategy.marks import marks_from_legs
from vixshield.strategy.types import Leg, Position

_DAY = "2020-03-02"


def _leg(und: str, expiry: str, strike: float, right: str, ratio: int = 1) -> Leg:
    root = "SPX" if und == "SPX" else "VIX"
    return Leg(und, root, ts(expiry), "AM", strike, right, ratio)  # type: ignore[arg-type]


def _op(pid: str, legs: Sequence[Leg], contracts: int = 1) -> OpenPosition:
    kind, layer = ("hedge", "tail") if legs[0].underlying == "VIX" else ("condor", None)
    pos = Position(pid, kind, tuple(legs), contracts, ts(_DAY), 0.0, layer=layer)  # type: ignore[arg-type]
    n = len(legs)
    return OpenPosition(pos, np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n))


SPX_P = _leg("SPX", "2020-03-20", 3000.0, "P", -1)
SPX_C = _leg("SPX", "2020-03-20", 3100.0, "C", -1)
SPX_P2 = _leg("SPX", "2020-04-17", 2900.0, "P", 1)
VIX_C = _leg("VIX", "2020-03-18", 20.0, "C", 2)
VIX_C2 = _leg("VIX", "2020-04-15", 25.0, "C", 1)


def test_build_groups_requests_by_underlying_and_shares_repeated_legs() -> None:
    ops = [_op("A", [SPX_P, SPX_C]), _op("B", [VIX_C]), _op("C", [SPX_P, SPX_P2, VIX_C2])]
    book = BookLegs.build(ops)
    assert [rq.underlying for rq in book.requests] == ["SPX", "VIX"]  # first seen first
    spx, vix = book.requests
    assert spx.keys == [leg_key(SPX_P), leg_key(SPX_C), leg_key(SPX_P2)]  # SPX_P once
    assert spx.strike.tolist() == [3000.0, 3100.0, 2900.0]
    assert spx.right == ["P", "C", "P"]
    assert spx.expiry == [ts("2020-03-20"), ts("2020-03-20"), ts("2020-04-17")]
    assert vix.keys == [leg_key(VIX_C), leg_key(VIX_C2)]
    # table columns: SPX rows 0..2 then VIX rows 3..4
    assert book.column_list == [0, 1, 1 - 1 + 3, 0, 2, 4]
    assert book.bounds == [(0, 2), (2, 3), (3, 6)]
    assert book.lengths.tolist() == [2, 1, 3]
    assert book.is_vix.tolist() == [False, False, True, False, False, True]
    assert book.is_call.tolist() == [False, True, True, False, False, True]
    assert book.strikes.tolist() == [3000.0, 3100.0, 20.0, 3000.0, 2900.0, 25.0]
    assert book.ratios.tolist() == [-1.0, -1.0, 2.0, -1.0, 1.0, 1.0]
    day = 86_400_000_000_000
    assert book.first_expiry_days == [
        ts("2020-03-20").value // day,
        ts("2020-03-18").value // day,
        ts("2020-03-20").value // day,
    ]


def test_cache_finds_a_book_by_its_legs_and_stays_bounded() -> None:
    cache = BookCache(size=2)
    a, b = _op("A", [SPX_P, SPX_C]), _op("B", [VIX_C])
    first = cache.book([a, b])
    assert cache.book([a, b]) is first
    a.position = Position("A", "condor", a.position.legs, 5, ts(_DAY), 0.0)  # a partial close
    assert cache.book([a, b]) is first  # same legs tuples: same book
    assert cache.book([b, a]) is not first  # another order is another book
    a.position = Position("A", "condor", (SPX_P,), 5, ts(_DAY), 0.0)  # a leg settled
    changed = cache.book([a, b])
    assert changed.legs == [SPX_P, VIX_C]
    assert len(cache._books) == 2  # bounded: the oldest dropped
    assert all(bk is not first for _, bk in cache._books)


def _run() -> tuple[RunState, CountingMarket]:
    market = CountingMarket(make_data([_DAY]))
    market.calls = []
    hand = {
        SPX_P: (10.0, 10.6),
        SPX_C: (4.1, 4.5),
        SPX_P2: (20.2, 21.0),
        VIX_C: (1.05, 1.15),
        VIX_C2: (0.80, 0.95),
    }
    for lg, (b, a) in hand.items():
        market.set(_DAY, lg.underlying, str(lg.expiry.date()), lg.strike, lg.right, b, a)
    run = RunState(market=market, costs=CostModel(), shock=Shock(), ledger=Ledger(cash=1e6))
    run.start_day(2000.0, 15.0)
    return run, market


_OPS = (("A", [SPX_P, SPX_C]), ("B", [VIX_C]), ("C", [SPX_P, SPX_P2, VIX_C2]))


def test_quote_book_gives_the_rows_of_quote_with_one_call_per_underlying() -> None:
    run, market = _run()
    book = BookLegs.build([_op(p, legs) for p, legs in _OPS])
    q = run.quote_book(ts(_DAY), book)
    assert market.calls == [("SPX", 3), ("VIX", 2)]
    assert q.bid.tolist() == [10.0, 4.1, 1.05, 10.0, 20.2, 0.80]
    assert q.ask.tolist() == [10.6, 4.5, 1.15, 10.6, 21.0, 0.95]
    assert run.quote_book(ts(_DAY), book) is q  # the day's result reused
    ref, ref_market = _run()
    r = ref.quote(ts(_DAY), book.legs)
    assert ref_market.calls == market.calls
    for f in ("bid", "ask", "mid", "iv", "t_years", "forward", "delta", "vega", "theta"):
        got, want = getattr(q, f), getattr(r, f)
        assert got.tobytes() == want.tobytes() and got.flags["C_CONTIGUOUS"]
    assert q.origin == r.origin
    again = run.quote(ts(_DAY), [SPX_P2, VIX_C])  # later quotes of the day are served cached
    assert market.calls == [("SPX", 3), ("VIX", 2)]
    assert again.bid.tolist() == [20.2, 1.05]


def test_quote_book_after_other_quotes_of_the_day() -> None:
    run, market = _run()
    run.quote(ts(_DAY), [SPX_C])  # an earlier quote: the table is not empty
    book = BookLegs.build([_op(p, legs) for p, legs in _OPS])
    q = run.quote_book(ts(_DAY), book)
    assert market.calls == [("SPX", 1), ("SPX", 2), ("VIX", 2)]  # only the missing legs
    assert q.bid.tolist() == [10.0, 4.1, 1.05, 10.0, 20.2, 0.80]
    cached = BookLegs.build([_op("D", [VIX_C2, SPX_C])])
    assert run.quote_book(ts(_DAY), cached).bid.tolist() == [0.80, 4.1]
    assert len(market.calls) == 3  # all cached


def test_shocked_prices_all_known_match_the_black76_reference() -> None:
    shock = Shock(-0.10, 2.0, 0.5)
    is_vix = np.array([False, False, True])
    call = np.array([False, True, True])
    k = np.array([1900.0, 2100.0, 20.0])
    f = np.array([2000.0, 2000.0, 16.0])
    t = np.array([30 / 365, 10 / 365, 45 / 365])
    iv = np.array([0.15, 0.12, 0.8])
    mid = np.array([10.0, 5.0, 1.0])
    got = shocked_prices(is_vix, call, k, f, t, iv, mid, shock)
    # Black-76, no discounting: SPX F x 0.9 with vol x 2; VIX F x (1 + 0.5 x 1), vol kept
    want = black76_price_ref(
        np.array([1800.0, 1800.0, 24.0]), k, t, 0.0, np.array([0.30, 0.24, 0.8]), call
    )
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # one leg unknown: its last mark, the others as before
    iv_nan = np.array([0.15, np.nan, 0.8])
    part = shocked_prices(is_vix, call, k, f, t, iv_nan, mid, shock)
    assert part[1] == 5.0
    np.testing.assert_allclose(part[[0, 2]], want[[0, 2]], rtol=1e-12)


def _condor(pid: str, contracts: int) -> OpenPosition:
    legs = [
        _leg("SPX", "2020-03-20", 2800.0, "P", 1),
        _leg("SPX", "2020-03-20", 2850.0, "P", -1),
        _leg("SPX", "2020-03-20", 3150.0, "C", -1),
        _leg("SPX", "2020-03-20", 3175.0, "C", 1),
    ]
    return _op(pid, legs, contracts)


def test_ledger_margin_follows_positions_and_spot() -> None:
    led = Ledger(cash=1e6)
    led.open(_condor("A", 2), 0.0)
    spot = {"SPX": 3000.0, "VIX": 15.0}
    # widest wing 50 points x 100 x 2 contracts
    assert led.margin(spot) == 10_000.0
    assert led.margin(dict(spot)) == 10_000.0
    led.open(_condor("B", 1), 0.0)
    assert led.margin(spot) == 15_000.0  # a new position
    led.close("A", 1, 0.0)
    assert led.margin(spot) == 10_000.0  # a partial close: 1 + 1 contracts
    # the short 3150 call 50 in the money adds nothing beyond the widest-wing loss
    assert led.margin({"SPX": 3200.0, "VIX": 15.0}) == 10_000.0
    led.close("B", 1, 0.0)
    assert led.margin(spot) == 5_000.0


def test_marks_first_expiry_days_give_the_dte_of_the_legs() -> None:
    ops = [_op(p, legs) for p, legs in _OPS]
    book = BookLegs.build(ops)
    held = tuple(op.position for op in ops)
    n = len(book.legs)
    q = [np.linspace(1.0, 2.0, n)] * 6
    given_days = marks_from_legs(ts(_DAY), held, *q, first_expiry_days=book.first_expiry_days)
    # calendar days from 2020-03-02 to the earliest expiry: 18 (03-20), 16 (03-18), 18
    assert [m.dte for m in given_days.values()] == [18, 16, 18]
    assert given_days == marks_from_legs(ts(_DAY), held, *q)
    with pytest.raises(ValueError, match="first expiry days"):
        marks_from_legs(ts(_DAY), held, *q, first_expiry_days=[1])
