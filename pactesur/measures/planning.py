"""The investment plan of a city: its assessed spaces and the catalogue turned into the optimisation
problem of `pactesur.engine.invest`, solved, and kept as a result people can judge.

Risk. Each assessed space brings its scenarios' current scores on the 5 × 5 scale (FEMA scores
scaled to it: ``score / 1000 × 25``), scenario by scenario.

Candidates. Every type of the catalogue the city can use (shared and its own) that has a cost and an
effect on a rated scenario of the space, and is not already at the space, is a candidate there. What
it removes alone is the what-if of docs/risk-method.md §5 with that one measure: each scenario's
score minus its residual score. A vehicle barrier removes the vehicle scenario's risk only at the
entries its rating stops: the catalogue's effect is scaled by the share of the space's open entries
(above 16 km/h) whose vehicle class and impact speed its rating covers; an unrated barrier stops
none and keeps only the catalogue's effect (a first response, not a protection).

Quantities (assumptions, each written in the plan beside the candidate): elements to close every
open entry with clear gaps of 1.2 m (the entry's width from the approach analysis); metres of the
entries' widths; one per open entry for a per-entrance cost; the events of the coming year at the
space for a per-event cost (at least one); ten people for a per-person cost; one otherwise. Cost is
the middle of the type's range, or the network's recorded median where cities have shared costs.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from pactesur.assessments import scoring
from pactesur.assessments.models import Assessment, ExistingMeasure, MeasureStatus
from pactesur.engine import invest
from pactesur.engine.vehicles import VEHICLES_BY_CODE
from pactesur.measures.experience import recorded_costs
from pactesur.measures.library import BARRIER_KINDS, CostUnit
from pactesur.measures.models import MeasureType
from pactesur.measures.ratings import RatingError, parse_rating

# Clear gap between barrier elements: people, wheelchairs and prams pass, vehicles do not
# (hostile-vehicles.md §5).
CLEAR_GAP_M = 1.2
# Width of one element when the catalogue gives none (assumption: a bollard).
DEFAULT_ELEMENT_M = 0.3
# People trained per space for a per-person cost (assumption).
PEOPLE_PER_SPACE = 10
# Entries slower than this are no ramming threat (the analysis app's threshold).
OPEN_ENTRY_KMH = 16.0
# Budgets of the frontier, as shares of the plan's budget.
FRONTIER_SHARES = tuple(round(0.1 * n, 1) for n in range(1, 21))
FEMA_TO_MATRIX = 25.0 / 1000.0


@dataclass(frozen=True)
class OpenEntry:
    """An entry of a space where some vehicle class arrives above 16 km/h, its widest crossing and
    fastest class."""

    key: str
    name: str
    width_m: float
    width_assumed: bool
    hits: tuple[tuple[str, float], ...]  # (vehicle class, impact speed km/h), every class


@dataclass
class CandidateInfo:
    """Why a candidate costs what it costs and removes what it removes: what the plan page shows."""

    id: str
    space_id: int
    space_name: str
    type_id: int
    type_name: str
    quantity: float
    quantity_basis: dict[str, Any]
    unit_cost_eur: float
    cost_basis: dict[str, Any]
    cost_eur: float
    maintenance_eur_per_year: float
    integration: float
    reductions: dict[str, float]
    stops: list[dict[str, Any]] = field(default_factory=list)
    misses: list[dict[str, Any]] = field(default_factory=list)


def _entries(space_id: int) -> list[OpenEntry]:
    """The open entries of a space from its current approach analyses, one per way and name."""
    from pactesur.analysis.models import AnalysisStatus, ApproachAnalysis

    rows = ApproachAnalysis.objects.filter(space_id=space_id, status=AnalysisStatus.SUCCEEDED).order_by(
        "vehicle", "-computed_at", "-id"
    )
    latest: dict[str, Any] = {}
    for row in rows:
        latest.setdefault(row.vehicle, row)
    grouped: dict[str, dict[str, Any]] = {}
    for vehicle, row in latest.items():
        for entry in (row.result or {}).get("entries", []):
            speed = float(entry.get("impact_speed_kmh") or 0.0)
            if speed <= OPEN_ENTRY_KMH:
                continue
            key = f"{entry.get('way_id')}:{entry.get('name') or ''}"
            item = grouped.setdefault(
                key, {"name": entry.get("name") or "", "width": 0.0, "assumed": False, "hits": {}}
            )
            item["width"] = max(item["width"], float(entry.get("width_m") or 0.0))
            item["assumed"] = item["assumed"] or entry.get("width_source", "mapped") != "mapped"
            item["hits"][vehicle] = max(item["hits"].get(vehicle, 0.0), speed)
    return [
        OpenEntry(key, v["name"], v["width"], v["assumed"], tuple(sorted(v["hits"].items())))
        for key, v in sorted(grouped.items())
    ]


def _rating_stops(rating_text: str, hits: Iterable[tuple[str, float]]) -> bool:
    """Does a barrier of this rating stop every class at its speed? A rating counts for vehicles no
    heavier than its test vehicle at no more than its test speed (hostile-vehicles.md §4)."""
    try:
        rating = parse_rating(rating_text)
    except RatingError:
        return False
    for vehicle, speed in hits:
        known = VEHICLES_BY_CODE.get(vehicle)
        mass = known.mass_kg if known is not None else math.inf
        if mass > rating.mass_kg or speed > rating.speed_kmh:
            return False
    return True


def _events_next_year(space_id: int) -> int:
    from pactesur.events.models import Event

    now = timezone.now()
    return Event.objects.filter(
        space_id=space_id,
        archived_at__isnull=True,
        starts_at__gte=now,
        starts_at__lt=now + datetime.timedelta(days=365),
    ).count()


def _quantity(  # noqa: PLR0911 (one return per cost unit)
    measure: MeasureType, space_id: int, entries: list[OpenEntry]
) -> tuple[float, dict[str, Any]] | None:
    """How many units the type needs at the space, and why (the figures the plan page words); None
    when it cannot be sized."""
    unit = measure.cost_unit
    if measure.kind in BARRIER_KINDS and unit in (CostUnit.ELEMENT, CostUnit.METRE):
        if not entries:
            return None
        width = sum(e.width_m for e in entries)
        if unit == CostUnit.METRE:
            return round(width, 1), {"basis": "metres", "entries": len(entries), "width_m": round(width, 1)}
        element = float(measure.element_width_m or DEFAULT_ELEMENT_M)
        count = sum(math.ceil((e.width_m + CLEAR_GAP_M) / (element + CLEAR_GAP_M)) for e in entries)
        return float(count), {
            "basis": "elements",
            "count": count,
            "element_m": element,
            "gap_m": CLEAR_GAP_M,
            "entries": len(entries),
            "width_m": round(width, 1),
            "assumed_widths": sum(e.width_assumed for e in entries),
        }
    if unit == CostUnit.ENTRANCE:
        n = max(1, len(entries))
        return float(n), {"basis": "entrances", "count": n}
    if unit == CostUnit.EVENT:
        n = max(1, _events_next_year(space_id))
        return float(n), {"basis": "events", "count": n}
    if unit == CostUnit.PERSON:
        return float(PEOPLE_PER_SPACE), {"basis": "people", "count": PEOPLE_PER_SPACE}
    if unit == CostUnit.METRE:
        return None
    return 1.0, {"basis": "one"}


def _scenario_risks(assessment: Assessment) -> dict[str, tuple[float, Any]]:
    """{attack type: (score on the 5 × 5 scale, scenario)} for the rated, applicable scenarios."""
    risks = {}
    for s in assessment.scenarios.all():
        score = s.score_in(assessment.mode, assessment.asset_value)
        if score is None or score <= 0:
            continue
        risks[s.attack_type] = (score * (FEMA_TO_MATRIX if assessment.is_fema else 1.0), s)
    return risks


def _removed(assessment: Assessment, scenario: Any, score: float, effect: Any) -> float:
    """What one measure removes alone from a scenario's score (what-if, 5 × 5 scale)."""
    if assessment.is_fema:
        residual = scoring.fema_residual(
            assessment.asset_value or 1, scenario.threat or 1, scenario.vulnerability or 1, [effect]
        )
        return max(0.0, score - residual.score * FEMA_TO_MATRIX)
    residual = scoring.matrix_residual(scenario.probability or 1, scenario.consequence or 1, [effect])
    return max(0.0, score - residual.score)


