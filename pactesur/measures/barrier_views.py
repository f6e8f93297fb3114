"""Pages of barrier plans: the city's plans and a new one for a space, a plan drawn on its space's map
with the engine's judgement before and after, and its approval.

Planners, security managers and administrators design plans (`plan.edit`); security managers and
administrators approve them (`plan.approve`). The judgement's summary per class (fastest impact
before and after, entries stopped and left open) and each element's verdict are for everyone who
reads the plan; the entries one by one, with where they are, only for those who read the full
approach analysis (`analysis.view`), as on the analysis pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pactesur.cities.access import current_city_or_403, get_city_object_or_404
from pactesur.cities.models import has_city_perm
from pactesur.measures import barrier_wording, barriers
from pactesur.measures.barrier_actions import (
    do_approve_barrier_plan,
    do_check_barrier_plan,
    do_create_barrier_plan,
    do_update_barrier_plan,
)
from pactesur.measures.barrier_forms import ElementFormSet, NewBarrierPlanForm, PlanHeaderForm, initial_of
from pactesur.measures.models import BarrierPlan, MeasureType
from pactesur.spaces.models import Space


def _plan_or_404(request: HttpRequest, pk: int, action: str = "plan.view") -> BarrierPlan:
    plan: BarrierPlan = get_city_object_or_404(
        BarrierPlan.objects.select_related("city", "space", "created_by", "approved_by"),
        request.user,
        action,
        pk=pk,
    )
    return plan


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@require_http_methods(["GET", "POST"])
@login_required
def barrier_list(request: HttpRequest) -> HttpResponse:
    """The city's barrier plans; POST starts a new one for a space (from the engine's proposal or empty)."""
    city = current_city_or_403(request, "plan.view")
    can_edit = has_city_perm(request.user, city, "plan.edit")
    spaces = Space.objects.for_user(request.user, "space.view", city=city).active().order_by("name")
    initial = {}
    if request.GET.get("space", "").isdigit():
        initial["space"] = int(request.GET["space"])
    form = NewBarrierPlanForm(request.POST or None, spaces=spaces, initial=initial)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Your role in this city does not allow this."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = do_create_barrier_plan(
                    data["space"],
                    acting_user=request.user,
                    name=data["name"],
                    vehicles=data["vehicles"],
                    from_proposal=data["start"] == "proposal",
                    request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("measures:barrier", pk=plan.pk)
    listed = BarrierPlan.objects.for_user(request.user, "plan.view", city=city)
    focus = spaces.filter(pk=initial["space"]).first() if "space" in initial else None
    if focus is not None:
        listed = listed.filter(space=focus)
    plans = list(listed.select_related("space").defer("proposal", "judgement"))
    rows = []
    for plan in _with_judgement(plans):
        state = barriers.shown_state(plan)
        rows.append({"plan": plan, "state": state, "state_label": barrier_wording.STATE_LABELS[state]})
    return render(
        request,
        "measures/barriers.html",
        {
            "city": city,
            "rows": rows,
            "focus": focus,
            "form": form,
            "can_edit": can_edit,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _with_judgement(plans: list[BarrierPlan]) -> list[BarrierPlan]:
    """The plans with their judgement's verdict (the deferred field read for the list's states only)."""
    verdicts = dict(
        BarrierPlan.objects.filter(pk__in=[p.pk for p in plans]).values_list("pk", "judgement__accepted")
    )
    for plan in plans:
        accepted = verdicts.get(plan.pk)
        plan.judgement = {} if accepted is None else {"accepted": bool(accepted)}
    return plans


def _map_data(plan: BarrierPlan, *, detail: bool, current: bool) -> dict[str, Any]:
    """What the plan's map draws: the space, the elements with their verdict, the proposed lines, the
    existing barriers and, for those who read the full analysis, the entries before and after."""
    from pactesur.spaces.views import basemap_url

    judgement = plan.judgement if current else {}
    verdicts = barrier_wording.element_verdicts(judgement)
    elements = [
        {
            "type": "Feature",
            "geometry": e["geometry"],
            "properties": {
                "number": i + 1,
                "kind": e["kind"],
                "label": e.get("label") or "",
                "verdict": verdicts.get(i, {}).get("state", "unchecked"),
            },
        }
        for i, e in enumerate(plan.elements)
    ]
    proposed = [
        {
            "type": "Feature",
            "geometry": line["geometry"],
            "properties": {"rating": line.get("design_rating"), "names": line.get("names") or []},
        }
        for line in plan.proposal.get("lines", [])
    ]
    entries = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [e["lon"], e["lat"]]},
            "properties": {
                "vehicle": e["vehicle"],
                "status": e["status"],
                "open": e["status"] in ("open", "new"),
                "speed": e.get("impact_speed_after_kmh") or e.get("impact_speed_before_kmh"),
            },
        }
        for e in (judgement.get("entries", []) if detail else [])
    ]
    return {
        "basemapUrl": basemap_url(plan.city),
        "space": {
            "type": "Feature",
            "geometry": plan.space.display_polygon,
            "properties": {"name": plan.space.shown_name},
        },
        "elements": {"type": "FeatureCollection", "features": elements},
        "proposed": {"type": "FeatureCollection", "features": proposed},
        "entries": {"type": "FeatureCollection", "features": entries},
        "labels": barrier_wording.map_labels(),
    }


def _existing_barriers(space: Space) -> list[dict[str, Any]]:
    """The existing barriers the analysis found on the space's approaches, with the rating they need."""
    from pactesur.analysis.results import barrier_rows, space_analyses

    _inputs, analyses = space_analyses(space)
    groups, _flat = barrier_rows(analyses)
    return groups


