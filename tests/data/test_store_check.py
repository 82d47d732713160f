"""``vixshield data check [--repair]``, the startup sweep, and damaged stores in ``data status``.

Issue 15: a store with a missing Parquet file crashed ``data status`` before its own
integrity check ran; ``data status --home FILE`` reported an empty store; leftovers of a
killed write were invisible.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from vixshield.cli.app import app
from vixshield.data.market import Provenance
from vixshield.data.store import Store
from vixshield.errors import DataError

runner = CliRunner()
PROV = Provenance("", "cboe", "VIX_History.csv", "2026-11-26T06:00:00Z", "real")

# VIX closes published by Cboe (VIX_History.csv): 2018-02-02 17.31, 2018-02-05 37.32;
# SKEW 2018-02-05 127.4 (SKEW_History.csv).
VIX_FEB_2018 = {"2018-02-01": 13.47, "2018-02-02": 17.31, "2018-02-05": 37.32}


def daily(values: dict[str, float]) -> pd.DataFrame:
    idx = pd.DatetimeIndex(pd.to_datetime(list(values)), name="date")
    return pd.DataFrame({"value": list(values.values())}, index=idx, dtype="float64")


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A store with vix v1..v3 and skew v1."""
    store = Store(tmp_path)
    store.write({"vix": daily(VIX_FEB_2018), "skew": daily({"2018-02-05": 127.4})}, PROV)
    store.write({"vix": daily({"2018-02-06": 29.98})}, PROV)
    store.write({"vix": daily({"2018-02-07": 27.73})}, PROV)
    return tmp_path


def check(home: Path, *args: str) -> tuple[int, str]:
    out = runner.invoke(app, ["data", "check", *args, "--home", str(home)])
    assert "Traceback" not in out.output
    return out.exit_code, out.stdout


def test_intact_store_checks_clean(home: Path) -> None:
    code, text = check(home)
    assert code == 0
    assert text.splitlines() == [f"Checked 4 file(s) in {home / 'store'}.", "The store is intact."]


def test_damage_is_reported_exit_1_and_nothing_changes(home: Path) -> None:
    root = home / "store"
    (root / "series/vix/v0003.parquet").write_bytes(b"PAR1 not really")
    (root / "series/skew/v0001.parquet").unlink()
    before = snapshot(root)
    code, text = check(home)
    assert code == 1
    lines = text.splitlines()
    assert "damaged: skew v1: file series/skew/v0001.parquet is missing" in lines
    assert "damaged: vix v3: file series/vix/v0003.parquet was altered" in lines
    assert lines[-1].startswith("2 damaged file(s): `vixshield data check --repair`")
    assert snapshot(root) == before  # a check changes nothing


def test_repair_quarantines_drops_versions_and_keeps_older_good_ones(home: Path) -> None:
    root = home / "store"
    bad = b"PAR1 not really"
    (root / "series/vix/v0003.parquet").write_bytes(bad)
    (root / "series/skew/v0001.parquet").unlink()
    code, text = check(home, "--repair")
    assert code == 0, text
    lines = text.splitlines()
    moved = [ln for ln in lines if ln.startswith("dropped vix v3")]
    assert len(moved) == 1 and "moved its altered file series/vix/v0003.parquet to" in moved[0]
    target = moved[0].rsplit(" to ", 1)[1]
    assert target.startswith("quarantine/vix/v0003-") and target.endswith(".parquet")
    assert (root / target).read_bytes() == bad  # moved, never deleted
    assert "dropped skew v1 from the catalogue (file series/skew/v0001.parquet missing)" in lines
    assert "vix: latest version is now v2" in lines
    assert "skew: no good version left; removed from the catalogue" in lines
    assert lines[-1] == "The store is intact now."
    store = Store(home)
    assert [v.version for v in store.history("vix")] == [1, 2]
    assert "skew" not in store
    got = store.read("vix")["value"]
    assert got.loc["2018-02-05"] == 37.32 and got.loc["2018-02-06"] == 29.98
    assert "2018-02-07" not in got.index.strftime("%Y-%m-%d")
    assert check(home)[0] == 0
    # the next write numbers after the kept versions; the quarantined file is not overwritten
    (res,) = store.write({"vix": daily({"2018-02-07": 27.73})}, PROV)
    assert res.version == 3 and (root / target).read_bytes() == bad


def test_repair_of_a_middle_version_keeps_the_latest(home: Path) -> None:
    root = home / "store"
    (root / "series/vix/v0001.parquet").write_bytes(b"x")
    code, text = check(home, "--repair")
    assert code == 0
    assert "vix: latest version is now v3" in text.splitlines()
    store = Store(home)
    assert [v.version for v in store.history("vix")] == [2, 3]
    assert store.read("vix")["value"].loc["2018-02-07"] == 27.73


