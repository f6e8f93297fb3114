"""Turn an `OsmExtract` into the engine's street network, suggested spaces and base map."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from pactesur.engine._arrays import boxes_may_meet, distinct
from pactesur.engine._barriers import OPEN_M, line_gap_m, node_gap_m
from pactesur.engine._open_areas import open_area_segments, sight_areas, sight_obstacles
from pactesur.engine._widths import way_edges_m, way_kind, way_oneway, way_width
from pactesur.engine.basemap import basemap_layers, is_water
from pactesur.engine.errors import OsmInputError
from pactesur.engine.io.osm import OsmExtract
from pactesur.engine.network import StreetNetwork, WayKind
from pactesur.engine.projection import LocalProjection
from pactesur.engine.spaces import SuggestedSpace, areas_xy, suggest_spaces
from pactesur.engine.streetscape import STREET_OBJECT_CODES

Progress = Callable[[float, str], None]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]

_NO_KIND = -1
_LEVEL_OFF = ("no", "", "0")
# Car parks a vehicle drives across at ground level (`parking=*`; absent means surface).
# Buildings kept to tell that a space is indoors (a station hall, a mall, a market hall): at least
# this footprint (assumption: a small shop never holds a crowded public space), outlines simplified.
INDOOR_BUILDING_MIN_M2 = 400.0
BUILDING_SIMPLIFY_M = 0.5
SURFACE_PARKING = frozenset(
    {"surface", "street_side", "lane", "layby"}
)  # bridge/tunnel values that mean "at ground level"
# A row of trees (`natural=tree_row` way) becomes trees evenly spaced from its first node to its
# last, at most this far apart (assumption: street trees stand 6–10 m apart).
TREE_ROW_SPACING_M = 8.0
_TREE_KIND = STREET_OBJECT_CODES.index("tree")


@dataclass(frozen=True, eq=False)
class CityImport:
    """Everything an import produces: the network, suggested spaces, base map layers, and meta data."""

    network: StreetNetwork
    spaces: list[SuggestedSpace]
    basemap: dict[str, dict[str, Any]]
    meta: dict[str, Any]


def _tag_set_attrs(tags: dict[str, str]) -> tuple[int, float, int, bool, bool, float, float]:
    """(kind, width, oneway, at ground level, width assumed, left and right edges) of a way's tag
    set (not its name)."""
    ground = tags.get("bridge", "no") in _LEVEL_OFF and tags.get("tunnel", "no") in _LEVEL_OFF
    kind = way_kind(tags) if "highway" in tags else None
    if kind is None:
        return _NO_KIND, 0.0, 0, ground, False, math.inf, math.inf
    width, assumed = way_width(tags)
    left, right = way_edges_m(tags, kind, width, assumed)
    return int(kind), width, way_oneway(tags), ground, assumed, left, right


def _is_open_area(tags: dict[str, str]) -> bool:
    """An area a vehicle can cross in a straight line: pedestrian/footway areas, squares, car parks."""
    if tags.get("area:highway") in ("pedestrian", "footway"):
        return True
    if tags.get("amenity") == "parking" and "building" not in tags:
        return tags.get("parking", "surface") in SURFACE_PARKING
    if tags.get("place") == "square":
        return True
    # closed highway ways reach here only with area=yes (see io.osm); relations are areas by nature
    return tags.get("highway") in ("pedestrian", "footway") and "building" not in tags


def _segments(extract: OsmExtract) -> dict[str, Any]:
    """Split every usable highway way at each node into segments (indices into the extract's nodes)."""
    attrs = [_tag_set_attrs(tags) for tags in extract.tag_sets]
    codes = extract.way_tag_set
    kind = np.asarray([a[0] for a in attrs], dtype=np.int8).reshape(-1)[codes]
    width = np.asarray([a[1] for a in attrs], dtype=np.float32).reshape(-1)[codes]
    oneway = np.asarray([a[2] for a in attrs], dtype=np.int8).reshape(-1)[codes]
    ground = np.asarray([a[3] for a in attrs], dtype=bool).reshape(-1)[codes]
    assumed = np.asarray([a[4] for a in attrs], dtype=bool).reshape(-1)[codes]
    edges = np.asarray([a[5:7] for a in attrs], dtype=np.float32).reshape(-1, 2)[codes]
    n_ways = extract.way_count
    lengths = np.diff(extract.way_node_start)
    way_of = np.repeat(np.arange(n_ways), lengths)
    pos = np.arange(extract.way_node.shape[0] - 1)
    same_way = way_of[:-1] == way_of[1:]
    pos = pos[same_way & (kind[way_of[:-1]] != _NO_KIND)]
    u = extract.way_node[pos].astype(np.int64)
    v = extract.way_node[pos + 1].astype(np.int64)
    w = way_of[pos]
    ok = (u != v) & np.isfinite(extract.node_lon[u]) & np.isfinite(extract.node_lon[v])
    return {
        "u": u[ok],
        "v": v[ok],
        "way": w[ok],
        "kind": kind,
        "width": width,
        "oneway": oneway,
        "ground": ground,
        "assumed": assumed,
        "edges": edges,
    }


def _barrier_lines_xy(
    extract: OsmExtract, proj: LocalProjection
) -> tuple[ObjectArray, npt.NDArray[np.float64], ObjectArray]:
    """Barrier ways (walls, fences, bollard rows…) in metres with the gap each leaves and their kind."""
    set_gap = np.asarray(
        [
            gap
            if "barrier" in tags and "highway" not in tags and (gap := line_gap_m(tags)) is not None
            else np.nan
            for tags in extract.tag_sets
        ],
        dtype=np.float64,
    ).reshape(-1)
    way_gap = set_gap[extract.way_tag_set]
    idx = np.flatnonzero(~np.isnan(way_gap))
    gaps = way_gap[idx]
    kinds = np.asarray(
        [extract.tag_sets[int(extract.way_tag_set[k])].get("barrier", "") for k in idx.tolist()], dtype=object
    )
    lines = extract.way_lines(idx) if idx.shape[0] else np.empty(0, dtype=object)
    present = np.asarray([g is not None for g in lines], dtype=bool)
    lines_xy = proj.geoms_to_xy(lines[present]) if present.any() else np.empty(0, dtype=object)
    return lines_xy, gaps[present], kinds[present]


def _large_buildings(buildings_xy: ObjectArray) -> list[Any]:
    """Buildings large enough to hold a public space indoors, simplified: to tell indoor spaces."""
    if buildings_xy.shape[0] == 0:
        return []
    large = buildings_xy[shapely.area(buildings_xy) >= INDOOR_BUILDING_MIN_M2]
    return [g for g in shapely.simplify(large, BUILDING_SIMPLIFY_M).tolist() if not g.is_empty]


def _steps_xy(extract: OsmExtract, proj: LocalProjection) -> ObjectArray:
    """Steps (highway=steps ways) as lines in metres."""
    is_steps = np.asarray([t.get("highway") == "steps" for t in extract.tag_sets], dtype=bool).reshape(-1)
    idx = np.flatnonzero(is_steps[extract.way_tag_set]) if is_steps.shape[0] else np.empty(0, np.int64)
    lines = extract.way_lines(idx) if idx.shape[0] else np.empty(0, dtype=object)
    present = np.asarray([g is not None for g in lines], dtype=bool)
    return proj.geoms_to_xy(lines[present]) if present.any() else np.empty(0, dtype=object)


def _areas_xy(
    extract: OsmExtract, proj: LocalProjection, select: Callable[[dict[str, str]], bool]
) -> ObjectArray:
    idx = np.asarray([k for k, t in enumerate(extract.area_tags) if select(t)], dtype=np.int64)
    if idx.shape[0] == 0:
        return np.empty(0, dtype=object)
    return areas_xy(extract, proj)[idx]


def _node_way_counts(n_nodes: int, u: IntArray, v: IntArray, way: IntArray) -> tuple[IntArray, IntArray]:
    """Distinct ways and segment ends at each node."""
    ends = np.concatenate([u, v])
    degree = np.bincount(ends, minlength=n_nodes).astype(np.int64)
    n_ways = int(way.max()) + 1 if way.shape[0] else 1
    pairs = distinct(ends * n_ways + np.concatenate([way, way]))  # one int per (node, way)
    ways = np.bincount(pairs // n_ways, minlength=n_nodes).astype(np.int64)
    return ways, degree


def _dedupe(
    u: IntArray, v: IntArray, width: npt.NDArray[np.float32], kind: npt.NDArray[np.int8]
) -> tuple[IntArray, npt.NDArray[np.float32]]:
    """One segment per unordered node pair: which to keep, and the width it gets.

    Steps between two nodes win (whatever else is mapped there, a vehicle meets the steps);
    otherwise a mapped way wins over a virtual open-area crossing, keeping its way id, kind and
    width source, and takes the widest width of the pair (the square around a footway).
    """
    a, b = np.minimum(u, v), np.maximum(u, v)
    steps = kind == int(WayKind.STEPS)
    virtual = kind == int(WayKind.OPEN_AREA)
    order = np.lexsort((-width, virtual, ~steps, b, a))
    a_s, b_s = a[order], b[order]
    first = np.ones(order.shape[0], dtype=bool)
    first[1:] = (a_s[1:] != a_s[:-1]) | (b_s[1:] != b_s[:-1])
    group = np.cumsum(first) - 1
    widest = np.zeros(int(group[-1]) + 1 if group.shape[0] else 0, dtype=np.float32)
    np.maximum.at(widest, group, width[order])
    keep = order[first]
    new_width = np.where(steps[keep], width[keep], widest)
    by_index = np.argsort(keep)
    return keep[by_index], new_width[by_index].astype(np.float32)


def _segment_gaps(
    x: FloatArray,
    y: FloatArray,
    u: IntArray,
    v: IntArray,
    *,
    ground: npt.NDArray[Any],
    barrier_xy: ObjectArray,
    barrier_gap: FloatArray,
    barrier_kind: ObjectArray,
) -> tuple[npt.NDArray[np.float32], dict[int, str]]:
    """The gap each segment leaves: the smallest of the barrier lines it properly crosses at ground level.

    Returns the gaps and, for each segment a barrier line narrows, the kind of that barrier.
    """
    seg_gap = np.full(u.shape[0], OPEN_M, dtype=np.float32)
    if barrier_xy.shape[0] == 0:
        return seg_gap, {}
    # bounding boxes first (a coarse grid, then the tree), then `crosses` prepared on the
    # barrier: most segments are nowhere near a barrier and never become a shapely line
    near = np.flatnonzero(
        boxes_may_meet(
            np.minimum(x[u], x[v]),
            np.minimum(y[u], y[v]),
            np.maximum(x[u], x[v]),
            np.maximum(y[u], y[v]),
            shapely.bounds(barrier_xy),
        )
    )
    seg_lines = shapely.linestrings(
        np.stack(
            [np.column_stack([x[u[near]], y[u[near]]]), np.column_stack([x[v[near]], y[v[near]]])], axis=1
        )
    )
    near_seg, near_bar = shapely.STRtree(barrier_xy).query(seg_lines)
    barriers = barrier_xy[near_bar]
    shapely.prepare(barriers)
    crossing = shapely.crosses(barriers, seg_lines[near_seg])
    hit_seg, hit_bar = near[near_seg[crossing]], near_bar[crossing]
    at_ground = ground[hit_seg]
    hit_seg, hit_bar = hit_seg[at_ground], hit_bar[at_ground]
    np.minimum.at(seg_gap, hit_seg, barrier_gap[hit_bar].astype(np.float32))
    # the kind of the narrowest barrier of each segment: narrowest last, so it wins the dict
    order = np.argsort(-barrier_gap[hit_bar], kind="stable")
    kinds = {int(hit_seg[i]): str(barrier_kind[hit_bar[i]]) for i in order.tolist()}
    return seg_gap, kinds


def _node_gaps(extract: OsmExtract, used: IntArray) -> tuple[npt.NDArray[np.float32], dict[int, str]]:
    """The gap each barrier node leaves (inf elsewhere) and the kind of the barrier that narrows it."""
    node_gap = np.full(used.shape[0], OPEN_M, dtype=np.float32)
    node_barrier: dict[int, str] = {}
    if extract.point_id.shape[0]:
        node_ids = extract.node_id[used]
        at = np.searchsorted(node_ids, extract.point_id)
        at = np.minimum(at, node_ids.shape[0] - 1)
        for p in np.nonzero(node_ids[at] == extract.point_id)[0]:
            tags = extract.point_tags[p]
            if "barrier" in tags:
                gap = node_gap_m(tags)
                if gap < float(node_gap[at[p]]):
                    node_gap[at[p]] = gap
                    node_barrier[int(at[p])] = tags["barrier"]
    return node_gap, node_barrier


def _tree_row_trees(extract: OsmExtract, proj: LocalProjection) -> tuple[FloatArray, FloatArray]:
    """The trees of the extract's tree rows in metres: ceil(length / 8 m) + 1 per row, evenly spaced.

    A row's line is made of its known nodes; a row with fewer than 2 gives no tree. A row of zero
    length gives one tree.
    """
    n_rows = extract.tree_row_id.shape[0]
    if n_rows == 0:
        return np.empty(0, dtype=np.float64), np.empty(0, dtype=np.float64)
    x, y = proj.to_xy(extract.tree_row_lon, extract.tree_row_lat)
    row_of = np.repeat(np.arange(n_rows), np.diff(extract.tree_row_start))
    known = np.isfinite(x) & np.isfinite(y)
    good = np.bincount(row_of[known], minlength=n_rows) >= 2
    keep = known & good[row_of]
    if not keep.any():
        return np.empty(0, dtype=np.float64), np.empty(0, dtype=np.float64)
    rank = np.cumsum(good) - 1  # shapely wants contiguous geometry indices
    lines = shapely.linestrings(x[keep], y[keep], indices=rank[row_of[keep]])
    length = shapely.length(lines)
    count = np.ceil(length / TREE_ROW_SPACING_M).astype(np.int64) + 1
    line_of = np.repeat(np.arange(lines.shape[0]), count)
    step = np.divide(length, count - 1, out=np.zeros_like(length), where=count > 1)
    rank_in_row = np.arange(line_of.shape[0]) - np.repeat(np.cumsum(count) - count, count)
    xy = shapely.get_coordinates(shapely.line_interpolate_point(lines[line_of], rank_in_row * step[line_of]))
    return np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1])


