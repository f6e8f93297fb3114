"""Pages of the reports: the current city's local protection plans, prepared in the background and
downloaded as PDF, and an investment plan as PDF.

Both documents are restricted: the roles of the city, a recently confirmed password to ask for a
plan or download one, an audit row per download, and no cache anywhere. The list of plans and its
status (JSON, for the page's script) show no restricted content and need no confirmation.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from pactesur.accounts.reauth import reauth_redirect, require_recent_auth
from pactesur.cities.access import current_city_or_403, get_city_object_or_404
from pactesur.cities.models import City, has_city_perm
from pactesur.cities.time_zones import city_zone
from pactesur.measures.models import InvestmentPlan, PlanComputation
from pactesur.reports.actions import (
    PreparedPlanMissingError,
    do_export_investment_plan,
    do_request_protection_plan,
    prepared_plan_file,
)
from pactesur.reports.content import city_language
from pactesur.reports.models import KEPT_PER_CITY, ReportFile, ReportStatus

# The local protection plan gathers restricted analyses and the plans: both permissions are needed.
PROTECTION_PLAN_ACTIONS = ("analysis.view", "plan.view")
# A prepared plan is sent in pieces of this size.
DOWNLOAD_CHUNK_BYTES = 256 * 1024
# Plans the page lists at most (a city keeps its `KEPT_PER_CITY` newest ready and failed ones, and
# those not finished yet).
LISTED = 20
NO_WORKER_HINT = gettext_lazy(
    "Still waiting for a worker: is `pactesur serve` (or `pactesur manage db_worker`) running on the server?"
)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, no_store=True, private=True)
    return response


def _plans_city(request: HttpRequest) -> City:
    """The request's city, if the user may read its local protection plan; else 403."""
    city = current_city_or_403(request, PROTECTION_PLAN_ACTIONS[0])
    if not all(has_city_perm(request.user, city, action) for action in PROTECTION_PLAN_ACTIONS):
        raise PermissionDenied(_("Your role in this city does not allow this."))
    return city


class PrepareForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language of the plan"), choices=settings.LANGUAGES)


def _plans(request: HttpRequest, city: City) -> list[ReportFile]:
    return list(
        ReportFile.objects.for_user(request.user, city=city)
        .select_related("city")
        .order_by("-created_at", "-pk")[:LISTED]
    )


def _status_text(report: ReportFile) -> str:
    """The status a person reads: why a plan failed, or that no worker seems to run."""
    label = str(report.get_status_display())
    if report.status == ReportStatus.FAILED and report.error:
        return f"{label}: {report.shown_error}"
    if report.waits_for_a_worker:
        return f"{label}. {NO_WORKER_HINT}"
    return label


def _plan_json(report: ReportFile) -> dict[str, Any]:
    from django.template.defaultfilters import filesizeformat

    done = report.status == ReportStatus.DONE
    return {
        "id": report.pk,
        "status": report.status,
        "status_text": _status_text(report),
        "size": str(filesizeformat(report.size_bytes)) if done else "",
        "pages": report.pages if done else None,
        "download_url": reverse("reports:download", args=[report.pk]) if done else "",
    }


@require_http_methods(["GET", "POST"])
@login_required
def protection_plan(request: HttpRequest) -> HttpResponse:
    """The current city's local protection plans: ask for a new one (POST), list the prepared ones."""
    city = _plans_city(request)
    language = city_language(city)
    form = PrepareForm(initial={"language": language})
    if request.method == "POST":
        confirm = reauth_redirect(request, fallback="reports:protection_plan")
        if confirm is not None:
            return confirm
        # Without a language, the city's (the form always sends one).
        form = PrepareForm(request.POST or {"language": language})
        if form.is_valid():
            _report, new = do_request_protection_plan(
                city, acting_user=request.user, language=form.cleaned_data["language"], request=request
            )
            if new:
                messages.success(
                    request,
                    _("The local protection plan is being prepared: it appears below when it is ready."),
                )
            else:
                messages.info(request, _("The plan you asked for in this language is still being prepared."))
            return redirect("reports:protection_plan")
    plans = _plans(request, city)
    zone = city_zone(city)
    response = render(
        request,
        "reports/plans.html",
        {
            "city": city,
            "form": form,
            "kept": KEPT_PER_CITY,
            "plans": [
                {
                    "report": p,
                    "asked_at": date_format(timezone.localtime(p.created_at, zone), "SHORT_DATETIME_FORMAT"),
                    **_plan_json(p),
                }
                for p in plans
            ],
            "status_data": {
                "statusUrl": reverse("reports:status"),
                "pending": any(p.pending for p in plans),
            },
        },
    )
    patch_cache_control(response, no_store=True, private=True)
    return response


@require_GET
@login_required
def status(request: HttpRequest) -> HttpResponse:
    """The listed plans' status, for the page's script while one is being prepared."""
    city = _plans_city(request)
    plans = _plans(request, city)
    response = JsonResponse(
        {"pending": any(p.pending for p in plans), "plans": [_plan_json(p) for p in plans]}
    )
    patch_cache_control(response, no_store=True, private=True)
    return response


@require_GET
@login_required
def download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A prepared plan's PDF: only in its city, for those who may read the plan; audited."""
    # As `require_recent_auth` does, which is typed for views answering an HttpResponse.
    confirm = reauth_redirect(request)
    if confirm is not None:
        return confirm
    report: ReportFile = get_city_object_or_404(
        ReportFile.objects.select_related("city"), request.user, PROTECTION_PLAN_ACTIONS[0], pk=pk
    )
    if not has_city_perm(request.user, report.city_id, PROTECTION_PLAN_ACTIONS[1]):
        raise PermissionDenied
    try:
        path = prepared_plan_file(report, acting_user=request.user, request=request)
    except PreparedPlanMissingError as exc:
        raise Http404(_("This plan is not ready, or no longer on the server: prepare it again.")) from exc
    day = timezone.localdate(report.created_at, city_zone(report.city)).isoformat()
    response = StreamingHttpResponse(_chunks_of(path), content_type="application/pdf")
    response["Content-Length"] = str(path.stat().st_size)
    response["Content-Disposition"] = (
        f'attachment; filename="protection-plan-{report.city.slug}-{day}-{report.pk}.pdf"'
    )
    patch_cache_control(response, no_store=True, private=True)
    return response


def _chunks_of(path: Path) -> Iterator[bytes]:
    """The file's bytes, opened only once the response is sent (and closed with it)."""
    with path.open("rb") as stream:
        while chunk := stream.read(DOWNLOAD_CHUNK_BYTES):
            yield chunk


@require_GET
@login_required
@require_recent_auth
def investment_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """An investment plan as PDF, in the reader's language: what its page shows, with the frontier."""
    plan: InvestmentPlan = get_city_object_or_404(
        InvestmentPlan.objects.select_related("city", "approved_by"), request.user, "plan.view", pk=pk
    )
    if plan.computation != PlanComputation.DONE:
        # nothing to print yet: the plan's page says how far its computation has got
        return redirect("measures:plan", pk=plan.pk)
    pdf = do_export_investment_plan(plan, acting_user=request.user, request=request)
    return _pdf(pdf, f"investment-plan-{plan.pk}.pdf")
