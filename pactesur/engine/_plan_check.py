"""How hard a plan's barrier lines are hit, veers off a way past them, and vehicles left behind them.

A barrier line stops a class only if its rating covers the speed at which the class now hits it;
that speed is the fastest approach to the line with the rest of the plan in place, from every
side and by every mode of the analysis:

- along a way it crosses: the fastest arrival at the crossed segment's end (within the turn onto
  it), accelerating on to the crossing point (where it passes through a node: the fastest arrival
  at the node);
- across an open surface: the straight lines from the surface's access points to the space's
  outline (`_surfaces.surface_sight`) that meet the line, at the point where they meet it;
- veering off a way that runs along the space (`_candidates.along_candidates`): from points every
  `ALONG_STEP_M` along the way, to the nearest point of the outline.

The same veers tell where a vehicle can still leave a way for the space once the plan's lines
stand along it: the analysis keeps only the fastest veer of each way, which a line may block
while a slower one past the line's end stays open.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from shapely.geometry.base import BaseGeometry

from pactesur.engine._paths import accelerate_many_ms
from pactesur.engine._plan_overlay import NodeCut, Overlay, PlanSpeeds
from pactesur.engine._surfaces import SurfaceSight, _bend_limit_ms
from pactesur.engine.crossings import ALONG_MARGIN_M, AreaCrossings
from pactesur.engine.dynamics import STANDSTILL_MS, AttainableSpeeds, fits
from pactesur.engine.network import StreetNetwork, WayKind

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Veers off a way along the space are tried from points this far apart (assumption: finer than the
# 1.2 m clear gap would be pointless, coarser than a car's length would miss a line's end).
ALONG_STEP_M: float = 2.0
# A path, veer or sight line this close to a drawn line meets it (rounding of drawn coordinates).
LINE_TOLERANCE_M: float = 0.1


@dataclass(frozen=True)
class Hit:
    """The fastest impact of one class on one barrier line, and where."""

    speed_ms: float
    x_m: float
    y_m: float


@dataclass(frozen=True, eq=False)
class Veers:
    """Straight veers off the ways along the space onto its outline, sampled along each way.

    Sample k starts at q on segment `segment[k]`, `fraction[k]` of the way from its seg_u, and
    ends at p, the nearest point of the outline, `gap_m[k]` away. `blocked[j]` marks the veers
    that meet barrier line j and `to_line_m[j]` how far from q they meet it.
    """

    segment: IntArray
    fraction: FloatArray
    qx: FloatArray
    qy: FloatArray
    px: FloatArray
    py: FloatArray
    gap_m: FloatArray
    blocked: dict[int, BoolArray]
    to_line_m: dict[int, FloatArray]


@dataclass(frozen=True, eq=False)
class SightHits:
    """For one open surface, the sight lines each barrier line meets and how far from their start."""

    sight: SurfaceSight
    blocked: dict[int, BoolArray]  # (N, T) per barrier line
    to_line_m: dict[int, FloatArray]  # (N, T)


@dataclass(frozen=True, eq=False)
class Zone:
    """A drawn barrier line, and the area within the drawing tolerance of it (what meets the line)."""

    line: BaseGeometry
    area: BaseGeometry


def line_zones(lines_xy: dict[int, BaseGeometry]) -> dict[int, Zone]:
    """Each barrier line widened by the drawing tolerance, prepared for many tests."""
    zones = {j: Zone(line, shapely.buffer(line, LINE_TOLERANCE_M)) for j, line in lines_xy.items()}
    for zone in zones.values():
        shapely.prepare(zone.area)
        shapely.prepare(zone.line)
    return zones


def veers_along(network: StreetNetwork, crossings: AreaCrossings, zones: dict[int, Zone]) -> Veers:
    """Sample the veers off every way segment that runs within reach of the space's outline."""
    area = crossings.area_xy
    boundary = area.boundary
    x, y = network.node_x, network.node_y
    u, v = network.seg_u.astype(np.int64), network.seg_v.astype(np.int64)
    reach = 0.5 * network.seg_width_m.astype(np.float64) + ALONG_MARGIN_M
    ok = ~crossings.seg_enters & (network.seg_kind != int(WayKind.STEPS))
    pad = float(reach.max()) if reach.shape[0] else 0.0
    x0, y0, x1, y1 = area.bounds
    near = np.flatnonzero(
        ok
        & (np.maximum(x[u], x[v]) >= x0 - pad)
        & (np.minimum(x[u], x[v]) <= x1 + pad)
        & (np.maximum(y[u], y[v]) >= y0 - pad)
        & (np.minimum(y[u], y[v]) <= y1 + pad)
    )
    if near.shape[0]:
        lines = shapely.linestrings(
            np.stack(
                [np.column_stack([x[u[near]], y[u[near]]]), np.column_stack([x[v[near]], y[v[near]]])], axis=1
            )
        )
        near = near[shapely.distance(area, lines) <= reach[near]]
    seg_parts: list[IntArray] = []
    frac_parts: list[FloatArray] = []
    for s in near.tolist():
        length = float(network.seg_length_m[s])
        count = max(math.ceil(length / ALONG_STEP_M), 1)
        seg_parts.append(np.full(count + 1, s, dtype=np.int64))
        frac_parts.append(np.linspace(0.0, 1.0, count + 1))
    segment = np.concatenate(seg_parts) if seg_parts else np.empty(0, dtype=np.int64)
    fraction = np.concatenate(frac_parts) if frac_parts else np.empty(0)
    qx = x[u[segment]] + fraction * (x[v[segment]] - x[u[segment]])
    qy = y[u[segment]] + fraction * (y[v[segment]] - y[u[segment]])
    q = shapely.points(qx, qy)
    p = shapely.line_interpolate_point(boundary, shapely.line_locate_point(boundary, q))
    px, py = shapely.get_x(p), shapely.get_y(p)
    gap = np.hypot(px - qx, py - qy)
    keep = (gap <= reach[segment]) & ~shapely.contains_xy(area, qx, qy)
    segment, fraction, qx, qy, px, py, gap, q = (a[keep] for a in (segment, fraction, qx, qy, px, py, gap, q))
    legs = shapely.linestrings(np.stack([np.column_stack([qx, qy]), np.column_stack([px, py])], axis=1))
    blocked, to_line = _meetings(legs, q, zones)
    return Veers(segment, fraction, qx, qy, px, py, gap, blocked, to_line)


