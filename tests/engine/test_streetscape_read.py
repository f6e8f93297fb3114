"""Street objects (trees, lamp columns, bollards…) reach the network: counts against pyosmium's own read.

Each real extract in ../shared/osm and the bundled Helsinki file are read twice: by the engine
(`read_osm`, then `build_network`) and, independently, by pyosmium (every node, and every way
with its node locations), matched here against the test's own table of tags per kind. The rules
the engine must follow are written here, not imported:

* a node is an object of the kind of its first tag (in the file's order) found in `EXPECTED_TAGS`,
  when the file gives its location;
* a `natural=tree_row` way with at least 2 nodes in the file gives ceil(L / 8 m) + 1 trees, L the
  length of the line through those nodes in the network's projection (none with fewer);
* the network lists the object nodes by OSM node id, then the trees of the rows;
* barrier nodes of the network keep the gap their own tags give (`_barriers.node_gap_m`), whether
  or not they are also objects.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium
import pytest

from pactesur.engine._barriers import node_gap_m
from pactesur.engine.io.osm import read_osm
from pactesur.engine.network import StreetNetwork
from pactesur.engine.osm_import import build_network
from pactesur.engine.projection import LocalProjection
from pactesur.engine.streetscape import STREET_OBJECT_CODES, STREET_OBJECT_KINDS
from tests.conftest import helsinki_pbf, shared_osm
from tests.engine.osm_files import import_text, osm_xml
from tests.engine.test_osm_reader_counts import _extract_params

# The (key, value) pairs that make a node each kind, written out so that dropping one from the
# engine's table fails here; pairs the engine maps beyond these are taken from the engine.
EXPECTED_TAGS: dict[tuple[str, str], str] = {
    ("natural", "tree"): "tree",
    ("highway", "street_lamp"): "street_lamp",
    ("man_made", "utility_pole"): "utility_pole",
    ("power", "pole"): "utility_pole",
    ("man_made", "flagpole"): "flagpole",
    ("advertising", "column"): "advertising_column",
    ("barrier", "bollard"): "bollard",
    ("barrier", "block"): "block",
    ("barrier", "jersey_barrier"): "block",
    ("barrier", "planter"): "planter",
    ("natural", "stone"): "stone",
    ("barrier", "stone"): "stone",
    ("traffic_calming", "island"): "traffic_island",
    ("traffic_calming", "choker"): "traffic_island",
    ("traffic_calming", "chicane"): "traffic_island",
    ("amenity", "bench"): "bench",
    ("amenity", "waste_basket"): "waste_basket",
    ("emergency", "fire_hydrant"): "fire_hydrant",
    ("amenity", "bicycle_parking"): "bicycle_parking",
    ("amenity", "shelter"): "shelter",
    ("shelter", "yes"): "shelter",
    ("amenity", "post_box"): "post_box",
    ("traffic_calming", "table"): "speed_table",
    ("traffic_calming", "hump"): "speed_table",
    ("traffic_calming", "bump"): "speed_table",
    ("traffic_calming", "cushion"): "speed_table",
}
TREE_ROW_SPACING_M = 8.0


@dataclass(frozen=True)
class RawObject:
    """A street object as pyosmium sees it."""

    node_id: int
    lon: float
    lat: float
    code: str


@dataclass(frozen=True)
class Case:
    name: str
    network: StreetNetwork
    objects: list[RawObject]  # sorted by node id
    rows: dict[int, list[tuple[float, float]]]  # tree row way id → its nodes' lon/lat (NaN: missing)
    barrier_tags: dict[int, dict[str, str]]  # every node with a barrier key


def _tag_table() -> dict[tuple[str, str], str]:
    engine = {tag: kind.code for kind in STREET_OBJECT_KINDS for tag in kind.tags}
    return {**engine, **EXPECTED_TAGS}


def _read_raw(
    path: Path,
) -> tuple[list[RawObject], dict[int, list[tuple[float, float]]], dict[int, dict[str, str]]]:
    table = _tag_table()
    objects: list[RawObject] = []
    rows: dict[int, list[tuple[float, float]]] = {}
    barriers: dict[int, dict[str, str]] = {}
    for obj in osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_locations():
        if isinstance(obj, osmium.osm.Node):
            tags = dict(obj.tags)
            if "barrier" in tags:
                barriers[obj.id] = tags
            code = next((table[(k, v)] for k, v in tags.items() if (k, v) in table), None)
            if code is not None and obj.location.valid():
                objects.append(RawObject(obj.id, obj.location.lon, obj.location.lat, code))
        elif (
            isinstance(obj, osmium.osm.Way) and obj.tags.get("natural") == "tree_row" and len(obj.nodes) >= 2
        ):
            rows[obj.id] = [
                (n.location.lon, n.location.lat) if n.location.valid() else (math.nan, math.nan)
                for n in obj.nodes
            ]
    return sorted(objects, key=lambda o: o.node_id), rows, barriers


def _case(path: Path) -> Case:
    extract = read_osm(path)
    network = build_network(extract, LocalProjection.for_bounds(extract.meta.bounds))
    objects, rows, barriers = _read_raw(path)
    return Case(path.name, network, objects, rows, barriers)


def _params() -> list[object]:
    return [pytest.param("Helsinki.osm.pbf", id="Helsinki.osm.pbf"), *_extract_params()]


@pytest.fixture(scope="module", params=_params())
def case(request: pytest.FixtureRequest) -> Case:
    if request.param == "Helsinki.osm.pbf":
        return _case(helsinki_pbf())
    return _case(shared_osm(request.param))


def _row_tree_count(case: Case) -> int:
    proj = LocalProjection.from_crs(case.network.crs)
    total = 0
    for nodes in case.rows.values():
        lon, lat = np.asarray(nodes, dtype=np.float64).T
        known = np.isfinite(lon)
        if np.count_nonzero(known) < 2:
            continue
        x, y = proj.to_xy(lon[known], lat[known])
        length = float(np.hypot(np.diff(x), np.diff(y)).sum())
        total += math.ceil(length / TREE_ROW_SPACING_M) + 1
    return total


def test_engine_still_maps_every_tag_the_counts_expect() -> None:
    engine = {tag: kind.code for kind in STREET_OBJECT_KINDS for tag in kind.tags}
    missing = {tag: code for tag, code in EXPECTED_TAGS.items() if engine.get(tag) != code}
    assert not missing, f"tags the engine no longer maps to these kinds: {missing}"


def test_network_has_every_object_of_each_kind(case: Case) -> None:
    counted = Counter(STREET_OBJECT_CODES[k] for k in case.network.object_kind.tolist())
    expected = Counter(o.code for o in case.objects)
    expected["tree"] += _row_tree_count(case)
    expected = +expected  # drop kinds counted zero
    assert counted == expected, (
        f"{case.name}: network lost {dict(expected - counted)}, added {dict(counted - expected)}"
    )
    assert case.network.object_x.dtype == np.float64
    assert case.network.object_y.dtype == np.float64
    assert case.network.object_kind.dtype == np.int8


def test_object_nodes_come_first_by_node_id_at_their_projected_location(case: Case) -> None:
    n = len(case.objects)
    proj = LocalProjection.from_crs(case.network.crs)
    x, y = proj.to_xy([o.lon for o in case.objects], [o.lat for o in case.objects])
    codes = [STREET_OBJECT_CODES[k] for k in case.network.object_kind[:n].tolist()]
    assert codes == [o.code for o in case.objects]
    np.testing.assert_array_equal(case.network.object_x[:n], x)
    np.testing.assert_array_equal(case.network.object_y[:n], y)


def test_barrier_nodes_keep_the_gap_their_tags_give(case: Case) -> None:
    network = case.network
    expected = np.full(network.node_count, np.inf, dtype=np.float32)
    kinds: dict[int, str] = {}
    for i, node_id in enumerate(network.node_osm_id.tolist()):
        tags = case.barrier_tags.get(node_id)
        if tags is not None and (gap := node_gap_m(tags)) < math.inf:
            expected[i] = gap
            kinds[i] = tags["barrier"]
    np.testing.assert_array_equal(network.node_gap_m, expected)
    assert network.node_barrier == kinds


def test_helsinki_bollards_on_streets_stay_barriers_and_become_objects() -> None:
    case = _case(helsinki_pbf())
    network = case.network
    bollards = {
        node_id
        for node_id, tags in case.barrier_tags.items()
        if tags["barrier"] == "bollard" and node_gap_m(tags) < math.inf
    }
    on_street = np.flatnonzero(np.isin(network.node_osm_id, list(bollards)))
    assert on_street.shape[0] >= 10, "Helsinki should have bollards on its streets"
    assert np.isfinite(network.node_gap_m[on_street]).all()
    assert {network.node_barrier[int(i)] for i in on_street} == {"bollard"}
    objects = set(
        zip(
            network.object_x[network.object_kind == STREET_OBJECT_CODES.index("bollard")].tolist(),
            network.object_y[network.object_kind == STREET_OBJECT_CODES.index("bollard")].tolist(),
            strict=True,
        )
    )
    for i in on_street.tolist():
        assert (float(network.node_x[i]), float(network.node_y[i])) in objects


def test_a_small_street_reads_objects_points_and_a_tree_row(tmp_path: Path) -> None:
    """A 100 m street with a bollard node on it, a tree, a lamp, a restaurant and a bench with a shelter
    beside it, and a 20 m tree row.

    1 ──── 2(bollard) ──── 3                      way 10, residential
      4(tree) 5(lamp) 6(restaurant) 9(shelter)    5 m north of the street
    7 ─────── 8                                   way 20, natural=tree_row, 20 m long, 10 m south
    """
    text = osm_xml(
        {
            1: (0, 0, {}),
            2: (50, 0, {"barrier": "bollard"}),
            3: (100, 0, {}),
            4: (20, 5, {"natural": "tree"}),
            5: (40, 5, {"highway": "street_lamp"}),
            6: (60, 5, {"amenity": "restaurant", "name": "Chez Nous, natural=tree"}),  # OPL escapes ',' '='
            7: (0, -10, {}),
            8: (20, -10, {}),
            9: (80, 5, {"shelter": "yes", "amenity": "bench"}),  # the first tag of a kind decides
        },
        {10: ([1, 2, 3], {"highway": "residential"}), 20: ([7, 8], {"natural": "tree_row"})},
    )
    path = tmp_path / "street.osm"
    path.write_text(text, encoding="utf-8")
    extract = read_osm(path)
    assert extract.point_id.tolist() == [2]  # the points are what they were: barriers and stations
    assert extract.object_id.tolist() == [2, 4, 5, 9]  # not the restaurant
    assert extract.meta.counts["street_objects"] == 4
    assert extract.meta.counts["tree_rows"] == 1
    network = import_text(tmp_path, text)
    codes = [STREET_OBJECT_CODES[k] for k in network.object_kind.tolist()]
    # the four nodes by id, then ceil(20 / 8) + 1 = 4 trees along the row, 20/3 m apart
    assert codes == ["bollard", "tree", "street_lamp", "shelter", "tree", "tree", "tree", "tree"]
    bollard = int(np.flatnonzero(network.node_osm_id == 2)[0])
    assert network.node_gap_m[bollard] == pytest.approx(1.5)
    assert network.node_barrier == {bollard: "bollard"}
    assert (network.object_x[0], network.object_y[0]) == (network.node_x[bollard], network.node_y[bollard])
    row_x, row_y = network.object_x[4:], network.object_y[4:]
    spacing = np.hypot(np.diff(row_x), np.diff(row_y))
    np.testing.assert_allclose(spacing, 20.0 / 3, rtol=0.01)
    ends = np.hypot(row_x[-1] - row_x[0], row_y[-1] - row_y[0])
    assert ends == pytest.approx(20.0, rel=0.01)  # from the row's first node to its last
