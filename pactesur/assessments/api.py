"""API of assessments: /api/v1/assessments/ — the same permissions as the pages (summary vs full)."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from pactesur.assessments import risk, scoring
from pactesur.assessments.models import Assessment
from pactesur.audit.actions import do_record_view
from pactesur.cities.models import cities_where, has_city_perm
from pactesur.spaces.models import Space

router = Router(tags=["assessments"])


class RiskOut(Schema):
    attack_type: str
    score: float
    band: str


class ScenarioOut(Schema):
    attack_type: str
    description: str
    evidence: str
    probability: int | None
    consequence: int | None
    threat: int | None
    vulnerability: int | None
    score: float | None
    band: str | None
    suggested_probability: int | None
    suggested_threat: int | None = None
    suggested_vulnerability: int | None = None
    suggested_consequence: int | None
    suggestion_explanation: str
    override_reason: str
    not_applicable: bool = False
    not_applicable_reason: str = ""
    facts: dict[str, Any] = {}
    decision: str = ""
    decision_reason: str = ""


class MeasureOut(Schema):
    measure_type: str
    name: str
    status: str
    notes: str
    coverage_pct: int = 100
    coverage_note: str = ""
    hours: str = "always"
    side_effects: str = ""


class AssessmentOut(Schema):
    """Summary fields for planners; `full` is true and the rest filled for security and admin."""

    id: int
    city: int
    space: int
    space_name: str
    space_kind: str
    status: str
    cycle: int
    mode: str
    review_due: datetime.date | None
    overdue: bool
    top_band: str | None
    top_score: float | None
    top_risks: list[RiskOut]
    full: bool = False
    users_description: str | None = None
    peak_times: str | None = None
    usual_crowd: int | None = None
    peak_crowd: int | None = None
    area_m2: float | None = None
    asset_value: int | None = None
    measures: list[MeasureOut] | None = None
    scenarios: list[ScenarioOut] | None = None


def _out(assessment: Assessment, *, full: bool) -> dict[str, Any]:
    prof = risk.profile(assessment)
    tops = scoring.top_risks(prof)
    today = timezone.localdate()
    data: dict[str, Any] = {
        "id": assessment.pk,
        "city": assessment.city_id,
        "space": assessment.space_id,
        "space_name": assessment.space.shown_name,
        "space_kind": assessment.space.kind,
        "status": assessment.status,
        "cycle": assessment.cycle,
        "mode": assessment.mode,
        "review_due": assessment.review_due,
        "overdue": bool(assessment.review_due and assessment.review_due < today),
        "top_band": tops[0].band if tops else None,
        "top_score": tops[0].score if tops else None,
        "top_risks": [{"attack_type": t.attack_type, "score": t.score, "band": t.band} for t in tops],
        "full": full,
    }
    if full:
        data.update(
            users_description=assessment.users_description,
            peak_times=assessment.peak_times,
            usual_crowd=assessment.usual_crowd,
            peak_crowd=assessment.peak_crowd,
            area_m2=assessment.area_m2,
            asset_value=assessment.asset_value,
            measures=[
                {
                    "measure_type": m.measure_type.code,
                    "name": m.measure_type.display_name,
                    "status": m.status,
                    "notes": m.notes,
                    "coverage_pct": m.coverage_pct,
                    "coverage_note": m.coverage_note,
                    "hours": m.hours,
                    "side_effects": m.side_effects,
                }
                for m in risk.measure_rows(assessment)
            ],
            scenarios=[
                {
                    "attack_type": s.attack_type,
                    "description": s.description,
                    "evidence": s.evidence,
                    "probability": s.probability,
                    "consequence": s.consequence,
                    "threat": s.threat,
                    "vulnerability": s.vulnerability,
                    "score": s.score,
                    "band": s.band,
                    "suggested_probability": s.suggested_probability,
                    "suggested_threat": s.suggested_threat,
                    "suggested_vulnerability": s.suggested_vulnerability,
                    "suggested_consequence": s.suggested_consequence,
                    "suggestion_explanation": s.suggestion_text,
                    "override_reason": s.override_reason,
                    "not_applicable": s.not_applicable,
                    "not_applicable_reason": s.not_applicable_reason,
                    "facts": s.facts or {},
                    "decision": s.decision,
                    "decision_reason": s.decision_reason,
                }
                for s in assessment.scenarios.all()
            ],
        )
    return data


def _one(request: HttpRequest, assessment: Assessment) -> dict[str, Any]:
    if has_city_perm(request.user, assessment.city_id, "assessment.view"):
        do_record_view(assessment, acting_user=request.user, request=request, detail={"api": True})
        return _out(assessment, full=True)
    if has_city_perm(request.user, assessment.city_id, "assessment.summary"):
        do_record_view(
            assessment, acting_user=request.user, request=request, detail={"api": True, "summary": True}
        )
        return _out(assessment, full=False)
    raise HttpError(403, _("Your role in this city does not allow this."))


@router.get("/", response=list[AssessmentOut])
def list_assessments(request: HttpRequest, city: int | None = None) -> list[dict[str, Any]]:
    """Assessments of the cities where you may see the risk summary (full fields for security and admin);
    those of archived spaces are left out (`GET /assessments/spaces/{id}` still gives them)."""
    if city is not None:
        if city not in cities_where(request.user, "city.view"):
            raise Http404
        if not has_city_perm(request.user, city, "assessment.summary"):
            raise HttpError(403, _("Your role in this city does not allow this."))
    qs = (
        Assessment.objects.for_user(request.user, "assessment.summary")
        .filter(space__archived_at__isnull=True)
        .select_related("space")
    )
    if city is not None:
        qs = qs.filter(city_id=city)
    full_cities = set(cities_where(request.user, "assessment.view"))
    return [_out(a, full=a.city_id in full_cities) for a in qs.prefetch_related("scenarios")]


@router.get("/spaces/{space_id}", response=AssessmentOut)
def space_assessment(request: HttpRequest, space_id: int) -> dict[str, Any]:
    """The assessment of one space (404 if the space has none or is not in your cities)."""
    space = get_object_or_404(Space.objects.for_user(request.user, "city.view"), pk=space_id)
    if not has_city_perm(request.user, space.city_id, "assessment.summary"):
        raise HttpError(403, _("Your role in this city does not allow this."))
    assessment = get_object_or_404(Assessment.objects.select_related("space"), space=space)
    return _one(request, assessment)


@router.get("/{assessment_id}", response=AssessmentOut)
def get_assessment(request: HttpRequest, assessment_id: int) -> dict[str, Any]:
    assessment = get_object_or_404(
        Assessment.objects.for_user(request.user, "city.view").select_related("space"), pk=assessment_id
    )
    return _one(request, assessment)
