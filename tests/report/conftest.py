"""Report tests: make the hand-made results in ``report_fakes.py`` importable.

pytest runs with ``--import-mode=importlib``, which does not put test folders on
``sys.path``; the helper module has a unique name so nothing shadows it.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)


import pytest  # noqa: E402

from vixshield.data.embedded import load_embedded  # noqa: E402
from vixshield.markets.view import Markets  # noqa: E402


@pytest.fixture(scope="session")
def embedded_markets() -> Markets:
    """The engine's markets over the shipped 2014-2018 sample (what `--data embedded` runs on)."""
    return Markets(load_embedded())
