"""Bulk chain import: every vendor format, located errors, bounded memory, DuckDB pushdown.

The reference for every value is the generated truth table the vendor files are
written from (`_truth`): the dataset must give back exactly those quotes.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vixshield.data.chains import ChainDataset, import_chains
from vixshield.data.store import Store
from vixshield.data.store_import import import_path
from vixshield.errors import DataError

DAYS = ("2024-01-02", "2024-01-03", "2024-02-01")
EXPIRIES = ("2024-01-19", "2024-02-16", "2024-02-23")  # 3rd Fridays (SPX AM) and a Friday (SPXW)
STRIKES = (4700.0, 4725.0, 4750.0)


def _truth() -> pd.DataFrame:
    rows = []
    for d in DAYS:
        for e in EXPIRIES:
            if e < d:
                continue
            root = "SPXW" if e == "2024-02-23" else "SPX"
            for k in STRIKES:
                for r in ("C", "P"):
                    bid = round((k - 4600) / 10 + (1 if r == "C" else 2) + DAYS.index(d), 2)
                    rows.append((d, "SPX", root, e, "PM" if root == "SPXW" else "AM", k, r,
                                 bid, bid + 0.5, 0.15 + STRIKES.index(k) / 100))  # fmt: skip
    cols = ["quote_date", "underlying", "root", "expiry", "settlement", "strike", "right",
            "bid", "ask", "iv"]  # fmt: skip
    t = pd.DataFrame(rows, columns=cols)
    return t


def _generic(t: pd.DataFrame, path: Path) -> Path:
    t.to_csv(path, index=False)
    return path


def _wide(t: pd.DataFrame) -> pd.DataFrame:
    key = ["quote_date", "expiry", "strike"]
    return t[t["right"] == "C"].merge(t[t["right"] == "P"], on=key, suffixes=("_c", "_p"))


def _optionsdx(t: pd.DataFrame, path: Path) -> Path:
    head = ("[QUOTE_UNIXTIME], [QUOTE_READTIME], [QUOTE_DATE], [UNDERLYING_LAST], [EXPIRE_DATE], "
            "[C_IV], [C_SIZE], [C_BID], [C_ASK], [STRIKE], [P_BID], [P_ASK], [P_SIZE], [P_IV], "
            "[P_VOLUME]")  # fmt: skip
    lines = [head]
    for _, r in _wide(t).iterrows():
        lines.append(
            f"1704229200, {r.quote_date} 16:00, {r.quote_date}, 4742.830000, {r.expiry}, "
            f"{r.iv_c:.6f}, 10 x 10, {r.bid_c:.6f}, {r.ask_c:.6f}, {r.strike:.6f}, "
            f"{r.bid_p:.6f}, {r.ask_p:.6f}, 5 x 5, {r.iv_p:.6f}, "
        )
    path.write_text("\n".join(lines) + "\n")
    return path


_DATASHOP_COLS = (
    "underlying_symbol,quote_date,root,expiration,strike,option_type,open,high,low,close,"
    "trade_volume,bid_size_1545,bid_1545,ask_size_1545,ask_1545,underlying_bid_1545,"
    "underlying_ask_1545,implied_underlying_price_1545,active_underlying_price_1545,"
    "implied_volatility_1545,delta_1545,gamma_1545,theta_1545,vega_1545,rho_1545,"
    "bid_size_eod,bid_eod,ask_size_eod,ask_eod,underlying_bid_eod,underlying_ask_eod,vwap,"
    "open_interest,delivery_code"
)


def _datashop(t: pd.DataFrame, path: Path) -> Path:
    lines = [_DATASHOP_COLS]
    for _, r in t.iterrows():
        # the 15:45 quotes differ from the close: the reader must take the *_eod ones
        lines.append(
            f"^SPX,{r.quote_date},{r.root},{r.expiry},{r.strike:.3f},{r.right},0,0,0,0,0,"
            f"10,{r.bid - 0.3:.2f},10,{r.ask - 0.3:.2f},4740,4741,4740.5,4740.5,{r.iv:.4f},"
            f"0.5,0.001,-1,2,0.1,20,{r.bid:.2f},20,{r.ask:.2f},4742,4743,0,100,"
        )
    path.write_text("\n".join(lines) + "\n")
    return path


def _orats(t: pd.DataFrame, path: Path, *, api: bool) -> Path:
    if api:
        head = ("ticker,tradeDate,expirDate,dte,strike,stockPrice,callBidPrice,callAskPrice,"
                "putBidPrice,putAskPrice,callMidIv,putMidIv,delta,updatedAt")  # fmt: skip
    else:
        head = "ticker,trade_date,expirDate,strike,stkPx,cBidPx,cAskPx,pBidPx,pAskPx,cMidIv,pMidIv"
    lines = [head]
    for _, r in _wide(t).iterrows():
        us = lambda s: f"{s[5:7]}/{s[8:10]}/{s[:4]}"  # noqa: E731 - MM/DD/YYYY of the data files
        if api:
            lines.append(f"SPX,{r.quote_date},{r.expiry},10,{r.strike:g},4742.8,{r.bid_c},"
                         f"{r.ask_c},{r.bid_p},{r.ask_p},{r.iv_c},{r.iv_p},0.5,x")  # fmt: skip
        else:
            lines.append(f"SPX,{us(r.quote_date)},{us(r.expiry)},{r.strike:g},4742.8,{r.bid_c},"
                         f"{r.ask_c},{r.bid_p},{r.ask_p},{r.iv_c},{r.iv_p}")  # fmt: skip
    lines.append(lines[1].replace("SPX,", "AAPL,", 1))  # another ticker: left out with a note
    path.write_text("\n".join(lines) + "\n")
    return path


def _stored(home: Path) -> pd.DataFrame:
    got = ChainDataset(home).query("SPX")
    got["quote_date"] = got["quote_date"].dt.strftime("%Y-%m-%d")
    got["expiry"] = got["expiry"].dt.strftime("%Y-%m-%d")
    return got.astype({c: object for c in ("underlying", "root", "settlement", "right")})


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    key = ["quote_date", "expiry", "strike", "right"]
    g = got.sort_values(key).reset_index(drop=True)
    w = want.sort_values(key).reset_index(drop=True)
    for c in ("quote_date", "underlying", "root", "expiry", "settlement", "right"):
        assert list(g[c]) == list(w[c]), c
    for c in ("strike", "bid", "ask", "iv"):
        np.testing.assert_allclose(g[c].to_numpy(), w[c].to_numpy(), rtol=0, atol=1e-9)


@pytest.mark.parametrize("fmt", ["generic", "optionsdx", "datashop", "orats_api", "orats_file"])
def test_vendor_file_round_trip(tmp_path: Path, fmt: str) -> None:
    t = _truth()
    path = tmp_path / f"chain_{fmt}.csv"
    writers = {
        "generic": lambda: _generic(t, path),
        "optionsdx": lambda: _optionsdx(t, tmp_path / "spx_eod_202401.txt"),
        "datashop": lambda: _datashop(t, path),
        "orats_api": lambda: _orats(t, path, api=True),
        "orats_file": lambda: _orats(t, path, api=False),
    }
    f = writers[fmt]()
    result = import_path(f, Store(tmp_path / "home"))
    assert result.chains is not None and result.chains.rows == len(t)
    _same(_stored(tmp_path / "home"), t)
    if fmt.startswith("orats"):
        assert any("1 rows of other tickers left out" in w for w in result.warnings)


def test_optionsdx_zip_and_7z(tmp_path: Path) -> None:
    import py7zr

    t = _truth()
    jan = _optionsdx(t[t["quote_date"] < "2024-02"], tmp_path / "spx_eod_202401.txt")
    feb = _optionsdx(t[t["quote_date"] >= "2024-02"], tmp_path / "spx_eod_202402.txt")
    with zipfile.ZipFile(tmp_path / "spx_eod_2024q1.zip", "w") as z:
        z.write(jan, jan.name)
    with py7zr.SevenZipFile(tmp_path / "spx_eod_202402.7z", "w") as z:
        z.write(feb, feb.name)
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("spx_eod_2024q1.zip", "spx_eod_202402.7z"):
        (tmp_path / name).rename(folder / name)
    result = import_path(folder, Store(tmp_path / "home"))
    names = sorted(Path(f).name for f, _ in result.files)
    assert names == [
        "spx_eod_202402.7z:spx_eod_202402.txt",
        "spx_eod_2024q1.zip:spx_eod_202401.txt",
    ]
    _same(_stored(tmp_path / "home"), t)


@pytest.mark.parametrize(
    ("fmt", "edit", "row", "field"),
    [
        ("generic", lambda s: s.replace("4725.0,C,13.5", "4725.0,C,x13.5"), None, "bid"),
        ("generic", lambda s: s.replace("2024-02-16,AM", "2024-13-16,AM", 1), None, "expiry"),
        ("generic", lambda s: s.replace(",C,", ",X,", 1), 2, "right"),
        ("optionsdx", lambda s: s.replace("11.000000, 11.500000", "12.000000, 11.500000", 1), 2,
         "C_BID"),
        ("datashop", lambda s: s.replace(",SPX,", ",SPXQ,", 1), 2, "root"),
    ],
)  # fmt: skip
def test_bad_value_is_located(tmp_path: Path, fmt: str, edit: object, row: int | None,
                              field: str) -> None:  # fmt: skip
    t = _truth()
    f = {"generic": _generic, "optionsdx": _optionsdx, "datashop": _datashop}[fmt](
        t, tmp_path / "bad.csv"
    )
    text = f.read_text()
    bad = edit(text)  # type: ignore[operator]
    assert bad != text
    f.write_text(bad)
    expect = row or next(
        i for i, ln in enumerate(bad.splitlines(), 1) if ln not in text.splitlines()
    )
    with pytest.raises(DataError) as err:
        import_path(f, Store(tmp_path / "home"))
    assert (err.value.file, err.value.row, err.value.field) == ("bad.csv", expect, field)
    assert not (tmp_path / "home" / "store" / "chains" / "catalogue.json").exists()


def test_duplicate_quote_located_across_chunks(tmp_path: Path) -> None:
    t = _truth()
    dup = pd.concat([t, t.iloc[[5]]], ignore_index=True)
    f = _generic(dup, tmp_path / "dup.csv")
    with pytest.raises(DataError) as err:
        import_chains([f], Store(tmp_path / "home"), chunk_bytes=4096)
    assert err.value.row == len(dup) + 1 and err.value.field == "strike"


def test_reimport_of_a_date_replaces_it(tmp_path: Path) -> None:
    t = _truth()
    store = Store(tmp_path / "home")
    import_chains([_generic(t, tmp_path / "all.csv")], store)
    again = t[t["quote_date"] == "2024-01-03"].assign(bid=lambda x: x["bid"] + 0.1)
    again = again.assign(ask=lambda x: x["ask"] + 0.1)
    r = import_chains([_generic(again, tmp_path / "fix.csv")], store)
    assert r.replaced_days == 1
    want = pd.concat([t[t["quote_date"] != "2024-01-03"], again])
    _same(_stored(tmp_path / "home"), want)
    assert ChainDataset(tmp_path / "home").verify() == ()


def _many_months(path: Path, months: int, per_day: int) -> int:
    """A generic chain over ``months`` months (4 days each), ``per_day`` rows a day."""
    days = [d for m in range(months) for d in pd.date_range(pd.Timestamp("2015-01-05")
            + pd.DateOffset(months=m), periods=4, freq="B")]  # fmt: skip
    n = per_day // 2
    with path.open("w") as fh:
        fh.write("quote_date,underlying,root,expiry,settlement,strike,right,bid,ask,iv\n")
        k = 1000.0 + 5.0 * np.arange(n)
        for d in days:
            e = (d + pd.Timedelta(days=30)).date().isoformat()
            q = d.date().isoformat()
            block = "".join(
                f"{q},SPX,SPXW,{e},PM,{s:g},{r},{b:.2f},{b + 0.5:.2f},0.2\n"
                for s, b in zip(k, np.linspace(1, 50, n), strict=True)
                for r in ("C", "P")
            )
            fh.write(block)
    return len(days) * 2 * n


def _peak_rss_kib(path: Path, home: Path, chunk: int) -> int:
    code = (
        "import resource, sys; from pathlib import Path;"
        "from vixshield.data.chains import import_chains; from vixshield.data.store import Store;"
        f"import_chains([Path({str(path)!r})], Store(Path({str(home)!r})), chunk_bytes={chunk});"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def test_import_memory_is_bounded_by_the_chunk(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    rows = _many_months(big, months=36, per_day=2000)
    small = tmp_path / "small.csv"
    _many_months(small, months=1, per_day=2000)
    size_kib = big.stat().st_size // 1024
    assert size_kib > 10_000 and rows == 288_000
    chunk = 256 << 10
    base = _peak_rss_kib(small, tmp_path / "h1", chunk)
    peak = _peak_rss_kib(big, tmp_path / "h2", chunk)
    # reading the whole file would add more than its own size (text plus columns)
    assert peak - base < size_kib // 2, (peak, base, size_kib)
    assert len(ChainDataset(tmp_path / "h2")) == rows


def test_query_reads_only_its_partitions(tmp_path: Path) -> None:
    t = _truth()
    home = tmp_path / "home"
    import_chains([_generic(t, tmp_path / "all.csv")], Store(home))
    ds = ChainDataset(home)
    feb = next(p for p in ds.partitions("SPX") if p.month == "2024-02")
    (ds.folder / feb.file).write_bytes(b"not parquet at all")  # another partition, damaged
    got = ds.query("SPX", "2024-01-02", "2024-01-31", expiries=[pd.Timestamp("2024-02-16")],
                   strikes=(4720.0, 4760.0))  # fmt: skip
    want = t[(t["quote_date"] < "2024-02") & (t["expiry"] == "2024-02-16")
             & (t["strike"] >= 4720)]  # fmt: skip
    assert len(got) == len(want) == 8  # 2 days x 2 strikes x 2 rights
    np.testing.assert_allclose(np.sort(got["bid"].to_numpy()), np.sort(want["bid"].to_numpy()))
    day = ds.day_table(pd.Timestamp("2024-01-03"), "SPX")
    assert day is not None and day.num_rows == len(t[t["quote_date"] == "2024-01-03"])
    assert list(ds.dates("SPX").strftime("%Y-%m-%d")) == list(DAYS)  # from the catalogue alone
    with pytest.raises(DataError):
        ds.query("SPX", "2024-02-01", "2024-02-01")
    assert any("does not match its sha256" in p for p in ds.verify())


def test_cboe_delayed_quotes_json_goes_to_the_dataset(tmp_path: Path) -> None:
    fixture = Path(__file__).parent / "fixtures" / "cboe_quotes_SPX.json"
    result = import_path(fixture, Store(tmp_path))
    assert result.chains is not None and result.chains.rows == 2
    got = ChainDataset(tmp_path).query("SPX").sort_values("strike")
    # the file's two options: SPXW 2026-08-28 P 6000 41.2/42.0, SPX 2026-08-21 C 6400 88.1/89.3
    assert list(got["root"]) == ["SPXW", "SPX"] and list(got["right"]) == ["P", "C"]
    assert list(got["bid"]) == [41.2, 88.1] and list(got["ask"]) == [42.0, 89.3]
    assert list(got["expiry"].dt.strftime("%Y-%m-%d")) == ["2026-08-28", "2026-08-21"]


def test_day_in_two_kinds_of_file_taken_from_the_preferred(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    fixture = Path(__file__).parent / "fixtures" / "cboe_quotes_SPX.json"
    (folder / "cboe_quotes_SPX.json").write_bytes(fixture.read_bytes())
    # the same two options and date in the generic format, quoted 1.00 higher
    (folder / "mine.csv").write_text(
        "quote_date,underlying,root,expiry,settlement,strike,right,bid,ask\n"
        "2026-07-22,SPX,SPXW,2026-08-28,PM,6000,P,42.2,43.0\n"
        "2026-07-22,SPX,SPX,2026-08-21,AM,6400,C,89.1,90.3\n"
        "2026-07-23,SPX,SPX,2026-08-21,AM,6400,C,90.1,91.3\n"
    )
    result = import_path(folder, Store(tmp_path / "home"))
    assert any(
        "taken from cboe_quotes_json files; chain_csv (mine.csv)" in w for w in result.warnings
    )
    got = ChainDataset(tmp_path / "home").query("SPX").sort_values(["quote_date", "strike"])
    # 2026-07-22 from Cboe's file (41.2, 88.1); 2026-07-23 only in mine.csv
    assert list(got["bid"]) == [41.2, 88.1, 90.1]
