"""`vixshield scan` (vixshield.cli.scan_cmd) with CliRunner over the embedded sample.

The markets are the embedded 2014-2018 data, with a generated real SPX chain and
real VX settlements added where a test needs them (through the module's
`_load_market` seam). Checks the CLI's own job: what it scans, what it refuses to
scan (modeled chains), the JSON document's shape, and one-line errors.
"""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from vixshield.cli import scan_cmd
from vixshield.cli.app import app
from vixshield.data.embedded import load_embedded
from vixshield.markets import Markets

runner = CliRunner()
DAY = "2016-06-01"
E1, E2 = "2016-07-01", "2016-07-29"  # PM Fridays, no daylight-saving change from DAY


def _chains_module() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "markets" / "test_parity_chains.py"
    spec = importlib.util.spec_from_file_location("scan_test_parity_chains", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


chains = _chains_module()


def _vx_rows(values: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.Timestamp(DAY),
            "expiry": pd.to_datetime(list(values)),
            "settle": list(values.values()),
        }
    )


VX_KINKED = {  # month 3 rich by about 3 vol points against its neighbours' line
    "2016-06-15": 15.0, "2016-07-20": 16.0, "2016-08-17": 19.8,
    "2016-09-21": 17.6, "2016-10-19": 18.0,
}  # fmt: skip


def _markets(chain: pd.DataFrame | None, vx: dict[str, float] | None) -> Markets:
    data = load_embedded()
    if vx is not None:
        data = replace(data, vx=pd.concat([data.vx, _vx_rows(vx)], ignore_index=True))
    return Markets(data, chains=chain)


