"""A drawn plan judged: the rerun of a space with the plan's elements, class by class (`plans.check_plan`)."""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from pactesur.engine._outside import speeds_outside
from pactesur.engine._paths import accelerate_many_ms
from pactesur.engine._plan_check import (
    Hit,
    Veers,
    Zone,
    element_hits,
    line_zones,
    outside_nodes,
    sight_hits,
    veer_speeds_ms,
    veers_along,
)
from pactesur.engine._plan_overlay import (
    AT_NODE_M,
    LineCut,
    NodeCut,
    Overlay,
    line_cuts,
    line_overlaps,
    nearest_segment,
    plan_speeds,
    segments_near,
    split_network,
    split_points,
    to_xy,
    transitions_of,
)
from pactesur.engine._plan_types import (
    MAX_CLEAR_GAP_M,
    BarrierLine,
    Closure,
    ElementCheck,
    EntryCheck,
    PlanCheck,
    PlanElement,
    Rating,
    SpeedReduction,
    parse_rating,
    rating_covers,
)
from pactesur.engine._region import region_network, region_radius_m
from pactesur.engine.crossings import (
    AreaCrossings,
    area_crossings,
    no_touch_error,
    project_area,
)
from pactesur.engine.dynamics import STANDSTILL_MS, AttainableSpeeds, prepare_network
from pactesur.engine.entries import Entry, space_approaches
from pactesur.engine.network import StreetNetwork
from pactesur.engine.projection import projection_for
from pactesur.engine.ratings import required_rating
from pactesur.engine.vda import VdaResult, city_speeds
from pactesur.engine.vehicles import VehicleClass

FloatArray = npt.NDArray[np.float64]
Progress = Callable[[str], None]

# An entry after the plan this close to one before it is the same entry (assumption: a few times
# the analysis's own merge distance).
MATCH_DISTANCE_M: float = 5.0


@dataclass(frozen=True)
class _LineJudge:
    """Whether a drawn barrier line can stop a class, and up to which speed."""

    line: BarrierLine
    rating: Rating | None
    opening: Rating | None

    @classmethod
    def of(cls, line: BarrierLine) -> _LineJudge:
        return cls(line, parse_rating(line.rating), parse_rating(line.opening_rating))

    @property
    def has_opening(self) -> bool:
        return self.line.opening_m > max(self.line.gap_m, MAX_CLEAR_GAP_M)

    def blocker(self, vehicle: VehicleClass) -> tuple[str, str] | None:
        """Why the line stops the class at no speed at all, or None."""
        line = self.line
        if self.rating is None:
            return "unrated", "unrated elements (planters, blocks, benches) never count as stopping a vehicle"
        if line.gap_m > MAX_CLEAR_GAP_M:
            return "gap_too_wide", f"its clear gaps of {line.gap_m:.2f} m exceed {MAX_CLEAR_GAP_M} m"
        if self.has_opening and self.opening is None:
            return (
                "opening_open",
                f"its {line.opening_m:.1f} m emergency opening is closed by no rated element",
            )
        for rating in (self.rating, self.opening if self.has_opening else None):
            if rating is not None and vehicle.mass_kg > rating.mass_kg + 0.5:
                return (
                    "class_too_heavy",
                    f"{rating.text} is tested with {rating.mass_kg:.0f} kg, "
                    f"{vehicle.code} weighs {vehicle.mass_kg:.0f} kg",
                )
        return None

    def holds(self, vehicle: VehicleClass, speed_kmh: float) -> bool:
        return (
            self.blocker(vehicle) is None
            and rating_covers(self.rating, vehicle, speed_kmh)
            and (not self.has_opening or rating_covers(self.opening, vehicle, speed_kmh))
        )

    def rating_text(self) -> str:
        if self.has_opening and self.opening is not None and self.opening.text != self.line.rating:
            return f"{self.line.rating} (opening {self.opening.text})"
        return self.line.rating


@dataclass(frozen=True)
class Reach:
    """An entry found by a run: where, how fast, by which path (metres)."""

    entry: Entry
    x_m: float
    y_m: float
    speed_kmh: float
    path_xy: LineString | None
    behind: bool = False
    note: str = ""


@dataclass(frozen=True)
class Run:
    """A check with what a proposal needs of it: each class's hits and the entries left open."""

    check: PlanCheck
    hits: dict[str, dict[int, Hit]]
    opens: dict[str, list[Reach]]