@dataclass
class Built:
    problem: invest.Problem
    candidates: dict[str, CandidateInfo]
    space_names: dict[str, str]
    unsized: list[str]
    unassessed: list[str]


def build_problem(
    city: Any,
    *,
    budget_eur: float,
    yearly_budgets: dict[int, float] | None = None,
    integration_floor: float | None = None,
    min_protection_pct: int | None = None,
) -> Built:
    """The city's spaces and candidate measures as an optimisation problem, with the why of each."""
    from pactesur.spaces.models import Space

    types = [
        t
        for t in MeasureType.objects.for_city(city)
        if t.cost_min_eur is not None or t.cost_max_eur is not None
    ]
    network = recorded_costs(types)
    assessments = {
        a.space_id: a
        for a in Assessment.objects.filter(city=city, space__archived_at__isnull=True)
        .select_related("space")
        .prefetch_related("scenarios")
    }
    existing = set(
        ExistingMeasure.objects.filter(assessment__city=city, status=MeasureStatus.EXISTING).values_list(
            "assessment__space_id", "measure_type_id"
        )
    )
    spaces: list[invest.Space] = []
    infos: dict[str, CandidateInfo] = {}
    names: dict[str, str] = {}
    unsized: list[str] = []
    unassessed = [
        s.shown_name
        for s in Space.objects.filter(city=city).active().exclude(pk__in=list(assessments)).order_by("name")
    ]
    candidates: list[invest.Candidate] = []
    for space_id, assessment in sorted(assessments.items()):
        risks = _scenario_risks(assessment)
        if not risks:
            unassessed.append(assessment.space.shown_name)
            continue
        sid = str(space_id)
        names[sid] = assessment.space.shown_name
        floor = None
        if min_protection_pct:
            floor = sum(score for score, _s in risks.values()) * min_protection_pct / 100.0
        spaces.append(
            invest.Space(
                sid, {attack: score for attack, (score, _s) in risks.items()}, min_risk_removed=floor
            )
        )
        entries = _entries(space_id)
        for measure in types:
            if (space_id, measure.pk) in existing:
                continue
            info = _candidate(assessment, measure, risks, entries, network.get(measure.pk))
            if info is None:
                continue
            if isinstance(info, str):
                unsized.append(f"{measure.display_name} — {assessment.space.shown_name}")
                continue
            infos[info.id] = info
            candidates.append(
                invest.Candidate(
                    info.id,
                    sid,
                    info.cost_eur,
                    info.reductions,
                    info.integration,
                    maintenance_eur_per_year=info.maintenance_eur_per_year,
                    years=sorted(yearly_budgets) if yearly_budgets else None,
                )
            )
    problem = invest.Problem(
        spaces,
        candidates,
        float(budget_eur),
        yearly_budgets_eur=yearly_budgets or None,
        integration_floor=integration_floor,
    )
    return Built(problem, infos, names, unsized, unassessed)


