"""VixShield: SPX iron condors with an Adaptive Layered VIX Hedge.

The package is layered, with dependencies pointing one way::

    data -> pricing -> markets -> strategy -> backtest -> report / cli

Heavy modules are imported lazily so that ``vixshield --version`` stays fast.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
