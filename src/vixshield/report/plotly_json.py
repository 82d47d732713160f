"""Plotly figures as plain JSON: the template and plotly.js read from the installed package.

The report builds its figures as dicts in plotly's JSON schema
(`vixshield.report.figures`) and never imports ``plotly.graph_objects`` (whose
import and per-property validation cost more than the rest of the report).
This module reads what a self-contained page needs straight from the installed
``plotly`` package's files, without importing it: ``plotly.min.js`` (what
``plotly.offline.get_plotlyjs`` returns) and a layout template
(``package_data/templates/<name>.json``, what ``plotly.io.templates[name]``
loads), and serializes a figure exactly as ``plotly.graph_objects.Figure.to_json``
does (the ``json`` engine: compact separators, non-finite numbers as ``null``,
``<``, ``>`` and ``/`` escaped). tests/report/test_figures.py checks the
figures against the graph-objects path, byte for byte.

Nothing is cached: each call reads the installed files, so an upgraded plotly
is picked up by the next report.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Mapping
from pathlib import Path

__all__ = ["figure_json", "plotly_js", "plotly_package_dir", "template"]

_SWAP = (("<", "\\u003c"), (">", "\\u003e"), ("/", "\\u002f"))
"""Characters plotly's JSON writer escapes (``plotly.io._json._swap_json``)."""


def plotly_package_dir() -> Path:
    """The installed ``plotly`` package's folder (found, not imported).

    Raises
    ------
    RuntimeError
        plotly is not installed (the HTML report cannot embed plotly.js).
    """
    spec = importlib.util.find_spec("plotly")
    places = list(spec.submodule_search_locations or []) if spec is not None else []
    if not places:
        raise RuntimeError("plotly is not installed: the HTML report embeds its plotly.js")
    return Path(places[0])


def plotly_js() -> str:
    """The bundled ``plotly.min.js``, as ``plotly.offline.get_plotlyjs()`` returns it."""
    return (plotly_package_dir() / "package_data" / "plotly.min.js").read_bytes().decode("utf-8")


def _plotly_order(value: object) -> object:
    """Keys as plotly's validated objects hold them: sorted, ``type`` last."""
    if isinstance(value, dict):
        keys = sorted(k for k in value if k != "type") + (["type"] if "type" in value else [])
        return {k: _plotly_order(value[k]) for k in keys}
    if isinstance(value, list):
        return [_plotly_order(v) for v in value]
    return value


def template(name: str = "plotly_white") -> dict[str, object]:
    """The plotly layout template ``name`` as ``Figure.to_dict()`` embeds it.

    The package's file, in the key order of plotly's validated `Template`: trace
    types ordered as ``plotly.graph_objects.layout.template.Data`` lists them
    (by their plural, ``barpolar`` before ``bar``), every other object's keys
    sorted with ``type`` last.
    """
    path = plotly_package_dir() / "package_data" / "templates" / f"{name}.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    data = raw.get("data", {})
    return {
        "data": {k: _plotly_order(data[k]) for k in sorted(data, key=lambda k: k + "s")},
        "layout": _plotly_order(raw.get("layout", {})),
    }


def figure_json(fig: Mapping[str, object]) -> str:
    """``fig`` (``{"data": [...], "layout": {...}}``) as ``Figure.to_json()`` writes it.

    Notes
    -----
    plotly's ``PlotlyJSONEncoder`` writes NaN and infinities as ``null`` (by
    re-reading its own output where those words appear); the builders already
    give None, and this does the same for anything else.
    """
    text = json.dumps(fig, separators=(",", ":"))
    if "NaN" in text or "Infinity" in text:
        text = json.dumps(json.loads(text, parse_constant=lambda _: None), separators=(",", ":"))
    for unsafe, safe in _SWAP:
        if unsafe in text:
            text = text.replace(unsafe, safe)
    return text
