"""Attainable speeds on hand-made networks whose answers are computed with a pencil."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pactesur.engine.dynamics import MIN_LATERAL_CLEARANCE_M, attainable_speeds, turn_speed_ms
from pactesur.engine.network import WayKind
from pactesur.engine.vehicles import GRAVITY_MS2, VEHICLES_BY_CODE, VehicleClass
from tests.engine.synthetic import CONSTANT_ACCEL_MS2, CONSTANT_CAR, Seg, build_network, chain, edge_between

CAR = VEHICLES_BY_CODE["M1"]
VAN = VEHICLES_BY_CODE["N1"]
TRUCK = VEHICLES_BY_CODE["N3F"]
CONSTANT = CONSTANT_CAR
A_CONST = CONSTANT_ACCEL_MS2


def _kmh(ms: float) -> float:
    return ms * 3.6


def test_speed_after_a_straight_is_d_inverse_of_its_length() -> None:
    """A ──── 250 m ──── B, width 8 m: v = √(2·a·250) for a constant-acceleration car."""
    nodes = {"A": (0.0, 0.0), "B": (250.0, 0.0)}
    net = build_network(nodes, chain(list(nodes)))
    speeds = attainable_speeds(net, CONSTANT)
    ab = edge_between(net, list(nodes), "A", "B")
    assert speeds.end_speed_ms[ab] == pytest.approx(math.sqrt(2 * A_CONST * 250.0), rel=1e-4)
    assert speeds.start_speed_ms[ab] == 0.0
    real = attainable_speeds(net, CAR)
    assert _kmh(real.end_speed_ms[ab]) == pytest.approx(CAR.speed_after_kmh(250.0), rel=1e-6)


RIGHT_ANGLE = {"A": (0.0, 0.0), "B": (300.0, 0.0), "C": (300.0, 300.0)}
RIGHT_ANGLE_DOC = """
    A ───── 300 m ───── B
                        │ 90° turn, both ways 8 m wide
                      300 m
                        │
                        C
