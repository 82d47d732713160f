"""Where the CLI's market comes from: ``--data embedded`` or ``--data store``.

One place for every command, so that ``--data store`` everywhere means the same thing:
the store's series (with the modeled fills `load_store` documents) and, where the user
imported real option chains, those chains in front of the modeled surface.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vixshield.errors import UserError

if TYPE_CHECKING:
    from vixshield.data.market import MarketData
    from vixshield.markets import Markets

__all__ = ["DATA_SOURCES", "load_data", "open_markets"]

DATA_SOURCES: tuple[str, ...] = ("embedded", "store")


def load_data(source: str) -> MarketData:
    """The market data bundle for ``--data SOURCE`` (UserError for an unknown source)."""
    if source == "embedded":
        from vixshield.data.embedded import load_embedded

        return load_embedded()
    if source == "store":
        from vixshield.data.loader import load_store

        return load_store()
    raise UserError(f"--data: expected one of {', '.join(DATA_SOURCES)}, got {source!r}")


def open_markets(source: str) -> Markets:
    """The markets layer over ``--data SOURCE``, with the store's real chains where imported."""
    from vixshield.markets import Markets

    data = load_data(source)
    if source == "store":
        from vixshield.data.loader import load_store_chains

        return Markets(data, chains=load_store_chains())
    return Markets(data)
