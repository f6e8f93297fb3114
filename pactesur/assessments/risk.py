"""Read-side risk views of assessments: profile, what-if, city ranking, matrix, network comparison."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch

from pactesur.assessments import scoring
from pactesur.assessments.library import ATTACK_ORDER, AttackType
from pactesur.assessments.models import Assessment, ExistingMeasure, MeasureStatus, Scenario, Status
from pactesur.cities.models import City


def profile(assessment: Assessment) -> list[scoring.ScenarioRisk]:
    """Every fully rated scenario of the assessment with its score and band, in library order."""
    rows = []
    for s in assessment.scenarios.all():
        score = s.score_in(assessment.mode, assessment.asset_value)
        if score is None:
            continue
        band = scoring.fema_band(score) if assessment.is_fema else scoring.matrix_band(score)
        rows.append(scoring.ScenarioRisk(s.attack_type, score, band, s.probability or 0, s.consequence or 0))
    return rows


def top_band(assessment: Assessment) -> str | None:
    top = scoring.top_risks(profile(assessment), limit=1)
    return top[0].band if top else None


@dataclass(frozen=True)
class WhatIfRow:
    scenario: Scenario
    score: float | None
    band: str | None
    residual: scoring.Residual | None


def whatif(assessment: Assessment, planned_ids: Iterable[int]) -> list[WhatIfRow]:
    """Residual risk per scenario when the planned measures `planned_ids` are switched on.

    Existing measures are already reflected in the ratings; only planned ones change them here.
    """
    chosen = set(planned_ids)
    measures = [
        m
        for m in assessment.measures.select_related("measure_type")
        if m.status == MeasureStatus.PLANNED and m.pk in chosen
    ]
    rows = []
    for s in assessment.scenarios.all():
        score = s.score_in(assessment.mode, assessment.asset_value)
        effects = [m.measure_type.effect_on(s.attack_type) for m in measures]
        residual: scoring.Residual | None = None
        # A score exists only when every factor of the mode is rated (Scenario.score_in).
        if score is not None and assessment.is_fema:
            residual = scoring.fema_residual(
                assessment.asset_value or 1, s.threat or 1, s.vulnerability or 1, effects
            )
        elif score is not None:
            residual = scoring.matrix_residual(s.probability or 1, s.consequence or 1, effects)
        band = None
        if score is not None:
            band = scoring.fema_band(score) if assessment.is_fema else scoring.matrix_band(score)
        rows.append(WhatIfRow(s, score, band, residual))
    return rows


@dataclass(frozen=True)
class RankedSpace:
    assessment: Assessment
    top: scoring.ScenarioRisk | None
    top_risks: list[scoring.ScenarioRisk]
    profile_total: float
    overdue: bool


def city_assessments(city: City) -> list[Assessment]:
    """The assessments of the city's spaces in use: an archived space leaves the dashboard and report."""
    return list(
        Assessment.objects.filter(city=city, space__archived_at__isnull=True)
        .select_related("space", "city")
        .prefetch_related(Prefetch("scenarios", queryset=Scenario.objects.order_by("order", "id")))
    )


def ranking(assessments: Iterable[Assessment], *, today: datetime.date) -> list[RankedSpace]:
    """Spaces by risk: top scenario score, then the sum of the profile; unrated spaces last."""
    rows = []
    for a in assessments:
        prof = profile(a)
        tops = scoring.top_risks(prof)
        rows.append(
            RankedSpace(
                a,
                tops[0] if tops else None,
                tops,
                scoring.space_rank_key(prof)[1],
                bool(a.review_due and a.review_due < today),
            )
        )
    # FEMA and 5×5 scores are on different scales: rank by band first, then by score.
    band_rank = {b: i for i, b in enumerate(scoring.BANDS)}
    rows.sort(
        key=lambda r: (
            -(band_rank[r.top.band] if r.top else -1),
            -(normalised_score(r.assessment, r.top.score) if r.top else 0.0),
            -r.profile_total,
            r.assessment.space.shown_name.casefold(),
        )
    )
    return rows


def normalised_score(assessment: Assessment, score: float) -> float:
    """A score as a share of its scale's maximum (25 or 1000), to order 5×5 and FEMA spaces together."""
    return score / (1000.0 if assessment.is_fema else 25.0)


def matrix_cells(assessments: Iterable[Assessment]) -> dict[tuple[int, int], int]:
    """Counts of rated 5×5 scenarios per (probability, consequence) cell (FEMA-mode ones are left out)."""
    cells: list[tuple[int, int]] = []
    for a in assessments:
        if a.is_fema:
            continue
        cells.extend(
            (s.probability, s.consequence) for s in a.scenarios.all() if s.probability and s.consequence
        )
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


@dataclass(frozen=True)
class ComparisonRow:
    attack_type: str
    label: str
    mine: scoring.Quartiles | None
    network: scoring.Quartiles | None


def network_comparison(city: City, kind: str) -> list[ComparisonRow]:
    """Per attack type, this city's approved 5×5 scores for spaces of `kind` next to those of sharing cities.

    Only aggregates leave other cities, never a space's name or id, and only when at least three
    spaces of two other cities are behind them (scoring.MIN_SPACES, scoring.MIN_OTHER_CITIES).
    """
    others = (
        Assessment.objects.filter(
            space__kind=kind, space__archived_at__isnull=True, city__share_with_network=True, mode="matrix"
        )
        .exclude(city=city)
        .exclude(approved_at__isnull=True)
        .values_list("city_id", "approved_profile")
    )
    network = scoring.network_aggregates((cid, prof) for cid, prof in others if prof)
    mine_scores: dict[str, list[float]] = {}
    for prof in (
        Assessment.objects.filter(space__kind=kind, space__archived_at__isnull=True, city=city, mode="matrix")
        .exclude(approved_at__isnull=True)
        .values_list("approved_profile", flat=True)
    ):
        for attack, score in (prof or {}).items():
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


def is_reviewable_by(assessment: Assessment, user: Any) -> bool:
    return assessment.status == Status.IN_REVIEW and assessment.submitted_by_id != getattr(user, "pk", None)


def measure_rows(assessment: Assessment) -> list[ExistingMeasure]:
    return list(assessment.measures.select_related("measure_type"))