def _candidate(
    assessment: Assessment,
    measure: MeasureType,
    risks: dict[str, tuple[float, Any]],
    entries: list[OpenEntry],
    network: Any,
) -> CandidateInfo | str | None:
    """One catalogue type at one space: None if it removes nothing there, a reason if it cannot be
    sized, else what it costs and removes."""
    reductions: dict[str, float] = {}
    stops: list[dict[str, Any]] = []
    misses: list[dict[str, Any]] = []
    barrier = measure.kind in BARRIER_KINDS
    for attack, (score, scenario) in risks.items():
        effect = measure.effect_on(attack)
        if not (effect.probability or effect.consequence):
            continue
        if barrier and attack == "vehicle" and measure.rating and entries:
            for e in entries:
                fastest = max(e.hits, key=lambda h: h[1])
                (stops if _rating_stops(measure.rating, e.hits) else misses).append(
                    {"entry": e.name, "vehicle": fastest[0], "speed_kmh": round(fastest[1])}
                )
            share = len(stops) / len(entries)
            effect = type(effect)(effect.probability * share, effect.consequence * share)
        removed = _removed(assessment, scenario, score, effect)
        if removed > 0:
            reductions[attack] = round(removed, 4)
    if not reductions:
        return None
    sized = _quantity(measure, assessment.space_id, entries)
    if sized is None:
        return "unsized"
    quantity, basis = sized
    if network is not None:
        unit_cost, cost_basis = network.median_eur, {"basis": "network", "count": network.count}
    else:
        low = measure.cost_min_eur if measure.cost_min_eur is not None else measure.cost_max_eur
        high = measure.cost_max_eur if measure.cost_max_eur is not None else measure.cost_min_eur
        unit_cost = (float(low or 0) + float(high or 0)) / 2
        cost_basis = {"basis": "catalogue", "estimate": measure.costs_estimated}
    return CandidateInfo(
        id=f"{assessment.space_id}:{measure.pk}",
        space_id=assessment.space_id,
        space_name=assessment.space.shown_name,
        type_id=measure.pk,
        type_name=measure.display_name,
        quantity=quantity,
        quantity_basis=basis,
        unit_cost_eur=round(unit_cost, 2),
        cost_basis=cost_basis,
        cost_eur=round(unit_cost * quantity, 2),
        maintenance_eur_per_year=float(measure.maintenance_eur_per_year or 0),
        integration=measure.integration_score if measure.integration_score is not None else 0.0,
        reductions=reductions,
        stops=stops,
        misses=misses,
    )


def _names(ids: Iterable[str], infos: dict[str, CandidateInfo]) -> list[str]:
    return [f"{infos[i].type_name} — {infos[i].space_name}" for i in ids if i in infos]


