"""The investment plan of a city: its assessed spaces and the catalogue turned into the optimisation
problem of `pactesur.engine.invest`, solved, and kept as a result people can judge.

Risk. Each assessed space brings its scenarios' current scores on the 5 × 5 scale (FEMA scores
scaled to it: ``score / 1000 × 25``), scenario by scenario.

Candidates. Every type of the catalogue the city can use (shared and its own) that has a cost and an
effect on a rated scenario of the space, and is not already at the space, is a candidate there. What
it removes alone is the what-if of docs/risk-method.md §5 with that one measure: each scenario's
score minus its residual score. A vehicle barrier removes the vehicle scenario's risk only at the
entries its rating stops (the engine's `rating_covers`: a class no heavier than the rating's test
vehicle, hitting no faster than its test speed; an ASTM F2656 rating counts at its assumed ISO
equivalent): the catalogue's effect is scaled by the share of the space's open entries (above
16 km/h) whose every class and impact speed its rating covers; an unrated barrier stops none and
keeps only the catalogue's effect (a first response, not a protection).

Barrier plans. Every barrier plan of the city that is approved and that the engine accepts as it is
now (`barriers.is_accepted_now`: its last check accepted it and was made on the current network,
engine, outline, elements and classes) is a candidate at its space, named after it. It costs the
middle of its cost range, with its maintenance; its integration score is the mean of its items'
types' scores. It counts as a rated barrier that stops every open entry of the classes it covers:
on the vehicle scenario, the effect of its strongest barrier type (of its line and opening items;
of any of its items' types when none is a barrier), scaled by the share of the space's open
entries whose every hitting class is among the plan's classes (all of it when no analysis gives the
open entries: the engine's acceptance stands for them). It excludes the catalogue's generic barrier
candidates at its space — it is what they would be, in detail — and the space's other barrier
plans. An approved plan the engine no longer accepts (stale or refused check) is left out and said.

Exclusions and requirements (the plan's `measure_rules`, by catalogue type). "A and B exclude each
other" makes, at every space where both are candidates, a group of which at most one is funded; a
type already at the space excludes the other's candidate there. "A needs B" funds A at a space only
with B there (and, phased, not before): a requirement where both are candidates, nothing where B is
already there, and A left out where B can be neither. The rules apply to catalogue types, not to
barrier plans.

Quantities (assumptions, each written in the plan beside the candidate): elements to close every
open entry with clear gaps of 1.2 m (the entry's width from the approach analysis); metres of the
entries' widths; one per open entry for a per-entrance cost; the events of the coming year at the
space for a per-event cost (at least one); ten people for a per-person cost; one otherwise. Cost is
the middle of the type's range, or the network's recorded median where cities have shared costs.

What the solver says (why a plan is infeasible, what HiGHS did) is stored as the engine's notes,
each as a message id and its parameters (`StoredText`'s form) beside the English text, so that the
plan page shows it in the reader's language.
"""

from __future__ import annotations

import datetime
import json
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from pactesur.assessments import risk, scoring
from pactesur.assessments.models import Assessment, ExistingMeasure, MeasureStatus
from pactesur.cities.stored_text import StoredText
from pactesur.engine import invest
from pactesur.engine.ratings import Rating, RatingError, parse_rating, rating_covers
from pactesur.engine.vehicles import VEHICLES_BY_CODE
from pactesur.measures.experience import recorded_costs
from pactesur.measures.library import BARRIER_KINDS, CostUnit
from pactesur.measures.models import MeasureType

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
# Frontier budgets solved side by side, one HiGHS per core (assumption: the worker's machine has
# two cores, as the demo's; fewer when it has fewer).
FRONTIER_WORKERS = 2
# Share of a plan's computation the progress bar gives the best plan, before the frontier's points
# (assumption: on a large city the best plan takes about as long as three frontier points).
PLAN_SHARE_OF_WORK = 0.15
FEMA_TO_MATRIX = 25.0 / 1000.0
VEHICLE = "vehicle"
# How many spaces a stored reason names before "and N more" (as the engine's English text).
REASON_NAMES = invest.REASON_NAMES

