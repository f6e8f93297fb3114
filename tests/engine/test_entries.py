"""Entries of a space: crossing points, impact speed, run-up, path, exposure, and bad areas."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import Polygon, mapping

from pactesur.engine.dynamics import attainable_speeds
from pactesur.engine.entries import area_crossings, area_from_geojson, space_entries
from pactesur.engine.errors import AreaError
from pactesur.engine.network import WayKind
from pactesur.engine.vda import analyse_area
from pactesur.engine.vehicles import VEHICLES_BY_CODE
from tests.engine.synthetic import CONSTANT_ACCEL_MS2, CONSTANT_CAR, Seg, build_network, chain, to_lonlat

CAR = VEHICLES_BY_CODE["M1"]
CONSTANT = CONSTANT_CAR
A_CONST = CONSTANT_ACCEL_MS2


def _square(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    return Polygon([to_lonlat(x, y) for x, y in [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]])


STRAIGHT = {"A": (0.0, 0.0), "B": (300.0, 0.0), "C": (400.0, 0.0)}
STRAIGHT_DOC = """
    A ────── 300 m ────── B ── 20 m ──┌─ 40 m ─┐── 40 m ── C
                                      │ square │  320 ≤ x ≤ 360, −20 ≤ y ≤ 20
                                      └────────┘
"""


def test_entry_on_a_square_has_the_speed_run_up_and_path_of_the_approach() -> None:
    net = build_network(STRAIGHT, chain(list(STRAIGHT), width_m=8.0), names={1: "Promenade"})
    crossings = area_crossings(net, _square(320.0, -20.0, 360.0, 20.0))
    entries = space_entries(net, crossings, attainable_speeds(net, CONSTANT))
    west = min(entries, key=lambda e: e.x_m)
    assert west.x_m == pytest.approx(320.0, abs=1e-6)
    assert west.impact_speed_kmh / 3.6 == pytest.approx(math.sqrt(2 * A_CONST * 320.0), rel=1e-4)
    assert west.run_up_m == pytest.approx(320.0, abs=1e-3)
    expected_path = [to_lonlat(0.0, 0.0), to_lonlat(300.0, 0.0), to_lonlat(320.0, 0.0)]
    assert [p for pt in west.path for p in pt] == pytest.approx(
        [p for pt in expected_path for p in pt], abs=1e-7
    )
    assert west.exposure_m == pytest.approx(40.0, abs=1e-3)  # straight through the square
    assert west.approach == "road"
    assert west.width_m == 8.0
    assert west.name == "Promenade"
    assert west.kinetic_energy_kj == pytest.approx(
        0.5 * CONSTANT.mass_kg * (west.impact_speed_kmh / 3.6) ** 2 / 1000
    )
    # the east entry: a standstill at C, 40 m of run-up
    east = max(entries, key=lambda e: e.x_m)
    assert east.impact_speed_kmh / 3.6 == pytest.approx(math.sqrt(2 * A_CONST * 40.0), rel=1e-4)
    assert east.run_up_m == pytest.approx(40.0, abs=1e-3)
    assert len(entries) == 2


def test_entry_at_a_node_on_the_boundary_carries_the_arrival_speed() -> None:
    """A ── 100 m ── B ── 50 m ── C; the space's west edge passes through node B."""
    nodes = {"A": (0.0, 0.0), "B": (100.0, 0.0), "C": (150.0, 0.0)}
    net = build_network(nodes, chain(list(nodes)))
    crossings = area_crossings(net, _square(100.0, -10.0, 140.0, 10.0))
    entries = space_entries(net, crossings, attainable_speeds(net, CONSTANT))
    west = min(entries, key=lambda e: e.x_m)
    assert west.x_m == pytest.approx(100.0, abs=1e-6)
    assert west.impact_speed_kmh / 3.6 == pytest.approx(math.sqrt(2 * A_CONST * 100.0), rel=1e-4)
    assert west.run_up_m == pytest.approx(100.0, abs=1e-3)


def test_entries_within_two_metres_merge_keeping_the_fastest() -> None:
    """Two parallel ways 1 m apart into the square; the one with 300 m of run-up wins.

    A ───── 300 m ───── B ───┐          (y = 0)
                  E ── 30 m ─┤ square   (y = 1)
    """
    nodes = {"A": (0.0, 0.0), "B": (340.0, 0.0), "E": (290.0, 1.0), "F": (340.0, 1.0)}
    net = build_network(nodes, [Seg("A", "B"), Seg("E", "F", kind=WayKind.FOOTWAY, width_m=3.0, way_id=2)])
    crossings = area_crossings(net, _square(320.0, -20.0, 400.0, 20.0))
    entries = space_entries(net, crossings, attainable_speeds(net, CONSTANT))
    assert len(entries) == 1
    assert entries[0].run_up_m == pytest.approx(320.0, abs=1e-3)
    assert entries[0].approach == "road"


def test_exposure_follows_the_ways_inside_the_space() -> None:
    """A ── 100 m ── B ┌ B ── 30 m ── C ── 40 m ── D ┐ (C–D turns 90° north), square 100..200 × −10..60."""
    nodes = {"A": (0.0, 0.0), "B": (120.0, 0.0), "C": (150.0, 0.0), "D": (150.0, 40.0)}
    net = build_network(nodes, chain(list(nodes)))
    crossings = area_crossings(net, _square(100.0, -10.0, 200.0, 60.0))
    entries = space_entries(net, crossings, attainable_speeds(net, CAR))
    assert len(entries) == 1
    assert entries[0].exposure_m == pytest.approx(20.0 + 30.0 + 40.0, abs=1e-3)


def test_truck_has_no_entry_through_a_footway_narrower_than_it() -> None:
    nodes = {"A": (0.0, 0.0), "B": (300.0, 0.0)}
    net = build_network(nodes, [Seg("A", "B", kind=WayKind.FOOTWAY, width_m=2.2)])
    crossings = area_crossings(net, _square(200.0, -10.0, 250.0, 10.0))
    assert space_entries(net, crossings, attainable_speeds(net, VEHICLES_BY_CODE["N3F"])) == []
    car_entries = space_entries(net, crossings, attainable_speeds(net, CAR))
    assert {e.approach for e in car_entries} == {"footway"}


def test_self_intersecting_area_is_refused_with_an_explanation() -> None:
    net = build_network(STRAIGHT, chain(list(STRAIGHT)))
    bow_tie = Polygon([to_lonlat(x, y) for x, y in [(300, -20), (360, 20), (360, -20), (300, 20)]])
    with pytest.raises(AreaError, match="crosses itself"):
        area_crossings(net, bow_tie)


def test_area_away_from_the_network_is_refused() -> None:
    net = build_network(STRAIGHT, chain(list(STRAIGHT)))
    with pytest.raises(AreaError, match="does not touch the street network"):
        analyse_area(net, _square(5000.0, 5000.0, 5100.0, 5100.0), vehicle_codes=["M1"])


def test_area_geojson_feature_collection_is_the_union_of_its_polygons() -> None:
    a, b = _square(0.0, 0.0, 10.0, 10.0), _square(5.0, 0.0, 20.0, 10.0)
    fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": mapping(a)},
            {"type": "Feature", "properties": {}, "geometry": mapping(b)},
        ],
    }
    union = area_from_geojson(fc)
    assert union.area == pytest.approx(a.union(b).area)


def test_area_geojson_without_a_polygon_is_refused() -> None:
    with pytest.raises(AreaError, match="no Polygon or MultiPolygon"):
        area_from_geojson({"type": "Point", "coordinates": [7.25, 43.7]})
