"""A barrier plan's records: ratings, drawn elements, proposed lines and the judgement of a check."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import shapely
from shapely.geometry import LineString, Point, mapping, shape
from shapely.geometry.base import BaseGeometry

from pactesur.engine import ratings as _ratings
from pactesur.engine.errors import EngineError
from pactesur.engine.ratings import UNRATED, RatingError

# Widest clear gap between the elements of a line that stops vehicles (issue 11's rule, common
# hostile vehicle mitigation practice (unverified against ISO 22343-2); hostile-vehicles.md §5:
# an opening under 1.50 m passes no car, so 1.2 m keeps a margin).
MAX_CLEAR_GAP_M: float = 1.2


class PlanError(EngineError, ValueError):
    """A plan element cannot be read: a bad geometry, rating or figure."""


# ---------------------------------------------------------------------------------------------
# Ratings (`pactesur.engine.ratings` reads them; the plans' API names them from here)

Rating = _ratings.Rating
rating_covers = _ratings.rating_covers


class PlanRatingError(PlanError, RatingError):
    """A plan element's rating that cannot be read: a `PlanError` and a `RatingError`."""


def parse_rating(text: str | None) -> Rating | None:
    """Return the rating a string names, or None for an unrated element (`ratings.parse_rating`).

    Raises
    ------
    PlanRatingError
        When the string is neither unrated nor a rating the engine reads.
    """
    try:
        return _ratings.parse_rating(text)
    except RatingError as exc:
        raise PlanRatingError(str(exc)) from exc


# ---------------------------------------------------------------------------------------------
# Drawn elements


def _geometry_json(geometry: BaseGeometry) -> dict[str, Any]:
    return dict(mapping(geometry))


@dataclass(frozen=True)
class BarrierLine:
    """A line of barrier elements drawn across ways or along the space (lon/lat, WGS 84).

    `rating` is the elements' test rating (`parse_rating`) or "unrated" (planters, blocks,
    benches: never counted as stopping); `gap_m` the clear gap between them. An emergency opening
    of `opening_m` wider than `gap_m` stops a vehicle only when closed by an element with its own
    `opening_rating` (hostile-vehicles.md §9: every emergency gap is open unless a rated barrier
    closes it).
    """

    line_lonlat: LineString
    rating: str = UNRATED
    gap_m: float = MAX_CLEAR_GAP_M
    opening_m: float = 0.0
    opening_rating: str = UNRATED
    label: str = ""
    kind: ClassVar[str] = "barrier_line"

    def __post_init__(self) -> None:
        if not isinstance(self.line_lonlat, LineString) or len(self.line_lonlat.coords) < 2:
            msg = "a barrier line needs a LineString of at least two lon/lat points"
            raise PlanError(msg)
        if not (self.gap_m >= 0.0 and self.opening_m >= 0.0):
            msg = f"a barrier line's gap and opening are widths in metres, not {self.gap_m}, {self.opening_m}"
            raise PlanError(msg)
        parse_rating(self.rating)
        parse_rating(self.opening_rating)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "geometry": _geometry_json(self.line_lonlat),
            "rating": self.rating,
            "gap_m": self.gap_m,
            "opening_m": self.opening_m,
            "opening_rating": self.opening_rating,
            "label": self.label,
        }


@dataclass(frozen=True)
class SpeedReduction:
    """A chicane, narrowing or raised table on a way: no vehicle passes it faster than `cap_kmh`.

    A Point on a way, or a short LineString across one (where it crosses the ways) or along one
    (at its two ends).
    """

    geometry_lonlat: Point | LineString
    cap_kmh: float
    label: str = ""
    kind: ClassVar[str] = "speed_reduction"

    def __post_init__(self) -> None:
        if not isinstance(self.geometry_lonlat, Point | LineString):
            msg = "a speed reduction is a Point or a LineString on a way"
            raise PlanError(msg)
        if not self.cap_kmh > 0.0:
            msg = f"a speed reduction's cap is a speed in km/h above 0, not {self.cap_kmh}"
            raise PlanError(msg)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "geometry": _geometry_json(self.geometry_lonlat),
            "cap_kmh": self.cap_kmh,
            "label": self.label,
        }


