"""Backtest tests: make the hand-built test doubles in ``bt_fakes.py`` importable.

The repository runs pytest with ``--import-mode=importlib``, which does not put test
folders on ``sys.path``; the helpers module has a unique name so nothing else shadows it.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