def _street_objects(
    extract: OsmExtract, proj: LocalProjection
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.int8]]:
    """Every street object of the extract in metres, and its kind: the object nodes by OSM node id,
    then the trees of the tree rows by way id and along each row; objects without coordinates dropped."""
    x, y = proj.to_xy(extract.object_lon, extract.object_lat)
    row_x, row_y = _tree_row_trees(extract, proj)
    x, y = np.concatenate([x, row_x]), np.concatenate([y, row_y])
    kind = np.concatenate([extract.object_kind, np.full(row_x.shape[0], _TREE_KIND)]).astype(np.int8)
    known = np.isfinite(x) & np.isfinite(y)
    return x[known], y[known], kind[known]


def build_network(extract: OsmExtract, proj: LocalProjection) -> StreetNetwork:
    """Build the `StreetNetwork` of an extract in the local projection `proj`.

    Every highway way a vehicle could physically use is split at each of its nodes; identical
    segments from overlapping ways are merged (`_dedupe`: steps win, then mapped ways, widest width).
    Barrier nodes give `node_gap_m`;
    barrier ways that a ground-level segment properly crosses (not at a shared node) give
    `seg_gap_m`; steps get a gap of 0. Open pedestrian areas and squares get virtual straight
    crossings between their entrances (`WayKind.OPEN_AREA`, way id 0). The street objects (trees,
    lamp columns, bollards…, `streetscape.py`) are projected as they are, near a street or not:
    the object nodes by OSM id, then the trees sampled along tree rows (`_tree_row_trees`).
    """
    seg = _segments(extract)
    if seg["u"].shape[0] == 0:
        raise OsmInputError(
            f"{extract.meta.path}: no usable highway ways (roads, service ways, footways…) with known nodes."
        )
    used, inverse = np.unique(np.concatenate([seg["u"], seg["v"]]), return_inverse=True)
    m = seg["u"].shape[0]
    u, v = inverse[:m].astype(np.int64), inverse[m:].astype(np.int64)
    lon, lat = extract.node_lon[used], extract.node_lat[used]
    x, y = proj.to_xy(lon, lat)
    way = seg["way"]
    kind = seg["kind"][way]
    width = seg["width"][way]
    oneway = seg["oneway"][way]
    way_id = extract.way_id[way]
    ground = seg["ground"][way]
    assumed = seg["assumed"][way]
    edges = seg["edges"][way]

    barrier_xy, barrier_gap, barrier_kind = _barrier_lines_xy(extract, proj)
    buildings_xy = _areas_xy(extract, proj, lambda t: "building" in t and t.get("building") != "roof")
    steps_xy = _steps_xy(extract, proj)
    # what an open-area crossing may not pass: barrier lines, buildings and steps
    blocking = np.concatenate([barrier_xy, buildings_xy, steps_xy])
    obstacles = shapely.STRtree(blocking) if blocking.shape[0] else None
    open_xy = _areas_xy(extract, proj, _is_open_area)
    way_count, degree = _node_way_counts(used.shape[0], u, v, way)
    crossings = open_area_segments(open_xy, x, y, way_count, degree, obstacles=obstacles)
    n_open = crossings.u.shape[0]
    u = np.concatenate([u, crossings.u])
    v = np.concatenate([v, crossings.v])
    kind = np.concatenate([kind, np.full(n_open, int(WayKind.OPEN_AREA), dtype=np.int8)])
    width = np.concatenate([width, crossings.width_m.astype(np.float32)])
    oneway = np.concatenate([oneway, np.zeros(n_open, dtype=np.int8)])
    way_id = np.concatenate([way_id, np.zeros(n_open, dtype=np.int64)])
    ground = np.concatenate([ground, np.ones(n_open, dtype=bool)])
    assumed = np.concatenate([assumed, np.zeros(n_open, dtype=bool)])
    edges = np.concatenate([edges, np.full((n_open, 2), np.inf, dtype=np.float32)])
    own_width = width
    keep, width = _dedupe(u, v, width, kind)
    u, v, kind, oneway, way_id, ground, assumed, edges = (
        a[keep] for a in (u, v, kind, oneway, way_id, ground, assumed, edges)
    )
    # a way that took a wider width from what is mapped on the same nodes (the square around a
    # footway) has no edge any more
    edges[width > own_width[keep]] = np.inf

    length = np.hypot(x[u] - x[v], y[u] - y[v]).astype(np.float32)
    seg_gap, seg_barrier = _segment_gaps(
        x, y, u, v, ground=ground, barrier_xy=barrier_xy, barrier_gap=barrier_gap, barrier_kind=barrier_kind
    )
    seg_gap[kind == int(WayKind.STEPS)] = 0.0  # steps stop every vehicle

    node_gap, node_barrier = _node_gaps(extract, used)
    obstacles_xy = sight_obstacles(
        buildings_xy, _areas_xy(extract, proj, is_water), barrier_xy, barrier_gap, steps_xy
    )
    open_areas = sight_areas(open_xy, obstacles_xy)

    object_x, object_y, object_kind = _street_objects(extract, proj)

    named = np.flatnonzero((extract.way_name != None) & (seg["kind"] != _NO_KIND))  # noqa: E711
    names = dict(zip(extract.way_id[named].tolist(), extract.way_name[named].tolist(), strict=True))
    meta = {
        "file_sha256": extract.meta.sha256,
        "bounds": list(extract.meta.bounds),
        "node_count": int(used.shape[0]),
        "segment_count": int(u.shape[0]),
        "open_area_segment_count": int(np.count_nonzero(kind == int(WayKind.OPEN_AREA))),
        "way_count": int(distinct(way_id[way_id != 0]).shape[0]),
    }
    return StreetNetwork(
        crs=proj.crs,
        node_osm_id=extract.node_id[used].astype(np.int64),
        node_lon=np.ascontiguousarray(lon, dtype=np.float64),
        node_lat=np.ascontiguousarray(lat, dtype=np.float64),
        node_x=x,
        node_y=y,
        node_gap_m=node_gap,
        seg_u=u.astype(np.int32),
        seg_v=v.astype(np.int32),
        seg_length_m=length,
        seg_width_m=width.astype(np.float32),
        seg_gap_m=seg_gap,
        seg_kind=kind.astype(np.int8),
        seg_way_id=way_id.astype(np.int64),
        seg_oneway=oneway.astype(np.int8),
        seg_width_assumed=assumed.astype(np.bool_),
        seg_edges_m=np.ascontiguousarray(edges, dtype=np.float32),
        way_names=names,
        meta=meta,
        node_barrier=node_barrier,
        seg_barrier=seg_barrier,
        open_areas_xy=tuple(open_areas),
        buildings_xy=tuple(_large_buildings(buildings_xy)),
        object_x=object_x,
        object_y=object_y,
        object_kind=object_kind,
    )


