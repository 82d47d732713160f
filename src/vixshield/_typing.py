"""Shared type aliases (one place, as in arch's ``_typing.py``)."""

from __future__ import annotations

from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt

FloatArray: TypeAlias = npt.NDArray[np.float64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
IntArray: TypeAlias = npt.NDArray[np.int64]
ArrayLike: TypeAlias = npt.ArrayLike

Right = Literal["C", "P"]
"""Option right: ``"C"`` call, ``"P"`` put."""

Origin = Literal["real", "modeled"]
"""Whether a value comes from real market data or from a model."""

Underlying = Literal["SPX", "VIX"]

Settlement = Literal["AM", "PM"]
"""AM: settles at the special opening quotation; PM: settles at the close."""

Outcome = Literal["pass", "fail", "warn", "info"]
"""A rule's verdict in the audit trail: ``"fail"`` refuses what the rule guards,
``"pass"`` lets it through, ``"warn"`` lets it through with a caveat, ``"info"``
records a choice or a value (the note says which)."""

PositionKind = Literal["condor", "hedge"]
"""What a position or order is: an iron condor, or a hedge of a named layer."""

__all__ = [
    "ArrayLike",
    "BoolArray",
    "FloatArray",
    "IntArray",
    "Origin",
    "Outcome",
    "PositionKind",
    "Right",
    "Settlement",
    "Underlying",
]
