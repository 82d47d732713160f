"""Named stress windows, defined in data, and a run's P&L inside each.

The shipped list is ``vixshield/data/resources/stress_windows.csv`` (read by the
backtest's `vixshield.backtest.metrics.STRESS_WINDOWS` too) (columns ``name, start,
end, description``; inclusive ISO dates; ``#`` comment lines before the header).
A caller may add its own windows (``extra``): a policy's ``[[report.stress_windows]]``
(`policy_windows`); a name used twice is an error, unless the added window says
``replace`` (it then takes the listed window's place, in its position). Each window
that overlaps the run is reported, clipped to the run's days and marked ``partial``
when the run covers only part of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from vixshield.backtest.metrics import stress_windows as _window_pnl
from vixshield.data.stress import (
    STRESS_WINDOWS_RESOURCE,
    StressWindow,
    default_stress_windows,
    parse_stress_windows,
    read_stress_windows,
)
from vixshield.errors import DataError
from vixshield.strategy.policy import Policy

__all__ = [
    "STRESS_WINDOWS_RESOURCE",
    "StressWindow",
    "default_stress_windows",
    "parse_stress_windows",
    "policy_windows",
    "read_stress_windows",
    "stress_table",
]


def policy_windows(policy: Policy) -> tuple[StressWindow, ...]:
    """The policy's own windows (``[[report.stress_windows]]``), in its order.

    The policy schema has checked them (`vixshield.strategy.policy.StressWindowSpec`):
    ``start <= end``, unique names, a shipped name only with ``replace``.
    """
    return tuple(
        StressWindow(w.name, pd.Timestamp(w.start), pd.Timestamp(w.end), w.description, w.replace)
        for w in policy.report.stress_windows
    )


def _merged(
    windows: Sequence[StressWindow] | None, extra: Iterable[StressWindow]
) -> tuple[StressWindow, ...]:
    """``windows`` (default: the shipped list) with ``extra`` added or replacing."""
    base = list(default_stress_windows() if windows is None else windows)
    at = {w.name: i for i, w in enumerate(base)}
    added: list[StressWindow] = []
    for w in extra:
        if w.replace:
            if w.name not in at:
                raise DataError(
                    f"stress window {w.name!r} says replace, but no listed window has that name",
                    field="name",
                )
            if at[w.name] < 0:
                raise DataError(f"stress window {w.name!r} is already redefined", field="name")
            base[at[w.name]] = w
            at[w.name] = -1  # replaced once; a second window of that name is refused
            continue
        if w.name in at:
            raise DataError(f"stress window {w.name!r} is already defined", field="name")
        at[w.name] = -1
        added.append(w)
    return (*base, *added)


def stress_table(
    daily: pd.DataFrame,
    windows: Sequence[StressWindow] | None = None,
    extra: Iterable[StressWindow] = (),
) -> dict[str, dict[str, object]]:
    """The run's P&L inside each window that overlaps it, in window order.

    Parameters
    ----------
    daily : DataFrame
        `BacktestResult.daily` (``pnl``, ``pnl_condor``, ``pnl_hedge:<layer>``,
        ``spx``, ``vix``), indexed by trading day.
    windows : sequence of StressWindow, optional
        The list to use; default `default_stress_windows`.
    extra : iterable of StressWindow
        Windows added to that list (a policy's own, `policy_windows`); a name
        already used is a `DataError`, unless the window says ``replace``.

    Returns
    -------
    dict
        Window name -> ``start``, ``end`` (the window, ISO), ``from``, ``to``
        (first and last run day inside it, ISO), ``partial`` (True when the run
        covers only part of the window: its figures are for the clipped span),
        ``days``, ``pnl``, ``pnl_condor``, ``pnl_hedge`` and each
        ``pnl_hedge:<layer>`` (dollars), ``spx_return`` (decimal), ``vix_max``
        (index points), ``description``. Windows outside the run are absent.

    Notes
    -----
    The sums are `vixshield.backtest.metrics.stress_windows` over each window.
    """
    listed = _merged(windows, extra)
    spans = {w.name: (w.start.strftime("%Y-%m-%d"), w.end.strftime("%Y-%m-%d")) for w in listed}
    sums = _window_pnl(daily, spans)
    out: dict[str, dict[str, object]] = {}
    for w in listed:
        if w.name not in sums:
            continue
        inside = daily.index[(daily.index >= w.start) & (daily.index <= w.end)]
        row: dict[str, object] = {
            "start": spans[w.name][0],
            "end": spans[w.name][1],
            "from": inside[0].strftime("%Y-%m-%d"),
            "to": inside[-1].strftime("%Y-%m-%d"),
        }
        row.update({k: v for k, v in sums[w.name].items() if k not in ("start", "end")})
        row["description"] = w.description
        out[w.name] = row
    return out
