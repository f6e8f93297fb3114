"""Attainable speed of a hostile vehicle on every directed segment of a city, in one pass per class."""

from __future__ import annotations

import functools
import itertools
import math
import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np
import numpy.typing as npt

from pactesur.engine._arrays import distinct
from pactesur.engine.network import StreetNetwork, WayKind
from pactesur.engine.vehicles import VehicleClass

FloatArray = npt.NDArray[np.float64]
Int32Array = npt.NDArray[np.int32]
Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Lateral room the vehicle's centre keeps even on a way exactly its width: mapped widths are the
# paved width and a hostile driver overruns kerbs and verges (assumption; hostile-vehicles.md §7).
MIN_LATERAL_CLEARANCE_M: float = 0.5
# Convergence tolerance of the fixed point, m/s (assumption: far below any reported figure).
SPEED_TOLERANCE_MS: float = 1e-4
# A start slower than this is a standstill start for the approach path (assumption: 1.8 km/h).
STANDSTILL_MS: float = 0.5
# Bounds of the turn model's window scales, m: the legs of scale k run from TURN_SCALE_BOUNDS_M[k]
# to TURN_SCALE_BOUNDS_M[k + 1] along the ways on each side of a vertex; scale 0 is the vertex
# with its own two segments (assumption: 2 m resolves a kerb-side corner, 128 m holds the widest
# line a car at its top speed needs on a wide road; doubling keeps the count small).
TURN_SCALE_BOUNDS_M: npt.NDArray[np.float64] = np.array([0.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0])
# Most segments a window walk follows on one side of a vertex (assumption: 128 m of 25 cm
# segments; a walk past it ends there).
MAX_WALK_STEPS: int = 512
# A vertex ends the straight a bend's tangent point may use in proportion to its own turn:
# tan(δ/2) of a hundredth of the bend's tan(θ/2) or more ends it, a node on a straight passes it
# on (assumption: beyond a jittered node the scales with longer legs measure the turn better).
STRAIGHT_END_RATIO: float = 100.0
# How fast, per metre of window and unit of sin(θ/2), the check that a straight line fits both
# ways fades out as the scale's turn grows (assumption: 4 m per metre keeps it off every bend whose
# bulge its own turn explains, and on for bumps and jogs between collinear legs).
OPPOSITE_SENSE_FADE: float = 4.0
NO_TURN_LIMIT_MS: float = 1e9
# The radius of a turn that turns nothing, m: finite, so that the turn kernels may be compiled
# with fast math (which assumes no infinities or NaNs).
STRAIGHT_RADIUS_M: float = 1e30
# Speed buckets of the kernel's queue, m/s (a tuning figure: any width gives the same result).
BUCKET_WIDTH_MS: float = 0.1
# Widths are stored as float32: a gap or way "as wide as the vehicle" must still let it through
# after rounding (assumption: 1 cm, finer than any mapped width).
WIDTH_TOLERANCE_M: float = 0.01
# Environment variable that caps the threads the classes are analysed on (default: the cores
# this process may use). The kernels release the GIL, so classes run truly in parallel.
THREADS_ENV: str = "PACTESUR_ENGINE_THREADS"


