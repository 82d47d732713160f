"""Tables and the JSON document of a validation run (no printing here; the CLI prints).

`comparison_table` gives one row per index with the figures as numbers,
`format_comparison` the same as display strings, `calibration_table` the
VIX-family errors, and `validation_document` everything as plain JSON types
(`vixshield._json.dumps_stable` writes it).
"""

from __future__ import annotations

import math

import pandas as pd

from vixshield._json import to_jsonable
from vixshield.validation.comparison import IndexComparison, ValidationResult

__all__ = [
    "TABLE_COLUMNS",
    "comparison_table",
    "format_calibration",
    "format_comparison",
    "validation_document",
]

TABLE_COLUMNS: tuple[str, ...] = (
    "index",  # Cboe ticker
    "months",  # periods compared
    "from",  # first roll date compared
    "to",  # last roll date compared
    "corr",  # correlation of monthly returns
    "gap_pct_yr",  # annualised mean return gap, real minus replica, % per year
    "te_pct_yr",  # tracking error, % per year
    "worst_gap_pct",  # largest monthly |gap|, signed, %
    "worst_month",  # start of that period
    "real_pct_yr",  # annualised return of the index over the compared periods, % per year
    "replica_pct_yr",  # the replica's, % per year
    "target",  # ">=x / <=y": the lowest correlation and the largest |gap| (%/yr) accepted
    "meets",  # "yes", or what misses
)
"""Columns of `comparison_table`, with their units."""


def _target(c: IndexComparison) -> str:
    t = c.spec.target
    return f">={t.min_correlation:.2f} / <={t.max_abs_gap:g}"


def _meets(c: IndexComparison) -> str:
    if c.months == 0:
        return "no months"
    misses = [name for name, ok in (("corr", c.meets_correlation), ("gap", c.meets_gap)) if not ok]
    return "yes" if not misses else "no (" + ", ".join(misses) + ")"


def comparison_table(result: ValidationResult) -> pd.DataFrame:
    """One row per index, columns `TABLE_COLUMNS` (numbers in the units listed there)."""
    rows = [
        (
            c.spec.ticker, c.months, c.first, c.last, c.correlation, c.mean_gap,
            c.tracking_error, c.worst_gap, c.worst_month, c.real_return, c.replica_return,
            _target(c), _meets(c),
        )
        for c in result.indices
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))


def _num(x: object, digits: int) -> str:
    if isinstance(x, float | int) and math.isfinite(float(x)):
        return f"{float(x):.{digits}f}"
    return "-"


def _day(x: object) -> str:
    return str(pd.Timestamp(x).date()) if isinstance(x, pd.Timestamp) else "-"


def format_comparison(result: ValidationResult) -> pd.DataFrame:
    """`comparison_table` as display strings (dates as YYYY-MM-DD, percent to 2 decimals)."""
    t = comparison_table(result)
    out = pd.DataFrame(
        {
            "index": t["index"],
            "months": t["months"].astype(str),
            "from": t["from"].map(_day),
            "to": t["to"].map(_day),
            "corr": t["corr"].map(lambda v: _num(v, 3)),
            "gap %/yr": t["gap_pct_yr"].map(lambda v: _num(v, 2)),
            "TE %/yr": t["te_pct_yr"].map(lambda v: _num(v, 2)),
            "worst gap %": t["worst_gap_pct"].map(lambda v: _num(v, 2)),
            "worst month": t["worst_month"].map(_day),
            "real %/yr": t["real_pct_yr"].map(lambda v: _num(v, 2)),
            "replica %/yr": t["replica_pct_yr"].map(lambda v: _num(v, 2)),
            "target corr/|gap|": t["target"],
            "meets": t["meets"],
        }
    )
    return out


def format_calibration(summary: pd.DataFrame) -> pd.DataFrame:
    """`calibration_summary` as display strings (index points to 2 decimals)."""
    return pd.DataFrame(
        {
            "index": summary["index"],
            "dates": summary["n"].astype(str),
            "mean |err|": summary["mean_abs"].map(lambda v: _num(v, 2)),
            "bias": summary["bias"].map(lambda v: _num(v, 2)),
            "max |err|": summary["max_abs"].map(lambda v: _num(v, 2)),
        }
    )


def _index_document(c: IndexComparison) -> dict[str, object]:
    monthly = c.monthly.assign(start=c.monthly["start"].map(_day), end=c.monthly["end"].map(_day))
    return {
        "index": c.spec.ticker,
        "key": c.spec.name,
        "title": c.spec.title,
        "months": c.months,
        "first": c.first,
        "last": c.last,
        "correlation": c.correlation,
        "mean_gap_pct_per_year": c.mean_gap,
        "tracking_error_pct_per_year": c.tracking_error,
        "worst_month_gap_pct": c.worst_gap,
        "worst_month": c.worst_month,
        "real_return_pct_per_year": c.real_return,
        "replica_return_pct_per_year": c.replica_return,
        "target": {
            "min_correlation": c.spec.target.min_correlation,
            "max_abs_gap_pct_per_year": c.spec.target.max_abs_gap,
        },
        "meets_target": {
            "correlation": c.meets_correlation,
            "gap": c.meets_gap,
            "all": c.meets_target,
        },
        "quotes": c.quotes,
        "stale_roll_dates": list(c.stale),
        "notes": list(c.notes),
        "monthly": monthly.to_dict(orient="records"),
    }


def validation_document(
    result: ValidationResult, calibration: pd.DataFrame | None = None
) -> dict[str, object]:
    """Everything of a run as plain JSON types.

    Keys: ``indices`` (one object per index: the table's figures with units in
    their names, the target and whether it is met, notes, stale roll dates and
    the ``monthly`` rows: start, end, real, replica, gap as decimals), ``dividends``,
    ``quotes``, ``settlement``, ``approximations`` and ``calibration`` (rows of
    `calibration_summary`, index points; None where not run).
    """
    doc: dict[str, object] = {
        "indices": [_index_document(c) for c in result.indices],
        "dividends": result.dividends,
        "quotes": result.quotes,
        "settlement": result.settlement,
        "approximations": list(result.approximations),
        "calibration": calibration.to_dict(orient="records") if calibration is not None else None,
    }
    return {k: to_jsonable(v) for k, v in doc.items()}
