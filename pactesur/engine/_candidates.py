"""Entries of an area on the ways: where a way crosses its outline, and where a vehicle veers off one."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from pactesur.engine._paths import Approach, Leg, accelerate_ms, chain_to, crossing_angle_deg
from pactesur.engine.crossings import ALONG_MARGIN_M, AreaCrossings
from pactesur.engine.dynamics import AttainableSpeeds, fits
from pactesur.engine.network import StreetNetwork

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

NO_EDGES = np.empty(0, dtype=np.int64)


@dataclass(frozen=True)
class Candidate:
    """A place where the vehicle crosses the outline, before merging and measuring."""

    speed_ms: float
    via: str
    x_m: float
    y_m: float
    approach: Approach
    kind: int
    width_m: float
    way_id: int
    edge: int
    angle_deg: float
    along_m: float = 0.0
    crossing: int = -1  # index into the area's crossings, for the inside graph's exposure


def way_candidates(
    network: StreetNetwork,
    crossings: AreaCrossings,
    speeds: AttainableSpeeds,
    *,
    heads: IntArray,
    tails: IntArray,
) -> list[Candidate]:
    """Entries where a usable way crosses the outline: the first crossing of each directed edge."""
    x, y = network.node_x, network.node_y
    boundary = crossings.area_xy.boundary
    first: dict[int, int] = {}
    for i in np.argsort(crossings.fraction, kind="stable").tolist():
        e = int(crossings.edge[i])
        if speeds.usable[e]:
            first.setdefault(e, i)
    at_nodes = np.unique(
        np.asarray([tails[e] for e, i in first.items() if crossings.fraction[i] <= 0.0], np.int64)
    )
    arriving = incoming(heads, speeds.usable & ~np.repeat(crossings.seg_enters, 2), at_nodes)
    found: list[Candidate] = []
    for e, i in first.items():
        s = e >> 1
        frac = float(crossings.fraction[i])
        length = float(network.seg_length_m[s])
        cx, cy = float(crossings.x_m[i]), float(crossings.y_m[i])
        tx, ty = float(x[tails[e]]), float(y[tails[e]])
        if frac > 0.0:
            start = float(speeds.start_speed_ms[e])
            speed = speeds.accelerate_on_ms(e, start, frac * length)
            leg = Leg(tx, ty, cx, cy, start, segment=s, edge=e)
            approach = Approach(chain_to(speeds, int(speeds.predecessor[e])), [leg])
        else:
            speed, pred = _arrival_from_outside(network, speeds, e, arriving.get(int(tails[e]), NO_EDGES))
            approach = Approach(chain_to(speeds, pred), [Leg(tx, ty, tx, ty, speed)])
        hx, hy = float(x[heads[e]]), float(y[heads[e]])
        found.append(
            Candidate(
                speed_ms=speed,
                via="way",
                x_m=cx,
                y_m=cy,
                approach=approach,
                kind=int(network.seg_kind[s]),
                width_m=float(min(network.seg_width_m[s], network.seg_gap_m[s])),
                way_id=int(network.seg_way_id[s]),
                edge=e,
                angle_deg=crossing_angle_deg(boundary, tx, ty, hx, hy) if (tx, ty) != (hx, hy) else 90.0,
                crossing=i,
            )
        )
    return found


def along_candidates(
    network: StreetNetwork, crossings: AreaCrossings, speeds: AttainableSpeeds, *, tails: IntArray
) -> list[Candidate]:
    """Entries where the vehicle leaves a way that runs along the outline or near it.

    A way whose centre line passes within half its width plus `ALONG_MARGIN_M` of the area,
    without entering it, lets the vehicle veer off into the area wherever it likes on that
    stretch; it does so where it is fastest, at the far end of the stretch in its direction of
    travel, and reaches the nearest point of the outline at a shallow angle: a veer that needs
    the lateral room of a bend of radius v²/a_lat, which the stretch gives at any speed. A way
    heading away from the outline gives no entry in that direction. Each way and direction
    gives its fastest point, with the length of the stretch in `along_m`.
    """
    area = crossings.area_xy
    boundary = area.boundary
    x, y = network.node_x, network.node_y
    u, v = network.seg_u.astype(np.int64), network.seg_v.astype(np.int64)
    reach = 0.5 * network.seg_width_m.astype(np.float64) + ALONG_MARGIN_M
    ok = speeds.usable[0::2] & ~crossings.seg_enters
    minx, miny, maxx, maxy = area.bounds
    pad = float(reach[ok].max()) if ok.any() else 0.0
    near = np.flatnonzero(
        ok
        & (np.maximum(x[u], x[v]) >= minx - pad)
        & (np.minimum(x[u], x[v]) <= maxx + pad)
        & (np.maximum(y[u], y[v]) >= miny - pad)
        & (np.minimum(y[u], y[v]) <= maxy + pad)
    )
    if near.shape[0] == 0:
        return []
    lines = shapely.linestrings(
        np.stack(
            [np.column_stack([x[u[near]], y[u[near]]]), np.column_stack([x[v[near]], y[v[near]]])], axis=1
        )
    )
    shapely.prepare(area)
    close = shapely.distance(area, lines) <= reach[near]
    near, lines = near[close], lines[close]
    best: dict[tuple[int, int], Candidate] = {}
    stretch: dict[tuple[int, int], float] = {}
    zones: dict[float, BaseGeometry] = {}
    for s, line in zip(near.tolist(), lines.tolist(), strict=True):
        zone = zones.get(float(reach[s]))
        if zone is None:
            zone = zones[float(reach[s])] = shapely.buffer(area, float(reach[s]), quad_segs=4)
            shapely.prepare(zone)
        piece = shapely.intersection(line, zone)
        coords = shapely.get_coordinates(piece)
        if coords.shape[0] == 0:
            continue
        length = float(network.seg_length_m[s])
        ax, ay, bx, by = float(x[u[s]]), float(y[u[s]]), float(x[v[s]]), float(y[v[s]])
        t = ((coords[:, 0] - ax) * (bx - ax) + (coords[:, 1] - ay) * (by - ay)) / max(length * length, 1e-12)
        t = np.clip(t, 0.0, 1.0)
        for e, far in ((2 * s, float(t.max())), (2 * s + 1, 1.0 - float(t.min()))):
            cand = _veer_off(network, speeds, boundary, e, far, tails=tails)
            if cand is None:
                continue
            key = (cand.way_id, e & 1) if cand.way_id else (-1, e)
            stretch[key] = stretch.get(key, 0.0) + float(shapely.length(piece))
            if key not in best or best[key].speed_ms < cand.speed_ms:
                best[key] = cand
    return [dataclasses.replace(c, along_m=stretch[k]) for k, c in best.items()]


def _veer_off(
    network: StreetNetwork,
    speeds: AttainableSpeeds,
    boundary: BaseGeometry,
    e: int,
    far: float,
    *,
    tails: IntArray,
) -> Candidate | None:
    """The vehicle on edge `e` leaves it `far` of the way along, for the nearest point of the outline."""
    if not speeds.usable[e]:
        return None
    s = e >> 1
    x, y = network.node_x, network.node_y
    length = float(network.seg_length_m[s])
    tx, ty = float(x[tails[e]]), float(y[tails[e]])
    head = int(network.seg_u[s] if e & 1 else network.seg_v[s])
    hx, hy = float(x[head]) - tx, float(y[head]) - ty
    qx, qy, px, py, gap = _nearest_outline(boundary, (tx, ty), (hx, hy), far)
    if gap > 0.5 and (hx * (px - qx) + hy * (py - qy)) < -0.1 * gap * max(length, 1e-9):
        # past the stretch's end the outline is behind: leave the way where it is abeam instead
        far = max(0.0, min(far, ((px - tx) * hx + (py - ty) * hy) / max(length * length, 1e-12)))
        qx, qy, px, py, gap = _nearest_outline(boundary, (tx, ty), (hx, hy), far)
        if gap > 0.5 and (hx * (px - qx) + hy * (py - qy)) < -0.1 * gap * max(length, 1e-9):
            return None  # the way heads away from the outline in this direction
    if gap > 0.5 * float(network.seg_width_m[s]) + ALONG_MARGIN_M + 0.5:
        return None  # only the stretch's far end came near the outline, past a corner of it
    head_xy = (float(x[head]), float(y[head]))
    reach = 0.5 * float(network.seg_width_m[s]) + ALONG_MARGIN_M
    if not fits(network.node_gap_m[head : head + 1], speeds.vehicle)[0] and (
        math.hypot(px - head_xy[0], py - head_xy[1]) <= reach
    ):
        return None  # a closed barrier stands across the way where it meets the outline
    start = float(speeds.start_speed_ms[e])
    at_q = speeds.accelerate_on_ms(e, start, far * length)
    speed = accelerate_ms(speeds, at_q, gap)
    lateral = speeds.vehicle.lateral_accel_ms2
    radius = speed * speed / lateral if lateral > 0.0 else math.inf
    # the veer's crossing angle: a bend of radius v²/a_lat that moves `gap` sideways
    veer = math.degrees(math.acos(max(0.0, 1.0 - gap / radius))) if radius > 0.0 else 90.0
    heading = crossing_angle_deg(boundary, qx - hx, qy - hy, qx, qy) if gap <= 0.5 else 0.0
    return Candidate(
        speed_ms=speed,
        via="along_way",
        x_m=px,
        y_m=py,
        approach=Approach(
            chain_to(speeds, int(speeds.predecessor[e])),
            [Leg(tx, ty, qx, qy, start, segment=s, edge=e), Leg(qx, qy, px, py, at_q)],
        ),
        kind=int(network.seg_kind[s]),
        width_m=float(min(network.seg_width_m[s], network.seg_gap_m[s])),
        way_id=int(network.seg_way_id[s]),
        edge=e,
        angle_deg=max(veer, heading),
    )


def _nearest_outline(
    boundary: BaseGeometry, tail: tuple[float, float], heading: tuple[float, float], far: float
) -> tuple[float, float, float, float, float]:
    """The point `far` along tail→head (q), the outline's nearest point to it (p), and their distance."""
    qx, qy = tail[0] + far * heading[0], tail[1] + far * heading[1]
    nearest = boundary.interpolate(boundary.project(shapely.Point(qx, qy)))
    px, py = float(nearest.x), float(nearest.y)
    return qx, qy, px, py, math.hypot(px - qx, py - qy)


