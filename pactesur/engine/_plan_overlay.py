"""A barrier plan's drawn elements laid over a copy of a street network, and the speeds they leave.

The city's network (possibly memory-mapped and shared by every request of a worker) is never
written: the overlay is the region of the network that decides the speeds at the space
(`_region.py`), rebuilt from new arrays, with a node added wherever a speed reduction is drawn.
Everything else a plan does is per vehicle class and lives in that class's speeds, not in the
network:

- a barrier line that stops the class closes the segments it crosses (as a mapped barrier line
  does, `dynamics.usable_segments`), or, where it passes through a node, the turns through that
  node from one side of the line to the other;
- a closure closes its segments to every class, or one turn at a junction;
- a speed reduction caps every turn through its node at its speed (a turn limit, so the fixed
  point accelerates again after it).

The speeds are the fixed point solved again on the class's line graph with those usable segments
and turn limits (`dynamics._solve`), so they obey exactly the model of the analysis.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from pactesur.engine.dynamics import AttainableSpeeds, PreparedNetwork, _solve
from pactesur.engine.network import StreetNetwork, WayKind
from pactesur.engine.projection import projection_for

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# A speed reduction or a closure drawn this close to a way is on it (assumption: half a wide
# street and a drawing's slack on a city map).
SNAP_M: float = 8.0
# A split point this close to a segment's end is at that node (assumption: finer than any map).
NODE_SNAP_M: float = 0.5
# A barrier line this close to a node passes through it (rounding of drawn coordinates).
AT_NODE_M: float = 0.05
# A barrier line this far inside the space still stands on its edge (assumption: drawing slack).
INSIDE_TOLERANCE_M: float = 0.5


@dataclass(frozen=True)
class LineCut:
    """Where a drawn barrier line crosses the network."""

    element: int
    segment: int
    node: int  # -1 where the line crosses the segment between its ends
    fraction: float  # along the segment from seg_u
    x_m: float
    y_m: float
    inside: bool  # stands inside the space: the vehicle is in before it reaches the line
    spans: bool = True  # reaches across the way, to within a clear gap of its edges

    @property
    def acts(self) -> bool:
        """Whether the line closes the way here (outside the space, across all of it)."""
        return self.spans and not self.inside


@dataclass(frozen=True)
class NodeCut:
    """A barrier line through a node: which side of the line each segment at the node leaves on."""

    element: int
    node: int
    side: dict[int, int]  # segment → +1 / -1 (0: along the line)
    inside: bool
    spanned: frozenset[int] = frozenset()  # the segments whose way the line reaches across there

    @property
    def acts(self) -> bool:
        """Whether the line closes a way through the node (outside the space, across it)."""
        return bool(self.spanned) and not self.inside

    def leaky(self, s: int) -> bool:
        """Whether segment s joins both sides of the line: it runs along it, or round its end."""
        return self.side.get(s, 0) == 0 or s not in self.spanned


@dataclass(frozen=True, eq=False)
class Overlay:
    """The region of the network with the plan's split points, and where each element acts on it."""

    network: StreetNetwork
    area_xy: BaseGeometry
    lines_xy: dict[int, BaseGeometry]  # barrier line element → its line in metres
    cuts: tuple[LineCut, ...]  # barrier lines across segments
    node_cuts: tuple[NodeCut, ...]  # barrier lines through nodes
    overlaps: dict[int, IntArray]  # barrier line element → the segments it runs along (stands on)
    cap_ms: dict[int, float]  # node → speed cap of the speed reductions there
    cap_nodes: dict[int, tuple[int, ...]]  # speed reduction element → its nodes
    closed_segments: dict[int, IntArray]  # closure element → the segments it closes
    closed_turns: dict[int, tuple[int, int, int]]  # turn closure element → (node, from way, to way)
    unplaced: dict[int, str] = field(default_factory=dict)  # element → why it acts on no way


@dataclass(frozen=True)
class Transitions:
    """A class's line graph as flat transitions: from which edge, to which edge, through which node."""

    source: IntArray
    target: IntArray
    node: IntArray


@dataclass(frozen=True, eq=False)
class PlanSpeeds:
    """A class's speeds with the plan, and the turn limits before its barrier lines closed anything."""

    speeds: AttainableSpeeds
    turn_plan_ms: FloatArray  # with closures and speed reductions, no barrier line
    transitions: Transitions


