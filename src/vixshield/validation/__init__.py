"""vixshield.validation: the modeled markets measured against real published records.

`validate` replicates each Cboe S&P 500 strategy benchmark index (PUT, BXM,
PPUT, CLL) by its published rules on a `MarketView`'s option quotes along the
real SPX path and compares monthly returns with the real index;
`calibration_errors` applies the Cboe VIX and SKEW formulas to the modeled
chains and compares them with the real VIX-family closes.
"""

from __future__ import annotations

from vixshield.validation.calibration import (
    CALIBRATION_INDICES,
    calibration_errors,
    calibration_summary,
)
from vixshield.validation.comparison import (
    APPROXIMATIONS,
    DEFAULT_START,
    MONTHLY_COLUMNS,
    IndexComparison,
    ValidationResult,
    compare,
    validate,
    validate_index,
)
from vixshield.validation.indices import monthly_rolls, periods, replicate
from vixshield.validation.specs import (
    DEFAULT_DIV_YIELD,
    INDEX_NAMES,
    SPECS,
    IndexName,
    IndexSpec,
    Leg,
    Month,
    Period,
    Target,
)

__all__ = [
    "APPROXIMATIONS",
    "CALIBRATION_INDICES",
    "DEFAULT_DIV_YIELD",
    "DEFAULT_START",
    "INDEX_NAMES",
    "MONTHLY_COLUMNS",
    "SPECS",
    "IndexComparison",
    "IndexName",
    "IndexSpec",
    "Leg",
    "Month",
    "Period",
    "Target",
    "ValidationResult",
    "calibration_errors",
    "calibration_summary",
    "compare",
    "monthly_rolls",
    "periods",
    "replicate",
    "validate",
    "validate_index",
]
