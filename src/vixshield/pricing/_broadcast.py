"""Cheap argument preparation shared by the compiled wrappers.

Arguments are converted once to float64 / bool arrays. An argument that
already has the broadcast shape is flattened (a view when contiguous); one of
size 1 is passed as a length-1 array that the kernel reads with stride 0, so
``bsm_price(S, K_array, T, r, q, sigma, True)`` copies nothing. Only genuine
multi-dimensional broadcasting (e.g. ``(n, 1)`` against ``(1, m)``)
materialises a copy.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

import numpy as np

from vixshield._typing import ArrayLike, FloatArray

__all__ = ["PARALLEL_THRESHOLD", "flatten_args", "kernels", "shape_result"]

PARALLEL_THRESHOLD = 20_000
"""Number of options from which the multi-threaded kernels are used (measured on 2 cores)."""

_kernels: ModuleType | None = None


def kernels() -> ModuleType:
    """Import the numba kernels on first use, so ``import vixshield.pricing`` stays cheap."""
    global _kernels
    if _kernels is None:
        from vixshield.pricing import _kernels as module

        _kernels = module
    return _kernels


def _flat(a: np.ndarray[Any, Any], shape: tuple[int, ...]) -> np.ndarray[Any, Any]:
    if a.shape == shape:
        out = a.ravel()
    elif a.size == 1:
        out = a.reshape(1)
    else:
        return np.ascontiguousarray(np.broadcast_to(a, shape)).ravel()
    # Read-only inputs (pandas copy-on-write arrays) would make numba compile one more
    # specialisation per combination of flags; a copy is far cheaper than that.
    return out if out.flags.writeable else out.copy()


def flatten_args(
    floats: tuple[ArrayLike, ...], call: ArrayLike
) -> tuple[list[FloatArray], np.ndarray[Any, np.dtype[np.bool_]], tuple[int, ...], int]:
    """Convert and flatten the arguments of a pricing call.

    Returns
    -------
    arrays : list of ndarray
        One 1-D float64 array per float argument, of length ``n`` or 1.
    call_flat : ndarray of bool
        The option-type flags, length ``n`` or 1.
    shape : tuple of int
        The broadcast shape of all arguments (``()`` for all-scalar input).
    n : int
        The number of elements of ``shape``.
    """
    arrays = [np.asarray(a, dtype=np.float64) for a in floats]
    flags = np.asarray(call, dtype=np.bool_)
    shapes = {a.shape for a in arrays if a.ndim}
    if flags.ndim:
        shapes.add(flags.shape)
    if len(shapes) <= 1:  # common case: scalars mixed with arrays of one shape (fast path)
        shape = shapes.pop() if shapes else ()
    else:
        shape = np.broadcast_shapes(*(a.shape for a in arrays), flags.shape)
    n = math.prod(shape)
    return [_flat(a, shape) for a in arrays], _flat(flags, shape), shape, n


def shape_result(out: FloatArray, shape: tuple[int, ...]) -> float | FloatArray:
    """Reshape a flat kernel output; all-scalar input gives a Python float."""
    if not shape:
        return float(out[0])
    return out.reshape(shape)
