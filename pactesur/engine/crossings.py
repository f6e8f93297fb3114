"""Where an area meets the street network: its crossings, the segments inside it, what reaches it."""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from pactesur.engine._arrays import distinct
from pactesur.engine._surfaces import SurfaceSight, surface_sight
from pactesur.engine.errors import AreaError, AreaOutsideNetworkError
from pactesur.engine.network import StreetNetwork
from pactesur.engine.projection import projection_for

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Beyond its mapped width a way leaves this much room a vehicle uses to veer off it: a parking
# lane, a verge, a kerb it overruns (assumption; hostile-vehicles.md §7, kerbs stopped no attack).
ALONG_MARGIN_M: float = 2.0


BREAKPOINT_TOLERANCE: float = 1e-9  # duplicate crossing parameters along a segment


CUT_SNAP_M: float = 1e-4  # a boundary cut this close to a segment's end is at its node (rounding)


@dataclass(frozen=True, eq=False)
class AreaCrossings:
    """Where the network crosses into an area, independent of the vehicle.

    Attributes
    ----------
    area_xy : the area in the network's metric CRS.
    edge : directed edge of each crossing (see `AttainableSpeeds`).
    fraction : position of the crossing along the directed edge, 0 at its tail.
    inside_until : position along the edge where the inside piece after the crossing ends.
    x_m, y_m : the crossing point in the network CRS.
    node_inside : nodes inside the area or on its boundary.
    seg_inside : segments with both ends inside (or on the boundary) and the middle strictly inside.
    seg_enters : segments with any piece inside the area: no approach may run through them.
    sights : what the access points of each open surface the area touches see of its outline.
    sight_s : seconds spent finding `sights`.
    reachable : whether any way crosses the area, runs near enough to leave it for the area, or
        an open surface touches it; False means the area is off the network.
    """

    area_xy: BaseGeometry
    edge: IntArray
    fraction: FloatArray
    inside_until: FloatArray
    x_m: FloatArray
    y_m: FloatArray
    node_inside: BoolArray
    seg_inside: BoolArray
    seg_enters: BoolArray
    reachable: bool = True
    sights: tuple[SurfaceSight, ...] = ()
    sight_s: float = 0.0


def area_from_geojson(obj: dict[str, Any]) -> Polygon | MultiPolygon:
    """Return the union of the polygons of a GeoJSON geometry, Feature or FeatureCollection.

    Raises
    ------
    AreaError
        When the object holds no Polygon/MultiPolygon or is not GeoJSON.
    """
    if not isinstance(obj, dict):
        msg = "the area file is not a GeoJSON object"
        raise AreaError(msg)
    kind = obj.get("type")
    geometries: list[dict[str, Any]] = []
    if kind == "FeatureCollection":
        geometries = [f.get("geometry") or {} for f in obj.get("features") or [] if isinstance(f, dict)]
    elif kind == "Feature":
        geometries = [obj.get("geometry") or {}]
    elif kind == "GeometryCollection":
        geometries = list(obj.get("geometries") or [])
    else:
        geometries = [obj]
    polygons: list[BaseGeometry] = []
    for geometry in geometries:
        if geometry.get("type") not in {"Polygon", "MultiPolygon"}:
            continue
        try:
            polygons.append(shapely.geometry.shape(geometry))
        except (ValueError, TypeError, AttributeError, IndexError) as exc:
            msg = f"the area file holds a malformed {geometry.get('type')}: {exc}"
            raise AreaError(msg) from exc
    if not polygons:
        msg = (
            "the area file holds no Polygon or MultiPolygon (GeoJSON geometry, Feature or FeatureCollection)"
        )
        raise AreaError(msg)
    for polygon in polygons:
        _check_valid(polygon)
    union = shapely.union_all(polygons)
    if not isinstance(union, Polygon | MultiPolygon):
        msg = "the area's polygons do not form a polygonal area"
        raise AreaError(msg)
    return union


def _check_valid(area: BaseGeometry) -> None:
    if not isinstance(area, Polygon | MultiPolygon):
        msg = f"the area must be a Polygon or MultiPolygon, not a {area.geom_type}"
        raise AreaError(msg)
    if area.is_empty or area.area <= 0.0:
        msg = "the area polygon is empty"
        raise AreaError(msg)
    if not area.is_valid:
        reason = shapely.is_valid_reason(area)
        msg = (
            f"the area polygon is invalid ({reason}): its outline crosses itself or a ring overlaps "
            "another; redraw it so the boundary never crosses itself"
        )
        raise AreaError(msg)


def project_area(network: StreetNetwork, area_lonlat: BaseGeometry) -> BaseGeometry:
    """Return the lon/lat area in the network's metric CRS, after checking it is a valid polygon."""
    _check_valid(area_lonlat)
    projection = projection_for(network.crs)

    def _forward(coords: FloatArray) -> FloatArray:
        x, y = projection.to_xy(coords[:, 0], coords[:, 1])
        return np.column_stack((x, y))

    return shapely.transform(area_lonlat, _forward)


