"""Fixtures of the streets tests: a private data directory and the small real Leeds extract."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import shared_osm

LEEDS = "leeds_university_its-example.osm.pbf"


@pytest.fixture
def data_dir(settings, tmp_path: Path) -> Path:
    """Every file an import writes lands here, so a test can list what is left behind."""
    folder = tmp_path / "data"
    folder.mkdir()
    settings.PACTESUR_DATA_DIR = folder
    return folder


@pytest.fixture
def leeds_pbf() -> Path:
    return shared_osm(LEEDS)


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
