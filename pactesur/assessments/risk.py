"""Read-side risk views of assessments: profile, what-if, city ranking, matrix, network comparison.

The city ranking, its matrix and the network comparison read what was approved, never a draft: at
approval `approved_summary` is stored in `Assessment.approved_profile`, and a space in a new cycle
keeps ranking by it until the next approval.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from pactesur.assessments import scoring
from pactesur.assessments.library import ATTACK_ORDER, AttackType
from pactesur.assessments.models import (
    Assessment,
    AssessmentVersion,
    ExistingMeasure,
    MeasureStatus,
    Mode,
    Scenario,
    Status,
    VersionKind,
)
from pactesur.cities.models import City
from pactesur.measures.library import BARRIER_KINDS

_BAND_RANK = {b: i for i, b in enumerate(scoring.BANDS)}
_HIGH_RANK = _BAND_RANK[scoring.HIGH]
# The top of each mode's scale, to order 5×5 and FEMA scores together.
_SCALE_TOP = {Mode.MATRIX.value: 25.0, Mode.FEMA.value: 1000.0}


def _scale_top(mode: str) -> float:
    return _SCALE_TOP.get(mode, 25.0)


def _ordered(risks: Iterable[scoring.ScenarioRisk]) -> list[scoring.ScenarioRisk]:
    """Highest first: band (a FEMA scenario's is its 5×5 equivalent's), then score, then the graver
    consequence, then library order."""
    order = {t: i for i, t in enumerate(ATTACK_ORDER)}
    return sorted(
        risks,
        key=lambda s: (-_BAND_RANK[s.band], -s.score, -s.consequence, order.get(s.attack_type, len(order))),
    )


def profile(assessment: Assessment) -> list[scoring.ScenarioRisk]:
    """Every fully rated scenario of the living assessment with its score, band and 5×5 cell, in
    library order. A FEMA scenario bands and sits in the matrix by its 5×5 equivalent."""
    rows = []
    for s in assessment.scenarios.all():
        score = s.score_in(assessment.mode, assessment.asset_value)
        band = s.band_in(assessment.mode, assessment.asset_value)
        cell = s.cell_in(assessment.mode, assessment.asset_value)
        if score is None or band is None or cell is None:
            continue
        rows.append(scoring.ScenarioRisk(s.attack_type, score, band, cell[0], cell[1]))
    return rows


def top_band(assessment: Assessment) -> str | None:
    top = _ordered(profile(assessment))
    return top[0].band if top else None


# --- what was approved ----------------------------------------------------------------------------


def _summary_of(
    mode: str,
    asset_value: int | None,
    scenarios: Iterable[Mapping[str, Any]],
    measure_codes: Iterable[str],
) -> dict[str, Any]:
    """The approved summary from plain scenario values (attack_type, threat, vulnerability,
    probability, consequence, not_applicable): one computation for approval and for old snapshots."""
    scores: dict[str, float] = {}
    bands: dict[str, str] = {}
    cells: dict[str, list[int]] = {}
    not_applicable = 0
    for s in scenarios:
        attack = s["attack_type"]
        if s.get("not_applicable"):
            not_applicable += 1
            continue
        if mode == Mode.FEMA:
            if not (asset_value and s.get("threat") and s.get("vulnerability")):
                continue
            scores[attack] = scoring.fema_score(asset_value, s["threat"], s["vulnerability"])
            p, c = scoring.fema_equivalent(asset_value, s["threat"], s["vulnerability"])
        else:
            if not (s.get("probability") and s.get("consequence")):
                continue
            p, c = s["probability"], s["consequence"]
            scores[attack] = scoring.matrix_score(p, c)
        bands[attack] = scoring.matrix_band(p * c)
        cells[attack] = [p, c]
    return {
        "mode": str(mode),
        "scores": scores,
        "bands": bands,
        "cells": cells,
        "rated": len(scores),
        # Every attack type of the library counts unless marked not applicable with a reason: one
        # added to the library after an approval shows as not rated in it.
        "scenarios": max(len(ATTACK_ORDER) - not_applicable, len(scores)),
        "measures": sorted(set(measure_codes)),
    }


def approved_summary(assessment: Assessment) -> dict[str, Any]:
    """What approval stores in `Assessment.approved_profile`: per attack type its score (in the
    mode's scale), band and 5×5 cell (FEMA by equivalence); how many scenarios are rated out of
    those that apply; and the codes of the measures existing at the space."""
    scenarios = [
        {
            "attack_type": s.attack_type,
            "threat": s.threat,
            "vulnerability": s.vulnerability,
            "probability": s.probability,
            "consequence": s.consequence,
            "not_applicable": s.not_applicable,
        }
        for s in assessment.scenarios.all()
    ]
    codes = [
        m.measure_type.code
        for m in assessment.measures.select_related("measure_type")
        if m.status == MeasureStatus.EXISTING
    ]
    return _summary_of(assessment.mode, assessment.asset_value, scenarios, codes)


def _summary_of_snapshot(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """The approved summary of an approval stored before `approved_summary` existed, from its version."""
    context = snapshot.get("context") or {}
    scenarios = [{"attack_type": k, **v} for k, v in (snapshot.get("scenarios") or {}).items()]
    codes = [m["type"] for m in snapshot.get("measures") or [] if m.get("status") == MeasureStatus.EXISTING]
    return _summary_of(context.get("mode") or Mode.MATRIX, context.get("asset_value"), scenarios, codes)


def _is_summary(stored: Any) -> bool:
    return isinstance(stored, dict) and isinstance(stored.get("scores"), dict)


@dataclass(frozen=True)
class Approved:
    """The last approved profile of a space, as the ranking, matrix and comparison read it."""

    mode: str
    risks: list[scoring.ScenarioRisk]  # highest first; a cell of (0, 0) is unknown (old FEMA approval)
    rated: int
    applicable: int
    measures: frozenset[str] = field(default_factory=frozenset)

    @property
    def high_count(self) -> int:
        """Scenarios rated high or very high."""
        return sum(_BAND_RANK[r.band] >= _HIGH_RANK for r in self.risks)

    def equivalent_scores(self) -> dict[str, float]:
        """5×5 scores by attack type: FEMA scenarios by their equivalent cell."""
        return {r.attack_type: r.probability * r.consequence for r in self.risks if r.probability}


def _approved_from(stored: Mapping[str, Any]) -> Approved:
    mode = str(stored.get("mode") or Mode.MATRIX)
    bands, cells = stored.get("bands") or {}, stored.get("cells") or {}
    risks = []
    for attack, score in stored["scores"].items():
        p, c = cells.get(attack) or (0, 0)
        band = bands.get(attack) or scoring.matrix_band(p * c)
        risks.append(scoring.ScenarioRisk(attack, score, band, p, c))
    return Approved(
        mode,
        _ordered(risks),
        int(stored.get("rated", len(risks))),
        int(stored.get("scenarios", len(risks))),
        frozenset(stored.get("measures") or ()),
    )


def _approved_from_flat(scores: Mapping[str, float], mode: str) -> Approved:
    """Only {attack type: score} kept and no approved version to read: a 5×5 score gives its band
    (its cell is unknown); a FEMA one the FEMA band, the best that can be said without its ratings."""
    risks = [
        scoring.ScenarioRisk(
            a, s, scoring.fema_band(s) if mode == Mode.FEMA else scoring.matrix_band(s), 0, 0
        )
        for a, s in scores.items()
    ]
    return Approved(mode, _ordered(risks), len(risks), max(len(ATTACK_ORDER), len(risks)))


def approved_profiles(assessments: Iterable[Assessment]) -> dict[int, Approved]:
    """The last approved profile of each assessment ever approved, by assessment id.

    Reads `approved_profile` in either form: the summary stored since method v2, or the flat
    {attack type: score} of earlier approvals, completed from the last approved version's snapshot.
    """
    result: dict[int, Approved] = {}
    flat: dict[int, Assessment] = {}
    for a in assessments:
        if a.approved_at is None:
            continue
        if _is_summary(a.approved_profile):
            result[a.pk] = _approved_from(a.approved_profile)
        else:
            flat[a.pk] = a
    if flat:
        versions = AssessmentVersion.objects.filter(
            assessment_id__in=flat, kind=VersionKind.APPROVED
        ).order_by("assessment_id", "-number")
        for v in versions:
            if v.assessment_id not in result:
                result[v.assessment_id] = _approved_from(_summary_of_snapshot(v.snapshot))
        for pk, a in flat.items():
            if pk not in result:
                result[pk] = _approved_from_flat(a.approved_profile or {}, a.mode)
    return result


# --- what-if --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WhatIfRow:
    scenario: Scenario
    score: float | None
    band: str | None
    residual: scoring.Residual | None
    # The vehicle scenario with a barrier plan chosen: the analysis' steps with the plan in place.
    plan_steps: Any = None


@dataclass(frozen=True)
class WhatIf:
    rows: list[WhatIfRow]
    measures: list[ExistingMeasure]  # the ticked planned measures
    plan: Any = None
    # A plan was chosen but its check is no longer current: it must be checked again to count.
    plan_stale: bool = False

    def __iter__(self) -> Iterator[WhatIfRow]:
        return iter(self.rows)


def applied_effect(measure: ExistingMeasure, attack_type: str) -> scoring.Applied:
    """The share of vulnerability and of consequence `measure` removes for `attack_type`: its
    catalogue effect times its coverage. Barriers against a vehicle have none here: they act through
    the approach analysis re-run with a barrier plan."""
    if attack_type == AttackType.VEHICLE and measure.measure_type.kind in BARRIER_KINDS:
        return scoring.Applied()
    effect = measure.measure_type.effect_on(attack_type)
    coverage = measure.coverage
    return scoring.Applied(
        vulnerability=effect.probability * coverage, consequence=effect.consequence * coverage
    )


def _vehicle_with_plan(assessment: Assessment, plan: Any) -> tuple[float, list[str]] | None:
    """The vehicle vulnerability (1–5) with `plan` built and the analysis' steps in the reader's
    language; None while the plan's check is not current."""
    from pactesur.assessments.facts import BARRIER_RATINGS
    from pactesur.assessments.vehicle import vehicle_with_plan

    vehicle = next((s for s in assessment.scenarios.all() if s.attack_type == AttackType.VEHICLE), None)
    answers = dict(vehicle.facts or {}) if vehicle else {}
    ratings = answers.pop(BARRIER_RATINGS, None) or {}
    result = vehicle_with_plan(assessment.space, plan, ratings, answers=answers)
    if result is None:
        return None
    vulnerability, steps = result
    return vulnerability, [s.translated() if hasattr(s, "translated") else str(s) for s in steps]


def residual_of(
    assessment: Assessment, s: Scenario, applied: list[scoring.Applied], plan_v5: float | None = None
) -> scoring.Residual:
    """One rated scenario's residual risk with the `applied` shares of measures and, for the vehicle,
    the 1–5 vulnerability a barrier plan leaves (`plan_v5`); the what-if's and the investment plans'
    arithmetic (docs/risk-method.md §5)."""
    # A scenario rated before method v2 has a probability alone: it stands for threat and vulnerability.
    threat = s.threat or s.probability or 1
    vulnerability: float = s.vulnerability or s.probability or 1
    if assessment.is_fema:
        if plan_v5 is not None:
            # The analysis gives a 1–5 vulnerability; FEMA rates 1–10 (⌈x / 2⌉ back: × 2).
            vulnerability = min(vulnerability, max(1.0, min(10.0, plan_v5 * 2)))
        return scoring.fema_residual(assessment.asset_value or 1, threat, vulnerability, applied)
    if plan_v5 is not None:
        # A plan adds barriers: it can lower the rated vulnerability, never raise it.
        vulnerability = min(vulnerability, max(1.0, plan_v5))
    residual = scoring.matrix_residual(threat, vulnerability, s.consequence or 1, applied)
    rated_p = s.probability or scoring.probability_from(threat, int(s.vulnerability or threat))
    if residual.probability <= rated_p:
        return residual
    # The table rounds (threat 4, vulnerability 5: √20 = 4.47 is rated 4), the residual keeps a
    # decimal: without a cap a measure that does not touch the vulnerability would raise the risk.
    score = math.floor(rated_p * residual.consequence * 10 + 0.5) / 10
    return scoring.Residual(float(rated_p), residual.consequence, score, scoring.matrix_band(score))


def whatif(assessment: Assessment, planned_ids: Iterable[int], *, plan: Any = None) -> WhatIf:
    """Residual risk per scenario with the planned measures `planned_ids` switched on, and for the
    vehicle scenario the barrier plan `plan` (a `BarrierPlan` of the space) in place.

    Existing measures are already reflected in the ratings; only planned ones change them here, each
    by its effect times its coverage. Barriers against a vehicle count only through a plan whose check
    is current: the approach analysis re-run with it gives the residual vehicle vulnerability.
    """
    chosen = set(planned_ids)
    measures = [
        m
        for m in assessment.measures.select_related("measure_type")
        if m.status == MeasureStatus.PLANNED and m.pk in chosen
    ]
    plan_v5: float | None = None
    plan_steps: Any = None
    plan_stale = False
    if plan is not None:
        with_plan = _vehicle_with_plan(assessment, plan)
        if with_plan is None:
            plan_stale = True
        else:
            plan_v5, plan_steps = float(with_plan[0]), with_plan[1]
    rows = []
    for s in assessment.scenarios.all():
        score = s.score_in(assessment.mode, assessment.asset_value)
        band = s.band_in(assessment.mode, assessment.asset_value)
        residual: scoring.Residual | None = None
        steps = None
        if score is not None:
            applied = [applied_effect(m, s.attack_type) for m in measures]
            vehicle_plan = plan_v5 if s.attack_type == AttackType.VEHICLE else None
            residual = residual_of(assessment, s, applied, vehicle_plan)
            steps = plan_steps if vehicle_plan is not None else None
        rows.append(WhatIfRow(s, score, band, residual, steps))
    return WhatIf(rows, measures, plan, plan_stale)


# --- the city ranking -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RankedSpace:
    """A space in the city ranking, by its last approved profile."""

    assessment: Assessment
    top: scoring.ScenarioRisk | None
    top_risks: list[scoring.ScenarioRisk]
    profile_total: float
    overdue: bool
    rated: int = 0
    applicable: int = 0
    high_count: int = 0
    mode: str = Mode.MATRIX
    # Every approved scenario, highest first (`top_risks` are the first three).
    risks: list[scoring.ScenarioRisk] = field(default_factory=list)

    @property
    def rated_share(self) -> float:
        return self.rated / self.applicable if self.applicable else 0.0

    @property
    def in_new_cycle(self) -> bool:
        """The space ranks by its last approval while a new cycle is being drafted or reviewed."""
        return self.assessment.status != Status.APPROVED

    @property
    def is_fema(self) -> bool:
        return self.mode == Mode.FEMA


@dataclass(frozen=True)
class PendingSpace:
    """A space whose assessment was never approved: listed apart, not ranked."""

    assessment: Assessment
    rated: int
    applicable: int


def city_assessments(city: City) -> list[Assessment]:
    """The assessments of the city's spaces in use: an archived space leaves the dashboard and report."""
    return list(
        Assessment.objects.filter(city=city, space__archived_at__isnull=True)
        .select_related("space", "city")
        .prefetch_related(Prefetch("scenarios", queryset=Scenario.objects.order_by("order", "id")))
    )


def normalised_score(assessment: Assessment, score: float) -> float:
    """A score as a share of its scale's maximum (25 or 1000), to order 5×5 and FEMA spaces together."""
    return score / _scale_top(assessment.mode)


def ranking(assessments: Iterable[Assessment], *, today: datetime.date) -> list[RankedSpace]:
    """Spaces ever approved, by their last approved profile: the band of the top scenario, then how
    many scenarios are high or very high, then the top score as a share of its scale, then the sum of
    the profile (as shares). Drafts and assessments in review never approved are left out
    (`not_yet_approved`)."""
    assessments = list(assessments)
    approved = approved_profiles(assessments)
    rows = []
    for a in assessments:
        prof = approved.get(a.pk)
        if prof is None:
            continue
        top = prof.risks[0] if prof.risks else None
        rows.append(
            RankedSpace(
                a,
                top,
                prof.risks[:3],
                sum(r.score for r in prof.risks),
                bool(a.review_due and a.review_due < today),
                prof.rated,
                prof.applicable,
                prof.high_count,
                prof.mode,
                prof.risks,
            )
        )

    def key(r: RankedSpace) -> tuple[Any, ...]:
        top = _scale_top(r.mode)
        return (
            -(_BAND_RANK[r.top.band] if r.top else -1),
            -r.high_count,
            -(r.top.score / top if r.top else 0.0),
            -(r.profile_total / top),
            r.assessment.space.shown_name.casefold(),
        )

    rows.sort(key=key)
    return rows


def rated_counts(assessment: Assessment) -> tuple[int, int]:
    """(rated, applicable) scenarios of the living assessment; every library type applies unless
    marked not applicable."""
    scenarios = list(assessment.scenarios.all())
    rated = sum(s.score_in(assessment.mode, assessment.asset_value) is not None for s in scenarios)
    not_applicable = sum(s.not_applicable for s in scenarios)
    return rated, max(len(ATTACK_ORDER) - not_applicable, rated)


def not_yet_approved(assessments: Iterable[Assessment]) -> list[PendingSpace]:
    """The assessments never approved, with how far their rating has got, by space name."""
    pending = [PendingSpace(a, *rated_counts(a)) for a in assessments if a.approved_at is None]
    return sorted(pending, key=lambda p: p.assessment.space.shown_name.casefold())


def approved_cells(ranked: Iterable[RankedSpace]) -> dict[tuple[int, int], int]:
    """Counts of the approved scenarios of the ranked spaces per 5×5 cell, FEMA ones by equivalence."""
    cells = [(r.probability, r.consequence) for space in ranked for r in space.risks]
    return scoring.matrix_counts(c for c in cells if c[0] and c[1])


def matrix_cells(assessments: Iterable[Assessment]) -> dict[tuple[int, int], int]:
    """Counts of the rated scenarios of the living assessments per (probability, consequence) cell;
    FEMA scenarios at their 5×5 equivalent."""
    cells: list[tuple[int, int]] = []
    for a in assessments:
        for s in a.scenarios.all():
            cell = s.cell_in(a.mode, a.asset_value)
            if cell is not None:
                cells.append(cell)
    return scoring.matrix_counts(cells)


def matrix_grid(counts: dict[tuple[int, int], int]) -> list[list[dict[str, Any]]]:
    """Rows of the matrix chart from probability 5 (top) to 1, each cell with its count and band."""
    return [
        [
            {
                "p": p,
                "c": c,
                "count": counts.get((p, c), 0),
                "band": scoring.matrix_band(p * c),
                "score": p * c,
            }
            for c in range(1, 6)
        ]
        for p in range(5, 0, -1)
    ]


# --- the network comparison -----------------------------------------------------------------------


def _approved_of_kind(kind: str) -> Any:
    return (
        Assessment.objects.filter(space__kind=kind, space__archived_at__isnull=True)
        .exclude(approved_at__isnull=True)
        .only("id", "city_id", "mode", "asset_value", "approved_at", "approved_profile")
    )


NetworkProfiles = tuple[list[Approved], list[tuple[int, Approved]]]


def network_profiles(city: City, kind: str) -> NetworkProfiles:
    """This city's approved profiles of spaces of `kind`, and those of the other sharing cities with
    their city id (never leaving this module with a space attached)."""
    mine_qs = list(_approved_of_kind(kind).filter(city=city))
    others_qs = list(_approved_of_kind(kind).filter(city__share_with_network=True).exclude(city=city))
    mine = approved_profiles(mine_qs)
    others = approved_profiles(others_qs)
    return (
        [mine[a.pk] for a in mine_qs if a.pk in mine],
        [(a.city_id, others[a.pk]) for a in others_qs if a.pk in others],
    )


@dataclass(frozen=True)
class ComparisonRow:
    attack_type: str
    label: str
    mine: scoring.Quartiles | None
    network: scoring.Quartiles | None


def network_comparison(
    city: City, kind: str, *, profiles: NetworkProfiles | None = None
) -> list[ComparisonRow]:
    """Per attack type, this city's approved scores for spaces of `kind` next to those of sharing
    cities, on the 5×5 scale (a FEMA scenario by its equivalent cell).

    Only aggregates leave other cities, never a space's name or id, and only when at least three
    spaces of two other cities are behind them (scoring.MIN_SPACES, scoring.MIN_OTHER_CITIES).
    `profiles` are `network_profiles(city, kind)` when the caller has read them already.
    """
    mine, others = profiles if profiles is not None else network_profiles(city, kind)
    network = scoring.network_aggregates((cid, prof.equivalent_scores()) for cid, prof in others)
    mine_scores: dict[str, list[float]] = {}
    for prof in mine:
        for attack, score in prof.equivalent_scores().items():
            mine_scores.setdefault(attack, []).append(score)
    return [
        ComparisonRow(
            attack,
            str(AttackType(attack).label),
            scoring.quartiles(mine_scores[attack]) if attack in mine_scores else None,
            network.get(attack),
        )
        for attack in ATTACK_ORDER
    ]


@dataclass(frozen=True)
class CoverageRow:
    """How common one catalogue measure is at approved spaces of a kind: here and in the network."""

    code: str
    label: str
    mine_with: int
    mine_spaces: int
    network_share: float | None  # None below the privacy thresholds

    @property
    def mine_share(self) -> float | None:
        return self.mine_with / self.mine_spaces if self.mine_spaces else None


@dataclass(frozen=True)
class MeasureCoverage:
    rows: list[CoverageRow]
    mine_spaces: int
    network_spaces: int | None  # None below the privacy thresholds


def measure_coverage(city: City, kind: str, *, profiles: NetworkProfiles | None = None) -> MeasureCoverage:
    """Per measure type of the shared catalogue, the share of this city's approved spaces of `kind`
    where it exists (as approved), next to the share among the approved spaces of that kind of other
    sharing cities — shown only when at least MIN_SPACES spaces of MIN_OTHER_CITIES cities are behind
    it. A type found at none of these spaces is left out. `profiles` as for `network_comparison`."""
    from pactesur.measures.models import MeasureType

    mine, others = profiles if profiles is not None else network_profiles(city, kind)
    shown_network = (
        len(others) >= scoring.MIN_SPACES and len({cid for cid, _ in others}) >= scoring.MIN_OTHER_CITIES
    )
    rows = []
    for mtype in MeasureType.objects.shared():
        mine_with = sum(mtype.code in p.measures for p in mine)
        others_with = sum(mtype.code in p.measures for _, p in others) if shown_network else 0
        if not mine_with and not others_with:
            continue
        rows.append(
            CoverageRow(
                mtype.code,
                mtype.display_name,
                mine_with,
                len(mine),
                others_with / len(others) if shown_network else None,
            )
        )
    return MeasureCoverage(rows, len(mine), len(others) if shown_network else None)


def is_reviewable_by(assessment: Assessment, user: Any) -> bool:
    return assessment.status == Status.IN_REVIEW and assessment.submitted_by_id != getattr(user, "pk", None)


def measure_rows(assessment: Assessment) -> list[ExistingMeasure]:
    return list(assessment.measures.select_related("measure_type"))


__all__ = [
    "Approved",
    "ComparisonRow",
    "CoverageRow",
    "MeasureCoverage",
    "PendingSpace",
    "RankedSpace",
    "WhatIf",
    "WhatIfRow",
    "applied_effect",
    "approved_cells",
    "approved_profiles",
    "approved_summary",
    "city_assessments",
    "matrix_cells",
    "matrix_grid",
    "measure_coverage",
    "network_comparison",
    "not_yet_approved",
    "profile",
    "ranking",
    "top_band",
    "whatif",
]