def _render(
    request: HttpRequest,
    plan: BarrierPlan,
    header: PlanHeaderForm,
    formset: Any,
    *,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    detail = has_city_perm(user, plan.city_id, "analysis.view")
    # one reading of the current network and outline for the whole page
    current = barriers.check_is_current(plan)
    state = barriers.shown_state(plan, current=current)
    judgement = plan.judgement
    return render(
        request,
        "measures/barrier.html",
        {
            "plan": plan,
            "header": header,
            "formset": formset,
            "can_edit": has_city_perm(user, plan.city_id, "plan.edit"),
            # "accepted": the engine accepts the draft as it is now
            "can_approve": state == "accepted" and has_city_perm(user, plan.city_id, "plan.approve"),
            "detail": detail,
            "state": state,
            "state_label": barrier_wording.STATE_LABELS[state],
            "current": current,
            "summary": barriers.speed_summary(judgement) if judgement else [],
            "element_rows": barrier_wording.element_rows(judgement, plan.elements) if judgement else [],
            "entry_rows": barrier_wording.entry_rows(judgement) if judgement and detail else [],
            "open_reasons": barrier_wording.open_reasons(judgement) if judgement else [],
            "cost": plan.cost,
            "cost_rows": barrier_wording.cost_rows(plan.cost),
            "unpriced_rows": barrier_wording.unpriced_rows(plan.cost, plan.elements),
            "proposal_rows": barrier_wording.proposal_rows(plan.proposal, plan.city_id),
            "existing": _existing_barriers(plan.space),
            "map_data": _map_data(plan, detail=detail, current=current),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def barrier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A plan on its space's map; POST saves the drawn elements (and checks them with "Save and check")."""
    plan = _plan_or_404(request, pk)
    types = list(MeasureType.objects.for_city(plan.city_id))
    if request.method != "POST":
        header = PlanHeaderForm(initial={"name": plan.name, "vehicles": plan.vehicles})
        formset = ElementFormSet(initial=[initial_of(e) for e in plan.elements], types=types, prefix="el")
        return _render(request, plan, header, formset)
    if not has_city_perm(request.user, plan.city_id, "plan.edit"):
        raise PermissionDenied(_("Your role in this city does not allow this."))
    header = PlanHeaderForm(request.POST)
    formset = ElementFormSet(
        request.POST, initial=[initial_of(e) for e in plan.elements], types=types, prefix="el"
    )
    if not (header.is_valid() and formset.is_valid()):
        return _render(request, plan, header, formset, status=400)
    try:
        plan = do_update_barrier_plan(
            plan,
            acting_user=request.user,
            name=header.cleaned_data["name"],
            vehicles=header.cleaned_data["vehicles"],
            elements=formset.elements(),
            request=request,
        )
    except ValidationError as exc:
        header.add_error(None, exc)
        return _render(request, plan, header, formset, status=400)
    if "check" in request.POST:
        try:
            plan = do_check_barrier_plan(plan, acting_user=request.user, request=request)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            if plan.judgement.get("accepted"):
                messages.success(
                    request,
                    _("The engine accepts the plan: every entry of the classes it covers is stopped."),
                )
            else:
                messages.warning(
                    request, _("The engine does not accept the plan: see the entries it leaves open.")
                )
    else:
        messages.success(request, _("Plan saved."))
    return redirect(reverse("measures:barrier", args=[plan.pk]) + "#judgement")


@require_POST
@login_required
def barrier_approve(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk, "plan.approve")
    try:
        do_approve_barrier_plan(plan, acting_user=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Barrier plan “%(name)s” approved.") % {"name": plan.name})
    return redirect("measures:barrier", pk=plan.pk)
