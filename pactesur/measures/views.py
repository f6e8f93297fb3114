"""Pages of the measure catalogue: the list (shared types and the city's own), a type's page, adding
and editing a type."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from pactesur.assessments.library import ATTACK_ORDER, AttackType
from pactesur.cities.access import current_city_or_403, get_city_object_or_404
from pactesur.cities.models import cities_where, has_city_perm
from pactesur.measures.access import catalogue_city, may_add, may_edit, type_or_404, visible_types
from pactesur.measures.actions import (
    do_add_feedback,
    do_create_measure_type,
    do_record_installation,
    do_update_installation,
    do_update_measure_type,
)
from pactesur.measures.experience import describe, recorded_costs, shared_records
from pactesur.measures.forms import FeedbackForm, InstallationForm, MeasureTypeForm, add_action_errors
from pactesur.measures.library import MeasureFamily, MeasureKind
from pactesur.measures.models import InstalledMeasure, MeasureFeedback


@require_GET
@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    """The shared catalogue and the current city's own types, by family; filters by family and kind."""
    city = catalogue_city(request)
    types = visible_types(city).select_related("city")
    family = request.GET.get("family", "")
    kind = request.GET.get("kind", "")
    if family in MeasureFamily.values:
        types = types.filter(family=family)
    else:
        family = ""
    if kind in MeasureKind.values:
        types = types.filter(kind=kind)
    else:
        kind = ""
    rows = list(types.order_by("family", "order", "code"))
    costs = recorded_costs(rows)
    for row in rows:
        row.network_costs = describe(costs.get(row.pk))  # type: ignore[attr-defined]
    return render(
        request,
        "measures/catalogue.html",
        {
            "city": city,
            "rows": rows,
            "families": MeasureFamily.choices,
            "kinds": MeasureKind.choices,
            "family": family,
            "kind": kind,
            "can_add_own": city is not None and may_add(request.user, city),
            "can_add_shared": may_add(request.user, None),
            # the local protection plan (reports app) needs the full analyses and the plans
            "can_report": city is not None
            and has_city_perm(request.user, city, "analysis.view")
            and has_city_perm(request.user, city, "plan.view"),
        },
    )


