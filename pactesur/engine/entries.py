"""Entries of a space: where each vehicle class gets in, how fast, by which path, and how far in."""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from shapely.geometry.base import BaseGeometry

from pactesur.engine._arrays import distinct
from pactesur.engine._candidates import Candidate, along_candidates, edge_heads_tails, way_candidates
from pactesur.engine._clutter import CROSSING_REACH_M, ClassCorridors
from pactesur.engine._outside import speeds_outside
from pactesur.engine._path_speed import PathSpeeds, Surroundings, path_speeds
from pactesur.engine._paths import Approach, Leg, approach_facts, chain_to, path_lonlat
from pactesur.engine._protection import Barrier, barrier_at, barriers_met
from pactesur.engine._surfaces import SurfaceSight, surface_entries
from pactesur.engine.crossings import (
    BREAKPOINT_TOLERANCE,
    AreaCrossings,
    area_crossings,
    area_from_geojson,
    no_touch_error,
    project_area,
)
from pactesur.engine.dynamics import STANDSTILL_MS, AttainableSpeeds, fits
from pactesur.engine.network import APPROACH_NAMES, StreetNetwork, WayKind
from pactesur.engine.projection import projection_for
from pactesur.engine.ratings import kinetic_energy_kj, required_rating
from pactesur.engine.streetscape import CLEARANCE_M, STREET_OBJECT_KINDS, rigid_for
from pactesur.engine.vehicles import VehicleClass

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MERGE_DISTANCE_M: float = 2.0  # entries closer than this are one entry (assumption: one barrier position)
# Above this envelope speed on a footway, cycleway, path, pedestrian street or open surface an
# entry is flagged for review: the fastest reported attacks on such surfaces were far slower
# (Toronto 2018 up to 70 km/h on sidewalks, Nice 2016 about 90 km/h at the start, a 19 t
# truck; attacks.md), and the envelope ignores the trees, lamps and furniture there (issue 8).
PLAUSIBLE_OFF_ROAD_KMH: float = 100.0


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
    # what a reviewer must check before trusting the speed: {"code": "fast_off_road", "kind",
    # "speed_kmh", "at_m"} where the envelope drives faster than PLAUSIBLE_OFF_ROAD_KMH on a
    # footway, cycleway, path, pedestrian street or open surface
    review: tuple[dict[str, Any], ...] = ()
    # the path speed (issue 8): along the best line the mapped streetscape leaves; None where no
    # line fits (the objects close the way in), NaN where it was not computed
    path_speed_kmh: float | None = math.nan
    path_required_rating: str | None = None
    path_beyond_rating: bool = False
    path_speed_profile: tuple[tuple[float, float], ...] = ()
    path_route: tuple[tuple[float, float], ...] = ()
    path_objects: tuple[dict[str, Any], ...] = ()

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
            "review": [dict(r) for r in self.review],
            **self._path_json(),
        }

    def _path_json(self) -> dict[str, Any]:
        if self.path_speed_kmh is not None and math.isnan(self.path_speed_kmh):
            return {}
        return {
            "path_speed_kmh": None if self.path_speed_kmh is None else round(self.path_speed_kmh, 1),
            "path_required_rating": self.path_required_rating,
            "path_beyond_rating": self.path_beyond_rating,
            "path_speed_profile": [[round(d, 1), round(v, 1)] for d, v in self.path_speed_profile],
            "path_route": [[round(lon, 7), round(lat, 7)] for lon, lat in self.path_route],
            "streetscape": [dict(o) for o in self.path_objects],
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


@dataclass(frozen=True)
class SpaceApproaches:
    """Entries and the barriers that stop approaches, for one vehicle class and one area."""

    entries: list[Entry]
    barriers: list[Barrier]
    open_area_s: float = 0.0
    path_s: float = 0.0  # the path speed's share of the time (the streetscape's cost)


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
    around: Surroundings | None = None,
    blocked: BaseGeometry | None = None,
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
    around
        The space's surroundings with their street objects (`_path_speed.surroundings`): each
        entry then also gets its path speed, the speed along the best line the streetscape
        leaves (None where no line fits), and the objects that made the difference.
    blocked
        Lines, in the network's metres, that no straight crossing of an open surface may cross
        (a barrier plan's lines, `plans.check_plan`); None: only what the map cuts out.
    """
    sink_edge = np.repeat(crossings.seg_enters, 2)
    outside = speeds_outside(speeds, network.seg_length_m.astype(np.float64), sink_edge)
    heads, tails = edge_heads_tails(network)
    candidates, open_area_s = _candidates(network, crossings, outside, heads, tails, sink_edge, blocked)
    kept: list[Candidate] = []
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
    t_path = time.perf_counter()
    closing: list[Barrier] = []
    if around is not None:
        obstacles = _rigid_obstacles(network, around, speeds.vehicle, crossings.sights)
        corridors, _caps = around.streetscape.corridors(speeds.vehicle)
        closing = _closing_barriers(network, outside, kept, corridors)
        if obstacles is None and not _binds_near(corridors, around):
            # nothing rigid for this class stands near: the best line is the envelope's own
            entries = [_same_path(entry) for entry in entries]
        else:
            path = path_speeds(network, outside, sink_edge, around)
            union = obstacles.union if obstacles is not None else None
            if blocked is not None:
                union = blocked if union is None else shapely.union(union, blocked)
            on_path, _s = _candidates(network, crossings, path.speeds, heads, tails, sink_edge, union)
            entries = [
                _with_path_speed(network, entry, cand, on_path, path, merge_distance_m, obstacles)
                for entry, cand in zip(entries, kept, strict=True)
            ]
    path_s = time.perf_counter() - t_path
    barriers = barriers_met(network, crossings, outside, heads, sink_edge) + closing
    return SpaceApproaches(entries=entries, barriers=barriers, open_area_s=open_area_s, path_s=path_s)


# Street objects that are barriers in their own right: where they close a way in the path speed,
# the envelope lists them as existing protection to verify (OpenStreetMap never gives a rating).
BARRIER_OBJECTS: frozenset[str] = frozenset({"bollard", "block", "planter", "stone"})


def _closing_barriers(
    network: StreetNetwork, outside: AttainableSpeeds, kept: list[Candidate], corridors: ClassCorridors
) -> list[Barrier]:
    """Free-standing bollards, blocks, planters and boulders that close an envelope approach's way.

    The envelope drives past street objects; where a row of them closes a way in the path speed
    the city must know how hard each would be hit: the speed of the approach where it stands.
    """
    found: dict[int, Barrier] = {}
    x, y = network.node_x, network.node_y
    for cand in kept:
        for e in _edges_of(cand):
            s = e >> 1
            if not corridors.closed[s] or math.isnan(float(outside.start_speed_ms[e])):
                continue
            tail = int(network.seg_v[s] if e & 1 else network.seg_u[s])
            head = int(network.seg_u[s] if e & 1 else network.seg_v[s])
            hx, hy = float(x[head] - x[tail]), float(y[head] - y[tail])
            length = max(math.hypot(hx, hy), 1e-9)
            for o in corridors.binding.get(s, []):
                code = STREET_OBJECT_KINDS[int(network.object_kind[o])].code
                if code not in BARRIER_OBJECTS or o in found:
                    continue
                ox, oy = float(network.object_x[o]), float(network.object_y[o])
                along = min(max(((ox - x[tail]) * hx + (oy - y[tail]) * hy) / length, 0.0), length)
                start = float(outside.start_speed_ms[e])
                speed = outside.accelerate_on_ms(e, start, along)
                if speed <= STANDSTILL_MS:
                    continue  # where this approach sets off: it hits nothing at speed here
                leg = Leg(float(x[tail]), float(y[tail]), ox, oy, start, segment=s, edge=e)
                approach = Approach(chain_to(outside, int(outside.predecessor[e])), [leg])
                found[o] = barrier_at(
                    network, outside, approach, speed, (ox, oy), kind=code, gap_m=0.0, osm_id=0
                )
    return list(found.values())


def _candidates(  # noqa: PLR0917 (the area's inputs, passed on)
    network: StreetNetwork,
    crossings: AreaCrossings,
    speeds: AttainableSpeeds,
    heads: IntArray,
    tails: IntArray,
    sink_edge: BoolArray,
    obstacles: BaseGeometry | None,
) -> tuple[list[Candidate], float]:
    """Every way in of one class, fastest first, and the time the open surfaces took."""
    candidates = way_candidates(network, crossings, speeds, heads=heads, tails=tails)
    candidates += along_candidates(network, crossings, speeds, tails=tails)
    t0 = time.perf_counter()
    on_surfaces = surface_entries(
        network,
        crossings.area_xy,
        speeds,
        list(crossings.sights),
        heads=heads,
        sink_edge=sink_edge,
        obstacles=obstacles,
    )
    open_area_s = time.perf_counter() - t0
    candidates += [
        Candidate(
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
    return candidates, open_area_s


@dataclass(frozen=True)
class _Obstacles:
    """The discs round the objects rigid for a class that a straight line across a surface avoids."""

    union: BaseGeometry
    index: IntArray  # the objects, in the network's arrays
    discs: Any  # one disc per object, shapely array

    def hit_by(self, x0: float, y0: float, x1: float, y1: float) -> list[int]:
        """The objects whose disc the straight line from (x0, y0) to (x1, y1) enters."""
        hits = shapely.intersects(self.discs, shapely.LineString([(x0, y0), (x1, y1)]))
        return [int(o) for o in self.index[hits]]


def _binds_near(corridors: ClassCorridors, around: Surroundings) -> bool:
    """Whether the objects close or cap the class anywhere in the space's surroundings."""
    if corridors.closed[around.segments].any():
        return True
    return bool(corridors.stretches) and bool(
        np.isin(around.segments, np.fromiter(corridors.stretches, dtype=np.int64)).any()
    )


def _rigid_obstacles(
    network: StreetNetwork, around: Surroundings, vehicle: VehicleClass, sights: Sequence[SurfaceSight]
) -> _Obstacles | None:
    """The discs a straight line across an open surface must keep out of, for one class.

    Only the objects within the box of the surfaces' sight lines (access points and targets)
    can stand in one.
    """
    objs = around.objects
    if objs.count == 0 or not sights:
        return None
    index = np.unique(objs.obj)
    points = np.concatenate(
        [np.column_stack([network.node_x[s.nodes], network.node_y[s.nodes]]) for s in sights]
        + [s.targets for s in sights]
    )
    margin = CROSSING_REACH_M
    x0, y0 = points.min(axis=0) - margin
    x1, y1 = points.max(axis=0) + margin
    ox, oy = network.object_x[index], network.object_y[index]
    index = index[(ox >= x0) & (ox <= x1) & (oy >= y0) & (oy <= y1)]
    if index.shape[0] == 0:
        return None
    kind = network.object_kind[index]
    rigid = np.array([rigid_for(int(k), vehicle.mass_kg) for k in kind.tolist()], dtype=bool)
    if not rigid.any():
        return None
    index = index[rigid]
    reach = 0.5 * np.array([STREET_OBJECT_KINDS[int(k)].footprint_m for k in network.object_kind[index]])
    reach += 0.5 * vehicle.width_m + CLEARANCE_M
    discs = shapely.buffer(
        shapely.points(network.object_x[index], network.object_y[index]), reach, quad_segs=8
    )
    union = shapely.union_all(discs)
    shapely.prepare(union)
    return _Obstacles(union=union, index=index, discs=discs)


def _with_path_speed(  # noqa: PLR0917 (one entry and what the path speed found)
    network: StreetNetwork,
    entry: Entry,
    cand: Candidate,
    on_path: list[Candidate],
    path: PathSpeeds,
    merge_distance_m: float,
    obstacles: _Obstacles | None,
) -> Entry:
    """The entry with the speed of the best path that fits there, and the objects that made the difference."""
    best: Candidate | None = None
    for other in on_path:
        same = other.via == cand.via and (
            (cand.via == "open_area" and _leg_start(other) == _leg_start(cand))
            or (cand.via != "open_area" and other.edge == cand.edge and other.crossing == cand.crossing)
        )
        near = same or math.hypot(other.x_m - cand.x_m, other.y_m - cand.y_m) <= merge_distance_m
        if near and (best is None or other.speed_ms > best.speed_ms):
            best = other
    vehicle = path.speeds.vehicle
    blocking: list[int] = []
    if obstacles is not None and cand.via == "open_area" and cand.approach.legs:
        leg = cand.approach.legs[-1]  # the straight line across the surface
        blocking = obstacles.hit_by(leg.x0, leg.y0, leg.x1, leg.y1)
    objects = _binding_objects(network, path, _edges_of(cand), best, blocking)
    if best is None:
        return dataclasses.replace(entry, path_speed_kmh=None, path_objects=objects)
    if (
        best.speed_ms == cand.speed_ms
        and best.approach == cand.approach
        and not any((e >> 1) in path.corridors.stretches for e in _edges_of(cand))
    ):
        # the envelope's own line, uncapped all along: the same profile and route
        return dataclasses.replace(_same_path(entry), path_objects=objects)
    speed_kmh = min(best.speed_ms * 3.6, entry.impact_speed_kmh)
    rating = required_rating(vehicle, speed_kmh)
    facts = approach_facts(network, path.speeds, best.approach)
    route, _end = path_lonlat(network, facts, (best.x_m, best.y_m))
    return dataclasses.replace(
        entry,
        path_speed_kmh=speed_kmh,
        path_required_rating=rating.rating,
        path_beyond_rating=rating.beyond_rating,
        path_speed_profile=tuple(facts.speed_profile),
        path_route=route,
        path_objects=objects,
    )


def _edges_of(cand: Candidate) -> list[int]:
    """The directed edges an approach drives: whole edges, then the legs along edges."""
    return [*cand.approach.edges, *[leg.edge for leg in cand.approach.legs if leg.edge >= 0]]


def _same_path(entry: Entry) -> Entry:
    """The entry with its path speed where nothing narrows the corridor: the envelope itself."""
    return dataclasses.replace(
        entry,
        path_speed_kmh=entry.impact_speed_kmh,
        path_required_rating=entry.required_rating,
        path_beyond_rating=entry.beyond_rating,
        path_speed_profile=entry.speed_profile,
        path_route=entry.path,
        path_objects=(),
    )


def _leg_start(cand: Candidate) -> tuple[float, float] | None:
    legs = cand.approach.legs
    return (round(legs[0].x0, 1), round(legs[0].y0, 1)) if legs else None


# At most this many objects are listed per entry as the ones that made the difference.
MAX_LISTED_OBJECTS: int = 30


def _binding_objects(
    network: StreetNetwork,
    path: PathSpeeds,
    envelope_edges: list[int],
    best: Candidate | None,
    blocking: list[int],
) -> tuple[dict[str, Any], ...]:
    """The objects that closed the envelope's approach or capped the path speed's, with their effect.

    `blocking` are the objects standing in the envelope's straight line across an open surface.
    """
    corridors = path.corridors
    found: dict[int, str] = dict.fromkeys(blocking, "closes")
    for e in envelope_edges:
        s = e >> 1
        if corridors.closed[s]:
            for o in corridors.binding.get(s, []):
                found.setdefault(o, "closes")
    if best is not None:
        for e in _edges_of(best):
            for o in corridors.binding.get(e >> 1, []):
                found.setdefault(o, "narrows")
    if not found:
        return ()
    index = np.array(list(found)[:MAX_LISTED_OBJECTS], dtype=np.int64)
    lon, lat = projection_for(network.crs).to_lonlat(network.object_x[index], network.object_y[index])
    return tuple(
        {
            "kind": STREET_OBJECT_KINDS[int(network.object_kind[o])].code,
            "effect": found[int(o)],
            "lon": round(float(a), 7),
            "lat": round(float(b), 7),
        }
        for o, a, b in zip(
            index.tolist(), np.atleast_1d(lon).tolist(), np.atleast_1d(lat).tolist(), strict=True
        )
    )


def _entry(network: StreetNetwork, speeds: AttainableSpeeds, cand: Candidate, exposure_m: float) -> Entry:
    vehicle = speeds.vehicle
    facts = approach_facts(network, speeds, cand.approach)
    # the last leg of every approach leads to the entry point
    path, (lon, lat) = path_lonlat(network, facts, (cand.x_m, cand.y_m))
    speed_kmh = cand.speed_ms * 3.6
    rating = required_rating(vehicle, speed_kmh)
    return Entry(
        vehicle=vehicle.code,
        lon=lon,
        lat=lat,
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
        path=path,
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
        review=_review(facts.off_road_peak),
    )


def _review(off_road_peak: tuple[float, float, str] | None) -> tuple[dict[str, Any], ...]:
    """Flag an envelope faster than anyone has driven on a surface made for people."""
    if off_road_peak is None or off_road_peak[1] <= PLAUSIBLE_OFF_ROAD_KMH:
        return ()
    at_m, speed_kmh, kind = off_road_peak
    return (
        {"code": "fast_off_road", "kind": kind, "speed_kmh": round(speed_kmh, 1), "at_m": round(at_m, 1)},
    )


def _depths_m(area: BaseGeometry, surfaces: tuple[Any, ...], kept: list[Candidate]) -> list[float]:
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
    nodes = distinct(np.concatenate((rows, cols, heads[crossings.edge[picks]])))
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


__all__ = [
    "MERGE_DISTANCE_M",
    "AreaCrossings",
    "AreaWarning",
    "Barrier",
    "Entry",
    "SpaceApproaches",
    "area_crossings",
    "area_from_geojson",
    "no_touch_error",
    "project_area",
    "space_approaches",
    "space_entries",
]
