"""Fixtures of the assessments tests: a private data directory, a started assessment."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def data_dir(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    folder = tmp_path / "data"
    folder.mkdir()
    settings.PACTESUR_DATA_DIR = folder
    return folder


@pytest.fixture
def assessment(city, security_officer):  # type: ignore[no-untyped-def]
    """Place Masséna (≈ 8,956 m²), peak crowd 20,000 (2.23 p/m², stable band), just started."""
    from tests.assessments.helpers import start

    return start(city, security_officer, peak_crowd=20000, usual_crowd=3000)