@dataclass(frozen=True)
class Closure:
    """A way closed to vehicles, or one turn.

    A street: a LineString along the stretch to close (every segment it runs along) or a Point
    on it (the segment there), of way `way_id` only when given. A turn: a Point at the junction,
    `way_id` the way the vehicle comes from and `to_way_id` the way it may no longer turn into
    (add the reverse turn as another closure to close a corner both ways).
    """

    geometry_lonlat: Point | LineString
    way_id: int | None = None
    to_way_id: int | None = None
    label: str = ""
    kind: ClassVar[str] = "closure"

    def __post_init__(self) -> None:
        if not isinstance(self.geometry_lonlat, Point | LineString):
            msg = "a closure is a Point or a LineString on a way"
            raise PlanError(msg)
        if self.to_way_id is not None and (
            self.way_id is None or not isinstance(self.geometry_lonlat, Point)
        ):
            msg = "a turn closure needs a Point at the junction, the way it comes from and the one it enters"
            raise PlanError(msg)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "geometry": _geometry_json(self.geometry_lonlat),
            "way_id": self.way_id,
            "to_way_id": self.to_way_id,
            "label": self.label,
        }


PlanElement = BarrierLine | SpeedReduction | Closure


def element_from_json(obj: Mapping[str, Any]) -> PlanElement:
    """Return the element an `as_json` object describes (geometry as GeoJSON, lon/lat).

    Raises
    ------
    PlanError
        When the kind, geometry or a figure is wrong.
    """
    try:
        geometry = shape(obj["geometry"])
        kind = obj["kind"]
        label = str(obj.get("label") or "")
        if kind == BarrierLine.kind:
            return BarrierLine(
                geometry,
                rating=str(obj.get("rating") or UNRATED),
                gap_m=float(obj.get("gap_m", MAX_CLEAR_GAP_M)),
                opening_m=float(obj.get("opening_m") or 0.0),
                opening_rating=str(obj.get("opening_rating") or UNRATED),
                label=label,
            )
        if kind == SpeedReduction.kind:
            return SpeedReduction(geometry, cap_kmh=float(obj["cap_kmh"]), label=label)
        if kind == Closure.kind:
            way = obj.get("way_id")
            to_way = obj.get("to_way_id")
            return Closure(
                geometry,
                way_id=int(way) if way is not None else None,
                to_way_id=int(to_way) if to_way is not None else None,
                label=label,
            )
    except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException) as exc:
        if isinstance(exc, PlanError):
            raise
        msg = (
            f"the plan element cannot be read ({exc!r}): give its kind, a GeoJSON geometry in lon/lat "
            "and its figures (rating, gap_m, cap_kmh, way_id…)"
        )
        raise PlanError(msg) from exc
    msg = f"unknown plan element kind {obj.get('kind')!r}: barrier_line, speed_reduction or closure"
    raise PlanError(msg)


def elements_for_clear_gaps(width_m: float, element_width_m: float, *, gap_m: float = MAX_CLEAR_GAP_M) -> int:
    """Return how many elements close a width with clear gaps of at most `gap_m` between them.

    Elements stand at both ends of the width, so n of them leave n − 1 gaps:
    n = ⌈(width + gap) / (element + gap)⌉, at least one.
    """
    if element_width_m <= 0.0 or gap_m < 0.0:
        msg = "an element's width must be above 0 and the gap at least 0"
        raise PlanError(msg)
    return max(1, math.ceil((max(width_m, 0.0) + gap_m) / (element_width_m + gap_m) - 1e-9))


def elements_in_opening(opening_m: float, element_width_m: float, *, gap_m: float = MAX_CLEAR_GAP_M) -> int:
    """Return how many removable elements close an opening between two fixed ones (gaps ≤ `gap_m`)."""
    if opening_m <= gap_m:
        return 0
    return math.ceil((opening_m - gap_m) / (element_width_m + gap_m) - 1e-9)


# ---------------------------------------------------------------------------------------------
# Proposal


@dataclass(frozen=True)
class RequiredAt:
    """The rating one class needs at a line: its fastest impact there."""

    vehicle: str
    impact_speed_kmh: float
    rating: str
    test_speed_kmh: int
    beyond_rating: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "vehicle": self.vehicle,
            "impact_speed_kmh": round(self.impact_speed_kmh, 1),
            "rating": self.rating,
            "test_speed_kmh": self.test_speed_kmh,
            "beyond_rating": self.beyond_rating,
        }


