"""The Rich progress bar the long-running commands show on stderr."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from time import monotonic

__all__ = ["progress_bar"]

_MIN_REDRAW_S = 0.1
"""Least time between two redraws of the bar, seconds (the final state is always drawn)."""


@contextmanager
def progress_bar(
    enabled: bool, label: str, *, unit: str | None = None, eta: bool = False
) -> Iterator[Callable[[int, int], None] | None]:
    """A transient progress bar on stderr, or None when disabled (``--json``).

    Yields ``update(done, total)``; the bar is redrawn when the count moves by half a
    percent of the total and at least ``_MIN_REDRAW_S`` (0.1 s) passed since the last
    redraw, and at the end, by the caller's thread: no refresh thread
    competes with the run for the interpreter. The count reads ``done/total unit``
    (``done/total`` without a unit); ``eta`` adds the estimated time remaining.
    """
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    count = (
        TextColumn(f"{{task.completed}}/{{task.total}} {unit}") if unit else MofNCompleteColumn()
    )
    columns: list[ProgressColumn] = [
        TextColumn("{task.description}"),
        BarColumn(),
        count,
        TimeElapsedColumn(),
    ]
    if eta:
        columns += [TextColumn("ETA"), TimeRemainingColumn()]
    with Progress(
        *columns, console=Console(stderr=True), transient=True, auto_refresh=False
    ) as bar:
        task = bar.add_task(label, total=None)

        shown = [-1, -1]  # the last (step, total) drawn
        drawn = [-math.inf]  # `time.monotonic` of the last redraw, seconds

        def update(done: int, total: int) -> None:
            # redraw at most 200 times a run (a backtest reports every day) and at most
            # once per _MIN_REDRAW_S; the final count (done >= total) is always drawn
            step = (200 * done) // total if total > 0 else done
            if done >= total or (
                (step, total) != (shown[0], shown[1]) and monotonic() - drawn[0] >= _MIN_REDRAW_S
            ):
                shown[:] = [step, total]
                bar.update(task, completed=done, total=total, refresh=True)
                drawn[0] = monotonic()

        yield update