@require_GET
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    measure = type_or_404(request, pk)
    effects = [
        (str(AttackType(attack).label), measure.effect_on(attack))
        for attack in ATTACK_ORDER
        if measure.effect_on(attack).probability or measure.effect_on(attack).consequence
    ]
    city = getattr(request, "city", None)
    return render(
        request,
        "measures/detail.html",
        {
            "measure": measure,
            "effects": effects,
            "can_edit": may_edit(request.user, measure),
            "network_costs": describe(recorded_costs([measure]).get(measure.pk)),
            "shared_records": shared_records(measure),
            "can_record": city is not None
            and measure.city_id in (None, city.pk)
            and has_city_perm(request.user, city, "measure.edit"),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def create(request: HttpRequest) -> HttpResponse:
    """Add a type: to the shared catalogue (`?scope=shared`, network experts) or to the current city's."""
    shared = request.GET.get("scope") == "shared"
    city = None if shared else catalogue_city(request)
    if not may_add(request.user, city):
        raise PermissionDenied(
            _("Only network experts add to the shared catalogue.")
            if city is None
            else _("Your role in this city does not allow this.")
        )
    form = MeasureTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            measure = do_create_measure_type(
                city, acting_user=request.user, request=request, **form.action_kwargs()
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Measure type “%(name)s” added.") % {"name": measure.display_name})
            return redirect("measures:detail", pk=measure.pk)
    return render(
        request,
        "measures/form.html",
        {"form": form, "measure": None, "city": city},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    measure = type_or_404(request, pk, edit=True)
    form = MeasureTypeForm(request.POST or None, instance=measure)
    if request.method == "POST" and form.is_valid():
        try:
            do_update_measure_type(measure, acting_user=request.user, request=request, **form.action_kwargs())
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Measure type “%(name)s” saved.") % {"name": measure.display_name})
            return redirect("measures:detail", pk=measure.pk)
    return render(
        request,
        "measures/form.html",
        {"form": form, "measure": measure, "city": measure.city},
        status=400 if form.is_bound else 200,
    )


# --- field experience ------------------------------------------------------------------------------


def _installed_or_404(request: HttpRequest, pk: int, action: str = "measure.view") -> InstalledMeasure:
    installed: InstalledMeasure = get_city_object_or_404(
        InstalledMeasure.objects.select_related("space", "measure_type", "city"), request.user, action, pk=pk
    )
    return installed


@require_GET
@login_required
def installed_list(request: HttpRequest) -> HttpResponse:
    """The measures the current city installed, with their real costs and what happened since."""
    city = current_city_or_403(request, "measure.view")
    rows = list(
        InstalledMeasure.objects.for_user(request.user, "measure.view", city=city)
        .select_related("space", "measure_type")
        .annotate(feedback_count=Count("feedback"))
    )
    return render(
        request,
        "measures/installed_list.html",
        {"city": city, "rows": rows, "can_edit": has_city_perm(request.user, city, "measure.edit")},
    )


@require_http_methods(["GET", "POST"])
@login_required
def installed_create(request: HttpRequest) -> HttpResponse:
    city = current_city_or_403(request, "measure.edit")
    initial: dict[str, Any] = {}
    for name in ("space", "measure_type"):
        value = request.GET.get(name, "")
        if value.isdigit():
            initial[name] = int(value)
    form = InstallationForm(request.POST or None, city=city, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            installed = do_record_installation(
                city, acting_user=request.user, request=request, **form.action_kwargs()
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Installed measure recorded."))
            return redirect("measures:installed_detail", pk=installed.pk)
    return render(
        request,
        "measures/installed_form.html",
        {"form": form, "installed": None, "city": city},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def installed_edit(request: HttpRequest, pk: int) -> HttpResponse:
    installed = _installed_or_404(request, pk, "measure.edit")
    form = InstallationForm(request.POST or None, city=installed.city, instance=installed)
    if request.method == "POST" and form.is_valid():
        try:
            do_update_installation(
                installed, acting_user=request.user, request=request, **form.action_kwargs()
            )
        except ValidationError as exc:
            installed.refresh_from_db()
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Installed measure saved."))
            return redirect("measures:installed_detail", pk=installed.pk)
    return render(
        request,
        "measures/installed_form.html",
        {"form": form, "installed": installed, "city": installed.city},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def installed_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An installed measure and its feedback; POST adds feedback (with an optional photo)."""
    installed = _installed_or_404(request, pk)
    can_edit = has_city_perm(request.user, installed.city_id, "measure.edit")
    form = FeedbackForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Your role in this city does not allow this."))
        if form.is_valid():
            try:
                do_add_feedback(installed, acting_user=request.user, request=request, **form.cleaned_data)
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("Feedback recorded."))
                return redirect("measures:installed_detail", pk=installed.pk)
        status = 400
    return render(
        request,
        "measures/installed_detail.html",
        {
            "installed": installed,
            "feedback": list(installed.feedback.all()),
            "form": form,
            "can_edit": can_edit,
        },
        status=status,
    )


@require_GET
@login_required
def feedback_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A feedback photo, to the members of the installed measure's city only (404 to anyone else)."""
    feedback = get_object_or_404(
        MeasureFeedback.objects.select_related("installed"),
        pk=pk,
        installed__city_id__in=cities_where(request.user, "measure.view"),
    )
    if not feedback.photo:
        raise Http404
    # At most 5 MB (checked at upload): read whole, so no file stays open behind the response.
    with feedback.photo.open("rb") as stream:
        content = stream.read()
    extension = feedback.photo.name.rsplit(".", 1)[-1]
    response = HttpResponse(content, content_type=_PHOTO_TYPES.get(extension, "application/octet-stream"))
    response["Cache-Control"] = "private, no-store"
    return response


_PHOTO_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
