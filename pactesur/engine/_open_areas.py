"""Virtual straight crossings of open pedestrian areas and squares (WayKind.OPEN_AREA segments)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from pactesur.engine._arrays import boxes_may_meet, distinct

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ObjectArray = npt.NDArray[np.object_]

GEOS_POLYGON = 3  # shapely.GeometryType.POLYGON
ANCHOR_TOLERANCE_M = 1.0  # (assumption) a node this close to an area's outline is on it
MAX_ANCHORS_PER_AREA = 60  # (assumption) ≤ 1770 candidate crossings per area
OPEN_AREA_MAX_WIDTH_M = 20.0  # (assumption) a vehicle crossing a square uses at most a 20 m wide swathe
OPEN_AREA_MIN_WIDTH_M = 3.0  # (assumption) a crossing is at least a lane wide
MIN_CROSSING_M = 2.0  # (assumption) shorter crossings add nothing to the street network
# What cuts sight across an open area: lines are thickened so that they split a polygon
# (assumption: a wall or fence is about half a metre thick, steps a metre or more deep).
SIGHT_LINE_HALF_WIDTH_M = 0.25
SIGHT_STEPS_HALF_WIDTH_M = 1.0
# A barrier line cuts sight only where its gap stops every class: narrower than the narrowest
# vehicle (the M1 car, 1.80 m) — uncertainty never hides exposure, so a row of bollards a car
# passes leaves the surface open to everything narrower (assumption).
SIGHT_BLOCKING_GAP_M = 1.80
SIGHT_SIMPLIFY_M = 0.2  # (assumption) finer than any mapped outline matters for a vehicle


@dataclass(frozen=True)
class OpenAreaSegments:
    """Virtual segments: node index pairs, and the width of each crossing."""

    u: IntArray
    v: IntArray
    width_m: FloatArray


def open_area_width_m(polygon: shapely.Geometry) -> float:
    """Return the width a vehicle has across an open area: 2·area/perimeter, clipped to [3, 20] m.

    2A/P is the width of a long strip and half the side of a square: a cheap, conservative
    stand-in for the area's usable breadth.
    """
    perimeter = float(shapely.length(polygon))
    if perimeter <= 0:
        return OPEN_AREA_MIN_WIDTH_M
    return float(
        np.clip(2.0 * float(shapely.area(polygon)) / perimeter, OPEN_AREA_MIN_WIDTH_M, OPEN_AREA_MAX_WIDTH_M)
    )


def spread_anchors(xy: FloatArray, priority: FloatArray, limit: int) -> IntArray:
    """Pick at most `limit` anchors, highest priority first, then farthest-point sampling for spacing."""
    if xy.shape[0] <= limit:
        return np.arange(xy.shape[0], dtype=np.int64)
    chosen = [int(np.argmax(priority))]
    dist = np.hypot(xy[:, 0] - xy[chosen[0], 0], xy[:, 1] - xy[chosen[0], 1])
    for _ in range(limit - 1):
        nxt = int(np.argmax(dist))
        chosen.append(nxt)
        dist = np.minimum(dist, np.hypot(xy[:, 0] - xy[nxt, 0], xy[:, 1] - xy[nxt, 1]))
    return np.asarray(chosen, dtype=np.int64)


def open_area_segments(
    polygons_xy: ObjectArray,
    node_x: FloatArray,
    node_y: FloatArray,
    node_way_count: IntArray,
    node_degree: IntArray,
    *,
    obstacles: shapely.STRtree | None,
) -> OpenAreaSegments:
    """Connect the entrances of each open area by straight segments.

    An anchor is a network node on or inside the area (within 1 m) where two or more ways meet,
    or where a way ends; anchors are thinned to `MAX_ANCHORS_PER_AREA` by farthest-point
    sampling. Every pair of anchors becomes a crossing if the straight line stays inside the area
    (1 m tolerance) and crosses no obstacle (barrier lines and buildings, in `obstacles`).

    Parameters
    ----------
    polygons_xy
        Open areas as shapely polygons in metres.
    node_x, node_y
        Network node coordinates in metres.
    node_way_count, node_degree
        Distinct ways and segments meeting at each node.
    obstacles
        STRtree of barrier lines and building polygons in metres, or None.

    Returns
    -------
    OpenAreaSegments
        Node index pairs and widths of the crossings.
    """
    empty = OpenAreaSegments(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float64))
    if polygons_xy.shape[0] == 0 or node_x.shape[0] == 0:
        return empty
    # only nodes inside an area's box (a grid test over all nodes) become points for the exact test
    boxes = shapely.bounds(polygons_xy) + np.array([-1.0, -1.0, 1.0, 1.0]) * ANCHOR_TOLERANCE_M
    near = np.flatnonzero(boxes_may_meet(node_x, node_y, node_x, node_y, boxes))
    tree = shapely.STRtree(shapely.points(node_x[near], node_y[near]))
    poly_idx, near_idx = tree.query(polygons_xy, predicate="dwithin", distance=ANCHOR_TOLERANCE_M)
    order = np.lexsort((near_idx, poly_idx))  # by area, then by node: what follows needs no tree order
    poly_idx, node_idx = poly_idx[order], near[near_idx[order]]
    anchor_ok = (node_way_count >= 2) | (node_degree == 1)
    # candidate crossings of every area first, then each geometric test once over all of them
    us: list[IntArray] = []
    vs: list[IntArray] = []
    of: list[IntArray] = []
    for p in distinct(poly_idx).tolist():
        nodes = node_idx[poly_idx == p]
        nodes = nodes[anchor_ok[nodes]]
        if nodes.shape[0] < 2:
            continue
        xy = np.column_stack([node_x[nodes], node_y[nodes]])
        nodes = nodes[spread_anchors(xy, node_degree[nodes].astype(np.float64), MAX_ANCHORS_PER_AREA)]
        i, j = np.triu_indices(nodes.shape[0], k=1)
        a, b = nodes[i], nodes[j]
        keep = np.hypot(node_x[a] - node_x[b], node_y[a] - node_y[b]) >= MIN_CROSSING_M
        us.append(a[keep])
        vs.append(b[keep])
        of.append(np.full(int(keep.sum()), p, dtype=np.int64))
    if not us:
        return empty
    a, b, area_of = np.concatenate(us), np.concatenate(vs), np.concatenate(of)
    if a.shape[0] == 0:
        return empty
    coords = np.stack(
        [np.column_stack([node_x[a], node_y[a]]), np.column_stack([node_x[b], node_y[b]])], axis=1
    )
    lines = shapely.linestrings(coords)
    used, line_area = np.unique(area_of, return_inverse=True)
    areas = shapely.buffer(polygons_xy[used], ANCHOR_TOLERANCE_M)
    # predicates run prepared on their first argument: the areas and obstacles, not the short lines
    shapely.prepare(areas)
    inside = shapely.covers(areas[line_area], lines)
    if obstacles is not None and inside.any():
        candidates = np.flatnonzero(inside)
        near_line, near_obstacle = obstacles.query(lines[candidates])
        if near_line.shape[0]:
            blockers = obstacles.geometries[near_obstacle]
            shapely.prepare(blockers)
            line = lines[candidates[near_line]]
            blocked = shapely.crosses(blockers, line) | shapely.contains(blockers, line)
            inside[candidates[near_line[blocked]]] = False
    if not inside.any():
        return empty
    widths = np.asarray([open_area_width_m(g) for g in polygons_xy[used]], dtype=np.float64)
    return OpenAreaSegments(a[inside], b[inside], widths[line_area[inside]])


def sight_obstacles(
    buildings_xy: ObjectArray,
    water_xy: ObjectArray,
    barrier_xy: ObjectArray,
    barrier_gap_m: FloatArray,
    steps_xy: ObjectArray,
) -> ObjectArray:
    """Return what cuts sight across open areas, as polygons in metres.

    Buildings and water as they are; walls, fences and rows of bollards whose gap stops every
    class, and steps, thickened into thin polygons.
    """
    blocking = (
        barrier_xy[np.asarray(barrier_gap_m) < SIGHT_BLOCKING_GAP_M] if barrier_xy.shape[0] else barrier_xy
    )
    parts = [
        buildings_xy,
        water_xy,
        shapely.buffer(blocking, SIGHT_LINE_HALF_WIDTH_M, cap_style="flat")
        if blocking.shape[0]
        else blocking,
        shapely.buffer(steps_xy, SIGHT_STEPS_HALF_WIDTH_M, cap_style="flat")
        if steps_xy.shape[0]
        else steps_xy,
    ]
    found = np.concatenate([np.asarray(p, dtype=object) for p in parts])
    kept: ObjectArray = found[~shapely.is_empty(found) & shapely.is_valid(found)] if found.shape[0] else found
    return kept


def sight_areas(open_xy: ObjectArray, obstacles_xy: ObjectArray) -> list[shapely.Geometry]:
    """Return the open areas with what cuts sight cut out: the surfaces a vehicle crosses in straight lines.

    Overlapping open areas (a square and the pedestrian area mapped on it) are merged first, so
    a vehicle on one sees across the other.
    """
    if open_xy.shape[0] == 0:
        return []
    merged = shapely.union_all(shapely.make_valid(open_xy))
    pieces = shapely.get_parts(merged)
    pieces = pieces[shapely.get_type_id(pieces) == GEOS_POLYGON]
    if pieces.shape[0] == 0:
        return []
    if obstacles_xy.shape[0]:
        tree = shapely.STRtree(obstacles_xy)
        piece_idx, obstacle_idx = tree.query(pieces, predicate="intersects")
        for p in distinct(piece_idx).tolist():
            cut = shapely.union_all(obstacles_xy[obstacle_idx[piece_idx == p]])
            pieces[p] = shapely.difference(pieces[p], cut)
    pieces = shapely.simplify(pieces, SIGHT_SIMPLIFY_M)
    return [g for g in pieces.tolist() if not g.is_empty and g.area > 0.0]