def run_check(  # noqa: PLR0917 (check_plan's arguments, passed on)
    network: StreetNetwork,
    area_lonlat: BaseGeometry,
    elements: Sequence[PlanElement],
    classes: tuple[VehicleClass, ...],
    before: VdaResult | None,
    progress: Progress,
) -> Run:
    """`plans.check_plan`, with each class's hits on the lines and the entries it leaves open."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    area_xy = project_area(network, area_lonlat)
    progress("laying the plan over the network round the space")
    region = region_network(network, area_xy, region_radius_m(classes))
    overlay = _overlay(region, area_xy, elements)
    timings["overlay"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    progress("speeds round the space")
    prepared = prepare_network(overlay.network)
    base = city_speeds(overlay.network, classes, prepared=prepared)
    timings["speeds"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    context = _Context.build(overlay, area_lonlat, elements, prepared)
    timings["geometry"] = time.perf_counter() - t2
    entry_checks: list[EntryCheck] = []
    element_checks: list[ElementCheck] = []
    hits: dict[str, dict[int, Hit]] = {}
    opens: dict[str, list[Reach]] = {}
    found_any = False
    analysed = {v.code for v in before.vehicles} if before is not None else set()
    for vehicle in classes:
        t3 = time.perf_counter()
        progress(f"checking the plan for {vehicle.code}")
        if vehicle.code in analysed:
            earlier = [e for e in before.entries if e.vehicle == vehicle.code] if before is not None else []
        else:  # the envelope's entries without the plan, on the same overlay
            earlier = space_approaches(overlay.network, context.crossings, base[vehicle.code]).entries
        found_any |= bool(earlier)
        entries, judged, hits[vehicle.code], opens[vehicle.code] = context.check_class(
            vehicle, base[vehicle.code], earlier
        )
        entry_checks += entries
        element_checks += judged
        timings[f"check_{vehicle.code}"] = time.perf_counter() - t3
    if not found_any and not entry_checks and not context.crossings.reachable:
        raise no_touch_error(network)
    open_entries = [e for e in entry_checks if e.is_open]
    timings["total"] = time.perf_counter() - t0
    check = PlanCheck(
        accepted=not open_entries,
        vehicles=tuple(v.code for v in classes),
        entries=tuple(entry_checks),
        elements=tuple(element_checks),
        reasons=tuple(e.message for e in open_entries),
        timings_s=timings,
    )
    return Run(check, hits, opens)


def _overlay(region: StreetNetwork, area_xy: BaseGeometry, elements: Sequence[PlanElement]) -> Overlay:
    """The region with a node at every speed reduction and barrier line crossing, and what acts where.

    A barrier line's crossings become nodes, so that the line closes the turns from one side of
    it to the other there, direction by direction: a segment that enters the space before it
    meets the line (through a hole of the space, say) keeps that entry.
    """
    xy = [to_xy(region, _geometry_of(e)) for e in elements]
    unplaced: dict[int, str] = {}
    requests: list[tuple[int, float, float]] = []
    owners: list[int] = []
    for j, element in enumerate(elements):
        points: list[tuple[int, float, float]] = []
        if isinstance(element, SpeedReduction):
            points = split_points(region, xy[j])
            if not points:
                unplaced[j] = "drawn on no way: draw it on the way it slows"
        elif isinstance(element, BarrierLine):
            found, _at_nodes = line_cuts(region, area_xy, j, xy[j])
            points = [
                (c.segment, _off_edge(region, area_xy, c.segment, c.fraction), AT_NODE_M) for c in found
            ]
        requests += points
        owners += [j] * len(points)
    network, nodes = split_network(region, requests)
    cap_ms: dict[int, float] = {}
    cap_nodes: dict[int, list[int]] = {}
    for j, node in zip(owners, nodes, strict=True):
        element = elements[j]
        if isinstance(element, SpeedReduction):
            cap_ms[node] = min(cap_ms.get(node, math.inf), element.cap_kmh / 3.6)
            cap_nodes.setdefault(j, []).append(node)
    lines: dict[int, BaseGeometry] = {}
    cuts: list[LineCut] = []
    node_cuts: list[NodeCut] = []
    overlaps: dict[int, npt.NDArray[np.int64]] = {}
    for j, element in enumerate(elements):
        if isinstance(element, BarrierLine):
            lines[j] = xy[j]
            found, at_nodes = line_cuts(network, area_xy, j, xy[j])
            cuts += found
            node_cuts += at_nodes
            overlaps[j] = line_overlaps(network, xy[j])
    closed, turns = _closures(network, elements, xy, unplaced)
    return Overlay(
        network=network,
        area_xy=area_xy,
        lines_xy=lines,
        cuts=tuple(cuts),
        node_cuts=tuple(node_cuts),
        overlaps=overlaps,
        cap_ms=cap_ms,
        cap_nodes={j: tuple(n) for j, n in cap_nodes.items()},
        closed_segments=closed,
        closed_turns=turns,
        unplaced=unplaced,
    )


def _closures(
    network: StreetNetwork, elements: Sequence[PlanElement], xy: list[BaseGeometry], unplaced: dict[int, str]
) -> tuple[dict[int, npt.NDArray[np.int64]], dict[int, tuple[int, int, int]]]:
    """The segments each street closure closes, and the turn each turn closure closes (where they act)."""
    closed: dict[int, npt.NDArray[np.int64]] = {}
    turns: dict[int, tuple[int, int, int]] = {}
    for j, element in enumerate(elements):
        if not isinstance(element, Closure):
            continue
        if element.to_way_id is not None and element.way_id is not None:
            node = _junction(network, xy[j], element.way_id, element.to_way_id)
            if node < 0:
                unplaced[j] = f"no junction of ways {element.way_id} and {element.to_way_id} near the point"
            else:
                turns[j] = (node, element.way_id, element.to_way_id)
            continue
        segments = segments_near(network, xy[j], way_id=element.way_id, point=isinstance(xy[j], Point))
        if segments.shape[0] == 0:
            unplaced[j] = "drawn on no way: draw it along the way it closes"
        closed[j] = segments
    return closed, turns


# A line drawn on the space's edge stands this far outside it (a node exactly on the outline is
# inside or outside by rounding; the vehicle would start 2 cm from the space behind it).
EDGE_SETBACK_M: float = 0.02


def _off_edge(network: StreetNetwork, area_xy: BaseGeometry, s: int, fraction: float) -> float:
    """The crossing moved just outside the space where it is on its outline."""
    a, b = int(network.seg_u[s]), int(network.seg_v[s])
    x = float(network.node_x[a]) + fraction * float(network.node_x[b] - network.node_x[a])
    y = float(network.node_y[a]) + fraction * float(network.node_y[b] - network.node_y[a])
    if area_xy.boundary.distance(Point(x, y)) > 5.0 * EDGE_SETBACK_M:
        return fraction
    a_in = bool(area_xy.contains(Point(network.node_x[a], network.node_y[a])))
    b_in = bool(area_xy.contains(Point(network.node_x[b], network.node_y[b])))
    if a_in == b_in:
        return fraction
    step = EDGE_SETBACK_M / max(float(network.seg_length_m[s]), 1e-9)
    return min(max(fraction - step if b_in else fraction + step, 0.0), 1.0)


def _geometry_of(element: PlanElement) -> BaseGeometry:
    return element.line_lonlat if isinstance(element, BarrierLine) else element.geometry_lonlat


def _junction(network: StreetNetwork, point_xy: BaseGeometry, from_way: int, to_way: int) -> int:
    """The node nearest the point where the two ways meet, within the snap distance."""
    ways = network.seg_way_id
    a = np.concatenate([network.seg_u[ways == from_way], network.seg_v[ways == from_way]])
    b = np.concatenate([network.seg_u[ways == to_way], network.seg_v[ways == to_way]])
    common = np.intersect1d(a, b).astype(np.int64)
    if common.shape[0] == 0:
        return -1
    c = point_xy.centroid
    d = np.hypot(network.node_x[common] - c.x, network.node_y[common] - c.y)
    k = int(np.argmin(d))
    return int(common[k]) if d[k] <= 8.0 else -1


@dataclass(eq=False)
class _Context:
    """What one check shares between its classes: the overlay and its class-free geometry."""

    overlay: Overlay
    elements: Sequence[PlanElement]
    prepared: Any
    crossings: AreaCrossings
    zones: dict[int, Zone]
    veers: Veers
    sights: list[Any]
    judges: dict[int, _LineJudge]
    sink_edge: npt.NDArray[np.bool_]
    length_m: FloatArray
    far: npt.NDArray[np.bool_]
    paths_of: dict[int, tuple[Entry, LineString | None]] = field(default_factory=dict)

    @classmethod
    def build(
        cls, overlay: Overlay, area_lonlat: BaseGeometry, elements: Sequence[PlanElement], prepared: Any
    ) -> _Context:
        network = overlay.network
        crossings = area_crossings(network, area_lonlat)
        zones = line_zones(overlay.lines_xy)
        return cls(
            overlay=overlay,
            elements=elements,
            prepared=prepared,
            crossings=crossings,
            zones=zones,
            veers=veers_along(network, crossings, zones),
            sights=sight_hits(crossings.sights, network, zones),
            judges={j: _LineJudge.of(e) for j, e in enumerate(elements) if isinstance(e, BarrierLine)},
            sink_edge=np.repeat(crossings.seg_enters, 2),
            length_m=network.seg_length_m.astype(np.float64),
            far=_far_nodes(overlay),
        )

    def check_class(
        self, vehicle: VehicleClass, base: AttainableSpeeds, earlier: Sequence[Entry]
    ) -> tuple[list[EntryCheck], list[ElementCheck], dict[int, Hit], list[Reach]]:
        """Judge the plan for one class against its entries before it."""
        network = self.overlay.network
        moves = transitions_of(base, network)
        self._paths(earlier)
        may = frozenset(j for j, judge in self.judges.items() if judge.blocker(vehicle) is None)
        stops = may
        while True:
            plan = plan_speeds(self.overlay, base, self.prepared, stops, transitions=moves)
            outside = speeds_outside(plan.speeds, self.length_m, self.sink_edge)
            hits = element_hits(self.overlay, plan, outside, self.sink_edge, self.veers, self.sights)
            self._unmeasured(hits, stops, earlier)
            failing = frozenset(
                j for j in stops if j in hits and not self.judges[j].holds(vehicle, hits[j].speed_ms * 3.6)
            )
            if not failing:
                break
            stops -= failing
        blocked = shapely.union_all([self.zones[j].area for j in sorted(stops)]) if stops else None
        after = space_approaches(network, self.crossings, plan.speeds, blocked=blocked).entries
        self._paths([*earlier, *after])
        reaches = self._veers_checked(after, outside, stops)
        if reaches and (stops or self.overlay.closed_segments):
            reaches = self._behind_lines(reaches, base, plan.speeds, stops)
        entry_checks = self._judge(vehicle, earlier, reaches, hits, stops)
        opens = [r for r in reaches if not r.behind]
        return entry_checks, self._elements(vehicle, hits, stops, entry_checks), dict(hits), opens

    def _unmeasured(self, hits: dict[int, Hit], stops: frozenset[int], earlier: Sequence[Entry]) -> None:
        """A line no approach was measured onto, but that stands on an entry's path: the speed there.

        Speeds before the plan are no lower than with it, so this never lets a line pass for a
        rating its impact exceeds.
        """
        for j in stops:
            if j in hits:
                continue
            for entry in earlier:
                path = self._path(entry)
                if path is None or not entry.speed_profile or not self.zones[j].area.intersects(path):
                    continue
                meet = shapely.intersection(path, self.zones[j].area)
                at = (
                    path.project(Point(shapely.get_coordinates(meet)[0]))
                    if not meet.is_empty
                    else path.length
                )
                distance, speed = zip(*entry.speed_profile, strict=True)
                kmh = float(np.interp(at, distance, speed))
                if kmh / 3.6 > STANDSTILL_MS and (j not in hits or kmh / 3.6 > hits[j].speed_ms):
                    point = path.interpolate(at)
                    hits[j] = Hit(kmh / 3.6, float(point.x), float(point.y))

    def _veers_checked(
        self, after: Sequence[Entry], outside: AttainableSpeeds, stops: frozenset[int]
    ) -> list[Reach]:
        """The entries found, with veers off a way that a line blocks moved past it (or dropped)."""
        network = self.overlay.network
        veers = self.veers
        open_veer = np.ones(veers.segment.shape[0], dtype=bool)
        for j in stops:
            open_veer &= ~veers.blocked[j]
        at_q: FloatArray | None = None
        out: list[Reach] = []
        for entry in after:
            path = self._path(entry)
            if entry.via != "along_way" or not stops or path is None or len(path.coords) < 2:
                out.append(Reach(entry, entry.x_m, entry.y_m, entry.impact_speed_kmh, path))
                continue
            leg = LineString(list(path.coords)[-2:])
            if not any(self.zones[j].area.intersects(leg) for j in stops):
                out.append(Reach(entry, entry.x_m, entry.y_m, entry.impact_speed_kmh, path))
                continue
            if at_q is None:
                at_q = np.fmax(*veer_speeds_ms(veers, network, outside))
            if entry.way_id:
                same = network.seg_way_id[veers.segment] == entry.way_id
            else:  # a way with no id (an open surface's crossing): the segment it veers off
                q = Point(leg.coords[0])
                same = veers.segment == nearest_segment(network, float(q.x), float(q.y))[0]
            pick = np.flatnonzero(same & open_veer & np.isfinite(at_q))
            if pick.shape[0] == 0:
                continue
            speed = accelerate_many_ms(outside, at_q[pick], veers.gap_m[pick])
            k = int(np.argmax(speed))
            if speed[k] <= STANDSTILL_MS:
                continue
            i = int(pick[k])
            start = (float(veers.qx[i]), float(veers.qy[i]))
            moved = (
                LineString([*list(path.coords)[:-2], start, (float(veers.px[i]), float(veers.py[i]))])
                if len(path.coords) > 2
                else LineString([start, (float(veers.px[i]), float(veers.py[i]))])
            )
            note = "veering off the way past the end of the line"
            out.append(
                Reach(entry, float(veers.px[i]), float(veers.py[i]), float(speed[k]) * 3.6, moved, note=note)
            )
        return out

    def _paths(self, entries: Sequence[Entry]) -> None:
        """Project the approach paths of many entries at once (one transform, not one per path)."""
        todo = [e for e in entries if len(e.path) >= 2 and self.paths_of.get(id(e), (None,))[0] is not e]
        if not todo:
            return
        lon = np.array([p[0] for e in todo for p in e.path])
        lat = np.array([p[1] for e in todo for p in e.path])
        x, y = projection_for(self.overlay.network.crs).to_xy(lon, lat)
        at = 0
        for e in todo:
            n = len(e.path)
            self.paths_of[id(e)] = (e, LineString(np.column_stack([x[at : at + n], y[at : at + n]])))
            at += n

    def _path(self, entry: Entry) -> LineString | None:
        """The entry's approach path in metres (kept with the entry, so its id stays its own)."""
        kept = self.paths_of.get(id(entry))
        if kept is not None and kept[0] is entry:
            return kept[1]
        path = to_xy(self.overlay.network, LineString(entry.path)) if len(entry.path) >= 2 else None
        self.paths_of[id(entry)] = (entry, path)
        return path

    def _behind_lines(
        self, reaches: list[Reach], base: AttainableSpeeds, after: AttainableSpeeds, stops: frozenset[int]
    ) -> list[Reach]:
        """Mark the entries reached only from between a line or closure and the space.

        That is, from a standstill at a line, or from a part of the network the plan cut off from
        everything farther from the space than its elements (`_plan_check.outside_nodes`).
        """
        network = self.overlay.network
        enters = self.crossings.seg_enters
        cuts = [c for c in self.overlay.node_cuts if c.element in stops and c.acts]
        before, _none = outside_nodes(network, base.usable[0::2] & ~enters, [], self.far)
        now, twins = outside_nodes(network, after.usable[0::2] & ~enters, cuts, self.far)
        n = network.node_count
        at_lines = {c.node for c in cuts}
        if not at_lines and not (before[:n] & ~now[:n]).any():
            return reaches  # nothing newly cut off
        sides = {c.node: c.side for c in cuts}
        out: list[Reach] = []
        for reach in reaches:
            if reach.path_xy is None or len(reach.path_xy.coords) < 2:
                out.append(reach)
                continue
            (sx, sy), (nx, ny) = reach.path_xy.coords[0], reach.path_xy.coords[1]
            d = np.hypot(network.node_x - sx, network.node_y - sy)
            node = int(np.argmin(d))
            where = node
            if node in twins and _first_side(network, node, (nx, ny), sides[node]) > 0:
                where = twins[node]  # set off on the line's + side of the node
            # behind: on a side of a line, or a part of the network, that the plan cut off from
            # the far network (a node of a line may have had no way to it but through the space)
            behind = (
                float(d[node]) <= 0.05 and not bool(now[where]) and (node in at_lines or bool(before[node]))
            )
            out.append(dataclasses.replace(reach, behind=True) if behind else reach)
        return out

    def _judge(
        self,
        vehicle: VehicleClass,
        earlier: Sequence[Entry],
        reaches: list[Reach],
        hits: Mapping[int, Hit],
        stops: frozenset[int],
    ) -> list[EntryCheck]:
        matched: dict[int, int] = {}
        for i, reach in enumerate(reaches):
            k = _match(reach, earlier)
            if k is not None:
                matched[i] = k
        checks = [
            self._open(vehicle, reach, earlier[matched[i]] if i in matched else None, hits)
            for i, reach in enumerate(reaches)
        ]
        used = set(matched.values())
        checks += [
            self._gone(vehicle, entry, hits, stops) for k, entry in enumerate(earlier) if k not in used
        ]
        return checks

    def _open(
        self, vehicle: VehicleClass, reach: Reach, earlier: Entry | None, hits: Mapping[int, Hit]
    ) -> EntryCheck:
        entry = reach.entry
        after = required_rating(vehicle, reach.speed_kmh)
        on_path = self._lines_on(reach.path_xy)
        why = [self._why_not(vehicle, j, hits) for j in on_path]
        if reach.behind:
            status, reason = "behind_line", "behind_line"
            text = (
                f"{vehicle.code} reaches the space at {_place(entry)} at {reach.speed_kmh:.0f} km/h only "
                "from a standstill between the plan's lines and the space: keep that stretch free of vehicles"
            )
        else:
            status = "open" if earlier is not None else "new"
            reason = (
                why[0][0]
                if why
                else (
                    "reduced"
                    if earlier is not None and reach.speed_kmh < earlier.impact_speed_kmh - 0.05
                    else "no_element"
                )
            )
            where = f" ({reach.note})" if reach.note else ""
            detail = "; ".join(w[1] for w in why) if why else "no element of the plan stands on its path"
            text = (
                f"{vehicle.code} still enters at {_place(entry)}{where} at {reach.speed_kmh:.0f} km/h "
                f"(needs {after.rating}): {detail}"
            )
        element = on_path[0] if on_path else None
        hit = hits[element].speed_ms * 3.6 if element is not None and element in hits else None
        lon, lat = lonlat_of(self.overlay.network, reach.x_m, reach.y_m)
        return EntryCheck(
            vehicle=vehicle.code,
            status=status,
            lon=lon,
            lat=lat,
            via=entry.via,
            way_id=entry.way_id,
            name=entry.name,
            impact_speed_before_kmh=earlier.impact_speed_kmh if earlier is not None else None,
            required_rating_before=earlier.required_rating if earlier is not None else None,
            impact_speed_after_kmh=reach.speed_kmh,
            required_rating_after=after.rating,
            element=element,
            hit_speed_kmh=hit,
            element_rating=self.judges[element].rating_text() if element is not None else None,
            rating_covers=self.judges[element].holds(vehicle, hit)
            if element is not None and hit is not None
            else None,
            reason=reason,
            message=text,
        )

    def _gone(
        self, vehicle: VehicleClass, entry: Entry, hits: Mapping[int, Hit], stops: frozenset[int]
    ) -> EntryCheck:
        """An entry before the plan the rerun no longer finds: what stops or removed it."""
        path = self._path(entry)
        on_path = [j for j in self._lines_on(path) if j in stops]
        place = f"{vehicle.code} at {_place(entry)}"
        fields: dict[str, Any] = {
            "vehicle": vehicle.code,
            "lon": entry.lon,
            "lat": entry.lat,
            "via": entry.via,
            "way_id": entry.way_id,
            "name": entry.name,
            "impact_speed_before_kmh": entry.impact_speed_kmh,
            "required_rating_before": entry.required_rating,
            "impact_speed_after_kmh": None,
            "required_rating_after": None,
            "hit_speed_kmh": None,
            "element_rating": None,
            "rating_covers": None,
        }
        if on_path:
            j = on_path[0]
            hit = hits[j].speed_ms * 3.6 if j in hits else None
            rating = self.judges[j].rating_text()
            speed = (
                f"hit at {hit:.0f} km/h (needs {required_rating(vehicle, hit).rating})"
                if hit is not None
                else "which no approach reaches at speed"
            )
            text = f"{place} is stopped by {_label(self.elements, j)}, rated {rating}, {speed}"
            fields.update(hit_speed_kmh=hit, element_rating=rating, rating_covers=True)
            return EntryCheck(**fields, status="stopped", element=j, reason="stopped", message=text)
        closure = self._closure_on(path)
        if closure is not None:
            text = f"{place}: its way is closed by {_label(self.elements, closure)}"
            return EntryCheck(**fields, status="removed", element=closure, reason="removed", message=text)
        text = f"{place} is no longer reached with the plan in place"
        return EntryCheck(**fields, status="unreached", element=None, reason="unreached", message=text)

    def _lines_on(self, path: LineString | None) -> list[int]:
        """The barrier lines a path meets, the one nearest its end first."""
        if path is None:
            return []
        found: list[tuple[float, int]] = []
        for j, zone in self.zones.items():
            if zone.area.intersects(path):
                meet = shapely.intersection(path, zone.line)
                if meet.is_empty:  # grazes the line within the drawing tolerance
                    meet = shapely.intersection(path, zone.area)
                found.append((path.project(meet.centroid) if not meet.is_empty else 0.0, j))
        return [j for _at, j in sorted(found, reverse=True)]

    def _closure_on(self, path: LineString | None) -> int | None:
        if path is None:
            return None
        network = self.overlay.network
        for j, segments in self.overlay.closed_segments.items():
            for s in segments.tolist():
                a, b = int(network.seg_u[s]), int(network.seg_v[s])
                seg = LineString(
                    [(network.node_x[a], network.node_y[a]), (network.node_x[b], network.node_y[b])]
                )
                if seg.length > 0 and shapely.intersection(path, seg.buffer(0.05)).length >= min(
                    1.0, 0.5 * seg.length
                ):
                    return j
        return None

    def _why_not(self, vehicle: VehicleClass, j: int, hits: Mapping[int, Hit]) -> tuple[str, str]:
        judge = self.judges[j]
        label = _label(self.elements, j)
        blocker = judge.blocker(vehicle)
        if blocker is not None:
            return blocker[0], f"{label} does not stop it: {blocker[1]}"
        if j in hits:
            hit = hits[j].speed_ms * 3.6
            needed = required_rating(vehicle, hit).rating
            if not judge.holds(vehicle, hit):
                return (
                    "rating_too_low",
                    f"{label}, rated {judge.rating_text()}, is hit at {hit:.0f} km/h and needs {needed}",
                )
        crossings: list[LineCut | NodeCut] = [c for c in self.overlay.cuts if c.element == j]
        crossings += [c for c in self.overlay.node_cuts if c.element == j]
        if crossings and all(c.inside for c in crossings):
            return "inside_space", f"{label} stands inside the space: the vehicle is in before it reaches it"
        if crossings and not any(c.acts for c in crossings):
            return (
                "too_short",
                f"{label} does not reach across the way it crosses: a vehicle passes beside it",
            )
        return "around", f"the vehicle goes round {label}"

    def _elements(
        self,
        vehicle: VehicleClass,
        hits: Mapping[int, Hit],
        stops: frozenset[int],
        entries: Sequence[EntryCheck],
    ) -> list[ElementCheck]:
        out: list[ElementCheck] = []
        for j, element in enumerate(self.elements):
            label = _label(self.elements, j)
            count = sum(1 for e in entries if e.element == j and e.status in ("stopped", "removed"))
            base: dict[str, Any] = {
                "element": j,
                "kind": element.kind,
                "label": element.label,
                "vehicle": vehicle.code,
                "entries_stopped": count,
            }
            if j in self.overlay.unplaced:
                out.append(
                    ElementCheck(
                        **base,
                        stops=False,
                        reason="not_on_a_way",
                        message=f"{label}: {self.overlay.unplaced[j]}",
                    )
                )
            elif isinstance(element, SpeedReduction):
                nodes = len(self.overlay.cap_nodes.get(j, ()))
                out.append(
                    ElementCheck(
                        **base,
                        stops=False,
                        reason="caps",
                        message=f"{label} caps {nodes} point(s) of the network at {element.cap_kmh:.0f} km/h",
                    )
                )
            elif isinstance(element, Closure):
                what = (
                    "one turn"
                    if j in self.overlay.closed_turns
                    else f"{self.overlay.closed_segments[j].shape[0]} segment(s)"
                )
                out.append(
                    ElementCheck(
                        **base,
                        stops=False,
                        reason="closes",
                        message=f"{label} closes {what} to every vehicle",
                    )
                )
            else:
                out.append(self._line_check(vehicle, j, hits, stops, base))
        return out

    def _line_check(
        self,
        vehicle: VehicleClass,
        j: int,
        hits: Mapping[int, Hit],
        stops: frozenset[int],
        base: dict[str, Any],
    ) -> ElementCheck:
        judge = self.judges[j]
        label = _label(self.elements, j)
        hit = hits[j].speed_ms * 3.6 if j in hits else None
        needed = required_rating(vehicle, hit).rating if hit is not None else None
        figures: dict[str, Any] = {
            "hit_speed_kmh": hit,
            "required_rating": needed,
            "rating": judge.rating_text(),
        }
        if j in stops:
            if hit is None:
                return ElementCheck(
                    **base,
                    **figures,
                    stops=True,
                    reason="not_reached",
                    message=f"{label}: no approach of {vehicle.code} reaches it",
                )
            return ElementCheck(
                **base,
                **figures,
                stops=True,
                reason="stops",
                message=(
                    f"{label} stops {vehicle.code}: hit at {hit:.0f} km/h, needs {needed}, "
                    f"rated {judge.rating_text()}"
                ),
            )
        code, text = self._why_not(vehicle, j, hits)  # a blocker, or a rating its impact exceeds
        return ElementCheck(**base, **figures, stops=False, reason=code, message=text)


