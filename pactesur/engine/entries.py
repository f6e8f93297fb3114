"""Entries of a space: where usable ways cross into its polygon, how fast, and how far in."""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from pactesur.engine._outside import speeds_outside
from pactesur.engine._paths import Approach, Leg, accelerate_ms, approach_facts, chain_to, crossing_angle_deg
from pactesur.engine._surfaces import SurfaceSight, surface_entries, surface_sight
from pactesur.engine.dynamics import STANDSTILL_MS, AttainableSpeeds, fits
from pactesur.engine.errors import AreaError
from pactesur.engine.network import APPROACH_NAMES, StreetNetwork, WayKind
from pactesur.engine.projection import projection_for
from pactesur.engine.ratings import kinetic_energy_kj, required_rating

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MERGE_DISTANCE_M: float = 2.0  # entries closer than this are one entry (assumption: one barrier position)
# Beyond its mapped width a way leaves this much room a vehicle uses to veer off it: a parking
# lane, a verge, a kerb it overruns (assumption; hostile-vehicles.md §7, kerbs stopped no attack).
ALONG_MARGIN_M: float = 2.0
# Closed barriers this close to the outline are the existing protection of the space (assumption:
# the stand-off of a typical hostile vehicle mitigation line).
BARRIER_REACH_M: float = 25.0
_NO_EDGES = np.empty(0, dtype=np.int64)
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
    via: str = "way"
    width_source: str = "mapped"
    assumed_widths: tuple[dict[str, Any], ...] = ()
    speed_profile: tuple[tuple[float, float], ...] = ()
    turns: tuple[tuple[float, float], ...] = ()
    angle_deg: float = 90.0
    along_m: float = 0.0
    assumed_share: float = 0.0

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
            "width_m": round(self.width_m, 2) if math.isfinite(self.width_m) else None,
            "path": [[round(lon, 7), round(lat, 7)] for lon, lat in self.path],
            "beyond_rating": self.beyond_rating,
            "test_speed_kmh": self.test_speed_kmh,
            "exposure_m": round(self.exposure_m, 1),
            "way_id": self.way_id,
            "name": self.name,
            "via": self.via,
            "width_source": self.width_source,
            "assumed_widths": [dict(w) for w in self.assumed_widths],
            "speed_profile": [[round(d, 1), round(v, 1)] for d, v in self.speed_profile],
            "turns": [[round(d, 1), round(v, 1)] for d, v in self.turns],
            "angle_deg": round(self.angle_deg, 1),
            "along_m": round(self.along_m, 1),
        }


@dataclass(frozen=True)
class Barrier:
    """An existing barrier that stops an approach of one vehicle class, and how hard it would be hit.

    OpenStreetMap never says whether a bollard or a wall is crash-rated, so `rated` is None: the
    barrier stops the approach in the analysis, and the city must verify it can resist
    `impact_speed_kmh` (the rating it needs is `required_rating`).
    """

    vehicle: str
    lon: float
    lat: float
    kind: str
    gap_m: float
    impact_speed_kmh: float
    kinetic_energy_kj: float
    required_rating: str
    test_speed_kmh: int
    beyond_rating: bool
    osm_id: int
    path: tuple[tuple[float, float], ...]
    speed_profile: tuple[tuple[float, float], ...]
    rated: str | None = None

    def as_json(self) -> dict[str, Any]:
        """Return the barrier as an item of the `barriers` list of the `pactesur vda` JSON."""
        return {
            "vehicle": self.vehicle,
            "lon": round(self.lon, 7),
            "lat": round(self.lat, 7),
            "kind": self.kind,
            "rated": self.rated,
            "gap_m": None if math.isinf(self.gap_m) else round(self.gap_m, 2),
            "impact_speed_kmh": round(self.impact_speed_kmh, 1),
            "kinetic_energy_kj": round(self.kinetic_energy_kj, 1),
            "required_rating": self.required_rating,
            "test_speed_kmh": self.test_speed_kmh,
            "beyond_rating": self.beyond_rating,
            "osm_id": self.osm_id,
            "path": [[round(lon, 7), round(lat, 7)] for lon, lat in self.path],
            "speed_profile": [[round(d, 1), round(v, 1)] for d, v in self.speed_profile],
        }