def incoming(heads: IntArray, allowed: BoolArray, nodes: IntArray) -> dict[int, IntArray]:
    """The allowed directed edges arriving at each of `nodes`, in one pass over the edges."""
    if nodes.shape[0] == 0:
        return {}
    edges = np.flatnonzero(allowed & np.isin(heads, nodes))
    edges = edges[np.argsort(heads[edges], kind="stable")]
    at = heads[edges]
    starts = np.searchsorted(at, nodes, side="left")
    ends = np.searchsorted(at, nodes, side="right")
    return {
        int(n): edges[a:b] for n, a, b in zip(nodes.tolist(), starts.tolist(), ends.tolist(), strict=True)
    }


def edge_heads_tails(network: StreetNetwork) -> tuple[IntArray, IntArray]:
    u = network.seg_u.astype(np.int64)
    v = network.seg_v.astype(np.int64)
    tails = np.empty(2 * u.size, dtype=np.int64)
    heads = np.empty(2 * u.size, dtype=np.int64)
    tails[0::2], heads[0::2] = u, v
    tails[1::2], heads[1::2] = v, u
    return heads, tails


def _arrival_from_outside(
    network: StreetNetwork, speeds: AttainableSpeeds, edge: int, arriving: IntArray
) -> tuple[float, int]:
    """Best speed onto `edge` at its tail node (on the outline) from edges that never ran inside."""
    node = int(network.seg_v[edge >> 1] if edge & 1 else network.seg_u[edge >> 1])
    if not fits(network.node_gap_m[node : node + 1], speeds.vehicle)[0]:
        return 0.0, -1
    best, best_pred = 0.0, -1
    for p in arriving.tolist():
        if p == (edge ^ 1):
            continue
        speed = min(float(speeds.end_speed_ms[p]), speeds.turn_limit_ms(p, edge))
        if speed > best:
            best, best_pred = speed, p
    if best <= 0.0:
        best_pred = -1
    return best, best_pred