def engine_threads() -> int:
    """Return how many threads `attainable_speeds_of_classes` uses: PACTESUR_ENGINE_THREADS, or the cores."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    raw = os.environ.get(THREADS_ENV, "").strip()
    if raw:
        try:
            return max(1, int(raw))
        except ValueError:
            msg = f"{THREADS_ENV} must be a whole number of threads, not {raw!r}"
            raise ValueError(msg) from None
    return max(1, cores)


@dataclass(frozen=True, eq=False)
class EdgeCaps:
    """Stretches of directed edges where the streetscape caps the speed (the path speed).

    The stretches of edge ``d`` are ``ptr[d]:ptr[d + 1]``, in order along it: from ``t0`` to
    ``t1`` metres from its tail the speed is at most ``v`` m/s (`_path_speed.py`).
    """

    ptr: Int64Array
    t0: FloatArray
    t1: FloatArray
    v: FloatArray


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
        with the speed limit of each turn (0 where the turn is tighter than the class can steer).
    timings_s : preparation, line-graph (with turn limits) and fixed-point times, and their total;
        work shared by classes computed together is split evenly between them.
    edge_pops : how many times the kernel took an edge from its queue (≥ usable edges).
    caps : for a path speed, the stretches where the streetscape caps the speed (None: the
        envelope, capped by nothing but turns).

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
    caps: EdgeCaps | None = None

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
        return self.accelerate_on_ms(edge, float(self.start_speed_ms[edge]), distance_m)

    def accelerate_on_ms(self, edge: int, v_in_ms: float, distance_m: float) -> float:
        """Return the speed `distance_m` from the tail of `edge` after starting it at `v_in_ms`.

        Flat out, within the edge's caps when this is a path speed (`caps`); `edge` −1 is a
        straight line off the network, capped by nothing.
        """
        distance = max(float(distance_m), 0.0)
        if self.caps is None or edge < 0:
            return float(_accelerate(float(v_in_ms), distance, self.speeds_ms, self.run_up_m))
        caps = self.caps
        return float(
            _capped_accelerate(
                float(v_in_ms),
                distance,
                edge,
                caps.ptr,
                caps.t0,
                caps.t1,
                caps.v,
                self.speeds_ms,
                self.run_up_m,
            )
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
    out_ptr: Int64Array
    out_edge: Int64Array
    continuation: Int64Array
    edge_geometry: npt.NDArray[np.void]  # what the turn pass's window walks read of each edge
    build_s: float


@dataclass(frozen=True, eq=False)
class PreparedNetwork:
    """The part of the speed analysis of a network that no vehicle changes, kept for reuse.

    It holds the network's arrays in the kernels' types, the heading of every segment and, built
    on first use, the line graph (transitions, and the straightest continuation of each edge that
    the turn model's window walks follow) of each usability mask. Classes whose width admits
    exactly the same segments and nodes share one line graph, so analysing the six classes builds
    it about twice. Keep one per network where
    many classes or many requests use the same network; it is safe to share between threads.

    Attributes
    ----------
    network : the network prepared.
    prepare_s : seconds spent preparing (line graphs are timed in the results that build them).
    """

    network: StreetNetwork
    seg_u: Int64Array
    seg_v: Int64Array
    way_id: Int64Array
    length_m: FloatArray
    width_m: FloatArray
    node_x: FloatArray
    node_y: FloatArray
    unit_x: FloatArray
    unit_y: FloatArray
    width_thresholds_m: FloatArray
    prepare_s: float
    _line_graphs: dict[int, _LineGraph] = field(default_factory=dict, repr=False)
    _building: dict[int, threading.Lock] = field(default_factory=dict, repr=False)
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
            key_lock = self._building.setdefault(key, threading.Lock())
        # one build per mask; other masks build at the same time on other threads
        with key_lock:
            cached = self._line_graphs.get(key)
            if cached is not None:
                return cached, False
            t0 = time.perf_counter()
            seg_usable = usable_segments(self.network, vehicle)
            node_passable = fits(self.network.node_gap_m, vehicle)
            succ_ptr, succ_edge, out_ptr, out_edge, continuation = _line_graph(
                self.seg_u, self.seg_v, self.way_id, seg_usable, node_passable, self.unit_x, self.unit_y
            )
            edge_geometry = _edge_geometry(
                self.seg_u, self.seg_v, self.width_m, self.node_x, self.node_y, continuation
            )
            # Shared by every class with this mask, in each of their results: never written.
            for array in (seg_usable, node_passable, succ_ptr, succ_edge, out_ptr, out_edge, continuation):
                array.setflags(write=False)
            built = _LineGraph(
                seg_usable=seg_usable,
                node_passable=node_passable,
                succ_ptr=succ_ptr,
                succ_edge=succ_edge,
                out_ptr=out_ptr,
                out_edge=out_edge,
                continuation=continuation,
                edge_geometry=edge_geometry,
                build_s=time.perf_counter() - t0,
            )
            with self._lock:
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
        way_id=np.ascontiguousarray(network.seg_way_id, dtype=np.int64),
        length_m=network.seg_length_m.astype(np.float64),
        width_m=network.seg_width_m.astype(np.float64),
        node_x=node_x,
        node_y=node_y,
        unit_x=unit_x,
        unit_y=unit_y,
        width_thresholds_m=distinct(widths + WIDTH_TOLERANCE_M),
        prepare_s=time.perf_counter() - t0,
    )


def attainable_speeds(
    network: StreetNetwork, vehicle: VehicleClass, *, prepared: PreparedNetwork | None = None
) -> AttainableSpeeds:
    """Compute the highest speed the vehicle can reach on every directed edge of the network.

    The hostile driver starts from a standstill anywhere, ignores traffic rules, drives every
    usable segment both ways, passes a node only where its barrier gap is at least the vehicle's
    width (it may still arrive at a closed node), takes no U-turn on a segment, and slows at each
    vertex to v = √(a_lat · r), r the widest line the corridor allows over windows of 2–128 m
    around it; a turn whose widest line is tighter than the class's ``min_path_radius_m`` is not
    taken. The speeds are the least fixed point of

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
    each: Callable[[AttainableSpeeds], None] | None = None,
) -> list[AttainableSpeeds]:
    """Compute `attainable_speeds` for several classes, sharing the work that does not depend on them.

    Classes with the same usability mask share one line graph, and the turn geometry of each
    transition (the window walks and the corner of each scale) is computed once for all of them;
    each class then runs its own fixed point. The results equal separate
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
    each
        Called on the calling thread with each class's result as soon as it is known (while
        the other classes may still run), to start using it early.

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
    # the most permissive mask first: the turn pass compares the others' walks with its own
    members = [groups[key] for key in sorted(groups)]
    prepare_share_s = prepare_s / len(classes) if classes else 0.0
    threads = min(engine_threads(), 2 * len(classes))
    if progress is not None:
        names = ", ".join(f"{v.code} ({v.description})" for v in classes)
        progress(f"speeds for {names} over {2 * network.segment_count} edges")
    # (mask, row in the mask's group, index in `classes`) of every class
    slots = [(g, row, i) for g, group in enumerate(members) for row, i in enumerate(group)]
    groups_of = [[classes[i] for i in group] for group in members]
    results: list[AttainableSpeeds | None] = [None] * len(classes)
    if threads <= 1:
        turns = _TurnPass.start(prepared, groups_of, None)
        turns.run(0, turns.node_count)
        turns.finish()
        for g, row, i in slots:
            result = _class_speeds(prepared, turns, (g, row), classes[i], prepare_share_s)
            results[i] = result
            if each is not None:
                each(result)
        return [r for r in results if r is not None]
    # The kernels release the GIL. The line graphs are built on threads, the turn pass of every
    # mask runs as node ranges on every thread, then each class's fixed point on a thread. Only
    # this thread waits, so no task waits for another.
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="pactesur-speeds") as pool:
        turns = _TurnPass.start(prepared, groups_of, pool)
        turns.prepare_arguments()
        for part in [pool.submit(turns.run, lo, hi) for lo, hi in turns.node_ranges(threads)]:
            part.result()
        turns.finish()
        index_of: dict[Future[AttainableSpeeds], int] = {
            pool.submit(_class_speeds, prepared, turns, (g, row), classes[i], prepare_share_s): i
            for g, row, i in slots
        }
        for job in as_completed(index_of):
            results[index_of[job]] = job.result()
            if each is not None:
                each(job.result())  # here, while the other classes' fixed points run on
    return [r for r in results if r is not None]


# A turn pass is cut into node ranges of about this many edges leaving their nodes, at least
# (a tuning figure: any cut gives the same limits).
TURN_RANGE_MIN_EDGES: int = 2_000


@dataclass(eq=False)
class _TurnPass:
    """The turn pass of every class: the line graph of each usability mask and every turn limit.

    `start` builds (or reuses) the line graphs, the most permissive mask first; `run` fills the
    limits of the transitions through a range of nodes (ranges may run on several threads at
    once); `finish` closes the timing. Class `row` of mask `g` reads its limits with `turn_ms`.
    """

    graphs: list[_LineGraph]
    groups: list[list[VehicleClass]]
    prepared: PreparedNetwork
    limits: FloatArray  # every class's limits, one after the other
    offsets: list[int]  # where each class's limits start, in the order of `groups`
    edge_usable: list[BoolArray]
    graph_s: float  # line graphs built now (0 for those reused)
    started: float
    share_s: float = 0.0  # line graphs and turn pass time per class, after `finish`

    @classmethod
    def start(
        cls, prepared: PreparedNetwork, groups: list[list[VehicleClass]], pool: ThreadPoolExecutor | None
    ) -> _TurnPass:
        t0 = time.perf_counter()
        if pool is None:
            built = [prepared.line_graph(group[0]) for group in groups]
        else:
            built = [job.result() for job in [pool.submit(prepared.line_graph, g[0]) for g in groups]]
        graphs = [graph for graph, _ in built]
        t1 = time.perf_counter()
        offsets: list[int] = []
        total = 0
        for graph, group in zip(graphs, groups, strict=True):
            for _ in group:
                offsets.append(total)
                total += int(graph.succ_edge.shape[0])
        edge_usable = []
        for graph in graphs:
            usable = np.repeat(graph.seg_usable, 2)
            usable.setflags(write=False)
            edge_usable.append(usable)
        return cls(
            graphs=graphs,
            groups=groups,
            prepared=prepared,
            limits=np.empty(total, dtype=np.float64),
            offsets=offsets,
            edge_usable=edge_usable,
            graph_s=t1 - t0 if any(new for _, new in built) else 0.0,
            started=t1,
        )

    @property
    def node_count(self) -> int:
        return int(self.graphs[0].out_ptr.shape[0] - 1)

    def node_ranges(self, threads: int) -> list[tuple[int, int]]:
        """Cut the nodes into ranges of about equal work (edges leaving them), a few per thread."""
        out_ptr = self.graphs[0].out_ptr
        total = int(out_ptr[-1])
        count = max(1, min(4 * threads, total // TURN_RANGE_MIN_EDGES))
        cuts = np.searchsorted(out_ptr, np.linspace(0, total, count + 1)[1:-1]).tolist()
        bounds = [0, *cuts, self.node_count]
        return [(lo, hi) for lo, hi in itertools.pairwise(bounds) if hi > lo]

    def _stacked(self) -> tuple[Any, ...]:
        graphs = self.graphs
        if len(graphs) == 1:  # views, no copy
            g = graphs[0]
            return (
                g.edge_geometry,
                g.node_passable[np.newaxis],
                g.succ_ptr[np.newaxis],
                g.out_ptr[np.newaxis],
                g.out_edge,
                np.zeros(1, dtype=np.int64),
                np.zeros(g.continuation.shape[0], dtype=np.int64),
            )
        out_base = np.cumsum([0] + [int(g.out_edge.shape[0]) for g in graphs[:-1]]).astype(np.int64)
        first = graphs[0]
        later = np.zeros(first.continuation.shape[0], dtype=np.int64)
        for mask, graph in enumerate(graphs[1:], start=1):
            differs = ~np.repeat(graph.seg_usable, 2) | (graph.continuation != first.continuation)
            later |= differs.astype(np.int64) << mask
        return (
            np.concatenate([g.edge_geometry for g in graphs]),
            np.stack([g.node_passable for g in graphs]),
            np.stack([g.succ_ptr for g in graphs]),
            np.stack([g.out_ptr for g in graphs]),
            np.concatenate([g.out_edge for g in graphs]),
            out_base,
            later,
        )

    @functools.cached_property
    def _arguments(self) -> tuple[Any, ...]:
        # the kernel's arguments but the node range and the output: made once, read by every range
        classes = [v for group in self.groups for v in group]
        lateral_accel = np.array([v.lateral_accel_ms2 for v in classes], dtype=np.float64)
        top_speed = np.array([v.run_up_table()[0][-1] for v in classes], dtype=np.float64)
        edges, passable, succ_ptr, out_ptr, out_edge, out_base, later = self._stacked()
        return (
            edges,
            self.prepared.node_x,
            self.prepared.node_y,
            passable,
            succ_ptr,
            out_ptr,
            out_edge,
            out_base,
            later,
            np.array([v.width_m for v in classes], dtype=np.float64),
            lateral_accel,
            # beyond this radius a turn cannot slow the class below its top speed
            top_speed * top_speed / lateral_accel,
            np.array([v.min_path_radius_m for v in classes], dtype=np.float64),
            np.array([g for g, group in enumerate(self.groups) for _ in group], dtype=np.int64),
            np.array(self.offsets, dtype=np.int64),
        )

    def prepare_arguments(self) -> None:
        """Make the kernel's arguments now, before node ranges read them from several threads."""
        self._arguments  # noqa: B018 (a cached property, computed for its effect)

    def run(self, node_lo: int, node_hi: int) -> None:
        kernel: Any = _turn_limits  # numba's stubs type a dispatcher's call by its first overload
        kernel(*self._arguments, node_lo, node_hi, self.limits)

    def finish(self) -> None:
        self.limits.setflags(write=False)
        self.share_s = (self.graph_s + time.perf_counter() - self.started) / len(self.offsets)

    def turn_ms(self, g: int, row: int) -> FloatArray:
        """The limits of class `row` of mask `g`, one per transition of its line graph."""
        start = self.offsets[sum(len(group) for group in self.groups[:g]) + row]
        return self.limits[start : start + int(self.graphs[g].succ_edge.shape[0])]