@dataclass(frozen=True)
class AreaWarning:
    """Something the data cannot show about an area: `code` for programs, `message` for people."""

    code: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)
    vehicle: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "params": self.params, "vehicle": self.vehicle}


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
    # any piece of the segment in the area's interior: no approach may pass through it
    seg_enters = seg_inside.copy()
    seg_enters[seg] = True
    seg_enters[candidate[touching]] |= shapely.relate_pattern(area, lines[touching], "T********")
    t0 = time.perf_counter()
    sights = tuple(surface_sight(network, area))
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
        sights=sights,
        sight_s=time.perf_counter() - t0,
    )


def _no_crossings(
    network: StreetNetwork, area: BaseGeometry, node_inside: BoolArray, seg_inside: BoolArray
) -> AreaCrossings:
    empty_f = np.empty(0, dtype=np.float64)
    t0 = time.perf_counter()
    sights = tuple(surface_sight(network, area))
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
        sights=sights,
        sight_s=time.perf_counter() - t0,
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


def no_touch_error(network: StreetNetwork) -> AreaError:
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
    return AreaError(msg)


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


@dataclass(frozen=True)
class _Candidate:
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


@dataclass(frozen=True)
class SpaceApproaches:
    """Entries and the barriers that stop approaches, for one vehicle class and one area."""

    entries: list[Entry]
    barriers: list[Barrier]
    open_area_s: float = 0.0


def space_entries(
    network: StreetNetwork,
    crossings: AreaCrossings,
    speeds: AttainableSpeeds,
    *,
    merge_distance_m: float = MERGE_DISTANCE_M,
) -> list[Entry]:
    """Return the entries of one vehicle class into an area, fastest first (see `space_approaches`)."""
    return space_approaches(network, crossings, speeds, merge_distance_m=merge_distance_m).entries


def space_approaches(
    network: StreetNetwork,
    crossings: AreaCrossings,
    speeds: AttainableSpeeds,
    *,
    merge_distance_m: float = MERGE_DISTANCE_M,
) -> SpaceApproaches:
    """Return every entry of one vehicle class into an area, fastest first, and the barriers met.

    An entry is wherever the vehicle can cross the outline: along a way that crosses it (`way`),
    by leaving a way that runs along or within its half-width plus `ALONG_MARGIN_M` of it
    (`along_way`), or straight across an open surface the area touches or lies on
    (`open_area`). Speeds come from approaches that stay outside the area until the entry
    (`speeds_outside`), so no path runs inside the space first; an entry the vehicle reaches at
    no speed is none. Entries closer than `merge_distance_m` are merged, keeping the fastest.
    Barriers are the closed barriers within `BARRIER_REACH_M` of the outline that a vehicle of
    the class reaches, with the speed it hits them at.

    Parameters
    ----------
    network
        The street network the speeds were computed on.
    crossings
        The area's crossings (`area_crossings`).
    speeds
        The vehicle class's city-wide attainable speeds (`attainable_speeds`).
    merge_distance_m
        Distance under which two entries are one.
    """
    sink_edge = np.repeat(crossings.seg_enters, 2)
    outside = speeds_outside(speeds, network.seg_length_m.astype(np.float64), sink_edge)
    heads, tails = _edge_heads_tails(network)
    candidates = _way_candidates(network, crossings, outside, heads=heads, tails=tails)
    candidates += _along_candidates(network, crossings, outside, tails=tails)
    t0 = time.perf_counter()
    on_surfaces = surface_entries(
        network, crossings.area_xy, outside, list(crossings.sights), sink_edge=sink_edge
    )
    open_area_s = time.perf_counter() - t0
    candidates += [
        _Candidate(
            speed_ms=s.speed_ms,
            via="open_area",
            x_m=s.x_m,
            y_m=s.y_m,
            approach=s.approach,
            kind=int(WayKind.OPEN_AREA),
            width_m=math.inf,
            way_id=0,
            edge=-1,
            angle_deg=s.angle_deg,
            along_m=s.along_m,
        )
        for s in on_surfaces
    ]
    candidates = [c for c in candidates if c.speed_ms > STANDSTILL_MS]
    candidates.sort(key=lambda c: -c.speed_ms)
    kept: list[_Candidate] = []
    for cand in candidates:
        if all(math.hypot(cand.x_m - k.x_m, cand.y_m - k.y_m) > merge_distance_m for k in kept):
            kept.append(cand)
    inside_reach = _exposure_m(
        network, crossings, outside, [k.crossing for k in kept if k.crossing >= 0], heads
    )
    reach_of = dict(zip([k.crossing for k in kept if k.crossing >= 0], inside_reach, strict=True))
    depth = _depths_m(crossings.area_xy, network.open_areas_xy, kept)
    entries = [
        _entry(network, outside, cand, max(reach_of.get(cand.crossing, 0.0), d))
        for cand, d in zip(kept, depth, strict=True)
    ]
    barriers = _barriers(network, crossings, outside, heads, sink_edge)
    return SpaceApproaches(entries=entries, barriers=barriers, open_area_s=open_area_s)


