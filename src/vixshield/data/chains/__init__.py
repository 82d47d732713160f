"""Real option chains at scale: a partitioned Parquet dataset, streamed imports, DuckDB reads.

* `importer.import_chains`: bulk import of OptionsDX (plain, .zip, .7z), Cboe
  DataShop EOD summary, ORATS strikes and generic chain files, chunk by chunk,
  committed atomically;
* `dataset.ChainDataset`: the catalogue (dates, partitions, status) and DuckDB
  queries over only the partitions a request needs;
* `catalogue`: the on-disk layout and the catalogue file;
* `sources`: input files, format recognition and chunked reading;
* `textcheck`: the text rules (UTF-8, no control bytes, bounded lines and fields)
  applied to every block a chain file is read in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vixshield._lazy import lazy_names

if TYPE_CHECKING:
    from vixshield.data.chains.catalogue import CHAINS_DIR, Catalogue, Partition
    from vixshield.data.chains.dataset import ChainDataset, ChainStatus, chain_status
    from vixshield.data.chains.importer import (
        ChainImportResult,
        import_chain_frame,
        import_chains,
    )
    from vixshield.data.chains.sources import (
        CHAIN_LAYOUTS,
        DEFAULT_CHUNK_BYTES,
        ChainInput,
        chain_inputs,
        chain_kind,
    )

_HOME = {
    "CHAINS_DIR": "catalogue",
    "Catalogue": "catalogue",
    "Partition": "catalogue",
    "ChainDataset": "dataset",
    "ChainStatus": "dataset",
    "chain_status": "dataset",
    "ChainImportResult": "importer",
    "import_chain_frame": "importer",
    "import_chains": "importer",
    "CHAIN_LAYOUTS": "sources",
    "DEFAULT_CHUNK_BYTES": "sources",
    "ChainInput": "sources",
    "chain_inputs": "sources",
    "chain_kind": "sources",
}
"""Each public name's module: imported when the name is first asked for, so that reading
a store's chains does not import the importer and its vendor formats."""

__all__ = [
    "CHAINS_DIR",
    "CHAIN_LAYOUTS",
    "DEFAULT_CHUNK_BYTES",
    "Catalogue",
    "ChainDataset",
    "ChainImportResult",
    "ChainInput",
    "ChainStatus",
    "Partition",
    "chain_inputs",
    "chain_kind",
    "chain_status",
    "import_chain_frame",
    "import_chains",
]


__getattr__ = lazy_names(__name__, {k: f"{__name__}.{m}" for k, m in _HOME.items()}, globals())