def _class_speeds(
    prepared: PreparedNetwork,
    turns: _TurnPass,
    slot: tuple[int, int],
    vehicle: VehicleClass,
    prepare_share_s: float,
) -> AttainableSpeeds:
    """The fixed point of one class (row of mask g, `slot`) on its line graph and turn limits."""
    g, row = slot
    t3 = time.perf_counter()
    speeds_ms, run_up_m = vehicle.run_up_table()
    graph = turns.graphs[g]
    turn_ms = turns.turn_ms(g, row)
    start, end, pred, pops = _solve(graph, prepared.length_m, turn_ms, speeds_ms, run_up_m)
    fixed_point_s = time.perf_counter() - t3
    return AttainableSpeeds(
        vehicle=vehicle,
        usable=turns.edge_usable[g],
        start_speed_ms=start,
        end_speed_ms=end,
        predecessor=pred,
        speeds_ms=speeds_ms,
        run_up_m=run_up_m,
        successor_ptr=graph.succ_ptr,
        successor_edge=graph.succ_edge,
        successor_turn_ms=turn_ms,
        timings_s={
            "prepare": prepare_share_s,
            "line_graph": turns.share_s,
            "fixed_point": fixed_point_s,
            "total": prepare_share_s + turns.share_s + fixed_point_s,
        },
        edge_pops=pops,
    )


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
    """Return the speed limit of a sharp corner between straight legs (twin for tests and docs).

    This is one scale of the turn model (docs/vehicle-dynamics.md §3) where the centreline is
    two straight legs meeting at the vertex: the widest circle tangent to both outer edges that
    keeps the inner corner inside, its tangent points no farther out than `room`.

    Parameters
    ----------
    deflection_rad
        Change of heading at the vertex (0 straight, π a reversal).
    width_m
        Corridor width left to the vehicle's centre (way width minus vehicle width).
    room_in_m, room_out_m
        How far along each leg, from the vertex, the arc's tangent points may lie.
    lateral_accel_ms2
        The vehicle's lateral acceleration limit.

    Returns
    -------
    The limit in m/s, NO_TURN_LIMIT_MS for no turn (the class's tightest path is not applied).
    """
    half = 0.5 * deflection_rad
    radius = _corner_radius(
        math.cos(half), math.sin(half), 0.5 * width_m, 0.5 * width_m, min(room_in_m, room_out_m)
    )
    return min(math.sqrt(lateral_accel_ms2 * radius), NO_TURN_LIMIT_MS)


