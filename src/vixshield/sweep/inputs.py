"""What a sweep's or walk-forward's runs were priced and decided on: real or modeled.

Every run's summary carries its provenance (``provenance.<series>.origin`` and
``.provider``, flattened by `vixshield.sweep.runner.flatten_summary`) and its warnings
(a JSON list). The variants of a sweep share one data set but not one book, so the
option quotes' origin, and the windows of a walk-forward's folds the stand-ins, can
differ from run to run; `input_origins` says, per series, in how many runs it was
modeled, and `run_warnings` counts each warning over the runs, so the sweep's outputs say
what was real as a single backtest's do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["InputOrigin", "input_origins", "inputs_document", "modeled_line", "run_warnings"]

_PREFIX = "provenance."
_SUFFIX = ".origin"
_REPEAT = re.compile(r" \(\d+x, first \d{4}-\d{2}-\d{2}\)$")
"""The engine's ``(Nx, first YYYY-MM-DD)`` tail of a repeated warning (`RunState.warn`)."""


@dataclass(frozen=True)
class InputOrigin:
    """One input series over a set of runs.

    ``origin`` is ``"real"`` or ``"modeled"`` where every run that has the series agrees,
    else ``"mixed"``; ``runs`` counts the runs that have it, ``modeled_runs`` those where
    it was modeled; ``provider`` the providers named, joined by ``/``.
    """

    series: str
    origin: str
    provider: str
    runs: int
    modeled_runs: int


def _present(value: object) -> bool:
    return value is not None and value == value  # a parquet NaN is a missing entry


def input_origins(rows: Iterable[Mapping[Any, Any]]) -> list[InputOrigin]:
    """Per series of the runs' provenance (sorted by name), its origin over ``rows``."""
    runs: dict[str, int] = {}
    modeled: dict[str, int] = {}
    providers: dict[str, set[str]] = {}
    for row in rows:
        for name, value in row.items():
            key = str(name)
            if not (key.startswith(_PREFIX) and key.endswith(_SUFFIX)) or not _present(value):
                continue
            series = key[len(_PREFIX) : -len(_SUFFIX)]
            runs[series] = runs.get(series, 0) + 1
            modeled[series] = modeled.get(series, 0) + (value != "real")
            provider = row.get(f"{_PREFIX}{series}.provider")
            if _present(provider):
                providers.setdefault(series, set()).add(str(provider))
    out: list[InputOrigin] = []
    for series in sorted(runs):
        n, m = runs[series], modeled[series]
        origin = "modeled" if m == n else "real" if m == 0 else "mixed"
        provider = "/".join(sorted(providers.get(series, set())))
        out.append(InputOrigin(series, origin, provider, n, m))
    return out


def run_warnings(rows: Iterable[Mapping[Any, Any]]) -> list[tuple[str, int]]:
    """Each distinct warning of the runs (its repeat count tail dropped) and in how many
    runs it was raised, most frequent first, then by text."""
    counts: dict[str, int] = {}
    for row in rows:
        raw = row.get("warnings")
        items = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(items, list):
            continue
        for text in dict.fromkeys(_REPEAT.sub("", str(w)) for w in items):
            counts[text] = counts.get(text, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def inputs_document(rows: Iterable[Mapping[Any, Any]]) -> dict[str, object]:
    """The JSON form: ``{"runs", "series": {name: {origin, provider, runs, modeled_runs}},
    "modeled": [names modeled in some run], "warnings": [{"text", "runs"}]}``."""
    rows = list(rows)
    origins = input_origins(rows)
    return {
        "runs": len(rows),
        "series": {
            o.series: {
                "origin": o.origin,
                "provider": o.provider,
                "runs": o.runs,
                "modeled_runs": o.modeled_runs,
            }
            for o in origins
        },
        "modeled": [o.series for o in origins if o.modeled_runs],
        "warnings": [{"text": t, "runs": n} for t, n in run_warnings(rows)],
    }


def modeled_line(inputs: Mapping[str, object]) -> str:
    """One line for a terminal of an `inputs_document`: the inputs modeled in some run
    (with how many of the runs where not all)."""
    runs = inputs.get("runs")
    series = inputs.get("series")
    parts = []
    for name, v in (series if isinstance(series, Mapping) else {}).items():
        m = v.get("modeled_runs") if isinstance(v, Mapping) else None
        if m:
            parts.append(name if m == runs else f"{name} ({m} of {runs} runs)")
    return f"Modeled inputs: {', '.join(parts) or 'none'} (every other input real)."
