"""Approach paths of entries and barriers: geometry, speed profile, limiting corners, width sources."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from pactesur.engine.dynamics import AttainableSpeeds
from pactesur.engine.network import APPROACH_NAMES, StreetNetwork, WayKind
from pactesur.engine.projection import projection_for

FloatArray = npt.NDArray[np.float64]

# Distance between samples of the speed profile inside a long edge or leg (assumption: enough
# for a readable curve; the profile is exact at every vertex).
PROFILE_STEP_M: float = 20.0
# A profile keeps about this many samples inside its pieces at most: on a path tens of kilometres
# long (a vehicle cruising at its top speed across a large city) the step grows to keep it so
# (assumption: far more than a chart of a few hundred pixels can show; every vertex stays).
PROFILE_MAX_SAMPLES: int = 500
# A speed drop at a vertex larger than this is a corner that limits the speed (km/h).
TURN_DROP_KMH: float = 0.5
# Surfaces made for people, not vehicles: an envelope speed far above what anyone has driven on
# them (`PLAUSIBLE_OFF_ROAD_KMH`, entries.py) is flagged for review.
OFF_ROAD_KINDS: frozenset[int] = frozenset(
    {WayKind.FOOTWAY, WayKind.CYCLEWAY, WayKind.PATH, WayKind.PEDESTRIAN, WayKind.OPEN_AREA}
)


def accelerate_ms(speeds: AttainableSpeeds, v_in_ms: float, distance_m: float) -> float:
    """Return D⁻¹(D(v_in) + distance): the speed after accelerating flat out over `distance_m`."""
    return float(accelerate_many_ms(speeds, v_in_ms, max(distance_m, 0.0)))


def accelerate_many_ms(
    speeds: AttainableSpeeds, v_in_ms: FloatArray | float, distance_m: FloatArray | float
) -> FloatArray:
    """`accelerate_ms` for arrays of start speeds and distances (the table clamps at top speed)."""
    run_up = np.interp(v_in_ms, speeds.speeds_ms, speeds.run_up_m) + distance_m
    return np.asarray(np.interp(run_up, speeds.run_up_m, speeds.speeds_ms), dtype=np.float64)


@dataclass(frozen=True)
class Leg:
    """A straight piece after the network approach: its ends in metres and the speed it starts at."""

    x0: float
    y0: float
    x1: float
    y1: float
    start_ms: float
    segment: int = -1  # the network segment the leg runs on, if any (for its width source)
    edge: int = -1  # the directed edge it runs along from its tail, if any (for a path speed's caps)
    # what the leg runs on when it is no segment: a `WayKind` (a crossing of an open surface),
    # or -1 (a veer off a way into the space, or an entry at a node: nothing to review)
    surface: int = -1

    @property
    def length_m(self) -> float:
        return math.hypot(self.x1 - self.x0, self.y1 - self.y0)


@dataclass
class Approach:
    """The way a vehicle gets to a point: whole directed edges, then straight legs."""

    edges: list[int]
    legs: list[Leg] = field(default_factory=list)


@dataclass(frozen=True)
class ApproachFacts:
    """What an approach shows a reviewer: where it runs, how fast, what limits it, what is assumed."""

    path_xy: list[tuple[float, float]]
    run_up_m: float
    end_speed_ms: float
    speed_profile: list[tuple[float, float]]
    turns: list[tuple[float, float]]
    width_source: str
    assumed_widths: list[dict[str, Any]]
    assumed_share: float
    # the fastest point on a footway, cycleway, path, pedestrian street or open surface:
    # (metres along the path, km/h, kind name), None when the path has none
    off_road_peak: tuple[float, float, str] | None = None


def approach_facts(network: StreetNetwork, speeds: AttainableSpeeds, approach: Approach) -> ApproachFacts:
    """Return the path, speed profile (km/h against metres), corners and width sources of an approach.

    The profile is the fixed point's own speeds: at each edge's tail the speed after the turn
    onto it, along the edge flat-out acceleration, at each leg the speed it starts at. A vertex
    where the speed drops is a corner that limits it (`turns`).
    """
    x, y = network.node_x, network.node_y
    path: list[tuple[float, float]] = []
    pieces: list[tuple[float, float, int, int]] = []  # (start speed, length, segment, directed edge)
    kinds: list[int] = []  # the `WayKind` each piece runs on (-1: a leg with nothing to review)
    for e in approach.edges:
        s = e >> 1
        tail, head = (network.seg_v[s], network.seg_u[s]) if e & 1 else (network.seg_u[s], network.seg_v[s])
        if not path:
            path.append((float(x[tail]), float(y[tail])))
        path.append((float(x[head]), float(y[head])))
        pieces.append((float(speeds.start_speed_ms[e]), float(network.seg_length_m[s]), s, e))
        kinds.append(int(network.seg_kind[s]))
    for leg in approach.legs:
        if not path:
            path.append((leg.x0, leg.y0))
        if leg.length_m > 0.0 or not approach.edges:
            path.append((leg.x1, leg.y1))
        pieces.append((leg.start_ms, leg.length_m, leg.segment, leg.edge))
        kinds.append(int(network.seg_kind[leg.segment]) if leg.segment >= 0 else leg.surface)
    profile, turns, distance, end_ms, ends = _profile(speeds, pieces)
    assumed_m = 0.0
    assumed: dict[int, dict[str, Any]] = {}
    for _start, length, s, _edge in pieces:
        if s < 0 or not network.seg_width_assumed[s]:
            continue
        assumed_m += length
        way = int(network.seg_way_id[s])
        assumed.setdefault(
            way,
            {
                "way_id": way,
                "name": network.way_names.get(way),
                "kind": APPROACH_NAMES[WayKind(int(network.seg_kind[s]))],
                "width_m": round(float(network.seg_width_m[s]), 2),
            },
        )
    # a 0-length leg (an entry at a node) repeats the node: keep the path free of duplicates
    clean = [p for i, p in enumerate(path) if i == 0 or p != path[i - 1]]
    peak: tuple[float, float, str] | None = None
    at = 0.0
    for (_start, length, _s, _edge), kind, end_kmh in zip(pieces, kinds, ends, strict=True):
        at += length
        if kind in OFF_ROAD_KINDS and length > 0.0 and (peak is None or end_kmh > peak[1]):
            peak = (at, end_kmh, APPROACH_NAMES[WayKind(kind)])
    return ApproachFacts(
        path_xy=clean,
        run_up_m=distance,
        end_speed_ms=end_ms,
        speed_profile=profile,
        turns=turns,
        width_source="assumed" if assumed else "mapped",
        assumed_widths=list(assumed.values()),
        assumed_share=assumed_m / distance if distance > 0.0 else 0.0,
        off_road_peak=peak,
    )


def _profile(
    speeds: AttainableSpeeds, pieces: list[tuple[float, float, int, int]]
) -> tuple[list[tuple[float, float]], list[tuple[float, float]], float, float, list[float]]:
    """Return the profile, the corners, the run-up, the end speed and each piece's end speed (km/h).

    Each piece starts at its own speed (after the turn onto it) and accelerates flat out along
    its length, sampled every PROFILE_STEP_M, or more sparsely on paths so long that this would
    give more than PROFILE_MAX_SAMPLES samples (a sample within a metre of the end is left out);
    every acceleration of the path is one table look-up over arrays.
    """
    if not pieces:
        return [], [], 0.0, 0.0, []
    starts = np.array([p[0] for p in pieces], dtype=np.float64)
    lengths = np.array([p[1] for p in pieces], dtype=np.float64)
    offsets: list[float] = []
    owner: list[int] = []
    step = max(PROFILE_STEP_M, float(lengths.sum()) / PROFILE_MAX_SAMPLES)
    for i, length in enumerate(lengths.tolist()):
        for k in range(1, int(length // step) + 1):
            at = k * step
            if length - at > 1.0:
                offsets.append(at)
                owner.append(i)
        offsets.append(length)  # the piece's end
        owner.append(i)
    reached = accelerate_many_ms(speeds, starts[owner], np.array(offsets, dtype=np.float64)).tolist()
    caps = speeds.caps
    if caps is not None:  # a path speed: the samples of capped edges within their caps
        for j, (i, at) in enumerate(zip(owner, offsets, strict=True)):
            edge = pieces[i][3]
            if edge >= 0 and caps.ptr[edge + 1] > caps.ptr[edge]:
                reached[j] = speeds.accelerate_on_ms(edge, float(starts[i]), at)
    profile: list[tuple[float, float]] = []
    turns: list[tuple[float, float]] = []
    distance = 0.0
    last_ms: float | None = None
    ends: list[float] = []
    j = 0
    for i, (start_ms, length) in enumerate(zip(starts.tolist(), lengths.tolist(), strict=True)):
        if last_ms is not None and (last_ms - start_ms) * 3.6 > TURN_DROP_KMH:
            turns.append((distance, start_ms * 3.6))
        profile.append((distance, start_ms * 3.6))
        while owner[j] == i and offsets[j] != length:
            profile.append((distance + offsets[j], reached[j] * 3.6))
            j += 1
        last_ms = reached[j]
        j += 1
        distance += length
        profile.append((distance, last_ms * 3.6))
        ends.append(last_ms * 3.6)
    return _dedupe_profile(profile), turns, distance, last_ms if last_ms is not None else 0.0, ends


def _dedupe_profile(profile: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for d, v in profile:
        if out and abs(out[-1][0] - d) < 1e-6 and abs(out[-1][1] - v) < 1e-6:
            continue
        out.append((d, v))
    return out


def chain_to(speeds: AttainableSpeeds, edge: int) -> list[int]:
    """Return the directed edges of the fastest approach ending with `edge` ([] for edge −1)."""
    return speeds.approach_edges(edge) if edge >= 0 else []


def crossing_angle_deg(boundary: BaseGeometry, ax: float, ay: float, px: float, py: float) -> float:
    """Return the angle between the heading a→p and the outline at p: 90 head-on, 0 grazing."""
    s = boundary.project(shapely.Point(px, py))
    p0 = boundary.interpolate(max(s - 0.5, 0.0))
    p1 = boundary.interpolate(min(s + 0.5, boundary.length))
    tx, ty = p1.x - p0.x, p1.y - p0.y
    hx, hy = px - ax, py - ay
    norm = math.hypot(tx, ty) * math.hypot(hx, hy)
    if norm <= 0.0:
        return 90.0
    return math.degrees(math.asin(min(1.0, abs(tx * hy - ty * hx) / norm)))


def path_lonlat(
    network: StreetNetwork, facts: ApproachFacts, end_xy: tuple[float, float]
) -> tuple[tuple[tuple[float, float], ...], tuple[float, float]]:
    """Return the approach path in lon/lat, ending exactly at `end_xy`, and that end point."""
    points = [*facts.path_xy[:-1], end_xy]
    lons, lats = projection_for(network.crs).to_lonlat([p[0] for p in points], [p[1] for p in points])
    path = tuple((float(a), float(b)) for a, b in zip(lons, lats, strict=True))
    return path, path[-1]
