"""The vehicle scenario from the approach analysis, rated: which approaches a rated barrier stops.

The analysis of a space gives, per vehicle class, its `entries` (open ways in, with the impact
speed, kinetic energy, run-up and drive inside) and its `barriers` (existing barriers an approach
meets: bollards, planters, walls… with the speed they are hit at and the rating they would need).
OpenStreetMap never says whether a barrier is crash-rated, so a barrier protects its approach only
once the assessor enters its rating (`Scenario.facts["barrier_ratings"]`, {barrier key: rating}) and
that rating covers the class and the speed that reach it (`pactesur.engine.ratings.rating_covers`:
a test vehicle at least as heavy, a test speed at least the impact speed — and so a test energy at
least the impact energy). An unrated planter, chain, fence, hedge or bollard does not protect: it is
an approach to verify, counted unprotected, and the steps say so ("assumed").

Vulnerability (own rule, assumption): 1 when every approach of every class is protected (or
arrives at 16 km/h or less, below the lowest barrier test); otherwise 3, +1 when the worst
unprotected approach arrives at 30 km/h or more, +1 at 50 km/h or more; then +1 (at most 5) when a
vehicle fact opens a way round the protection (side access, active barriers left open, vehicles
inside, an opening wider than a car needs) — an unanswered one counts, as in `facts`.

This module and `vehicle_outside` are the only places that read the analysis app; they import it
lazily and return None when that app or a current analysis is absent.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from pactesur.assessments import facts as facts_module
from pactesur.assessments.library import AttackType
from pactesur.cities.stored_text import StoredText, shown_text
from pactesur.engine.ratings import Rating, RatingError, parse_rating, rating_covers
from pactesur.engine.vehicles import VEHICLES_BY_CODE

# Approaches at or below this speed need no rated barrier: the lowest test of the ISO 22343-1 /
# IWA 14-1 ladder is 16 km/h, and the analysis counts entries above it as unprotected.
NEEDS_BARRIER_ABOVE_KMH = 16.0
# The worst unprotected impact speeds at which the vulnerability rises one level (assumption:
# 30 km/h breaks unrated street furniture, 50 km/h is the urban speed limit a ramming exceeds).
VULNERABILITY_STEPS_KMH: tuple[float, ...] = (30.0, 50.0)
# Vulnerability with at least one unprotected approach, before the speed steps (assumption: a way
# in exists, level 3 "an attack could be carried out").
OPEN_BASE = 3
# The vehicle facts that open a way round any protection (`facts.QUESTIONS["vehicle"]`).
BYPASS_FACTS: tuple[str, ...] = (
    "entry_opening_m",
    "side_access",
    "active_barriers_open",
    "service_vehicles_inside",
    "parked_vehicles_near_crowd",
)

ENTRY, BARRIER, PLANNED = "entry", "barrier", "planned"
# What an approach's state is once ratings are read.
PROTECTED, SLOW, OPEN, UNRATED, UNDER_RATED = "protected", "slow", "open", "unrated", "under_rated"
UNPROTECTED_STATES = frozenset({OPEN, UNRATED, UNDER_RATED})


# --- reading the analysis -------------------------------------------------------------------------


@dataclass(frozen=True)
class VehicleEvidence:
    """What the approach analyses of a space say, over every analysed vehicle class."""

    max_impact_speed_kmh: float
    max_kinetic_energy_kj: float
    entry_count: int
    unprotected_entry_count: int
    max_exposure_m: float | None
    required_rating: str
    beyond_rating: bool
    vehicles: tuple[str, ...]
    network_version: int | None


@dataclass(frozen=True)
class VehicleOutside:
    """Why a space has no vehicle figures: its analyses found no street of the network reaching it."""

    network_version: int | None
    # The analysis' message, untranslated, and its parameters (the nearest street's distance).
    message: str
    params: dict[str, Any]

    @property
    def reason(self) -> str:
        """What the analysis says, in the active language ("Not analysed: no street … reaches …")."""
        return shown_text(self.message, self.params)

    @property
    def advice(self) -> str:
        """That this is no sign of safety, and what to do, in the active language."""
        return _(
            "This does not mean the space is safe: without a street that reaches it, PACTESUR cannot "
            "say how fast a vehicle can arrive, so the vehicle scenario is not pre-filled. Import an "
            "extract that covers the space (Street network page) or correct its outline on the "
            "space’s page; it is analysed again as soon as either changes. Then update the suggestions."
        )


@dataclass(frozen=True)
class Approach:
    """One way a vehicle class reaches the space: an open entry, or an existing barrier it hits.

    `barrier_key` names a barrier the same way for every class (its OSM id, else "lon,lat"),
    `rated` is the rating the analysis holds for it (always None from OpenStreetMap).
    """

    vehicle: str
    kind: str
    impact_speed_kmh: float
    kinetic_energy_kj: float
    required_rating: str = ""
    beyond_rating: bool = False
    run_up_m: float | None = None
    exposure_m: float | None = None
    name: str = ""
    barrier_kind: str = ""
    barrier_key: str = ""
    rated: str | None = None


@dataclass(frozen=True)
class VehicleAnalysis:
    """The current analyses of a space: the summary the pages show and every approach."""

    evidence: VehicleEvidence
    approaches: tuple[Approach, ...]


def barrier_key(barrier: Mapping[str, Any]) -> str:
    """The key of a barrier of the analysis' `barriers` list: its OSM node id, else "lon,lat"
    (lines and free-standing objects carry no id; 6 decimals ≈ 0.1 m)."""
    osm_id = barrier.get("osm_id")
    if isinstance(osm_id, int) and osm_id:
        return str(osm_id)
    return f"{float(barrier.get('lon') or 0.0):.6f},{float(barrier.get('lat') or 0.0):.6f}"


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def approaches_of(vehicle: str, result: Mapping[str, Any]) -> list[Approach]:
    """The approaches of one class from its analysis' `result` JSON (`entries` and `barriers`)."""
    found: list[Approach] = []
    entries = result.get("entries") if isinstance(result, Mapping) else None
    for e in entries if isinstance(entries, list) else []:
        speed = _number(e.get("impact_speed_kmh"))
        if speed is None:
            continue
        found.append(
            Approach(
                vehicle=str(e.get("vehicle") or vehicle),
                kind=ENTRY,
                impact_speed_kmh=speed,
                kinetic_energy_kj=_number(e.get("kinetic_energy_kj")) or 0.0,
                required_rating=str(e.get("required_rating") or ""),
                beyond_rating=bool(e.get("beyond_rating")),
                run_up_m=_number(e.get("run_up_m")),
                exposure_m=_number(e.get("exposure_m")),
                name=str(e.get("name") or ""),
            )
        )
    barriers = result.get("barriers") if isinstance(result, Mapping) else None
    for b in barriers if isinstance(barriers, list) else []:
        speed = _number(b.get("impact_speed_kmh"))
        if speed is None:
            continue
        found.append(
            Approach(
                vehicle=str(b.get("vehicle") or vehicle),
                kind=BARRIER,
                impact_speed_kmh=speed,
                kinetic_energy_kj=_number(b.get("kinetic_energy_kj")) or 0.0,
                required_rating=str(b.get("required_rating") or ""),
                beyond_rating=bool(b.get("beyond_rating")),
                barrier_kind=str(b.get("kind") or ""),
                barrier_key=barrier_key(b),
                rated=b.get("rated") if isinstance(b.get("rated"), str) else None,
            )
        )
    return found


