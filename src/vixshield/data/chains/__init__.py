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

from vixshield.data.chains.catalogue import CHAINS_DIR, Catalogue, Partition
from vixshield.data.chains.dataset import ChainDataset, ChainStatus, chain_status
from vixshield.data.chains.importer import ChainImportResult, import_chain_frame, import_chains
from vixshield.data.chains.sources import (
    CHAIN_LAYOUTS,
    DEFAULT_CHUNK_BYTES,
    ChainInput,
    chain_inputs,
    chain_kind,
)

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