def _meetings(
    lines: npt.NDArray[np.object_], starts: npt.NDArray[np.object_], zones: dict[int, Zone]
) -> tuple[dict[int, BoolArray], dict[int, FloatArray]]:
    """Which lines meet each zone, and how far from their start (one tree for all the zones)."""
    blocked: dict[int, BoolArray] = {}
    to_line: dict[int, FloatArray] = {}
    tree = shapely.STRtree(lines) if lines.shape[0] else None
    for j, zone in zones.items():
        hit = np.zeros(lines.shape[0], dtype=bool)
        if tree is not None:
            hit[tree.query(zone.area, predicate="intersects")] = True
        distance = np.full(hit.shape[0], np.inf)
        if hit.any():
            # along the line to where it crosses the drawn line (far cheaper to cut than the
            # zone); one that only grazes the zone, or too short to cross anything (a veer from a
            # point on the outline), is at the zone's own distance
            along = shapely.distance(starts[hit], shapely.intersection(lines[hit], zone.line))
            distance[hit] = np.where(np.isnan(along), shapely.distance(starts[hit], zone.area), along)
        blocked[j], to_line[j] = hit, distance
    return blocked, to_line


def sight_hits(
    sights: tuple[SurfaceSight, ...], network: StreetNetwork, zones: dict[int, Zone]
) -> list[SightHits]:
    """Which sight lines across the open surfaces each barrier line meets, and where."""
    found: list[SightHits] = []
    for sight in sights:
        n, t = sight.seen.shape
        start = np.repeat(
            np.column_stack([network.node_x[sight.nodes], network.node_y[sight.nodes]]), t, axis=0
        )
        end = np.tile(sight.targets, (n, 1))
        seen = sight.seen.reshape(-1)
        lines = shapely.linestrings(np.stack([start[seen], end[seen]], axis=1))
        blocked, to_line = _meetings(lines, shapely.points(start[seen]), zones)
        full_blocked: dict[int, BoolArray] = {}
        full_to_line: dict[int, FloatArray] = {}
        for j in zones:
            b = np.zeros(n * t, dtype=bool)
            d = np.full(n * t, np.inf)
            b[seen], d[seen] = blocked[j], to_line[j]
            full_blocked[j], full_to_line[j] = b.reshape(n, t), d.reshape(n, t)
        found.append(SightHits(sight, full_blocked, full_to_line))
    return found


