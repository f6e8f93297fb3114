"""Entries by geometry, not by accident of mapping: the cases where the first version said "no entry".

Each case is a small OSM file written here, imported as the app imports a city, then analysed;
the last tests run the same checks on the real squares of the shared extracts.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import shapely
from shapely.geometry import Polygon

from pactesur.engine.entries import Entry
from pactesur.engine.network import StreetNetwork
from pactesur.engine.osm_import import CityImport
from pactesur.engine.projection import projection_for
from pactesur.engine.vda import VdaResult, analyse_area
from pactesur.engine.vehicles import VEHICLE_CLASSES, VEHICLES_BY_CODE
from tests.engine.osm_files import Nodes, Ways, import_file, lonlat, osm_xml

SHARED_OSM = Path(__file__).resolve().parents[2].parent / "shared" / "osm"
CAR = VEHICLES_BY_CODE["M1"]
ALL_CODES = {v.code for v in VEHICLE_CLASSES}
SQUARE_TAGS = {"place": "square", "name": "Testplatz"}


def _rect(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    return Polygon([lonlat(x, y) for x, y in [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]])


def _square_way(first_id: int, x0: float, y0: float, x1: float, y1: float) -> tuple[Nodes, list[int]]:
    ids = list(range(first_id, first_id + 4))
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    return {i: (x, y, {}) for i, (x, y) in zip(ids, corners, strict=True)}, [*ids, ids[0]]


def _analyse(tmp_path: Path, nodes: Nodes, ways: Ways, area: Polygon, **kwargs: object) -> VdaResult:
    imported: CityImport = import_file(tmp_path, osm_xml(nodes, ways, **kwargs))  # type: ignore[arg-type]
    return analyse_area(imported.network, area)


def _by_class(result: VdaResult) -> dict[str, list[Entry]]:
    found: dict[str, list[Entry]] = {}
    for entry in result.entries:
        found.setdefault(entry.vehicle, []).append(entry)
    return found


def _fastest(result: VdaResult, code: str) -> Entry:
    return max(_by_class(result)[code], key=lambda e: e.impact_speed_kmh)


def _path_inside_m(network: StreetNetwork, area_lonlat: Polygon, entry: Entry) -> float:
    """Metres of the approach path, before its entry point, that run inside the area."""
    projection = projection_for(network.crs)
    to_xy = lambda c: projection.to_xy(c[:, 0], c[:, 1])  # noqa: E731
    area = shapely.transform(area_lonlat, lambda c: shapely.get_coordinates(shapely.points(*to_xy(c))))
    points = list(entry.path)
    if len(points) < 2:
        return 0.0
    xs, ys = projection.to_xy([p[0] for p in points], [p[1] for p in points])
    line = shapely.LineString(list(zip(xs, ys, strict=True)))
    inner = shapely.buffer(area, -1.0)
    return float(shapely.length(shapely.intersection(line, inner)))


def _assert_sane(network: StreetNetwork, area: Polygon, result: VdaResult) -> None:
    for entry in result.entries:
        assert entry.impact_speed_kmh > 1.0, entry
        assert entry.path[-1] == (entry.lon, entry.lat)
        assert _path_inside_m(network, area, entry) < 1.0, (entry.via, entry.path)
        distances = [d for d, _ in entry.speed_profile]
        assert all(b >= a for a, b in itertools.pairwise(distances))


def test_street_sharing_the_square_outline_gives_an_entry_at_nearly_full_speed(tmp_path: Path) -> None:
    """A 400 m straight street runs on along the square's north side, through its two corners.

    10 ─────────── 400 m ─────────── 4 ══════ 3 ──── 11     residential, on y = 60
                                     ║ square ║
                                     1 ══════ 2            60 m × 60 m
    """
    square_nodes, ring = _square_way(1, 0, 0, 60, 60)
    nodes = {**square_nodes, 10: (-400, 60, {}), 11: (100, 60, {})}
    ways = {100: (ring, SQUARE_TAGS), 200: ([10, 4, 3, 11], {"highway": "residential"})}
    imported = import_file(tmp_path, osm_xml(nodes, ways))
    area = _rect(0, 0, 60, 60)
    result = analyse_area(imported.network, area)
    assert set(_by_class(result)) == ALL_CODES
    fastest = _fastest(result, "M1")
    assert fastest.via == "along_way"
    assert fastest.impact_speed_kmh >= CAR.speed_after_kmh(400.0)
    assert fastest.angle_deg < 45.0
    _assert_sane(imported.network, area, result)


def test_street_a_few_metres_from_the_outline_gives_an_along_way_entry(tmp_path: Path) -> None:
    """The same street 3 m north of the square, sharing no node with it: the vehicle veers off it.

    10 ────────────────────────────────── 11     residential (5.5 m) on y = 63
                                     4 ══════ 3
                                     1 ══════ 2
    """
    square_nodes, ring = _square_way(1, 0, 0, 60, 60)
    nodes = {**square_nodes, 10: (-400, 63, {}), 11: (100, 63, {})}
    ways = {100: (ring, SQUARE_TAGS), 200: ([10, 11], {"highway": "residential"})}
    imported = import_file(tmp_path, osm_xml(nodes, ways))
    area = _rect(0, 0, 60, 60)
    result = analyse_area(imported.network, area)
    fastest = _fastest(result, "M1")
    assert fastest.via == "along_way"
    assert fastest.impact_speed_kmh >= CAR.speed_after_kmh(400.0)
    assert fastest.along_m >= 55.0
    _assert_sane(imported.network, area, result)


def test_sidewalk_reaching_a_corner_of_the_square_gives_an_entry_for_every_class(tmp_path: Path) -> None:
    """An untagged footway ends at the square's south-west corner after 424 m on the diagonal.

             4 ══════ 3
             ║ square ║
             1 ══════ 2
           ╱
        ╱   footway, no width tag, 424 m at 45°
    10
    """
    square_nodes, ring = _square_way(1, 0, 0, 60, 60)
    nodes = {**square_nodes, 10: (-300, -300, {})}
    ways = {100: (ring, SQUARE_TAGS), 200: ([10, 1], {"highway": "footway", "footway": "sidewalk"})}
    imported = import_file(tmp_path, osm_xml(nodes, ways))
    area = _rect(0, 0, 60, 60)
    result = analyse_area(imported.network, area)
    assert set(_by_class(result)) == ALL_CODES
    car = _fastest(result, "M1")
    assert car.impact_speed_kmh >= 0.95 * CAR.speed_after_kmh(424.0)
    assert all(e.width_source == "assumed" for e in result.entries)
    _assert_sane(imported.network, area, result)


def test_market_inside_a_large_square_is_reached_across_it_from_the_corner_road(tmp_path: Path) -> None:
    """A market in the middle of a 200 m square; the only road ends at the square's corner.

        4 ═══════════════════ 3
        ║       ┌──────┐      ║
        ║       │market│      ║      market 40 m × 40 m at (80–120, 80–120)
        ║       └──────┘      ║
        1 ═══════════════════ 2
      ╱
    10    road, 300 m at 45° to the corner
    """
    square_nodes, ring = _square_way(1, 0, 0, 200, 200)
    market_nodes, market_ring = _square_way(20, 80, 80, 120, 120)
    nodes = {**square_nodes, **market_nodes, 10: (-212, -212, {})}
    ways = {
        100: (ring, SQUARE_TAGS),
        101: (market_ring, {"amenity": "marketplace", "name": "Weihnachtsmarkt"}),
        200: ([10, 1], {"highway": "residential"}),
    }
    imported = import_file(tmp_path, osm_xml(nodes, ways))
    area = _rect(80, 80, 120, 120)
    result = analyse_area(imported.network, area)
    assert set(_by_class(result)) == ALL_CODES
    car = _fastest(result, "M1")
    assert car.via == "open_area"
    # it keeps accelerating across the square: faster than at the corner
    assert car.impact_speed_kmh > CAR.speed_after_kmh(300.0)
    assert car.run_up_m > 300.0 + 100.0
    _assert_sane(imported.network, area, result)


def test_untagged_footway_lets_a_van_and_a_truck_in_and_says_its_width_is_assumed(tmp_path: Path) -> None:
    """A pavement attack: a 300 m footway with no width tag leads into the square.

    10 ──────── footway, 300 m, no width ────────┼──── 11
                                                ║ square
    """
    square_nodes, ring = _square_way(1, 0, 0, 60, 60)
    nodes = {**square_nodes, 10: (-300, 30, {}), 11: (30, 30, {})}
    ways = {100: (ring, SQUARE_TAGS), 200: ([10, 11], {"highway": "footway"})}
    imported = import_file(tmp_path, osm_xml(nodes, ways))
    result = analyse_area(imported.network, _rect(0, 0, 60, 60))
    for code in ("N1", "N3F"):
        entry = _fastest(result, code)
        assert entry.width_source == "assumed"
        assert [w["way_id"] for w in entry.assumed_widths] == [200]
        assert entry.impact_speed_kmh > 40.0


def test_bollard_with_no_mapped_gap_is_reported_as_protection_to_verify_not_as_a_0_kmh_entry(
    tmp_path: Path,
) -> None:
    """A bollard stands where the only road meets the square's west side.

    10 ──────── road, 300 m ──────── B ──── 11      B: barrier=bollard, no maxwidth
                                     ║ square
    """
    square_nodes, ring = _square_way(1, 0, 0, 60, 60)
    nodes = {**square_nodes, 10: (-300, 30, {}), 9: (0, 30, {"barrier": "bollard"}), 11: (30, 30, {})}
    ways = {100: (ring, SQUARE_TAGS), 200: ([10, 9, 11], {"highway": "residential"})}
    imported = import_file(tmp_path, osm_xml(nodes, ways))
    result = analyse_area(imported.network, _rect(0, 0, 60, 60))
    assert result.entries == ()
    kinds = {(b.vehicle, b.kind) for b in result.barriers}
    assert kinds == {(code, "bollard") for code in ALL_CODES}
    car = next(b for b in result.barriers if b.vehicle == "M1")
    assert car.rated is None
    assert car.impact_speed_kmh == pytest.approx(CAR.speed_after_kmh(300.0), rel=0.02)
    assert car.required_rating.startswith("V/1500[M1]/")


def test_approach_never_runs_through_the_square_before_its_entry(tmp_path: Path) -> None:
    """A road crosses the square, then loops back to its east side: the loop alone gives speed.

    10 ─── 300 m ───┼══ square ══┼──── 12 ──── 13
                    ║            ║      │       │   loop 80 m × 70 m east of the square
                                        15 ──── 14
    """
    square_nodes, ring = _square_way(1, 0, 0, 60, 60)
    nodes = {
        **square_nodes,
        10: (-300, 30, {}),
        12: (120, 30, {}),
        13: (200, 30, {}),
        14: (200, -40, {}),
        15: (120, -40, {}),
    }
    ways = {
        100: (ring, SQUARE_TAGS),
        200: ([10, 12], {"highway": "residential"}),
        201: ([12, 13, 14, 15, 12], {"highway": "residential"}),
    }
    imported = import_file(tmp_path, osm_xml(nodes, ways))
    area = _rect(0, 0, 60, 60)
    result = analyse_area(imported.network, area)
    east = [e for e in result.entries if e.vehicle == "M1" and e.x_m > 50.0]
    assert east, "the east side is reachable from the loop"
    _assert_sane(imported.network, area, result)


def test_space_near_the_extract_edge_warns_that_approaches_from_outside_are_missing(tmp_path: Path) -> None:
    """The square's east side is 4 m from the file's bounds."""
    square_nodes, ring = _square_way(1, 0, 0, 60, 60)
    nodes = {**square_nodes, 10: (-300, 30, {}), 11: (30, 30, {})}
    ways = {100: (ring, SQUARE_TAGS), 200: ([10, 11], {"highway": "residential"})}
    imported = import_file(tmp_path, osm_xml(nodes, ways, bounds_m=(-2000.0, -2000.0, 64.0, 2000.0)))
    result = analyse_area(imported.network, _rect(0, 0, 60, 60))
    edge = [w for w in result.warnings if w.code == "near_extract_edge"]
    assert {w.vehicle for w in edge} == ALL_CODES
    assert all(w.params["distance_m"] == pytest.approx(4.0, abs=0.5) for w in edge)


def test_space_far_from_the_extract_edge_has_no_edge_warning(tmp_path: Path) -> None:
    square_nodes, ring = _square_way(1, 0, 0, 60, 60)
    nodes = {**square_nodes, 10: (-300, 30, {}), 11: (30, 30, {})}
    ways = {100: (ring, SQUARE_TAGS), 200: ([10, 11], {"highway": "residential", "width": "7"})}
    imported = import_file(tmp_path, osm_xml(nodes, ways, bounds_m=(-5000.0, -5000.0, 5000.0, 5000.0)))
    result = analyse_area(imported.network, _rect(0, 0, 60, 60))
    assert [w.code for w in result.warnings] == []


def _real_squares(name: str) -> tuple[StreetNetwork, list[tuple[str, Polygon]]]:
    path = SHARED_OSM / name
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared OSM extracts are not beside the repository")
    from pactesur.engine.io.osm import read_osm
    from pactesur.engine.osm_import import import_extract

    imported = import_extract(read_osm(path))
    return imported.network, [(s.name, s.polygon) for s in imported.spaces if s.kind == "square"]


@pytest.mark.parametrize(
    ("extract", "square"),
    [
        ("stockholm_norrmalm_ostermalm.osm", "Östermalmstorg"),
        ("berlin_mitte_friedrichstrasse.osm", "Zietenplatz"),
    ],
)
def test_real_square_reached_by_sidewalks_has_entries_for_every_class(extract: str, square: str) -> None:
    network, squares = _real_squares(extract)
    area = next(p for n, p in squares if n == square)
    result = analyse_area(network, area)
    assert set(_by_class(result)) == ALL_CODES
    _assert_sane(network, area, result)


@pytest.mark.slow
@pytest.mark.parametrize(
    "extract", sorted(p.name for p in SHARED_OSM.glob("*.osm*")) if SHARED_OSM.is_dir() else ["absent"]
)
def test_every_real_square_has_no_0_kmh_entry_and_no_path_inside_it(extract: str) -> None:
    network, squares = _real_squares(extract)
    for _name, area in squares:
        result = analyse_area(network, area)
        _assert_sane(network, area, result)
