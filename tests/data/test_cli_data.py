"""`vixshield data status / import` through Typer's CliRunner: exit codes, no tracebacks, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vixshield.cli.app import app
from vixshield.data.chains import ChainDataset
from vixshield.data.store import Store

FIXTURES = Path(__file__).resolve().parent / "http_fixtures"

runner = CliRunner()


def snapshot(root: Path) -> dict[str, bytes | None]:
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(root.rglob("*"))
    }


def test_import_folder_then_status_json(tmp_path: Path) -> None:
    home = tmp_path / "home"
    out = runner.invoke(app, ["data", "import", str(FIXTURES), "--home", str(home)])
    assert out.exit_code == 0, out.output
    assert "skipped" in out.output and "README.md" in out.output  # a note, not a failure
    # vix is in both the Cboe history and FRED's VIXCLS: the exchange's file is preferred
    assert "vix: taken from cboe_index files; fred (VIXCLS.csv) not used" in out.output
    store = Store(home)
    assert {"vix", "vix_open", "vvix", "skew", "rate", "vx", "spx_close"} <= set(store.series())
    # chains go to the partitioned dataset: the Cboe delayed quotes of SPX and VIX, two
    # options each (http_fixtures/README.md)
    assert len(ChainDataset(home)) == 4
    assert "chains: 4 option quotes" in out.output
    assert store.provenance("vix").source.endswith("VIX_History.csv")

    st = runner.invoke(app, ["data", "status", "--json", "--home", str(home)])
    assert st.exit_code == 0, st.output
    doc = json.loads(st.stdout)
    by = {s["series"]: s for s in doc["series"]}
    assert by["vix"]["rows"] == 6
    assert (by["vix"]["first"], by["vix"]["last"]) == ("2018-02-01", "2020-03-17")
    # gaps = NYSE sessions 2018-02-01 .. 2020-03-17 (exchange_calendars XNYS) minus the 6 rows
    import warnings

    import exchange_calendars as xcals

    with warnings.catch_warnings():  # the oracle's own pandas deprecation warnings
        warnings.simplefilter("ignore")
        sessions = xcals.get_calendar("XNYS").sessions_in_range("2018-02-01", "2020-03-17")
    assert by["vix"]["gaps"] == len(sessions) - 6
    assert by["vix"]["provenance"]["provider"] == "cboe"
    assert by["vix"]["provenance"]["origin"] == "real"
    assert by["vix"]["versions"] == 1 and by["vix"]["history"][0]["added"] == 6
    assert doc["problems"] == []
    missing = {m["series"]: m for m in doc["missing"]}
    assert set(missing) == {"advances", "declines", "events", "spx_set", "div_yield"}
    assert missing["events"]["fallback"] == "shipped calendars"
    # the dividend yield is the shipped modeled table (embedded default and load_store alike)
    assert (missing["div_yield"]["embedded"], missing["div_yield"]["origin"]) == (True, "modeled")
    assert missing["spx_set"]["fallback"] is None
    assert all(isinstance(m["embedded"], bool) for m in missing.values())

    table = runner.invoke(app, ["data", "status", "--home", str(home)], env={"COLUMNS": "160"})
    assert table.exit_code == 0
    assert "vix3m" in table.output and "cboe" in table.output
    assert "advances: not in the store; would come from" in table.output


def test_status_of_empty_store_names_the_embedded_fallback(tmp_path: Path) -> None:
    out = runner.invoke(app, ["data", "status", "--home", str(tmp_path)])
    assert out.exit_code == 0
    # the terminal wraps the line where the folder's path ends: compare the words
    assert "is empty" in " ".join(out.output.split())
    doc = json.loads(
        runner.invoke(app, ["data", "status", "--json", "--home", str(tmp_path)]).stdout
    )
    assert doc["series"] == []
    missing = {m["series"]: m for m in doc["missing"]}
    assert "vix" in missing and "vx" in missing and "events" in missing
    # the embedded default (data A) carries a real VIX history
    assert missing["vix"]["embedded"] is True


def test_import_bad_file_is_one_line_exit_2_store_unchanged(tmp_path: Path) -> None:
    home = tmp_path / "home"
    good = tmp_path / "in" / "VIX_History.csv"
    good.parent.mkdir()
    good.write_bytes((FIXTURES / "cboe/VIX_History.csv").read_bytes())
    assert runner.invoke(app, ["data", "import", str(good), "--home", str(home)]).exit_code == 0
    before = snapshot(home)
    bad = tmp_path / "in" / "SKEW_History.csv"
    bad.write_text("DATE,SKEW\n02/01/2018,120.59\n02/02/2018,abc\n")
    # the folder holds a good VVIX file too: all or nothing, nothing is written
    (tmp_path / "in" / "VVIX_History.csv").write_bytes(
        (FIXTURES / "cboe/VVIX_History.csv").read_bytes()
    )
    out = runner.invoke(app, ["data", "import", str(tmp_path / "in"), "--home", str(home)])
    assert out.exit_code == 2
    assert "Traceback" not in out.output
    err = out.stderr.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("error: ") and "SKEW_History.csv:3" in err[0] and "SKEW" in err[0]
    assert snapshot(home) == before


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["data", "import", "/no/such/place"], "no such file or folder"),
        (["data", "import", str(FIXTURES / "README.md")], "unrecognised file format"),
        (["data", "import", str(FIXTURES), "--kind", "nope"], "unknown kind 'nope'"),
        (["data", "fetch", "advances"], "advances: not supplied"),
    ],
)
def test_user_errors_are_one_line_exit_2(tmp_path: Path, args: list[str], needle: str) -> None:
    out = runner.invoke(app, [*args, "--home", str(tmp_path)])
    assert out.exit_code == 2
    assert "Traceback" not in out.output
    assert out.stderr.count("\n") == 1 and needle in out.stderr
    assert snapshot(tmp_path) == {}


def test_import_twice_is_idempotent_and_forced_kind(tmp_path: Path) -> None:
    f = FIXTURES / "fred" / "DTB3.csv"
    out1 = runner.invoke(app, ["data", "import", str(f), "--kind", "fred", "--home", str(tmp_path)])
    assert out1.exit_code == 0, out1.output
    before = snapshot(tmp_path)
    out2 = runner.invoke(app, ["data", "import", str(f), "--home", str(tmp_path)])
    assert out2.exit_code == 0 and "unchanged" in out2.output
    assert snapshot(tmp_path) == before