def veer_speeds_ms(
    veers: Veers, network: StreetNetwork, speeds: AttainableSpeeds
) -> tuple[FloatArray, FloatArray]:
    """The speed at each veer's start q, driving the segment each way (NaN where not driven)."""
    s = veers.segment
    length = network.seg_length_m[s].astype(np.float64)
    out: list[FloatArray] = []
    for direction, along in ((0, veers.fraction * length), (1, (1.0 - veers.fraction) * length)):
        e = 2 * s + direction
        start = speeds.start_speed_ms[e]
        v = accelerate_many_ms(speeds, np.nan_to_num(start), along) if s.shape[0] else np.empty(0)
        v = np.where(speeds.usable[e] & np.isfinite(start), v, np.nan)
        out.append(v)
    return out[0], out[1]


def element_hits(  # noqa: PLR0917 (one class's state with the plan, passed on)
    overlay: Overlay,
    plan: PlanSpeeds,
    outside: AttainableSpeeds,
    sink_edge: BoolArray,
    veers: Veers,
    sights: list[SightHits],
) -> dict[int, Hit]:
    """The fastest impact of the class on each barrier line of the plan (none where it never gets there)."""
    found = _Fastest()
    _network_hits(found, overlay, _Arrival(plan, outside, sink_edge))
    network = overlay.network
    at_q = np.fmax(*veer_speeds_ms(veers, network, outside))
    for j, blocked in veers.blocked.items():
        if blocked.any() and np.isfinite(at_q[blocked]).any():
            speed = accelerate_many_ms(outside, np.nan_to_num(at_q[blocked]), veers.to_line_m[j][blocked])
            speed = np.where(np.isfinite(at_q[blocked]), speed, 0.0)
            k = int(np.argmax(speed))
            found.keep(j, float(speed[k]), float(veers.qx[blocked][k]), float(veers.qy[blocked][k]))
    for hits in sights:
        v0 = _access_speeds_ms(network, hits.sight, outside, sink_edge)
        for j, blocked in hits.blocked.items():
            rows, cols = np.nonzero(blocked)
            if rows.shape[0] == 0:
                continue
            speed = accelerate_many_ms(outside, v0[rows, cols], hits.to_line_m[j][rows, cols])
            k = int(np.argmax(speed))
            node = int(hits.sight.nodes[rows[k]])
            found.keep(j, float(speed[k]), float(network.node_x[node]), float(network.node_y[node]))
    return found.best


class _Fastest:
    """The fastest hit on each line found so far."""

    def __init__(self) -> None:
        self.best: dict[int, Hit] = {}

    def keep(self, j: int, speed_ms: float, x_m: float, y_m: float) -> None:
        if (
            math.isfinite(speed_ms)
            and speed_ms > STANDSTILL_MS
            and (j not in self.best or speed_ms > self.best[j].speed_ms)
        ):
            self.best[j] = Hit(speed_ms, x_m, y_m)


def _network_hits(found: _Fastest, overlay: Overlay, arrival: _Arrival) -> None:
    """Hits along the ways: where a line crosses a segment, stands on one, or passes through a node."""
    network = overlay.network
    x, y = network.node_x, network.node_y
    for cut in overlay.cuts:
        if not cut.acts:
            continue
        length = float(network.seg_length_m[cut.segment])
        for e, along in (
            (2 * cut.segment, cut.fraction * length),
            (2 * cut.segment + 1, (1.0 - cut.fraction) * length),
        ):
            speed = float(accelerate_many_ms(arrival.outside, arrival.onto(e), along))
            found.keep(cut.element, speed, cut.x_m, cut.y_m)
    for j, segments in overlay.overlaps.items():
        for s in segments.tolist():  # the line stands on the segment: hit where the vehicle gets onto it
            for e in (2 * s, 2 * s + 1):
                tail = int(network.seg_v[s] if e & 1 else network.seg_u[s])
                found.keep(j, arrival.onto(e), float(x[tail]), float(y[tail]))
    for node_cut in overlay.node_cuts:
        if node_cut.acts:
            node = node_cut.node
            found.keep(node_cut.element, arrival.at_node(network, node_cut), float(x[node]), float(y[node]))