@numba.njit(cache=True, nogil=True, fastmath=True)
def _corner_radius(cos_half: float, sin_half: float, outer: float, depth: float, room: float) -> float:
    # The widest circle through a corner of legs turning by θ. It is tangent to both outer edges
    # (`outer` beyond the leg lines) and must keep the innermost point of the corridor inside it;
    # that point lies `depth` inside the leg lines, measured as the mean of its distances to the
    # two lines. On the bisector, a circle of radius r tangent to the outer edges reaches
    # r·(1 − cos(θ/2)) − outer inside the leg lines, so r ≤ (outer + depth) / (1 − cos(θ/2)).
    # Its tangent points lie r'·tan(θ/2) from the corner for the concentric circle r' = r − outer
    # tangent to the leg lines, so room bounds r ≤ room / tan(θ/2) + outer.
    apex_factor, room_factor = _factors(cos_half, sin_half)
    return _radius(apex_factor, room_factor, outer, depth, room)


@numba.njit(cache=True, nogil=True, inline="always")
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


@numba.njit(cache=True, nogil=True, inline="always")
def _capped_accelerate(  # noqa: PLR0917 (numba kernels take arrays positionally)
    v_in: float,
    distance: float,
    e: int,
    cap_ptr: Int64Array,
    cap_t0: FloatArray,
    cap_t1: FloatArray,
    cap_v: FloatArray,
    speeds: FloatArray,
    run_up: FloatArray,
) -> float:
    # `_accelerate` along directed edge e, never above the cap of a stretch while in it.
    v = v_in
    at = 0.0
    for k in range(cap_ptr[e], cap_ptr[e + 1]):
        t0 = cap_t0[k]
        if t0 >= distance:
            break
        if t0 > at:
            v = _accelerate(v, t0 - at, speeds, run_up)
            at = t0
        v = min(v, cap_v[k])
        t1 = min(cap_t1[k], distance)
        if t1 > at:
            v = min(_accelerate(v, t1 - at, speeds, run_up), cap_v[k])
            at = t1
    if distance > at:
        v = _accelerate(v, distance - at, speeds, run_up)
    return v


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
def _continuations(  # noqa: PLR0917 (numba kernels take arrays positionally)
    seg_u: Int64Array,
    seg_v: Int64Array,
    way_id: Int64Array,
    node_passable: BoolArray,
    out_ptr: Int64Array,
    out_edge: Int64Array,
    ux: FloatArray,
    uy: FloatArray,
) -> Int64Array:
    # For each usable directed edge, where a window walk goes on from its head: along the same
    # OSM way if it goes on (the straightest such edge), else along the usable edge that turns
    # least (no U-turn onto its own segment; the first in order on a tie); -1 at a closed node
    # or a dead end. Junctions do not stop a walk, and a way added to the network never turns
    # one off the way it follows.
    n_edges = 2 * seg_u.shape[0]
    continuation = np.full(n_edges, -1, dtype=np.int64)
    for d in range(n_edges):
        s = d >> 1
        head = seg_u[s] if d & 1 else seg_v[s]
        if not node_passable[head]:
            continue
        sign_d = -1.0 if d & 1 else 1.0
        best = -2.0
        best_same = -2.0
        same = -1
        for j in range(out_ptr[head], out_ptr[head + 1]):
            f = out_edge[j]
            if f == (d ^ 1):
                continue
            sign_f = -1.0 if f & 1 else 1.0
            straightness = sign_d * sign_f * (ux[s] * ux[f >> 1] + uy[s] * uy[f >> 1])
            if straightness > best:
                best = straightness
                continuation[d] = f
            # way 0 marks the engine's virtual crossings: each is a way of its own
            if way_id[s] != 0 and way_id[f >> 1] == way_id[s] and straightness > best_same:
                best_same = straightness
                same = f
        if same >= 0:
            continuation[d] = same
    return continuation


@numba.njit(cache=True, nogil=True)
def _line_graph(  # noqa: PLR0917 (numba kernels take arrays positionally)
    seg_u: Int64Array,
    seg_v: Int64Array,
    way_id: Int64Array,
    seg_usable: BoolArray,
    node_passable: BoolArray,
    ux: FloatArray,
    uy: FloatArray,
) -> tuple[Int64Array, Int32Array, Int64Array, Int64Array, Int64Array]:
    # Transitions p → e through passable nodes (no U-turn onto the same segment), CSR by p, in
    # the order of the edges leaving p's head; those edges per node; and the straightest
    # continuation of every edge. The turn limits come from `_turn_limits`.
    n_edges = 2 * seg_u.shape[0]
    out_ptr, out_edge = _out_edges(seg_u, seg_v, seg_usable, node_passable.shape[0])
    continuation = _continuations(seg_u, seg_v, way_id, node_passable, out_ptr, out_edge, ux, uy)
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
    return succ_ptr, succ_edge, out_ptr, out_edge, continuation


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _lesser(a: float, b: float) -> float:
    # min of two floats as one compare (the builtin's NaN handling keeps LLVM from vectorising;
    # no NaN reaches the turn kernels)
    return a if a < b else b


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _greater(a: float, b: float) -> float:
    return a if a > b else b


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _offsets_from_chord(  # noqa: PLR0917 (numba kernels take arrays positionally)
    inner: FloatArray, start: int, stop: int, ax: float, ay: float, bx: float, by: float
) -> tuple[float, float, float, float, float]:
    # The unit heading a → b, its length, and how far the vertices inner[start:stop] lie left and
    # right of it (0 if none).
    cx = bx - ax
    cy = by - ay
    chord = math.sqrt(cx * cx + cy * cy)
    left = 0.0
    right = 0.0
    if chord > 0.0:
        cx /= chord
        cy /= chord
        for v in range(start, stop):
            off = cx * (inner[v, 1] - ay) - cy * (inner[v, 0] - ax)
            left = _greater(left, off)
            right = _greater(right, -off)
    return cx, cy, chord, left, right


# Columns of a walk's record at each scale bound (`_walk`); bound 0 is the node itself, whose
# row holds the first segment's heading, length and width in the chord and narrowest columns.
_PX, _PY = 0, 1  # the point at the bound, relative to the node
_CX, _CY, _CLEN, _CLEFT, _CRIGHT = 2, 3, 4, 5, 6  # chord node → point: heading, length, offsets
_LX, _LY, _LLEN, _LLEFT, _LRIGHT = 7, 8, 9, 10, 11  # leg previous bound → point: likewise
_NARROW = 12  # narrowest way from the node to the bound
_WALK_COLUMNS = 13

# What a window walk reads of a directed edge, in one record (one cache line per step): its
# head, its segment's width and the straightest continuation (-1: a dead end or closed node).
_EDGE_GEOMETRY = np.dtype(
    [("head_x", np.float64), ("head_y", np.float64), ("width", np.float64), ("next", np.int64)], align=True
)


