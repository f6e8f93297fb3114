"""Barrier plans of a space: the engine's proposal, the drawn elements, their cost, the check.

A plan's elements are stored as `pactesur.engine.plans` reads them (`element_from_json`) plus the
catalogue type each is built of (`measure_type`, and `opening_measure_type` for the removable or
retractable elements closing a line's emergency opening). Costs come from the catalogue: where a
plan names no type, the cheapest type of the right kind whose rating is at least the element's is
proposed (and said so). The check reruns the engine on the space with the elements added
(`check_plan`, on the worker's cached network) and is kept with the inputs it was made on: a plan
is accepted only while the network, the engine's parameters, the space's outline, the elements and
the classes are still those of its last check.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pyproj import Geod
from shapely.geometry import LineString, shape

from pactesur.engine import plans as engine_plans
from pactesur.engine.vehicles import VEHICLES_BY_CODE
from pactesur.measures.experience import recorded_costs
from pactesur.measures.library import MeasureKind
from pactesur.measures.models import BarrierPlan, MeasureType, PlanStatus

_GEOD = Geod(ellps="WGS84")

# Kinds a line's fixed elements, its emergency opening, a speed reduction and a closure are built of.
LINE_KINDS = (
    MeasureKind.FIXED_BOLLARD,
    MeasureKind.PLANTER,
    MeasureKind.STREET_FURNITURE,
    MeasureKind.BLOCK,
    MeasureKind.GATE,
    MeasureKind.TEMPORARY_BARRIER,
)
# What a proposal or a cost builds a line of when no type is named: permanent rated elements (a
# temporary system or loose blocks are a person's choice for an event, not a default).
PROPOSED_LINE_KINDS = (
    MeasureKind.FIXED_BOLLARD,
    MeasureKind.PLANTER,
    MeasureKind.STREET_FURNITURE,
    MeasureKind.GATE,
)
OPENING_KINDS = (MeasureKind.REMOVABLE_BOLLARD, MeasureKind.RETRACTABLE_BOLLARD, MeasureKind.GATE)
SPEED_REDUCTION_KINDS = (MeasureKind.ROAD_GEOMETRY,)
CLOSURE_KINDS = (MeasureKind.TRAFFIC_RULE,)
# Width of one element when its type gives none (assumption: a bollard, as the engine counts).
DEFAULT_ELEMENT_M = engine_plans.BOLLARD_WIDTH_M


def kinds_for(kind: str, *, opening: bool = False) -> tuple[str, ...]:
    """The catalogue kinds an element of this engine kind is built of."""
    if kind == engine_plans.BarrierLine.kind:
        return OPENING_KINDS if opening else LINE_KINDS
    if kind == engine_plans.SpeedReduction.kind:
        return SPEED_REDUCTION_KINDS
    return CLOSURE_KINDS


# ------------------------------------------------------------------------------------------------
# Inputs of a check


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def current_inputs(plan: BarrierPlan) -> dict[str, Any] | None:
    """What a check of `plan` made now would be made on; None while the city has no network."""
    from pactesur.analysis.actions import active_network
    from pactesur.analysis.parameters import parameters_hash, polygon_hash

    network = active_network(plan.city_id)
    if network is None:
        return None
    return {
        "network": network.pk,
        "network_version": network.version,
        "params_hash": parameters_hash(),
        "polygon_hash": polygon_hash(plan.space.polygon),
        "elements_hash": _digest([engine_json(e) for e in plan.elements]),
        "vehicles": sorted(plan.vehicles),
    }


def check_is_current(plan: BarrierPlan) -> bool:
    """Whether the plan's last check was made on what it is now (network, engine, outline, plan)."""
    if not plan.judgement or not plan.checked_inputs:
        return False
    return bool(plan.checked_inputs == current_inputs(plan))


def is_accepted_now(plan: BarrierPlan) -> bool:
    """Whether the engine accepts the plan as it is now: its last check accepted it and is current."""
    return bool(plan.judgement.get("accepted")) and check_is_current(plan)


def shown_state(plan: BarrierPlan, *, current: bool | None = None) -> str:
    """One word for lists: approved, accepted, refused, stale (checked on other inputs), unchecked.

    `current`: `check_is_current(plan)` where the caller has it already.
    """
    if not plan.judgement:
        return "unchecked"
    if not (check_is_current(plan) if current is None else current):
        return "stale"
    if not plan.judgement.get("accepted"):
        return "refused"
    return "approved" if plan.status == PlanStatus.APPROVED else "accepted"


