"""Real chains served a month file at a time: every day's rows as imported, one read a month.

The reference is the hand-made table the test imports (`_truth`): each day read back
through `ChainDataset.day_table` and `RealChains` must give exactly its quotes.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from vixshield.data.chains import ChainDataset, import_chains
from vixshield.data.store import Store
from vixshield.errors import DataError
from vixshield.markets import listing
from vixshield.markets.inputs import DayInputs
from vixshield.markets.real_source import RealChains

DAYS = ("2024-01-02", "2024-01-03", "2024-01-04", "2024-02-01")
EXPIRIES = ("2024-01-19", "2024-02-16", "2024-02-23")  # SPX AM (3rd Fridays), SPXW PM
STRIKES = (4700.0, 4725.0)


def _truth() -> pd.DataFrame:
    rows = []
    for n, d in enumerate(DAYS):
        for e in EXPIRIES:
            if e < d:
                continue
            root, st = ("SPXW", "PM") if e == "2024-02-23" else ("SPX", "AM")
            for k in STRIKES:
                for r in ("C", "P"):
                    bid = round(k / 100 + n + (0.25 if r == "P" else 0.0), 2)
                    rows.append((d, "SPX", root, e, st, k, r, bid, bid + 0.5, 0.2))
    cols = ["quote_date", "underlying", "root", "expiry", "settlement", "strike", "right",
            "bid", "ask", "iv"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


@pytest.fixture
def dataset(tmp_path: Path) -> ChainDataset:
    f = tmp_path / "chain.csv"
    _truth().to_csv(f, index=False)
    import_chains([f], Store(tmp_path / "home"))
    return ChainDataset(tmp_path / "home")


def _no_futures(day: object, ed: np.ndarray) -> np.ndarray:
    raise AssertionError("SPX needs no VX future")


def test_every_day_gives_back_its_rows(dataset: ChainDataset) -> None:
    t = _truth()
    for d in DAYS:
        got = dataset.day_table(pd.Timestamp(d), "SPX")
        assert got is not None
        want = t[t["quote_date"] == d].sort_values(["expiry", "strike", "right"])
        g = got.to_pandas()
        assert [str(x) for x in g["expiry"]] == list(want["expiry"])
        assert list(g["strike"]) == list(want["strike"])
        assert [str(x) for x in g["right"]] == list(want["right"])
        assert [str(x) for x in g["root"]] == list(want["root"])
        assert list(g["bid"]) == list(want["bid"]) and list(g["ask"]) == list(want["ask"])
    assert dataset.day_table(pd.Timestamp("2024-01-05"), "SPX") is None  # not quoted


def test_a_month_file_is_read_once(dataset: ChainDataset) -> None:
    jan = next(p for p in dataset.partitions("SPX") if p.month == "2024-01")
    feb = next(p for p in dataset.partitions("SPX") if p.month == "2024-02")
    assert dataset.day_table(pd.Timestamp("2024-01-02"), "SPX") is not None
    (dataset.folder / jan.file).write_bytes(b"gone")  # later January days come from the read
    (dataset.folder / feb.file).write_bytes(b"damaged")
    got = dataset.day_table(pd.Timestamp("2024-01-04"), "SPX")
    assert got is not None and got.num_rows == 2 * 2 * 3  # 3 expiries x 2 strikes x C/P
    with pytest.raises(DataError, match="SPX/2024-02"):
        dataset.day_table(pd.Timestamp("2024-02-01"), "SPX")


def test_real_quotes_match_the_imported_rows(dataset: ChainDataset) -> None:
    real = RealChains(dataset, _no_futures)
    day = DayInputs(pd.Timestamp("2024-01-03"), 0, 4700.0, 0.05, 0.015, 13.0, 15.0, (), {})
    block = real.block(day.date, "SPX")
    assert block is not None
    expiry = [pd.Timestamp(e) for e in ("2024-02-23", "2024-01-19", "2024-02-16", "2024-03-15")]
    ed = np.array([(e - pd.Timestamp("1970-01-01")).days for e in expiry], dtype=np.int64)
    k = np.array([4725.0, 4700.0, 4700.0, 4700.0])
    call = np.array([False, True, False, True])
    q, mask = real.quote(day, "SPX", block, ed, k, call)
    assert list(mask) == [True, True, True, False]  # no 2024-03-15 expiry in the file
    # bids of the table: strike / 100 + day number (1) + 0.25 for a put
    np.testing.assert_array_equal(q.bid[:3], [48.5, 48.0, 48.25])
    # the SPXW expiry settles PM, the SPX ones AM (ACT/365 from the 16:00 close)
    want_t = [listing.t_years_to_settlement(day.date, e, s)
              for e, s in zip(expiry[:3], ("PM", "AM", "AM"), strict=True)]  # fmt: skip
    np.testing.assert_array_equal(q.t_years[:3], want_t)
    assert np.isclose(want_t[0], (51 * 1440) / 525600.0)  # 2024-01-03 16:00 -> 02-23 16:00
    assert np.isnan(q.bid[3])


def _rewrite(path: Path, shift_days: int = 0) -> None:
    """The file again without column statistics, one row group per date as before;
    quote dates moved by ``shift_days``."""
    f = pq.ParquetFile(path)
    groups = [f.read_row_group(i) for i in range(f.num_row_groups)]
    f.close()
    with pq.ParquetWriter(path, groups[0].schema, write_statistics=False) as w:
        for g in groups:
            days = pc.add(
                g.column("quote_date").cast(pa.int32()), pa.scalar(shift_days, pa.int32())
            )
            qd = days.cast(pa.date32())
            w.write_table(g.set_column(0, "quote_date", qd))


def test_a_file_without_statistics_is_checked_on_its_dates(dataset: ChainDataset) -> None:
    jan = next(p for p in dataset.partitions("SPX") if p.month == "2024-01")
    _rewrite(dataset.folder / jan.file)
    got = ChainDataset(dataset.folder.parent.parent).day_table(pd.Timestamp("2024-01-03"), "SPX")
    assert got is not None and got.num_rows == 2 * 2 * 3
    _rewrite(dataset.folder / jan.file, shift_days=1)  # every row group a day late
    with pytest.raises(DataError, match="SPX/2024-01 does not match its catalogue entry"):
        ChainDataset(dataset.folder.parent.parent).day_table(pd.Timestamp("2024-01-03"), "SPX")


def test_a_catalogue_row_count_the_file_does_not_hold_is_refused(dataset: ChainDataset) -> None:
    path = dataset.folder / "catalogue.json"
    raw = json.loads(path.read_text())
    jan = next(p for p in raw["partitions"] if p["month"] == "2024-01")
    jan["days"]["2024-01-03"] += 1
    path.write_text(json.dumps(raw))
    with pytest.raises(DataError, match="SPX/2024-01 does not match its catalogue entry"):
        ChainDataset(dataset.folder.parent.parent).day_table(pd.Timestamp("2024-01-02"), "SPX")


def _relayout(path: Path, *, per_day: bool, shift_days: int = 0) -> None:
    """The file again with statistics: one row group per date (the layout of earlier
    imports) or one for the month; quote dates moved by ``shift_days``."""
    t = pq.read_table(path)
    days = pc.add(t.column("quote_date").cast(pa.int32()), pa.scalar(shift_days, pa.int32()))
    t = t.set_column(0, "quote_date", days.cast(pa.date32()))
    with pq.ParquetWriter(path, t.schema, compression="zstd") as w:
        if per_day:
            for d in pc.unique(t.column("quote_date")).to_pylist():
                w.write_table(t.filter(pc.equal(t.column("quote_date"), d)))
        else:
            w.write_table(t, row_group_size=t.num_rows)


def test_the_import_writes_a_month_as_one_row_group(dataset: ChainDataset) -> None:
    jan = next(p for p in dataset.partitions("SPX") if p.month == "2024-01")
    assert list(jan.days) == ["2024-01-02", "2024-01-03", "2024-01-04"]
    assert pq.ParquetFile(dataset.folder / jan.file).metadata.num_row_groups == 1


def test_a_file_of_one_row_group_a_date_is_still_read(dataset: ChainDataset) -> None:
    jan = next(p for p in dataset.partitions("SPX") if p.month == "2024-01")
    _relayout(dataset.folder / jan.file, per_day=True)
    assert pq.ParquetFile(dataset.folder / jan.file).metadata.num_row_groups == 3
    t = _truth()
    again = ChainDataset(dataset.folder.parent.parent)
    for d in ("2024-01-02", "2024-01-03", "2024-01-04"):
        got = again.day_table(pd.Timestamp(d), "SPX")
        assert got is not None
        want = t[t["quote_date"] == d].sort_values(["expiry", "strike", "right"])
        assert list(got.column("bid").to_pylist()) == list(want["bid"])
        assert [str(x) for x in got.column("right").to_pylist()] == list(want["right"])


@pytest.mark.parametrize("per_day", [True, False])
def test_a_file_of_other_dates_is_refused_in_either_layout(
    dataset: ChainDataset, per_day: bool
) -> None:
    jan = next(p for p in dataset.partitions("SPX") if p.month == "2024-01")
    _relayout(dataset.folder / jan.file, per_day=per_day, shift_days=1)  # a day late
    with pytest.raises(DataError, match="SPX/2024-01 does not match its catalogue entry"):
        ChainDataset(dataset.folder.parent.parent).day_table(pd.Timestamp("2024-01-03"), "SPX")


def test_a_month_file_without_quote_dates_is_refused(dataset: ChainDataset) -> None:
    jan = next(p for p in dataset.partitions("SPX") if p.month == "2024-01")
    path = dataset.folder / jan.file
    pq.write_table(pq.read_table(path).drop_columns(["quote_date"]), path)
    with pytest.raises(DataError, match="SPX/2024-01"):
        ChainDataset(dataset.folder.parent.parent).day_table(pd.Timestamp("2024-01-03"), "SPX")


def test_next_month_comes_from_the_catalogue(dataset: ChainDataset) -> None:
    assert dataset.next_month(pd.Timestamp("2024-01-02"), "SPX") == pd.Timestamp("2024-02-01")
    assert dataset.next_month(pd.Timestamp("2023-11-30"), "SPX") == pd.Timestamp("2024-01-02")
    assert dataset.next_month(pd.Timestamp("2024-02-01"), "SPX") is None  # the last month
    assert dataset.next_month(pd.Timestamp("2024-01-02"), "VIX") is None


def test_month_files_repeat_values_through_dictionaries(dataset: ChainDataset) -> None:
    jan = next(p for p in dataset.partitions("SPX") if p.month == "2024-01")
    meta = pq.ParquetFile(dataset.folder / jan.file).metadata
    rg = meta.row_group(0)
    coded = {rg.column(i).path_in_schema: rg.column(i).has_dictionary_page
             for i in range(rg.num_columns)}  # fmt: skip
    assert coded == {"quote_date": True, "root": True, "expiry": True, "settlement": True,
                     "strike": True, "right": True, "bid": True, "ask": True, "iv": False,
                     "line": False}  # fmt: skip


def test_a_file_of_plain_columns_gives_the_same_days(dataset: ChainDataset) -> None:
    # the layout of earlier imports: only the text columns dictionary-encoded
    t = _truth()
    jan = next(p for p in dataset.partitions("SPX") if p.month == "2024-01")
    path = dataset.folder / jan.file
    table = pq.ParquetFile(path).read()
    pq.write_table(table, path, compression="zstd", use_dictionary=["root", "settlement", "right"])
    fresh = ChainDataset(dataset.folder.parent.parent)
    for d in DAYS[:3]:
        got = fresh.day_table(pd.Timestamp(d), "SPX")
        assert got is not None
        want = t[t["quote_date"] == d].sort_values(["expiry", "strike", "right"])
        assert list(got.column("strike").to_pylist()) == list(want["strike"])
        assert list(got.column("bid").to_pylist()) == list(want["bid"])
