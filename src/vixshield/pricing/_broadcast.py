"""Cheap argument preparation shared by the compiled wrappers.

Arguments are converted once to float64 / bool arrays. An argument that
already has the broadcast shape is flattened (a view when contiguous); one of
size 1 is passed as a length-1 array that the kernel reads with stride 0, so
``bsm_price(S, K_array, T, r, q, sigma, True)`` copies nothing. Only genuine
multi-dimensional broadcasting (e.g. ``(n, 1)`` against ``(1, m)``)
materialises a copy.

The daily loop's case, float64 1-D arrays of one length (C-contiguous, writeable) mixed
with Python floats and a bool array or bool, goes to the kernels as it is, past the
general conversion (`_lean_args`); the arrays the kernels read, so the prices, are the
same bit for bit.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any, TypeGuard

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


_F64 = np.dtype(np.float64)
_BOOL = np.dtype(np.bool_)


def _kernel_ready(a: object, dtype: np.dtype[Any], n: int) -> TypeGuard[np.ndarray[Any, Any]]:
    """Whether ``a`` is an array the kernels read as it is: 1-D of length ``n`` (``n < 0``:
    any), of ``dtype``, C-contiguous and writeable (read-only or strided arrays would
    compile one more kernel specialisation each)."""
    if type(a) is not np.ndarray or a.ndim != 1:
        return False
    if a.dtype is not dtype and a.dtype != dtype:  # (an unpickled dtype is an equal copy)
        return False
    if n >= 0 and a.shape[0] != n:
        return False
    flags = a.flags
    return bool(flags.c_contiguous and flags.writeable)


def _lean_args(
    floats: tuple[ArrayLike, ...], call: ArrayLike
) -> tuple[list[FloatArray], np.ndarray[Any, np.dtype[np.bool_]], int] | None:
    """`flatten_args`' arrays without its general conversion, for the daily loop's case.

    Returns
    -------
    (arrays, call_flat, n) or None
        As `flatten_args`, when every float argument is a Python float or a
        kernel-ready float64 array of one length ``n`` (at least one of them), and
        ``call`` is a bool or a kernel-ready bool array of length ``n``; None otherwise.
    """
    n = -1
    arrays: list[FloatArray] = []
    for a in floats:
        if type(a) is float:
            arrays.append(np.array((a,)))
        elif _kernel_ready(a, _F64, n):
            n = len(a)
            arrays.append(a)
        else:
            return None
    if n < 0:
        return None
    if type(call) is bool:
        return arrays, np.array((call,)), n
    if _kernel_ready(call, _BOOL, n):
        return arrays, call, n
    return None


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
    lean = _lean_args(floats, call)
    if lean is not None:
        return lean[0], lean[1], (lean[2],), lean[2]
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
    return out if out.shape == shape else out.reshape(shape)