# The engine's notes (`invest.Note`) as message ids: why a plan is infeasible…
REASON_MSGIDS: dict[str, str] = {
    "protection_out_of_reach": gettext_noop(
        "%(space)s keeps %(residual)s risk points even with every fundable candidate there "
        "(%(candidates)s), above its minimum protection (at most %(ceiling)s left): add candidates "
        "there, allow more years, lower the integration floor or relax its minimum protection."
    ),
    "rules_conflict": gettext_noop(
        "The minimum protection of %(spaces)s cannot be met together with the exclusions, "
        "requirements, allowed years and integration floors: relax one of them."
    ),
    "diagnosis_timed_out": gettext_noop(
        "The minimum protection of %(spaces)s cannot be met; the solver ran out of time finding why."
    ),
    "budget_too_small": gettext_noop(
        "Meeting the minimum protection of %(spaces)s costs at least %(cheapest_eur)s € (the cheapest "
        "plan that meets it), more than the budget of %(budget_eur)s €: raise the budget or relax the "
        "minimum protection."
    ),
    "yearly_budgets_too_small": gettext_noop(
        "The minimum protection of %(spaces)s fits the total budget (%(cheapest_eur)s € of "
        "%(budget_eur)s €) but not the yearly budgets: raise them or allow more years."
    ),
}
# …and what the solver did.
MESSAGE_MSGIDS: dict[str, str] = {
    "protection_out_of_reach": gettext_noop("The minimum protection is out of reach."),
    "nothing_fundable": gettext_noop("No candidate can be funded."),
    "solver_optimal": gettext_noop("The solver proved this plan optimal."),
    "solver_time_limit": gettext_noop(
        "The solver stopped at its time limit (%(time_limit_s)s s) with the best plan found by then."
    ),
    "solver_infeasible": gettext_noop("The solver found that no plan meets the constraints."),
    "solver_unbounded": gettext_noop("The solver found the problem unbounded (%(solver_message)s)."),
    "solver_failed": gettext_noop("The solver failed (%(solver_message)s)."),
    "greedy_better": gettext_noop("The greedy plan was better than the solver's best plan found in time."),
    "greedy": gettext_noop("Greedy: candidates by risk removed alone per euro."),
}
MORE_SPACES_MSGID = gettext_noop("%(names)s and %(more)s more")
# How far a plan's computation has got (stored on the plan while a worker computes it).
PROGRESS_MSGIDS: dict[str, str] = {
    "building": gettext_noop("Gathering the assessed spaces, the candidate measures and the rules."),
    "plan": gettext_noop("Solving the best plan within the budget."),
    "frontier": gettext_noop("Best plan found; what each budget buys: %(done)s of %(total)s budgets solved."),
}
# Hears a plan's progress: a message (stored untranslated) and the share of the work done, 0–1.
Progress = Callable[[StoredText, float], None]


@dataclass(frozen=True)
class OpenEntry:
    """An entry of a space where some vehicle class arrives above 16 km/h, its widest crossing and
    fastest class."""

    key: str
    name: str
    width_m: float
    width_assumed: bool
    hits: tuple[tuple[str, float], ...]  # (vehicle class, impact speed km/h), every class


