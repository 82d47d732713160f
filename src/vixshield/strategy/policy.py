"""Policies: the TOML schema (pydantic v2), loading, presets.

A policy is data, not code: every rule the strategy applies reads its
parameters from a `Policy`. Presets are TOML files shipped in
``vixshield/strategy/presets``.

The sections live in sibling modules, re-exported here: the strict field types and
bounds (`vixshield.strategy.policy_fields`), account to management
(`vixshield.strategy.policy_sections`), the hedge (`vixshield.strategy.policy_hedge`),
the regime and custom inputs (`vixshield.strategy.policy_regime`), the report's stress
windows (`vixshield.strategy.policy_report`).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError, model_validator

from vixshield._limits import (
    MAX_NESTING,
    first_too_deep,
    short_repr,
    tree_too_deep,
    utf8_problem,
)
from vixshield.errors import PolicyError
from vixshield.strategy.policy_fields import (
    DEFAULT_LAYER_NAMES,
    MAX_CAPITAL,
    MIN_CAPITAL,
    REGIMES,
    PolicyModel,
    Text,
)
from vixshield.strategy.policy_hedge import HedgeLayer, HedgePolicy
from vixshield.strategy.policy_regime import (
    CustomIndicator,
    RegimeEffect,
    RegimePolicy,
    ScanPolicy,
)
from vixshield.strategy.policy_report import (
    ReportPolicy,
    StressWindowSpec,
    check_windows,
    shipped_window_names,
)
from vixshield.strategy.policy_sections import (
    AccountPolicy,
    CondorPolicy,
    CostsPolicy,
    EntryPolicy,
    ManagementPolicy,
    SizingPolicy,
)

__all__ = [
    "MAX_CAPITAL",
    "MIN_CAPITAL",
    "REGIMES",
    "AccountPolicy",
    "CondorPolicy",
    "CostsPolicy",
    "CustomIndicator",
    "EntryPolicy",
    "HedgeLayer",
    "HedgePolicy",
    "ManagementPolicy",
    "Policy",
    "RegimeEffect",
    "RegimePolicy",
    "ReportPolicy",
    "ScanPolicy",
    "SizingPolicy",
    "StressWindowSpec",
    "format_validation_error",
    "list_presets",
    "load_policy",
    "override_tree",
    "parse_policy",
    "preset_text",
    "read_policy_text",
    "shipped_window_names",
    "with_overrides",
]


class Policy(PolicyModel):
    """A whole trading policy (see the module docstring of each rule)."""

    name: Annotated[Text, Field(min_length=1)]
    description: Annotated[str, Field(strict=True, max_length=10_000)] = ""
    account: AccountPolicy = Field(default_factory=AccountPolicy)
    costs: CostsPolicy = Field(default_factory=CostsPolicy)
    sizing: SizingPolicy = Field(default_factory=SizingPolicy)
    entry: EntryPolicy = Field(default_factory=EntryPolicy)
    condor: CondorPolicy = Field(default_factory=CondorPolicy)
    management: ManagementPolicy = Field(default_factory=ManagementPolicy)
    hedge: HedgePolicy = Field(default_factory=HedgePolicy)
    regime: RegimePolicy = Field(default_factory=RegimePolicy)
    custom: Annotated[tuple[CustomIndicator, ...], Field(max_length=50)] = ()
    report: ReportPolicy = Field(default_factory=ReportPolicy)

    @model_validator(mode="after")
    def _check(self) -> Policy:
        if self.management.exit_dte >= self.condor.dte_min:
            # a condor opened at dte_min would be closed at once by the DTE exit
            raise ValueError(
                f"[management.exit_dte] need management.exit_dte < condor.dte_min "
                f"(got {self.management.exit_dte} >= {self.condor.dte_min})"
            )
        check_windows(self.report)
        names = {layer.name for layer in self.hedge.layers}
        for i, c in enumerate(self.custom):
            if c.layer != "all" and c.layer not in names:
                choices = ", ".join(["all", *sorted(names)])
                raise ValueError(
                    f"[custom.{i}.layer] custom '{c.name}' names unknown layer '{c.layer}'; "
                    f"known: {choices}"
                )
        known = sorted(names | set(DEFAULT_LAYER_NAMES))
        for regime, effect in self.regime.effects.items():
            unknown = sorted(set(effect.layer_multipliers) - set(known))
            if unknown:
                raise ValueError(
                    f"[regime.effects.{regime}.layer_multipliers] unknown layer(s) "
                    f"{', '.join(unknown)}; known: {', '.join(known)} (the policy's layers "
                    f"and the default ones)"
                )
        return self


_PRESETS = "vixshield.strategy.presets"


def list_presets() -> list[str]:
    """Names of the shipped presets, sorted."""
    files = resources.files(_PRESETS).iterdir()
    return sorted(f.name[:-5] for f in files if f.name.endswith(".toml"))


def preset_text(name: str) -> str:
    """The TOML text of preset ``name``; `PolicyError` if unknown."""
    if name not in list_presets():
        raise PolicyError(f"unknown preset '{name}'; known: {', '.join(list_presets())}")
    return resources.files(_PRESETS).joinpath(f"{name}.toml").read_text(encoding="utf-8")


MAX_POLICY_BYTES = 1 << 20
"""Largest policy file read (1 MiB; the shipped presets are about 4 KiB)."""


def format_validation_error(err: ValidationError, source: str) -> str:
    """One line per error: ``SOURCE: [a.b.0.c] message (got value)``.

    The key path ``a.b.0.c`` names tables, fields and 0-based list indices
    (``hedge.layers.1.weight`` is the second layer's weight); the message says what
    was expected (a type, a bound, a rule between fields).
    """
    lines = []
    for e in err.errors(include_url=False):
        loc = ".".join(str(p) for p in e["loc"])
        got = e.get("input")
        shown = "" if isinstance(got, dict | list | tuple) else f" (got {short_repr(got)})"
        msg = e["msg"].removeprefix("Value error, ")
        where = f"[{loc}] " if loc else ""  # a whole-policy rule names its keys itself
        lines.append(f"{source}: {where}{msg}{shown}")
    return "\n".join(" ".join(line.split()) for line in lines)


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    """Parse and validate TOML ``text``; `PolicyError` with located messages.

    Text nested deeper than `vixshield._limits.MAX_NESTING` (arrays, tables) is
    refused before parsing, with its line.
    """
    line = first_too_deep(text, "toml")
    if line is not None:
        raise PolicyError(
            f"{source}: line {line}: nested deeper than {MAX_NESTING} levels of arrays "
            f"and tables (a policy needs at most 5)"
        )
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise PolicyError(f"{source}: TOML syntax error: {err}") from None
    except RecursionError:  # nesting the scan could not see; never a traceback
        raise PolicyError(f"{source}: nested too deeply to parse") from None
    except ValueError:  # CPython's limit on integer literals (4300 digits)
        long = re.search(r"\d{4300,}", text)
        line = text.count("\n", 0, long.start()) + 1 if long else None
        at = f"line {line}: " if line else ""
        raise PolicyError(f"{source}: {at}a number of more than 4300 digits") from None
    if tree_too_deep(raw):
        raise PolicyError(
            f"{source}: keys nested deeper than {MAX_NESTING} levels (a policy needs at most 5)"
        )
    try:
        return Policy.model_validate(raw)
    except ValidationError as err:
        raise PolicyError(format_validation_error(err, source)) from None


def read_policy_text(path: str | Path) -> str:
    """The text of a policy file: UTF-8, at most `MAX_POLICY_BYTES`.

    Raises
    ------
    PolicyError
        Unreadable, too large, or not UTF-8 text (naming the file and line).
    """
    p = Path(path)
    try:
        with p.open("rb") as f:
            data = f.read(MAX_POLICY_BYTES + 1)
    except OSError as err:
        raise PolicyError(f"{p}: cannot read policy file ({err.strerror or err})") from None
    if len(data) > MAX_POLICY_BYTES:
        raise PolicyError(f"{p}: policy file larger than {MAX_POLICY_BYTES >> 20} MiB")
    problem = utf8_problem(data)
    if problem is not None:
        raise PolicyError(f"{p}: {problem}")
    return data.decode("utf-8")


def load_policy(name_or_path: str | Path) -> Policy:
    """Load a preset by name or a TOML policy file by path.

    Raises
    ------
    PolicyError
        Unknown preset, unreadable, oversized, non-UTF-8 or too deeply nested file,
        TOML syntax error (with line and column) or schema violations (one located
        line each).
    """
    path = Path(name_or_path)
    text_name = str(name_or_path)
    if path.suffix == ".toml" or path.exists() or "/" in text_name:
        return parse_policy(read_policy_text(path), str(path))
    return parse_policy(preset_text(text_name), f"preset:{text_name}")


def _thaw(value: Any) -> Any:
    """Nested dicts and lists (tuples become lists) that `override_tree` can edit."""
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_thaw(v) for v in value]
    return value


def override_tree(base: Policy, changes: Mapping[str, Any], source: str) -> dict[str, Any]:
    """``base`` as a plain tree with each dotted path of ``changes`` set (not validated).

    A path names policy fields and list indices (``hedge.layers.0.weight``). Raises
    `PolicyError` ``SOURCE: [path] ...`` naming the first step that does not exist.
    ``base`` is never modified.
    """
    tree: dict[str, Any] = _thaw(base.model_dump())
    for path, value in changes.items():
        parts = path.split(".")
        node: Any = tree
        for depth, part in enumerate(parts):
            here = ".".join(parts[: depth + 1])
            key: str | int = part
            if isinstance(node, dict):
                if part not in node:
                    known = ", ".join(sorted(node))
                    raise PolicyError(
                        f"{source}: [{path}] unknown policy field '{here}' (known here: {known})"
                    )
            elif isinstance(node, list):
                if not part.isdigit() or int(part) >= len(node):
                    raise PolicyError(
                        f"{source}: [{path}] '{here}' needs an index 0..{len(node) - 1} "
                        f"into a list of {len(node)}"
                    )
                key = int(part)
            else:
                parent = ".".join(parts[:depth])
                raise PolicyError(f"{source}: [{path}] '{parent}' is a value, not a table or list")
            if depth == len(parts) - 1:
                node[key] = _thaw(value)
            else:
                node = node[key]
    return tree


def with_overrides(base: Policy, changes: Mapping[str, Any], source: str) -> Policy:
    """``base`` with the dotted-path ``changes`` applied, validated by the schema.

    Raises `PolicyError` with located lines (``SOURCE: [a.b] message (got value)``) for
    an unknown path or a value the schema refuses; ``base`` is never modified.
    """
    if not changes:
        return base
    tree = override_tree(base, changes, source)
    try:
        return Policy.model_validate(tree)
    except ValidationError as err:
        raise PolicyError(format_validation_error(err, source)) from None