def _entry(network: StreetNetwork, speeds: AttainableSpeeds, cand: _Candidate, exposure_m: float) -> Entry:
    vehicle = speeds.vehicle
    facts = approach_facts(network, speeds, cand.approach)
    projection = projection_for(network.crs)
    # the path ends at the entry point: the last leg of every approach leads there
    xs = [p[0] for p in facts.path_xy] + [cand.x_m]
    ys = [p[1] for p in facts.path_xy] + [cand.y_m]
    lons, lats = projection.to_lonlat(xs, ys)
    path = [(float(a), float(b)) for a, b in zip(lons[:-1], lats[:-1], strict=True)] or [
        (float(lons[-1]), float(lats[-1]))
    ]
    path[-1] = (float(lons[-1]), float(lats[-1]))
    speed_kmh = cand.speed_ms * 3.6
    rating = required_rating(vehicle, speed_kmh)
    return Entry(
        vehicle=vehicle.code,
        lon=float(lons[-1]),
        lat=float(lats[-1]),
        impact_speed_kmh=speed_kmh,
        run_up_m=facts.run_up_m,
        kinetic_energy_kj=kinetic_energy_kj(vehicle, speed_kmh),
        required_rating=rating.rating,
        test_speed_kmh=rating.test_speed_kmh,
        beyond_rating=rating.beyond_rating,
        approach=APPROACH_NAMES[WayKind(cand.kind)],
        width_m=cand.width_m,
        exposure_m=exposure_m,
        way_id=cand.way_id,
        name=network.way_names.get(cand.way_id),
        path=tuple(path),
        edge=cand.edge,
        x_m=cand.x_m,
        y_m=cand.y_m,
        via=cand.via,
        width_source=facts.width_source,
        assumed_widths=tuple(facts.assumed_widths),
        speed_profile=tuple(facts.speed_profile),
        turns=tuple(facts.turns),
        angle_deg=cand.angle_deg,
        along_m=cand.along_m,
        assumed_share=facts.assumed_share,
    )