def _first_side(
    network: StreetNetwork, node: int, toward: tuple[float, float], side: Mapping[int, int]
) -> int:
    """The side of the line of the segment a path leaves `node` by (the one heading to `toward`)."""
    best: tuple[float, int] = (math.inf, 0)
    x0, y0 = float(network.node_x[node]), float(network.node_y[node])
    for s, s_side in side.items():
        other = int(network.seg_v[s] if int(network.seg_u[s]) == node else network.seg_u[s])
        ox, oy = float(network.node_x[other]) - x0, float(network.node_y[other]) - y0
        tx, ty = toward[0] - x0, toward[1] - y0
        norm = max(math.hypot(ox, oy) * math.hypot(tx, ty), 1e-12)
        misalignment = 1.0 - (ox * tx + oy * ty) / norm
        if misalignment < best[0]:
            best = (misalignment, s_side)
    return best[1]


def _match(reach: Reach, earlier: Sequence[Entry]) -> int | None:
    """The entry before the plan that an entry after it is (nearest within `MATCH_DISTANCE_M`)."""
    best: tuple[float, int] | None = None
    for k, entry in enumerate(earlier):
        d = math.hypot(reach.x_m - entry.x_m, reach.y_m - entry.y_m)
        if d <= MATCH_DISTANCE_M and (best is None or d < best[0]):
            best = (d, k)
    if best is None and reach.entry.via == "along_way" and reach.entry.way_id:
        for k, entry in enumerate(earlier):
            if entry.via == "along_way" and entry.way_id == reach.entry.way_id:
                d = math.hypot(reach.x_m - entry.x_m, reach.y_m - entry.y_m)
                if best is None or d < best[0]:
                    best = (d, k)
    return best[1] if best is not None else None