def _latest_succeeded(space: Any) -> list[Any]:
    """The latest succeeded analysis of each vehicle class of `space` ([] without the analysis app)."""
    try:
        from pactesur.analysis.models import AnalysisStatus, ApproachAnalysis
    except ImportError:
        return []
    rows = list(
        ApproachAnalysis.objects.filter(space=space, status=AnalysisStatus.SUCCEEDED).order_by(
            "vehicle", "-computed_at", "-id"
        )
    )
    latest: dict[str, Any] = {}
    for row in rows:
        latest.setdefault(row.vehicle, row)
    return [a for a in latest.values() if a.max_impact_speed_kmh is not None]


def _evidence_of(analyses: Sequence[Any]) -> VehicleEvidence | None:
    if not analyses:
        return None
    worst = max(analyses, key=lambda a: (a.max_kinetic_energy_kj or 0.0, a.max_impact_speed_kmh or 0.0))
    exposures = [a.max_exposure_m for a in analyses if a.max_exposure_m is not None]
    return VehicleEvidence(
        max_impact_speed_kmh=max(a.max_impact_speed_kmh or 0.0 for a in analyses),
        max_kinetic_energy_kj=max(a.max_kinetic_energy_kj or 0.0 for a in analyses),
        entry_count=max(a.entry_count for a in analyses),
        unprotected_entry_count=max(a.unprotected_entry_count for a in analyses),
        max_exposure_m=max(exposures) if exposures else None,
        required_rating=worst.required_rating,
        beyond_rating=any(a.beyond_rating for a in analyses),
        vehicles=tuple(sorted(a.vehicle for a in analyses)),
        network_version=worst.network_version,
    )


