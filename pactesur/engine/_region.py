"""The part of a network that decides the speeds at one space: everything within a run-up of it.

The speed a class reaches at a point X is the same on the whole network and on the part of it
within its run-up to top speed, D_top, of X. Take any approach to X and its speed v(x); start
instead from a standstill D_top before X, on the same path, and call w(x) the speed. Along the
path both are capped by the same turn limits and barriers, and w(x) ≥ min(v(x), w₀(x)) holds at
every point, where w₀ is the speed flat out from that standstill on a straight (by induction: a
cap or an acceleration keeps the inequality, since D⁻¹(D(·) + Δ) is monotone). At X, w₀ = v_top ≥
v(X), so w(X) ≥ v(X); and w ≤ v since it starts lower. The last D_top of any approach to the space
lies within D_top (straight distance, less than the distance along the path) of the space, and
the turn model's window walks look at most 128 m further, from nodes that keep all their
segments. So a single-space analysis solves only
that part: on a large city it is a few per cent of the network, and the entries, speeds and
paths are those of the whole network, with approach paths that start within the region.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from pactesur.engine._arrays import boxes_may_meet
from pactesur.engine.dynamics import TURN_SCALE_BOUNDS_M
from pactesur.engine.network import StreetNetwork
from pactesur.engine.vehicles import VehicleClass

# How far beyond a class's run-up the region reaches: the turn model's longest window walk, and a
# margin (assumption: 72 m more than the walk).
WALK_REACH_M: float = float(TURN_SCALE_BOUNDS_M[-1]) + 72.0


def region_radius_m(vehicles: tuple[VehicleClass, ...] | list[VehicleClass]) -> float:
    """The straight distance within which the network decides the speeds at a space, for these classes."""
    return max(float(v.run_up_table()[1][-1]) for v in vehicles) + WALK_REACH_M


def region_network(network: StreetNetwork, area_xy: BaseGeometry, radius_m: float) -> StreetNetwork:
    """Return the network of the segments with an end within `radius_m` of the area.

    Every node within the radius keeps all its segments, so that the straightest continuations
    the turn model walks along are those of the whole network.

    Node and segment indices are renumbered; everything else (ways' names, barriers, open areas,
    buildings, street objects, meta data with the extract's bounds) is kept, so that entries,
    barriers and warnings are those of the whole network. The network itself is returned when the
    region holds all of it.
    """
    x, y = network.node_x, network.node_y
    x0, y0, x1, y1 = area_xy.bounds
    box = np.array([[x0 - radius_m, y0 - radius_m, x1 + radius_m, y1 + radius_m]])
    near = np.flatnonzero(boxes_may_meet(x, y, x, y, box))
    within = np.zeros(x.shape[0], dtype=bool)
    if near.shape[0]:
        within[near] = shapely.distance(shapely.points(x[near], y[near]), area_xy) <= radius_m
    keep = within[network.seg_u] | within[network.seg_v]
    if keep.all():
        return network
    segments = np.flatnonzero(keep)
    used = np.unique(np.concatenate((network.seg_u[segments], network.seg_v[segments])))
    new_index = np.full(x.shape[0], -1, dtype=np.int64)
    new_index[used] = np.arange(used.shape[0])
    new_segment = np.full(network.segment_count, -1, dtype=np.int64)
    new_segment[segments] = np.arange(segments.shape[0])
    seg_fields = {
        f.name: getattr(network, f.name)[segments]
        for f in dataclasses.fields(network)
        if f.name.startswith("seg_") and f.name not in ("seg_u", "seg_v", "seg_barrier")
    }
    node_fields = {
        f.name: getattr(network, f.name)[used]
        for f in dataclasses.fields(network)
        if f.name.startswith("node_") and f.name != "node_barrier"
    }
    return dataclasses.replace(
        network,
        **node_fields,
        **seg_fields,
        seg_u=new_index[network.seg_u[segments]].astype(network.seg_u.dtype),
        seg_v=new_index[network.seg_v[segments]].astype(network.seg_v.dtype),
        node_barrier={int(new_index[n]): k for n, k in network.node_barrier.items() if new_index[n] >= 0},
        seg_barrier={int(new_segment[s]): k for s, k in network.seg_barrier.items() if new_segment[s] >= 0},
        meta={**network.meta, "region_of_segments": int(network.segment_count)},
    )
