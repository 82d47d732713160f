"""`fetch_each`: optional Cboe indices fetched apart, FRED's VIXCLS standing in for VIX.

Issue 12 item 6 (3): the seven Cboe index files are separate URLs; one renamed file
(a 404 on VIX9D) must not keep the VIX close out of the store. Served by the local
fixture server of ``test_providers`` (recorded files, no network).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from vixshield.data.providers.each import FALLBACKS, fetch_each
from vixshield.data.providers.registry import OPTIONAL_SERIES
from vixshield.data.store import Store

from .test_providers import _DAILY, ROUTES, SESSION, FixtureServer, _test_providers

pytest.importorskip("vixshield.data.formats", reason="data A's parsers not present")


@pytest.fixture()
def server() -> Iterator[FixtureServer]:
    with FixtureServer(ROUTES) as srv:
        yield srv


def test_the_optional_series_are_the_indices_the_strategy_can_skip() -> None:
    # service/daily.py OPTIONAL_INPUTS less the rate, plus VIX6M (not read by the strategy)
    assert frozenset({"vix9d", "vix3m", "vix6m", "vvix", "skew"}) == OPTIONAL_SERIES
    assert "vix" not in OPTIONAL_SERIES and "vix_open" not in OPTIONAL_SERIES
    assert FALLBACKS[("cboe", "vix")] == "fred"


def test_a_missing_optional_index_is_a_warning_and_vix_is_written(
    server: FixtureServer, tmp_path: Path
) -> None:
    del server.routes[f"{_DAILY}VIX9D_History.csv"]  # renamed by Cboe: 404
    store = Store(tmp_path)
    wanted = ["vix", "vix_open", "vix9d", "vvix", "skew", "rate"]
    report = fetch_each(wanted, store, providers=_test_providers(server.base), session=SESSION)
    assert not report.total_failure
    (failed,) = report.failed
    assert failed.provider == "cboe" and failed.series == ("vix9d",) and failed.optional
    assert "HTTP 404" in str(failed.error)
    # everything else is written, VIX from Cboe's own file (published close 2018-02-05)
    assert set(store.series()) == {"vix", "vix_open", "vvix", "skew", "rate"}
    assert store.read("vix").loc["2018-02-05", "value"] == 37.32
    assert store.provenance("vix").provider == "cboe"
    (problem,) = report.problems()
    assert problem.startswith("cboe failed (vix9d): vix9d: cannot reach ")
    assert problem.endswith("; optional: fetched on its own, no other series waits for it")
    # the main Cboe group comes first, then the optional indices one by one
    assert [o.series for o in report.outcomes] == [
        ("vix", "vix_open"),
        ("rate",),
        ("vix9d",),
        ("vvix",),
        ("skew",),
    ]


def test_fred_vixcls_stands_in_for_a_failed_cboe_vix(server: FixtureServer, tmp_path: Path) -> None:
    del server.routes[f"{_DAILY}VIX_History.csv"]
    store = Store(tmp_path)
    report = fetch_each(
        ["vix", "vix_open", "vvix"], store, providers=_test_providers(server.base), session=SESSION
    )
    by = {(o.provider, o.series, o.stands_in_for): o for o in report.outcomes}
    assert not by[("cboe", ("vix", "vix_open"), None)].ok
    assert by[("cboe", ("vvix",), None)].ok  # its own file: unaffected
    sub = by[("fred", ("vix",), "cboe")]
    assert sub.ok
    # FRED VIXCLS (fixture: the published closes), and the store says it is FRED's
    assert store.read("vix").loc["2018-02-05", "value"] == 37.32
    assert store.read("vix").loc["2020-03-16", "value"] == 82.69
    assert store.provenance("vix").provider == "fred"
    assert "vix_open" not in store.series()  # FRED has no open: not made up
    (problem,) = report.problems()
    assert problem.startswith("cboe failed (vix, vix_open): vix: cannot reach ")
    assert problem.endswith("; vix taken from fred instead (vix_open not updated)")


def test_without_fallback_the_vix_failure_names_fred(server: FixtureServer, tmp_path: Path) -> None:
    del server.routes[f"{_DAILY}VIX_History.csv"]
    report = fetch_each(
        ["vix"],
        Store(tmp_path),
        providers=_test_providers(server.base),
        session=SESSION,
        fallback=False,
    )
    assert report.total_failure
    (problem,) = report.problems()
    assert problem.endswith(
        "; fred can stand in for vix: `vixshield data fetch vix --provider fred`"
    )


def test_an_optional_index_asked_alone_of_one_provider(
    server: FixtureServer, tmp_path: Path
) -> None:
    # --provider cboe: still apart, no fallback
    del server.routes[f"{_DAILY}SKEW_History.csv"]
    store = Store(tmp_path)
    report = fetch_each(
        ["vix", "skew"],
        store,
        providers=_test_providers(server.base),
        provider="cboe",
        session=SESSION,
    )
    assert [(o.series, o.ok) for o in report.outcomes] == [(("vix",), True), (("skew",), False)]
    assert set(store.series()) == {"vix", "vix_open"}
