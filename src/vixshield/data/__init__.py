"""vixshield.data: market-data formats, validation, calendars, the embedded
default, the store and the providers.

Part A (formats, validation, calendars, events, embedded default) is below;
the store and the network providers (part B) append their names in the
clearly marked block at the end.
"""

from typing import TYPE_CHECKING

from vixshield._lazy import lazy_names
from vixshield.data.calendars import (
    early_closes,
    is_trading_day,
    previous_trading_day,
    spx_monthly_expiry,
    third_friday,
    trading_days,
    vx_expiries,
    vx_expiry,
)
from vixshield.data.dividends import annual_dividend_yield, dividend_yield
from vixshield.data.embedded import load_embedded
from vixshield.data.events import fed_funds_target, load_events, next_event
from vixshield.data.formats import (
    CHAIN_FRAME_COLUMNS,
    KINDS,
    Parsed,
    detect_kind,
    parse_bytes,
    parse_file,
)
from vixshield.data.market import (
    BENCHMARK_COLUMNS,
    DAILY_COLUMNS,
    EVENT_KINDS,
    MarketData,
    Provenance,
)
from vixshield.data.validate import validate_chain, validate_series, validate_vx

__all__ = [
    "BENCHMARK_COLUMNS",
    "CHAIN_FRAME_COLUMNS",
    "DAILY_COLUMNS",
    "EVENT_KINDS",
    "KINDS",
    "MarketData",
    "Parsed",
    "Provenance",
    "annual_dividend_yield",
    "detect_kind",
    "dividend_yield",
    "early_closes",
    "fed_funds_target",
    "is_trading_day",
    "load_embedded",
    "load_events",
    "next_event",
    "parse_bytes",
    "parse_file",
    "previous_trading_day",
    "spx_monthly_expiry",
    "third_friday",
    "trading_days",
    "validate_chain",
    "validate_series",
    "validate_vx",
    "vx_expiries",
    "vx_expiry",
]

# --- store and providers (data B): imported on first use (PEP 562), so that opening the
# embedded data does not load DuckDB, Parquet, the chain importers and the providers.
_LAZY: dict[str, str] = {
    "load_store": "vixshield.data.loader",
    "FetchError": "vixshield.data.providers",
    "FetchResult": "vixshield.data.providers",
    "HttpSession": "vixshield.data.providers",
    "Provider": "vixshield.data.providers",
    "default_providers": "vixshield.data.providers",
    "fetch_to_store": "vixshield.data.providers",
    "SeriesStatus": "vixshield.data.store",
    "Store": "vixshield.data.store",
    "VersionInfo": "vixshield.data.store",
    "WriteResult": "vixshield.data.store",
    "data_home": "vixshield.data.store",
    "ImportResult": "vixshield.data.store_import",
    "import_path": "vixshield.data.store_import",
}

if TYPE_CHECKING:
    from vixshield.data.loader import load_store
    from vixshield.data.providers import (
        FetchError,
        FetchResult,
        HttpSession,
        Provider,
        default_providers,
        fetch_to_store,
    )
    from vixshield.data.store import (
        SeriesStatus,
        Store,
        VersionInfo,
        WriteResult,
        data_home,
    )
    from vixshield.data.store_import import ImportResult, import_path


__getattr__ = lazy_names(__name__, _LAZY, globals())


__all__ += [
    "FetchError",
    "FetchResult",
    "HttpSession",
    "ImportResult",
    "Provider",
    "SeriesStatus",
    "Store",
    "VersionInfo",
    "WriteResult",
    "data_home",
    "default_providers",
    "fetch_to_store",
    "import_path",
    "load_store",
]
