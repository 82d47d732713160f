"""The policy's report section: stress windows of its own beside the shipped ones."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from vixshield.data.stress import default_stress_windows
from vixshield.strategy.policy_fields import Flag, PolicyModel, Text

__all__ = [
    "MAX_WINDOW_DATE",
    "MIN_WINDOW_DATE",
    "ReportPolicy",
    "StressWindowSpec",
    "check_windows",
    "shipped_window_names",
]

MIN_WINDOW_DATE = date(1900, 1, 1)
MAX_WINDOW_DATE = date(2100, 12, 31)
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def shipped_window_names() -> frozenset[str]:
    """Names of the shipped stress windows (the ``name`` column of the resource).

    The report layer (`vixshield.report.stress`) reads the same file with full
    validation; a policy window may not reuse one of these names unless it sets
    ``replace = true``.
    """
    return frozenset(w.name for w in default_stress_windows())


class StressWindowSpec(PolicyModel):
    """A stress window of the policy's own (``[[report.stress_windows]]``).

    ``start`` and ``end`` are inclusive days, a TOML date (``2008-09-15``) or an ISO
    string (``"2008-09-15"``), between 1900-01-01 and 2100-12-31, ``start <= end``.
    ``replace = true`` lets the window take the place of the shipped one of the same
    name (it must name one); otherwise the name must be new.
    """

    name: Annotated[Text, Field(min_length=1, max_length=60)]
    start: date
    end: date
    description: Annotated[Text, Field(max_length=200)] = ""
    replace: Flag = False

    @field_validator("start", "end", mode="before")
    @classmethod
    def _day(cls, v: object) -> object:
        if isinstance(v, datetime) or not isinstance(v, date | str):
            raise ValueError('expected a date (2008-09-15 or "2008-09-15")')
        if isinstance(v, str):
            if not _ISO_DAY.match(v):
                raise ValueError("expected an ISO date YYYY-MM-DD")
            try:
                return date.fromisoformat(v)
            except ValueError:
                raise ValueError("expected an ISO date YYYY-MM-DD") from None
        return v

    @model_validator(mode="after")
    def _check(self) -> StressWindowSpec:
        if not self.name.strip() or self.name != self.name.strip():
            raise ValueError(f"name {self.name!r}: no leading or trailing blanks")
        for key, day in (("start", self.start), ("end", self.end)):
            if not MIN_WINDOW_DATE <= day <= MAX_WINDOW_DATE:
                raise ValueError(f"{key} {day} outside {MIN_WINDOW_DATE}..{MAX_WINDOW_DATE}")
        if self.end < self.start:
            raise ValueError(f"need start <= end (got {self.start} > {self.end})")
        return self


class ReportPolicy(PolicyModel):
    """What reports show beyond the defaults: ``stress_windows``, the policy's own.

    Shown with the shipped ones (``summary.json``, the HTML report, the terminal,
    ``compare``) wherever they overlap a run. Names are unique; a shipped name
    needs ``replace = true`` (see `StressWindowSpec`).
    """

    stress_windows: Annotated[tuple[StressWindowSpec, ...], Field(max_length=100)] = ()


def check_windows(section: ReportPolicy) -> None:
    """Unique names; a shipped name only with ``replace = true``, and only then."""
    seen: set[str] = set()
    shipped = shipped_window_names()
    for i, w in enumerate(section.stress_windows):
        where = f"[report.stress_windows.{i}.name]"
        if w.name in seen:
            raise ValueError(f"{where} window {w.name!r} is defined twice")
        seen.add(w.name)
        if w.name in shipped and not w.replace:
            raise ValueError(
                f"{where} {w.name!r} is a shipped stress window; set replace = true "
                "to redefine it, or choose another name"
            )
        if w.replace and w.name not in shipped:
            raise ValueError(f"{where} replace = true but no shipped window is named {w.name!r}")