def _far_nodes(overlay: Overlay) -> npt.NDArray[np.bool_]:
    """The nodes farther from the space than every element: surely outside anything the plan encloses."""
    network = overlay.network
    area = overlay.area_xy
    reach = 0.0
    for geometry in [*overlay.lines_xy.values()]:
        coords = shapely.get_coordinates(geometry)
        reach = max(reach, float(shapely.distance(area, shapely.points(coords)).max()))
    for segments in overlay.closed_segments.values():
        for s in segments.tolist():
            for n in (int(network.seg_u[s]), int(network.seg_v[s])):
                reach = max(reach, float(area.distance(Point(network.node_x[n], network.node_y[n]))))
    reach += 1.0
    x, y = network.node_x, network.node_y
    x0, y0, x1, y1 = area.bounds
    far = np.ones(network.node_count, dtype=bool)
    near = np.flatnonzero((x >= x0 - reach) & (x <= x1 + reach) & (y >= y0 - reach) & (y <= y1 + reach))
    if near.shape[0]:
        far[near] = shapely.distance(shapely.points(x[near], y[near]), area) > reach
    return far


def _label(elements: Sequence[PlanElement], j: int) -> str:
    element = elements[j]
    name = f" '{element.label}'" if element.label else ""
    return f"element {j}{name} ({element.kind})"


def _place(entry: Entry) -> str:
    where = entry.name or (f"way {entry.way_id}" if entry.way_id else "an open surface")
    return f"{entry.via} entry by {where} ({entry.lat:.6f}, {entry.lon:.6f})"


def lonlat_of(network: StreetNetwork, x_m: float, y_m: float) -> tuple[float, float]:
    """A point of the network's metric CRS in lon/lat."""
    lon, lat = projection_for(network.crs).to_lonlat([x_m], [y_m])
    return float(lon[0]), float(lat[0])