def to_xy(network: StreetNetwork, geometry_lonlat: BaseGeometry) -> BaseGeometry:
    """Return a lon/lat geometry in the network's metric CRS."""
    projection = projection_for(network.crs)

    def forward(coords: FloatArray) -> FloatArray:
        x, y = projection.to_xy(coords[:, 0], coords[:, 1])
        return np.column_stack((x, y))

    return shapely.transform(geometry_lonlat, forward)


def nearest_segment(
    network: StreetNetwork, x: float, y: float, *, way_id: int | None = None
) -> tuple[int, float]:
    """Return the segment nearest to a point (of one way if given) and its distance; (-1, inf) if none."""
    nx, ny = network.node_x, network.node_y
    u, v = network.seg_u, network.seg_v
    box = (
        (np.maximum(nx[u], nx[v]) >= x - SNAP_M)
        & (np.minimum(nx[u], nx[v]) <= x + SNAP_M)
        & (np.maximum(ny[u], ny[v]) >= y - SNAP_M)
        & (np.minimum(ny[u], ny[v]) <= y + SNAP_M)
    )
    if way_id is not None:
        box &= network.seg_way_id == way_id
    near = np.flatnonzero(box)
    if near.shape[0] == 0:
        return -1, math.inf
    d = _point_segment_distance(x, y, nx[u[near]], ny[u[near]], nx[v[near]], ny[v[near]])
    k = int(np.argmin(d))
    return int(near[k]), float(d[k])


def _point_segment_distance(  # noqa: PLR0917 (a point and segments' ends, as arrays)
    x: float, y: float, ax: FloatArray, ay: FloatArray, bx: FloatArray, by: FloatArray
) -> FloatArray:
    dx, dy = bx - ax, by - ay
    length2 = np.maximum(dx * dx + dy * dy, 1e-12)
    t = np.clip(((x - ax) * dx + (y - ay) * dy) / length2, 0.0, 1.0)
    result: FloatArray = np.hypot(ax + t * dx - x, ay + t * dy - y)
    return result


def _fraction_on(network: StreetNetwork, s: int, x: float, y: float) -> float:
    a, b = int(network.seg_u[s]), int(network.seg_v[s])
    ax, ay = float(network.node_x[a]), float(network.node_y[a])
    dx, dy = float(network.node_x[b]) - ax, float(network.node_y[b]) - ay
    return min(max(((x - ax) * dx + (y - ay) * dy) / max(dx * dx + dy * dy, 1e-12), 0.0), 1.0)


def split_network(
    network: StreetNetwork, points: Sequence[tuple[int, float, float]]
) -> tuple[StreetNetwork, list[int]]:
    """Return a new network with a node at each (segment, fraction, snap), and the node of each point.

    A point within its snap distance of a segment's end, or of another point, is that node. A
    split segment keeps its index for its first piece; its other pieces are added at the end with
    its attributes (way, width, kind, barrier gap), so every other index stays. The input's arrays
    are never written.
    """
    nodes_of: list[int] = [-1] * len(points)
    by_segment: dict[int, list[tuple[float, int, float]]] = {}
    for i, (s, t, snap) in enumerate(points):
        length = float(network.seg_length_m[s])
        if t * length <= snap:
            nodes_of[i] = int(network.seg_u[s])
        elif (1.0 - t) * length <= snap:
            nodes_of[i] = int(network.seg_v[s])
        else:
            by_segment.setdefault(s, []).append((t, i, snap))
    n0, m0 = network.node_count, network.segment_count
    new_x: list[float] = []
    new_y: list[float] = []
    first_v: dict[int, int] = {}
    first_t: dict[int, float] = {}
    pieces: list[tuple[int, int, int, float]] = []  # (source segment, u, v, length share)
    for s, found in sorted(by_segment.items()):
        found.sort()
        cuts: list[float] = []
        ids: list[int] = []
        for t, i, snap in found:
            if cuts and (t - cuts[-1]) * float(network.seg_length_m[s]) <= snap:
                nodes_of[i] = ids[-1]
                continue
            a, b = int(network.seg_u[s]), int(network.seg_v[s])
            new_x.append(float(network.node_x[a]) + t * (float(network.node_x[b]) - float(network.node_x[a])))
            new_y.append(float(network.node_y[a]) + t * (float(network.node_y[b]) - float(network.node_y[a])))
            cuts.append(t)
            ids.append(n0 + len(new_x) - 1)
            nodes_of[i] = ids[-1]
        first_v[s], first_t[s] = ids[0], cuts[0]
        ends = [*ids, int(network.seg_v[s])]
        shares = [*np.diff([*cuts, 1.0]).tolist()]
        pieces += [(s, ends[k], ends[k + 1], shares[k]) for k in range(len(ids))]
    if not new_x:
        return network, nodes_of
    return _with_pieces(network, new_x, new_y, first_v, first_t, pieces, m0), nodes_of


