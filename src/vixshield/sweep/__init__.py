"""vixshield.sweep: parameter sweeps and walk-forward selection, on Dask or in process.

``sweep_frame(grid, policy, data, ...) -> DataFrame`` runs every variant of a grid of
dotted policy paths (`vixshield.sweep.grid`) and returns one row per variant;
``walk_forward(grid, train_years, test_years, metric, ...) -> WalkForwardResult`` chooses
a variant per fold on its training window and chains the test windows out of sample.
Runs share one market per process and data set (`vixshield.sweep.runner`).
"""

from vixshield.sweep.grid import Grid, Variant, expand, load_grid, parse_grid
from vixshield.sweep.keys import code_version, data_checksum, variant_key
from vixshield.sweep.report import pareto_front
from vixshield.sweep.sweep import SweepRun, run_sweep, sweep_frame
from vixshield.sweep.walkforward import METRICS, Fold, WalkForwardResult, make_folds, walk_forward

__all__ = [
    "METRICS",
    "Fold",
    "Grid",
    "SweepRun",
    "Variant",
    "WalkForwardResult",
    "code_version",
    "data_checksum",
    "expand",
    "load_grid",
    "make_folds",
    "pareto_front",
    "parse_grid",
    "run_sweep",
    "sweep_frame",
    "variant_key",
    "walk_forward",
]
