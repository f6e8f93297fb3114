"""Attainable speed of a hostile vehicle on every directed segment of a city, in one pass per class."""

from __future__ import annotations

import math
import time
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
    timings_s : preparation, line-graph and fixed-point times.
    edge_pops : how many times the kernel took an edge from its queue (≥ usable edges).
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


def attainable_speeds(network: StreetNetwork, vehicle: VehicleClass) -> AttainableSpeeds:
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

    Returns
    -------
    The per-edge speeds with the predecessor links of the fastest approaches.
    """
    t0 = time.perf_counter()
    speeds_ms, run_up_m = vehicle.run_up_table()
    seg_usable = usable_segments(network, vehicle)
    node_passable = fits(network.node_gap_m, vehicle)
    length = network.seg_length_m.astype(np.float64)
    width = network.seg_width_m.astype(np.float64)
    node_x = np.ascontiguousarray(network.node_x, dtype=np.float64)
    node_y = np.ascontiguousarray(network.node_y, dtype=np.float64)
    seg_u = np.ascontiguousarray(network.seg_u, dtype=np.int64)
    seg_v = np.ascontiguousarray(network.seg_v, dtype=np.int64)
    t1 = time.perf_counter()
    succ_ptr, succ_edge, succ_vturn = _line_graph(
        seg_u,
        seg_v,
        length,
        width,
        seg_usable,
        node_passable,
        node_x,
        node_y,
        vehicle.width_m,
        vehicle.lateral_accel_ms2,
    )
    t2 = time.perf_counter()
    start, end, pred, pops = _fixed_point(
        seg_usable, length, succ_ptr, succ_edge, succ_vturn, speeds_ms, run_up_m
    )
    t3 = time.perf_counter()
    edge_usable = np.repeat(seg_usable, 2)
    return AttainableSpeeds(
        vehicle=vehicle,
        usable=edge_usable,
        start_speed_ms=start,
        end_speed_ms=end,
        predecessor=pred,
        speeds_ms=speeds_ms,
        run_up_m=run_up_m,
        successor_ptr=succ_ptr,
        successor_edge=succ_edge,
        successor_turn_ms=succ_vturn,
        timings_s={"prepare": t1 - t0, "line_graph": t2 - t1, "fixed_point": t3 - t2, "total": t3 - t0},
        edge_pops=int(pops),
    )


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
    width: FloatArray,
    seg_usable: BoolArray,
    node_passable: BoolArray,
    x: FloatArray,
    y: FloatArray,
    vehicle_width: float,
    lateral_accel: float,
) -> tuple[Int64Array, Int32Array, FloatArray]:
    # Transitions p → e through passable nodes (no U-turn onto the same segment), CSR by p,
    # with the speed limit of each turn.
    n_edges = 2 * seg_u.shape[0]
    out_ptr, out_edge = _out_edges(seg_u, seg_v, seg_usable, x.shape[0])
    ux, uy = _unit_vectors(seg_u, seg_v, x, y)
    near, far_len, far_tan = _arc_room(
        seg_u, seg_v, length, seg_usable, node_passable, out_ptr, out_edge, ux, uy
    )
    succ_count = np.zeros(n_edges + 1, dtype=np.int64)
    for d in range(n_edges):
        s = d >> 1
        head = seg_u[s] if d & 1 else seg_v[s]
        if seg_usable[s] and node_passable[head]:
            succ_count[d + 1] = out_ptr[head + 1] - out_ptr[head] - 1
    succ_ptr = np.cumsum(succ_count)
    succ_edge = np.empty(succ_ptr[n_edges], dtype=np.int32)
    succ_vturn = np.empty(succ_ptr[n_edges], dtype=np.float64)
    for d in range(n_edges):
        pos = succ_ptr[d]
        if succ_ptr[d + 1] == pos:
            continue
        s = d >> 1
        head = seg_u[s] if d & 1 else seg_v[s]
        for j in range(out_ptr[head], out_ptr[head + 1]):
            e = out_edge[j]
            if e == (d ^ 1):
                continue
            theta = _deflection(d, e, ux, uy)
            corridor = max(0.5 * (width[s] + width[e >> 1]) - vehicle_width, MIN_LATERAL_CLEARANCE_M)
            t = math.tan(0.5 * min(theta, math.pi - 1e-6))
            rev = e ^ 1
            room_in = near[d] + far_len[d] * (t / (far_tan[d] + t) if t > 0.0 else 1.0)
            room_out = near[rev] + far_len[rev] * (t / (far_tan[rev] + t) if t > 0.0 else 1.0)
            succ_edge[pos] = e
            succ_vturn[pos] = _turn_speed(theta, corridor, room_in, room_out, lateral_accel)
            pos += 1
    return succ_ptr, succ_edge, succ_vturn


@numba.njit(cache=True, nogil=True)
def _bucket_insert(  # noqa: PLR0917 (numba kernels take arrays positionally)
    first: Int32Array, nxt: Int32Array, prv: Int32Array, bucket: Int32Array, e: int, b: int
) -> None:
    head = first[b]
    nxt[e] = head
    prv[e] = -1
    if head >= 0:
        prv[head] = e
    first[b] = e
    bucket[e] = b


@numba.njit(cache=True, nogil=True)
def _bucket_remove(first: Int32Array, nxt: Int32Array, prv: Int32Array, bucket: Int32Array, e: int) -> None:
    before, after = prv[e], nxt[e]
    if before >= 0:
        nxt[before] = after
    else:
        first[bucket[e]] = after
    if after >= 0:
        prv[after] = before
    bucket[e] = -1


@numba.njit(cache=True, nogil=True)
def _fixed_point(  # noqa: PLR0917 (numba kernels take arrays positionally)
    seg_usable: BoolArray,
    length: FloatArray,
    succ_ptr: Int64Array,
    succ_edge: Int32Array,
    succ_vturn: FloatArray,
    speeds: FloatArray,
    run_up: FloatArray,
) -> tuple[FloatArray, FloatArray, Int32Array, int]:
    # Label correction, fastest first: a bucket queue on end speed (doubly linked buckets of
    # BUCKET_WIDTH_MS, so an edge whose speed rises while queued moves up at once). Labels
    # only rise and are bounded by the top speed. Taking the fastest first lets an
    # accelerating run propagate down its whole street before slower starts are looked at,
    # so most edges are settled by their first pop; every queue operation is O(1).
    n_edges = succ_ptr.shape[0] - 1
    start = np.zeros(n_edges, dtype=np.float64)
    end = np.full(n_edges, np.nan, dtype=np.float64)
    pred = np.full(n_edges, -1, dtype=np.int32)
    n_buckets = int(speeds[speeds.shape[0] - 1] / BUCKET_WIDTH_MS) + 2
    first = np.full(n_buckets, -1, dtype=np.int32)
    nxt = np.full(n_edges, -1, dtype=np.int32)
    prv = np.full(n_edges, -1, dtype=np.int32)
    bucket = np.full(n_edges, -1, dtype=np.int32)
    top = -1
    for d in range(n_edges):
        if seg_usable[d >> 1]:
            end[d] = _accelerate(0.0, length[d >> 1], speeds, run_up)
            b = int(end[d] / BUCKET_WIDTH_MS)
            _bucket_insert(first, nxt, prv, bucket, d, b)
            top = max(top, b)
    pops = 0
    while True:
        while top >= 0 and first[top] < 0:
            top -= 1
        if top < 0:
            break
        p = first[top]
        _bucket_remove(first, nxt, prv, bucket, p)
        pops += 1
        vp = end[p]
        for k in range(succ_ptr[p], succ_ptr[p + 1]):
            e = succ_edge[k]
            vin = min(vp, succ_vturn[k])
            if vin <= start[e] + SPEED_TOLERANCE_MS:
                continue
            start[e] = vin
            pred[e] = p if vin > STANDSTILL_MS else -1
            vout = _accelerate(vin, length[e >> 1], speeds, run_up)
            if vout > end[e] + SPEED_TOLERANCE_MS:
                end[e] = vout
                b = int(vout / BUCKET_WIDTH_MS)
                if bucket[e] != b:
                    if bucket[e] >= 0:
                        _bucket_remove(first, nxt, prv, bucket, e)
                    _bucket_insert(first, nxt, prv, bucket, e, b)
                    top = max(top, b)
    return start, end, pred, pops