"""


def test_speed_at_a_right_angle_corner_is_the_root_of_lateral_accel_times_radius() -> None:
    # corridor for the car's centre 8 − 1.8 = 6.2 m; r = 6.2 / (1 − cos 45°) = 21.17 m
    net = build_network(RIGHT_ANGLE, chain(list(RIGHT_ANGLE), width_m=8.0))
    speeds = attainable_speeds(net, CAR)
    bc = edge_between(net, list(RIGHT_ANGLE), "B", "C")
    radius_m = 6.2 / (1.0 - math.cos(math.radians(45.0)))
    assert radius_m == pytest.approx(21.17, abs=0.01)
    assert speeds.start_speed_ms[bc] == pytest.approx(math.sqrt(0.8 * GRAVITY_MS2 * radius_m), rel=1e-6)
    assert _kmh(speeds.start_speed_ms[bc]) == pytest.approx(46.4, abs=0.1)


def test_truck_reaches_less_speed_after_right_angle_turn() -> None:
    # truck: corridor 8 − 2.55 = 5.45 m, r = 18.61 m, 0.35 g → 28.8 km/h at the corner
    net = build_network(RIGHT_ANGLE, chain(list(RIGHT_ANGLE), width_m=8.0))
    bc = edge_between(net, list(RIGHT_ANGLE), "B", "C")
    car, truck = attainable_speeds(net, CAR), attainable_speeds(net, TRUCK)
    assert _kmh(truck.start_speed_ms[bc]) == pytest.approx(28.8, abs=0.1)
    assert truck.end_speed_ms[bc] < car.end_speed_ms[bc]
    # the truck's speed after the turn beats its standstill run over the same 300 m
    assert _kmh(truck.end_speed_ms[bc]) > TRUCK.speed_after_kmh(300.0)


def _polyline_quarter_circle(radius_m: float, steps: int) -> dict[str, tuple[float, float]]:
    nodes = {"S": (-500.0, radius_m)}
    for k in range(steps + 1):
        angle = math.pi / 2 - k * (math.pi / 2) / steps
        nodes[f"P{k}"] = (radius_m * math.cos(angle), radius_m * math.sin(angle))
    nodes["E"] = (radius_m, -500.0)
    return nodes


def test_curve_drawn_as_a_polyline_takes_the_widest_line_through_its_whole_bend() -> None:
    """A quarter circle of radius 50 m drawn with 10 chords of 7.85 m (9° deflection each).

        S ─── 500 m ───╮ P0
                        ╲   R = 50 m, 10 chords, way 2.8 m wide
                         │ P10
                         │ 500 m
                         E

    The car's centre has a corridor of 2.8 − 1.8 = 1.0 m, h = 0.5 m either side of the curve.
    The widest line through the whole 90° bend is tangent to the outer edges of both straights
    and passes the inner edge (radius R − h) at the bend's middle: with c = cos 45°,
    r = R + h·(1 + c)/(1 − c) = 50 + 0.5 · 5.828 = 52.91 m, v = √(0.8 g · 52.91) = 73.3 km/h,
    more than the 50.35 m a single 9° vertex with its own chords allows (R·cos 4.5° + h).
    """
    nodes = _polyline_quarter_circle(50.0, 10)
    net = build_network(nodes, chain(list(nodes), width_m=2.8))
    speeds = attainable_speeds(net, CAR)
    names = list(nodes)
    cos45 = math.cos(math.radians(45.0))
    expected_radius_m = 50.0 + 0.5 * (1.0 + cos45) / (1.0 - cos45)
    expected_ms = math.sqrt(0.8 * GRAVITY_MS2 * expected_radius_m)
    assert expected_radius_m == pytest.approx(52.91, abs=0.01)
    assert _kmh(expected_ms) == pytest.approx(73.3, abs=0.1)
    middle = edge_between(net, names, "P5", "P6")
    assert speeds.start_speed_ms[middle] == pytest.approx(expected_ms, rel=1e-3)
    # every chord starts within 1.5 % of the widest line: windows of 2, 4, 8 … 128 m sample the
    # bend, exactly at its middle vertex
    for k in range(1, 10):
        chord = edge_between(net, names, f"P{k}", f"P{k + 1}")
        assert speeds.start_speed_ms[chord] == pytest.approx(expected_ms, rel=1.5e-2)
    single_vertex_ms = math.sqrt(0.8 * GRAVITY_MS2 * (50.0 * math.cos(math.radians(4.5)) + 0.5))
    assert expected_ms > single_vertex_ms


def test_turn_speed_helper_matches_the_corner_formula() -> None:
    # 60° deflection, 4 m corridor, long straights: r = 4 / (1 − cos 30°) = 29.86 m
    v = turn_speed_ms(math.radians(60.0), 4.0, 1000.0, 1000.0, 5.0)
    assert v == pytest.approx(math.sqrt(5.0 * 4.0 / (1 - math.cos(math.radians(30.0)))))


BOLLARDS = {"A": (0.0, 0.0), "B": (200.0, 0.0), "C": (400.0, 0.0)}
BOLLARDS_DOC = """
    A ──── 200 m ──── B ──── 200 m ──── C      bollards at B leave 2.0 m gaps
