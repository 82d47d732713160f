"""Import the real sample histories in ../shared/data, then read them back through load_store."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vixshield.data.loader import load_store
from vixshield.data.market import DAILY_COLUMNS
from vixshield.data.store import Store
from vixshield.data.store_import import import_path


@pytest.fixture(scope="module")
def real_home(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("real_home")
    import_path(shared_data, Store(home))
    return home


@pytest.mark.shared_data
def test_vix_closes_published_by_cboe(real_home: Path) -> None:
    md = load_store(home=real_home)
    # Cboe VIX closes: 37.32 on 2018-02-05 ("Volmageddon"), 82.69 on 2020-03-16 (record close).
    assert md.daily.loc["2018-02-05", "vix"] == 37.32
    assert md.daily.loc["2020-03-16", "vix"] == 82.69
    assert md.provenance["vix"].provider == "cboe"
    assert md.provenance["vix"].origin == "real"
    assert md.provenance["vix"].source.endswith("VIX_History.csv")


@pytest.mark.shared_data
def test_real_store_shape_and_no_silent_fill(real_home: Path) -> None:
    md = load_store("1990-01-01", "2026-07-31", home=real_home)
    d = md.daily
    assert list(d.columns) == list(DAILY_COLUMNS)
    assert d.index.is_monotonic_increasing and d.index.is_unique
    assert d.index[0] == pd.Timestamp("1990-01-02")
    # 9/11: the NYSE was closed 2001-09-11 .. 09-14; no rows there
    assert not d.index.isin(pd.date_range("2001-09-11", "2001-09-14")).any()
    # S&P 500 closed at 2648.94 on 2018-02-05 (stooq ^SPX)
    assert d.loc["2018-02-05", "spx_close"] == 2648.94
    # VIX3M starts 2009-09-18: NaN before, never zero
    assert np.isnan(d.loc["2009-09-17", "vix3m"]) and d.loc["2009-09-18", "vix3m"] == 26.54
    # (the T-bill yield really was 0.00 on some days of 2008-2011, so rate is left out)
    assert not (d[[c for c in DAILY_COLUMNS if c != "rate"]] == 0).any(axis=None)
    # the T-bill file ends 2014-08-15: the real fill stops 5 trading days later, then the
    # modeled policy rate (target range 0-0.25% until 2015-12-16, mid 0.125%) takes over, tagged
    rate = d["rate"]
    assert rate.loc["2014-08-15"] == pytest.approx(0.0003)
    assert rate.loc["2014-09-02":"2015-12-15"].eq(0.00125).all()
    assert "forward-filled" in md.provenance["rate"].note
    assert md.provenance["rate:modeled_fill"].origin == "modeled"
    assert len(md.vx) > 10_000 and md.vx["settle"].between(5, 100).all()
    assert {"FOMC", "CPI"} <= set(md.events["kind"])