def _with_pieces(  # noqa: PLR0917 (the split's parts, passed on)
    network: StreetNetwork,
    new_x: list[float],
    new_y: list[float],
    first_v: dict[int, int],
    first_t: dict[int, float],
    pieces: list[tuple[int, int, int, float]],
    m0: int,
) -> StreetNetwork:
    lon, lat = projection_for(network.crs).to_lonlat(new_x, new_y)
    k = len(new_x)
    source = np.array([p[0] for p in pieces], dtype=np.int64)
    seg_fields: dict[str, Any] = {
        f.name: np.concatenate((getattr(network, f.name), getattr(network, f.name)[source]))
        for f in dataclasses.fields(network)
        if f.name.startswith("seg_") and f.name not in ("seg_u", "seg_v", "seg_length_m", "seg_barrier")
    }
    seg_v = np.concatenate((network.seg_v, np.array([p[2] for p in pieces], dtype=network.seg_v.dtype)))
    length = np.concatenate(
        (
            network.seg_length_m,
            (network.seg_length_m[source] * np.array([p[3] for p in pieces])).astype(np.float32),
        )
    )
    for s, node in first_v.items():
        seg_v[s] = node
        length[s] = np.float32(float(network.seg_length_m[s]) * first_t[s])
    seg_barrier = dict(network.seg_barrier)
    for j, p in enumerate(pieces):
        if p[0] in network.seg_barrier:
            seg_barrier[m0 + j] = network.seg_barrier[p[0]]
    return dataclasses.replace(
        network,
        node_osm_id=np.concatenate((network.node_osm_id, np.zeros(k, dtype=np.int64))),
        node_lon=np.concatenate((network.node_lon, np.asarray(lon, dtype=np.float64))),
        node_lat=np.concatenate((network.node_lat, np.asarray(lat, dtype=np.float64))),
        node_x=np.concatenate((network.node_x, np.asarray(new_x, dtype=np.float64))),
        node_y=np.concatenate((network.node_y, np.asarray(new_y, dtype=np.float64))),
        node_gap_m=np.concatenate((network.node_gap_m, np.full(k, np.inf, dtype=np.float32))),
        seg_u=np.concatenate((network.seg_u, np.array([p[1] for p in pieces], dtype=network.seg_u.dtype))),
        seg_v=seg_v,
        seg_length_m=length,
        seg_barrier=seg_barrier,
        **seg_fields,
    )


def line_cuts(
    network: StreetNetwork, area_xy: BaseGeometry | None, element: int, line_xy: BaseGeometry
) -> tuple[list[LineCut], list[NodeCut]]:
    """Every crossing of a drawn line with the network's segments (`line_overlaps`: runs along them)."""
    x, y = network.node_x, network.node_y
    u, v = network.seg_u.astype(np.int64), network.seg_v.astype(np.int64)
    x0, y0, x1, y1 = line_xy.bounds
    near = np.flatnonzero(
        (np.maximum(x[u], x[v]) >= x0)
        & (np.minimum(x[u], x[v]) <= x1)
        & (np.maximum(y[u], y[v]) >= y0)
        & (np.minimum(y[u], y[v]) <= y1)
    )
    if near.shape[0] == 0:
        return [], []
    segments = shapely.linestrings(
        np.stack(
            [np.column_stack([x[u[near]], y[u[near]]]), np.column_stack([x[v[near]], y[v[near]]])], axis=1
        )
    )
    meet = shapely.intersects(segments, line_xy)
    near, segments = near[meet], segments[meet]
    hits = shapely.intersection(segments, line_xy)
    cuts: list[LineCut] = []
    at_nodes: dict[int, tuple[float, float]] = {}
    for s, hit in zip(near.tolist(), hits.tolist(), strict=True):
        # where the line runs along the segment for a while (`line_overlaps`), it stands across
        # the way at both ends of that stretch
        points: set[tuple[float, float]] = set()
        for part in shapely.get_parts(hit).tolist():
            coords = shapely.get_coordinates(part)
            points.update((float(c[0]), float(c[1])) for c in (coords[0], coords[-1]))
        for px, py in sorted(points):
            t = _fraction_on(network, s, px, py)
            length = float(network.seg_length_m[s])
            if t * length <= AT_NODE_M or (1.0 - t) * length <= AT_NODE_M:
                node = int(u[s] if t * length <= AT_NODE_M else v[s])
                # a node inside the space, however little, is past the edge: the line stands
                # where it crosses the segment, before it
                if area_xy is None or not area_xy.contains(Point(float(x[node]), float(y[node]))):
                    at_nodes[node] = (float(x[node]), float(y[node]))
                    continue
            spans = _spans(network, area_xy, line_xy, s, (px, py))
            cuts.append(LineCut(element, s, -1, t, px, py, _inside(area_xy, px, py), spans))
    node_cuts = []
    for n, (nx, ny) in at_nodes.items():
        side = _sides(network, line_xy, n)
        spanned = frozenset(
            s for s, k in side.items() if k != 0 and _spans(network, area_xy, line_xy, s, (nx, ny))
        )
        node_cuts.append(NodeCut(element, n, side, _inside(area_xy, nx, ny), spanned))
    return cuts, node_cuts