@numba.njit(cache=True, nogil=True)
def _edge_geometry(  # noqa: PLR0917 (numba kernels take arrays positionally)
    seg_u: Int64Array,
    seg_v: Int64Array,
    width: FloatArray,
    node_x: FloatArray,
    node_y: FloatArray,
    continuation: Int64Array,
) -> npt.NDArray[np.void]:
    edges = np.empty(continuation.shape[0], dtype=_EDGE_GEOMETRY)
    for d in range(edges.shape[0]):
        s = d >> 1
        head = seg_u[s] if d & 1 else seg_v[s]
        rec = edges[d]
        rec.head_x = node_x[head]
        rec.head_y = node_y[head]
        rec.width = width[s]
        rec.next = continuation[d]
    return edges


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _record_bound(  # noqa: PLR0917 (numba kernels take arrays positionally)
    record: FloatArray,
    j: int,
    px: float,
    py: float,
    narrow: float,
    inner: FloatArray,
    n_inner: int,
    leg_start: int,
) -> None:
    # Fill the row of scale bound j, reached at (px, py) with the walk's vertices inner[:n_inner]
    # behind it, those from leg_start on since the previous bound.
    rec = record[j]
    rec[_PX] = px
    rec[_PY] = py
    rec[_NARROW] = narrow
    if n_inner == 0:  # still on the first segment: chord and leg run along it, nothing off them
        rec[_CX], rec[_CY], rec[_CLEN], rec[_CLEFT], rec[_CRIGHT] = (
            record[0, _CX],
            record[0, _CY],
            TURN_SCALE_BOUNDS_M[j],
            0.0,
            0.0,
        )
        rec[_LX], rec[_LY], rec[_LLEFT], rec[_LRIGHT] = record[0, _CX], record[0, _CY], 0.0, 0.0
        rec[_LLEN] = TURN_SCALE_BOUNDS_M[j] - TURN_SCALE_BOUNDS_M[j - 1]
    else:
        rec[_CX], rec[_CY], rec[_CLEN], rec[_CLEFT], rec[_CRIGHT] = _offsets_from_chord(
            inner, 0, n_inner, 0.0, 0.0, px, py
        )
        rec[_LX], rec[_LY], rec[_LLEN], rec[_LLEFT], rec[_LRIGHT] = _offsets_from_chord(
            inner, leg_start, n_inner, record[j - 1, _PX], record[j - 1, _PY], px, py
        )


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _note_segment(  # noqa: PLR0917 (numba kernels take arrays positionally)
    segments: FloatArray, step: int, dx: float, dy: float, seg_len: float, prev_x: float, prev_y: float
) -> tuple[float, float]:
    # Record the walk's segment `step` (its far end unknown yet) and tan(δ/2) of the turn δ at
    # its tail, from the heading of the last segment of non-zero length; return the heading to
    # compare the next segment with.
    segments[step, 0] = seg_len
    segments[step, 1] = STRAIGHT_RADIUS_M
    if seg_len <= 0.0:
        if step > 0:
            segments[step - 1, 1] = 0.0  # a zero-length segment turns nothing
        return prev_x, prev_y
    ux = dx / seg_len
    uy = dy / seg_len
    if step > 0:
        # sin δ / (1 + cos δ)
        along = 1.0 + prev_x * ux + prev_y * uy
        across = abs(prev_x * uy - prev_y * ux)
        segments[step - 1, 1] = across / along if along > 1e-12 else STRAIGHT_RADIUS_M
    return ux, uy


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _walk(  # noqa: PLR0917 (numba kernels take arrays positionally)
    first: int,
    x0: float,
    y0: float,
    edges: npt.NDArray[np.void],
    base: int,
    record: FloatArray,
    segments: FloatArray,
    inner: FloatArray,
    later: Int64Array,
) -> tuple[int, int]:
    # Walk from the node at (x0, y0) along edge `first`, then along the straightest
    # continuations (the records edges[base + d] of one usability mask), until the last scale
    # bound, a closed node, a dead end or MAX_WALK_STEPS segments, and fill `record` (bound ×
    # column, see the column names above) for each bound reached, `segments`: the length of
    # each segment walked and tan(δ/2) of the turn δ at its far end; where the walk ends,
    # STRAIGHT_RADIUS_M at a dead end or closed node (no room beyond) and -1 past the last bound
    # (the way goes on: unknown). Return the last bound reached and the union of the `later`
    # bits of the edges walked (bit g: the edge's walk differs in mask g, see `_turn_limits`).
    n_bounds = TURN_SCALE_BOUNDS_M.shape[0]
    travelled = 0.0
    narrow = STRAIGHT_RADIUS_M
    tail_x = 0.0
    tail_y = 0.0
    j = 1
    leg_start = 0  # the walk's vertices so far are inner[:step]; the current leg's from here
    d = first
    prev_x = 0.0  # heading of the last segment of non-zero length
    prev_y = 0.0
    record[0, _PX] = 0.0
    record[0, _PY] = 0.0
    record[0, _CX] = 0.0
    record[0, _CY] = 0.0
    bits = 0
    for step in range(MAX_WALK_STEPS):
        rec_d = edges[base + d]
        bits |= later[d]
        head_x = rec_d.head_x - x0
        head_y = rec_d.head_y - y0
        dx = head_x - tail_x
        dy = head_y - tail_y
        seg_len = math.sqrt(dx * dx + dy * dy)
        narrow = _lesser(narrow, rec_d.width)
        prev_x, prev_y = _note_segment(segments, step, dx, dy, seg_len, prev_x, prev_y)
        if step == 0:
            record[0, _CLEN] = seg_len
            record[0, _NARROW] = rec_d.width
        if seg_len > 0.0 and record[0, _CX] == 0.0 and record[0, _CY] == 0.0:
            # the heading leaving the node: that of the first segment of non-zero length (a
            # duplicated node must not hide a corner)
            record[0, _CX] = dx / seg_len
            record[0, _CY] = dy / seg_len
        while j < n_bounds and travelled + seg_len >= TURN_SCALE_BOUNDS_M[j]:
            t = (TURN_SCALE_BOUNDS_M[j] - travelled) / seg_len if seg_len > 0.0 else 1.0
            _record_bound(record, j, tail_x + t * dx, tail_y + t * dy, narrow, inner, step, leg_start)
            leg_start = step
            j += 1
        if j >= n_bounds:
            segments[step, 1] = -1.0
            break
        if rec_d.next < 0:
            break
        travelled += seg_len
        inner[step, 0] = head_x
        inner[step, 1] = head_y
        d = rec_d.next
        tail_x = head_x
        tail_y = head_y
    return j - 1, bits


