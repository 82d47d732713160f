"""An iterator read one item ahead on a worker thread.

The chain import parses and checks a chunk (`sources.read_chunks`: CSV parsing,
date and value checks, mostly in Arrow code that releases the GIL) while the
importer sorts and splits the one before (`importer._Staging.add`). `read_ahead`
yields the same items in the same order and raises an iterator's exception where
the iterator raised it (after the items before it), so the first error a file
gives is the one it gave without the thread. At most one item waits: memory grows
by one chunk.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

__all__ = ["read_ahead"]

T = TypeVar("T")


def _next(items: Iterator[T]) -> list[T]:
    """The next item of ``items`` as a one-item list; empty at the end."""
    for item in items:
        return [item]
    return []


def read_ahead(items: Iterator[T]) -> Generator[T, None, None]:
    """The items of ``items``, the next one produced on a worker thread meanwhile.

    Parameters
    ----------
    items : iterator
        Advanced by one thread at a time (never concurrently); a generator is closed
        at the end, also when the caller stops early or raises.

    Yields
    ------
    object
        The items of ``items``, in order.
    """
    pool = ThreadPoolExecutor(1, thread_name_prefix="vixshield-read-ahead")
    fut: Future[list[T]] | None = None
    try:
        fut = pool.submit(_next, items)
        while True:
            got = fut.result()  # the iterator's exception is raised here, in its place
            fut = None
            if not got:
                return
            fut = pool.submit(_next, items)
            yield got[0]
    finally:
        if fut is not None:  # the caller stopped: let the worker finish its item
            fut.exception()
        pool.shutdown(wait=True)
        if isinstance(items, Generator):
            items.close()
