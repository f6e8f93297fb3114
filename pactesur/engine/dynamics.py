"""Attainable speed of a hostile vehicle on every directed segment of a city, in one pass per class."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np
import numpy.typing as npt

from pactesur.engine.network import StreetNetwork, WayKind
from pactesur.engine.vehicles import VehicleClass

FloatArray = npt.NDArray[np.float64]
Int32Array = npt.NDArray[np.int32]
Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Below this deflection a vertex is straight: no turn limit, and a chain of such vertices is one
# straight for the arc-fitting rule (assumption: OSM node jitter is 1–2°).
STRAIGHT_DEFLECTION_RAD: float = math.radians(3.0)
# Lateral room the vehicle's centre keeps even on a way exactly its width: mapped widths are the
# paved width and a hostile driver overruns kerbs and verges (assumption; hostile-vehicles.md §7).
MIN_LATERAL_CLEARANCE_M: float = 0.5
# Convergence tolerance of the fixed point, m/s (assumption: far below any reported figure).
SPEED_TOLERANCE_MS: float = 1e-4
# A start slower than this is a standstill start for the approach path (assumption: 1.8 km/h).
STANDSTILL_MS: float = 0.5
# Longest chain of near-straight vertices followed when measuring room for a bend's arc.
MAX_STRAIGHT_CHAIN: int = 64
NO_TURN_LIMIT_MS: float = 1e9
# Speed buckets of the kernel's queue, m/s (a tuning figure: any width gives the same result).
BUCKET_WIDTH_MS: float = 0.1
# Widths are stored as float32: a gap or way "as wide as the vehicle" must still let it through
# after rounding (assumption: 1 cm, finer than any mapped width).
WIDTH_TOLERANCE_M: float = 0.01


@dataclass(frozen=True, eq=False)
class AttainableSpeeds:
    """The highest speed a vehicle class can have at every point of the network, from a standstill.

    Directed edge ``d`` runs along segment ``d // 2``: from ``seg_u`` to ``seg_v`` when ``d`` is
    even, the other way when odd. Arrays are indexed by directed edge (2 × segment count).

    Attributes
    ----------
    vehicle : the class analysed.
    usable : bool, the vehicle can drive along the edge (kind, width, barrier lines).
    start_speed_ms : the highest speed at the edge's tail, already within the turn limit onto it.
    end_speed_ms : the highest speed at the edge's head, NaN where unusable.
    predecessor : the edge the fastest approach came from, -1 for a standstill start at the tail.
    speeds_ms, run_up_m : the vehicle's D(v) table (run-up from standstill to each speed).
    successor_ptr, successor_edge, successor_turn_ms : the line graph in CSR form: the edges
        reachable from edge d through its head are ``successor_edge[successor_ptr[d]:successor_ptr[d+1]]``,
        with the speed limit of each turn.
    timings_s : preparation, line-graph (with turn limits) and fixed-point times, and their total;
        work shared by classes computed together is split evenly between them.
    edge_pops : how many times the kernel took an edge from its queue (≥ usable edges).

    Arrays that depend only on which segments and nodes the class can use (``usable``,
    ``successor_ptr``, ``successor_edge``) and the D(v) table are shared with other results and
    read-only.
    """

    vehicle: VehicleClass
    usable: BoolArray
    start_speed_ms: FloatArray
    end_speed_ms: FloatArray
    predecessor: Int32Array
    speeds_ms: FloatArray
    run_up_m: FloatArray
    successor_ptr: Int64Array
    successor_edge: Int32Array
    successor_turn_ms: FloatArray
    timings_s: dict[str, float] = field(default_factory=dict)
    edge_pops: int = 0

    @property
    def edge_count(self) -> int:
        return int(self.usable.shape[0])

    @property
    def transition_count(self) -> int:
        return int(self.successor_edge.shape[0])

    def turn_limit_ms(self, from_edge: int, to_edge: int) -> float:
        """Return the speed limit of the turn from one edge onto the next (0 if not allowed)."""
        lo, hi = int(self.successor_ptr[from_edge]), int(self.successor_ptr[from_edge + 1])
        hits = np.nonzero(self.successor_edge[lo:hi] == to_edge)[0]
        return float(self.successor_turn_ms[lo + int(hits[0])]) if hits.size else 0.0

    def speed_along_ms(self, edge: int, distance_m: float) -> float:
        """Return the highest speed at `distance_m` from the tail of directed edge `edge`."""
        return float(
            _accelerate(float(self.start_speed_ms[edge]), float(distance_m), self.speeds_ms, self.run_up_m)
        )

    def approach_edges(self, edge: int) -> list[int]:
        """Return the directed edges of the fastest approach to `edge`, standstill first, `edge` last.

        Predecessor links can close on themselves where the fastest approach laps a loop (the
        speed then sits at a turn limit of the loop); the walk stops at the first repeat.
        """
        chain: list[int] = []
        seen: set[int] = set()
        current = edge
        while current >= 0 and current not in seen:
            seen.add(current)
            chain.append(current)
            current = int(self.predecessor[current])
        chain.reverse()
        return chain


def directed_edge_count(network: StreetNetwork) -> int:
    return 2 * network.segment_count


def fits(widths_m: npt.NDArray[np.floating[Any]], vehicle: VehicleClass) -> BoolArray:
    """Return where a width (of a way, a gap) lets the vehicle through."""
    result: BoolArray = widths_m.astype(np.float64) + WIDTH_TOLERANCE_M >= vehicle.width_m
    return result


def usable_segments(network: StreetNetwork, vehicle: VehicleClass) -> BoolArray:
    """Return which segments the hostile vehicle can drive: not steps, wide enough, gaps wide enough."""
    usable: BoolArray = (
        (network.seg_kind != int(WayKind.STEPS))
        & fits(network.seg_width_m, vehicle)
        & fits(network.seg_gap_m, vehicle)
    )
    return usable


@dataclass(frozen=True, eq=False)
class _LineGraph:
    """The transitions usable by every class that shares one usability mask, before turn limits."""

    seg_usable: BoolArray
    node_passable: BoolArray
    succ_ptr: Int64Array
    succ_edge: Int32Array
    near_m: FloatArray
    far_len_m: FloatArray
    far_tan: FloatArray
    build_s: float


@dataclass(frozen=True, eq=False)
class PreparedNetwork:
    """The part of the speed analysis of a network that no vehicle changes, kept for reuse.

    It holds the network's arrays in the kernels' types, the heading of every segment and, built
    on first use, the line graph (transitions and the room behind each edge for a bend's arc) of
    each usability mask. Classes whose width admits exactly the same segments and nodes share one
    line graph, so analysing the six classes builds it about twice. Keep one per network where
    many classes or many requests use the same network; it is safe to share between threads.

    Attributes
    ----------
    network : the network prepared.
    prepare_s : seconds spent preparing (line graphs are timed in the results that build them).
    """

    network: StreetNetwork
    seg_u: Int64Array
    seg_v: Int64Array
    length_m: FloatArray
    width_m: FloatArray
    unit_x: FloatArray
    unit_y: FloatArray
    width_thresholds_m: FloatArray
    prepare_s: float
    _line_graphs: dict[int, _LineGraph] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def mask_key(self, vehicle: VehicleClass) -> int:
        """Return a key equal for two classes exactly when they can use the same segments and nodes."""
        # `fits` admits a width w when w + tolerance ≥ vehicle width: classes between the same two
        # distinct widths of the network see identical masks.
        return int(np.searchsorted(self.width_thresholds_m, vehicle.width_m, side="left"))

    def line_graph(self, vehicle: VehicleClass) -> tuple[_LineGraph, bool]:
        """Return the line graph of the vehicle's usability mask, and whether it was built now."""
        key = self.mask_key(vehicle)
        with self._lock:
            cached = self._line_graphs.get(key)
            if cached is not None:
                return cached, False
            t0 = time.perf_counter()
            seg_usable = usable_segments(self.network, vehicle)
            node_passable = fits(self.network.node_gap_m, vehicle)
            succ_ptr, succ_edge, near, far_len, far_tan = _line_graph(
                self.seg_u,
                self.seg_v,
                self.length_m,
                seg_usable,
                node_passable,
                self.unit_x,
                self.unit_y,
            )
            # Shared by every class with this mask, in each of their results: never written.
            for array in (seg_usable, node_passable, succ_ptr, succ_edge):
                array.setflags(write=False)
            built = _LineGraph(
                seg_usable=seg_usable,
                node_passable=node_passable,
                succ_ptr=succ_ptr,
                succ_edge=succ_edge,
                near_m=near,
                far_len_m=far_len,
                far_tan=far_tan,
                build_s=time.perf_counter() - t0,
            )
            self._line_graphs[key] = built
            return built, True


def prepare_network(network: StreetNetwork) -> PreparedNetwork:
    """Prepare a network for the speed analysis of any number of vehicle classes.

    Parameters
    ----------
    network
        The city's street network.

    Returns
    -------
    The vehicle-independent preparation; pass it as ``prepared=`` to `attainable_speeds` or
    `attainable_speeds_of_classes` (or `pactesur.engine.vda.city_speeds`) to reuse it.
    """
    t0 = time.perf_counter()
    seg_u = np.ascontiguousarray(network.seg_u, dtype=np.int64)
    seg_v = np.ascontiguousarray(network.seg_v, dtype=np.int64)
    node_x = np.ascontiguousarray(network.node_x, dtype=np.float64)
    node_y = np.ascontiguousarray(network.node_y, dtype=np.float64)
    unit_x, unit_y = _unit_vectors(seg_u, seg_v, node_x, node_y)
    widths = np.concatenate(
        (
            network.seg_width_m.astype(np.float64),
            network.seg_gap_m.astype(np.float64),
            network.node_gap_m.astype(np.float64),
        )
    )
    return PreparedNetwork(
        network=network,
        seg_u=seg_u,
        seg_v=seg_v,
        length_m=network.seg_length_m.astype(np.float64),
        width_m=network.seg_width_m.astype(np.float64),
        unit_x=unit_x,
        unit_y=unit_y,
        width_thresholds_m=np.unique(widths + WIDTH_TOLERANCE_M),
        prepare_s=time.perf_counter() - t0,
    )


def attainable_speeds(
    network: StreetNetwork, vehicle: VehicleClass, *, prepared: PreparedNetwork | None = None
) -> AttainableSpeeds:
    """Compute the highest speed the vehicle can reach on every directed edge of the network.

    The hostile driver starts from a standstill anywhere, ignores traffic rules, drives every
    usable segment both ways, passes a node only where its barrier gap is at least the vehicle's
    width (it may still arrive at a closed node), takes no U-turn on a segment, and slows at each
    vertex to v = √(a_lat · r), r the widest arc the corridor allows. The speeds are the least
    fixed point of

        v_end(e) = D⁻¹(D(v_start(e)) + L_e),
        v_start(e) = max(0, max_p min(v_end(p), v_turn(p, e))),

    found by a label-correcting sweep over the line graph (see docs/vehicle-dynamics.md).

    Parameters
    ----------
    network
        The city's street network.
    vehicle
        The hostile vehicle class.
    prepared
        The network's `prepare_network`, to reuse its line graphs across calls; prepared
        afresh when None.

    Returns
    -------
    The per-edge speeds with the predecessor links of the fastest approaches.
    """
    return attainable_speeds_of_classes(network, (vehicle,), prepared=prepared)[0]


def attainable_speeds_of_classes(
    network: StreetNetwork,
    vehicles: Iterable[VehicleClass],
    *,
    prepared: PreparedNetwork | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[AttainableSpeeds]:
    """Compute `attainable_speeds` for several classes, sharing the work that does not depend on them.

    Classes with the same usability mask share one line graph, and the turn geometry of each
    transition (heading change, room for the arc's tangent points) is computed once for all of
    them; each class then runs its own fixed point. The results equal separate
    `attainable_speeds` calls. Shared time is split evenly between the classes that shared it
    in their ``timings_s``.

    Parameters
    ----------
    network
        The city's street network.
    vehicles
        The classes to analyse.
    prepared
        The network's `prepare_network`, reused when given.
    progress
        Called with a short message before each group of classes.

    Returns
    -------
    One result per class, in the order given.

    Raises
    ------
    ValueError
        When `prepared` was made for another network.
    """
    t0 = time.perf_counter()
    classes = tuple(vehicles)
    if prepared is None:
        prepared = prepare_network(network)
        prepare_s = time.perf_counter() - t0
    elif prepared.network is not network:
        msg = "the prepared network was made for another network: call prepare_network(network)"
        raise ValueError(msg)
    else:
        prepare_s = 0.0
    groups: dict[int, list[int]] = {}
    for index, vehicle in enumerate(classes):
        groups.setdefault(prepared.mask_key(vehicle), []).append(index)
    results: list[AttainableSpeeds | None] = [None] * len(classes)
    for members in groups.values():
        group = [classes[i] for i in members]
        if progress is not None:
            names = ", ".join(f"{v.code} ({v.description})" for v in group)
            progress(f"speeds for {names} over {2 * network.segment_count} edges")
        for i, result in zip(members, _group_speeds(prepared, group, prepare_s / len(classes)), strict=True):
            results[i] = result
    return [r for r in results if r is not None]


def _group_speeds(
    prepared: PreparedNetwork, group: list[VehicleClass], prepare_share_s: float
) -> list[AttainableSpeeds]:
    """Speeds of classes sharing one usability mask: one line graph, one turn-geometry pass."""
    t0 = time.perf_counter()
    graph, built = prepared.line_graph(group[0])
    t1 = time.perf_counter()
    turn_ms = _turn_limits(
        prepared.width_m,
        graph.succ_ptr,
        graph.succ_edge,
        graph.near_m,
        graph.far_len_m,
        graph.far_tan,
        prepared.unit_x,
        prepared.unit_y,
        np.array([v.width_m for v in group], dtype=np.float64),
        np.array([v.lateral_accel_ms2 for v in group], dtype=np.float64),
    )
    t2 = time.perf_counter()
    line_graph_share_s = ((t1 - t0 if built else 0.0) + (t2 - t1)) / len(group)
    edge_usable = np.repeat(graph.seg_usable, 2)
    edge_usable.setflags(write=False)
    results: list[AttainableSpeeds] = []
    for row, vehicle in enumerate(group):
        t3 = time.perf_counter()
        speeds_ms, run_up_m = vehicle.run_up_table()
        start, end, pred, pops = _solve(graph, prepared.length_m, turn_ms[row], speeds_ms, run_up_m)
        fixed_point_s = time.perf_counter() - t3
        results.append(
            AttainableSpeeds(
                vehicle=vehicle,
                usable=edge_usable,
                start_speed_ms=start,
                end_speed_ms=end,
                predecessor=pred,
                speeds_ms=speeds_ms,
                run_up_m=run_up_m,
                successor_ptr=graph.succ_ptr,
                successor_edge=graph.succ_edge,
                successor_turn_ms=turn_ms[row],
                timings_s={
                    "prepare": prepare_share_s,
                    "line_graph": line_graph_share_s,
                    "fixed_point": fixed_point_s,
                    "total": prepare_share_s + line_graph_share_s + fixed_point_s,
                },
                edge_pops=pops,
            )
        )
    return results


def _solve(
    graph: _LineGraph,
    length_m: FloatArray,
    turn_ms: FloatArray,
    speeds_ms: FloatArray,
    run_up_m: FloatArray,
) -> tuple[FloatArray, FloatArray, Int32Array, int]:
    """Run the fixed point of one class; return start and end speeds, predecessors and pops."""
    state = np.empty(graph.succ_ptr.shape[0] - 1, dtype=_EDGE_STATE)
    inverse, scale = _inverse_run_up(run_up_m)
    pops = _fixed_point(
        graph.seg_usable,
        length_m,
        state,
        graph.succ_ptr,
        graph.succ_edge,
        turn_ms,
        speeds_ms,
        run_up_m,
        inverse,
        scale,
    )
    start, end, pred = _unpack(state)
    return start, end, pred, int(pops)


def turn_speed_ms(
    deflection_rad: float,
    width_m: float,
    room_in_m: float,
    room_out_m: float,
    lateral_accel_ms2: float,
) -> float:
    """Return the speed limit of one bend (pure-Python twin of the kernel's rule, for tests and docs).

    Parameters
    ----------
    deflection_rad
        Change of heading at the vertex (0 straight, π a U-turn).
    width_m
        Corridor width left to the vehicle's centre (way width minus vehicle width).
    room_in_m, room_out_m
        Length of the incoming and outgoing straights available to the arc's tangent points.
    lateral_accel_ms2
        The vehicle's lateral acceleration limit.
    """
    return float(_turn_speed(deflection_rad, width_m, room_in_m, room_out_m, lateral_accel_ms2))


@numba.njit(cache=True, nogil=True)
def _turn_speed(
    deflection: float, width: float, room_in: float, room_out: float, lateral_accel: float
) -> float:
    # Line from the outer edge to the apex and back out: r = w / (1 − cos(θ/2)); arcs whose
    # tangent points fit on the straights: r ≤ room / tan(θ/2), plus half the width by which a
    # long arc can move outwards. The lower of the two bounds the radius.
    if deflection < 1e-9:
        return NO_TURN_LIMIT_MS
    half = 0.5 * deflection
    one_minus_cos = 1.0 - math.cos(half)
    r_width = width / one_minus_cos if one_minus_cos > 1e-15 else math.inf
    tan_half = math.tan(half) if half < 0.5 * math.pi - 1e-9 else math.inf
    r_fit = min(room_in, room_out) / tan_half + 0.5 * width
    r = min(r_width, r_fit)
    return math.sqrt(lateral_accel * max(r, 0.0))


@numba.njit(cache=True, nogil=True)
def _accelerate(v_in: float, distance: float, speeds: FloatArray, run_up: FloatArray) -> float:
    # v_out = D⁻¹(D(v_in) + L) on the tabulated D; speeds are a uniform grid.
    n = speeds.shape[0]
    v_top = speeds[n - 1]
    if v_in >= v_top:
        return float(v_top)
    step = speeds[1] - speeds[0]
    pos = v_in / step
    i = int(pos)
    if i >= n - 1:
        i = n - 2
    frac = pos - i
    d_target = run_up[i] + frac * (run_up[i + 1] - run_up[i]) + distance
    if d_target >= run_up[n - 1]:
        return float(v_top)
    lo = i
    hi = n - 1
    while hi - lo > 1:
        mid = (lo + hi) >> 1
        if run_up[mid] <= d_target:
            lo = mid
        else:
            hi = mid
    span = run_up[hi] - run_up[lo]
    t = (d_target - run_up[lo]) / span if span > 0.0 else 0.0
    return float(speeds[lo] + t * (speeds[hi] - speeds[lo]))


@numba.njit(cache=True, nogil=True)
def _unit_vectors(
    seg_u: Int64Array, seg_v: Int64Array, x: FloatArray, y: FloatArray
) -> tuple[FloatArray, FloatArray]:
    # Heading of each segment u → v as a unit vector; zero for a zero-length segment.
    m = seg_u.shape[0]
    ux = np.zeros(m, dtype=np.float64)
    uy = np.zeros(m, dtype=np.float64)
    for s in range(m):
        dx = x[seg_v[s]] - x[seg_u[s]]
        dy = y[seg_v[s]] - y[seg_u[s]]
        norm = math.hypot(dx, dy)
        if norm > 1e-9:
            ux[s] = dx / norm
            uy[s] = dy / norm
    return ux, uy


@numba.njit(cache=True, nogil=True)
def _deflection(d_in: int, d_out: int, ux: FloatArray, uy: FloatArray) -> float:
    # Heading change from edge d_in to edge d_out (0 straight on, π a reversal).
    s_in, s_out = d_in >> 1, d_out >> 1
    sign = -1.0 if (d_in & 1) != (d_out & 1) else 1.0
    c = sign * (ux[s_in] * ux[s_out] + uy[s_in] * uy[s_out])
    if (ux[s_in] == 0.0 and uy[s_in] == 0.0) or (ux[s_out] == 0.0 and uy[s_out] == 0.0):
        return 0.0
    return math.acos(min(1.0, max(-1.0, c)))


@numba.njit(cache=True, nogil=True)
def _out_edges(
    seg_u: Int64Array, seg_v: Int64Array, seg_usable: BoolArray, n: int
) -> tuple[Int64Array, Int64Array]:
    # Outgoing usable directed edges per node, CSR by tail node.
    m = seg_u.shape[0]
    out_count = np.zeros(n + 1, dtype=np.int64)
    for s in range(m):
        if seg_usable[s]:
            out_count[seg_u[s] + 1] += 1
            out_count[seg_v[s] + 1] += 1
    out_ptr = np.cumsum(out_count)
    out_edge = np.empty(out_ptr[n], dtype=np.int64)
    fill = out_ptr[:-1].copy()
    for s in range(m):
        if seg_usable[s]:
            out_edge[fill[seg_u[s]]] = 2 * s
            fill[seg_u[s]] += 1
            out_edge[fill[seg_v[s]]] = 2 * s + 1
            fill[seg_v[s]] += 1
    return out_ptr, out_edge


@numba.njit(cache=True, nogil=True)
def _arc_room(  # noqa: PLR0917 (numba kernels take arrays positionally)
    seg_u: Int64Array,
    seg_v: Int64Array,
    length: FloatArray,
    seg_usable: BoolArray,
    node_passable: BoolArray,
    out_ptr: Int64Array,
    out_edge: Int64Array,
    ux: FloatArray,
    uy: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    # Room for an arc behind each edge's head: follow near-straight chains back through
    # degree-2 nodes; the farthest segment is shared with the bend at its far end in proportion
    # to tan(θ/2) of both bends, so that two arcs of one radius just fit on it.
    n_edges = 2 * seg_u.shape[0]
    near = np.zeros(n_edges, dtype=np.float64)
    far_len = np.zeros(n_edges, dtype=np.float64)
    far_tan = np.zeros(n_edges, dtype=np.float64)
    for d in range(n_edges):
        if not seg_usable[d >> 1]:
            continue
        cur = d
        acc = 0.0
        for _ in range(MAX_STRAIGHT_CHAIN):
            s = cur >> 1
            tail = seg_v[s] if cur & 1 else seg_u[s]
            if out_ptr[tail + 1] - out_ptr[tail] != 2 or not node_passable[tail]:
                far_len[d] = length[s]
                break
            other = out_edge[out_ptr[tail]]  # the edge leaving `tail` backwards, not `cur`
            if other == cur:
                other = out_edge[out_ptr[tail] + 1]
            prev = other ^ 1  # the edge arriving at `tail` from the other side
            phi = _deflection(prev, cur, ux, uy)
            if prev == cur or phi >= STRAIGHT_DEFLECTION_RAD:
                far_len[d] = length[s]
                far_tan[d] = math.tan(0.5 * min(phi, math.pi - 1e-6))
                break
            acc += length[s]
            cur = prev
        near[d] = acc
    return near, far_len, far_tan


@numba.njit(cache=True, nogil=True)
def _line_graph(  # noqa: PLR0917 (numba kernels take arrays positionally)
    seg_u: Int64Array,
    seg_v: Int64Array,
    length: FloatArray,
    seg_usable: BoolArray,
    node_passable: BoolArray,
    ux: FloatArray,
    uy: FloatArray,
) -> tuple[Int64Array, Int32Array, FloatArray, FloatArray, FloatArray]:
    # Transitions p → e through passable nodes (no U-turn onto the same segment), CSR by p, and
    # the room for arcs behind each edge's head; the turn limits come from `_turn_limits`.
    n_edges = 2 * seg_u.shape[0]
    out_ptr, out_edge = _out_edges(seg_u, seg_v, seg_usable, node_passable.shape[0])
    near, far_len, far_tan = _arc_room(
        seg_u, seg_v, length, seg_usable, node_passable, out_ptr, out_edge, ux, uy
    )
    succ_ptr = np.empty(n_edges + 1, dtype=np.int64)
    succ_ptr[0] = 0
    for d in range(n_edges):
        s = d >> 1
        head = seg_u[s] if d & 1 else seg_v[s]
        count = 0
        if seg_usable[s] and node_passable[head]:
            count = out_ptr[head + 1] - out_ptr[head] - 1
        succ_ptr[d + 1] = succ_ptr[d] + count
    succ_edge = np.empty(succ_ptr[n_edges], dtype=np.int32)
    for d in range(n_edges):
        pos = succ_ptr[d]
        if succ_ptr[d + 1] == pos:
            continue
        s = d >> 1
        head = seg_u[s] if d & 1 else seg_v[s]
        for j in range(out_ptr[head], out_ptr[head + 1]):
            e = out_edge[j]
            if e != (d ^ 1):
                succ_edge[pos] = e
                pos += 1
    return succ_ptr, succ_edge, near, far_len, far_tan


@numba.njit(cache=True, nogil=True)
def _turn_limits(  # noqa: PLR0917 (numba kernels take arrays positionally)
    width: FloatArray,
    succ_ptr: Int64Array,
    succ_edge: Int32Array,
    near: FloatArray,
    far_len: FloatArray,
    far_tan: FloatArray,
    ux: FloatArray,
    uy: FloatArray,
    vehicle_width: FloatArray,
    lateral_accel: FloatArray,
) -> FloatArray:
    # The speed limit of every transition for several classes at once: the geometry (heading
    # change, its trigonometry, the room for the tangent points) depends on no vehicle and is
    # computed once; each class adds only its corridor and lateral limit. Same arithmetic, in
    # the same order, as `_turn_speed`.
    n_classes = vehicle_width.shape[0]
    n_edges = succ_ptr.shape[0] - 1
    limits = np.empty((n_classes, succ_edge.shape[0]), dtype=np.float64)
    t_cap = math.tan(0.5 * (math.pi - 1e-6))
    for d in range(n_edges):
        s = d >> 1
        for k in range(succ_ptr[d], succ_ptr[d + 1]):
            e = succ_edge[k]
            theta = _deflection(d, e, ux, uy)
            if theta < 1e-9:
                for c in range(n_classes):
                    limits[c, k] = NO_TURN_LIMIT_MS
                continue
            half = 0.5 * theta
            tan_half = math.tan(half)
            t = tan_half if theta <= math.pi - 1e-6 else t_cap
            rev = e ^ 1
            room_in = near[d] + far_len[d] * (t / (far_tan[d] + t))
            room_out = near[rev] + far_len[rev] * (t / (far_tan[rev] + t))
            one_minus_cos = 1.0 - math.cos(half)
            if half >= 0.5 * math.pi - 1e-9:
                tan_half = math.inf
            r_fit_base = min(room_in, room_out) / tan_half
            mean_width = 0.5 * (width[s] + width[e >> 1])
            for c in range(n_classes):
                corridor = max(mean_width - vehicle_width[c], MIN_LATERAL_CLEARANCE_M)
                r_width = corridor / one_minus_cos if one_minus_cos > 1e-15 else math.inf
                r = min(r_width, r_fit_base + 0.5 * corridor)
                limits[c, k] = math.sqrt(lateral_accel[c] * max(r, 0.0))
    return limits


# Per-edge state of the fixed point, one record so that an update touches one cache line:
# speeds at the tail and head, length, predecessor, and the edge's live slot in the queue pool
# (-1 when not queued).
_EDGE_STATE = np.dtype(
    [
        ("start", np.float64),
        ("end", np.float64),
        ("length", np.float64),
        ("pred", np.int32),
        ("slot", np.int32),
    ],
    align=True,
)
# Bins of the inverse table of D (a tuning figure: any count gives the same result; at 2 per
# table entry almost every lookup lands within one table interval).
INVERSE_BINS_PER_ENTRY: int = 2


@numba.njit(cache=True, nogil=True)
def _inverse_run_up(run_up: FloatArray) -> tuple[Int32Array, float]:
    # Bins of equal width in √D (D grows like v² from a standstill, so bins in √D hold about one
    # table interval each, at every speed), each holding the last table index whose run-up is at
    # most the bin's start; returns the table and the bin scale. D⁻¹ then needs no search.
    n = run_up.shape[0]
    n_bins = INVERSE_BINS_PER_ENTRY * (n - 1)
    scale = n_bins / math.sqrt(run_up[n - 1])
    inverse = np.empty(n_bins + 2, dtype=np.int32)
    i = 0
    for j in range(n_bins + 2):
        d = (j / scale) ** 2
        while i + 1 < n and run_up[i + 1] <= d:
            i += 1
        inverse[j] = i
    return inverse, scale


@numba.njit(cache=True, nogil=True)
def _speed_at_run_up(
    d_target: float, speeds: FloatArray, run_up: FloatArray, inverse: Int32Array, inverse_scale: float
) -> float:
    # D⁻¹(d_target). The table interval holding d_target is unique (D is strictly increasing),
    # so finding it through the inverse table gives `_accelerate`'s binary-search result exactly.
    n = speeds.shape[0]
    if d_target >= run_up[n - 1]:
        return float(speeds[n - 1])
    lo = int(inverse[min(int(math.sqrt(d_target) * inverse_scale), inverse.shape[0] - 1)])
    # the bin's start is rounded: step to run_up[lo] ≤ d_target < run_up[lo + 1]
    while lo > 0 and run_up[lo] > d_target:
        lo -= 1
    while run_up[lo + 1] <= d_target:
        lo += 1
    hi = lo + 1
    span = run_up[hi] - run_up[lo]
    t = (d_target - run_up[lo]) / span if span > 0.0 else 0.0
    return float(speeds[lo] + t * (speeds[hi] - speeds[lo]))


@numba.njit(cache=True, nogil=True)
def _accelerate_table(  # noqa: PLR0917 (numba kernels take arrays positionally)
    v_in: float,
    distance: float,
    speeds: FloatArray,
    run_up: FloatArray,
    inverse: Int32Array,
    inverse_scale: float,
) -> float:
    # `_accelerate` with D⁻¹ through the inverse table: the same arithmetic, the same result.
    n = speeds.shape[0]
    if v_in >= speeds[n - 1]:
        return float(speeds[n - 1])
    pos = v_in / (speeds[1] - speeds[0])
    i = int(pos)
    if i >= n - 1:
        i = n - 2
    frac = pos - i
    d_target = run_up[i] + frac * (run_up[i + 1] - run_up[i]) + distance
    return _speed_at_run_up(d_target, speeds, run_up, inverse, inverse_scale)


@numba.njit(cache=True, nogil=True)
def _push(  # noqa: PLR0917 (numba kernels take arrays positionally)
    pool: Int32Array, used: int, free: int, first: Int32Array, e: int, b: int
) -> tuple[Int32Array, int, int, int]:
    # Push edge e on bucket b's stack in a recycled cell, or a new one (the pool doubles when
    # full); return the pool, its high-water mark, the free list and the cell.
    if free >= 0:
        cell = free
        free = pool[cell, 1]
    else:
        if used == pool.shape[0]:
            grown = np.empty((2 * pool.shape[0], 2), dtype=np.int32)
            grown[:used] = pool
            pool = grown
        cell = used
        used += 1
    pool[cell, 0] = e
    pool[cell, 1] = first[b]
    first[b] = cell
    return pool, used, free, cell


# `slot` of an edge still waiting in its standstill bucket (not yet moved or taken).
QUEUED_AT_STANDSTILL: int = -2


@numba.njit(cache=True, nogil=True)
def _standstill_buckets(  # noqa: PLR0917 (numba kernels take arrays positionally)
    seg_usable: BoolArray,
    length: FloatArray,
    state: npt.NDArray[np.void],
    speeds: FloatArray,
    run_up: FloatArray,
    inverse: Int32Array,
    scale: float,
    n_buckets: int,
) -> tuple[Int64Array, Int32Array]:
    # Fill the state: every usable edge at its standstill speed D⁻¹(L) (D(0) = 0: the run-up is
    # the length; one lookup serves both directions). Return the edges of each bucket in CSR
    # form, in the order a stack filled by increasing index gives them back: decreasing index.
    count = np.zeros(n_buckets + 1, dtype=np.int64)
    for s in range(seg_usable.shape[0]):
        v = _speed_at_run_up(length[s], speeds, run_up, inverse, scale) if seg_usable[s] else math.nan
        for d in (2 * s, 2 * s + 1):
            rec = state[d]
            rec.start = 0.0
            rec.end = v
            rec.length = length[s]
            rec.pred = -1
            rec.slot = QUEUED_AT_STANDSTILL if seg_usable[s] else -1
        if seg_usable[s]:
            count[int(v / BUCKET_WIDTH_MS) + 1] += 2
    ptr = np.cumsum(count)
    fill = ptr[:-1].copy()
    edges = np.empty(ptr[n_buckets], dtype=np.int32)
    for d in range(state.shape[0] - 1, -1, -1):
        if seg_usable[d >> 1]:
            b = int(state[d].end / BUCKET_WIDTH_MS)
            edges[fill[b]] = d
            fill[b] += 1
    return ptr, edges


@numba.njit(cache=True, nogil=True)
def _unpack(state: npt.NDArray[np.void]) -> tuple[FloatArray, FloatArray, Int32Array]:
    # The result arrays from the kernel's per-edge records, in one pass.
    n = state.shape[0]
    start = np.empty(n, dtype=np.float64)
    end = np.empty(n, dtype=np.float64)
    pred = np.empty(n, dtype=np.int32)
    for d in range(n):
        rec = state[d]
        start[d] = rec.start
        end[d] = rec.end
        pred[d] = rec.pred
    return start, end, pred


@numba.njit(cache=True, nogil=True)
def _pop(  # noqa: PLR0917 (numba kernels take arrays positionally)
    top: int,
    first: Int32Array,
    pool: Int32Array,
    free: int,
    standstill_ptr: Int64Array,
    standstill_next: Int64Array,
    standstill_edges: Int32Array,
    state: npt.NDArray[np.void],
) -> tuple[int, int, int]:
    # Take the edge on top of the fastest non-empty bucket: its stack of pushed cells first, then
    # its standstill edges; dead cells and edges that have moved or been taken are dropped.
    # Returns the edge (-1 when the queue is empty), the top bucket and the free list.
    while top >= 0:
        cell = first[top]
        if cell >= 0:
            first[top] = pool[cell, 1]
            e = pool[cell, 0]
            pool[cell, 1] = free
            free = cell
            if e >= 0:
                return e, top, free
        elif standstill_next[top] < standstill_ptr[top + 1]:
            e = standstill_edges[standstill_next[top]]
            standstill_next[top] += 1
            if state[e].slot == QUEUED_AT_STANDSTILL:
                return e, top, free
        else:
            top -= 1
    return -1, top, free


@numba.njit(cache=True, nogil=True)
def _fixed_point(  # noqa: PLR0917 (numba kernels take arrays positionally)
    seg_usable: BoolArray,
    length: FloatArray,
    state: npt.NDArray[np.void],
    succ_ptr: Int64Array,
    succ_edge: Int32Array,
    succ_vturn: FloatArray,
    speeds: FloatArray,
    run_up: FloatArray,
    inverse: Int32Array,
    scale: float,
) -> int:
    # Label correction, fastest first: a bucket queue on end speed (buckets of BUCKET_WIDTH_MS,
    # each a stack: the last edge pushed is taken first). Every usable edge starts in the bucket
    # of its standstill speed; those edges sit in one array per bucket, read in order, beneath
    # the bucket's stack of cells pushed later. An edge whose speed rises into a higher bucket is
    # pushed there at once and its old place marked dead (its cell, or its `slot`), to be dropped
    # when reached; cells are recycled through a free list, so the pool stays small and warm.
    # Labels only rise and are bounded by the top speed. Taking the fastest first lets an
    # accelerating run propagate down its whole street before slower starts are looked at, so
    # most edges are settled by their first pop; every queue operation is O(1) amortised.
    n_edges = succ_ptr.shape[0] - 1
    n_buckets = int(speeds[speeds.shape[0] - 1] / BUCKET_WIDTH_MS) + 2
    standstill_ptr, standstill_edges = _standstill_buckets(
        seg_usable, length, state, speeds, run_up, inverse, scale, n_buckets
    )
    standstill_next = standstill_ptr[:-1].copy()
    first = np.full(n_buckets, -1, dtype=np.int32)
    pool = np.empty((n_edges // 8 + 1024, 2), dtype=np.int32)
    used = 0
    free = -1
    top = n_buckets - 1
    pops = 0
    while True:
        p, top, free = _pop(top, first, pool, free, standstill_ptr, standstill_next, standstill_edges, state)
        if p < 0:
            break
        state[p].slot = -1
        pops += 1
        vp = state[p].end
        for k in range(succ_ptr[p], succ_ptr[p + 1]):
            e = succ_edge[k]
            vin = min(vp, succ_vturn[k])
            rec = state[e]
            if vin <= rec.start + SPEED_TOLERANCE_MS:
                continue
            rec.start = vin
            rec.pred = p if vin > STANDSTILL_MS else -1
            vout = _accelerate_table(vin, rec.length, speeds, run_up, inverse, scale)
            old = rec.end
            if vout > old + SPEED_TOLERANCE_MS:
                rec.end = vout
                b = int(vout / BUCKET_WIDTH_MS)
                # while queued an edge sits in the bucket of its end speed
                if rec.slot == -1 or int(old / BUCKET_WIDTH_MS) != b:
                    if rec.slot >= 0:
                        pool[rec.slot, 0] = -1  # its cell in the lower bucket is dead
                    pool, used, free, rec.slot = _push(pool, used, free, first, e, b)
                    top = max(top, b)
    return pops