@numba.njit(cache=True, nogil=True)
def _max_degree(out_ptr: Int64Array) -> int:
    most = 0
    for v in range(out_ptr.shape[0] - 1):
        most = max(most, out_ptr[v + 1] - out_ptr[v])
    return int(most)


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _half_turn(in_x: float, in_y: float, out_x: float, out_y: float) -> tuple[float, float, float]:
    # For unit headings in and out: cos and sin of half the turn between them, and its sense (1
    # left, -1 right).
    cos_turn = in_x * out_x + in_y * out_y
    cos_half = math.sqrt(_greater(0.5 * (1.0 + cos_turn), 0.0))
    sin_half = math.sqrt(_greater(0.5 * (1.0 - cos_turn), 0.0))
    sense = 1.0 if in_x * out_y - in_y * out_x >= 0.0 else -1.0
    return cos_half, sin_half, sense


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _radius(apex_factor: float, room_factor: float, outer: float, depth: float, room: float) -> float:
    # `_corner_radius` with its factors precomputed by `_factors`.
    numerator = outer + depth
    if numerator <= 0.0:
        return 0.0
    if room_factor >= STRAIGHT_RADIUS_M:
        return STRAIGHT_RADIUS_M  # no turn
    return _greater(_lesser(numerator * apex_factor, _greater(room, 0.0) * room_factor + outer), 0.0)


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _factors(cos_half: float, sin_half: float) -> tuple[float, float]:
    # (1 + cos)/sin² and cos/sin of half the turn: r_apex and r_room of `_corner_radius` per
    # metre (1 − cos(θ/2) written as sin²/(1 + cos), exact for small turns); STRAIGHT_RADIUS_M for no turn.
    if sin_half <= 0.0:
        return STRAIGHT_RADIUS_M, STRAIGHT_RADIUS_M
    return (1.0 + cos_half) / (sin_half * sin_half), cos_half / sin_half


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _half_corridor(width_in: float, width_out: float, vehicle_width: float) -> float:
    # Half the corridor left to the vehicle's centre: the mean of both sides, each at least the
    # kerb-overrun clearance.
    return 0.25 * (
        _greater(width_in - vehicle_width, MIN_LATERAL_CLEARANCE_M)
        + _greater(width_out - vehicle_width, MIN_LATERAL_CLEARANCE_M)
    )


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _inward_outward(rec_in: FloatArray, rec_out: FloatArray, left: int, sense: float) -> tuple[float, float]:
    # Mean offset of both legs' vertices towards the inside of the turn and towards the outside.
    # The incoming walk runs away from the node: its left is the vehicle's right.
    if sense > 0.0:
        return 0.5 * (rec_in[left + 1] + rec_out[left]), 0.5 * (rec_in[left] + rec_out[left + 1])
    return 0.5 * (rec_in[left] + rec_out[left + 1]), 0.5 * (rec_in[left + 1] + rec_out[left])


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _chord_scale(  # noqa: PLR0917 (numba kernels take arrays positionally)
    rec_in: FloatArray,
    rec_out: FloatArray,
    vehicle_width: FloatArray,
    corner_v: float,
    sense_v: float,
    enough_radius: FloatArray,
    best: FloatArray,
) -> bool:
    # One scale with chord legs: from the node to the points at one bound on both sides, the
    # node a corner between them. The ways' offsets from the chords narrow the corridor on each
    # side; tangent points at most at mid-chord, so that the next bend can share the chord.
    # Raise `best` per class; return whether every class has enough.
    if rec_in[_CLEN] <= 0.0 or rec_out[_CLEN] <= 0.0:
        return False
    cos_half, sin_half, sense = _half_turn(-rec_in[_CX], -rec_in[_CY], rec_out[_CX], rec_out[_CY])
    apex_factor, room_factor = _factors(cos_half, sin_half)
    room = 0.5 * _lesser(rec_in[_CLEN], rec_out[_CLEN])
    inward, outward = _inward_outward(rec_in, rec_out, _CLEFT, sense)
    inset = cos_half * (corner_v if sense_v == sense else 1.0)
    done = True
    for c in range(vehicle_width.shape[0]):
        half = _half_corridor(rec_in[_NARROW], rec_out[_NARROW], vehicle_width[c])
        radius = _radius(apex_factor, room_factor, half - inward, (half - outward) * inset, room)
        best[c] = _greater(best[c], radius)
        done = done and best[c] >= enough_radius[c]
    return done


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _leg_scale(  # noqa: PLR0917 (numba kernels take arrays positionally)
    k: int,
    walk_in: FloatArray,
    walk_out: FloatArray,
    vehicle_width: FloatArray,
    corner_v: float,
    sense_v: float,
    enough_radius: FloatArray,
    best: FloatArray,
) -> bool:
    # One scale with far legs: between the points at bounds k − 1 and k on both sides, the ways
    # nearer the node being the bend. The innermost point of the corridor is the deepest of the
    # node's inner corner and the points at the nearer bounds, an inset inside the ways; the
    # tangent points lie on the legs, at most at their near ends (the next bend can have the rest).
    # Raise `best` per class; return whether every class has enough.
    rec_in = walk_in[k]
    rec_out = walk_out[k]
    if rec_in[_LLEN] <= 0.0 or rec_out[_LLEN] <= 0.0:
        return False
    a1x, a1y = -rec_in[_LX], -rec_in[_LY]
    a2x, a2y = rec_out[_LX], rec_out[_LY]
    cos_half, sin_half, sense = _half_turn(a1x, a1y, a2x, a2y)
    apex_factor, room_factor = _factors(cos_half, sin_half)
    near_ix, near_iy = walk_in[k - 1, _PX], walk_in[k - 1, _PY]
    near_ox, near_oy = walk_out[k - 1, _PX], walk_out[k - 1, _PY]
    # mean inward distance from the two leg lines: g · z − g0
    gx = 0.5 * sense * (-a1y - a2y)
    gy = 0.5 * sense * (a1x + a2x)
    g0 = 0.5 * sense * ((-a1y * near_ix + a1x * near_iy) + (-a2y * near_ox + a2x * near_oy))
    depth_node = -g0
    depth_min = STRAIGHT_RADIUS_M
    depth_max = -STRAIGHT_RADIUS_M
    for b in range(1, k):
        z_in = gx * walk_in[b, _PX] + gy * walk_in[b, _PY] - g0
        z_out = gx * walk_out[b, _PX] + gy * walk_out[b, _PY] - g0
        depth_min = _lesser(depth_min, _lesser(z_in, z_out))
        depth_max = _greater(depth_max, _greater(z_in, z_out))
    # the tangent points lie between the legs' crossing X and their near ends; X is measured
    # from the node's foot on each leg, within the near bound (it lies inside the bend; the
    # bound keeps nearly parallel legs, whose X runs off, continuous)
    room_in = -(a1x * near_ix + a1y * near_iy)
    room_out = a2x * near_ox + a2y * near_oy
    cross = a1x * a2y - a1y * a2x
    reach = TURN_SCALE_BOUNDS_M[k - 1]
    if cross * cross > 1e-18:
        dx = near_ox - near_ix
        dy = near_oy - near_iy
        inverse = 1.0 / cross
        room_in = _greater(room_in, _lesser((dx * a2y - dy * a2x) * inverse, room_in + reach))
        room_out = _greater(room_out, _lesser((a1x * dy - a1y * dx) * inverse, room_out + reach))
    else:
        room_in += reach
        room_out += reach
    # a leg spans bound k − 1 to bound k = 2·(k − 1): a tangent point at bound k − 1 from X lies
    # on it even where the bend has brought the near end closer to X
    room = _greater(_lesser(room_in, room_out), reach)
    inward, outward = _inward_outward(rec_in, rec_out, _LLEFT, sense)
    corner_same = corner_v if sense_v == sense else 1.0
    corner_other = corner_v if sense_v != sense else 1.0
    # a straight line must also fit the other way round where the legs are nearly collinear (a
    # bump or a jog, not a bend); the check fades as the legs' turn explains the ways' bulge
    fade = OPPOSITE_SENSE_FADE * TURN_SCALE_BOUNDS_M[k] * sin_half
    done = True
    for c in range(vehicle_width.shape[0]):
        half = _half_corridor(rec_in[_NARROW], rec_out[_NARROW], vehicle_width[c])
        inset = (half - outward) * cos_half
        inset_other = (half - inward) * cos_half
        depth = _lesser(depth_node + inset * corner_same, depth_min + inset)
        depth_other = _lesser(-depth_node + inset_other * corner_other, -depth_max + inset_other) + fade
        radius = _radius(apex_factor, room_factor, half - inward, _lesser(depth, depth_other), room)
        best[c] = _greater(best[c], radius)
        done = done and best[c] >= enough_radius[c]
    return done


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _shared_room(segments: FloatArray, tan_half: float) -> float:
    # How far along a walk a bend turning by θ (tan_half = tan(θ/2)) may put its tangent point.
    # The straight from the bend ends at the next vertex that turns (by δ): the bend gets the
    # share tan(θ/2) / (tan(θ/2) + tan(δ/2)) of it, so that both arcs of one radius just fit
    # (an equal bend takes half). A vertex that hardly turns only partly ends the straight: the
    # part 1 − STRAIGHT_END_RATIO·tan(δ/2)/tan(θ/2) goes on to the next, so a node on a
    # straight changes nothing. Past the last bound, an equal bend is assumed; at a dead end or
    # closed node nothing is left, so that a way added there can only add room.
    room = 0.0
    weight = 1.0
    distance = 0.0
    for i in range(segments.shape[0]):
        distance += segments[i, 0]
        far = segments[i, 1]
        if far < 0.0:
            far = tan_half
        passing = _greater(1.0 - STRAIGHT_END_RATIO * far / tan_half, 0.0)
        room += weight * (1.0 - passing) * distance * tan_half / (tan_half + far)
        weight *= passing
        if weight <= 0.0:
            break
    return room


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _pair_radius(  # noqa: PLR0917 (numba kernels take arrays positionally)
    walk_in: FloatArray,
    reached_in: int,
    segments_in: FloatArray,
    walk_out: FloatArray,
    reached_out: int,
    segments_out: FloatArray,
    vehicle_width: FloatArray,
    enough_radius: FloatArray,
    best: FloatArray,
) -> None:
    # The widest circle of each class through the turn from the edge arriving along the first
    # segment of `walk_in` onto the first segment of `walk_out`: the largest over the window
    # scales, into `best`. The same serves the reverse turn (the model is symmetric in its sides).
    u1x, u1y = -walk_in[0, _CX], -walk_in[0, _CY]
    u2x, u2y = walk_out[0, _CX], walk_out[0, _CY]
    if (u1x == 0.0 and u1y == 0.0) or (u2x == 0.0 and u2y == 0.0):
        u1x, u1y, u2x, u2y = 1.0, 0.0, 1.0, 0.0  # a walk of zero length turns nothing
    cos_half, sin_half, sense_v = _half_turn(u1x, u1y, u2x, u2y)
    # the inner corner of the vertex lies h / cos(θ/2) inside it
    corner_v = 1.0 / _greater(cos_half, 1e-3)
    # scale 0: the vertex and its two segments, the tangent points within the room the ways
    # share with the next bends. While both first segments reach past bound k, scales k are
    # these segments with room for the tangent points at mid-chord (B_k / 2) and no more depth:
    # scale 0 takes them in.
    apex_factor, room_factor = _factors(cos_half, sin_half)
    first_len = _lesser(walk_in[0, _CLEN], walk_out[0, _CLEN])
    k = 1
    while k < TURN_SCALE_BOUNDS_M.shape[0] and TURN_SCALE_BOUNDS_M[k] <= first_len:
        k += 1
    room = 0.5 * TURN_SCALE_BOUNDS_M[k - 1]
    if sin_half > 0.0:
        tan_half = sin_half / _greater(cos_half, 1e-9)
        room = _greater(
            room, _lesser(_shared_room(segments_in, tan_half), _shared_room(segments_out, tan_half))
        )
    done = True
    for c in range(vehicle_width.shape[0]):
        half = _half_corridor(walk_in[0, _NARROW], walk_out[0, _NARROW], vehicle_width[c])
        best[c] = _radius(apex_factor, room_factor, half, half, room)
        done = done and best[c] >= enough_radius[c]
    # scales k…: chord legs from the node to bound k, far legs between bounds k − 1 and k
    while not done and k <= min(reached_in, reached_out):
        done = _chord_scale(walk_in[k], walk_out[k], vehicle_width, corner_v, sense_v, enough_radius, best)
        if not done and k >= 2:
            done = _leg_scale(k, walk_in, walk_out, vehicle_width, corner_v, sense_v, enough_radius, best)
        k += 1


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _store_limits(  # noqa: PLR0917 (numba kernels take arrays positionally)
    best: FloatArray,
    group: int,
    class_group: Int64Array,
    class_offset: Int64Array,
    lateral_accel: FloatArray,
    min_radius: FloatArray,
    first: int,
    second: int,
    limits: FloatArray,
) -> None:
    # The limit of both turns of a pair for the classes of one group, from their widest circles.
    for c in range(best.shape[0]):
        if class_group[c] != group:
            continue
        if best[c] < min_radius[c]:
            limit = 0.0  # tighter than the class can steer: not allowed
        else:
            limit = _lesser(math.sqrt(lateral_accel[c] * best[c]), NO_TURN_LIMIT_MS)
        limits[class_offset[c] + first] = limit
        limits[class_offset[c] + second] = limit