def vehicle_evidence(space: Any) -> VehicleEvidence | None:
    """The current approach analyses of `space` summed up, or None when there is none to read."""
    return _evidence_of(_latest_succeeded(space))


def vehicle_analysis(space: Any) -> VehicleAnalysis | None:
    """The current approach analyses of `space` with every approach, or None when there is none."""
    rows = _latest_succeeded(space)
    evidence = _evidence_of(rows)
    if evidence is None:
        return None
    approaches = [a for row in rows for a in approaches_of(row.vehicle, row.result or {})]
    return VehicleAnalysis(evidence=evidence, approaches=tuple(approaches))


def vehicle_outside(space: Any) -> VehicleOutside | None:
    """Why `space` was not analysed, when its current analyses found it outside the street network
    (no street, footway or open square of the network reaches it); None otherwise."""
    try:
        from pactesur.analysis.models import AnalysisStatus, ApproachAnalysis
    except ImportError:
        return None
    row = (
        ApproachAnalysis.objects.filter(space=space, status=AnalysisStatus.OUTSIDE)
        .order_by("-updated_at", "-id")
        .only("network_version", "error", "error_params")
        .first()
    )
    if row is None:
        return None
    params = row.error_params if isinstance(row.error_params, dict) else {}
    return VehicleOutside(network_version=row.network_version, message=row.error, params=dict(params))


def vehicle_reading(space: Any) -> tuple[VehicleEvidence | None, VehicleOutside | None]:
    """What the approach analyses say of `space`: their evidence, or else why there is none because
    the space lies outside the street network (both None when nothing was analysed yet)."""
    evidence = vehicle_evidence(space)
    return evidence, vehicle_outside(space) if evidence is None else None


# --- rating the approaches ------------------------------------------------------------------------


@dataclass(frozen=True)
class RatedApproach:
    """An approach with its state once the barrier ratings are read, and the rating that decided it."""

    approach: Approach
    state: str
    rating: Rating | None = None

    @property
    def protected(self) -> bool:
        return self.state not in UNPROTECTED_STATES


@dataclass(frozen=True)
class ClassSummary:
    """One vehicle class as the pages show it: its approaches by state, its worst unprotected one."""

    vehicle: str
    entries_open: int
    protected: int
    unrated_barriers: int
    under_rated_barriers: int
    slow: int
    worst_unprotected_speed_kmh: float | None
    worst_unprotected_energy_kj: float | None
    required_rating: str
    beyond_rating: bool

    @property
    def all_protected(self) -> bool:
        return self.worst_unprotected_speed_kmh is None


@dataclass(frozen=True)
class VehicleRating:
    """The vehicle scenario rated: its suggested vulnerability, the steps, the per-class summary and
    the figures its consequence reads (the drive inside, the worst unprotected approach)."""

    vulnerability: int
    steps: tuple[StoredText, ...]
    classes: tuple[ClassSummary, ...]
    approaches: tuple[RatedApproach, ...]
    exposure_m: float | None

    @property
    def worst_unprotected(self) -> Approach | None:
        open_ = [r.approach for r in self.approaches if not r.protected]
        return max(open_, key=lambda a: (a.impact_speed_kmh, a.kinetic_energy_kj), default=None)


def read_ratings(barrier_ratings: Mapping[str, Any] | None) -> dict[str, Rating]:
    """The entered ratings read ({barrier key: Rating}); unrated and unreadable ones left out (they
    protect nothing, and `facts.clean_answers` refuses unreadable ones when they are entered)."""
    found: dict[str, Rating] = {}
    for key, text in (barrier_ratings or {}).items():
        try:
            rating = parse_rating(text if isinstance(text, str) else None)
        except RatingError:
            continue
        if rating is not None:
            found[str(key)] = rating
    return found


