"""Modeled SPX strikes on the surface arrays held per calibration (`ModeledSpx.strikes`).

Reference: `spx_model.expiry_quotes`, the plain-numpy pricing of one expiry on the
truncated grid (smile, BSM, the 0.05 and 5-SD truncation), at the date's calibrated
smile: the strikes it lists are the ones `Markets.strikes` hands out, for every expiry
of the date, and `spx_strikes` (the parameters' own arrays) agrees.
"""

from __future__ import annotations

import numpy as np
import pytest

from vixshield.data.market import MarketData
from vixshield.markets.spx_model import expiry_quotes, spx_strikes
from vixshield.markets.view import Markets


@pytest.mark.parametrize("row", [2, 25, 50])
def test_strikes_are_the_reference_truncation(small_data: MarketData, row: int) -> None:
    m = Markets(small_data)
    d = small_data.daily.index[row]
    day = m.inputs(d)
    p = m.calibration(d).params
    exps = m.expiries(d, "SPX")
    assert exps
    for e in exps:
        got = m.strikes(d, "SPX", e.date)
        ref = expiry_quotes(p, day.spot, day.rate, day.q, e.t_years, day.vix)
        np.testing.assert_array_equal(got, ref.strike)
        np.testing.assert_array_equal(spx_strikes(p, day.spot, day.rate, day.q, e.t_years), got)