def test_leftovers_are_listed_then_swept_by_the_next_write(home: Path) -> None:
    root = home / "store"
    orphan = root / "series/vix/v0004.parquet"
    orphan.write_bytes((root / "series/vix/v0003.parquet").read_bytes())
    (root / "series/vvix").mkdir()
    (root / "series/vvix/v0001.parquet").write_bytes(b"half")
    (root / ".tmp-0123abcd.parquet").write_bytes(b"half")
    # not the sweep's: the quarantine, other folders and files
    (root / "quarantine/vix").mkdir(parents=True)
    (root / "quarantine/vix/v0002-20261201T000000Z.parquet").write_bytes(b"kept")
    (root / "chains").mkdir()
    (root / "chains/part.parquet").write_bytes(b"kept")
    code, text = check(home)
    assert code == 0
    assert [ln for ln in text.splitlines() if ln.startswith("leftover")] == [
        "leftover: .tmp-0123abcd.parquet (not in the catalogue)",
        "leftover: series/vix/v0004.parquet (not in the catalogue)",
        "leftover: series/vvix/v0001.parquet (not in the catalogue)",
    ]
    Store(home).write({"vix": daily({"2018-02-08": 29.06})}, PROV)
    assert not (root / ".tmp-0123abcd.parquet").exists()
    assert not (root / "series/vvix").exists()
    # v0004 is the new version's file now, written fresh (29.06 on 2018-02-08)
    assert Store(home).read("vix")["value"].loc["2018-02-08"] == 29.06
    assert (root / "quarantine/vix/v0002-20261201T000000Z.parquet").read_bytes() == b"kept"
    assert (root / "chains/part.parquet").read_bytes() == b"kept"
    assert Store(home).leftovers() == ()


def test_check_json(home: Path) -> None:
    (home / "store/series/skew/v0001.parquet").unlink()
    out = runner.invoke(app, ["data", "check", "--json", "--home", str(home)])
    assert out.exit_code == 1
    doc = json.loads(out.stdout)
    assert doc["files"] == 4 and doc["intact"] is False
    assert doc["damaged"] == [
        {"series": "skew", "version": 1, "file": "series/skew/v0001.parquet", "kind": "missing"}
    ]


def test_status_reports_a_missing_parquet_file_instead_of_crashing(home: Path) -> None:
    (home / "store/series/vix/v0003.parquet").unlink()
    out = runner.invoke(app, ["data", "status", "--home", str(home)])
    assert out.exit_code == 0, out.output
    assert "Traceback" not in out.output
    assert "integrity: vix v3: file series/vix/v0003.parquet is missing" in out.stdout
    out = runner.invoke(app, ["data", "status", "--json", "--home", str(home)])
    assert out.exit_code == 0
    doc = json.loads(out.stdout)
    assert doc["problems"] == ["vix v3: file series/vix/v0003.parquet is missing"]
    assert {r["series"]: r["gaps"] for r in doc["series"]}["vix"] is None


def test_reading_a_missing_file_is_a_located_data_error(home: Path) -> None:
    (home / "store/series/vix/v0003.parquet").unlink()
    with pytest.raises(DataError, match=r"vix v3: file series/vix/v0003.parquet is missing"):
        Store(home).read("vix")
    (home / "store/series/vix/v0002.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(DataError, match=r"vix v2: .* is unreadable .*data check --repair"):
        Store(home).read("vix", version=2)


@pytest.mark.parametrize("command", [["status"], ["check"], ["check", "--repair"]])
def test_home_that_is_a_file_is_one_line_exit_2(tmp_path: Path, command: list[str]) -> None:
    not_a_dir = tmp_path / "home.txt"
    not_a_dir.write_text("x")
    out = runner.invoke(app, ["data", *command, "--home", str(not_a_dir)])
    assert out.exit_code == 2
    assert out.stderr == f"error: data home {not_a_dir} is a file, not a folder\n"
    assert "empty" not in out.output
    assert not_a_dir.read_text() == "x"


def test_check_verifies_chain_partitions_too(tmp_path: Path) -> None:
    src = Path(__file__).parent / "fixtures" / "optionsdx_spx_eod_202201.txt"
    out = runner.invoke(app, ["data", "import", str(src), "--home", str(tmp_path)])
    assert out.exit_code == 0, out.output
    code, text = check(tmp_path)
    assert code == 0 and "1 chain partition(s)" in text.splitlines()[0]
    (part,) = (tmp_path / "store" / "chains").rglob("*.parquet")
    part.write_bytes(part.read_bytes() + b"x")
    code, text = check(tmp_path, "--repair")  # chain partitions are reported, not repaired
    assert code == 1
    assert any(ln.startswith("damaged: chains SPX") for ln in text.splitlines())
    assert part.exists()