"""


def test_bollard_gaps_let_a_car_through_but_not_a_truck() -> None:
    net = build_network(BOLLARDS, chain(list(BOLLARDS)), node_gaps_m={"B": 2.0})
    ab = edge_between(net, list(BOLLARDS), "A", "B")
    bc = edge_between(net, list(BOLLARDS), "B", "C")
    car, truck = attainable_speeds(net, CAR), attainable_speeds(net, TRUCK)
    assert _kmh(car.end_speed_ms[bc]) == pytest.approx(CAR.speed_after_kmh(400.0), rel=1e-6)
    assert truck.start_speed_ms[bc] == 0.0
    assert _kmh(truck.end_speed_ms[bc]) == pytest.approx(TRUCK.speed_after_kmh(200.0), rel=1e-6)
    # the truck still arrives at the bollards at speed: that is the speed they must stop
    assert _kmh(truck.end_speed_ms[ab]) == pytest.approx(TRUCK.speed_after_kmh(200.0), rel=1e-6)


def test_barrier_line_across_a_segment_stops_a_vehicle_wider_than_its_gap() -> None:
    """A ── 200 m ── B ─┼┼┼─ C: a mapped row of bollards (2.0 m gaps) crosses segment B–C."""
    segments = [Seg("A", "B"), Seg("B", "C", gap_m=2.0)]
    net = build_network(BOLLARDS, segments)
    bc = edge_between(net, list(BOLLARDS), "B", "C")
    car, truck = attainable_speeds(net, CAR), attainable_speeds(net, TRUCK)
    assert car.usable[bc]
    assert not truck.usable[bc]
    assert np.isnan(truck.end_speed_ms[bc])
    assert _kmh(car.end_speed_ms[bc]) == pytest.approx(CAR.speed_after_kmh(400.0), rel=1e-6)


BYPASS = {
    "A": (0.0, 0.0),
    "B": (200.0, 0.0),
    "C": (300.0, 0.0),
    "D": (400.0, 0.0),
    "F": (230.0, 5.0),
    "G": (370.0, 5.0),
    "H": (700.0, 0.0),
}
BYPASS_DOC = """
                   F ────── 140 m ────── G          footway B–F–G–D, 2.6 m wide, 5 m off the
                 ╱ 30.4 m, 9.5°      9.5° ╲         road (a sidewalk)
    A ── 200 m ── B ── 100 m ── C ── 100 m ── D ── 300 m ── H      road 7 m wide
                                ▲ concrete blocks at C close the road (gap 0)
