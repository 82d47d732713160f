"""The modeled chain table: dtypes, and every value against the plain-numpy reference.

`Markets.chain` builds each column over all expiries at once in one compiled
pass (`_kernels.spx_chain`, `_kernels.vix_quotes_at`). The reference here is
the per-expiry numpy path it replaced: `spx_model.expiry_quotes` +
`pricing.bsm_greeks` (SPX) and `vix_model.vix_option_vol` + `black76_price` +
`vix_option_bid_ask` + `black76_greeks` (VIX), rows calls then puts by strike.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vixshield.data.market import MarketData
from vixshield.markets import _kernels
from vixshield.markets.frames import FLOAT_COLUMNS as _FLOAT_COLUMNS
from vixshield.markets.spx_model import DIVIDEND_YIELD, expiry_quotes
from vixshield.markets.types import CHAIN_COLUMNS
from vixshield.markets.view import Markets
from vixshield.markets.vix_model import vix_option_bid_ask, vix_option_vol
from vixshield.pricing import black76_greeks, black76_price, bsm_greeks

_LABELS = ("root", "settlement", "right", "origin")
_GREEKS = ("delta", "gamma", "vega", "theta")


def _assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Same columns, dtypes and labels; floats to 1e-12 relative (no absolute slack)."""
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=0.0)


def _reference_frame(parts: list[dict[str, object]], like: pd.DataFrame) -> pd.DataFrame:
    cols = {c: np.concatenate([np.asarray(p[c]) for p in parts]) for c in CHAIN_COLUMNS}
    want = pd.DataFrame(cols)
    for c in _LABELS:
        want[c] = want[c].astype(like[c].dtype)
    return want


def test_float_columns_are_the_kernel_rows() -> None:
    # the kernel's rows are, in order, the chain's float columns (strike .. forward)
    assert _FLOAT_COLUMNS == _kernels.CHAIN_ROWS
    assert _FLOAT_COLUMNS[0] == "strike" and _FLOAT_COLUMNS[-1] == "forward"
    pos = [CHAIN_COLUMNS.index(c) for c in _FLOAT_COLUMNS]
    assert pos == sorted(pos)


def test_chain_dtypes(small_data: MarketData) -> None:
    m = Markets(small_data)
    d = small_data.daily.index[12]
    for und in ("SPX", "VIX"):
        q = m.chain(d, und).quotes
        assert q["expiry"].dtype == np.dtype("datetime64[ns]")
        for c in _FLOAT_COLUMNS:
            assert q[c].dtype == np.float64, c
        str_dtype = pd.Series(["x"], dtype="str").dtype
        for c in _LABELS:
            assert q[c].dtype == str_dtype, c
        assert set(q["right"]) == {"C", "P"} and set(q["origin"]) == {"modeled"}
        assert isinstance(q.index, pd.RangeIndex) and q.index[-1] == len(q) - 1


def test_modeled_spx_chain_equals_numpy_reference(small_data: MarketData) -> None:
    m = Markets(small_data)
    d = small_data.daily.index[25]
    ch = m.chain(d, "SPX")
    p = m.calibration(d).params
    vix = float(small_data.daily.loc[d, "vix"])
    parts: list[dict[str, object]] = []
    for e in m.expiries(d, "SPX"):
        eq = expiry_quotes(p, ch.spot, ch.rate, DIVIDEND_YIELD, e.t_years, vix)
        n = eq.strike.size
        k = np.concatenate([eq.strike, eq.strike])
        iv = np.concatenate([eq.iv, eq.iv])
        call = np.repeat([True, False], n)
        g = bsm_greeks(ch.spot, k, e.t_years, ch.rate, DIVIDEND_YIELD, iv, call)
        parts.append(
            {
                "expiry": np.repeat(np.datetime64(e.date, "ns"), 2 * n),
                "root": np.full(2 * n, e.root, dtype=object),
                "settlement": np.full(2 * n, e.settlement, dtype=object),
                "strike": k,
                "right": np.where(call, "C", "P").astype(object),
                "bid": np.concatenate([eq.call_bid, eq.put_bid]),
                "ask": np.concatenate([eq.call_ask, eq.put_ask]),
                "mid": np.concatenate([eq.call_mid, eq.put_mid]),
                "iv": iv,
                "t_years": np.full(2 * n, e.t_years),
                "forward": np.full(2 * n, eq.forward),
                "origin": np.full(2 * n, "modeled", dtype=object),
            }
            | {name: np.asarray(g[name]) for name in _GREEKS}
        )
    _assert_same(ch.quotes, _reference_frame(parts, ch.quotes))
    assert {"SPX", "SPXW"} == set(ch.quotes["root"])  # monthlies and weeklies both listed


def test_modeled_vix_chain_equals_numpy_reference(small_data: MarketData) -> None:
    m = Markets(small_data)
    d = small_data.daily.index[25]
    ch = m.chain(d, "VIX")
    vvix = float(small_data.daily.loc[d, "vvix"])  # 90: a real VVIX, used as given
    curve = m.vx_curve(d).set_index("expiry")["value"]
    parts: list[dict[str, object]] = []
    for e in m.expiries(d, "VIX"):
        f = float(curve.loc[e.date])  # the chain prices off the VX curve
        rows = ch.quotes[ch.quotes["expiry"] == e.date]
        k = rows["strike"].to_numpy()
        call = (rows["right"] == "C").to_numpy()
        n = k.size
        iv = vix_option_vol(k, f, e.t_years, vvix)
        mid = black76_price(f, k, e.t_years, ch.rate, iv, call)
        bid, ask = vix_option_bid_ask(mid, vvix)
        g = black76_greeks(f, k, e.t_years, ch.rate, iv, call)
        parts.append(
            {
                "expiry": np.repeat(np.datetime64(e.date, "ns"), n),
                "root": np.full(n, "VIX", dtype=object),
                "settlement": np.full(n, "AM", dtype=object),
                "strike": k,
                "right": np.where(call, "C", "P").astype(object),
                "bid": bid,
                "ask": ask,
                "mid": mid,
                "iv": iv,
                "t_years": np.full(n, e.t_years),
                "forward": np.full(n, f),
                "origin": np.full(n, "modeled", dtype=object),
            }
            | {name: np.asarray(g[name]) for name in _GREEKS}
        )
        # calls then puts, on the same strikes, 1 point apart at the low end (Cboe VIX listing)
        assert call[: n // 2].all() and not call[n // 2 :].any()
        np.testing.assert_array_equal(k[: n // 2], k[n // 2 :])
        assert k[1] - k[0] == 1.0
    _assert_same(ch.quotes, _reference_frame(parts, ch.quotes))


@pytest.mark.parametrize("underlying", ["SPX", "VIX"])
def test_one_expiry_chain_is_that_expiry_of_the_full_chain(
    small_data: MarketData, underlying: str
) -> None:
    m = Markets(small_data)
    d = small_data.daily.index[40]
    full = m.chain(d, underlying).quotes  # type: ignore[arg-type]
    for e in m.expiries(d, underlying)[::3]:  # type: ignore[arg-type]
        one = m.chain(d, underlying, e.date).quotes  # type: ignore[arg-type]
        want = full[full["expiry"] == e.date].reset_index(drop=True)
        pd.testing.assert_frame_equal(one, want, check_exact=True)