@dataclass(frozen=True)
class TypeRules:
    """Measures that exclude or need each other at a space, by catalogue type id.

    `exclude` pairs: at most one of the two at a space. `need` pairs ``(a, b)``: `a` only with `b`.
    """

    exclude: tuple[tuple[int, int], ...] = ()
    need: tuple[tuple[int, int], ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> TypeRules:
        """The rules stored on a plan ({"exclude": [[a, b], …], "need": [[a, b], …]})."""
        data = data or {}
        return cls(
            exclude=tuple((int(a), int(b)) for a, b in data.get("exclude", [])),
            need=tuple((int(a), int(b)) for a, b in data.get("need", [])),
        )

    def as_json(self) -> dict[str, list[list[int]]]:
        return {"exclude": [list(p) for p in self.exclude], "need": [list(p) for p in self.need]}

    def __bool__(self) -> bool:
        return bool(self.exclude or self.need)


@dataclass
class CandidateInfo:
    """Why a candidate costs what it costs and removes what it removes: what the plan page shows."""

    id: str
    space_id: int
    space_name: str
    type_id: int | None
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
    barrier: bool = False  # a vehicle barrier of the catalogue (what a barrier plan details)
    rating_assumed: bool = False  # its rating is ASTM F2656's, read at an assumed ISO equivalent
    barrier_plan_id: int | None = None
    barrier_plan_name: str = ""


# ------------------------------------------------------------------------------------------------
# Open entries


# The entries' fields the plan reads, per database: one row per entry, the rest of the result (the
# entries' paths and speed profiles above all) left in the database. The table's name comes from
# the model and the ids are parameters: nothing a user typed is in the SQL.
_ENTRY_SQL: dict[str, str] = {
    "postgresql": (
        "SELECT a.id, e->>'way_id', e->>'name', e->>'width_m', e->>'width_source', "
        "e->>'impact_speed_kmh' FROM {table} a CROSS JOIN LATERAL jsonb_array_elements("
        "CASE WHEN jsonb_typeof(a.result->'entries') = 'array' THEN a.result->'entries' "
        "ELSE '[]'::jsonb END) e WHERE a.id IN ({marks}) ORDER BY a.id"
    ),
    "sqlite": (
        "SELECT a.id, json_extract(e.value, '$.way_id'), json_extract(e.value, '$.name'), "
        "json_extract(e.value, '$.width_m'), json_extract(e.value, '$.width_source'), "
        "json_extract(e.value, '$.impact_speed_kmh') FROM {table} a, json_each(a.result, "
        "'$.entries') e WHERE a.id IN ({marks}) AND json_type(a.result, '$.entries') = 'array' "
        "ORDER BY a.id, e.key"
    ),
}
_ENTRY_KEYS = ("way_id", "name", "width_m", "width_source", "impact_speed_kmh")


def _entry_rows(analysis_ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """(analysis id, way id, name, width m, width source, impact speed km/h) of every entry of
    these analyses, read in the database (`_ENTRY_SQL`); on another database, each analysis's
    entries only, through the ORM's key transform."""
    from django.db.models.fields.json import KT

    from pactesur.analysis.models import ApproachAnalysis

    if not analysis_ids:
        return []
    sql = _ENTRY_SQL.get(connection.vendor)
    if sql is None:
        rows: list[tuple[Any, ...]] = []
        for pk, text in (
            ApproachAnalysis.objects.filter(pk__in=analysis_ids)
            .annotate(entries_json=KT("result__entries"))
            .values_list("pk", "entries_json")
        ):
            entries = json.loads(text) if text else []
            rows.extend((pk, *(e.get(k) for k in _ENTRY_KEYS)) for e in entries if isinstance(e, dict))
        return rows
    query = sql.format(
        table=connection.ops.quote_name(ApproachAnalysis._meta.db_table),
        marks=", ".join(["%s"] * len(analysis_ids)),
    )
    with connection.cursor() as cursor:
        cursor.execute(query, list(analysis_ids))
        return list(cursor.fetchall())


def _entries(space_id: int) -> list[OpenEntry]:
    """The open entries of a space from its current approach analyses, one per way and name."""
    from pactesur.analysis.models import AnalysisStatus, ApproachAnalysis

    rows = (
        ApproachAnalysis.objects.filter(space_id=space_id, status=AnalysisStatus.SUCCEEDED)
        .order_by("vehicle", "-computed_at", "-id")
        .values_list("pk", "vehicle")
    )
    latest: dict[str, int] = {}
    for pk, vehicle in rows:
        latest.setdefault(vehicle, pk)
    vehicle_of = {pk: vehicle for vehicle, pk in latest.items()}
    grouped: dict[str, dict[str, Any]] = {}
    for pk, way_id, name, width, source, impact in _entry_rows(sorted(vehicle_of)):
        speed = float(impact or 0.0)
        if speed <= OPEN_ENTRY_KMH:
            continue
        key = f"{way_id}:{name or ''}"
        item = grouped.setdefault(key, {"name": name or "", "width": 0.0, "assumed": False, "hits": {}})
        item["width"] = max(item["width"], float(width or 0.0))
        # a missing width source is a mapped width (analyses from before the field)
        item["assumed"] = item["assumed"] or (source or "mapped") != "mapped"
        vehicle = vehicle_of[pk]
        item["hits"][vehicle] = max(item["hits"].get(vehicle, 0.0), speed)
    return [
        OpenEntry(key, v["name"], v["width"], v["assumed"], tuple(sorted(v["hits"].items())))
        for key, v in sorted(grouped.items())
    ]


def _rating_stops(rating: Rating | None, hits: Iterable[tuple[str, float]]) -> bool:
    """Does a barrier of this rating stop every class at its speed (the engine's `rating_covers`)?
    A class the vehicle table does not know is not stopped."""
    for vehicle, speed in hits:
        known = VEHICLES_BY_CODE.get(vehicle)
        if known is None or not rating_covers(rating, known, speed):
            return False
    return True


def _read_rating(text: str) -> Rating | None:
    try:
        return parse_rating(text)
    except RatingError:
        return None


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
    """What one measure removes alone from a scenario's score (the what-if's arithmetic, 5 × 5 scale):
    its effect on vulnerability and on consequence, already scaled to what it covers."""
    applied = [scoring.Applied(vulnerability=effect.probability, consequence=effect.consequence)]
    residual = risk.residual_of(assessment, scenario, applied)
    if assessment.is_fema:
        return max(0.0, score - residual.score * FEMA_TO_MATRIX)
    return max(0.0, score - residual.score)


def _entry_note(entry: OpenEntry) -> dict[str, Any]:
    fastest = max(entry.hits, key=lambda h: h[1])
    return {"entry": entry.name, "vehicle": fastest[0], "speed_kmh": round(fastest[1])}


def _mid(low: Any, high: Any) -> float:
    low_v = low if low is not None else high
    high_v = high if high is not None else low
    return (float(low_v or 0) + float(high_v or 0)) / 2


# ------------------------------------------------------------------------------------------------
# Barrier plans


@dataclass
class _BarrierPlans:
    """The city's approved barrier plans: those the engine accepts now, by space, and the others."""

    accepted: dict[int, list[Any]]
    left_out: list[dict[str, Any]]


def _barrier_plans(city: Any) -> _BarrierPlans:
    from pactesur.measures import barriers
    from pactesur.measures.models import BarrierPlan, PlanStatus

    accepted: dict[int, list[Any]] = {}
    left_out: list[dict[str, Any]] = []
    plans = (
        BarrierPlan.objects.filter(city=city, status=PlanStatus.APPROVED, space__archived_at__isnull=True)
        .select_related("space")
        .order_by("space_id", "name", "id")
    )
    for plan in plans:
        if barriers.is_accepted_now(plan):
            accepted.setdefault(plan.space_id, []).append(plan)
        else:
            left_out.append(_left_out(plan, "not_accepted_now"))
    return _BarrierPlans(accepted, left_out)


def _left_out(plan: Any, reason: str) -> dict[str, Any]:
    return {"id": plan.pk, "name": plan.name, "space": plan.space.shown_name, "reason": reason}


def barrier_plan_label(name: str) -> str:
    """How the plan page, the CSV and the neighbours name a barrier plan, in the active language."""
    return _("Barrier plan “%(name)s”") % {"name": name}


def _barrier_plan_candidate(
    assessment: Assessment,
    plan: Any,
    risks: dict[str, tuple[float, Any]],
    entries: list[OpenEntry],
    types: Mapping[int, MeasureType],
) -> CandidateInfo | str:
    """An accepted barrier plan at its space, or the code of why it is no candidate there."""
    if VEHICLE not in risks:
        return "no_vehicle_risk"
    cost = plan.cost or {}
    if cost.get("min_eur") is None and cost.get("max_eur") is None:
        return "unpriced"
    items = [i for i in cost.get("items", []) if i.get("type_id") in types]
    item_types = [types[i["type_id"]] for i in items]
    barrier_types = [t for t in item_types if t.kind in BARRIER_KINDS] or item_types
    score, scenario = risks[VEHICLE]
    covered = set(plan.vehicles or [])
    stops = [e for e in entries if all(v in covered for v, _speed in e.hits)]
    share = len(stops) / len(entries) if entries else 1.0
    removed = 0.0
    for measure in barrier_types:
        effect = measure.effect_on(VEHICLE)
        scaled = type(effect)(effect.probability * share, effect.consequence * share)
        removed = max(removed, _removed(assessment, scenario, score, scaled))
    if removed <= 0:
        return "removes_nothing"
    scores = [t.integration_score for t in item_types if t.integration_score is not None]
    unit_cost = _mid(cost.get("min_eur"), cost.get("max_eur"))
    return CandidateInfo(
        id=f"{assessment.space_id}:plan{plan.pk}",
        space_id=assessment.space_id,
        space_name=assessment.space.shown_name,
        type_id=None,
        type_name=barrier_plan_label(plan.name),
        quantity=1.0,
        quantity_basis={"basis": "barrier_plan", "elements": len(plan.elements or []), "items": len(items)},
        unit_cost_eur=round(unit_cost, 2),
        cost_basis={
            "basis": "barrier_plan",
            "min_eur": cost.get("min_eur"),
            "max_eur": cost.get("max_eur"),
            "unpriced": len(cost.get("unpriced") or []),
        },
        cost_eur=round(unit_cost, 2),
        maintenance_eur_per_year=float(cost.get("maintenance_eur_per_year") or 0),
        integration=round(sum(scores) / len(scores), 2) if scores else 0.0,
        reductions={VEHICLE: round(removed, 4)},
        stops=[_entry_note(e) for e in stops],
        misses=[_entry_note(e) for e in entries if e not in stops],
        barrier_plan_id=plan.pk,
        barrier_plan_name=plan.name,
    )


# ------------------------------------------------------------------------------------------------
# Exclusions and requirements


@dataclass
class _SpaceRules:
    exclusions: list[tuple[str, str]]
    requirements: list[tuple[str, str]]
    dropped: dict[int, tuple[str, int]]  # type id → (rule, the other type id)


def _space_rules(candidates: Mapping[int, str], existing: set[int], rules: TypeRules) -> _SpaceRules:
    """The type rules at one space: `candidates` maps the type ids to their candidates there."""
    alive = dict(candidates)
    dropped: dict[int, tuple[str, int]] = {}
    changed = True
    while changed:  # dropping one candidate may leave another without what it needs
        changed = False
        for a, b in rules.exclude:
            for mine, other in ((a, b), (b, a)):
                if mine in alive and other in existing:
                    del alive[mine]
                    dropped[mine] = ("exclude", other)
                    changed = True
        for a, b in rules.need:
            if a in alive and b not in existing and b not in alive:
                del alive[a]
                dropped[a] = ("need", b)
                changed = True
    return _SpaceRules(
        exclusions=[(alive[a], alive[b]) for a, b in rules.exclude if a in alive and b in alive],
        requirements=[(alive[a], alive[b]) for a, b in rules.need if a in alive and b in alive],
        dropped=dropped,
    )


def _type_names(city: Any, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    return {t.pk: t.display_name for t in MeasureType.objects.for_city(city).filter(pk__in=wanted)}


# ------------------------------------------------------------------------------------------------
# The problem


@dataclass
class Built:
    problem: invest.Problem
    candidates: dict[str, CandidateInfo]
    space_names: dict[str, str]
    unsized: list[str]
    unassessed: list[str]
    ruled_out: list[dict[str, Any]] = field(default_factory=list)
    barrier_plans_left_out: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Assembly:
    """What `build_problem` gathers space by space."""

    candidates: list[invest.Candidate] = field(default_factory=list)
    infos: dict[str, CandidateInfo] = field(default_factory=dict)
    exclusions: list[tuple[str, ...]] = field(default_factory=list)
    requirements: list[tuple[str, str]] = field(default_factory=list)
    unsized: list[str] = field(default_factory=list)
    ruled_out: list[dict[str, Any]] = field(default_factory=list)
    plans_left_out: list[dict[str, Any]] = field(default_factory=list)

    def add(self, info: CandidateInfo, years: list[int] | None) -> None:
        self.infos[info.id] = info
        self.candidates.append(
            invest.Candidate(
                info.id,
                str(info.space_id),
                info.cost_eur,
                info.reductions,
                info.integration,
                maintenance_eur_per_year=info.maintenance_eur_per_year,
                years=years,
            )
        )


def build_problem(
    city: Any,
    *,
    budget_eur: float,
    yearly_budgets: dict[int, float] | None = None,
    integration_floor: float | None = None,
    min_protection_pct: int | None = None,
    rules: TypeRules | None = None,
) -> Built:
    """The city's spaces and candidate measures as an optimisation problem, with the why of each."""
    from pactesur.spaces.models import Space

    rules = rules or TypeRules()
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
    existing: dict[int, set[int]] = {}
    for space_id, type_id in ExistingMeasure.objects.filter(
        assessment__city=city, status=MeasureStatus.EXISTING
    ).values_list("assessment__space_id", "measure_type_id"):
        existing.setdefault(space_id, set()).add(type_id)
    plans = _barrier_plans(city)
    plan_types = {
        t.pk: t
        for t in MeasureType.objects.for_city(city).filter(
            pk__in={
                item.get("type_id")
                for space_plans in plans.accepted.values()
                for plan in space_plans
                for item in (plan.cost or {}).get("items", [])
            }
            - {None}
        )
    }
    years = sorted(yearly_budgets) if yearly_budgets else None
    spaces: list[invest.Space] = []
    names: dict[str, str] = {}
    unassessed = [
        s.shown_name
        for s in Space.objects.filter(city=city).active().exclude(pk__in=list(assessments)).order_by("name")
    ]
    made = _Assembly(plans_left_out=list(plans.left_out))
    for space_id, assessment in sorted(assessments.items()):
        risks = _scenario_risks(assessment)
        space_plans = plans.accepted.get(space_id, [])
        if not risks:
            unassessed.append(assessment.space.shown_name)
            made.plans_left_out.extend(_left_out(p, "no_vehicle_risk") for p in space_plans)
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
        here = existing.get(space_id, set())
        by_type: dict[int, CandidateInfo] = {}
        for measure in types:
            if measure.pk in here:
                continue
            info = _candidate(assessment, measure, risks, entries, network.get(measure.pk))
            if info is None:
                continue
            if isinstance(info, str):
                made.unsized.append(f"{measure.display_name} — {assessment.space.shown_name}")
                continue
            by_type[measure.pk] = info
        _rule_space(made, by_type, here, rules, years)
        _plan_space(
            made, assessment, space_plans, risks=risks, entries=entries, types=plan_types, years=years
        )
    if made.ruled_out:
        type_names = _type_names(city, {r["other_id"] for r in made.ruled_out})
        for r in made.ruled_out:
            r["other"] = type_names.get(r["other_id"], f"#{r['other_id']}")
    problem = invest.Problem(
        spaces,
        made.candidates,
        float(budget_eur),
        yearly_budgets_eur=yearly_budgets or None,
        integration_floor=integration_floor,
        exclusions=made.exclusions,
        requirements=made.requirements,
    )
    return Built(problem, made.infos, names, made.unsized, unassessed, made.ruled_out, made.plans_left_out)


def _rule_space(
    made: _Assembly,
    by_type: dict[int, CandidateInfo],
    existing: set[int],
    rules: TypeRules,
    years: list[int] | None,
) -> None:
    """Add a space's catalogue candidates with the exclusions and requirements the rules make there."""
    ruled = _space_rules({t: info.id for t, info in by_type.items()}, existing, rules)
    for type_id, info in by_type.items():
        if type_id in ruled.dropped:
            rule, other = ruled.dropped[type_id]
            made.ruled_out.append(
                {"space": info.space_name, "type": info.type_name, "rule": rule, "other_id": other}
            )
            continue
        made.add(info, years)
    made.exclusions.extend(ruled.exclusions)
    made.requirements.extend(ruled.requirements)


def _plan_space(
    made: _Assembly,
    assessment: Assessment,
    plans: list[Any],
    *,
    risks: dict[str, tuple[float, Any]],
    entries: list[OpenEntry],
    types: Mapping[int, MeasureType],
    years: list[int] | None,
) -> None:
    """Add a space's accepted barrier plans, each excluding the generic barriers and the other plans."""
    prefix = f"{assessment.space_id}:"
    generic = [
        i.id
        for i in made.infos.values()
        if i.barrier and i.id.startswith(prefix) and i.barrier_plan_id is None
    ]
    added: list[str] = []
    for plan in plans:
        info = _barrier_plan_candidate(assessment, plan, risks, entries, types)
        if isinstance(info, str):
            made.plans_left_out.append(_left_out(plan, info))
            continue
        made.add(info, years)
        made.exclusions.extend((info.id, other) for other in [*generic, *added])
        added.append(info.id)


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
    rating = _read_rating(measure.rating) if barrier and measure.rating else None
    for attack, (score, scenario) in risks.items():
        effect = measure.effect_on(attack)
        if not (effect.probability or effect.consequence):
            continue
        if barrier and attack == VEHICLE and measure.rating and entries:
            for e in entries:
                (stops if _rating_stops(rating, e.hits) else misses).append(_entry_note(e))
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
        unit_cost = _mid(measure.cost_min_eur, measure.cost_max_eur)
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
        barrier=barrier,
        rating_assumed=rating is not None and rating.equivalence_assumed,
    )


# ------------------------------------------------------------------------------------------------
# Solving and storing


def _names(ids: Iterable[str], infos: dict[str, CandidateInfo]) -> list[str]:
    return [f"{infos[i].type_name} — {infos[i].space_name}" for i in ids if i in infos]


def _spaces_param(ids: Sequence[str], names: Mapping[str, str]) -> Any:
    """The spaces a reason names, as a parameter: their names, or the first ones "and N more"."""
    shown = [names.get(i, i) for i in ids]
    if len(shown) <= REASON_NAMES:
        return ", ".join(shown)
    return {
        "msgid": MORE_SPACES_MSGID,
        "params": {"names": ", ".join(shown[:REASON_NAMES]), "more": len(shown) - REASON_NAMES},
    }


def stored_note(note: invest.Note, msgids: Mapping[str, str], names: Mapping[str, str]) -> dict[str, Any]:
    """An engine note as the plan stores it: its code, message id and parameters (`StoredText`'s
    form, space ids turned into names) and the engine's English text."""
    params: dict[str, Any] = {}
    for key, value in note.figures.items():
        if key == "space":
            params[key] = names.get(str(value), str(value))
        elif key == "spaces":
            params[key] = _spaces_param([str(v) for v in value] if isinstance(value, tuple) else [], names)
        elif key == "time_limit_s" and isinstance(value, float):
            params[key] = round(value)
        else:
            params[key] = value
    return {"code": note.code, "msgid": msgids.get(note.code, ""), "params": params, "text": note.text}


def _progress_of(report: Progress | None) -> invest.Progress | None:
    """The engine's progress as the plan stores it: a message and the share of the work done."""
    if report is None:
        return None

    def heard(stage: str, done: int, total: int) -> None:
        if stage == "plan":
            report(StoredText(PROGRESS_MSGIDS["plan"]), PLAN_SHARE_OF_WORK)
            return
        share = PLAN_SHARE_OF_WORK + (1.0 - PLAN_SHARE_OF_WORK) * done / max(total, 1)
        report(StoredText(PROGRESS_MSGIDS["frontier"], {"done": done, "total": total}), share)

    return heard


def solve(
    city: Any,
    *,
    budget_eur: float,
    yearly_budgets: dict[int, float] | None = None,
    integration_floor: float | None = None,
    min_protection_pct: int | None = None,
    rules: TypeRules | None = None,
    time_limit_s: float = invest.TIME_LIMIT_S,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Build the city's problem, solve it exactly, trace the frontier and the neighbours, run the
    greedy heuristic beside it, and return all of it as the plan's stored result (JSON).

    The frontier's points other than the budget and its neighbours are solved to
    `invest.FRONTIER_REL_GAP` within `invest.FRONTIER_TIME_LIMIT_S` each, and say their gap.
    `progress` hears how far the work has got (a message and the share done) at each step.
    """
    rules = rules or TypeRules()
    if progress is not None:
        progress(StoredText(PROGRESS_MSGIDS["building"]), 0.0)
    built = build_problem(
        city,
        budget_eur=budget_eur,
        yearly_budgets=yearly_budgets,
        integration_floor=integration_floor,
        min_protection_pct=min_protection_pct,
        rules=rules,
    )
    infos = built.candidates
    study = invest.study_plan(
        built.problem,
        [budget_eur * share for share in FRONTIER_SHARES],
        time_limit_s=time_limit_s,
        frontier_time_limit_s=min(time_limit_s, invest.FRONTIER_TIME_LIMIT_S),
        workers=min(FRONTIER_WORKERS, os.cpu_count() or 1),
        progress=_progress_of(progress),
    )
    best, greedy, points = study.plan, study.greedy, study.frontier
    around = study.neighbours if best.chosen or budget_eur else None
    chosen = [
        _chosen(c, infos[c.candidate_id])
        for c in sorted(
            best.chosen, key=lambda c: (built.space_names.get(c.space_id, ""), -c.marginal_risk_removed)
        )
    ]

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
        "message_notes": [stored_note(n, MESSAGE_MSGIDS, built.space_names) for n in best.message_notes],
        "infeasible_reasons": list(best.infeasible_reasons),
        "infeasible_notes": [stored_note(n, REASON_MSGIDS, built.space_names) for n in best.infeasible_notes],
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
                "proven_optimal": p.plan.proven_optimal,
                "mip_gap": p.plan.mip_gap,
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
        "rules": _rules_shown(city, rules, built),
        "barrier_plans": sorted({i.barrier_plan_id for i in infos.values() if i.barrier_plan_id}),
        "barrier_plans_left_out": built.barrier_plans_left_out,
        "unsized": built.unsized,
        "unassessed": built.unassessed,
    }


def _chosen(c: invest.Choice, info: CandidateInfo) -> dict[str, Any]:
    return {
        "id": c.candidate_id,
        "space_id": info.space_id,
        "space": info.space_name,
        "type_id": info.type_id,
        "type": info.type_name,
        "barrier_plan_id": info.barrier_plan_id,
        "barrier_plan_name": info.barrier_plan_name,
        "rating_assumed": info.rating_assumed,
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
        "risk_removed_per_keur": round(c.risk_removed_per_eur * 1000, 4) if c.risk_removed_per_eur else None,
        "reductions": info.reductions,
        "stops": info.stops,
        "misses": info.misses,
    }


def _rules_shown(city: Any, rules: TypeRules, built: Built) -> dict[str, Any]:
    """The plan's type rules by name, with what they made at the spaces (the plan page's words)."""
    names = _type_names(city, {t for pair in (*rules.exclude, *rules.need) for t in pair})

    def named(pairs: Iterable[tuple[int, int]]) -> list[list[str]]:
        return [[names.get(a, f"#{a}"), names.get(b, f"#{b}")] for a, b in pairs]

    plan_ids = {i.id for i in built.candidates.values() if i.barrier_plan_id is not None}
    return {
        "exclude": named(rules.exclude),
        "need": named(rules.need),
        "exclusion_groups": sum(
            1 for g in built.problem.exclusions if not any(member in plan_ids for member in g)
        ),
        "requirements": len(built.problem.requirements),
        "ruled_out": built.ruled_out,
    }


def _space_risk(space: invest.Space) -> dict[str, float]:
    return dict(space.risk) if not isinstance(space.risk, (int, float)) else {"": float(space.risk)}


# ------------------------------------------------------------------------------------------------
# Reading a stored result


def _localized(value: Any) -> Any:
    """A figure in the reader's number format (grouping, decimal mark); anything else as it is."""
    from django.utils.formats import number_format

    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if isinstance(value, float) and not value.is_integer():
        return number_format(value, decimal_pos=2, force_grouping=True)
    return number_format(int(value), force_grouping=True)


def shown_note(note: Mapping[str, Any]) -> str:
    """A stored note in the active language with its figures; its English text without a message id."""
    from pactesur.cities.stored_text import shown_text

    msgid = note.get("msgid")
    if not isinstance(msgid, str) or not msgid:
        return str(note.get("text") or "")
    params = note.get("params")
    values = {k: _localized(v) for k, v in params.items()} if isinstance(params, Mapping) else None
    return shown_text(msgid, values)


def shown_reasons(result: Mapping[str, Any]) -> list[str]:
    """Why a stored plan is infeasible, in the active language (plans stored before notes: English)."""
    notes = result.get("infeasible_notes")
    if isinstance(notes, list):
        return [shown_note(n) for n in notes if isinstance(n, Mapping)]
    return [str(r) for r in result.get("infeasible_reasons", [])]


def shown_messages(result: Mapping[str, Any]) -> list[str]:
    """What the solver did, in the active language (plans stored before notes: its English message)."""
    notes = result.get("message_notes")
    if isinstance(notes, list):
        return [shown_note(n) for n in notes if isinstance(n, Mapping)]
    message = result.get("message")
    return [str(message)] if message else []