@dataclass(frozen=True)
class SpeedReductionOption:
    """Speed-reduction elements before a line (one per approach) and the rating the line then needs.

    The speeds are estimates along the approaches the analysis found, with each element after the
    last junction before the line (so every approach by that way passes it); `check_plan` with
    the elements drawn gives the real figures.
    """

    cap_kmh: float
    points_lonlat: tuple[tuple[float, float], ...]
    way_ids: tuple[int, ...]
    distances_m: tuple[float, ...]  # from each element to the line, along the approach
    required: tuple[RequiredAt, ...]
    design_rating: str
    beyond_rating: bool
    lowers_rating: bool  # the design rating's test speed is lower than without the elements

    @property
    def elements(self) -> int:
        return len(self.points_lonlat)

    def as_json(self) -> dict[str, Any]:
        return {
            "cap_kmh": self.cap_kmh,
            "elements": self.elements,
            "points": [[round(a, 7), round(b, 7)] for a, b in self.points_lonlat],
            "way_ids": list(self.way_ids),
            "distances_m": [round(d, 1) for d in self.distances_m],
            "required": [r.as_json() for r in self.required],
            "design_rating": self.design_rating,
            "beyond_rating": self.beyond_rating,
            "lowers_rating": self.lowers_rating,
        }


@dataclass(frozen=True)
class ClosureOption:
    """Closing the street(s) instead of the line: the segments to close and the entries that goes.

    `removes` are the entries (vehicle, lon, lat) at the closed segments; a vehicle may reroute to
    another entry, which only `check_plan` with the closure drawn tells.
    """

    segments_lonlat: tuple[LineString, ...]
    way_ids: tuple[int, ...]
    length_m: float
    width_m: float
    removes: tuple[tuple[str, float, float], ...]

    def as_element(self) -> tuple[Closure, ...]:
        return tuple(
            Closure(line, way_id=w) for line, w in zip(self.segments_lonlat, self.way_ids, strict=True)
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "segments": [_geometry_json(s) for s in self.segments_lonlat],
            "way_ids": list(self.way_ids),
            "length_m": round(self.length_m, 1),
            "width_m": round(self.width_m, 2),
            "removes": [{"vehicle": v, "lon": round(a, 7), "lat": round(b, 7)} for v, a, b in self.removes],
        }


@dataclass(frozen=True)
class ProposedLine:
    """One proposed barrier line with what it takes to build and the alternatives to it.

    `via` is how vehicles reach it: ``way`` (a line across a way at the space's edge),
    ``along_way`` or ``open_area`` (a line along the space's outline beside a way or on an open
    surface). `width_assumed` is True where a way's width is the default of its kind, not mapped.
    `elements` counts every element for clear gaps of at most `gap_m`, of which
    `removable_elements` close the emergency openings; `opening_m` is their total width (one per
    way emergency vehicles drive that the line crosses).
    """

    line_lonlat: LineString
    via: str
    way_ids: tuple[int, ...]
    names: tuple[str, ...]
    length_m: float
    width_assumed: bool
    required: tuple[RequiredAt, ...]
    design_rating: str
    beyond_rating: bool
    element_width_m: float
    gap_m: float
    elements: int
    opening_m: float
    removable_elements: int
    entries: tuple[tuple[str, float, float], ...]  # (vehicle, lon, lat) of the entries it closes
    speed_reductions: tuple[SpeedReductionOption, ...] = ()
    closure: ClosureOption | None = None

    def as_element(self, rating: str | None = None) -> BarrierLine:
        """The line as a drawn element, rated at `rating` (its design rating by default)."""
        chosen = rating if rating is not None else self.design_rating
        return BarrierLine(
            self.line_lonlat,
            rating=chosen,
            gap_m=self.gap_m,
            opening_m=self.opening_m,
            opening_rating=chosen,
            label=f"{self.via} {'/'.join(self.names) or '/'.join(str(w) for w in self.way_ids)}",
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "geometry": _geometry_json(self.line_lonlat),
            "via": self.via,
            "way_ids": list(self.way_ids),
            "names": list(self.names),
            "length_m": round(self.length_m, 2),
            "width_assumed": self.width_assumed,
            "required": [r.as_json() for r in self.required],
            "design_rating": self.design_rating,
            "beyond_rating": self.beyond_rating,
            "element_width_m": self.element_width_m,
            "gap_m": self.gap_m,
            "elements": self.elements,
            "opening_m": round(self.opening_m, 2),
            "removable_elements": self.removable_elements,
            "entries": [{"vehicle": v, "lon": round(a, 7), "lat": round(b, 7)} for v, a, b in self.entries],
            "speed_reductions": [o.as_json() for o in self.speed_reductions],
            "closure": self.closure.as_json() if self.closure is not None else None,
        }