"""


@pytest.mark.parametrize("vehicle", [CAR, VAN], ids=["car", "van"])
def test_footway_beside_blocked_road_lets_car_and_van_round_the_blocks(vehicle: VehicleClass) -> None:
    segments = [
        *chain(["A", "B", "C", "D", "H"], width_m=7.0),
        *chain(["B", "F", "G", "D"], width_m=2.6, kind=WayKind.FOOTWAY, way_id=2),
    ]
    net = build_network(BYPASS, segments, node_gaps_m={"C": 0.0})
    names = list(BYPASS)
    speeds = attainable_speeds(net, vehicle)
    dh = edge_between(net, names, "D", "H")
    # without the footway the best start would be just past the blocks, 100 m before D
    assert _kmh(speeds.start_speed_ms[dh]) > vehicle.speed_after_kmh(100.0) + 10.0
    approach = speeds.approach_edges(dh)
    assert edge_between(net, names, "F", "G") in approach
    assert edge_between(net, names, "C", "D") not in approach


def test_footway_narrower_than_a_truck_does_not_bypass_the_blocks() -> None:
    segments = [
        *chain(["A", "B", "C", "D", "H"], width_m=7.0),
        *chain(["B", "F", "G", "D"], width_m=2.2, kind=WayKind.FOOTWAY, way_id=2),
    ]
    net = build_network(BYPASS, segments, node_gaps_m={"C": 0.0})
    truck = VEHICLES_BY_CODE["N3C"]
    speeds = attainable_speeds(net, truck)
    dh = edge_between(net, list(BYPASS), "D", "H")
    # the truck can only start just past the blocks: 100 m from C to D
    assert _kmh(speeds.start_speed_ms[dh]) == pytest.approx(truck.speed_after_kmh(100.0), rel=1e-6)
    assert not speeds.usable[edge_between(net, list(BYPASS), "F", "G")]


def test_steps_stop_every_vehicle() -> None:
    """A ── 200 m road ── B ══ 10 m steps ══ C ── 200 m road ── D."""
    nodes = {"A": (0.0, 0.0), "B": (200.0, 0.0), "C": (210.0, 0.0), "D": (410.0, 0.0)}
    segments = [Seg("A", "B"), Seg("B", "C", kind=WayKind.STEPS, width_m=20.0), Seg("C", "D")]
    net = build_network(nodes, segments)
    cd = edge_between(net, list(nodes), "C", "D")
    for vehicle in VEHICLES_BY_CODE.values():
        speeds = attainable_speeds(net, vehicle)
        assert not speeds.usable[edge_between(net, list(nodes), "B", "C")]
        assert speeds.start_speed_ms[cd] == 0.0


def test_a_loop_cannot_gain_speed_beyond_its_turn_limits() -> None:
    """A 36-gon ring of radius 100 m (chords 17.4 m, 10° each), 10 m wide, with no way out.

    However many laps the car drives, every chord starts at the ring's turn limit:
    r = (chord/2)/tan 5° + (10 − 1.8)/2 = 99.62 + 4.1 m, v = √(0.8 g · r) = 102.7 km/h,
    far below the car's top speed of 180 km/h.
    """
    steps = 36
    nodes = {
        f"R{k}": (100.0 * math.cos(2 * math.pi * k / steps), 100.0 * math.sin(2 * math.pi * k / steps))
        for k in range(steps)
    }
    names = list(nodes)
    net = build_network(nodes, [Seg(names[k], names[(k + 1) % steps], width_m=10.0) for k in range(steps)])
    speeds = attainable_speeds(net, CAR)
    radius_m = 100.0 * math.cos(math.radians(5.0)) + 0.5 * (10.0 - 1.8)
    limit_ms = math.sqrt(0.8 * GRAVITY_MS2 * radius_m)
    assert np.allclose(speeds.start_speed_ms, limit_ms, rtol=1e-6)
    assert np.all(speeds.end_speed_ms < 0.6 * CAR.max_speed_ms)
    assert _kmh(limit_ms) == pytest.approx(102.7, abs=0.1)


def test_fastest_approach_path_starts_from_a_standstill_and_is_connected() -> None:
    net = build_network(RIGHT_ANGLE, chain(list(RIGHT_ANGLE), width_m=8.0))
    names = list(RIGHT_ANGLE)
    speeds = attainable_speeds(net, CAR)
    bc = edge_between(net, names, "B", "C")
    assert speeds.approach_edges(bc) == [edge_between(net, names, "A", "B"), bc]
    assert speeds.predecessor[edge_between(net, names, "A", "B")] == -1


def test_no_u_turn_on_the_same_segment() -> None:
    """A dead end: A ── 300 m ── B. Coming back from B, the car starts from a standstill."""
    nodes = {"A": (0.0, 0.0), "B": (300.0, 0.0)}
    net = build_network(nodes, chain(list(nodes)))
    speeds = attainable_speeds(net, CAR)
    ba = edge_between(net, list(nodes), "B", "A")
    assert speeds.start_speed_ms[ba] == 0.0


SHALLOW_TURN = {
    "A": (0.0, 0.0),
    "B": (300.0, 0.0),
    "C": (300.0 + 300.0 * math.cos(math.radians(30.0)), 300.0 * math.sin(math.radians(30.0))),
}
SHALLOW_TURN_DOC = """
                                   C
                         300 m  ╱
    A ───── 300 m ───── B ╱ 30° turn, both ways 1.8 m wide (footways)
"""


def test_narrow_way_keeps_a_minimum_lateral_clearance() -> None:
    # a 1.8 m car on a 1.8 m footway still has the 0.5 m clearance of the model at a 30° bend:
    # r = 0.5 / (1 − cos 15°) = 14.67 m, above the car's 4.4 m tightest path, v = 38.6 km/h
    net = build_network(SHALLOW_TURN, chain(list(SHALLOW_TURN), width_m=1.8, kind=WayKind.FOOTWAY))
    speeds = attainable_speeds(net, CAR)
    bc = edge_between(net, list(SHALLOW_TURN), "B", "C")
    radius_m = MIN_LATERAL_CLEARANCE_M / (1.0 - math.cos(math.radians(15.0)))
    assert radius_m == pytest.approx(14.67, abs=0.01)
    assert radius_m > CAR.min_path_radius_m
    assert speeds.start_speed_ms[bc] == pytest.approx(math.sqrt(0.8 * GRAVITY_MS2 * radius_m), rel=1e-6)
    assert _kmh(speeds.start_speed_ms[bc]) == pytest.approx(38.6, abs=0.1)
