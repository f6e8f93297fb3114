"""Pages of re-assessment: the city's threat level, the attacks it records, the open flags.

Security managers and administrators of the current city record and read them; each page view and
each change is audited; a flag is dismissed through its assessment's city (404 outside it).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from pactesur.assessments import triggers
from pactesur.assessments.library import AttackType
from pactesur.assessments.models import Assessment, ReassessmentFlag, RecordedAttack, ThreatLevel
from pactesur.assessments.views import _run
from pactesur.audit.actions import do_record_audit
from pactesur.audit.models import AuditAction
from pactesur.cities.access import current_city_or_403
from pactesur.cities.models import City, has_city_perm
from pactesur.spaces.models import Space

# How many recorded levels and attacks the pages list, newest first.
HISTORY_ROWS = 50


class ThreatLevelForm(forms.Form):
    level = forms.TypedChoiceField(
        label=gettext_lazy("Threat level"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        help_text=gettext_lazy("1 is the lowest level of your country’s scale, 5 the highest."),
    )
    name = forms.CharField(
        label=gettext_lazy("National name of the level"),
        max_length=80,
        required=False,
        help_text=gettext_lazy("As the national authority words it, for instance “Substantial”."),
    )
    source = forms.CharField(
        label=gettext_lazy("Source and police advice"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AttackForm(forms.Form):
    attack_type = forms.ChoiceField(label=gettext_lazy("Attack type"), choices=AttackType.choices)
    happened_on = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(
        label=gettext_lazy("Place"),
        max_length=200,
        help_text=gettext_lazy("The space and the town, for instance “Breitscheidplatz, Berlin”."),
    )
    space = forms.ModelChoiceField(
        label=gettext_lazy("At this space of the city"),
        queryset=Space.objects.none(),
        required=False,
        help_text=gettext_lazy("Leave empty for an attack elsewhere."),
    )
    space_kind = forms.ChoiceField(
        label=gettext_lazy("Kind of space attacked"),
        required=False,
        help_text=gettext_lazy(
            "For an attack elsewhere: the city’s assessments of spaces of this kind are flagged."
        ),
    )
    description = forms.CharField(
        label=gettext_lazy("What happened"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.CharField(
        label=gettext_lazy("Source"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, city: City, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        space_field = self.fields["space"]
        assert isinstance(space_field, forms.ModelChoiceField)
        space_field.queryset = Space.objects.for_user(user, "space.view", city=city).active()
        space_field.label_from_instance = lambda space: space.display_name  # type: ignore[method-assign,assignment]
        kind_field = self.fields["space_kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = [("", "—"), *triggers.kind_choices()]


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why no re-assessment is needed"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _record_view(request: HttpRequest, city: City, what: str) -> None:
    do_record_audit(
        AuditAction.VIEW, acting_user=request.user, city=city, request=request, detail={"what": what}
    )


def _city_for(request: HttpRequest) -> City:
    """The current city, for reading (GET) or recording (POST) by a security manager or administrator."""
    return current_city_or_403(request, "assessment.edit" if request.method == "POST" else "assessment.view")


@require_http_methods(["GET", "POST"])
@login_required
def threat_level(request: HttpRequest) -> HttpResponse:
    """The city's threat level: the current one, its history, and the form to record a change."""
    city = _city_for(request)
    form = ThreatLevelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _run(
            request,
            lambda: triggers.do_set_threat_level(
                city,
                data["level"],
                name=data["name"],
                source=data["source"],
                acting_user=request.user,
                request=request,
            ),
            _("Threat level recorded."),
        ):
            return redirect("assessments:threat_level")
    elif request.method == "GET":
        _record_view(request, city, "threat levels")
    levels = list(ThreatLevel.objects.filter(city=city).select_related("set_by")[:HISTORY_ROWS])
    return render(
        request,
        "assessments/threat_level.html",
        {"city": city, "form": form, "levels": levels, "current": levels[0] if levels else None},
    )


@require_http_methods(["GET", "POST"])
@login_required
def recorded_attacks(request: HttpRequest) -> HttpResponse:
    """The attacks and incidents the city recorded, and the form to record one."""
    city = _city_for(request)
    form = AttackForm(request.POST or None, city=city, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _run(
            request,
            lambda: triggers.do_record_attack(
                city,
                attack_type=data["attack_type"],
                happened_on=data["happened_on"],
                place=data["place"],
                space=data["space"],
                space_kind=data["space_kind"],
                description=data["description"],
                source=data["source"],
                acting_user=request.user,
                request=request,
            ),
            _("Attack recorded: the assessments it concerns are flagged for re-assessment."),
        ):
            return redirect("assessments:attacks")
    elif request.method == "GET":
        _record_view(request, city, "recorded attacks")
    attacks = list(RecordedAttack.objects.filter(city=city).select_related("space")[:HISTORY_ROWS])
    return render(
        request,
        "assessments/recorded_attacks.html",
        {
            "city": city,
            "form": form,
            "attacks": [
                {"a": a, "kind": dict(triggers.kind_choices()).get(a.space_kind, "")} for a in attacks
            ],
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET"])
@login_required
def flags(request: HttpRequest) -> HttpResponse:
    """The open re-assessment flags of the city's assessments, with their tasks."""
    city = current_city_or_403(request, "assessment.view")
    rows = triggers.open_flags_for_city(city)
    _record_view(request, city, "re-assessment flags")
    return render(
        request,
        "assessments/flags.html",
        {
            "city": city,
            "flags": rows,
            "can_dismiss": has_city_perm(request.user, city, "assessment.review"),
            "dismiss_form": DismissForm(),
        },
    )


@require_POST
@login_required
def flag_dismiss(request: HttpRequest, flag_id: int) -> HttpResponse:
    """Dismiss an open flag with a reason: the change needs no re-assessment."""
    flag = get_object_or_404(
        ReassessmentFlag.objects.select_related("assessment"),
        pk=flag_id,
        assessment__in=Assessment.objects.for_user(request.user, "city.view"),
    )
    if not has_city_perm(request.user, flag.assessment.city_id, "assessment.review"):
        raise PermissionDenied
    form = DismissForm(request.POST)
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        _run(
            request,
            lambda: triggers.do_dismiss_flag(flag, reason, acting_user=request.user, request=request),
            _("Flag dismissed."),
        )
    else:
        messages.error(request, _("Say why this change needs no re-assessment."))
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("assessments:flags")