# A line may stop this short of a way's edge and still close it: the gap left is a clear gap
# (`_plan_types.MAX_CLEAR_GAP_M`, kept equal).
EDGE_GAP_M: float = 1.2


def _spans(
    network: StreetNetwork,
    area_xy: BaseGeometry | None,
    line_xy: BaseGeometry,
    s: int,
    at: tuple[float, float],
) -> bool:
    """Whether the line closes segment s's way where it crosses it, to within a clear gap of its edges.

    The way's corridor is its width, or the sidewalks mapped on it where wider (`seg_edges_m`).
    A line closes it where it runs on, both ways from the crossing, for the corridor's half width
    (less a clear gap); a line on the space's outline, where it covers the outline across the
    corridor (a vehicle enters only by crossing the outline); any other line, where it reaches
    across the corridor on both sides of the centre line. A crossing of an open surface (a straight virtual
    segment) is closed where it is crossed.
    """
    if int(network.seg_kind[s]) == int(WayKind.OPEN_AREA):
        return True
    px, py = at
    a, b = int(network.seg_u[s]), int(network.seg_v[s])
    ax, ay, bx, by = (
        float(network.node_x[a]),
        float(network.node_y[a]),
        float(network.node_x[b]),
        float(network.node_y[b]),
    )
    norm = max(math.hypot(bx - ax, by - ay), 1e-12)
    nx, ny = -(by - ay) / norm, (bx - ax) / norm  # to the left of u → v
    half = 0.5 * float(network.seg_width_m[s])
    left, right = (max(half, float(e)) if math.isfinite(float(e)) else half for e in network.seg_edges_m[s])
    reach = max(left, right) - EDGE_GAP_M
    along = line_xy.project(Point(px, py))
    if along >= reach and line_xy.length - along >= reach:
        return True  # the line runs on past the corridor's half width both ways: no room beside it
    window = Point(px, py).buffer(max(left, right) + 1.0)
    if area_xy is not None and area_xy.boundary.distance(Point(px, py)) <= INSIDE_TOLERANCE_M:
        corridor = shapely.buffer(LineString([(ax, ay), (bx, by)]), max(left, right), cap_style="flat")
        edge = shapely.intersection(area_xy.boundary, shapely.intersection(corridor, window))
        uncovered = shapely.difference(edge, shapely.buffer(line_xy, 0.5 * EDGE_GAP_M))
        if edge.length > 0.0 and uncovered.length <= 0.1:
            return True
    coords = shapely.get_coordinates(shapely.intersection(line_xy, window))
    if coords.shape[0] == 0:
        return False
    across = (coords[:, 0] - px) * nx + (coords[:, 1] - py) * ny
    return float(across.max()) >= left - EDGE_GAP_M and float(-across.min()) >= right - EDGE_GAP_M