class _Arrival:
    """The fastest arrivals of one class onto an edge or at a node, from outside the space."""

    def __init__(self, plan: PlanSpeeds, outside: AttainableSpeeds, sink_edge: BoolArray) -> None:
        moves = plan.transitions
        self.order = np.argsort(moves.target, kind="stable")
        self.sorted_target = moves.target[self.order]
        self.plan = plan
        self.outside = outside
        self.allowed = outside.usable & ~sink_edge & np.isfinite(outside.end_speed_ms)

    def onto(self, edge: int) -> float:
        """Speed at the tail of `edge` coming from any other edge, within the turn onto it (0: none)."""
        lo, hi = np.searchsorted(self.sorted_target, [edge, edge + 1])
        ks = self.order[lo:hi]
        source = self.plan.transitions.source[ks]
        ok = self.allowed[source]
        if not ok.any():
            return 0.0
        return float(np.minimum(self.outside.end_speed_ms[source[ok]], self.plan.turn_plan_ms[ks[ok]]).max())

    def at_node(self, network: StreetNetwork, node_cut: NodeCut) -> float:
        """Speed of the fastest arrival at the node along a segment that leaves on one side of the line."""
        sides = node_cut.side
        if not ({1, -1} <= set(sides.values())):
            return 0.0  # the line ends at the node: nothing crosses it there
        best = 0.0
        for s, side in sides.items():
            # the edge along segment s whose head is the node
            e = 2 * s if int(network.seg_v[s]) == node_cut.node else 2 * s + 1
            if side != 0 and self.allowed[e]:
                best = max(best, float(self.outside.end_speed_ms[e]))
        return best


def _access_speeds_ms(
    network: StreetNetwork, sight: SurfaceSight, outside: AttainableSpeeds, sink_edge: BoolArray
) -> FloatArray:
    """The speed each sight line starts at: the fastest arrival at its access point within the bend
    onto the line, as `_surfaces.surface_entries` has it (0: set off there). (N, T)."""
    n, t = sight.seen.shape
    v0 = np.zeros((n, t))
    edges = np.arange(2 * network.segment_count)
    heads = np.where(edges & 1, network.seg_u[edges >> 1], network.seg_v[edges >> 1])
    allowed = outside.usable & ~sink_edge & np.isfinite(outside.end_speed_ms)
    arriving = np.flatnonzero(allowed & np.isin(heads, sight.nodes))
    passable = fits(network.node_gap_m[sight.nodes], outside.vehicle)
    vehicle = outside.vehicle
    for row, node in enumerate(sight.nodes.tolist()):
        if not passable[row]:
            continue
        ax, ay = float(network.node_x[node]), float(network.node_y[node])
        dist = np.maximum(sight.distance_m[row], 1e-9)
        hx = (sight.targets[:, 0] - ax) / dist
        hy = (sight.targets[:, 1] - ay) / dist
        for e in arriving[heads[arriving] == node].tolist():
            seg = e >> 1
            sign = -1.0 if e & 1 else 1.0
            ex = sign * float(network.node_x[network.seg_v[seg]] - network.node_x[network.seg_u[seg]])
            ey = sign * float(network.node_y[network.seg_v[seg]] - network.node_y[network.seg_u[seg]])
            norm = math.hypot(ex, ey)
            if norm <= 0.0:
                continue
            deflection = np.arccos(np.clip((ex * hx + ey * hy) / norm, -1.0, 1.0))
            room = np.minimum(float(network.seg_length_m[seg]), dist)
            limit = _bend_limit_ms(deflection, room, vehicle.lateral_accel_ms2, vehicle.min_path_radius_m)
            np.maximum(v0[row], np.minimum(float(outside.end_speed_ms[e]), limit), out=v0[row])
    v0[v0 <= STANDSTILL_MS] = 0.0
    return v0


def outside_nodes(
    network: StreetNetwork, seg_ok: BoolArray, node_cuts: list[NodeCut], far: BoolArray
) -> tuple[BoolArray, dict[int, int]]:
    """The nodes connected to the far network by usable segments, through no closed line node.

    A node a line passes through is split in two: the segments on the line's + side leave from a
    twin, numbered after the nodes (returned: node → twin). Returns, for every node and twin,
    whether it is connected to the far network.
    """
    n = network.node_count
    u = network.seg_u.astype(np.int64).copy()
    v = network.seg_v.astype(np.int64).copy()
    twins: dict[int, int] = {}
    for cut in node_cuts:
        if cut.node in twins or any(cut.leaky(s) and seg_ok[s] for s in cut.side):
            continue  # a segment along the line, or round its end, joins both sides there
        twin = twins[cut.node] = n + len(twins)
        for s, side in cut.side.items():
            if side > 0:
                if u[s] == cut.node:
                    u[s] = twin
                if v[s] == cut.node:
                    v[s] = twin
    rows, cols = u[seg_ok], v[seg_ok]
    size = n + len(twins)
    graph = coo_matrix((np.ones(rows.shape[0], dtype=np.int8), (rows, cols)), shape=(size, size)).tocsr()
    _count, labels = connected_components(graph, directed=False)
    far_labels = np.unique(labels[:n][far])
    result: BoolArray = np.isin(labels, far_labels)
    return result, twins
