"""Properties of the turn model: the widest line through the corridor, however the ways are drawn."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pactesur.engine.dynamics import SPEED_TOLERANCE_MS, AttainableSpeeds, attainable_speeds
from pactesur.engine.network import StreetNetwork, WayKind
from pactesur.engine.vehicles import GRAVITY_MS2, VEHICLES_BY_CODE, VehicleClass
from tests.engine.synthetic import Seg, build_network, chain, edge_between

CAR = VEHICLES_BY_CODE["M1"]
TRUCK = VEHICLES_BY_CODE["N3F"]
# Bounded, reproducible examples: the file runs in seconds.
PROPERTY = settings(max_examples=25, deadline=None, derandomize=True)
DRAWING_TOLERANCE = 0.05  # the brief: redrawing a geometry moves no speed by more than 5 %
# The fixed point stops refining a speed below SPEED_TOLERANCE_MS, in an order that a new way
# changes: "never lower" holds to a few of those.
CONVERGENCE_MS = 10 * SPEED_TOLERANCE_MS
LEG_M = 200.0
FloatPair = tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]


@dataclass(frozen=True)
class Bend:
    """A way that runs straight, turns by `turn_deg` (left when positive) and runs straight again.

        N0 ── 200 m ── corner ╮  turn, sharp (radius 0) or an arc of `chords` chords
                               ╲
                                ── 200 m ── Nn

    The straights carry a node every `spacing_m`; all of it is one way `width_m` wide. With
    `min_chord_m`, the arc has fewer chords where they would be shorter than that.
    """

    turn_deg: float
    width_m: float
    radius_m: float = 0.0
    chords: int = 1
    spacing_m: float = LEG_M
    min_chord_m: float = 0.0

    @property
    def _pieces(self) -> int:
        tangent = self.radius_m * math.tan(0.5 * abs(math.radians(self.turn_deg)))
        return max(1, round((LEG_M - tangent) / self.spacing_m))

    @property
    def exit_index(self) -> int:
        """The node where the last straight starts."""
        return len(self.points()) - 1 - self._pieces

    def points(self) -> list[tuple[float, float]]:
        """Return the polyline, the corner of the two straights at the origin, heading east first."""
        turn = math.radians(self.turn_deg)
        tangent = self.radius_m * math.tan(0.5 * abs(turn))
        out_x, out_y = math.cos(turn), math.sin(turn)
        pieces = self._pieces
        first = [(-LEG_M + k * (LEG_M - tangent) / pieces, 0.0) for k in range(pieces + 1)]
        arc: list[tuple[float, float]] = []
        chords = self.chords
        if self.min_chord_m > 0.0:  # no chord shorter than drawn ways have
            chords = max(1, min(chords, int(self.radius_m * abs(turn) / self.min_chord_m)))
        if self.radius_m > 0.0:
            side = 1.0 if turn > 0.0 else -1.0
            cx, cy = -tangent, side * self.radius_m
            for k in range(1, chords):
                heading = turn * k / chords
                arc.append(
                    (
                        cx + side * self.radius_m * math.sin(heading),
                        cy - side * self.radius_m * math.cos(heading),
                    )
                )
        last = [
            (t * out_x, t * out_y)
            for t in (tangent + k * (LEG_M - tangent) / pieces for k in range(pieces + 1))
        ]
        return first + arc + last[1:] if tangent == 0.0 else first + arc + last


def _network(points: list[tuple[float, float]], width_m: float) -> tuple[StreetNetwork, list[str]]:
    names = [f"N{k}" for k in range(len(points))]
    return build_network(dict(zip(names, points, strict=True)), chain(names, width_m=width_m)), names


def _node_speeds_ms(
    speeds: AttainableSpeeds, net: StreetNetwork, names: list[str], keep: list[int]
) -> FloatPair:
    """The highest speed at the chain's nodes `keep`, driving forwards and backwards along it.

    At a node the vehicle is within the turn limit there: the speed leaving it (at the far end
    of the chain, the speed arriving).
    """
    last = len(names) - 1

    def at(i: int, step: int) -> float:
        j = i + step
        if 0 <= j <= last:
            return float(speeds.start_speed_ms[edge_between(net, names, names[i], names[j])])
        return float(speeds.end_speed_ms[edge_between(net, names, names[i - step], names[i])])

    return np.array([at(i, 1) for i in keep if i > 0]), np.array([at(i, -1) for i in keep if i < last])


def _chain_speeds(points: list[tuple[float, float]], width_m: float, keep: list[int]) -> FloatPair:
    net, names = _network(points, width_m)
    return _node_speeds_ms(attainable_speeds(net, CAR), net, names, keep)


def _assert_close(a: FloatPair, b: FloatPair) -> None:
    for x, y in zip(a, b, strict=True):
        assert np.all(np.abs(x - y) <= DRAWING_TOLERANCE * np.maximum(x, y) + 1e-9), (x, y)


def _rotated(points: list[tuple[float, float]], angle: float, *, mirror: bool) -> list[tuple[float, float]]:
    c, s = math.cos(angle), math.sin(angle)
    sign = -1.0 if mirror else 1.0
    return [(c * sign * x - s * y, s * sign * x + c * y) for x, y in points]


bends = st.builds(
    Bend,
    turn_deg=st.floats(20.0, 120.0) | st.floats(-120.0, -20.0),
    width_m=st.floats(6.0, 14.0),
    radius_m=st.sampled_from([0.0, 0.0, 8.0, 15.0, 30.0, 60.0]),
    chords=st.integers(2, 24),
    min_chord_m=st.just(1.0),
    spacing_m=st.sampled_from([LEG_M, 40.0, 20.0]),
)


@PROPERTY
@given(bend=bends, angle=st.floats(0.0, 2.0 * math.pi), mirror=st.booleans())
def test_rotating_or_mirroring_a_bend_changes_no_speed(bend: Bend, angle: float, mirror: bool) -> None:
    points = bend.points()
    keep = list(range(len(points)))
    _assert_close(
        _chain_speeds(points, bend.width_m, keep),
        _chain_speeds(_rotated(points, angle, mirror=mirror), bend.width_m, keep),
    )


@PROPERTY
@given(bend=bends, splits=st.lists(st.integers(1, 3), min_size=1, max_size=60))
def test_splitting_segments_with_collinear_nodes_changes_no_speed(bend: Bend, splits: list[int]) -> None:
    """Each segment k is cut into splits[k % len(splits)] pieces by nodes on it."""
    points = bend.points()
    renoded: list[tuple[float, float]] = [points[0]]
    keep = [0]
    for k, ((x0, y0), (x1, y1)) in enumerate(itertools.pairwise(points)):
        pieces = splits[k % len(splits)]
        renoded.extend(
            (x0 + (x1 - x0) * t / pieces, y0 + (y1 - y0) * t / pieces) for t in range(1, pieces + 1)
        )
        keep.append(len(renoded) - 1)
    net, names = _network(renoded, bend.width_m)
    renoded_speeds = _node_speeds_ms(attainable_speeds(net, CAR), net, names, keep)
    _assert_close(_chain_speeds(points, bend.width_m, list(range(len(points)))), renoded_speeds)


@PROPERTY
@given(
    turn_deg=st.floats(20.0, 120.0) | st.floats(-120.0, -20.0),
    width_m=st.floats(8.0, 14.0),
    offsets=st.lists(st.floats(-0.5, 0.5), min_size=80, max_size=80),
)
def test_half_a_metre_of_node_jitter_changes_no_speed(
    turn_deg: float, width_m: float, offsets: list[float]
) -> None:
    """A sharp bend whose straights have a node every 20 m, each moved up to 0.5 m either way.

        N0 ─┄─┄─┄─ 200 m ─┄─┄─┄─ corner ─┄─┄─┄─ 200 m ─┄─┄─┄─ N20      ┄ a node every 20 m

    The corner moves too, so the drawn turn itself changes by up to ±2.9°: the corner's speed
    follows (≈ 4.5 % at 90°). Ways of 8 m and more: in a corridor under 6 m, half a metre is a
    real part of the width and a bend's speed moves up to 8 %.
    """
    points = Bend(turn_deg, width_m, spacing_m=20.0).points()
    jittered = [
        (x + offsets[2 * k], y + offsets[2 * k + 1]) if 0 < k < len(points) - 1 else (x, y)
        for k, (x, y) in enumerate(points)
    ]
    keep = list(range(len(points)))
    _assert_close(_chain_speeds(points, width_m, keep), _chain_speeds(jittered, width_m, keep))


def test_a_jittered_straight_keeps_its_speed() -> None:
    """A ── 600 m ── B, 8 m wide, drawn with a node every 10 m moved ±0.5 m sideways in turn.

    Zig-zagging 1 m every 10 m turns 11° at each node, yet the widest line runs straight down
    the 8 m corridor: 400 m from A the car has the speed of the straight (its run-up curve:
    130.7 km/h), to 1 %. (Within a window of a dead end the last turns see only
    short windows: the test reads the speed away from B.)
    """
    clean = [(10.0 * k, 0.0) for k in range(61)]
    zigzag = [(x, 0.5 * (-1) ** k if 0 < k < 60 else 0.0) for k, (x, _) in enumerate(clean)]
    at_400_m = [40]
    straight = _chain_speeds(clean, 8.0, at_400_m)[0][0]
    assert straight == pytest.approx(CAR.speed_after_kmh(400.0) / 3.6, rel=1e-3)
    assert straight * 3.6 == pytest.approx(130.7, abs=0.1)
    assert _chain_speeds(zigzag, 8.0, at_400_m)[0][0] == pytest.approx(straight, rel=0.01)


@PROPERTY
@given(
    bend=bends,
    anchor=st.integers(0, 1000),
    target=st.tuples(st.floats(-150.0, 150.0), st.floats(-150.0, 150.0)),
    to_existing=st.integers(0, 1000) | st.none(),
    width_m=st.floats(2.0, 14.0),
)
def test_adding_a_way_never_lowers_a_speed(
    bend: Bend, anchor: int, target: tuple[float, float], to_existing: int | None, width_m: float
) -> None:
    """A new way from a node of the bend to a new node, or to another node of the bend."""
    points = bend.points()
    names = [f"N{k}" for k in range(len(points))]
    nodes = dict(zip(names, points, strict=True))
    base = chain(names, width_m=bend.width_m)
    start = names[anchor % len(names)]
    if to_existing is not None and names[to_existing % len(names)] != start:
        end = names[to_existing % len(names)]
    else:
        end = "NEW"
        nodes["NEW"] = (nodes[start][0] + target[0], nodes[start][1] + target[1] + 1.0)
    before = build_network({n: nodes[n] for n in names}, base)
    after = build_network(nodes, [*base, Seg(start, end, width_m=width_m, way_id=2)])
    old, new = attainable_speeds(before, CAR), attainable_speeds(after, CAR)
    edges = 2 * before.segment_count  # the new way's edges come after the old ones
    assert np.all(new.start_speed_ms[:edges] >= old.start_speed_ms[:edges] - CONVERGENCE_MS)
    assert np.all(new.end_speed_ms[:edges] >= old.end_speed_ms[:edges] - CONVERGENCE_MS)


@PROPERTY
@given(bend=bends, segment=st.integers(0, 1000), extra_m=st.floats(0.5, 10.0))
def test_widening_a_way_never_lowers_a_speed(bend: Bend, segment: int, extra_m: float) -> None:
    points = bend.points()
    names = [f"N{k}" for k in range(len(points))]
    nodes = dict(zip(names, points, strict=True))
    base = chain(names, width_m=bend.width_m)
    wider = list(base)
    k = segment % len(wider)
    wider[k] = replace(wider[k], width_m=wider[k].width_m + extra_m)
    old = attainable_speeds(build_network(nodes, base), CAR)
    new = attainable_speeds(build_network(nodes, wider), CAR)
    assert np.all(new.start_speed_ms >= old.start_speed_ms - CONVERGENCE_MS)
    assert np.all(new.end_speed_ms >= old.end_speed_ms - CONVERGENCE_MS)


def _exit_speed_ms(bend: Bend) -> float:
    """The speed with which the car leaves the bend: at the start of the last straight."""
    net, names = _network(bend.points(), bend.width_m)
    speeds = attainable_speeds(net, CAR)
    return float(
        speeds.start_speed_ms[edge_between(net, names, names[bend.exit_index], names[bend.exit_index + 1])]
    )


@PROPERTY
@given(
    turn_deg=st.floats(30.0, 150.0),
    width_m=st.floats(6.0, 16.0),
    radius_factor=st.floats(1.0, 12.0),
    chords=st.integers(3, 40),
)
def test_a_corner_drawn_as_an_arc_is_never_slower_than_drawn_sharp(
    turn_deg: float, width_m: float, radius_factor: float, chords: int
) -> None:
    """The same two straights joined at one vertex, or by an arc of radius R ≥ h tangent to both.

        ───────╮          ───────┐
                ╲  arc            │  sharp
                 │                │

    The arc's corridor contains the sharp corner's widest line once R is at least the half
    corridor h: r = R + h·(1 + c)/(1 − c) ≥ 2h/(1 − c), c = cos(θ/2). The arc takes at most
    half of each 200 m straight (R·tan(θ/2) ≤ 100 m), so that both have room to reach speed.
    """
    half_m = 0.5 * (width_m - CAR.width_m)
    radius_m = min(radius_factor * half_m, 100.0 / math.tan(math.radians(0.5 * turn_deg)))
    sharp = _exit_speed_ms(Bend(turn_deg, width_m))
    arc = _exit_speed_ms(Bend(turn_deg, width_m, radius_m=radius_m, chords=chords))
    assert arc >= sharp * (1.0 - 1e-9)


@pytest.mark.parametrize("radius_m", [10.0, 15.0, 20.0])
def test_a_right_angle_arc_gets_its_widest_line_however_many_chords(radius_m: float) -> None:
    """A 90° arc of radius R between two 8 m roads, drawn with 10 or 40 chords.

    h = (8 − 1.8)/2 = 3.1 m; r = R + h·(1 + cos 45°)/(1 − cos 45°) = R + 18.07 m, more than the
    21.17 m of the sharp corner: 53.4, 57.9 and 62.0 km/h for R = 10, 15 and 20 m (to 4 %, the
    scales sample the bend) against 46.4 km/h.
    """
    cos45 = math.cos(math.radians(45.0))
    expected_ms = math.sqrt(CAR.lateral_accel_ms2 * (radius_m + 3.1 * (1.0 + cos45) / (1.0 - cos45)))
    for chords in (10, 40):
        speed = _exit_speed_ms(Bend(90.0, 8.0, radius_m=radius_m, chords=chords))
        assert speed == pytest.approx(expected_ms, rel=0.04)
        assert speed > _exit_speed_ms(Bend(90.0, 8.0))


FOOTWAY_CORNER = {"A": (0.0, 0.0), "B": (100.0, 0.0), "C": (100.0, 100.0)}
FOOTWAY_CORNER_DOC = """
    A ───── 100 m ───── B
                        │ 90°, two footways 4 m wide
                      100 m
                        │
                        C