@numba.njit(cache=True, nogil=True, fastmath=True, inline="always")
def _later_walks(  # noqa: PLR0917 (numba kernels take arrays positionally)
    g: int,
    node: int,
    x0: float,
    y0: float,
    lo: int,
    degree: int,
    edges: npt.NDArray[np.void],
    node_passable: npt.NDArray[np.bool_],
    out_ptr: Int64Array,
    out_edge: Int64Array,
    base: int,
    n_edges: int,
    later: Int64Array,
    walks: FloatArray,
    segments: FloatArray,
    crossed: Int64Array,
    position: Int64Array,
    same: npt.NDArray[np.bool_],
    reached: Int64Array,
    inner: FloatArray,
) -> None:
    # Mask g's edges from the node at the first mask's positions (lo: where the first mask's
    # edges of the node start in out_edge): `position` (-1: not usable in g), whether the walk
    # along each is the first mask's (no edge it crossed differs in g), and, where it is not,
    # the walk in g.
    for i in range(degree):
        position[g, i] = -1
    lo_g = base + out_ptr[g, node]
    degree_g = out_ptr[g, node + 1] - out_ptr[g, node]
    if degree_g < 2 or not node_passable[g, node]:
        return
    i = 0
    for k in range(degree_g):
        e = out_edge[lo_g + k]
        while out_edge[lo + i] != e:  # a later mask's edges are the first's, in order
            i += 1
        position[g, i] = k
        same[g, i] = (crossed[0, i] >> g) & 1 == 0
        if not same[g, i]:
            reached[g, i], _ = _walk(e, x0, y0, edges, g * n_edges, walks[g, i], segments[g, i], inner, later)