def rate_approach(approach: Approach, ratings: Mapping[str, Rating]) -> RatedApproach:
    """The state of one approach: slow, open (an entry), protected, unrated or under-rated (a barrier)."""
    if approach.kind == PLANNED:
        return RatedApproach(approach, PROTECTED)
    if approach.impact_speed_kmh <= NEEDS_BARRIER_ABOVE_KMH:
        return RatedApproach(approach, SLOW)
    if approach.kind == ENTRY:
        return RatedApproach(approach, OPEN)
    rating = ratings.get(approach.barrier_key)
    if rating is None and approach.rated:
        rating = read_ratings({approach.barrier_key: approach.rated}).get(approach.barrier_key)
    if rating is None:
        return RatedApproach(approach, UNRATED)
    vehicle = VEHICLES_BY_CODE.get(approach.vehicle)
    if (
        vehicle is None
        or approach.beyond_rating
        or not rating_covers(rating, vehicle, approach.impact_speed_kmh)
    ):
        return RatedApproach(approach, UNDER_RATED, rating)
    return RatedApproach(approach, PROTECTED, rating)


def rated_energy_kj(rating: Rating) -> float:
    """½·m·v² of the rating's test, kJ."""
    v = rating.speed_kmh / 3.6
    return 0.5 * rating.mass_kg * v * v / 1000.0


def summarise(rated: Iterable[RatedApproach]) -> tuple[ClassSummary, ...]:
    """Per vehicle class (lightest first): approaches by state and the worst unprotected one."""
    by_class: dict[str, list[RatedApproach]] = {}
    for r in rated:
        by_class.setdefault(r.approach.vehicle, []).append(r)
    order = {code: i for i, code in enumerate(VEHICLES_BY_CODE)}
    summaries = []
    for code in sorted(by_class, key=lambda c: (order.get(c, len(order)), c)):
        items = by_class[code]
        open_ = [r.approach for r in items if not r.protected]
        worst = max(open_, key=lambda a: (a.impact_speed_kmh, a.kinetic_energy_kj), default=None)
        summaries.append(
            ClassSummary(
                vehicle=code,
                entries_open=sum(r.state == OPEN for r in items),
                protected=sum(r.state == PROTECTED for r in items),
                unrated_barriers=sum(r.state == UNRATED for r in items),
                under_rated_barriers=sum(r.state == UNDER_RATED for r in items),
                slow=sum(r.state == SLOW for r in items),
                worst_unprotected_speed_kmh=worst.impact_speed_kmh if worst else None,
                worst_unprotected_energy_kj=worst.kinetic_energy_kj if worst else None,
                required_rating=worst.required_rating if worst else "",
                beyond_rating=bool(worst and worst.beyond_rating),
            )
        )
    return tuple(summaries)


def _barrier_steps(rated: Sequence[RatedApproach]) -> list[StoredText]:
    """One step per barrier that does not protect, at the fastest class that hits it."""
    worst: dict[str, RatedApproach] = {}
    for r in rated:
        if r.approach.kind != BARRIER or r.state not in (UNRATED, UNDER_RATED):
            continue
        known = worst.get(r.approach.barrier_key)
        if known is None or r.approach.kinetic_energy_kj > known.approach.kinetic_energy_kj:
            worst[r.approach.barrier_key] = r
    steps = []
    for key, r in sorted(worst.items(), key=lambda kv: -kv[1].approach.kinetic_energy_kj):
        a = r.approach
        figures = {
            "kind": a.barrier_kind or "barrier",
            "key": key,
            "vehicle": a.vehicle,
            "speed": a.impact_speed_kmh,
            "kj": a.kinetic_energy_kj,
            "required": a.required_rating,
        }
        if r.state == UNRATED:
            steps.append(
                StoredText(
                    gettext_noop(
                        "Assumed unprotected: the %(kind)s at %(key)s is not rated (hit by %(vehicle)s at "
                        "%(speed).0f km/h, %(kj).0f kJ; it would need %(required)s): enter its rating if it "
                        "has one."
                    ),
                    figures,
                )
            )
        else:
            assert r.rating is not None
            steps.append(
                StoredText(
                    gettext_noop(
                        "Unprotected: the %(kind)s at %(key)s is rated %(rating)s (%(rated_kj).0f kJ) but is "
                        "hit by %(vehicle)s at %(speed).0f km/h (%(kj).0f kJ); it would need %(required)s."
                    ),
                    {**figures, "rating": r.rating.text, "rated_kj": rated_energy_kj(r.rating)},
                )
            )
    return steps