def _way_candidates(
    network: StreetNetwork,
    crossings: AreaCrossings,
    speeds: AttainableSpeeds,
    *,
    heads: IntArray,
    tails: IntArray,
) -> list[_Candidate]:
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
    arriving = _incoming(heads, speeds.usable & ~np.repeat(crossings.seg_enters, 2), at_nodes)
    found: list[_Candidate] = []
    for e, i in first.items():
        s = e >> 1
        frac = float(crossings.fraction[i])
        length = float(network.seg_length_m[s])
        cx, cy = float(crossings.x_m[i]), float(crossings.y_m[i])
        tx, ty = float(x[tails[e]]), float(y[tails[e]])
        if frac > 0.0:
            start = float(speeds.start_speed_ms[e])
            speed = accelerate_ms(speeds, start, frac * length)
            leg = Leg(tx, ty, cx, cy, start, segment=s)
            approach = Approach(chain_to(speeds, int(speeds.predecessor[e])), [leg])
        else:
            speed, pred = _arrival_from_outside(network, speeds, e, arriving.get(int(tails[e]), _NO_EDGES))
            approach = Approach(chain_to(speeds, pred), [Leg(tx, ty, tx, ty, speed)])
        hx, hy = float(x[heads[e]]), float(y[heads[e]])
        found.append(
            _Candidate(
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


def _along_candidates(
    network: StreetNetwork, crossings: AreaCrossings, speeds: AttainableSpeeds, *, tails: IntArray
) -> list[_Candidate]:
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
    best: dict[tuple[int, int], _Candidate] = {}
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
) -> _Candidate | None:
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
    at_q = accelerate_ms(speeds, start, far * length)
    speed = accelerate_ms(speeds, at_q, gap)
    lateral = speeds.vehicle.lateral_accel_ms2
    radius = speed * speed / lateral if lateral > 0.0 else math.inf
    # the veer's crossing angle: a bend of radius v²/a_lat that moves `gap` sideways
    veer = math.degrees(math.acos(max(0.0, 1.0 - gap / radius))) if radius > 0.0 else 90.0
    heading = crossing_angle_deg(boundary, qx - hx, qy - hy, qx, qy) if gap <= 0.5 else 0.0
    return _Candidate(
        speed_ms=speed,
        via="along_way",
        x_m=px,
        y_m=py,
        approach=Approach(
            chain_to(speeds, int(speeds.predecessor[e])),
            [Leg(tx, ty, qx, qy, start, segment=s), Leg(qx, qy, px, py, at_q)],
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


def _depths_m(area: BaseGeometry, surfaces: tuple[Any, ...], kept: list[_Candidate]) -> list[float]:
    """How far in a straight line the vehicle can drive inside the area from each entry.

    Only entries by `along_way` and `open_area` use it (a way crossing also has the inside graph):
    the farthest vertex of the area's outline the entry point sees through the area.
    """
    out: list[float] = []
    outline = shapely.get_coordinates(shapely.simplify(area, 1.0).boundary)
    roomy = shapely.buffer(area, 0.5)
    shapely.prepare(roomy)
    for cand in kept:
        if cand.via == "way" or outline.shape[0] == 0:
            out.append(0.0)
            continue
        d = np.hypot(outline[:, 0] - cand.x_m, outline[:, 1] - cand.y_m)
        order = np.argsort(-d)[:64]
        lines = shapely.linestrings(
            np.stack([np.tile([cand.x_m, cand.y_m], (order.shape[0], 1)), outline[order]], axis=1)
        )
        seen = shapely.covers(roomy, lines)
        out.append(float(d[order][seen].max()) if seen.any() else 0.0)
    return out


def _barriers(
    network: StreetNetwork,
    crossings: AreaCrossings,
    speeds: AttainableSpeeds,
    heads: IntArray,
    sink_edge: BoolArray,
) -> list[Barrier]:
    """Closed barriers near the outline that the vehicle reaches, with the speed it hits them at.

    A barrier node (bollard, block, locked gate…) whose gap is narrower than the vehicle, or a
    barrier line (wall, fence, row of bollards) across a way, within `BARRIER_REACH_M` of the
    outline and not inside the area, stops the approach in this analysis. OpenStreetMap does not
    say whether it is crash-rated, so it is reported with the speed of the fastest approach to it
    and the rating it would need. For a line across a segment the vehicle is taken to hit it
    half-way along the segment (its exact crossing point is not kept).
    """
    zone = shapely.buffer(crossings.area_xy, BARRIER_REACH_M)
    shapely.prepare(zone)
    allowed = speeds.usable & ~sink_edge
    found = _node_barriers(network, crossings, speeds, zone, heads, allowed)
    found += _line_barriers(network, crossings, speeds, zone, heads, allowed)
    found.sort(key=lambda b: -b.impact_speed_kmh)
    return found


def _node_barriers(  # noqa: PLR0917 (one area's inputs)
    network: StreetNetwork,
    crossings: AreaCrossings,
    speeds: AttainableSpeeds,
    zone: BaseGeometry,
    heads: IntArray,
    allowed: BoolArray,
) -> list[Barrier]:
    x, y = network.node_x, network.node_y
    closed = [n for n in network.node_barrier if not fits(network.node_gap_m[n : n + 1], speeds.vehicle)[0]]
    nodes = np.asarray(closed, dtype=np.int64)
    if nodes.shape[0]:
        near = shapely.contains_xy(zone, x[nodes], y[nodes])
        nodes = nodes[near & ~shapely.contains_xy(crossings.area_xy, x[nodes], y[nodes])]
    found: list[Barrier] = []
    for n, edges in _incoming(heads, allowed, nodes).items():
        if edges.shape[0] == 0:
            continue
        e = int(edges[np.argmax(speeds.end_speed_ms[edges])])
        speed = float(speeds.end_speed_ms[e])
        if speed > STANDSTILL_MS:
            found.append(
                _barrier(
                    network,
                    speeds,
                    Approach(chain_to(speeds, e)),
                    speed,
                    (float(x[n]), float(y[n])),
                    kind=network.node_barrier[n],
                    gap_m=float(network.node_gap_m[n]),
                    osm_id=int(network.node_osm_id[n]),
                )
            )
    return found


def _line_barriers(  # noqa: PLR0917 (one area's inputs)
    network: StreetNetwork,
    crossings: AreaCrossings,
    speeds: AttainableSpeeds,
    zone: BaseGeometry,
    heads: IntArray,
    allowed: BoolArray,
) -> list[Barrier]:
    x, y = network.node_x, network.node_y
    lines: list[tuple[int, str, float, float]] = []
    for s, kind in network.seg_barrier.items():
        if fits(network.seg_gap_m[s : s + 1], speeds.vehicle)[0] or crossings.seg_enters[s]:
            continue
        a, b = int(network.seg_u[s]), int(network.seg_v[s])
        mx, my = 0.5 * (float(x[a]) + float(x[b])), 0.5 * (float(y[a]) + float(y[b]))
        if shapely.contains_xy(zone, mx, my):
            lines.append((s, kind, mx, my))
    ends = np.unique(
        np.asarray([n for s, *_ in lines for n in (network.seg_u[s], network.seg_v[s])], np.int64)
    )
    arriving = _incoming(heads, allowed, ends)
    found: list[Barrier] = []
    for s, kind, mx, my in lines:
        half = 0.5 * float(network.seg_length_m[s])
        best: tuple[float, int, int] = (0.0, -1, -1)
        for tail in (int(network.seg_u[s]), int(network.seg_v[s])):
            edges = arriving.get(tail, _NO_EDGES)
            edges = edges[(edges >> 1) != s]
            if edges.shape[0]:
                e = int(edges[np.argmax(speeds.end_speed_ms[edges])])
                v = accelerate_ms(speeds, float(speeds.end_speed_ms[e]), half)
                if v > best[0]:
                    best = (v, e, tail)
        speed, e, tail = best
        if speed > STANDSTILL_MS:
            tx, ty = float(x[tail]), float(y[tail])
            approach = Approach(chain_to(speeds, e), [Leg(tx, ty, mx, my, float(speeds.end_speed_ms[e]))])
            found.append(
                _barrier(
                    network,
                    speeds,
                    approach,
                    speed,
                    (mx, my),
                    kind=kind,
                    gap_m=float(network.seg_gap_m[s]),
                    osm_id=0,
                )
            )
    return found


def _barrier(
    network: StreetNetwork,
    speeds: AttainableSpeeds,
    approach: Approach,
    speed_ms: float,
    at_xy: tuple[float, float],
    *,
    kind: str,
    gap_m: float,
    osm_id: int,
) -> Barrier:
    vehicle = speeds.vehicle
    facts = approach_facts(network, speeds, approach)
    projection = projection_for(network.crs)
    xs = [p[0] for p in facts.path_xy] or [at_xy[0]]
    ys = [p[1] for p in facts.path_xy] or [at_xy[1]]
    lons, lats = projection.to_lonlat(xs, ys)
    at_lon, at_lat = projection.to_lonlat([at_xy[0]], [at_xy[1]])
    speed_kmh = speed_ms * 3.6
    rating = required_rating(vehicle, speed_kmh)
    return Barrier(
        vehicle=vehicle.code,
        lon=float(at_lon[0]),
        lat=float(at_lat[0]),
        kind=kind,
        gap_m=gap_m,
        impact_speed_kmh=speed_kmh,
        kinetic_energy_kj=kinetic_energy_kj(vehicle, speed_kmh),
        required_rating=rating.rating,
        test_speed_kmh=rating.test_speed_kmh,
        beyond_rating=rating.beyond_rating,
        osm_id=osm_id,
        path=tuple((float(a), float(b)) for a, b in zip(lons, lats, strict=True)),
        speed_profile=tuple(facts.speed_profile),
    )


def _incoming(heads: IntArray, allowed: BoolArray, nodes: IntArray) -> dict[int, IntArray]:
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


def _edge_heads_tails(network: StreetNetwork) -> tuple[IntArray, IntArray]:
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