def solve(
    city: Any,
    *,
    budget_eur: float,
    yearly_budgets: dict[int, float] | None = None,
    integration_floor: float | None = None,
    min_protection_pct: int | None = None,
    time_limit_s: float = invest.TIME_LIMIT_S,
) -> dict[str, Any]:
    """Build the city's problem, solve it exactly, trace the frontier and the neighbours, run the
    greedy heuristic beside it, and return all of it as the plan's stored result (JSON)."""
    built = build_problem(
        city,
        budget_eur=budget_eur,
        yearly_budgets=yearly_budgets,
        integration_floor=integration_floor,
        min_protection_pct=min_protection_pct,
    )
    infos = built.candidates
    best = invest.best_plan(built.problem, time_limit_s=time_limit_s)
    greedy = invest.greedy_plan(built.problem)
    points = invest.frontier(
        built.problem, [budget_eur * share for share in FRONTIER_SHARES], time_limit_s=time_limit_s
    )
    around = (
        invest.neighbours(built.problem, time_limit_s=time_limit_s) if best.chosen or budget_eur else None
    )
    chosen = []
    for c in sorted(
        best.chosen, key=lambda c: (built.space_names.get(c.space_id, ""), -c.marginal_risk_removed)
    ):
        info = infos[c.candidate_id]
        chosen.append(
            {
                "id": c.candidate_id,
                "space_id": info.space_id,
                "space": info.space_name,
                "type_id": info.type_id,
                "type": info.type_name,
                "year": c.year,
                "quantity": info.quantity,
                "quantity_basis": info.quantity_basis,
                "unit_cost_eur": info.unit_cost_eur,
                "cost_basis": info.cost_basis,
                "cost_eur": round(c.cost_eur, 2),
                "maintenance_eur_per_year": info.maintenance_eur_per_year,
                "integration": info.integration,
                "risk_removed_alone": round(c.risk_reduction, 3),
                "marginal_risk_removed": round(c.marginal_risk_removed, 3),
                "risk_removed_per_keur": round(c.risk_removed_per_eur * 1000, 4)
                if c.risk_removed_per_eur
                else None,
                "reductions": info.reductions,
                "stops": info.stops,
                "misses": info.misses,
            }
        )

    def neighbour(n: Any) -> dict[str, Any] | None:
        if n is None:
            return None
        return {
            "budget_eur": round(n.budget_eur, 2),
            "residual_risk": round(n.plan.residual_risk, 3),
            "cost_eur": round(n.plan.total_cost_eur, 2),
            "added": _names(n.added, infos),
            "removed": _names(n.removed, infos),
            "residual_change": round(n.residual_change, 3),
            "cost_change_eur": round(n.cost_change_eur, 2),
        }

    return {
        "computed_at": timezone.now().isoformat(),
        "status": best.status,
        "proven_optimal": best.proven_optimal,
        "mip_gap": best.mip_gap,
        "solve_s": round(best.solve_s, 3),
        "message": best.message,
        "infeasible_reasons": list(best.infeasible_reasons),
        "risk_before": round(best.risk_before, 3),
        "residual_risk": round(best.residual_risk, 3),
        "risk_removed": round(best.risk_removed, 3),
        "total_cost_eur": round(best.total_cost_eur, 2),
        "capital_cost_eur": round(best.capital_cost_eur, 2),
        "maintenance_cost_eur": round(best.maintenance_cost_eur, 2),
        "spending_by_year": {str(y): round(v, 2) for y, v in best.spending_by_year_eur.items()},
        "chosen": chosen,
        "spaces": [
            {
                "id": sid,
                "name": built.space_names.get(sid, sid),
                "before": round(sum(_space_risk(space).values()), 3),
                "after": round(best.residual_by_space.get(sid, 0.0), 3),
            }
            for space in built.problem.spaces
            for sid in [space.id]
        ],
        "frontier": [
            {
                "budget_eur": round(p.budget_eur, 2),
                "residual_risk": None if p.residual_risk is None else round(p.residual_risk, 3),
                "cost_eur": round(p.cost_eur, 2),
                "size": p.plan_size,
            }
            for p in points
        ],
        "below": neighbour(around.below) if around else None,
        "above": neighbour(around.above) if around else None,
        "greedy": {
            "residual_risk": round(greedy.residual_risk, 3),
            "cost_eur": round(greedy.total_cost_eur, 2),
            "size": len(greedy.chosen),
            "violations": list(greedy.violations),
        },
        "candidates": len(infos),
        "unsized": built.unsized,
        "unassessed": built.unassessed,
    }


def _space_risk(space: invest.Space) -> dict[str, float]:
    return dict(space.risk) if not isinstance(space.risk, (int, float)) else {"": float(space.risk)}
