"""Fixtures of the reports tests: a private data directory for every test, a fresh engine cache, and a
city whose spaces are analysed for real on the Leeds extract."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pactesur.analysis import _engine_cache


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """Every test's prepared plans (and networks) go to a folder of its own, beside its `tmp_path`."""
    folder: Path = tmp_path_factory.mktemp("data")
    settings.PACTESUR_DATA_DIR = folder
    return folder


@pytest.fixture(autouse=True)
def _fresh_engine_cache() -> Iterator[None]:
    _engine_cache.clear()
    yield
    _engine_cache.clear()


@pytest.fixture
def analysed(city, data_dir):  # type: ignore[no-untyped-def]
    """Nice's network is the real Leeds extract; its suggested spaces and the Woodhouse Lane crossing
    (crowd figures given) are analysed for every class. Returns the crossing."""
    from tests.reports.helpers import analyse_leeds

    return analyse_leeds(city)
