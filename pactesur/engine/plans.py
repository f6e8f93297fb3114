"""Barrier plans for a space: lines proposed from its entries, and drawn plans checked by a rerun.

`propose_plan` turns an analysis of a space into barrier lines, one per opening of the space's
edge that a vehicle reaches (across a way that crosses it, along the stretch of outline beside
a way running along it, along the stretch of outline on an open surface), each with the rating
every class needs there, the elements for clear gaps of at most `MAX_CLEAR_GAP_M`, an emergency
opening for the ways an emergency vehicle drives, and two alternatives: a speed reduction before
the line (a lower rating) and closing the street (the entries that removes).

`check_plan` adds drawn elements to a copy of the network around the space (`_plan_overlay.py`),
runs the space's analysis again with them and says, entry by entry and class by class, whether an
element rated for the speed at which the class now hits it stops it, and why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence

from shapely.geometry.base import BaseGeometry

from pactesur.engine._plan_judge import (
    Reach,
    lonlat_of,
    run_check,
)
from pactesur.engine._plan_proposal import (
    BOLLARD_WIDTH_M,
    EMERGENCY_OPENING_M,
    SPEED_REDUCTION_CAPS_KMH,
    SPEED_REDUCTION_STANDOFF_M,
    Draft,
    LineFigures,
    Proposer,
    design_rating,
    to_lonlat,
)
from pactesur.engine._plan_types import (
    MAX_CLEAR_GAP_M,
    BarrierLine,
    BarrierPlan,
    Closure,
    ClosureOption,
    ElementCheck,
    EntryCheck,
    PlanCheck,
    PlanElement,
    PlanError,
    ProposedLine,
    Rating,
    RequiredAt,
    SpeedReduction,
    SpeedReductionOption,
    element_from_json,
    elements_for_clear_gaps,
    elements_in_opening,
    parse_rating,
    rating_covers,
)
from pactesur.engine._region import region_network, region_radius_m
from pactesur.engine.crossings import (
    project_area,
)
from pactesur.engine.entries import Entry
from pactesur.engine.network import StreetNetwork
from pactesur.engine.vda import VdaResult, analyse_area
from pactesur.engine.vehicles import vehicles_by_codes

Progress = Callable[[str], None]


def propose_plan(
    network: StreetNetwork,
    area_lonlat: BaseGeometry,
    result: VdaResult | None = None,
    *,
    vehicle_codes: Iterable[str] | None = None,
    element_width_m: float = BOLLARD_WIDTH_M,
    gap_m: float = MAX_CLEAR_GAP_M,
    opening_m: float = EMERGENCY_OPENING_M,
    caps_kmh: Sequence[float] = SPEED_REDUCTION_CAPS_KMH,
    standoff_m: float = SPEED_REDUCTION_STANDOFF_M,
    verify: bool = True,
) -> BarrierPlan:
    """Propose barrier lines that close every entry of a space, with their ratings and alternatives.

    Entries by a way that crosses the outline get a line across the way at the crossing,
    perpendicular to it, as wide as the way (its corridor over mapped sidewalks where wider).
    Entries by veering off a way along the space get the stretch of outline within the way's reach
    (half its width plus `crossings.ALONG_MARGIN_M`), and entries across an open surface the
    stretch of outline on it; stretches that meet become one line, and a way crossing inside such
    a stretch is closed by it. Each line needs, for each class, the rating for the fastest of its
    entries (`ratings.required_rating`); its design rating covers them all.

    Parameters
    ----------
    network
        The city's street network.
    area_lonlat
        The space, a Polygon or MultiPolygon in lon/lat.
    result
        The space's analysis (`vda.analyse_area`); computed here when None.
    vehicle_codes
        The classes the plan is for; every class of `result` when None.
    element_width_m
        Width of one element (bollard), to count them.
    gap_m
        Clear gap between elements.
    opening_m
        Emergency opening in lines across the ways emergency vehicles drive (the way's width
        where narrower), closed by removable or retractable elements.
    caps_kmh
        Speeds of the speed-reduction alternatives.
    standoff_m
        How far before the line a speed reduction stands at most (nearer where a junction is).
    verify
        Check the lines with `check_plan`'s rerun: each line then needs the rating for the
        fastest impact of each class on it with all lines in place (not only at the entries the
        analysis kept), entries the lines leave open get lines too, and lines no class reaches
        are dropped. Without it, the ratings are those of the entries alone.
    """
    codes = tuple(vehicle_codes) if vehicle_codes is not None else None
    if result is None:
        result = analyse_area(network, area_lonlat, vehicle_codes=codes)
    vehicles = codes if codes is not None else tuple(v.code for v in result.vehicles)
    entries = [e for e in result.entries if e.vehicle in vehicles]
    area_xy = project_area(network, area_lonlat)
    # the part of the network that decides the entries: what the lines and alternatives stand on
    region = region_network(network, area_xy, region_radius_m(vehicles_by_codes(vehicles)))
    builder = Proposer(region, area_xy, opening_m)
    drafts = builder.lines(entries)
    unclosed: list[Entry] = []
    if verify and drafts:
        drafts, unclosed = _verified(region, area_lonlat, builder, entries, drafts, result, vehicles)
    options = LineFigures(region, caps_kmh, standoff_m, element_width_m, gap_m)
    lines = tuple(options.complete(draft) for draft in drafts)
    return BarrierPlan(
        vehicles=vehicles, lines=lines, unclosed=tuple((e.vehicle, e.lon, e.lat) for e in unclosed)
    )


# A rating no impact reaches: proposed lines are first checked with it, to measure how hard each
# class hits each of them with all of them in place.
_PROBE_RATING = "V/1000000[PROBE]/1000/90"
# Rounds of checking a proposal and adding lines for the entries it left open.
VERIFY_ROUNDS: int = 3


def _verified(  # noqa: PLR0917 (the proposal's state, passed on)
    network: StreetNetwork,
    area_lonlat: BaseGeometry,
    builder: Proposer,
    entries: list[Entry],
    drafts: list[Draft],
    result: VdaResult,
    vehicles: tuple[str, ...],
) -> tuple[list[Draft], list[Entry]]:
    """Check the lines with the rerun: how hard each class hits each, and the entries still open.

    Entries left open (a slower approach the analysis's merging hid behind a faster one, a veer
    past a line's end, a route round a line) get lines of their own, and the plan is checked
    again, up to `VERIFY_ROUNDS` times. Lines that no class reaches and that stop no entry are
    dropped. `network` is the region round the space (its own region).
    """
    classes = vehicles_by_codes(vehicles)
    known = list(entries)
    left: list[Entry] = []
    for round_index in range(VERIFY_ROUNDS + 1):
        probe = [BarrierLine(to_lonlat(network, d.line_xy), rating=_PROBE_RATING) for d in drafts]
        run = run_check(network, area_lonlat, probe, classes, result, _quiet)
        for j, draft in enumerate(drafts):
            draft.hits = {code: hits[j].speed_ms * 3.6 for code, hits in run.hits.items() if j in hits}
        left = [_moved(network, reach) for reaches in run.opens.values() for reach in reaches]
        if not left or round_index == VERIFY_ROUNDS:
            break
        known += left
        drafts = builder.lines(known)
    stopping = {e.element for e in run.check.entries if e.status == "stopped"}
    return [d for j, d in enumerate(drafts) if d.hits or j in stopping], left


def _moved(network: StreetNetwork, reach: Reach) -> Entry:
    """The entry where the rerun found it (a veer moved past a line's end), at its speed there."""
    if reach.x_m == reach.entry.x_m and reach.y_m == reach.entry.y_m:
        return reach.entry
    lon, lat = lonlat_of(network, reach.x_m, reach.y_m)
    return dataclasses.replace(
        reach.entry, x_m=reach.x_m, y_m=reach.y_m, lon=lon, lat=lat, impact_speed_kmh=reach.speed_kmh
    )


def _quiet(_message: str) -> None:
    return None


def check_plan(
    network: StreetNetwork,
    area_lonlat: BaseGeometry,
    elements: Sequence[PlanElement],
    vehicles: Iterable[str] | None = None,
    *,
    before: VdaResult | None = None,
    progress: Progress = _quiet,
) -> PlanCheck:
    """Add drawn elements to the network around a space, analyse it again and judge the plan.

    The network itself is never written: the elements go into a copy of the region that decides
    the speeds at the space (`_plan_overlay.py`). For each class, a barrier line may stop it only
    when rated (`parse_rating`), with clear gaps of at most `MAX_CLEAR_GAP_M`, its emergency
    opening (if any) closed by a rated element, and a test mass at least the class's; it then
    stops it where its rating covers the speed at which the class now hits it, with the rest of
    the plan in place. Lines that fail are opened again for that class, and the hits measured
    again, until every line left holds. The space is then analysed with those lines closed:
    every entry still found is open, wherever it comes from (a vehicle rerouting round a closure,
    round a line's end, across a square round a line). Entries of the analysis before the plan
    that are no longer found are stopped by the line on their old path, or removed by a closure.

    Parameters
    ----------
    network
        The city's street network (never written).
    area_lonlat
        The space, a Polygon or MultiPolygon in lon/lat.
    elements
        The drawn elements, in lon/lat; results name them by their index.
    vehicles
        Codes of the classes the plan claims to cover; every class when None.
    before
        The space's analysis without the plan (`vda.analyse_area`), to compare with; the
        envelope entries are computed here when None.
    progress
        Called with a short message before each step.

    Returns
    -------
    The judgement: `accepted` is True only when no entry of any of these classes is left open.

    Raises
    ------
    AreaError
        When the area is invalid or does not touch the network.
    PlanError
        When an element cannot be read.
    """
    classes = vehicles_by_codes(tuple(vehicles) if vehicles is not None else None)
    return run_check(network, area_lonlat, elements, classes, before, progress).check


__all__ = [
    "BOLLARD_WIDTH_M",
    "EMERGENCY_OPENING_M",
    "MAX_CLEAR_GAP_M",
    "BarrierLine",
    "BarrierPlan",
    "Closure",
    "ClosureOption",
    "ElementCheck",
    "EntryCheck",
    "PlanCheck",
    "PlanElement",
    "PlanError",
    "ProposedLine",
    "Rating",
    "RequiredAt",
    "SpeedReduction",
    "SpeedReductionOption",
    "check_plan",
    "design_rating",
    "element_from_json",
    "elements_for_clear_gaps",
    "elements_in_opening",
    "parse_rating",
    "propose_plan",
    "rating_covers",
]