# ------------------------------------------------------------------------------------------------
# Elements


def engine_json(element: dict[str, Any]) -> dict[str, Any]:
    """The part of a stored element the engine reads (without the catalogue types)."""
    return {k: v for k, v in element.items() if k not in ("measure_type", "opening_measure_type")}


def read_elements(elements: Sequence[dict[str, Any]]) -> list[engine_plans.PlanElement]:
    """The engine's elements of a stored list. Raises `engine_plans.PlanError` naming the bad one."""
    read = []
    for number, element in enumerate(elements, start=1):
        try:
            read.append(engine_plans.element_from_json(engine_json(element)))
        except engine_plans.PlanError as exc:
            raise engine_plans.PlanError(f"element {number}: {exc}") from exc
    return read


def line_length_m(geometry: dict[str, Any]) -> float:
    """Geodesic length of a GeoJSON line in lon/lat, metres (0 for a point)."""
    geom = shape(geometry)
    if not isinstance(geom, LineString):
        return 0.0
    return float(_GEOD.geometry_length(geom))


# ------------------------------------------------------------------------------------------------
# Cost


def _rating_at_least(type_rating: str, needed: engine_plans.Rating | None) -> bool:
    """A type of this rating may stand where `needed` is asked (heavier and faster test or equal)."""
    if needed is None:
        return True
    try:
        rating = engine_plans.parse_rating(type_rating)
    except engine_plans.PlanError:
        return False
    if rating is None:
        return False
    return rating.mass_kg + 0.5 >= needed.mass_kg and rating.speed_kmh + 0.1 >= needed.speed_kmh


def _rated(text: str | None) -> bool:
    try:
        return engine_plans.parse_rating(text) is not None
    except engine_plans.PlanError:
        return False


def _mid_cost(measure: MeasureType) -> float:
    low, high = measure.unit_cost_bounds() or (0.0, 0.0)
    return (low + high) / 2


def strongest_type(types: Iterable[MeasureType], kinds: Iterable[str]) -> MeasureType | None:
    """The type of these kinds with the highest rating (test speed, then mass), priced or not."""
    wanted = set(kinds)
    rated = []
    for t in types:
        if t.kind not in wanted:
            continue
        try:
            rating = engine_plans.parse_rating(t.rating)
        except engine_plans.PlanError:
            continue
        if rating is not None:
            rated.append((rating.speed_kmh, rating.mass_kg, -_mid_cost(t), t.pk, t))
    return max(rated, key=lambda r: r[:4])[4] if rated else None


def suggested_type(
    types: Iterable[MeasureType], kinds: Iterable[str], rating_text: str | None
) -> MeasureType | None:
    """The cheapest priced type of these kinds whose rating is at least `rating_text` (None: any)."""
    wanted = set(kinds)
    try:
        needed = engine_plans.parse_rating(rating_text)
    except engine_plans.PlanError:
        needed = None
    fitting = [
        t
        for t in types
        if t.kind in wanted
        and (t.cost_min_eur is not None or t.cost_max_eur is not None)
        and (needed is None or _rating_at_least(t.rating, needed))
    ]
    return min(fitting, key=lambda t: (_mid_cost(t), t.pk), default=None)


@dataclass(frozen=True)
class _Part:
    element: int
    role: str  # line, opening, speed_reduction, closure
    measure: MeasureType | None
    suggested: bool
    quantity: float
    basis: dict[str, Any]


def _quantity(measure: MeasureType, element: dict[str, Any], role: str) -> tuple[float, dict[str, Any]]:
    """How many units of `measure` the element needs, and why."""
    unit = measure.cost_unit
    width = float(measure.element_width_m or DEFAULT_ELEMENT_M)
    gap = float(element.get("gap_m") or engine_plans.MAX_CLEAR_GAP_M)
    if role in ("line", "opening"):
        length = line_length_m(element["geometry"])
        opening = float(element.get("opening_m") or 0.0)
        span = opening if role == "opening" else max(length - opening, 0.0)
        if unit == "metre":
            return round(span, 1), {"basis": "metres", "length_m": round(span, 1)}
        if role == "opening":
            count = engine_plans.elements_in_opening(opening, width, gap_m=gap)
        else:
            count = engine_plans.elements_for_clear_gaps(span, width, gap_m=gap)
        return float(count), {
            "basis": "elements",
            "count": count,
            "length_m": round(span, 1),
            "element_m": width,
            "gap_m": gap,
        }
    if unit == "metre":
        length = line_length_m(element["geometry"])
        return round(max(length, 1.0), 1), {"basis": "metres", "length_m": round(max(length, 1.0), 1)}
    return 1.0, {"basis": "one"}