def line_overlaps(network: StreetNetwork, line_xy: BaseGeometry) -> IntArray:
    """The segments a drawn line runs along (over half their length, or a metre): it stands on them."""
    x, y = network.node_x, network.node_y
    u, v = network.seg_u.astype(np.int64), network.seg_v.astype(np.int64)
    x0, y0, x1, y1 = line_xy.bounds
    near = np.flatnonzero(
        (np.maximum(x[u], x[v]) >= x0 - AT_NODE_M)
        & (np.minimum(x[u], x[v]) <= x1 + AT_NODE_M)
        & (np.maximum(y[u], y[v]) >= y0 - AT_NODE_M)
        & (np.minimum(y[u], y[v]) <= y1 + AT_NODE_M)
    )
    if near.shape[0] == 0:
        return np.empty(0, dtype=np.int64)
    segments = shapely.linestrings(
        np.stack(
            [np.column_stack([x[u[near]], y[u[near]]]), np.column_stack([x[v[near]], y[v[near]]])], axis=1
        )
    )
    shared = shapely.length(
        shapely.intersection(segments, shapely.buffer(line_xy, AT_NODE_M, cap_style="flat"))
    )
    length = network.seg_length_m[near].astype(np.float64)
    on: IntArray = near[(shared >= np.minimum(1.0, 0.5 * length)) & (length > 0.0)].astype(np.int64)
    return on


def _inside(area_xy: BaseGeometry | None, x: float, y: float) -> bool:
    if area_xy is None:
        return False
    point = Point(x, y)
    return bool(area_xy.contains(point)) and area_xy.boundary.distance(point) > INSIDE_TOLERANCE_M


def _sides(network: StreetNetwork, line_xy: BaseGeometry, node: int) -> dict[int, int]:
    """The side of the line (its local direction at the node) each segment at the node leaves on."""
    nx, ny = float(network.node_x[node]), float(network.node_y[node])
    at = line_xy.project(Point(nx, ny))
    p0 = line_xy.interpolate(max(at - 0.5, 0.0))
    p1 = line_xy.interpolate(min(at + 0.5, line_xy.length))
    dx, dy = p1.x - p0.x, p1.y - p0.y
    norm = math.hypot(dx, dy)
    sides: dict[int, int] = {}
    for s in np.flatnonzero((network.seg_u == node) | (network.seg_v == node)).tolist():
        other = int(network.seg_v[s] if network.seg_u[s] == node else network.seg_u[s])
        ox, oy = float(network.node_x[other]) - nx, float(network.node_y[other]) - ny
        cross = (dx * oy - dy * ox) / max(norm * math.hypot(ox, oy), 1e-12)
        # a segment within a degree of the line runs along it
        sides[s] = 0 if abs(cross) < 0.02 else (1 if cross > 0 else -1)
    return sides


def transitions_of(speeds: AttainableSpeeds, network: StreetNetwork) -> Transitions:
    """The class's transitions as flat arrays (source edge, target edge, node between them)."""
    counts = np.diff(speeds.successor_ptr)
    source = np.repeat(np.arange(counts.shape[0], dtype=np.int64), counts)
    s = source >> 1
    node = np.where(source & 1, network.seg_u[s], network.seg_v[s]).astype(np.int64)
    return Transitions(source=source, target=speeds.successor_edge.astype(np.int64), node=node)


def plan_speeds(
    overlay: Overlay,
    base: AttainableSpeeds,
    prepared: PreparedNetwork,
    stops: frozenset[int],
    *,
    transitions: Transitions | None = None,
) -> PlanSpeeds:
    """Return the class's speeds with the plan's closures and speed reductions, and the barrier
    lines in `stops` closed to it (lines standing inside the space close nothing).
    """
    network = overlay.network
    moves = transitions if transitions is not None else transitions_of(base, network)
    seg_ok = base.usable[0::2].copy()
    for segments in overlay.closed_segments.values():
        seg_ok[segments] = False
    turn = base.successor_turn_ms.copy()
    if overlay.cap_ms:
        cap_by_node = np.full(network.node_count, np.inf)
        for n, cap in overlay.cap_ms.items():
            cap_by_node[n] = min(cap_by_node[n], cap)
        np.minimum(turn, cap_by_node[moves.node], out=turn)
    way = network.seg_way_id
    for node, from_way, to_way in overlay.closed_turns.values():
        turn[
            (moves.node == node) & (way[moves.source >> 1] == from_way) & (way[moves.target >> 1] == to_way)
        ] = 0.0
    turn[~seg_ok[moves.source >> 1] | ~seg_ok[moves.target >> 1]] = 0.0
    turn_plan = turn.copy()
    turn_plan.setflags(write=False)
    for cut in overlay.cuts:
        if cut.element in stops and cut.acts:
            seg_ok[cut.segment] = False
    for j, segments in overlay.overlaps.items():
        if j in stops:
            seg_ok[segments] = False
    for node_cut in overlay.node_cuts:
        if node_cut.element in stops and node_cut.acts:
            turn[_crossing_moves(moves, node_cut)] = 0.0
    turn[~seg_ok[moves.source >> 1] | ~seg_ok[moves.target >> 1]] = 0.0
    graph, _built = prepared.line_graph(base.vehicle)
    start, end, pred, pops = _solve(
        dataclasses.replace(graph, seg_usable=seg_ok), prepared.length_m, turn, base.speeds_ms, base.run_up_m
    )
    usable = np.repeat(seg_ok, 2)
    for array in (usable, turn):
        array.setflags(write=False)
    speeds = dataclasses.replace(
        base,
        usable=usable,
        start_speed_ms=start,
        end_speed_ms=end,
        predecessor=pred,
        successor_turn_ms=turn,
        edge_pops=pops,
    )
    return PlanSpeeds(speeds=speeds, turn_plan_ms=turn_plan, transitions=moves)


