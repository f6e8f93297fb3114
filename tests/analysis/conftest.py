"""Fixtures of the analysis tests: a private data directory and a fresh engine cache per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pactesur.analysis import _engine_cache


@pytest.fixture
def data_dir(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    folder = tmp_path / "data"
    folder.mkdir()
    settings.PACTESUR_DATA_DIR = folder
    return folder


@pytest.fixture(autouse=True)
def _fresh_engine_cache() -> Iterator[None]:
    _engine_cache.clear()
    yield
    _engine_cache.clear()


@pytest.fixture
def leeds(city, data_dir):  # type: ignore[no-untyped-def]
    """Nice's active network is the real Leeds extract (the city's name does not matter here)."""
    from tests.analysis.helpers import import_leeds

    return import_leeds(city)


@pytest.fixture
def woodhouse(city, leeds):  # type: ignore[no-untyped-def]
    from tests.analysis.helpers import woodhouse_space

    return woodhouse_space(city)


@pytest.fixture
def analysed(woodhouse):  # type: ignore[no-untyped-def]
    """The Woodhouse Lane space with its analyses and the city's speed maps computed."""
    from pactesur.analysis.actions import do_run_city_analysis

    do_run_city_analysis(woodhouse.city)
    return woodhouse