def area_crossings(network: StreetNetwork, area_lonlat: BaseGeometry) -> AreaCrossings:
    """Find every directed edge that crosses from outside into the area, and where.

    Segments are screened by bounding box, then cut at their intersections with the area's
    boundary; each piece between cuts is inside or outside (its middle point). A crossing of
    edge u→v is a cut where an outside (or boundary) piece is followed by an inside piece; a
    cut at the tail node itself (the node lies on the boundary) is a crossing at that node.

    An area that no segment crosses gets no crossings here; whether anything reaches it at
    all (a way along it, an open surface it lies on) is `space_approaches`' question.

    Raises
    ------
    AreaError
        When the area is invalid.
    """
    area = project_area(network, area_lonlat)
    crossed = _crossed(network, area)
    t0 = time.perf_counter()
    sights = tuple(surface_sight(network, area))
    return dataclasses.replace(crossed, sights=sights, sight_s=time.perf_counter() - t0)


def _crossed(network: StreetNetwork, area: BaseGeometry) -> AreaCrossings:
    """`area_crossings` without the open surfaces' sight lines."""
    minx, miny, maxx, maxy = area.bounds
    x, y = network.node_x, network.node_y
    u = network.seg_u.astype(np.int64)
    v = network.seg_v.astype(np.int64)
    candidate = np.nonzero(
        (np.maximum(x[u], x[v]) >= minx)
        & (np.minimum(x[u], x[v]) <= maxx)
        & (np.maximum(y[u], y[v]) >= miny)
        & (np.minimum(y[u], y[v]) <= maxy)
    )[0]
    node_inside = np.zeros(network.node_count, dtype=np.bool_)
    seg_inside = np.zeros(network.segment_count, dtype=np.bool_)
    if candidate.size == 0:
        return _no_crossings(network, area, node_inside, seg_inside)
    coords = np.stack(
        (
            np.column_stack((x[u[candidate]], y[u[candidate]])),
            np.column_stack((x[v[candidate]], y[v[candidate]])),
        ),
        axis=1,
    )
    lines = shapely.linestrings(coords)
    shapely.prepare(area)
    touching = shapely.intersects(area, lines)
    if not touching.any():
        return _no_crossings(network, area, node_inside, seg_inside)
    cand_nodes = distinct(np.concatenate((u[candidate], v[candidate])))
    node_inside[cand_nodes] = shapely.intersects_xy(area, x[cand_nodes], y[cand_nodes])
    mid_x = 0.5 * (x[u[candidate]] + x[v[candidate]])
    mid_y = 0.5 * (y[u[candidate]] + y[v[candidate]])
    seg_inside[candidate] = (
        shapely.contains_xy(area, mid_x, mid_y) & node_inside[u[candidate]] & node_inside[v[candidate]]
    )

    boundary = area.boundary
    crossing_segments = candidate[touching & shapely.intersects(boundary, lines)]
    found = [
        crossing
        for s in crossing_segments.tolist()
        for crossing in _segment_crossings(area, boundary, int(s), (x[u[s]], y[u[s]]), (x[v[s]], y[v[s]]))
    ]
    edges = [f[0] for f in found]
    fractions = [f[1] for f in found]
    ends = [f[2] for f in found]
    edge_arr = np.asarray(edges, dtype=np.int64)
    frac_arr = np.asarray(fractions, dtype=np.float64)
    seg = edge_arr >> 1
    back = (edge_arr & 1).astype(bool)
    tail_x = np.where(back, x[v[seg]], x[u[seg]])
    tail_y = np.where(back, y[v[seg]], y[u[seg]])
    head_x = np.where(back, x[u[seg]], x[v[seg]])
    head_y = np.where(back, y[u[seg]], y[v[seg]])
    # any piece of the segment in the area's interior: no approach may pass through it
    seg_enters = seg_inside.copy()
    seg_enters[seg] = True
    seg_enters[candidate[touching]] |= shapely.relate_pattern(area, lines[touching], "T********")
    return AreaCrossings(
        area_xy=area,
        edge=edge_arr,
        fraction=frac_arr,
        inside_until=np.asarray(ends, dtype=np.float64),
        x_m=tail_x + frac_arr * (head_x - tail_x),
        y_m=tail_y + frac_arr * (head_y - tail_y),
        node_inside=node_inside,
        seg_inside=seg_inside,
        seg_enters=seg_enters,
    )


