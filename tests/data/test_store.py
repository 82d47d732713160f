"""Store: round trip, versioning, provenance, atomicity (all-or-nothing writes)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vixshield.data.store as store_mod
from vixshield.data.market import Provenance
from vixshield.data.store import Store, data_home
from vixshield.errors import DataError

PROV = Provenance(
    series="",
    provider="cboe",
    source="https://cdn.cboe.com/api/global/us_indices/daily_prices/VIX_History.csv",
    fetched_at="2026-11-26T06:00:00Z",
    origin="real",
)


def daily(values: dict[str, float]) -> pd.DataFrame:
    """A frame in the parser's daily shape: DatetimeIndex 'date' + float 'value'."""
    idx = pd.DatetimeIndex(pd.to_datetime(list(values)), name="date")
    return pd.DataFrame({"value": list(values.values())}, index=idx, dtype="float64")


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under root, by relative path."""
    if not root.exists():
        return {}
    out: dict[str, bytes | None] = {}
    for p in sorted(root.rglob("*")):
        out[str(p.relative_to(root))] = p.read_bytes() if p.is_file() else None
    return out


# VIX closes published by Cboe (VIX_History.csv): 2018-02-02 17.31, 2018-02-05 37.32.
VIX_FEB_2018 = {"2018-02-01": 13.47, "2018-02-02": 17.31, "2018-02-05": 37.32}


def test_round_trip_keeps_values_and_provenance(tmp_path: Path) -> None:
    store = Store(tmp_path)
    res = store.write({"vix": daily(VIX_FEB_2018)}, PROV)
    assert [(r.series, r.version, r.rows) for r in res] == [("vix", 1, 3)]
    got = store.read("vix")
    assert got.index.name == "date"
    assert list(got.columns) == ["value"]
    assert got.loc["2018-02-05", "value"] == 37.32
    assert got["value"].dtype == np.float64
    prov = store.provenance("vix")
    assert prov.series == "vix" and prov.provider == "cboe" and prov.origin == "real"
    assert prov.source.endswith("VIX_History.csv")
    assert prov.fetched_at == "2026-11-26T06:00:00Z"
    # columnar files and a JSON catalogue, no pickles
    files = sorted(p.name for p in (tmp_path / "store").rglob("*") if p.is_file())
    assert files == ["catalog.json", "v0001.parquet"]


def test_refetch_that_changes_history_creates_visible_version(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.write({"vix": daily(VIX_FEB_2018)}, PROV)
    revised = dict(VIX_FEB_2018)
    revised["2018-02-02"] = 17.30  # one revised value
    revised["2018-02-06"] = 29.98  # one new day
    later = Provenance("", "cboe", "VIX_History.csv", "2026-11-27T06:00:00Z", "real")
    (res,) = store.write({"vix": daily(revised)}, later)
    assert (res.version, res.changed, res.added, res.removed) == (2, 1, 1, 0)
    hist = store.history("vix")
    assert [(v.version, v.rows, v.changed, v.added) for v in hist] == [(1, 3, 0, 3), (2, 4, 1, 1)]
    assert hist[1].provenance.fetched_at == "2026-11-27T06:00:00Z"
    assert store.read("vix", version=1).loc["2018-02-02", "value"] == 17.31
    assert store.read("vix").loc["2018-02-02", "value"] == 17.30
    assert store.status()[0].versions == 2


def test_identical_refetch_creates_no_version(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.write({"vix": daily(VIX_FEB_2018)}, PROV)
    before = snapshot(tmp_path)
    (res,) = store.write({"vix": daily(VIX_FEB_2018)}, PROV)
    assert res.version is None
    assert snapshot(tmp_path) == before


def test_merge_keeps_older_history_and_replace_drops_it(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.write({"vix": daily(VIX_FEB_2018)}, PROV)
    (m,) = store.write({"vix": daily({"2018-02-06": 29.98})}, PROV)
    assert (m.rows, m.added, m.removed) == (4, 1, 0)
    (r,) = store.write({"vix": daily({"2018-02-06": 29.98})}, PROV, mode="replace")
    assert (r.rows, r.added, r.removed) == (1, 0, 3)
    assert list(store.read("vix").index.strftime("%Y-%m-%d")) == ["2018-02-06"]


def test_nan_versus_number_counts_as_change(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.write({"rate": daily({"2024-10-14": float("nan"), "2024-10-15": 0.0462})}, PROV)
    (res,) = store.write({"rate": daily({"2024-10-14": 0.0461})}, PROV)
    assert res.changed == 1


def test_vx_and_events_round_trip(tmp_path: Path) -> None:
    store = Store(tmp_path)
    vx = pd.DataFrame(
        {
            "date": pd.to_datetime(["2018-02-05", "2018-02-05", "2018-02-06"]),
            "expiry": pd.to_datetime(["2018-02-14", "2018-03-21", "2018-02-14"]),
            "settle": [33.575, 26.775, 27.125],
        }
    )
    events = pd.DataFrame(
        {
            "date": pd.to_datetime(["2018-01-31"]),
            "kind": ["FOMC"],
            "label": ["FOMC 2018-01"],
            "value": [float("nan")],
        }
    )
    store.write({"vx": vx, "events": events}, PROV)
    got = store.read("vx")
    assert list(got.columns) == ["date", "expiry", "settle"]
    assert got["settle"].tolist() == [33.575, 26.775, 27.125]
    ev = store.read("events")
    assert ev["kind"].tolist() == ["FOMC"] and np.isnan(ev["value"].iloc[0])
    # re-fetch of one contract: only that key changes
    (res,) = store.write({"vx": vx.iloc[[2]].assign(settle=27.0)}, PROV)
    assert (res.changed, res.added, res.removed, res.rows) == (1, 0, 0, 3)


@pytest.mark.parametrize("existing", [False, True])
def test_failure_on_second_write_leaves_store_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    store = Store(tmp_path)
    if existing:
        store.write({"vix": daily(VIX_FEB_2018), "skew": daily({"2018-02-05": 127.4})}, PROV)
    before = snapshot(tmp_path)

    real = store_mod._write_parquet
    calls = {"n": 0}

    def flaky(frame: pd.DataFrame, path: Path) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            real(frame, path)  # leave a half-written temp file behind, then fail
            raise OSError("disk full")
        real(frame, path)

    monkeypatch.setattr(store_mod, "_write_parquet", flaky)
    frames = {"vix": daily({"2018-02-06": 29.98}), "vvix": daily({"2018-02-05": 180.61})}
    with pytest.raises(OSError, match="disk full"):
        store.write(frames, PROV)
    assert calls["n"] == 2
    assert snapshot(tmp_path) == before


def test_failure_at_commit_leaves_store_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path)
    store.write({"vix": daily(VIX_FEB_2018)}, PROV)
    before = snapshot(tmp_path)
    real_replace = os.replace

    def fail_on_catalog(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if str(dst).endswith("catalog.json"):
            raise OSError("power cut")
        real_replace(src, dst)

    monkeypatch.setattr(store_mod.os, "replace", fail_on_catalog)
    with pytest.raises(OSError, match="power cut"):
        store.write({"vix": daily({"2018-02-06": 29.98}), "vvix": daily({"2018-02-05": 1.0})}, PROV)
    assert snapshot(tmp_path) == before


def test_bad_second_frame_is_a_data_error_and_changes_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.write({"vix": daily(VIX_FEB_2018)}, PROV)
    before = snapshot(tmp_path)
    bad = pd.DataFrame({"close": [1.0]}, index=pd.DatetimeIndex(["2018-02-05"], name="date"))
    with pytest.raises(DataError, match="vvix: missing column"):
        store.write({"vix": daily({"2018-02-06": 29.98}), "vvix": bad}, PROV)
    assert snapshot(tmp_path) == before


def test_unknown_series_and_version_are_user_errors(tmp_path: Path) -> None:
    store = Store(tmp_path)
    with pytest.raises(DataError, match="not in the store"):
        store.read("vix")
    store.write({"vix": daily(VIX_FEB_2018)}, PROV)
    with pytest.raises(DataError, match="no version 7"):
        store.read("vix", version=7)
    with pytest.raises(DataError, match="invalid series key"):
        store.write({"../evil": daily(VIX_FEB_2018)}, PROV)


def test_data_home_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("VIXSHIELD_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_home() == tmp_path / "xdg" / "vixshield"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "h"))
    assert data_home() == tmp_path / "h" / ".local" / "share" / "vixshield"
    monkeypatch.setenv("VIXSHIELD_HOME", str(tmp_path / "vs"))
    assert data_home() == tmp_path / "vs"
    assert data_home(tmp_path / "explicit") == tmp_path / "explicit"


_days = pd.bdate_range("2020-01-01", periods=30)
_series = st.dictionaries(
    st.integers(0, 29), st.floats(5, 90, allow_nan=False).map(lambda x: round(x, 2)), max_size=30
)


@settings(max_examples=40, deadline=None)
@given(a=_series, b=_series)
def test_merge_is_union_with_new_values_winning(
    tmp_path_factory: pytest.TempPathFactory, a: dict[int, float], b: dict[int, float]
) -> None:
    home = tmp_path_factory.mktemp("h")
    store = Store(home)
    fa = daily({str(_days[i].date()): v for i, v in a.items()})
    fb = daily({str(_days[i].date()): v for i, v in b.items()})
    store.write({"vix": fa}, PROV)
    (res,) = store.write({"vix": fb}, PROV)
    expected = {**a, **b}
    got = store.read("vix")["value"]
    assert [d.date() for d in got.index] == [_days[i].date() for i in sorted(expected)]
    assert got.tolist() == [expected[i] for i in sorted(expected)]
    # invariants of the version bookkeeping
    assert res.removed == 0
    assert res.added == len(set(b) - set(a))
    assert res.changed == sum(1 for i in set(a) & set(b) if a[i] != b[i])


def test_verify_reports_altered_and_missing_files(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.write({"vix": daily(VIX_FEB_2018), "skew": daily({"2018-02-05": 117.33})}, PROV)
    assert store.verify() == ()
    (tmp_path / "store" / "series" / "vix" / "v0001.parquet").write_bytes(b"PAR1 not really")
    (tmp_path / "store" / "series" / "skew" / "v0001.parquet").unlink()
    assert store.verify() == (
        "skew v1: file series/skew/v0001.parquet is missing",
        "vix v1: file series/vix/v0001.parquet was altered",
    )


def test_corrupt_catalogue_is_a_one_line_data_error(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.write({"vix": daily(VIX_FEB_2018)}, PROV)
    store.catalog_path.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match=r"catalog\.json: store catalogue unreadable") as info:
        store.status()
    assert "\n" not in str(info.value)
