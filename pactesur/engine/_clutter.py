"""The street objects on each way and crossing, and the corridor they leave a vehicle class.

An object stands *on* a way when it lies within the way's half-width (plus its own radius) of
the centre line; it is given to the nearest such way only, so that a tree on a footway narrows
the footway and not the carriageway beside it. On a straight crossing of an open area there is
no edge to the corridor: every object near the line counts, for every crossing it is near.

For one class, the objects rigid for it (`streetscape.rigid_for`) standing within `GATE_MERGE_M`
of each other along a way make one cross-section, a *gate*: the vehicle's centre must pass
through a gap left between them (the vehicle's half-width plus `CLEARANCE_M` from each object,
its half-width from the way's known edges, `StreetNetwork.seg_edges_m`: a way whose width is not
mapped has none, a carriageway runs on over the sidewalks mapped on it, so that what the map does
not show never closes a way). A gate with no gap closes the way.
Between consecutive
gates whose gaps do not line up the vehicle weaves: an S-bend of two arcs shifting it sideways
by Δ over the distance L between the gates has radius (L² + Δ²) / 4Δ, and √(a_lat · r) caps the
speed between them; a bend tighter than the class can steer closes the way. The line through the
gates is the one whose tightest bend is widest (a small dynamic programme over the gaps).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import shapely

from pactesur.engine.network import StreetNetwork, WayKind
from pactesur.engine.streetscape import CLEARANCE_M, STREET_OBJECT_KINDS
from pactesur.engine.vehicles import VehicleClass

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Objects this close along a way stand in one cross-section (assumption: closer than a car's
# wheelbase, no vehicle weaves between them).
GATE_MERGE_M: float = 1.0
# How far from a crossing's line an object can matter: the widest class's half-width, the
# clearance and the widest object (assumption: covers every class of vehicles.py).
CROSSING_REACH_M: float = 1.5 + CLEARANCE_M + 1.0
_FOOTPRINT = np.array([k.footprint_m for k in STREET_OBJECT_KINDS], dtype=np.float64)
_RIGID_UP_TO = np.array([k.rigid_up_to_kg for k in STREET_OBJECT_KINDS], dtype=np.float64)


@dataclass(frozen=True)
class SegmentObjects:
    """Which objects stand on which segments, sorted by segment then along it.

    seg, obj : the segment and the object (index in the network's object arrays) of each pair.
    t : metres along the segment from its `seg_u` end; offset : metres left of the line (u → v).
    radius : half the object's footprint.
    """

    seg: IntArray
    obj: IntArray
    t: FloatArray
    offset: FloatArray
    radius: FloatArray

    @property
    def count(self) -> int:
        return int(self.seg.shape[0])


@dataclass(frozen=True)
class ClassCorridors:
    """What the objects leave one class: closed segments and the stretches where they cap its speed.

    closed : per segment, True where a gate leaves no gap (or a forced bend is too tight).
    stretches : segment → [(t0, t1, cap m/s)] from its `seg_u` end, in order.
    binding : segment → the objects that close it or cap the speed on it.
    """

    closed: BoolArray
    stretches: dict[int, list[tuple[float, float, float]]] = field(default_factory=dict)
    binding: dict[int, list[int]] = field(default_factory=dict)


def empty_objects() -> SegmentObjects:
    none = np.empty(0, dtype=np.int64)
    return SegmentObjects(none, none, np.empty(0), np.empty(0), np.empty(0))


def segment_objects(network: StreetNetwork, segments: IntArray) -> SegmentObjects:
    """Return the objects standing on the given segments (ways: the nearest; crossings: every one)."""
    if network.object_x.shape[0] == 0 or segments.shape[0] == 0:
        return empty_objects()
    u, v = network.seg_u[segments], network.seg_v[segments]
    ux, uy = network.node_x[u], network.node_y[u]
    vx, vy = network.node_x[v], network.node_y[v]
    width = network.seg_width_m[segments].astype(np.float64)
    crossing = network.seg_kind[segments] == int(WayKind.OPEN_AREA)
    # how far each side of the line an object may stand on the way: its known edge (a sidewalk
    # mapped on a carriageway), else its half-width
    edges = network.seg_edges_m[segments].astype(np.float64)
    side = np.where(np.isfinite(edges), edges, 0.5 * width[:, None])
    reach = np.where(crossing, CROSSING_REACH_M, side.max(axis=1)) + 0.5 * float(_FOOTPRINT.max())
    tree = shapely.STRtree(shapely.points(network.object_x, network.object_y))
    lines = shapely.linestrings(np.stack([np.column_stack([ux, uy]), np.column_stack([vx, vy])], axis=1))
    line_i, obj = tree.query(lines, predicate="dwithin", distance=float(reach.max()))
    if line_i.shape[0] == 0:
        return empty_objects()
    dx, dy = (vx - ux)[line_i], (vy - uy)[line_i]
    length = np.hypot(dx, dy)
    safe = np.maximum(length, 1e-9)
    ex, ey = dx / safe, dy / safe
    rx, ry = network.object_x[obj] - ux[line_i], network.object_y[obj] - uy[line_i]
    t = np.clip(rx * ex + ry * ey, 0.0, length)
    offset = ex * ry - ey * rx
    distance = np.hypot(rx - t * ex, ry - t * ey)
    radius = 0.5 * _FOOTPRINT[network.object_kind[obj]]
    beside = np.where(offset >= 0.0, side[line_i, 0], side[line_i, 1])
    on = np.where(crossing[line_i], distance <= CROSSING_REACH_M + radius, distance <= beside + radius)
    line_i, obj, t, offset, distance, radius = (a[on] for a in (line_i, obj, t, offset, distance, radius))
    # a way's object goes to the nearest way only; a crossing keeps all of its own
    way = ~crossing[line_i]
    order = np.lexsort((distance, obj))
    first_way = np.zeros(line_i.shape[0], dtype=bool)
    seen_obj = -1
    for k in order.tolist():
        if not way[k]:
            continue
        if obj[k] != seen_obj:
            first_way[k] = True
            seen_obj = int(obj[k])
    keep = ~way | first_way
    seg = segments[line_i[keep]]
    ordered = np.lexsort((t[keep], seg))
    return SegmentObjects(
        seg=seg[ordered].astype(np.int64),
        obj=obj[keep][ordered].astype(np.int64),
        t=t[keep][ordered],
        offset=offset[keep][ordered],
        radius=radius[keep][ordered],
    )


def class_corridors(network: StreetNetwork, objects: SegmentObjects, vehicle: VehicleClass) -> ClassCorridors:
    """Return what the objects rigid for the class leave it on each segment they stand on."""
    closed = np.zeros(network.segment_count, dtype=bool)
    found = ClassCorridors(closed=closed)
    if objects.count == 0:
        return found
    rigid = network.object_kind[objects.obj]
    keep = vehicle.mass_kg <= _RIGID_UP_TO[rigid]
    if not keep.any():
        return found
    seg, obj = objects.seg[keep], objects.obj[keep]
    t, offset, radius = objects.t[keep], objects.offset[keep], objects.radius[keep]
    bounds = np.flatnonzero(np.diff(seg)) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [seg.shape[0]]))
    half = 0.5 * vehicle.width_m
    top_ms = float(vehicle.run_up_table()[0][-1])
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        s = int(seg[a])
        if network.seg_kind[s] == int(WayKind.OPEN_AREA):
            lo, hi = -math.inf, math.inf  # a straight crossing of an open surface has no edge
        else:
            # the way's known edges (`_widths.way_edges_m`): none where its width is not mapped
            # or a carriageway runs on over sidewalks of unknown width, so that what the map
            # does not show never closes a way
            left, right = (float(e) for e in network.seg_edges_m[s])
            lo, hi = -right + half, left - half
            if lo > hi:
                continue  # the class cannot use this way at all: the envelope knows it
        result = _weave(t[a:b], offset[a:b], radius[a:b], lo, hi, half + CLEARANCE_M, vehicle, top_ms)
        if result is None:
            closed[s] = True
            found.binding[s] = obj[a:b].tolist()
        elif result[0]:
            found.stretches[s] = result[0]
            found.binding[s] = [int(obj[a + k]) for k in result[1]]
    return found


def _weave(  # noqa: PLR0917 (one segment's objects: all inputs are data)
    t: FloatArray,
    offset: FloatArray,
    radius: FloatArray,
    lo: float,
    hi: float,
    keep_off: float,
    vehicle: VehicleClass,
    top_ms: float,
) -> tuple[list[tuple[float, float, float]], list[int]] | None:
    """The capped stretches and the objects that bind on one segment, or None when it is closed."""
    gates = _gates(t, offset, radius, lo, hi, keep_off)
    if gates is None:
        return None
    chosen = _widest_line(gates)
    stretches: list[tuple[float, float, float]] = []
    binding: list[int] = []
    for g in range(1, len(gates)):
        radius_m = _bend_m(gates[g - 1], chosen[g - 1], gates[g], chosen[g])
        if radius_m == math.inf:
            continue
        if radius_m < vehicle.min_path_radius_m:
            return None  # a weave tighter than the class can steer
        cap = math.sqrt(vehicle.lateral_accel_ms2 * radius_m)
        if cap < top_ms:
            stretches.append((gates[g - 1][0], gates[g][0], cap))
            binding.extend(gates[g - 1][2] + gates[g][2])
    return stretches, sorted(set(binding))


_Gate = tuple[float, list[tuple[float, float]], list[int]]  # along, gaps for the centre, objects


def _gates(  # noqa: PLR0917 (one segment's objects: all inputs are data)
    t: FloatArray, offset: FloatArray, radius: FloatArray, lo: float, hi: float, keep_off: float
) -> list[_Gate] | None:
    """Cross-sections of objects within GATE_MERGE_M along, with their gaps; None if one has none."""
    gates: list[_Gate] = []
    k = 0
    n = t.shape[0]
    while k < n:
        j = k
        while j + 1 < n and t[j + 1] - t[k] <= GATE_MERGE_M:
            j += 1
        gaps = [(lo, hi)]
        for m in range(k, j + 1):
            block_lo = offset[m] - radius[m] - keep_off
            block_hi = offset[m] + radius[m] + keep_off
            gaps = [piece for g in gaps for piece in _minus(g, block_lo, block_hi)]
        if not gaps:
            return None
        gates.append((float(t[k : j + 1].mean()), gaps, list(range(k, j + 1))))
        k = j + 1
    return gates


def _bend_m(a: _Gate, i: int, b: _Gate, j: int) -> float:
    """Radius of the S-bend from gap i of gate a to gap j of gate b (inf when they line up)."""
    a_lo, a_hi = a[1][i]
    b_lo, b_hi = b[1][j]
    shift = max(0.0, b_lo - a_hi, a_lo - b_hi)
    if shift <= 0.0:
        return math.inf
    length = b[0] - a[0]
    return (length * length + shift * shift) / (4.0 * shift)


def _widest_line(gates: list[_Gate]) -> list[int]:
    """The gap chosen at each gate by the line whose tightest bend is widest."""
    best = [math.inf] * len(gates[0][1])
    back: list[list[int]] = [[-1] * len(gates[0][1])]
    for g in range(1, len(gates)):
        now: list[float] = []
        links: list[int] = []
        for j in range(len(gates[g][1])):
            through = [min(best[i], _bend_m(gates[g - 1], i, gates[g], j)) for i in range(len(best))]
            link = int(np.argmax(through))
            now.append(through[link])
            links.append(link)
        best = now
        back.append(links)
    pick = int(np.argmax(best))
    chosen = [pick]
    for g in range(len(gates) - 1, 0, -1):
        pick = back[g][pick]
        chosen.append(pick)
    chosen.reverse()
    return chosen


def _minus(gap: tuple[float, float], lo: float, hi: float) -> list[tuple[float, float]]:
    a, b = gap
    if hi <= a or lo >= b:
        return [gap]
    pieces = []
    if lo > a:
        pieces.append((a, lo))
    if hi < b:
        pieces.append((hi, b))
    return pieces
