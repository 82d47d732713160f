"""Fixtures of the validation tests.

The repository runs pytest with ``--import-mode=importlib``; this folder is put on
``sys.path`` so the uniquely named helper module ``validation_fakes`` imports.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
