"""Sweep grids: dotted policy paths with lists or ranges, expanded to validated variants.

A grid is a TOML file (or a mapping) whose keys are dotted paths into the policy
(``condor.k_low``, ``hedge.layers.0.weight``, ``sizing.risk_per_condor``,
``hedge.budget_basis``; a number is an index into a list such as ``hedge.layers``) and
whose values are

* a list of values, each one variant of that field;
* a range table ``{start = 0.01, stop = 0.03, step = 0.01}``: ``start``, ``start + step``,
  ... up to and *including* ``stop`` (within ``1e-9`` steps; floats rounded to 12
  significant digits so ``0.1 + 0.2`` reads ``0.3``);
* a single value (a fixed override shared by every variant).

Either quoted keys (``"condor.k_low" = [1.0, 1.5]``) or TOML's own dotted keys
(``condor.k_low = [1.0, 1.5]``) work. The variants are the cartesian product of the
fields, in the order the fields appear in the file, the last field varying fastest.
Every variant is validated with the policy schema (`vixshield.strategy.policy.Policy`)
before anything runs: an unknown path or a value the schema refuses is a `UserError`
naming the grid file, the key and the variant.
"""

from __future__ import annotations

import itertools
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vixshield.errors import UserError
from vixshield.strategy.policy import Policy, override_tree, with_overrides

__all__ = ["Grid", "Variant", "expand", "grid_from", "load_grid", "parse_grid"]

_RANGE_KEYS = frozenset({"start", "stop", "step"})
_MAX_VARIANTS = 1_000_000  # refuse a product larger than this (a typo, not a sweep)


@dataclass(frozen=True)
class Grid:
    """A parsed grid: field path -> the values it takes (in file order).

    Attributes
    ----------
    axes : tuple of (str, tuple)
        ``(dotted path, values)`` per field.
    source : str
        Where the grid came from (file path, or ``"<grid>"`` for a mapping); named in errors.
    """

    axes: tuple[tuple[str, tuple[Any, ...]], ...]
    source: str = "<grid>"

    @property
    def paths(self) -> tuple[str, ...]:
        """The dotted paths, in file order."""
        return tuple(path for path, _ in self.axes)

    @property
    def size(self) -> int:
        """Number of variants (the product of the axes' lengths)."""
        return math.prod(len(values) for _, values in self.axes)


@dataclass(frozen=True)
class Variant:
    """One point of the grid: its overrides and the validated policy they give.

    Attributes
    ----------
    index : int
        Position in the grid's expansion (0-based).
    params : Mapping[str, Any]
        Dotted path -> value.
    policy : Policy
        The base policy with ``params`` applied (validated; the base is not mutated).
    """

    index: int
    params: Mapping[str, Any]
    policy: Policy

    @property
    def label(self) -> str:
        """``path=value, ...`` (for tables and messages)."""
        return ", ".join(f"{k}={v}" for k, v in self.params.items())


def _round(x: float) -> float:
    return float(f"{x:.12g}")


def _expand_range(spec: Mapping[str, Any], where: str) -> tuple[Any, ...]:
    missing = sorted({"start", "stop"} - set(spec))
    if missing:
        raise UserError(f"{where}: a range needs start and stop (missing {', '.join(missing)})")
    start, stop, step = spec["start"], spec["stop"], spec.get("step", 1)
    for name, value in (("start", start), ("stop", stop), ("step", step)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise UserError(f"{where}: range {name} must be a number, got {value!r}")
    if step <= 0:
        raise UserError(f"{where}: range step must be positive, got {step!r}")
    if stop < start:
        raise UserError(f"{where}: range stop {stop!r} is below start {start!r}")
    count = math.floor((stop - start) / step + 1e-9) + 1
    if count > _MAX_VARIANTS:
        raise UserError(f"{where}: the range has {count} values (at most {_MAX_VARIANTS})")
    if all(isinstance(v, int) for v in (start, stop, step)):
        return tuple(int(start + i * step) for i in range(count))
    return tuple(_round(start + i * step) for i in range(count))


def _is_range(value: object) -> bool:
    return isinstance(value, Mapping) and bool(value) and set(value) <= _RANGE_KEYS


def _flatten(raw: Mapping[str, Any], prefix: str, out: list[tuple[str, Any]]) -> None:
    for key, value in raw.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and not _is_range(value):
            if not value:
                raise UserError(f"[{path}] an empty table names no field")
            _flatten(value, f"{path}.", out)
        else:
            out.append((path, value))


def parse_grid(raw: Mapping[str, Any], source: str = "<grid>") -> Grid:
    """A `Grid` from a mapping (nested tables are flattened into dotted paths).

    Raises
    ------
    UserError
        An empty grid, an empty list, a bad range, or a product over a million variants,
        each naming ``source`` and the key.
    """
    pairs: list[tuple[str, Any]] = []
    try:
        _flatten(raw, "", pairs)
    except UserError as err:
        raise UserError(f"{source}: {err}") from None
    if not pairs:
        raise UserError(f"{source}: the grid names no policy field")
    axes: list[tuple[str, tuple[Any, ...]]] = []
    seen: set[str] = set()
    for path, value in pairs:
        where = f"{source}: [{path}]"
        if path in seen:
            raise UserError(f"{where} is given twice")
        seen.add(path)
        if _is_range(value):
            values = _expand_range(value, where)
        elif isinstance(value, list | tuple):
            if not value:
                raise UserError(f"{where} an empty list gives no variant")
            values = tuple(value)
        else:
            values = (value,)
        axes.append((path, values))
    grid = Grid(tuple(axes), source)
    if grid.size > _MAX_VARIANTS:
        raise UserError(f"{source}: the grid has {grid.size} variants (at most {_MAX_VARIANTS})")
    return grid


def load_grid(path: str | Path) -> Grid:
    """Read and parse a GRID.toml file (`UserError` naming the file when unreadable)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as err:
        raise UserError(f"{p}: cannot read grid file ({err.strerror or err})") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise UserError(f"{p}: TOML syntax error: {err}") from None
    return parse_grid(raw, str(p))


def _check_paths(grid: Grid, base: Policy) -> None:
    """Every path of ``grid`` names a policy field (before any variant is validated)."""
    override_tree(base, {path: values[0] for path, values in grid.axes}, grid.source)


def expand(grid: Grid, base: Policy) -> list[Variant]:
    """Every variant of ``grid`` over ``base``, each validated before any is returned.

    Raises
    ------
    UserError
        The first unknown path, or the first variant the schema refuses:
        ``GRID: variant i (path=value, ...): [field] message (got value)``.
    """
    _check_paths(grid, base)
    variants: list[Variant] = []
    for index, combo in enumerate(itertools.product(*(values for _, values in grid.axes))):
        params = dict(zip(grid.paths, combo, strict=True))
        label = ", ".join(f"{k}={v!r}" for k, v in params.items())
        policy = with_overrides(base, params, f"{grid.source}: variant {index} ({label})")
        variants.append(Variant(index, params, policy))
    return variants


def grid_from(grid: str | Path | Mapping[str, Any] | Grid) -> Grid:
    """A `Grid` from a path, a mapping or a grid (the API's ``grid`` argument)."""
    if isinstance(grid, Grid):
        return grid
    if isinstance(grid, Mapping):
        return parse_grid(grid)
    return load_grid(grid)
