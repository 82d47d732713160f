"""The result type every format parser returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from vixshield._typing import FloatArray

__all__ = ["Hints", "Parsed", "series_frame"]


@dataclass(frozen=True)
class Parsed:
    """What one file held.

    Attributes
    ----------
    kind : str
        Format kind (one of `vixshield.data.formats.KINDS`).
    frames : Mapping[str, pandas.DataFrame]
        Series key -> frame. Daily/monthly series: ``DatetimeIndex`` named
        ``date`` and one float64 column ``value``. ``"vx"``: columns ``date``,
        ``expiry``, ``settle``. ``"events"``: ``date``, ``kind``, ``label``,
        ``value``. ``"chain"``: the long chain frame (see `CHAIN_FRAME_COLUMNS`).
    warnings : tuple of str
        Suspicious-but-kept or dropped values, each naming the file and line.
    """

    kind: str
    frames: Mapping[str, pd.DataFrame]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hints:
    """Facts a file may not carry itself (e.g. bytes fetched from a URL).

    Attributes
    ----------
    series : str, optional
        Cboe index series (``"VIX"``, ``"vvix"``...) when the name does not say.
    as_of : Timestamp, optional
        Trade date of a VX curve snapshot (its rows carry none).
    underlying : str, optional
        ``"SPX"`` or ``"VIX"`` for an OptionsDX file.
    """

    series: str | None = None
    as_of: pd.Timestamp | None = None
    underlying: str | None = None


def series_frame(dates: pd.DatetimeIndex, values: FloatArray) -> pd.DataFrame:
    """The standard one-series frame: index ``date``, float column ``value``."""
    idx = pd.DatetimeIndex(dates, name="date").astype("datetime64[ns]")
    return pd.DataFrame({"value": np.asarray(values, dtype=np.float64)}, index=idx)
