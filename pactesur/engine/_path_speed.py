"""The path speed: the best line that fits between the mapped streetscape, around one space.

The envelope (`dynamics.py`, `_outside.py`) is the speed physics allows on the ways as mapped.
The path speed solves the same fixed point again where the streetscape matters: on every edge
that starts within the class's run-up to its top speed of the space (plus `REGION_MARGIN_M`),
segments closed by rigid objects are not driven, and where objects force a weave the speed is
capped between them (`_clutter.py`). Edges farther away keep their envelope speeds: the path
speed is then an upper bound there, so it is never below what the map shows and never above the
envelope. Only the region is solved again, so the cost is that of the space's surroundings.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from dataclasses import dataclass, field

import numba
import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from pactesur.engine._arrays import boxes_may_meet
from pactesur.engine._clutter import ClassCorridors, SegmentObjects, class_corridors, segment_objects
from pactesur.engine._outside import raise_from_queue
from pactesur.engine.dynamics import (
    AttainableSpeeds,
    EdgeCaps,
    _capped_accelerate,
)
from pactesur.engine.network import StreetNetwork
from pactesur.engine.vehicles import VehicleClass

FloatArray = npt.NDArray[np.float64]
Int32Array = npt.NDArray[np.int32]
Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Beyond the run-up a class needs to reach its top speed, how much more of the surroundings is
# solved again (assumption: a few blocks, so that a cap just outside still counts).
REGION_MARGIN_M: float = 200.0


class Streetscape:
    """The network's street objects on its segments, and what they leave each class: computed once.

    A segment's corridor depends on that segment and its objects alone, so one computation over
    the whole network serves every space analysed on it (a city analysis reuses it for all of its
    spaces). Safe to share between threads.
    """

    def __init__(self, network: StreetNetwork) -> None:
        self.network = network
        self._lock = threading.Lock()
        self._objects: SegmentObjects | None = None
        self._classes: dict[VehicleClass, tuple[ClassCorridors, EdgeCaps]] = {}

    def objects(self) -> SegmentObjects:
        """Every object standing on a segment of the network (`_clutter.segment_objects`)."""
        with self._lock:
            if self._objects is None:
                every = np.arange(self.network.segment_count, dtype=np.int64)
                self._objects = segment_objects(self.network, every)
            return self._objects

    def corridors(self, vehicle: VehicleClass) -> tuple[ClassCorridors, EdgeCaps]:
        """What the objects leave the class on every segment, and the speed caps that follow."""
        objects = self.objects()
        with self._lock:
            found = self._classes.get(vehicle)
            if found is None:
                corridors = class_corridors(self.network, objects, vehicle)
                found = (corridors, _edge_caps(self.network, corridors))
                self._classes[vehicle] = found
            return found


@dataclass(frozen=True)
class Surroundings:
    """The part of the network around one space that the path speed solves again, and its objects."""

    node_distance_m: FloatArray  # per node: straight distance to the space (inf far away)
    objects: SegmentObjects  # the objects on `segments`
    streetscape: Streetscape
    segments: Int64Array = field(default_factory=lambda: np.empty(0, dtype=np.int64))


def region_radius_m(vehicle: VehicleClass) -> float:
    return vehicle.distance_to_speed_m(vehicle.top_speed_ms() * 3.6 - 0.5) + REGION_MARGIN_M


def surroundings(
    network: StreetNetwork,
    area_xy: BaseGeometry,
    radius_m: float,
    *,
    streetscape: Streetscape | None = None,
) -> Surroundings:
    """Distances of the nodes within `radius_m` of the area, and the objects on the segments there.

    `streetscape` is the network's, when kept from an earlier space (a new one is made otherwise).
    """
    x, y = network.node_x, network.node_y
    distance = np.full(x.shape[0], math.inf)
    x0, y0, x1, y1 = area_xy.bounds
    box = np.array([[x0 - radius_m, y0 - radius_m, x1 + radius_m, y1 + radius_m]])
    near = np.flatnonzero(boxes_may_meet(x, y, x, y, box))
    if near.shape[0]:
        distance[near] = shapely.distance(shapely.points(x[near], y[near]), area_xy)
    within = distance <= radius_m
    segments = np.flatnonzero(within[network.seg_u] | within[network.seg_v]).astype(np.int64)
    if streetscape is None:
        streetscape = Streetscape(network)
    every = streetscape.objects()
    mask = np.zeros(network.segment_count, dtype=np.bool_)
    mask[segments] = True
    on = mask[every.seg]
    objects = SegmentObjects(
        seg=every.seg[on], obj=every.obj[on], t=every.t[on], offset=every.offset[on], radius=every.radius[on]
    )
    return Surroundings(node_distance_m=distance, objects=objects, streetscape=streetscape, segments=segments)


@dataclass(frozen=True)
class PathSpeeds:
    """One class's path speeds around a space, with what the streetscape did to its corridor."""

    speeds: AttainableSpeeds
    corridors: ClassCorridors