def _class_steps(classes: Sequence[ClassSummary]) -> list[StoredText]:
    return [
        StoredText(
            gettext_noop(
                "%(vehicle)s: %(open)s entries open, %(protected)s approaches stopped by rated barriers, "
                "%(unrated)s barriers not rated and %(under)s rated too low."
            ),
            {
                "vehicle": c.vehicle,
                "open": c.entries_open,
                "protected": c.protected,
                "unrated": c.unrated_barriers,
                "under": c.under_rated_barriers,
            },
        )
        for c in classes
    ]


def _bypass_steps(answers: Mapping[str, Any] | None) -> tuple[bool, list[StoredText]]:
    """Whether a vehicle fact (answered weak, or not answered) opens a way round the protection."""
    questions = tuple(q for q in facts_module.QUESTIONS[AttackType.VEHICLE] if q.key in BYPASS_FACTS)
    weak, _total, steps = facts_module.weak_steps(questions, answers)
    if not weak:
        return False, []
    return True, [*steps, StoredText(gettext_noop("+1: a vehicle can get round or past the protection."))]


def rate_vehicle(approaches: Sequence[Approach], answers: Mapping[str, Any] | None) -> VehicleRating:
    """The vehicle vulnerability of the approaches with the scenario's facts (its barrier ratings and
    the facts of `BYPASS_FACTS`), and the steps that led to it (the module's rule)."""
    ratings = read_ratings(
        answers.get(facts_module.BARRIER_RATINGS) if isinstance(answers, Mapping) else None
    )
    rated = tuple(rate_approach(a, ratings) for a in approaches)
    classes = summarise(rated)
    steps: list[StoredText] = [*_class_steps(classes), *_barrier_steps(rated)]
    open_ = [r.approach for r in rated if not r.protected]
    if not open_:
        level = 1
        steps.append(
            StoredText(
                gettext_noop(
                    "Every approach of every class is stopped by a barrier rated for it or arrives at "
                    "%(limit).0f km/h or less: vulnerability 1."
                ),
                {"limit": NEEDS_BARRIER_ABOVE_KMH},
            )
        )
    else:
        worst = max(open_, key=lambda a: (a.impact_speed_kmh, a.kinetic_energy_kj))
        level = OPEN_BASE + sum(worst.impact_speed_kmh >= s for s in VULNERABILITY_STEPS_KMH)
        steps.append(
            StoredText(
                gettext_noop(
                    "Worst unprotected approach: %(vehicle)s at %(speed).0f km/h (%(kj).0f kJ), needing "
                    "%(required)s: vulnerability %(base)s, +1 from %(low).0f km/h, +1 from %(high).0f km/h."
                ),
                {
                    "vehicle": worst.vehicle,
                    "speed": worst.impact_speed_kmh,
                    "kj": worst.kinetic_energy_kj,
                    "required": worst.required_rating or "—",
                    "base": OPEN_BASE,
                    "low": VULNERABILITY_STEPS_KMH[0],
                    "high": VULNERABILITY_STEPS_KMH[1],
                },
            )
        )
    bypass, bypass_steps = _bypass_steps(answers)
    steps.extend(bypass_steps)
    level = min(5, level + bypass)
    steps.append(StoredText(gettext_noop("→ vulnerability %(v)s."), {"v": level}))
    exposures = [a.exposure_m for a in approaches if a.kind == ENTRY and a.exposure_m is not None]
    return VehicleRating(
        vulnerability=level,
        steps=tuple(steps),
        classes=classes,
        approaches=rated,
        exposure_m=max(exposures) if exposures else None,
    )


def vehicle_summary(space: Any, answers: Mapping[str, Any] | None) -> VehicleRating | None:
    """The vehicle scenario of `space` rated with its facts `answers` (`Scenario.facts`), for the pages
    and the PDF (`VehicleRating.classes`: per class, entries open, protected, barriers to verify, the
    worst unprotected speed and energy, the rating needed); None without a current analysis."""
    analysis = vehicle_analysis(space)
    return rate_vehicle(analysis.approaches, answers) if analysis is not None else None


