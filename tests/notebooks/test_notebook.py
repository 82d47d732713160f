"""The example notebook runs in a Jupyter kernel of this environment (nbclient).

No skip: a kernel that cannot start fails the test (ipykernel is in the ``test`` extra).
The figures it prints are checked against the engine run directly in this process.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from vixshield.backtest import Backtest, summary_dict
from vixshield.data.embedded import load_embedded
from vixshield.markets import Markets
from vixshield.strategy.policy import Policy, load_policy

NOTEBOOK = Path(__file__).resolve().parent / "api_example.ipynb"


def _outputs(cell: nbformat.NotebookNode, mime: str) -> list[str]:
    out = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream" and mime == "text/plain":
            out.append(o["text"])
        elif mime in o.get("data", {}):
            out.append(o["data"][mime])
    return out


def test_example_notebook_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIXSHIELD_MARKET_CACHE", str(tmp_path / "cache"))
    # the kernel runs this interpreter: put its folder first so "python" in the spec is it
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError or a kernel start error: the test fails

    cells = [c for c in nb.cells if c.cell_type == "code"]
    data_html, res_html = _outputs(cells[0], "text/html"), _outputs(cells[1], "text/html")
    assert data_html and "VixShield data" in data_html[0]
    assert res_html and "VixShield backtest: alvh-442" in res_html[0]
    assert "modeled: " in res_html[0]  # says what was modeled, not a DataFrame dump
    assert _outputs(cells[3], "application/vnd.plotly.v1+json")  # a plotly figure
    assert "VixShield signal" in _outputs(cells[5], "text/html")[0]

    printed = json.loads(_outputs(cells[-1], "text/plain")[-1])
    tree = load_policy("alvh-442").model_dump()
    tree["hedge"]["budget_basis"] = "credit"
    run = Backtest(
        Policy.model_validate(tree), Markets(load_embedded()), start="2016-01-04", end="2016-03-31"
    ).run()
    assert printed["final_equity"] == summary_dict(run)["final_equity"]
    assert printed["last_equity"] == pytest.approx(float(run.daily["equity"].iloc[-1]))
    assert printed["trades"] == len(run.trades)