@dataclass(frozen=True)
class BarrierPlan:
    """The proposed lines of a space, for the classes analysed."""

    vehicles: tuple[str, ...]
    lines: tuple[ProposedLine, ...]
    unclosed: tuple[tuple[str, float, float], ...] = ()  # entries (vehicle, lon, lat) no line closes

    def elements(self) -> tuple[BarrierLine, ...]:
        """Every proposed line as a drawn element at its design rating (for `check_plan`)."""
        return tuple(line.as_element() for line in self.lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "vehicles": list(self.vehicles),
            "lines": [line.as_json() for line in self.lines],
            "unclosed": [{"vehicle": v, "lon": round(a, 7), "lat": round(b, 7)} for v, a, b in self.unclosed],
        }


# ---------------------------------------------------------------------------------------------
# Check


@dataclass(frozen=True)
class EntryCheck:
    """One entry of one class, before and after the plan, and why it is or is not stopped.

    `status`: ``stopped`` (an element rated for the speed the class now hits it at stands on its
    way), ``removed`` (a closure took its way), ``unreached`` (the rerun no longer finds it and no
    element stands on its old path: the plan's other changes took its approach), ``open`` (still an
    entry), ``new`` (an entry the plan made: a vehicle rerouting, or going round a line's end), or
    ``behind_line`` (reached only by a vehicle already standing between a line and the space: not
    an approach the plan can stop, reported so the city keeps that stretch free of vehicles).
    `impact_speed_after_kmh` is the speed at the space's edge where the entry is still open;
    `hit_speed_kmh` the speed at which the class hits `element` (the fastest approach to it).
    """

    vehicle: str
    status: str
    lon: float
    lat: float
    via: str
    way_id: int
    name: str | None
    impact_speed_before_kmh: float | None
    required_rating_before: str | None
    impact_speed_after_kmh: float | None
    required_rating_after: str | None
    element: int | None
    hit_speed_kmh: float | None
    element_rating: str | None
    rating_covers: bool | None
    reason: str
    message: str

    @property
    def is_open(self) -> bool:
        return self.status in ("open", "new")

    def as_json(self) -> dict[str, Any]:
        def r(v: float | None) -> float | None:
            return None if v is None else round(v, 1)

        return {
            "vehicle": self.vehicle,
            "status": self.status,
            "lon": round(self.lon, 7),
            "lat": round(self.lat, 7),
            "via": self.via,
            "way_id": self.way_id,
            "name": self.name,
            "impact_speed_before_kmh": r(self.impact_speed_before_kmh),
            "required_rating_before": self.required_rating_before,
            "impact_speed_after_kmh": r(self.impact_speed_after_kmh),
            "required_rating_after": self.required_rating_after,
            "element": self.element,
            "hit_speed_kmh": r(self.hit_speed_kmh),
            "element_rating": self.element_rating,
            "rating_covers": self.rating_covers,
            "reason": self.reason,
            "message": self.message,
        }


@dataclass(frozen=True)
class ElementCheck:
    """What one drawn element does to one class.

    `reason`: for a barrier line ``stops`` (rated for the speed the class hits it at),
    ``not_reached`` (rated, but no approach of the class gets to it), ``unrated``,
    ``gap_too_wide``, ``opening_open``, ``class_too_heavy``, ``rating_too_low``,
    ``inside_space`` (it stands inside the space: vehicles are in before they reach it),
    ``too_short`` (it does not reach across the way it crosses, to within a clear gap of its
    edges), ``around`` (the vehicle goes round its end); ``caps`` for a speed reduction,
    ``closes`` for a closure, ``not_on_a_way`` for an element drawn off the network.
    """

    element: int
    kind: str
    label: str
    vehicle: str
    stops: bool
    reason: str
    message: str
    hit_speed_kmh: float | None = None
    required_rating: str | None = None
    rating: str | None = None
    entries_stopped: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "element": self.element,
            "kind": self.kind,
            "label": self.label,
            "vehicle": self.vehicle,
            "stops": self.stops,
            "reason": self.reason,
            "message": self.message,
            "hit_speed_kmh": None if self.hit_speed_kmh is None else round(self.hit_speed_kmh, 1),
            "required_rating": self.required_rating,
            "rating": self.rating,
            "entries_stopped": self.entries_stopped,
        }


@dataclass(frozen=True)
class PlanCheck:
    """A drawn plan judged for a space: `accepted` when no entry of a class it covers stays open."""

    accepted: bool
    vehicles: tuple[str, ...]
    entries: tuple[EntryCheck, ...]
    elements: tuple[ElementCheck, ...]
    reasons: tuple[str, ...]  # one sentence per entry left open
    timings_s: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "vehicles": list(self.vehicles),
            "entries": [e.as_json() for e in self.entries],
            "elements": [e.as_json() for e in self.elements],
            "reasons": list(self.reasons),
            "timings_s": {k: round(v, 4) for k, v in self.timings_s.items()},
        }