@dataclass(frozen=True)
class BarrierToRate:
    """An existing barrier the analysis met, once, at the hardest hit of any class: what the facts
    form asks the rating of (`Scenario.facts["barrier_ratings"][key]`)."""

    key: str
    kind: str
    vehicle: str
    impact_speed_kmh: float
    kinetic_energy_kj: float
    required_rating: str
    beyond_rating: bool


def barriers_to_rate(analysis: VehicleAnalysis | None) -> list[BarrierToRate]:
    """The barriers of the analysis, one per key, hardest hit first."""
    hardest: dict[str, Approach] = {}
    for a in analysis.approaches if analysis is not None else ():
        if a.kind != BARRIER:
            continue
        known = hardest.get(a.barrier_key)
        if known is None or a.kinetic_energy_kj > known.kinetic_energy_kj:
            hardest[a.barrier_key] = a
    ordered = sorted(hardest.values(), key=lambda a: (-a.kinetic_energy_kj, a.barrier_key))
    return [
        BarrierToRate(
            key=a.barrier_key,
            kind=a.barrier_kind,
            vehicle=a.vehicle,
            impact_speed_kmh=a.impact_speed_kmh,
            kinetic_energy_kj=a.kinetic_energy_kj,
            required_rating=a.required_rating,
            beyond_rating=a.beyond_rating,
        )
        for a in ordered
    ]


# --- what if a barrier plan is built --------------------------------------------------------------

# A plan check's entry statuses that leave no way in: stopped by a rated element, its way closed,
# its approach taken by the plan's other changes (`pactesur.engine.plans.EntryCheck`).
PLAN_GONE = frozenset({"removed", "unreached"})


def approaches_with_plan(approaches: Sequence[Approach], judgement: Mapping[str, Any]) -> list[Approach]:
    """The approaches once the plan of this check is built.

    For each class the plan covers, its entries are those of the check: an entry stopped by an element
    whose rating covers it, or whose approach the plan removed, is protected (`PLANNED`); the others
    stay open at the speed the check gives (after the plan). Existing barriers and classes the plan
    does not cover keep their state.
    """
    covered = {str(v) for v in judgement.get("vehicles") or []}
    kept = [a for a in approaches if not (a.kind == ENTRY and a.vehicle in covered)]
    for e in judgement.get("entries") or []:
        vehicle = str(e.get("vehicle") or "")
        if vehicle not in covered:
            continue
        status = e.get("status")
        before = _number(e.get("impact_speed_before_kmh"))
        after = _number(e.get("impact_speed_after_kmh"))
        stopped = status == "stopped" and e.get("rating_covers") is not False
        if stopped or status in PLAN_GONE:
            kept.append(
                Approach(vehicle=vehicle, kind=PLANNED, impact_speed_kmh=before or 0.0, kinetic_energy_kj=0.0)
            )
            continue
        speed = after if after is not None else before
        if speed is None:
            continue
        mass = VEHICLES_BY_CODE[vehicle].mass_kg if vehicle in VEHICLES_BY_CODE else 0.0
        v = speed / 3.6
        kept.append(
            Approach(
                vehicle=vehicle,
                kind=ENTRY,
                impact_speed_kmh=speed,
                kinetic_energy_kj=0.5 * mass * v * v / 1000.0,
                required_rating=str(e.get("required_rating_after") or e.get("required_rating_before") or ""),
                name=str(e.get("name") or ""),
            )
        )
    return kept


def vehicle_with_plan(
    space: Any,
    plan: Any,
    barrier_ratings: Mapping[str, Any] | None,
    *,
    answers: Mapping[str, Any] | None = None,
) -> tuple[float, tuple[StoredText, ...]] | None:
    """The vehicle vulnerability (1–5) if `plan` (a `pactesur.measures.models.BarrierPlan`) is built,
    and the steps; None when the plan's check is not current or the space has no current analysis.

    `barrier_ratings` are the ratings entered for the existing barriers; `answers` the other vehicle
    facts (a side access stays open whatever the plan).
    """
    from pactesur.measures.barriers import check_is_current

    if not check_is_current(plan):
        return None
    analysis = vehicle_analysis(space)
    if analysis is None:
        return None
    merged = {**(answers or {}), facts_module.BARRIER_RATINGS: dict(barrier_ratings or {})}
    rated = rate_vehicle(approaches_with_plan(analysis.approaches, plan.judgement or {}), merged)
    return float(rated.vulnerability), rated.steps
