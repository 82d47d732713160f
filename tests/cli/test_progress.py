"""The progress bar's redraw throttle: by count step and by time, the final state always drawn."""

from __future__ import annotations

from typing import Any

import pytest
from rich.progress import Progress

from vixshield.cli import _progress


class _Clock:
    """A fake `time.monotonic`: seconds set by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def draws(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The (completed, total) of each redraw the bar makes."""
    seen: list[tuple[int, int]] = []

    def update(self: Progress, task: Any, **kw: Any) -> None:
        assert kw["refresh"] is True
        seen.append((kw["completed"], kw["total"]))

    monkeypatch.setattr(Progress, "update", update)
    return seen


def test_frozen_clock_draws_first_and_final_only(
    monkeypatch: pytest.MonkeyPatch, draws: list[tuple[int, int]]
) -> None:
    clock = _Clock()
    monkeypatch.setattr(_progress, "monotonic", clock)
    with _progress.progress_bar(True, "run") as update:
        assert update is not None
        for done in range(1, 1001):
            update(done, 1000)
    assert draws == [(1, 1000), (1000, 1000)]


def test_slow_updates_draw_every_step(
    monkeypatch: pytest.MonkeyPatch, draws: list[tuple[int, int]]
) -> None:
    clock = _Clock()
    monkeypatch.setattr(_progress, "monotonic", clock)
    with _progress.progress_bar(True, "run") as update:
        assert update is not None
        for done in range(1, 11):
            clock.now += 1.0  # far more than the least redraw interval
            update(done, 10)
    assert draws == [(d, 10) for d in range(1, 11)]


def test_redraws_wait_for_the_interval(
    monkeypatch: pytest.MonkeyPatch, draws: list[tuple[int, int]]
) -> None:
    clock = _Clock()
    monkeypatch.setattr(_progress, "monotonic", clock)
    with _progress.progress_bar(True, "run") as update:
        assert update is not None
        for done in range(1, 11):
            clock.now += 0.04  # a redraw every third update (0.12 s >= 0.1 s)
            update(done, 10)
    assert draws == [(1, 10), (4, 10), (7, 10), (10, 10)]


def test_disabled_yields_none() -> None:
    with _progress.progress_bar(False, "run") as update:
        assert update is None
