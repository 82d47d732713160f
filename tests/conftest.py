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
