"""Where the CLI's market comes from: ``--data embedded`` or ``--data store``.

One place for every command, so that ``--data store`` everywhere means the same thing:
the store's series (with the modeled fills `load_store` documents) and, where the user
imported real option chains, those chains in front of the modeled surface.

The markets keep their policy-independent work (daily calibrations, VX curves) in
`vixshield.markets.cache` files under ``<data home>/cache/markets`` (the store's home,
`vixshield.data.store.data_home`), or the folder in ``$VIXSHIELD_MARKET_CACHE``
(``off`` disables it), and so do the memos of their backtests (`vixshield.backtest.memo_cache`:
a second process over the same data starts where the first left). What a command
computed is stored when its markets are dropped.

A command's default ``--data`` is `choose_source`'s: the config file's ``data``
(`vixshield.service.config`), else ``store`` once the store holds SPX and VIX closes,
else ``embedded``; the command prints the reason on stderr when it succeeds
(`source_note`). An explicit ``--data`` always wins.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from vixshield.errors import UserError

if TYPE_CHECKING:
    import pandas as pd

    from vixshield.data.chains.dataset import ChainDataset
    from vixshield.data.market import MarketData
    from vixshield.markets import Markets
    from vixshield.markets.cache import MarketCache

__all__ = [
    "DATA_HELP",
    "DATA_SOURCES",
    "cache_folder",
    "choose_source",
    "keep_memos",
    "load_data",
    "market_cache",
    "open_markets",
    "source_note",
]

DATA_SOURCES: tuple[str, ...] = ("embedded", "store")

DATA_HELP = (
    "Market data: 'embedded' (shipped real 2014-2018 sample) or 'store' (default: the "
    "config's `data`, else 'store' once the store holds SPX and VIX closes, else 'embedded')."
)
"""The ``--data`` help every command shows."""


def choose_source(given: str | None) -> tuple[str, str | None]:
    """The ``--data`` source to use and, where it was not given, the note saying why.

    ``given`` (the flag) wins and needs no note; else `resolve_data_source` over the
    config file (``$VIXSHIELD_CONFIG`` or the platform's) and the store at the data home.
    """
    if given is not None:
        return given, None
    from vixshield.service.config import load_config, resolve_data_source

    source, why = resolve_data_source(None, load_config())
    return source, why


@contextmanager
def source_note() -> Iterator[Callable[[str | None], None]]:
    """Collect `choose_source` notes; print them on stderr when the block succeeds.

    A command that fails prints its one ``error:`` line and nothing else; one that
    succeeds ends with ``note: data: ...`` on stderr (never on stdout, so ``--json``
    output stays a document).
    """
    notes: list[str] = []

    def keep(note: str | None) -> None:
        if note:
            notes.append(note)

    yield keep
    for note in notes:
        sys.stderr.write(f"note: {note}\n")


def load_data(source: str) -> MarketData:
    """The market data bundle for ``--data SOURCE`` (UserError for an unknown source)."""
    if source == "embedded":
        from vixshield.data.embedded import load_embedded

        return load_embedded()
    if source == "store":
        from vixshield.data.loader import load_store

        return load_store()
    raise UserError(f"--data: expected one of {', '.join(DATA_SOURCES)}, got {source!r}")


def cache_folder() -> Path | None:
    """Where market caches live (module notes); None where ``$VIXSHIELD_MARKET_CACHE=off``."""
    from vixshield.markets.cache import cache_folder as folder

    return folder()


def market_cache(data: MarketData) -> MarketCache | None:
    """The on-disk cache of ``data``'s calibrations and VX curves (None where disabled)."""
    from vixshield.markets.cache import MarketCache

    folder = cache_folder()
    return MarketCache.for_data(data, folder) if folder is not None else None


def _save(saver: Callable[[], Path | None]) -> None:
    try:
        saver()
    except OSError as err:  # the run's results are written; only the reuse is lost
        print(f"warning: market cache not saved: {err}", file=sys.stderr)


def open_markets(source: str, *, cache: bool = True) -> Markets:
    """The markets layer over ``--data SOURCE``, with the store's real chains where imported.

    With ``cache`` (and the cache not disabled, see `cache_folder`) the markets start from
    the calibrations, VX curves and memos earlier runs stored for the same data, chains
    and code, and store what they add when they are dropped (or the process exits).
    """
    from vixshield.markets import Markets

    data = load_data(source)
    chains = None
    if source == "store":
        from vixshield.data.loader import load_store_chains

        chains = load_store_chains()
    markets = Markets(data, chains=chains, cache=market_cache(data) if cache else None)
    saver = markets.cache_saver()
    if saver is not None:  # when the markets are dropped, or at exit
        weakref.finalize(markets, _save, saver)
        keep_memos(markets, chains)
    return markets


def keep_memos(markets: Markets, chains: ChainDataset | pd.DataFrame | None) -> None:
    """Start the memos of ``markets`` from an earlier process's, and store them when the
    markets are dropped or at exit (`vixshield.backtest.memo_cache`)."""
    from vixshield.backtest.memo_cache import chains_identity
    from vixshield.backtest.memo_cache import keep_memos as keep

    saver = keep(markets, chains_identity(chains))
    if saver is not None:
        weakref.finalize(markets, _save, saver)