@numba.njit(cache=True, nogil=True, fastmath=True)
def _turn_limits(  # noqa: PLR0917 (numba kernels take arrays positionally)
    edges: npt.NDArray[np.void],
    node_x: FloatArray,
    node_y: FloatArray,
    node_passable: npt.NDArray[np.bool_],
    succ_ptr: Int64Array,
    out_ptr: Int64Array,
    out_edge: Int64Array,
    out_base: Int64Array,
    later: Int64Array,
    vehicle_width: FloatArray,
    lateral_accel: FloatArray,
    enough_radius: FloatArray,
    min_radius: FloatArray,
    class_group: Int64Array,
    class_offset: Int64Array,
    node_lo: int,
    node_hi: int,
    limits: FloatArray,
) -> None:
    # The speed limit of every transition for every class at once (docs/vehicle-dynamics.md
    # §3), for the transitions through nodes node_lo…node_hi − 1 (node ranges may run on
    # threads). Each usability mask g (group 0 the most permissive: the others use subsets of
    # its edges and nodes) has its rows: edges[g·E + d] (what a walk reads of edge d),
    # node_passable[g], succ_ptr[g], out_ptr[g], and its edges by node from out_edge[out_base[g]];
    # class c writes its limits at limits[class_offset[c] + transition of its group]; bit g of
    # later[d] is set where edge d's walk may differ in mask g (d unusable there, or its
    # continuation another), so that a walk crossing none is the same in g.
    # Node by node: walk once from the node along each edge leaving it (the edge arriving on
    # that segment looks back along the same walk), again in a later mask only where it differs
    # there; then, for each pair of edges, the widest circle over the window
    # scales for every class, which serves both turns between them and every mask whose walks
    # along both edges are the first mask's. The geometry of a scale depends on no vehicle; each
    # class adds its corridor. Scales stop once every class has a radius at which no turn can slow
    # it.
    n_groups = out_ptr.shape[0]
    n_edges = succ_ptr.shape[1] - 1
    n_classes = vehicle_width.shape[0]
    n_bounds = TURN_SCALE_BOUNDS_M.shape[0]
    most = _max_degree(out_ptr[0])
    walks = np.zeros((n_groups, most, n_bounds, _WALK_COLUMNS), dtype=np.float64)
    segments = np.zeros((n_groups, most, MAX_WALK_STEPS, 2), dtype=np.float64)
    crossed = np.zeros((n_groups, most), dtype=np.int64)
    reached = np.zeros((n_groups, most), dtype=np.int64)
    # per later mask, the position of each of the first mask's edges in its list (-1: unusable)
    # and whether its walk along it is the first mask's
    position = np.full((n_groups, most), -1, dtype=np.int64)
    same = np.zeros((n_groups, most), dtype=np.bool_)
    inner = np.empty((MAX_WALK_STEPS, 2), dtype=np.float64)
    best = np.empty(n_classes, dtype=np.float64)
    own = np.empty(n_classes, dtype=np.float64)
    for node in range(node_lo, node_hi):
        lo = out_ptr[0, node]
        degree = out_ptr[0, node + 1] - lo
        if degree < 2 or not node_passable[0, node]:
            continue
        x0 = node_x[node]
        y0 = node_y[node]
        for i in range(degree):
            reached[0, i], crossed[0, i] = _walk(
                out_edge[lo + i], x0, y0, edges, 0, walks[0, i], segments[0, i], inner, later
            )
        for g in range(1, n_groups):
            _later_walks(
                g,
                node,
                x0,
                y0,
                lo,
                degree,
                edges,
                node_passable,
                out_ptr,
                out_edge,
                out_base[g],
                n_edges,
                later,
                walks,
                segments,
                crossed,
                position,
                same,
                reached,
                inner,
            )
        for i in range(degree):
            for j in range(i + 1, degree):
                _pair_radius(
                    walks[0, i],
                    reached[0, i],
                    segments[0, i],
                    walks[0, j],
                    reached[0, j],
                    segments[0, j],
                    vehicle_width,
                    enough_radius,
                    best,
                )
                # the turn from i's segment onto j, and from j's segment onto i
                first = succ_ptr[0, out_edge[lo + i] ^ 1] + j - 1
                second = succ_ptr[0, out_edge[lo + j] ^ 1] + i
                _store_limits(
                    best, 0, class_group, class_offset, lateral_accel, min_radius, first, second, limits
                )
                for g in range(1, n_groups):
                    i_g = position[g, i]
                    j_g = position[g, j]
                    if i_g < 0 or j_g < 0:
                        continue
                    first = succ_ptr[g, out_edge[lo + i] ^ 1] + j_g - 1
                    second = succ_ptr[g, out_edge[lo + j] ^ 1] + i_g
                    if same[g, i] and same[g, j]:
                        _store_limits(
                            best,
                            g,
                            class_group,
                            class_offset,
                            lateral_accel,
                            min_radius,
                            first,
                            second,
                            limits,
                        )
                        continue
                    gi = 0 if same[g, i] else g  # a walk the same in g is the first mask's
                    gj = 0 if same[g, j] else g
                    _pair_radius(
                        walks[gi, i],
                        reached[gi, i],
                        segments[gi, i],
                        walks[gj, j],
                        reached[gj, j],
                        segments[gj, j],
                        vehicle_width,
                        enough_radius,
                        own,
                    )
                    _store_limits(
                        own, g, class_group, class_offset, lateral_accel, min_radius, first, second, limits
                    )


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


@numba.njit(cache=True, nogil=True, inline="always")
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


@numba.njit(cache=True, nogil=True, inline="always")
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


@numba.njit(cache=True, nogil=True, inline="always")
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


@numba.njit(cache=True, nogil=True, inline="always")
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
