"""What identifies a run: the variant's policy, the data, the window and the code.

A sweep row is reused on a rerun only when all four are the same, so a result is
never served for a policy, data set or engine it was not computed with.

* `code_version`: SHA-256 over the package's files that can change a result (every
  file under ``vixshield/`` except ``cli/``, ``report/`` and ``sweep/report.py``, which
  only present results), in path order, plus ``vixshield.__version__``.
* `data_checksum`: SHA-256 over the contents of the market data (`MarketData.daily`,
  ``vx``, ``events`` and ``benchmarks``, hashed row by row with
  `pandas.util.hash_pandas_object`), plus the real chains where the store has them
  (the SHA-256 the store recorded for its ``chain`` series).
* `variant_key`: the first 20 hex digits of SHA-256 over the canonical JSON of
  ``{policy, data, start, end, code}``.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

import vixshield

if TYPE_CHECKING:
    from vixshield.data.market import MarketData
    from vixshield.strategy.policy import Policy

__all__ = ["code_version", "data_checksum", "iso_day", "variant_key"]

_PRESENTATION = ("cli", "report")  # subpackages that only present results
_PRESENTATION_FILES = ("sweep/report.py",)


@cache
def code_version() -> str:
    """SHA-256 (hex) of the result-bearing package files and ``__version__``."""
    root = Path(vixshield.__file__).resolve().parent
    digest = hashlib.sha256(vixshield.__version__.encode())
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if not path.is_file() or "__pycache__" in rel or path.suffix == ".pyc":
            continue
        if rel.split("/")[0] in _PRESENTATION or rel in _PRESENTATION_FILES:
            continue
        digest.update(rel.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _frame_digest(frame: pd.DataFrame) -> bytes:
    rows = pd.util.hash_pandas_object(frame, index=True).to_numpy()
    head = json.dumps([str(c) for c in frame.columns]).encode()
    return hashlib.sha256(head + rows.tobytes()).digest()


def data_checksum(data: MarketData, chains_sha256: str | None = None) -> str:
    """SHA-256 (hex) of the market data's contents (and the chains' digest, if any)."""
    digest = hashlib.sha256()
    for frame in (data.daily, data.vx, data.events, data.benchmarks):
        digest.update(_frame_digest(frame))
    digest.update((chains_sha256 or "no-chains").encode())
    return digest.hexdigest()


def iso_day(day: pd.Timestamp | str | None) -> str | None:
    """``YYYY-MM-DD`` of a date-like (None for None)."""
    return None if day is None else pd.Timestamp(day).strftime("%Y-%m-%d")


def variant_key(
    policy: Policy,
    data: str,
    start: pd.Timestamp | str | None,
    end: pd.Timestamp | str | None,
    code: str | None = None,
) -> str:
    """The key of one run: policy JSON, data checksum, window and code version."""
    doc = {
        "policy": policy.model_dump(mode="json"),
        "data": data,
        "start": iso_day(start),
        "end": iso_day(end),
        "code": code if code is not None else code_version(),
    }
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:20]