def _crossing_moves(moves: Transitions, node_cut: NodeCut) -> BoolArray:
    """The transitions through the node from one side of the line to the other, on ways it spans."""
    at = np.flatnonzero(moves.node == node_cut.node)

    def sides(segments: IntArray) -> IntArray:
        return np.array(
            [0 if node_cut.leaky(s) else node_cut.side[s] for s in segments.tolist()], dtype=np.int64
        )

    src = sides(moves.source[at] >> 1)
    dst = sides(moves.target[at] >> 1)
    mask = np.zeros(moves.node.shape[0], dtype=bool)
    mask[at[src * dst < 0]] = True
    return mask


def segments_near(
    network: StreetNetwork, geometry_xy: BaseGeometry, *, way_id: int | None, point: bool
) -> IntArray:
    """The segments a drawn closure covers: the one nearest a point, or those a line runs along."""
    if point:
        c = geometry_xy.centroid
        s, d = nearest_segment(network, float(c.x), float(c.y), way_id=way_id)
        return np.array([s] if s >= 0 and d <= SNAP_M else [], dtype=np.int64)
    x, y = network.node_x, network.node_y
    u, v = network.seg_u, network.seg_v
    mx, my = 0.5 * (x[u] + x[v]), 0.5 * (y[u] + y[v])
    x0, y0, x1, y1 = geometry_xy.bounds
    box = (mx >= x0 - SNAP_M) & (mx <= x1 + SNAP_M) & (my >= y0 - SNAP_M) & (my <= y1 + SNAP_M)
    if way_id is not None:
        box &= network.seg_way_id == way_id
    near = np.flatnonzero(box)
    if near.shape[0] == 0:
        return np.empty(0, dtype=np.int64)
    # a segment is covered when its middle and both its ends lie within the snap distance
    ends_ok = (shapely.distance(shapely.points(x[u[near]], y[u[near]]), geometry_xy) <= SNAP_M) & (
        shapely.distance(shapely.points(x[v[near]], y[v[near]]), geometry_xy) <= SNAP_M
    )
    mid_ok = shapely.distance(shapely.points(mx[near], my[near]), geometry_xy) <= SNAP_M
    covered: IntArray = near[ends_ok & mid_ok].astype(np.int64)
    return covered


def split_points(network: StreetNetwork, geometry_xy: BaseGeometry) -> list[tuple[int, float, float]]:
    """Where a speed reduction acts: a point's place on its way, or where a line crosses or ends on ways."""
    if isinstance(geometry_xy, Point):
        s, d = nearest_segment(network, float(geometry_xy.x), float(geometry_xy.y))
        t = _fraction_on(network, s, float(geometry_xy.x), float(geometry_xy.y)) if s >= 0 else 0.0
        return [(s, t, NODE_SNAP_M)] if d <= SNAP_M else []
    found: list[tuple[int, float, float]] = []
    if isinstance(geometry_xy, LineString):
        cuts, node_cuts = line_cuts(network, None, -1, geometry_xy)
        found = [(c.segment, c.fraction, NODE_SNAP_M) for c in cuts]
        for nc in node_cuts:
            s = next(iter(nc.side))
            found.append((s, 0.0 if int(network.seg_u[s]) == nc.node else 1.0, NODE_SNAP_M))
        if not found:  # drawn along the way: its two ends
            for end in (geometry_xy.coords[0], geometry_xy.coords[-1]):
                found += split_points(network, Point(end))
    return found
