"""Downloads of the reports: the current city's local protection plan and an investment plan as PDF.

Both are restricted exports: a recently confirmed password, the roles of the city, an audit row, and
no cache anywhere.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from pactesur.accounts.reauth import require_recent_auth
from pactesur.cities.access import current_city_or_403, get_city_object_or_404
from pactesur.cities.models import has_city_perm
from pactesur.measures.models import InvestmentPlan
from pactesur.reports.actions import do_export_investment_plan, do_export_protection_plan

# The local protection plan gathers restricted analyses and the plans: both permissions are needed.
PROTECTION_PLAN_ACTIONS = ("analysis.view", "plan.view")


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, no_store=True, private=True)
    return response


@require_GET
@login_required
@require_recent_auth
def protection_plan(request: HttpRequest) -> HttpResponse:
    """The current city's local protection plan, in its language (or `?language=` one the platform has)."""
    city = current_city_or_403(request, PROTECTION_PLAN_ACTIONS[0])
    if not all(has_city_perm(request.user, city, action) for action in PROTECTION_PLAN_ACTIONS):
        raise PermissionDenied(_("Your role in this city does not allow this."))
    asked = request.GET.get("language", "")
    language = asked if asked in {code for code, _name in settings.LANGUAGES} else None
    pdf = do_export_protection_plan(city, acting_user=request.user, language=language, request=request)
    return _pdf(pdf, f"protection-plan-{city.slug}-{timezone.localdate().isoformat()}.pdf")


@require_GET
@login_required
@require_recent_auth
def investment_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """An investment plan as PDF, in the reader's language: what its page shows, with the frontier."""
    plan: InvestmentPlan = get_city_object_or_404(
        InvestmentPlan.objects.select_related("city", "approved_by"), request.user, "plan.view", pk=pk
    )
    pdf = do_export_investment_plan(plan, acting_user=request.user, request=request)
    return _pdf(pdf, f"investment-plan-{plan.pk}.pdf")
