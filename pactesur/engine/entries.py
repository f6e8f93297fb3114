"""Entries of a space: where usable ways cross into its polygon, how fast, and how far in."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from pactesur.engine.dynamics import AttainableSpeeds, fits
from pactesur.engine.errors import AreaError
from pactesur.engine.network import APPROACH_NAMES, StreetNetwork, WayKind
from pactesur.engine.projection import projection_for
from pactesur.engine.ratings import kinetic_energy_kj, required_rating

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MERGE_DISTANCE_M: float = 2.0  # entries closer than this are one entry (assumption: one barrier position)
ARRIVAL_PROBE_M: float = 0.5  # how far back along an edge we look to tell if it arrives from outside
BREAKPOINT_TOLERANCE: float = 1e-9  # duplicate crossing parameters along a segment


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
    """

    area_xy: BaseGeometry
    edge: IntArray
    fraction: FloatArray
    inside_until: FloatArray
    x_m: FloatArray
    y_m: FloatArray
    node_inside: BoolArray
    seg_inside: BoolArray


@dataclass(frozen=True)
class Entry:
    """One place where a vehicle class can cross into a space, with its attainable impact."""

    vehicle: str
    lon: float
    lat: float
    impact_speed_kmh: float
    run_up_m: float
    kinetic_energy_kj: float
    required_rating: str
    test_speed_kmh: int
    beyond_rating: bool
    approach: str
    width_m: float
    exposure_m: float
    way_id: int
    name: str | None
    path: tuple[tuple[float, float], ...]
    edge: int
    x_m: float
    y_m: float

    def as_json(self) -> dict[str, Any]:
        """Return the entry as the `pactesur vda` JSON object (DESIGN.md), plus extra fields."""
        return {
            "vehicle": self.vehicle,
            "lon": round(self.lon, 7),
            "lat": round(self.lat, 7),
            "impact_speed_kmh": round(self.impact_speed_kmh, 1),
            "run_up_m": round(self.run_up_m, 1),
            "kinetic_energy_kj": round(self.kinetic_energy_kj, 1),
            "required_rating": self.required_rating,
            "approach": self.approach,
            "width_m": round(self.width_m, 2),
            "path": [[round(lon, 7), round(lat, 7)] for lon, lat in self.path],
            "beyond_rating": self.beyond_rating,
            "test_speed_kmh": self.test_speed_kmh,
            "exposure_m": round(self.exposure_m, 1),
            "way_id": self.way_id,
            "name": self.name,
        }


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

    Raises
    ------
    AreaError
        When the area is invalid or no segment of the network touches it.
    """
    area = project_area(network, area_lonlat)
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
        raise _no_touch_error(network)
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
        raise _no_touch_error(network)
    cand_nodes = np.unique(np.concatenate((u[candidate], v[candidate])))
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
    return AreaCrossings(
        area_xy=area,
        edge=edge_arr,
        fraction=frac_arr,
        inside_until=np.asarray(ends, dtype=np.float64),
        x_m=tail_x + frac_arr * (head_x - tail_x),
        y_m=tail_y + frac_arr * (head_y - tail_y),
        node_inside=node_inside,
        seg_inside=seg_inside,
    )


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
    forward = [
        (2 * segment, float(knots[i]), float(knots[i + 1]))
        for i in range(last)
        if is_cut[i] and inside[i] and (i == 0 or not inside[i - 1])
    ]
    # backward (v→u): a cut at knot i, piece i-1 inside, piece i outside (or the knot is v)
    backward = [
        (2 * segment + 1, float(1.0 - knots[i]), float(1.0 - knots[i - 1]))
        for i in range(1, last + 1)
        if is_cut[i] and inside[i - 1] and (i == last or not inside[i])
    ]
    return forward + backward


def _no_touch_error(network: StreetNetwork) -> AreaError:
    lon, lat = network.node_lon, network.node_lat
    if lon.size:
        extent = f"lon {lon.min():.4f}..{lon.max():.4f}, lat {lat.min():.4f}..{lat.max():.4f}"
    else:
        extent = "empty"
    msg = (
        "the area does not touch the street network: no way of the extract crosses or lies inside it "
        f"(the network spans {extent}); check the area's coordinates are lon/lat inside the extract"
    )
    return AreaError(msg)


def _boundary_cuts(boundary: BaseGeometry, ax: float, ay: float, bx: float, by: float) -> FloatArray:
    line = shapely.LineString([(ax, ay), (bx, by)])
    points = shapely.get_coordinates(shapely.intersection(line, boundary))
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    if points.shape[0] == 0 or length2 <= 0.0:
        return np.empty(0, dtype=np.float64)
    t = np.clip(((points[:, 0] - ax) * dx + (points[:, 1] - ay) * dy) / length2, 0.0, 1.0)
    t = np.sort(t)
    keep = np.concatenate(([True], np.diff(t) > BREAKPOINT_TOLERANCE))
    cuts: FloatArray = t[keep]
    return cuts


def space_entries(
    network: StreetNetwork,
    crossings: AreaCrossings,
    speeds: AttainableSpeeds,
    *,
    merge_distance_m: float = MERGE_DISTANCE_M,
) -> list[Entry]:
    """Return the entries of one vehicle class into an area, fastest first.

    At a crossing inside an edge the impact speed is the speed reached by accelerating from the
    edge's start speed over the distance to the boundary. At a crossing at the edge's tail node
    (a node on the boundary) it is the best speed an edge arriving from outside carries through
    the turn onto the edge. Crossings closer than `merge_distance_m` are merged, keeping the
    fastest. Exposure is measured by `_exposure_m`.

    Parameters
    ----------
    network
        The street network the speeds were computed on.
    crossings
        The area's crossings (`area_crossings`).
    speeds
        The vehicle class's attainable speeds (`attainable_speeds`).
    merge_distance_m
        Distance under which two entries are one.
    """
    vehicle = speeds.vehicle
    usable = speeds.usable[crossings.edge] if crossings.edge.size else np.zeros(0, dtype=np.bool_)
    picks = np.nonzero(usable)[0]
    heads, tails = _edge_heads_tails(network)
    projection = projection_for(network.crs)
    candidates: list[tuple[float, int, int, float, int]] = []  # speed, crossing, edge, run-in, predecessor
    for i in picks.tolist():
        e = int(crossings.edge[i])
        frac = float(crossings.fraction[i])
        length = float(network.seg_length_m[e >> 1])
        if frac > 0.0:
            speed = speeds.speed_along_ms(e, frac * length)
            pred = int(speeds.predecessor[e])
        else:
            speed, pred = _arrival_from_outside(network, crossings, speeds, e, heads=heads, tails=tails)
        candidates.append((speed, i, e, frac * length, pred))
    candidates.sort(key=lambda c: -c[0])
    kept: list[tuple[float, int, int, float, int]] = []
    for cand in candidates:
        cx, cy = crossings.x_m[cand[1]], crossings.y_m[cand[1]]
        if all(
            math.hypot(cx - crossings.x_m[k[1]], cy - crossings.y_m[k[1]]) > merge_distance_m for k in kept
        ):
            kept.append(cand)
    exposure = _exposure_m(network, crossings, speeds, [k[1] for k in kept], heads)
    entries: list[Entry] = []
    for (speed_ms, i, e, run_in_m, pred), exposure_m in zip(kept, exposure, strict=True):
        chain = speeds.approach_edges(pred) if pred >= 0 else []
        node_path = [int(tails[chain[0]])] if chain else [int(tails[e])]
        node_path += [int(heads[c]) for c in chain]
        path = [(float(network.node_lon[n]), float(network.node_lat[n])) for n in node_path]
        lons, lats = projection.to_lonlat([float(crossings.x_m[i])], [float(crossings.y_m[i])])
        lon, lat = float(lons[0]), float(lats[0])
        if run_in_m > 0.0:
            path.append((float(lon), float(lat)))
        run_up = float(sum(float(network.seg_length_m[c >> 1]) for c in chain)) + run_in_m
        speed_kmh = speed_ms * 3.6
        rating = required_rating(vehicle, speed_kmh)
        s = e >> 1
        way_id = int(network.seg_way_id[s])
        entries.append(
            Entry(
                vehicle=vehicle.code,
                lon=float(lon),
                lat=float(lat),
                impact_speed_kmh=speed_kmh,
                run_up_m=run_up,
                kinetic_energy_kj=kinetic_energy_kj(vehicle, speed_kmh),
                required_rating=rating.rating,
                test_speed_kmh=rating.test_speed_kmh,
                beyond_rating=rating.beyond_rating,
                approach=APPROACH_NAMES[WayKind(int(network.seg_kind[s]))],
                width_m=float(min(network.seg_width_m[s], network.seg_gap_m[s])),
                exposure_m=exposure_m,
                way_id=way_id,
                name=network.way_names.get(way_id),
                path=tuple(path),
                edge=e,
                x_m=float(crossings.x_m[i]),
                y_m=float(crossings.y_m[i]),
            )
        )
    return entries


def _edge_heads_tails(network: StreetNetwork) -> tuple[IntArray, IntArray]:
    u = network.seg_u.astype(np.int64)
    v = network.seg_v.astype(np.int64)
    tails = np.empty(2 * u.size, dtype=np.int64)
    heads = np.empty(2 * u.size, dtype=np.int64)
    tails[0::2], heads[0::2] = u, v
    tails[1::2], heads[1::2] = v, u
    return heads, tails


def _arrival_from_outside(
    network: StreetNetwork,
    crossings: AreaCrossings,
    speeds: AttainableSpeeds,
    edge: int,
    *,
    heads: IntArray,
    tails: IntArray,
) -> tuple[float, int]:
    """Best speed onto `edge` at its boundary tail node from an edge arriving from outside."""
    node = int(tails[edge])
    if not fits(network.node_gap_m[node : node + 1], speeds.vehicle)[0]:
        return 0.0, -1
    best, best_pred = 0.0, -1
    for p in np.nonzero((heads == node) & speeds.usable)[0].tolist():
        if p == (edge ^ 1):
            continue
        length = float(network.seg_length_m[p >> 1])
        if length <= 0.0:
            continue
        back = min(ARRIVAL_PROBE_M, 0.5 * length) / length
        tx, ty = network.node_x[tails[p]], network.node_y[tails[p]]
        hx, hy = network.node_x[node], network.node_y[node]
        if shapely.contains_xy(crossings.area_xy, hx + back * (tx - hx), hy + back * (ty - hy)):
            continue
        speed = min(float(speeds.end_speed_ms[p]), speeds.turn_limit_ms(p, edge))
        if speed > best:
            best, best_pred = speed, p
    if best <= 0.0:
        best_pred = -1
    return best, best_pred


def _exposure_m(
    network: StreetNetwork,
    crossings: AreaCrossings,
    speeds: AttainableSpeeds,
    picks: list[int],
    heads: IntArray,
) -> list[float]:
    """How far in the vehicle can get from each entry: shortest-path distance to the farthest point.

    The inside graph holds the usable segments whose middle lies inside the area, both ways,
    minus the way out of nodes whose barrier is too narrow. From the entry the vehicle drives
    the inside piece of its edge, then as far as the graph reaches; exposure is the largest
    shortest-path distance among the reachable points — how deep into the crowd the vehicle can
    get, a lower bound on the length it can drive.
    """
    if not picks:
        return []
    seg_ok = crossings.seg_inside & speeds.usable[0::2]
    s_idx = np.nonzero(seg_ok)[0]
    u = network.seg_u.astype(np.int64)[s_idx]
    v = network.seg_v.astype(np.int64)[s_idx]
    w = network.seg_length_m.astype(np.float64)[s_idx]
    passable = fits(network.node_gap_m, speeds.vehicle)
    rows = np.concatenate((u, v))
    cols = np.concatenate((v, u))
    weights = np.concatenate((w, w))
    keep = passable[rows]
    nodes = np.unique(np.concatenate((rows, cols, heads[crossings.edge[picks]])))
    local = {int(n): k for k, n in enumerate(nodes.tolist())}
    lrows = np.searchsorted(nodes, rows[keep])
    lcols = np.searchsorted(nodes, cols[keep])
    # csgraph treats explicit zeros as absent: lift zero-length segments to a millimetre
    graph = csr_matrix((np.maximum(weights[keep], 1e-3), (lrows, lcols)), shape=(nodes.size, nodes.size))
    starts: list[int] = []
    for i in picks:
        head = int(heads[crossings.edge[i]])
        reaches_head = crossings.inside_until[i] >= 1.0 - BREAKPOINT_TOLERANCE
        starts.append(local[head] if reaches_head and crossings.node_inside[head] else -1)
    sources = sorted({s for s in starts if s >= 0})
    reach: dict[int, float] = {}
    if sources:
        dist = np.atleast_2d(dijkstra(graph, directed=True, indices=sources))
        for row, src in enumerate(sources):
            finite = dist[row][np.isfinite(dist[row])]
            reach[src] = float(finite.max()) if finite.size else 0.0
    result: list[float] = []
    for i, start in zip(picks, starts, strict=True):
        e = int(crossings.edge[i])
        length = float(network.seg_length_m[e >> 1])
        piece = (float(crossings.inside_until[i]) - float(crossings.fraction[i])) * length
        result.append(piece + (reach.get(start, 0.0) if start >= 0 else 0.0))
    return result