def extract_network(extract: OsmExtract, *, projection: LocalProjection | None = None) -> StreetNetwork:
    """Build only the street network of a read extract: what the speed analysis needs.

    `import_extract` builds this and also suggests spaces and draws the base map; a command that
    analyses a given area (`pactesur vda`) needs neither, and skips them.

    Parameters
    ----------
    extract
        What `read_osm` returned.
    projection
        The metric projection; the UTM zone of the extract's centre when None.

    Raises
    ------
    OsmInputError
        When no way of the extract is usable by a vehicle.
    """
    proj = projection or LocalProjection.for_bounds(extract.meta.bounds)
    network = build_network(extract, proj)
    network.meta.update({"crs": proj.crs, "file_size_bytes": extract.meta.size_bytes})
    return network


def import_extract(extract: OsmExtract, *, progress: Progress | None = None) -> CityImport:
    """Build the street network, suggested spaces and base map layers of a read extract.

    Parameters
    ----------
    extract
        What `read_osm` returned.
    progress
        Called with (fraction 0..1, message) between the stages.

    Returns
    -------
    CityImport
        The network (in the UTM zone of the extract's centre), spaces, base map, and meta data
        (file hash, bounds, counts, timings in seconds).

    Raises
    ------
    OsmInputError
        When no way of the extract is usable by a vehicle.
    """
    timings: dict[str, float] = {"read_s": round(extract.meta.read_s, 4)}
    started = time.perf_counter()

    def step(fraction: float, message: str) -> None:
        if progress:
            progress(fraction, message)

    step(0.0, "building the street network")
    proj = LocalProjection.for_bounds(extract.meta.bounds)
    network = extract_network(extract, projection=proj)
    timings["network_s"] = round(time.perf_counter() - started, 4)
    step(0.5, "suggesting public spaces")
    mark = time.perf_counter()
    spaces = suggest_spaces(extract, projection=proj)
    timings["spaces_s"] = round(time.perf_counter() - mark, 4)
    step(0.75, "drawing the base map")
    mark = time.perf_counter()
    basemap = basemap_layers(extract)
    timings["basemap_s"] = round(time.perf_counter() - mark, 4)
    timings["import_s"] = round(time.perf_counter() - started, 4)
    meta: dict[str, Any] = {
        "file_sha256": extract.meta.sha256,
        "file_size_bytes": extract.meta.size_bytes,
        "bounds": [float(b) for b in extract.meta.bounds],
        "bounds_source": extract.meta.bounds_source,
        "crs": proj.crs,
        "node_count": network.node_count,
        "segment_count": network.segment_count,
        "way_count": int(network.meta["way_count"]),
        "open_area_segment_count": int(network.meta["open_area_segment_count"]),
        "spaces_count": len(spaces),
        "file_counts": dict(extract.meta.counts),
        "warnings": list(extract.meta.warnings),
        "timings_s": timings,
    }
    step(1.0, f"imported {network.segment_count} segments and {len(spaces)} suggested spaces")
    return CityImport(network=network, spaces=spaces, basemap=basemap, meta=meta)
