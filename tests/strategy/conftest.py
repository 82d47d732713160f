"""Fixtures for the strategy tests (fake market, synthetic data, presets).

Puts this folder on ``sys.path`` so the uniquely named ``strategy_fakes`` helper
imports under any pytest import mode.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from strategy_fakes import FakeMarket, synthetic_data  # noqa: E402

from vixshield.data.market import MarketData  # noqa: E402
from vixshield.strategy import Policy, compute_indicators, load_policy  # noqa: E402


@pytest.fixture(scope="session")
def data() -> MarketData:
    return synthetic_data(320)


@pytest.fixture(scope="session")
def alvh() -> Policy:
    return load_policy("alvh-442")


@pytest.fixture(scope="session")
def indicators(data: MarketData, alvh: Policy) -> pd.DataFrame:
    return compute_indicators(data, alvh)


@pytest.fixture()
def market(data: MarketData) -> FakeMarket:
    return FakeMarket(data)
