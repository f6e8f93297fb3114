"""Entries across open surfaces: a vehicle on a square drives straight to any point of a space it can see."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from pactesur.engine._open_areas import spread_anchors
from pactesur.engine._paths import Approach, Leg, accelerate_many_ms, chain_to, crossing_angle_deg
from pactesur.engine.dynamics import STANDSTILL_MS, AttainableSpeeds, fits
from pactesur.engine.network import StreetNetwork, WayKind

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# A node this close to an open surface is one of its access points (assumption: as the import's
# anchor tolerance).
ACCESS_TOLERANCE_M: float = 1.0
# Points of the space's outline tried as targets: one every this many metres (assumption: finer
# than any barrier spacing that matters), at most TARGETS_MAX per surface.
TARGET_STEP_M: float = 4.0
TARGETS_MAX: int = 300
# Access points tried per surface: the best connected first, then spread over the surface
# (assumption: 80 covers every entrance of the largest real square, Senaatintori has 41).
ACCESS_MAX: int = 80
# A sight line may graze the space this deep before its target (assumption: slack for the
# outline's geometry; a line that runs deeper meets the outline earlier, at another target).
INSIDE_SLACK_M: float = 0.25


@dataclass(frozen=True)
class SurfaceSight:
    """Which outline points of an area each access point of one open surface sees (no vehicle yet).

    Attributes
    ----------
    nodes : (N,) network nodes on the surface, outside the area, from which a vehicle can set off.
    targets : (T, 2) points of the area's outline on the surface, metres.
    seen : (N, T) the straight line stays on the surface and meets the area first at the target.
    distance_m : (N, T) length of each line.
    """

    nodes: IntArray
    targets: FloatArray
    seen: BoolArray
    distance_m: FloatArray


@dataclass(frozen=True)
class SurfaceEntry:
    """The fastest crossing of an open surface onto the outline from one access point."""

    speed_ms: float
    x_m: float
    y_m: float
    along_m: float
    approach: Approach
    angle_deg: float


def surface_sight(network: StreetNetwork, area_xy: BaseGeometry) -> list[SurfaceSight]:
    """Return, per open surface the area touches, what its access points see of the area's outline.

    The targets are points every `TARGET_STEP_M` along the part of the outline on the surface;
    the access points are the network nodes on the surface (within `ACCESS_TOLERANCE_M`) and
    outside the area, at most `ACCESS_MAX` of them (the best connected first, then spread out).
    A target is seen from an access point when the straight line between them stays on the
    surface — whose buildings, walls, steps and water are already cut out — and does not enter
    the area before it. This depends on no vehicle: compute it once per area.
    """
    surfaces = [g for g in network.open_areas_xy if g.intersects(area_xy)]
    if not surfaces:
        return []
    boundary = area_xy.boundary
    eroded = shapely.buffer(area_xy, -INSIDE_SLACK_M)
    shapely.prepare(eroded)
    shapely.prepare(area_xy)
    x, y = network.node_x, network.node_y
    degree = np.bincount(np.concatenate([network.seg_u, network.seg_v]), minlength=network.node_count)
    found: list[SurfaceSight] = []
    for surface in surfaces:
        reach = shapely.buffer(surface, ACCESS_TOLERANCE_M)
        shapely.prepare(reach)
        targets = _targets(boundary, reach)
        minx, miny, maxx, maxy = reach.bounds
        box = np.flatnonzero((x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
        nodes = box[shapely.contains_xy(reach, x[box], y[box])]
        nodes = nodes[~shapely.contains_xy(area_xy, x[nodes], y[nodes])]
        if targets.shape[0] == 0 or nodes.shape[0] == 0:
            continue
        nodes = nodes[
            spread_anchors(np.column_stack([x[nodes], y[nodes]]), degree[nodes].astype(float), ACCESS_MAX)
        ]
        n, t = nodes.shape[0], targets.shape[0]
        start = np.repeat(np.column_stack([x[nodes], y[nodes]]), t, axis=0)
        end = np.tile(targets, (n, 1))
        distance = np.hypot(end[:, 0] - start[:, 0], end[:, 1] - start[:, 1])
        # the line stops short of its target so that touching the outline there does not count
        back = np.minimum(2.0 * INSIDE_SLACK_M, 0.5 * distance) / np.maximum(distance, 1e-9)
        short_end = end - (end - start) * back[:, None]
        lines = shapely.linestrings(np.stack([start, end], axis=1))
        short = shapely.linestrings(np.stack([start, short_end], axis=1))
        seen = (distance > 2.0 * INSIDE_SLACK_M) & shapely.covers(reach, lines)
        seen[seen] = ~shapely.intersects(eroded, short[seen])
        found.append(
            SurfaceSight(
                nodes=nodes, targets=targets, seen=seen.reshape(n, t), distance_m=distance.reshape(n, t)
            )
        )
    return found


def _targets(boundary: BaseGeometry, reach: BaseGeometry) -> FloatArray:
    on_surface = shapely.intersection(boundary, reach)
    if on_surface.is_empty:
        return np.empty((0, 2))
    merged = shapely.line_merge(on_surface) if on_surface.geom_type == "MultiLineString" else on_surface
    points: list[FloatArray] = []
    for line in shapely.get_parts(merged).tolist():
        if line.geom_type != "LineString" or line.length <= 0.0:
            continue
        count = max(int(line.length // TARGET_STEP_M), 1)
        at = np.linspace(0.0, line.length, count + 1)
        points.append(shapely.get_coordinates(shapely.line_interpolate_point(line, at)))
    if not points:
        return np.empty((0, 2))
    xy = np.concatenate(points)
    if xy.shape[0] > TARGETS_MAX:
        xy = xy[np.linspace(0, xy.shape[0] - 1, TARGETS_MAX).astype(np.int64)]
    return xy


def surface_entries(
    network: StreetNetwork,
    area_xy: BaseGeometry,
    speeds: AttainableSpeeds,
    sights: list[SurfaceSight],
    *,
    heads: IntArray,
    sink_edge: BoolArray,
    obstacles: BaseGeometry | None = None,
) -> list[SurfaceEntry]:
    """Return entries onto the area across the open surfaces it touches, one per access point.

    The vehicle arrives at an access point on a usable edge from outside the area, turns onto
    the straight line to a target within the room the edge and the line give and its tightest
    radius (or sets off there from a standstill), and accelerates along the line. Each access
    point gives its fastest target, with the length of outline it sees in `along_m`. For a
    path speed, `obstacles` are the discs round the rigid objects that a straight line must keep
    out of: a line through one is not driven.
    """
    if not sights:
        return []
    vehicle = speeds.vehicle
    passable = fits(network.node_gap_m, vehicle)
    found: list[SurfaceEntry] = []
    for sight in sights:
        arriving = np.flatnonzero(speeds.usable & ~sink_edge & np.isin(heads, sight.nodes))
        for row, node in enumerate(sight.nodes.tolist()):
            if not passable[node] or not sight.seen[row].any():
                continue
            entry = _best_from(
                network, speeds, node, arriving[heads[arriving] == node], sight, row, area_xy, obstacles
            )
            if entry is not None:
                found.append(entry)
    return found


def _best_from(  # noqa: PLR0917 (one access point: all its inputs are data)
    network: StreetNetwork,
    speeds: AttainableSpeeds,
    node: int,
    edges: IntArray,
    sight: SurfaceSight,
    row: int,
    area_xy: BaseGeometry,
    obstacles: BaseGeometry | None,
) -> SurfaceEntry | None:
    """The fastest target the vehicle reaches in a straight line from one access point."""
    vehicle = speeds.vehicle
    ax, ay = float(network.node_x[node]), float(network.node_y[node])
    cols = np.flatnonzero(sight.seen[row])
    if obstacles is not None and cols.shape[0]:
        lines = shapely.linestrings(
            np.stack([np.tile([ax, ay], (cols.shape[0], 1)), sight.targets[cols]], axis=1)
        )
        cols = cols[~shapely.intersects(obstacles, lines)]
        if cols.shape[0] == 0:
            return None
    dist = sight.distance_m[row, cols]
    hx = (sight.targets[cols, 0] - ax) / dist
    hy = (sight.targets[cols, 1] - ay) / dist
    v0 = np.zeros(cols.shape[0])
    via = np.full(cols.shape[0], -1, dtype=np.int64)
    for e in edges.tolist():
        s = e >> 1
        sign = -1.0 if e & 1 else 1.0
        ex = sign * (network.node_x[network.seg_v[s]] - network.node_x[network.seg_u[s]])
        ey = sign * (network.node_y[network.seg_v[s]] - network.node_y[network.seg_u[s]])
        norm = math.hypot(ex, ey)
        if norm <= 0.0:
            continue
        deflection = np.arccos(np.clip((ex * hx + ey * hy) / norm, -1.0, 1.0))
        room = np.minimum(float(network.seg_length_m[s]), dist)
        limit = _bend_limit_ms(deflection, room, vehicle.lateral_accel_ms2, vehicle.min_path_radius_m)
        v = np.minimum(float(speeds.end_speed_ms[e]), limit)
        better = v > v0
        v0[better], via[better] = v[better], e
    v0[v0 <= STANDSTILL_MS] = 0.0
    via[v0 <= 0.0] = -1
    speed = accelerate_many_ms(speeds, v0, dist)
    k = int(np.argmax(speed))
    if speed[k] <= STANDSTILL_MS:
        return None
    px, py = float(sight.targets[cols[k], 0]), float(sight.targets[cols[k], 1])
    return SurfaceEntry(
        speed_ms=float(speed[k]),
        x_m=px,
        y_m=py,
        along_m=float(cols.shape[0]) * TARGET_STEP_M,
        approach=Approach(
            chain_to(speeds, int(via[k])), [Leg(ax, ay, px, py, float(v0[k]), surface=WayKind.OPEN_AREA)]
        ),
        angle_deg=crossing_angle_deg(area_xy.boundary, ax, ay, px, py),
    )


def _bend_limit_ms(
    deflection_rad: FloatArray, room_m: FloatArray, lateral_ms2: float, min_radius_m: float
) -> FloatArray:
    # On an open surface the only bounds are the room for the arc's tangent points (the edge
    # arriving and the line leaving) and the vehicle's tightest radius: r = room / tan(θ/2).
    half = 0.5 * np.minimum(deflection_rad, math.pi - 1e-6)
    with np.errstate(divide="ignore"):
        radius = np.where(half > 1e-6, room_m / np.tan(np.maximum(half, 1e-12)), np.inf)
    limit: FloatArray = np.where(radius < min_radius_m, 0.0, np.sqrt(lateral_ms2 * radius))
    return limit