@pytest.fixture
def use(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def set_markets(m: Markets) -> None:
        monkeypatch.setattr(scan_cmd, "_load_market", lambda source: m)

    return set_markets


def _spx_chain(planted: tuple[object, ...] = ()) -> pd.DataFrame:
    return chains.make_chain(
        as_of=DAY, spot=2100.0, rate=0.01, q=0.02, expiries=(E1, E2),
        strikes=np.arange(1900.0, 2301.0, 25.0), planted=planted,
    )  # fmt: skip


def _scan(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, ["scan", "--date", DAY, "--data", "embedded", *args])
    return r.exit_code, r.stdout, r.stderr


def test_no_real_chain_is_said_and_nothing_is_scanned(use) -> None:  # type: ignore[no-untyped-def]
    use(_markets(None, None))
    code, out, _ = _scan("--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["inputs"] == {"spx_chain": "none", "vix_chain": "none", "vx_curve": "none"}
    assert (
        "no real SPX option chain on 2016-06-01: parity not scanned "
        "(modeled prices satisfy parity by construction)"
    ) in doc["messages"]
    assert any(m.startswith("no real VIX option chain") for m in doc["messages"])
    assert doc["findings"] == [] and doc["parity"] == []
    assert doc["summary"]["count"] == 0


def test_kink_scan_runs_on_real_vx_without_a_real_chain(use) -> None:  # type: ignore[no-untyped-def]
    use(_markets(None, VX_KINKED))
    code, out, _ = _scan("--json", "--kink-threshold", "2")
    assert code == 0
    doc = json.loads(out)
    assert doc["inputs"]["spx_chain"] == "none"
    assert doc["inputs"]["vx_curve"] == "real (5 months)"
    assert "VX curve: 3 modeled months left out of the scan" in doc["messages"]
    assert doc["kink_threshold"] == 2.0
    kinks = [f for f in doc["findings"] if f["kind"] == "vx_kink"]
    assert [f["expiry"] for f in kinks] == ["2016-08-17"]
    # neighbours 2016-07-20 (49 days) and 2016-09-21 (112): line at 77 days
    w = (112 - 77) / (112 - 49)
    dev = 19.8 - (w * 16.0 + (1 - w) * 17.6)
    vx_cost = 0.25 * 0.05 * 1000 + 0.65 + 0.60  # alvh-442 costs: share 0.25, $0.65 + $0.60
    assert kinks[0]["edge"] == pytest.approx(1000 * dev - 2 * vx_cost, abs=1e-4)


def test_json_shape_and_planted_conversion(use) -> None:  # type: ignore[no-untyped-def]
    use(_markets(_spx_chain((chains.Planted(E1, 2100.0, "C", 2.0),)), None))
    code, out, _ = _scan("--json")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {
        "costs", "data", "date", "findings", "inputs", "kink_threshold", "messages",
        "parity", "summary", "vix_forward",
    }  # fmt: skip
    assert doc["date"] == DAY and doc["data"] == "embedded"
    assert doc["inputs"]["spx_chain"] == "real"
    assert [p["expiry"] for p in doc["parity"]] == [E1, E2]
    t = 30 / 365.0
    assert doc["parity"][0]["forward"] == pytest.approx(2100.0 * math.exp(-0.01 * t), abs=1e-6)
    assert doc["parity"][0]["rate"] == pytest.approx(0.01, abs=1e-7)
    conv = [f for f in doc["findings"] if f["kind"] == "conversion"]
    assert len(conv) == 1
    f = conv[0]
    assert set(f) == {
        "edge", "expiry", "kind", "legs", "note", "size_limit", "size_note", "underlying"
    }  # fmt: skip
    assert f["size_limit"] is None and f["size_note"] == "size unknown"
    assert [(g["strike"], g["right"], g["side"]) for g in f["legs"][:2]] == [
        (2100.0, "C", "sell"), (2100.0, "P", "buy"),
    ]  # fmt: skip
    assert doc["summary"]["count"] == len(doc["findings"])
    assert doc["summary"]["max_edge"] == max(x["edge"] for x in doc["findings"])


def test_table_output_lists_the_trade(use) -> None:  # type: ignore[no-untyped-def]
    use(_markets(_spx_chain((chains.Planted(E1, 2100.0, "C", 2.0),)), None))
    code, out, _ = _scan()
    assert code == 0
    assert "inputs: spx_chain real, vix_chain none" in out
    assert "conversion SPX 2016-07-01" in out
    assert "sell SPXW 2016-07-01 2100C" in out


def test_at_touch_costs_more_than_the_policys_share(use) -> None:  # type: ignore[no-untyped-def]
    use(_markets(_spx_chain((chains.Planted(E1, 2100.0, "C", 2.0),)), None))
    edges = []
    for extra in ((), ("--at-touch",)):
        code, out, _ = _scan("--json", *extra)
        assert code == 0
        edges.append({f["kind"]: f["edge"] for f in json.loads(out)["findings"]}["conversion"])
    c_spread = p_spread = 0.0
    chain = _spx_chain((chains.Planted(E1, 2100.0, "C", 2.0),))
    at = chain[(chain["expiry"] == pd.Timestamp(E1)) & (chain["strike"] == 2100.0)]
    c_spread = float((at["ask"] - at["bid"])[at["right"] == "C"].iloc[0])
    p_spread = float((at["ask"] - at["bid"])[at["right"] == "P"].iloc[0])
    # spread share 0.25 -> 0.5 costs a further quarter of both spreads, 100 $ a point
    assert edges[0] - edges[1] == pytest.approx(25.0 * (c_spread + p_spread), abs=1e-6)


def test_bad_date_and_threshold_are_one_line_errors(use) -> None:  # type: ignore[no-untyped-def]
    use(_markets(None, None))
    r = runner.invoke(app, ["scan", "--date", "2016-13-01", "--data", "embedded"])
    assert r.exit_code == 2
    assert r.stderr.startswith("error: --date") and len(r.stderr.splitlines()) == 1
    r = runner.invoke(app, ["scan", "--date", DAY, "--data", "embedded", "--kink-threshold", "0"])
    assert r.exit_code == 2
    assert r.stderr == "error: --kink-threshold: expected > 0 vol points, got 0.0\n"