def plan_cost(elements: Sequence[dict[str, Any]], city: Any) -> dict[str, Any]:
    """The elements' cost from the catalogue: a range, the network's median where cities shared
    costs, and the items with the type, quantity and why (a proposed type is said so)."""
    types = list(MeasureType.objects.for_city(city))
    by_id = {t.pk: t for t in types}
    parts: list[_Part] = []
    unpriced: list[dict[str, Any]] = []
    for index, element in enumerate(elements):
        kind = element.get("kind")
        roles = [("line", "measure_type", element.get("rating"))] if kind == "barrier_line" else []
        if kind == "barrier_line" and float(element.get("opening_m") or 0.0) > float(
            element.get("gap_m") or engine_plans.MAX_CLEAR_GAP_M
        ):
            roles.append(("opening", "opening_measure_type", element.get("opening_rating")))
        if kind == "speed_reduction":
            roles = [("speed_reduction", "measure_type", None)]
        if kind == "closure":
            roles = [("closure", "measure_type", None)]
        for role, key, rating in roles:
            type_id = element.get(key)
            measure = by_id.get(int(type_id)) if type_id else None
            suggested = False
            if measure is None:
                kinds = kinds_for(kind or "", opening=role == "opening")
                if role == "line" and _rated(rating):
                    kinds = PROPOSED_LINE_KINDS
                measure = suggested_type(types, kinds, rating)
                suggested = measure is not None
            if measure is None or (measure.cost_min_eur is None and measure.cost_max_eur is None):
                unpriced.append({"element": index, "role": role})
                continue
            quantity, basis = _quantity(measure, element, role)
            parts.append(_Part(index, role, measure, suggested, quantity, basis))
    network = recorded_costs({p.measure for p in parts if p.measure is not None})
    items = []
    low_total = high_total = maintenance = 0.0
    for part in parts:
        measure = part.measure
        assert measure is not None
        low, high = measure.unit_cost_bounds() or (0.0, 0.0)
        recorded = network.get(measure.pk)
        items.append(
            {
                "element": part.element,
                "role": part.role,
                "type_id": measure.pk,
                "type": measure.display_name,
                "type_rating": measure.rating,
                "suggested": part.suggested,
                "quantity": part.quantity,
                "quantity_basis": part.basis,
                "unit": measure.cost_unit,
                "unit_min_eur": low,
                "unit_max_eur": high,
                "min_eur": round(low * part.quantity),
                "max_eur": round(high * part.quantity),
                "network_median_eur": round(recorded.median_eur * part.quantity) if recorded else None,
                "network_count": recorded.count if recorded else 0,
                "estimated": measure.costs_estimated,
                "maintenance_eur_per_year": round(
                    float(measure.maintenance_eur_per_year or 0) * part.quantity
                ),
            }
        )
        low_total += low * part.quantity
        high_total += high * part.quantity
        maintenance += float(measure.maintenance_eur_per_year or 0) * part.quantity
    return {
        "min_eur": round(low_total),
        "max_eur": round(high_total),
        "maintenance_eur_per_year": round(maintenance),
        "items": items,
        "unpriced": unpriced,
    }


# ------------------------------------------------------------------------------------------------
# Engine runs


def _loaded_network(city_id: int) -> Any:
    from pactesur.analysis.actions import active_network, loaded_engine_network

    network = active_network(city_id)
    if network is None:
        return None
    return loaded_engine_network(network)


def run_check(plan: BarrierPlan) -> dict[str, Any]:
    """Check the plan with the engine (the space with its elements added, every claimed class).

    Returns the judgement as JSON. Raises `engine_plans.PlanError` for an element the engine cannot
    read, `pactesur.engine.errors.EngineError` when the space cannot be analysed, and
    `LookupError` when the city has no street network.
    """
    loaded = _loaded_network(plan.city_id)
    if loaded is None:
        raise LookupError("no street network")
    elements = read_elements(plan.elements)
    check = engine_plans.check_plan(loaded.network, shape(plan.space.polygon), elements, plan.vehicles)
    judgement: dict[str, Any] = _finite(check.as_json())
    return judgement


