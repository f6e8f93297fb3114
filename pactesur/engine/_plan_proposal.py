"""Proposed barrier lines: where each goes, what it takes, and its alternatives (`plans.propose_plan`)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

from pactesur.engine._plan_overlay import (
    nearest_segment,
    to_xy,
)
from pactesur.engine._plan_types import (
    ClosureOption,
    ProposedLine,
    RequiredAt,
    SpeedReductionOption,
    elements_for_clear_gaps,
    elements_in_opening,
)
from pactesur.engine.crossings import (
    ALONG_MARGIN_M,
)
from pactesur.engine.entries import Entry
from pactesur.engine.network import StreetNetwork, WayKind
from pactesur.engine.projection import projection_for
from pactesur.engine.ratings import RequiredRating, required_rating
from pactesur.engine.vehicles import vehicle_by_code

FloatArray = npt.NDArray[np.float64]

# Width of the opening left for emergency vehicles in a line across a way they drive, closed by a
# rated removable or retractable element (assumption: a fire appliance needs 3.5 m; the way's own
# width where narrower).
EMERGENCY_OPENING_M: float = 3.5
# Width of one element of a proposed line (assumption: a crash-rated bollard is 0.2–0.3 m across).
BOLLARD_WIDTH_M: float = 0.25
# Speeds a speed-reduction element (chicane, narrowing, raised table) is proposed for, km/h
# (assumption: usual design speeds of traffic calming; ISO 22343-2 §9.2.4).
SPEED_REDUCTION_CAPS_KMH: tuple[float, ...] = (20.0, 30.0)
# Where a proposed speed reduction stands before the line, along the approach (assumption: room to
# build a chicane, and no junction between it and the line).
SPEED_REDUCTION_STANDOFF_M: float = 20.0
# Proposed lines along the outline closer than this are one line (assumption: less than a gap).
OUTLINE_JOIN_M: float = 1.0
# A way whose end node is this close to a line's end is one the line must run on across
# (assumption: a node on the outline, with a drawing's slack).
END_REACH_M: float = 1.0
# Ways an emergency vehicle drives: a line across one keeps an emergency opening.
OPENING_WAY_KINDS: frozenset[int] = frozenset({WayKind.ROAD, WayKind.SERVICE, WayKind.PEDESTRIAN})


def design_rating(required: Mapping[str, float]) -> RequiredRating:
    """One rating that covers every class at its speed: the heaviest class at the highest speed.

    Among classes of the heaviest mass, the one tested fastest (N3C before N2A at 7200 kg).
    """
    classes = [vehicle_by_code(code) for code in required]
    heaviest = max(classes, key=lambda v: (v.mass_kg, max(v.test_speeds_kmh)))
    return required_rating(heaviest, max(required.values()))


@dataclass
class Draft:
    """A line being proposed: its geometry in metres and the entries it closes."""

    line_xy: LineString
    via: str
    entries: list[Entry]
    opening_m: float = 0.0
    width_assumed: bool = False
    closure_segments: set[int] = field(default_factory=set)
    hits: dict[str, float] = field(default_factory=dict)  # km/h per class, from the rerun


class Proposer:
    """Lines across the crossed ways and along the outline, for one space."""

    def __init__(self, network: StreetNetwork, area_xy: BaseGeometry, opening_m: float) -> None:
        self.network = network
        self.area_xy = area_xy
        self.opening_m = opening_m
        polygons = list(getattr(area_xy, "geoms", [area_xy]))
        self.rings = [LineString(r.coords) for p in polygons for r in (p.exterior, *p.interiors)]

    def lines(self, entries: list[Entry]) -> list[Draft]:
        across: list[Draft] = []
        stretches: list[tuple[int, float, float, Entry, int]] = []  # ring, from, to, entry, segment
        for entry in entries:
            s = self._segment_of(entry) if entry.via == "way" else -1
            if s >= 0 and int(self.network.seg_kind[s]) != int(WayKind.OPEN_AREA):
                self._add_across(across, entry, s)
            else:  # a veer off a way, or a crossing of an open surface (a virtual segment or not)
                stretches += self._stretches(entry)
        along = self._join(stretches)
        kept: list[Draft] = []
        for draft in across:
            host = self._host(along, draft)
            if host is None:
                kept.append(draft)
            else:
                host.entries += draft.entries
                host.opening_m += draft.opening_m
                host.width_assumed |= draft.width_assumed
                host.closure_segments |= draft.closure_segments
        return kept + along

    def _segment_of(self, entry: Entry) -> int:
        """The segment a way entry crosses the outline on."""
        s, d = nearest_segment(self.network, entry.x_m, entry.y_m, way_id=entry.way_id)
        if s < 0 or d > 1.0:
            s, d = nearest_segment(self.network, entry.x_m, entry.y_m)
        return s if d <= 1.0 else -1

    def _add_across(self, drafts: list[Draft], entry: Entry, s: int) -> None:
        network = self.network
        x, y = entry.x_m, entry.y_m
        for draft in drafts:
            if s in draft.closure_segments and draft.line_xy.centroid.distance(Point(x, y)) <= 1.0:
                draft.entries.append(entry)
                return
        a, b = int(network.seg_u[s]), int(network.seg_v[s])
        dx, dy = float(network.node_x[b] - network.node_x[a]), float(network.node_y[b] - network.node_y[a])
        half = 0.5 * float(network.seg_width_m[s])
        # the corridor runs on over sidewalks mapped on the way: left and right of it (u → v)
        left, right = (
            max(half, float(e)) if math.isfinite(float(e)) else half for e in network.seg_edges_m[s]
        )
        width = left + right
        norm = max(math.hypot(dx, dy), 1e-9)
        nx, ny = -dy / norm, dx / norm  # to the left of u → v
        line = LineString([(x - right * nx, y - right * ny), (x + left * nx, y + left * ny)])
        opening = min(self.opening_m, width) if int(network.seg_kind[s]) in OPENING_WAY_KINDS else 0.0
        assumed = bool(network.seg_width_assumed[s])
        drafts.append(
            Draft(line, "way", [entry], opening_m=opening, width_assumed=assumed, closure_segments={s})
        )

    def _stretches(self, entry: Entry) -> list[tuple[int, float, float, Entry, int]]:
        """The stretches of outline an along-way or open-surface entry stands for.

        Beside the entry's own way (or surface), every way a vehicle could veer off at the entry
        point: the analysis keeps the fastest entry of those within a couple of metres, and a
        line that stops it must stop the others too.
        """
        network = self.network
        found: list[tuple[int, float, float, Entry, int]] = []
        at = Point(entry.x_m, entry.y_m)
        zones: list[tuple[BaseGeometry, int]] = []
        if entry.via != "along_way":
            start = to_xy(network, Point(entry.path[-2])) if len(entry.path) >= 2 else at
            zones += [
                (shapely.buffer(g, 1.0), -1)
                for g in network.open_areas_xy
                if (g.distance(start) <= 1.0 or g.distance(at) <= 1.0) and g.intersects(self.area_xy)
            ]
        else:
            q = to_xy(network, Point(entry.path[-2])) if len(entry.path) >= 2 else at
            zones += [(self._reach_zone(s), s) for s in self._along_segments(entry.way_id or None, q)]
        zones += [(self._reach_zone(s), s) for s in self._veering_at(at) if all(s != z[1] for z in zones)]
        for zone, host in zones:
            for ring_index, ring in enumerate(self.rings):
                for part in shapely.get_parts(shapely.intersection(ring, zone)).tolist():
                    if part.geom_type != "LineString" or part.length <= 0.0:
                        continue
                    # the pieces follow the ring: from where one starts, as long as it is
                    a = ring.project(Point(part.coords[0]))
                    b = a + min(float(part.length), float(ring.length))
                    found.append((ring_index, a, min(b, ring.length), entry, host))
                    if b > ring.length:  # runs through the ring's start
                        found.append((ring_index, 0.0, b - ring.length, entry, host))
        if not found:  # nothing mapped to go by: the outline round the entry point
            ring_index = int(np.argmin([r.distance(at) for r in self.rings]))
            ring = self.rings[ring_index]
            where = ring.project(at)
            half = max(0.5 * entry.along_m, 2.0)
            found.append((ring_index, max(where - half, 0.0), min(where + half, ring.length), entry, -1))
        return found

    def _reach_zone(self, s: int) -> BaseGeometry:
        """Where a vehicle veering off segment s reaches (`ALONG_MARGIN_M` beyond its half width)."""
        network = self.network
        a, b = int(network.seg_u[s]), int(network.seg_v[s])
        line = LineString([(network.node_x[a], network.node_y[a]), (network.node_x[b], network.node_y[b])])
        return shapely.buffer(line, 0.5 * float(network.seg_width_m[s]) + ALONG_MARGIN_M + 0.5)

    def _veering_at(self, point: Point) -> list[int]:
        """The segments that run along the space (not into it) and reach the point by veering off."""
        network = self.network
        pad = 0.5 * float(network.seg_width_m.max(initial=0.0)) + ALONG_MARGIN_M + 0.5
        x, y = network.node_x, network.node_y
        u, v = network.seg_u, network.seg_v
        near = np.flatnonzero(
            (np.maximum(x[u], x[v]) >= point.x - pad)
            & (np.minimum(x[u], x[v]) <= point.x + pad)
            & (np.maximum(y[u], y[v]) >= point.y - pad)
            & (np.minimum(y[u], y[v]) <= point.y + pad)
            & (network.seg_kind != int(WayKind.STEPS))
            & (network.seg_kind != int(WayKind.OPEN_AREA))
        )
        out: list[int] = []
        for s in near.tolist():
            a, b = int(u[s]), int(v[s])
            line = LineString([(x[a], y[a]), (x[b], y[b])])
            reach = 0.5 * float(network.seg_width_m[s]) + ALONG_MARGIN_M + 0.5
            if line.distance(point) <= reach and not self.area_xy.relate_pattern(line, "T********"):
                out.append(s)
        return out

    def _along_segments(self, way: int | None, q: Point) -> list[int]:
        """The segments of the way (or the one at `q`) that run within reach of the space."""
        network = self.network
        if way is not None:
            candidates = np.flatnonzero(network.seg_way_id == way)
        else:
            s, _d = nearest_segment(network, float(q.x), float(q.y))
            candidates = np.array([s] if s >= 0 else [], dtype=np.int64)
        out: list[int] = []
        for s in candidates.tolist():
            a, b = int(network.seg_u[s]), int(network.seg_v[s])
            line = LineString(
                [(network.node_x[a], network.node_y[a]), (network.node_x[b], network.node_y[b])]
            )
            if line.distance(self.area_xy) <= 0.5 * float(network.seg_width_m[s]) + ALONG_MARGIN_M:
                out.append(s)
        return out

    def _join(self, stretches: list[tuple[int, float, float, Entry, int]]) -> list[Draft]:
        """Stretches of outline that meet, as one line each."""
        drafts: list[Draft] = []
        by_ring: dict[int, list[tuple[float, float, Entry, int]]] = {}
        for ring_index, a, b, entry, s in stretches:
            by_ring.setdefault(ring_index, []).append((a, b, entry, s))
        for ring_index, items in sorted(by_ring.items()):
            ring = self.rings[ring_index]
            items.sort(key=lambda item: item[0])
            groups: list[list[tuple[float, float, Entry, int]]] = []
            for item in items:
                if groups and item[0] <= max(g[1] for g in groups[-1]) + OUTLINE_JOIN_M:
                    groups[-1].append(item)
                else:
                    groups.append([item])
            for group in groups:
                a = min(g[0] for g in group)
                b = max(g[1] for g in group)
                # on across the ways that meet the outline at its ends (no gap beside its last element)
                a = max(a - self._pad_at(ring.interpolate(a)), 0.0)
                b = min(b + self._pad_at(ring.interpolate(b)), ring.length)
                line = substring(ring, a, b) if b - a > 0.05 else None
                if not isinstance(line, LineString):
                    continue
                entries: list[Entry] = []
                for _a, _b, entry, _s in group:
                    if all(entry is not e for e in entries):
                        entries.append(entry)
                vias = {e.via for e in entries}
                segments = {s for *_r, s in group if s >= 0}
                drafts.append(
                    Draft(
                        line,
                        "along_way" if "along_way" in vias else "open_area",
                        entries,
                        closure_segments=segments,
                    )
                )
        return _merge_ring_ends(drafts)

    def _pad_at(self, point: Point) -> float:
        """How far a line along the outline must run on past `point` to close the ways that meet it there."""
        network = self.network
        x, y = network.node_x, network.node_y
        u, v = network.seg_u, network.seg_v
        near = np.flatnonzero(
            (np.hypot(x[u] - point.x, y[u] - point.y) <= END_REACH_M)
            | (np.hypot(x[v] - point.x, y[v] - point.y) <= END_REACH_M)
        )
        pad = 0.0
        for s in near.tolist():
            if int(network.seg_kind[s]) in (int(WayKind.OPEN_AREA), int(WayKind.STEPS)):
                continue
            half = 0.5 * float(network.seg_width_m[s])
            sides = [float(e) for e in network.seg_edges_m[s] if math.isfinite(float(e))]
            pad = max(pad, max([half, *sides]) + 0.5)
        return pad

    def _host(self, along: list[Draft], draft: Draft) -> Draft | None:
        """The line along the outline that already closes a way crossing, if any."""
        entry = draft.entries[0]
        point = Point(entry.x_m, entry.y_m)
        half = 0.5 * draft.line_xy.length
        for host in along:
            if host.line_xy.distance(point) > 0.5:
                continue
            at = host.line_xy.project(point)
            if at >= half - 0.5 and host.line_xy.length - at >= half - 0.5:
                return host
        return None


def _merge_ring_ends(drafts: list[Draft]) -> list[Draft]:
    """Two lines that meet where a ring starts are one line."""
    out: list[Draft] = []
    for draft in drafts:
        joined = False
        for other in out:
            if other.line_xy.distance(draft.line_xy) <= 0.05:
                merged = shapely.line_merge(shapely.union(other.line_xy, draft.line_xy))
                if isinstance(merged, LineString):
                    other.line_xy = merged
                    other.entries += [e for e in draft.entries if all(e is not k for k in other.entries)]
                    other.closure_segments |= draft.closure_segments
                    joined = True
                    break
        if not joined:
            out.append(draft)
    return out


class LineFigures:
    """The figures of each proposed line and its speed-reduction and closure alternatives."""

    def __init__(
        self,
        network: StreetNetwork,
        caps_kmh: Sequence[float],
        standoff_m: float,
        element_width_m: float,
        gap_m: float,
    ) -> None:
        self.network = network
        self.caps_kmh = tuple(caps_kmh)
        self.standoff_m = standoff_m
        self.degree = np.bincount(
            np.concatenate([network.seg_u, network.seg_v]).astype(np.int64), minlength=network.node_count
        )
        self.projection = projection_for(network.crs)
        self.element_width_m = element_width_m
        self.gap_m = gap_m

    def complete(self, draft: Draft) -> ProposedLine:
        element_width_m, gap_m = self.element_width_m, self.gap_m
        speeds = _fastest_by_class(draft.entries)
        for code, hit in draft.hits.items():
            speeds[code] = max(speeds.get(code, 0.0), hit)
        required = tuple(_required_at(code, v) for code, v in speeds.items())
        design = design_rating(speeds)
        line_lonlat = to_lonlat(self.network, draft.line_xy)
        way_ids = tuple(sorted({e.way_id for e in draft.entries if e.way_id}))
        names = tuple(sorted({e.name for e in draft.entries if e.name}))
        return ProposedLine(
            line_lonlat=line_lonlat,
            via=draft.via,
            way_ids=way_ids,
            names=names,
            length_m=float(draft.line_xy.length),
            width_assumed=draft.width_assumed
            or any(e.width_source == "assumed" and e.via == "way" for e in draft.entries),
            required=required,
            design_rating=design.rating,
            beyond_rating=design.beyond_rating,
            element_width_m=element_width_m,
            gap_m=gap_m,
            elements=elements_for_clear_gaps(float(draft.line_xy.length), element_width_m, gap_m=gap_m),
            opening_m=draft.opening_m,
            removable_elements=elements_in_opening(draft.opening_m, element_width_m, gap_m=gap_m),
            entries=tuple((e.vehicle, e.lon, e.lat) for e in draft.entries),
            speed_reductions=tuple(self._reductions(draft, design)),
            closure=self._closure(draft),
        )

    def _reductions(self, draft: Draft, without: RequiredRating) -> list[SpeedReductionOption]:
        options: list[SpeedReductionOption] = []
        for cap in self.caps_kmh:
            slowed: dict[str, float] = {}
            points: dict[tuple[float, float], tuple[int, float]] = {}
            for entry in draft.entries:
                found = self._reduced(entry, cap)
                speed = entry.impact_speed_kmh
                if found is not None:
                    (lon, lat), way, distance, speed = found
                    points.setdefault((round(lon, 7), round(lat, 7)), (way, distance))
                slowed[entry.vehicle] = max(slowed.get(entry.vehicle, 0.0), speed)
            if not points:
                continue
            design = design_rating(slowed)
            options.append(
                SpeedReductionOption(
                    cap_kmh=cap,
                    points_lonlat=tuple(points),
                    way_ids=tuple(w for w, _d in points.values()),
                    distances_m=tuple(d for _w, d in points.values()),
                    required=tuple(_required_at(code, v) for code, v in slowed.items()),
                    design_rating=design.rating,
                    beyond_rating=design.beyond_rating,
                    lowers_rating=design.test_speed_kmh < without.test_speed_kmh,
                )
            )
        return options

    def _reduced(self, entry: Entry, cap_kmh: float) -> tuple[tuple[float, float], int, float, float] | None:
        """Where a speed reduction goes on the entry's approach, and the impact speed after it."""
        if len(entry.path) < 2:
            return None
        network = self.network
        xs, ys = self.projection.to_xy([p[0] for p in entry.path], [p[1] for p in entry.path])
        xy = np.column_stack([xs, ys])
        step = np.hypot(np.diff(xy[:, 0]), np.diff(xy[:, 1]))
        to_end = np.concatenate([np.cumsum(step[::-1])[::-1], [0.0]])  # distance left at each vertex
        off_network = float(step[-1]) if entry.via in ("along_way", "open_area") else 0.0
        last = len(xy) - (2 if entry.via in ("along_way", "open_area") else 1)
        junction = float(to_end[0])
        for i in range(last, -1, -1):
            node = self._node_at(float(xy[i, 0]), float(xy[i, 1]))
            if node >= 0 and self.degree[node] >= 3:
                junction = float(to_end[i])
                break
        # a vehicle veering off a way may do so anywhere along the stretch after the element
        least = off_network + (entry.along_m if entry.via == "along_way" else 0.0)
        distance = min(max(least, min(self.standoff_m, junction)), float(to_end[0]))
        if distance <= 0.0:
            return None
        vehicle = vehicle_by_code(entry.vehicle)
        table_v, table_d = vehicle.run_up_table()
        reached = (
            float(np.interp(np.interp(cap_kmh / 3.6, table_v, table_d) + distance, table_d, table_v)) * 3.6
        )
        speed = min(entry.impact_speed_kmh, reached)
        if speed >= entry.impact_speed_kmh - 1e-6:
            return None
        path = LineString(xy)
        point = path.interpolate(path.length - distance)
        s, _d = nearest_segment(network, float(point.x), float(point.y))
        lon, lat = self.projection.to_lonlat([point.x], [point.y])
        way = int(network.seg_way_id[s]) if s >= 0 else 0
        return (float(lon[0]), float(lat[0])), way, distance, speed

    def _node_at(self, x: float, y: float) -> int:
        s, d = nearest_segment(self.network, x, y)
        if s < 0 or d > 0.01:
            return -1
        for n in (int(self.network.seg_u[s]), int(self.network.seg_v[s])):
            if math.hypot(float(self.network.node_x[n]) - x, float(self.network.node_y[n]) - y) <= 0.01:
                return n
        return -1

    def _closure(self, draft: Draft) -> ClosureOption | None:
        network = self.network
        segments = sorted(s for s in draft.closure_segments if s >= 0)
        if not segments:
            return None
        lines = [
            LineString(
                [
                    (network.node_x[network.seg_u[s]], network.node_y[network.seg_u[s]]),
                    (network.node_x[network.seg_v[s]], network.node_y[network.seg_v[s]]),
                ]
            )
            for s in segments
        ]
        ways = {int(network.seg_way_id[s]) for s in segments}
        removes = tuple(
            dict.fromkeys(
                (e.vehicle, e.lon, e.lat)
                for e in draft.entries
                if e.via in ("way", "along_way") and e.way_id in ways
            )
        )
        return ClosureOption(
            segments_lonlat=tuple(to_lonlat(network, line) for line in lines),
            way_ids=tuple(int(network.seg_way_id[s]) for s in segments),
            length_m=float(sum(line.length for line in lines)),
            width_m=float(max(network.seg_width_m[s] for s in segments)),
            removes=removes,
        )


def _fastest_by_class(entries: Iterable[Entry]) -> dict[str, float]:
    fastest: dict[str, float] = {}
    for e in entries:
        fastest[e.vehicle] = max(fastest.get(e.vehicle, 0.0), e.impact_speed_kmh)
    return fastest


def _required_at(code: str, speed_kmh: float) -> RequiredAt:
    rating = required_rating(vehicle_by_code(code), speed_kmh)
    return RequiredAt(code, speed_kmh, rating.rating, rating.test_speed_kmh, rating.beyond_rating)


def to_lonlat(network: StreetNetwork, geometry_xy: BaseGeometry) -> Any:
    projection = projection_for(network.crs)

    def inverse(coords: FloatArray) -> FloatArray:
        lon, lat = projection.to_lonlat(coords[:, 0], coords[:, 1])
        return np.column_stack((lon, lat))

    return shapely.transform(geometry_xy, inverse)
