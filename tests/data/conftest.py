"""Fixtures of the data-layer tests."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_REFERENCE = (Path(__file__).resolve().parents[2] / ".." / "shared" / "reference").resolve()


@pytest.fixture(scope="session")
def shared_reference() -> Path:
    """The real reference folder ``<repo>/../shared/reference``; skips where absent."""
    if not SHARED_REFERENCE.is_dir():
        pytest.skip(
            f"real reference data not found at {SHARED_REFERENCE} "
            "(present in this workplace and CI)"
        )
    return SHARED_REFERENCE