def run_proposal(space: Any, vehicles: Sequence[str]) -> dict[str, Any]:
    """The engine's proposed lines for a space (`propose_plan`), as JSON. Same errors as `run_check`."""
    loaded = _loaded_network(space.city_id)
    if loaded is None:
        raise LookupError("no street network")
    proposal = engine_plans.propose_plan(loaded.network, shape(space.polygon), vehicle_codes=list(vehicles))
    found: dict[str, Any] = _finite(proposal.as_json())
    return found


def proposal_elements(proposal: dict[str, Any], types: Iterable[MeasureType]) -> list[dict[str, Any]]:
    """Each proposed line as a drawn element at its design rating, built of the cheapest fitting types.

    A line whose impacts are beyond every test rating takes the first speed reduction of the
    proposal that brings its rating within the tests (the speed-reduction elements are added
    before it); where none does, the line is drawn at the strongest rating of the catalogue (the
    check then says which classes it stops and which stay open) rather than with a rating no
    product carries.
    """
    types = list(types)
    reducer = suggested_type(types, SPEED_REDUCTION_KINDS, None)
    elements: list[dict[str, Any]] = []
    for line in proposal.get("lines", []):
        rating = line["design_rating"]
        label = ", ".join(line.get("names") or []) or ""
        if line.get("beyond_rating"):
            option = next((o for o in line.get("speed_reductions", []) if not o.get("beyond_rating")), None)
            if option is None:
                # No product reaches the rating: the strongest rated type of the catalogue, so the
                # check shows which classes it stops and which stay open (never a rating no
                # product carries, which would pass the check on paper only).
                strongest = strongest_type(types, PROPOSED_LINE_KINDS)
                rating = strongest.rating if strongest is not None else "unrated"
            else:
                rating = option["design_rating"]
                for lon, lat in option["points"]:
                    reduction: dict[str, Any] = {
                        "kind": engine_plans.SpeedReduction.kind,
                        "geometry": {"type": "Point", "coordinates": [lon, lat]},
                        "cap_kmh": option["cap_kmh"],
                        "label": label,
                    }
                    if reducer is not None:
                        reduction["measure_type"] = reducer.pk
                    elements.append(reduction)
        element: dict[str, Any] = {
            "kind": engine_plans.BarrierLine.kind,
            "geometry": line["geometry"],
            "rating": rating,
            "gap_m": line["gap_m"],
            "opening_m": line["opening_m"],
            "opening_rating": rating if line["opening_m"] else "unrated",
            "label": label,
        }
        # Built of the cheapest catalogue types rated at least as the line needs, at their rating.
        fixed = suggested_type(types, PROPOSED_LINE_KINDS, rating)
        if fixed is not None and rating != "unrated":
            element["measure_type"] = fixed.pk
            element["rating"] = fixed.rating
        if line["opening_m"] and rating != "unrated":
            opening = suggested_type(types, OPENING_KINDS, rating)
            if opening is not None:
                element["opening_measure_type"] = opening.pk
                element["opening_rating"] = opening.rating
        elements.append(element)
    return elements


def _finite(value: Any) -> Any:
    """JSON without NaN or infinities (PostgreSQL's jsonb refuses them)."""
    return json.loads(json.dumps(value), parse_constant=lambda _c: None)


def _summary_row(code: str) -> dict[str, Any]:
    counts = dict.fromkeys(("stopped", "removed", "unreached", "open", "new", "behind_line"), 0)
    return {"vehicle": code, "before_kmh": None, "after_kmh": None, **counts}


def speed_summary(judgement: dict[str, Any]) -> list[dict[str, Any]]:
    """Per class: fastest impact before and after the plan, and entries stopped, removed, open, new."""
    rows = {code: _summary_row(code) for code in judgement.get("vehicles", [])}
    for entry in judgement.get("entries", []):
        row = rows.setdefault(entry["vehicle"], _summary_row(entry["vehicle"]))
        row[entry["status"]] = row.get(entry["status"], 0) + 1
        before = entry.get("impact_speed_before_kmh")
        if before is not None:
            row["before_kmh"] = max(row["before_kmh"] or 0.0, before)
        still_in = entry["status"] in ("open", "new", "behind_line")
        after = entry.get("impact_speed_after_kmh") if still_in else None
        if after is not None:
            row["after_kmh"] = max(row["after_kmh"] or 0.0, after)
    order = {code: i for i, code in enumerate(VEHICLES_BY_CODE)}
    return sorted(rows.values(), key=lambda r: order.get(r["vehicle"], math.inf))
