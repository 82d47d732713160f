"""Whether this process has loaded numba, for kernels with a plain-Python twin.

Importing numba and loading the first cached kernel costs about 0.9 s per process. A few
kernels are called on small inputs every day (a day's shock prices, the marks' sums) and
have a plain-Python twin that gives the same results bit for bit (both are the same
source: the compiled kernel is ``njit`` of the Python function, without fast math). They
run the twin on small inputs until something else in the process has paid for numba, and
the compiled kernel from then on: the choice changes the speed, never a result.
"""

from __future__ import annotations

import sys

__all__ = ["numba_loaded"]


def numba_loaded() -> bool:
    """Whether numba has been imported in this process (its import cost is paid)."""
    return "numba" in sys.modules