def path_speeds(
    network: StreetNetwork,
    outside: AttainableSpeeds,
    sink_edge: BoolArray,
    around: Surroundings,
) -> PathSpeeds:
    """Return the class's speeds along the best lines the streetscape leaves, around one space.

    Parameters
    ----------
    network
        The street network with its objects.
    outside
        The class's envelope speeds with the space's edges as sinks (`speeds_outside`).
    sink_edge
        Per directed edge: True where it enters or lies in the space.
    around
        The space's surroundings (`surroundings`, with a radius of at least the class's
        `region_radius_m`).
    """
    vehicle = outside.vehicle
    corridors, caps = around.streetscape.corridors(vehicle)
    radius = region_radius_m(vehicle)
    # only the edges of the surroundings' segments can be in the region or feed it
    near = np.concatenate((2 * around.segments, 2 * around.segments + 1))
    forward = (near & 1) == 0
    seg = near >> 1
    tail = np.where(forward, network.seg_u[seg], network.seg_v[seg])
    head = np.where(forward, network.seg_v[seg], network.seg_u[seg])
    closed_edge = np.repeat(corridors.closed, 2)
    usable = outside.usable & ~closed_edge
    in_region = (around.node_distance_m[tail] <= radius) & usable[near]
    active = np.zeros(usable.shape[0], dtype=np.bool_)
    active[near[in_region]] = True
    region_tails = np.zeros(network.node_count, dtype=np.bool_)
    region_tails[tail[in_region]] = True
    feeders = near[region_tails[head] & ~sink_edge[near] & usable[near]]
    start = outside.start_speed_ms.copy()
    end = outside.end_speed_ms.copy()
    pred = outside.predecessor.copy()
    end[closed_edge] = math.nan
    _resolve_capped(
        start,
        end,
        pred,
        active,
        np.ascontiguousarray(np.union1d(near[in_region], feeders), dtype=np.int64),
        np.ascontiguousarray(sink_edge, dtype=np.bool_),
        network.seg_length_m.astype(np.float64),
        outside.successor_ptr,
        outside.successor_edge,
        outside.successor_turn_ms,
        caps.ptr,
        caps.t0,
        caps.t1,
        caps.v,
        outside.speeds_ms,
        outside.run_up_m,
    )
    usable.setflags(write=False)
    speeds = dataclasses.replace(
        outside, usable=usable, start_speed_ms=start, end_speed_ms=end, predecessor=pred, caps=caps
    )
    return PathSpeeds(speeds=speeds, corridors=corridors)


def _edge_caps(network: StreetNetwork, corridors: ClassCorridors) -> EdgeCaps:
    """The capped stretches of every directed edge (the reverse edge sees them mirrored)."""
    n_edges = 2 * network.segment_count
    count = np.zeros(n_edges + 1, dtype=np.int64)
    for s, stretches in corridors.stretches.items():
        count[2 * s + 1] = len(stretches)
        count[2 * s + 2] = len(stretches)
    ptr = np.cumsum(count)
    t0 = np.empty(int(ptr[-1]))
    t1 = np.empty(int(ptr[-1]))
    v = np.empty(int(ptr[-1]))
    for s, stretches in corridors.stretches.items():
        length = float(network.seg_length_m[s])
        k = int(ptr[2 * s])
        for a, b, cap in stretches:
            t0[k], t1[k], v[k] = a, b, cap
            k += 1
        k = int(ptr[2 * s + 1])
        for a, b, cap in reversed(stretches):
            t0[k], t1[k], v[k] = length - b, length - a, cap
            k += 1
    return EdgeCaps(ptr=ptr, t0=t0, t1=t1, v=v)


@numba.njit(cache=True, nogil=True)
def _resolve_capped(  # noqa: PLR0917 (numba kernels take arrays positionally)
    start: FloatArray,
    end: FloatArray,
    pred: Int32Array,
    active: BoolArray,
    seeds: Int64Array,
    sink: BoolArray,
    length: FloatArray,
    succ_ptr: Int64Array,
    succ_edge: Int32Array,
    succ_vturn: FloatArray,
    cap_ptr: Int64Array,
    cap_t0: FloatArray,
    cap_t1: FloatArray,
    cap_v: FloatArray,
    speeds: FloatArray,
    run_up: FloatArray,
) -> int:
    # The active edges (the region's usable ones) restart from a standstill within their caps;
    # the seeds (the active edges and every edge feeding one) start the sweep that only raises
    # active edges (`_outside.raise_from_queue`). Edges outside keep their envelope speeds.
    # Returns the pops.
    n = start.shape[0]
    queue = np.empty(n + 1, dtype=np.int32)
    queued = np.zeros(n, dtype=np.bool_)
    tail = 0
    for d in seeds:
        if active[d]:
            start[d] = 0.0
            end[d] = _capped_accelerate(
                0.0, length[d >> 1], d, cap_ptr, cap_t0, cap_t1, cap_v, speeds, run_up
            )
            pred[d] = -1
    for d in seeds:
        if not math.isnan(end[d]):
            queue[tail] = d
            tail += 1
            queued[d] = True
    return raise_from_queue(
        start, end, pred, active, queue, queued, tail, sink, length,
        succ_ptr, succ_edge, succ_vturn, cap_ptr, cap_t0, cap_t1, cap_v, speeds, run_up,
    )  # fmt: skip
