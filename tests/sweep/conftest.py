"""Sweep tests: the embedded market shared by the in-process runs of this folder."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def embedded_market() -> object:
    """`Markets` over the embedded 2014-2018 sample (the object the sweeps reuse)."""
    from vixshield.cli._sources import open_markets

    return open_markets("embedded")