def _no_crossings(
    network: StreetNetwork, area: BaseGeometry, node_inside: BoolArray, seg_inside: BoolArray
) -> AreaCrossings:
    empty_f = np.empty(0, dtype=np.float64)
    return AreaCrossings(
        area_xy=area,
        edge=np.empty(0, dtype=np.int64),
        fraction=empty_f,
        inside_until=empty_f,
        x_m=empty_f,
        y_m=empty_f,
        node_inside=node_inside,
        seg_inside=seg_inside,
        seg_enters=seg_inside.copy(),
        reachable=_reached_otherwise(network, area),
    )


def _reached_otherwise(network: StreetNetwork, area: BaseGeometry) -> bool:
    """Whether a way runs near enough to leave it for the area, or an open surface touches it."""
    if any(g.intersects(area) for g in network.open_areas_xy):
        return True
    if network.segment_count == 0:
        return False
    x, y = network.node_x, network.node_y
    u, v = network.seg_u.astype(np.int64), network.seg_v.astype(np.int64)
    pad = 0.5 * float(network.seg_width_m.max()) + ALONG_MARGIN_M
    minx, miny, maxx, maxy = area.bounds
    near = np.flatnonzero(
        (np.maximum(x[u], x[v]) >= minx - pad)
        & (np.minimum(x[u], x[v]) <= maxx + pad)
        & (np.maximum(y[u], y[v]) >= miny - pad)
        & (np.minimum(y[u], y[v]) <= maxy + pad)
    )
    if near.shape[0] == 0:
        return False
    lines = shapely.linestrings(
        np.stack(
            [np.column_stack([x[u[near]], y[u[near]]]), np.column_stack([x[v[near]], y[v[near]]])], axis=1
        )
    )
    reach = 0.5 * network.seg_width_m[near].astype(np.float64) + ALONG_MARGIN_M
    return bool(np.any(shapely.distance(area, lines) <= reach))


def _segment_crossings(
    area: BaseGeometry,
    boundary: BaseGeometry,
    segment: int,
    a: tuple[float, float],
    b: tuple[float, float],
) -> list[tuple[int, float, float]]:
    """Return (directed edge, crossing position, end of the inside piece) for one segment."""
    (ax, ay), (bx, by) = a, b
    cuts = _boundary_cuts(boundary, ax, ay, bx, by)
    if cuts.size == 0:
        return []
    knots = np.unique(np.concatenate(([0.0], cuts, [1.0])))
    mids = 0.5 * (knots[1:] + knots[:-1])
    inside = shapely.contains_xy(area, ax + mids * (bx - ax), ay + mids * (by - ay))
    is_cut = np.isin(knots, cuts)
    last = len(knots) - 1
    # forward (u→v): a cut at knot i, piece i inside, piece i-1 outside (or the knot is u)
    # only the first entry of each direction: after it the vehicle is already inside
    forward = [
        (2 * segment, float(knots[i]), float(knots[i + 1]))
        for i in range(last)
        if is_cut[i] and inside[i] and not inside[:i].any()
    ][:1]
    # backward (v→u): a cut at knot i, piece i-1 inside, no piece after it inside (or the knot is v)
    backward = [
        (2 * segment + 1, float(1.0 - knots[i]), float(1.0 - knots[i - 1]))
        for i in range(1, last + 1)
        if is_cut[i] and inside[i - 1] and not inside[i:].any()
    ][-1:]
    return forward + backward


def no_touch_error(network: StreetNetwork) -> AreaOutsideNetworkError:
    """The error for an area that no way, no way along it and no open surface reaches."""
    lon, lat = network.node_lon, network.node_lat
    if lon.size:
        extent = f"lon {lon.min():.4f}..{lon.max():.4f}, lat {lat.min():.4f}..{lat.max():.4f}"
    else:
        extent = "empty"
    msg = (
        "the area does not touch the street network: no way of the extract crosses or lies inside it "
        f"(the network spans {extent}); check the area's coordinates are lon/lat inside the extract"
    )
    return AreaOutsideNetworkError(msg)


def _boundary_cuts(boundary: BaseGeometry, ax: float, ay: float, bx: float, by: float) -> FloatArray:
    line = shapely.LineString([(ax, ay), (bx, by)])
    points = shapely.get_coordinates(shapely.intersection(line, boundary))
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    if points.shape[0] == 0 or length2 <= 0.0:
        return np.empty(0, dtype=np.float64)
    t = np.clip(((points[:, 0] - ax) * dx + (points[:, 1] - ay) * dy) / length2, 0.0, 1.0)
    # a cut within a tenth of a millimetre of an end is at that node (a node on the boundary)
    snap = CUT_SNAP_M / math.sqrt(length2)
    t[t < snap] = 0.0
    t[t > 1.0 - snap] = 1.0
    t = np.sort(t)
    keep = np.concatenate(([True], np.diff(t) > BREAKPOINT_TOLERANCE))
    cuts: FloatArray = t[keep]
    return cuts
