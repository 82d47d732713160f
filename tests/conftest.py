"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO_ROOT / ".." / "shared" / "data").resolve()


@pytest.fixture(scope="session", autouse=True)
def _hermetic_user_folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Market caches and the config file of the test session live in a temporary folder.

    A developer's ``~/.config/vixshield`` or market cache never changes a test; tests that
    exercise them set their own paths.
    """
    root = tmp_path_factory.mktemp("user_folders")
    saved = {
        k: os.environ.get(k)
        for k in ("VIXSHIELD_MARKET_CACHE", "VIXSHIELD_CONFIG", "VIXSHIELD_HOME")
    }
    os.environ["VIXSHIELD_MARKET_CACHE"] = str(root / "market_cache")
    os.environ["VIXSHIELD_CONFIG"] = str(root / "config.toml")
    os.environ["VIXSHIELD_HOME"] = str(root / "home")
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real sample data folder ``<repo>/../shared/data``; skips where absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(
            f"real sample data not found at {SHARED_DATA} (present in this workplace and CI)"
        )
    return SHARED_DATA


@pytest.fixture(scope="session")
def real_history(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> object:
    """`MarketData` 1990 .. the last SPX close from the real files, through the importers.

    ../shared/data (stooq SPX, Cboe indices, T-bills) plus the Yahoo SPX file in
    ../shared/reference where present (SPX to 2026-09-25), loaded with `load_store`.
    """
    from vixshield.data.loader import load_store
    from vixshield.data.store import Store
    from vixshield.data.store_import import import_path

    reference = shared_data.parent / "reference" / "spx" / "GSPC_yahoo_1990_2026.csv"
    home = tmp_path_factory.mktemp("real_history_home")
    store = Store(home)
    for f in ("spx/spx_stooq_daily.csv", "cboe_indices", "rates/tbill13week_2005_2014.csv"):
        import_path(shared_data / f, store)
    if reference.is_file():
        import_path(reference, store)
    return load_store("1990-01-02", None, home=home)


@pytest.fixture
def three_row_chain_home(tmp_path: Path) -> Path:
    """A data home holding a real SPX chain of three rows on 2022-01-14 (expiry 2022-02-18,
    AM: 4650 C and P, 4700 C) and that day's SPX close and open and VIX close."""
    import pandas as pd

    from vixshield.data.market import Provenance
    from vixshield.data.store import Store
    from vixshield.data.store_import import import_path

    day = pd.DatetimeIndex([pd.Timestamp("2022-01-14")], name="date")

    def daily(value: float) -> pd.DataFrame:
        return pd.DataFrame({"value": [value]}, index=day)

    f = tmp_path / "chain.csv"
    f.write_text(
        "quote_date,underlying,root,expiry,settlement,strike,right,bid,ask,iv\n"
        "2022-01-14,SPX,SPX,2022-02-18,AM,4650,C,112.1,113.4,0.17\n"
        "2022-01-14,SPX,SPX,2022-02-18,AM,4650,P,95.3,96.6,0.175\n"
        "2022-01-14,SPX,SPX,2022-02-18,AM,4700,C,80.2,81.5,0.165\n"
    )
    store = Store(tmp_path)
    import_path(f, store)
    prov = Provenance("x", "file", "hand-made", "2026-01-01T00:00:00+00:00", "real")
    store.write(
        {"spx_close": daily(4662.85), "spx_open": daily(4637.99), "vix": daily(19.19)}, prov
    )
    return tmp_path