"""


def test_truck_cannot_turn_where_only_a_car_can() -> None:
    """Car: corridor 4 − 1.8 = 2.2 m, r = 2.2/(1 − cos 45°) = 7.51 m ≥ its 4.4 m tightest path,
    v = √(0.8 g · 7.51) = 27.6 km/h. Truck (N3F): corridor 4 − 2.55 = 1.45 m, r = 4.95 m, below
    its tightest path 10.5 − 2.55/2 = 9.23 m: no turn; it can only start again from a standstill.
    """
    net = build_network(FOOTWAY_CORNER, chain(list(FOOTWAY_CORNER), width_m=4.0, kind=WayKind.FOOTWAY))
    names = list(FOOTWAY_CORNER)
    ab, bc = edge_between(net, names, "A", "B"), edge_between(net, names, "B", "C")
    car, truck = attainable_speeds(net, CAR), attainable_speeds(net, TRUCK)
    car_radius_m = 2.2 / (1.0 - math.cos(math.radians(45.0)))
    assert car_radius_m == pytest.approx(7.51, abs=0.01)
    assert car.turn_limit_ms(ab, bc) == pytest.approx(math.sqrt(0.8 * GRAVITY_MS2 * car_radius_m), rel=1e-6)
    assert car.start_speed_ms[bc] * 3.6 == pytest.approx(27.6, abs=0.1)
    assert TRUCK.min_path_radius_m == pytest.approx(9.225)
    assert truck.turn_limit_ms(ab, bc) == 0.0
    assert truck.start_speed_ms[bc] == 0.0
    assert truck.predecessor[bc] == -1


@PROPERTY
@given(turn_deg=st.floats(10.0, 170.0), width_m=st.floats(2.6, 12.0))
def test_a_class_turns_exactly_where_the_widest_line_is_no_tighter_than_its_path(
    turn_deg: float, width_m: float
) -> None:
    """A sharp bend between two 200 m ways that go on beyond: the widest line is the lower of
    w'/(1 − cos(θ/2)), w' the corridor, and 100 m/tan(θ/2) + w'/2, its tangent points within half
    of each way (the other half is left to a bend beyond).
    """
    net, names = _network(Bend(turn_deg, width_m).points(), width_m)
    for vehicle in (CAR, TRUCK):
        corridor_m = max(width_m - vehicle.width_m, 0.5)
        half_turn = math.radians(0.5 * turn_deg)
        radius_m = min(
            corridor_m / (1.0 - math.cos(half_turn)), 100.0 / math.tan(half_turn) + 0.5 * corridor_m
        )
        if abs(radius_m - vehicle.min_path_radius_m) < 1e-3:
            continue  # on the edge: either answer is right
        speeds = attainable_speeds(net, vehicle)
        limit = speeds.turn_limit_ms(
            edge_between(net, names, "N0", "N1"), edge_between(net, names, "N1", "N2")
        )
        if radius_m < vehicle.min_path_radius_m:
            assert limit == 0.0
        else:
            assert limit == pytest.approx(math.sqrt(vehicle.lateral_accel_ms2 * radius_m), rel=1e-6)


def _truck_like_car(vehicle: VehicleClass) -> VehicleClass:
    return replace(vehicle, code="CARLEN", min_turn_radius_m=CAR.min_turn_radius_m)


def test_only_the_turning_circle_makes_the_difference() -> None:
    """The same truck with a car's turning circle does take the footway corner of the test above."""
    net = build_network(FOOTWAY_CORNER, chain(list(FOOTWAY_CORNER), width_m=4.0, kind=WayKind.FOOTWAY))
    names = list(FOOTWAY_CORNER)
    ab, bc = edge_between(net, names, "A", "B"), edge_between(net, names, "B", "C")
    nimble = attainable_speeds(net, _truck_like_car(TRUCK))
    assert nimble.turn_limit_ms(ab, bc) == pytest.approx(
        math.sqrt(TRUCK.lateral_accel_ms2 * 1.45 / (1.0 - math.cos(math.radians(45.0)))), rel=1e-6
    )
