"""Builders of the reports tests: real analyses, a barrier plan checked by the engine, an investment
plan solved for real, local protection plans asked for and prepared as from the web, and PDFs read
back as text."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.utils import timezone
from pypdf import PdfReader

from pactesur.analysis.actions import do_run_city_analysis
from pactesur.assessments.actions import do_start_assessment
from pactesur.assessments.models import Assessment
from pactesur.measures import barriers
from pactesur.measures.actions import do_approve_plan, do_compute_plan, do_create_plan
from pactesur.measures.models import BarrierPlan, InvestmentPlan, MeasureType, PlanStatus
from pactesur.reports.models import ReportFile, ReportStatus
from pactesur.reports.tasks import prepare_protection_plan
from pactesur.spaces.actions import do_create_space
from tests.analysis.helpers import import_leeds, woodhouse_box
from tests.assessments.helpers import rate, settle_the_rest
from tests.auth_support import confirm_password

CROSSING = "Woodhouse Lane crossing"


def analyse_leeds(city: Any) -> Any:
    """Import Leeds as the city's network, add the Woodhouse Lane crossing with its crowd figures and
    analyse every space in use; return the crossing."""
    import_leeds(city)
    crossing = do_create_space(
        city,
        acting_user=None,
        name=CROSSING,
        kind="square",
        polygon=woodhouse_box(),
        capacity=8000,
        usual_crowd=1200,
        peak_crowd=6500,
    )
    do_run_city_analysis(city)
    return crossing


def barrier_plan(
    space: Any,
    *,
    vehicles: tuple[str, ...] = ("M1", "N3C"),
    keep: int | None = None,
    approved_by: Any = None,
    name: str = "Crossing lines",
) -> BarrierPlan:
    """The engine's proposed lines for the space (the first `keep` of them), checked by the engine
    on the current inputs, costed from the catalogue; approved when `approved_by` is given."""
    proposal = barriers.run_proposal(space, list(vehicles))
    elements = barriers.proposal_elements(proposal, MeasureType.objects.for_city(space.city))
    plan = BarrierPlan.objects.create(
        city=space.city,
        space=space,
        name=name,
        vehicles=list(vehicles),
        elements=elements[:keep] if keep is not None else elements,
        proposal=proposal,
    )
    plan.judgement = barriers.run_check(plan)
    plan.checked_inputs = barriers.current_inputs(plan) or {}
    plan.checked_at = timezone.now()
    plan.cost = barriers.plan_cost(plan.elements, space.city)
    if approved_by is not None:
        plan.status = PlanStatus.APPROVED
        plan.approved_by = approved_by
        plan.approved_at = timezone.now()
    plan.save()
    return plan


def assessed(
    space: Any,
    user: Any = None,
    *,
    review_due: datetime.date | None = None,
    approved_by: Any = None,
) -> Assessment:
    """The space's assessment: a vehicle scenario rated 5 × 5, the others not applicable; submitted by
    `user` and approved by `approved_by` when given (only approved assessments are ranked)."""
    assessment = do_start_assessment(space, acting_user=user)
    rate(assessment, "vehicle", 5, 5, user)
    settle_the_rest(assessment, user)
    if approved_by is not None:
        from pactesur.assessments.actions import do_approve_assessment, do_submit_assessment

        do_submit_assessment(assessment, acting_user=user)
        do_approve_assessment(assessment, acting_user=approved_by)
    if review_due is not None:
        Assessment.objects.filter(pk=assessment.pk).update(review_due=review_due)
        assessment.refresh_from_db()
    return assessment


def investment_plan(
    city: Any, *, approved_by: Any = None, name: str = "Plan 2027", budget_eur: int = 150_000
) -> InvestmentPlan:
    plan = do_compute_plan(do_create_plan(city, acting_user=None, name=name, budget_eur=budget_eur).pk)
    assert plan is not None
    if approved_by is not None:
        plan = do_approve_plan(plan, acting_user=approved_by)
    return plan


def pages(pdf: bytes) -> list[str]:
    """The text of each page, with its runs of white space (no-break ones included) made one space."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def images(pdf: bytes) -> set[str]:
    """The distinct images the document draws."""
    return {image.name for page in PdfReader(io.BytesIO(pdf)).pages for image in page.images}


def ask_for_plan(
    client: Any, user: Any, *, language: str | None = None, page: str = "/reports/"
) -> ReportFile:
    """Log `user` in, confirm the password and press "Prepare the local protection plan" on `page`;
    return the plan asked for (queued)."""
    client.force_login(user)
    confirm_password(client)
    response = client.post(page, {"language": language} if language else {})
    assert response.status_code == 302, response.status_code
    assert response["Location"].endswith(page)
    return ReportFile.objects.filter(requested_by=user).order_by("-created_at", "-pk").first()


def prepare(report: ReportFile) -> ReportFile:
    """Run the background task that prepares `report`, as a worker does; return it ready."""
    prepare_protection_plan.call(report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.shown_error
    return report


def download(client: Any, report: ReportFile) -> bytes:
    """The prepared plan's PDF as the logged-in person downloads it: a restricted, uncached attachment."""
    response = client.get(f"/reports/{report.pk}/download.pdf")
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="protection-plan-{report.city.slug}-'
    )
    assert {"no-store", "private"} <= {d.strip() for d in response["Cache-Control"].split(",")}
    return b"".join(response.streaming_content)


def plan_pdf(client: Any, user: Any, *, language: str | None = None, page: str = "/reports/") -> bytes:
    """The local protection plan `user` asks for on the web, prepared and downloaded."""
    return download(client, prepare(ask_for_plan(client, user, language=language, page=page)))
