"""Pages of the decisions on each risk, the register of actions and the assessment team.

Security managers and administrators read and write them (`assessment.view`, `assessment.edit`);
planners read the open actions on the risk dashboard (`_open_actions.html`), nothing more.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from pactesur.assessments import decisions
from pactesur.assessments.models import (
    ActionStatus,
    Assessment,
    Decision,
    Organisation,
    RiskAction,
    Scenario,
)
from pactesur.assessments.views import _assessment, _band, _run
from pactesur.audit.actions import do_record_view
from pactesur.cities.models import has_city_perm
from pactesur.measures.models import MeasureType

# The largest cost the database keeps (a positive integer column).
MAX_COST_EUR = 2_147_483_647


# --- forms ---------------------------------------------------------------------------------------


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=4000,
        error_messages={"required": gettext_lazy("Say why you accept or treat this risk.")},
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Why this risk is acceptable as it is, or why it must be reduced: the reason is kept on record."
        ),
    )


class RiskActionForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Action"),
        max_length=decisions.TITLE_MAX,
        error_messages={"required": gettext_lazy("Say what is to be done.")},
        help_text=gettext_lazy("What is to be done, for example “install rated bollards at the east entry”."),
    )
    owner = forms.CharField(
        label=gettext_lazy("Owner"),
        max_length=decisions.OWNER_MAX,
        error_messages={"required": gettext_lazy("Name the person or service responsible.")},
        help_text=gettext_lazy("The person or service responsible."),
    )
    due_on = forms.DateField(
        label=gettext_lazy("Deadline"),
        error_messages={"required": gettext_lazy("Give the action a deadline.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    cost_eur = forms.IntegerField(
        label=gettext_lazy("Cost (€)"), required=False, min_value=0, max_value=MAX_COST_EUR
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=ActionStatus.choices)
    scenario = forms.ModelChoiceField(
        label=gettext_lazy("Risk it treats"), queryset=Scenario.objects.none(), required=False
    )
    measure_type = forms.ModelChoiceField(
        label=gettext_lazy("Measure from the catalogue"), queryset=MeasureType.objects.none(), required=False
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, assessment: Assessment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scenario = self.fields["scenario"]
        scenario.queryset = assessment.scenarios.filter(not_applicable=False)  # type: ignore[attr-defined]
        scenario.label_from_instance = lambda s: s.get_attack_type_display()  # type: ignore[attr-defined]
        measure = self.fields["measure_type"]
        types: QuerySet[MeasureType] = MeasureType.objects.for_city(assessment.city_id)
        measure.queryset = types.order_by("family", "order", "code")  # type: ignore[attr-defined]
        measure.label_from_instance = lambda m: m.display_name  # type: ignore[attr-defined]

    def action_fields(self) -> decisions.ActionFields:
        data = self.cleaned_data
        return decisions.ActionFields(
            title=data["title"],
            owner=data["owner"],
            due_on=data["due_on"],
            cost_eur=data["cost_eur"],
            scenario=data["scenario"],
            measure_type=data["measure_type"],
            notes=data["notes"],
        )

    @staticmethod
    def initial_for(risk_action: RiskAction) -> dict[str, Any]:
        return {
            "title": risk_action.title,
            "owner": risk_action.owner,
            "due_on": risk_action.due_on,
            "cost_eur": risk_action.cost_eur,
            "status": risk_action.status,
            "scenario": risk_action.scenario_id,
            "measure_type": risk_action.measure_type_id,
            "notes": risk_action.notes,
        }


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=ActionStatus.choices)


class TeamMemberForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=decisions.NAME_MAX,
        error_messages={"required": gettext_lazy("Give the team member's name.")},
    )
    organisation = forms.ChoiceField(label=gettext_lazy("Organisation"), choices=Organisation.choices)
    role = forms.CharField(
        label=gettext_lazy("Role in the assessment"),
        max_length=decisions.ROLE_MAX,
        required=False,
        help_text=gettext_lazy("For example: lead assessor, police counter-terrorism adviser, site manager."),
    )


# --- decisions and the register ------------------------------------------------------------------


def _decision_form(scenario: Scenario, data: Any = None) -> DecisionForm:
    initial = {"decision": scenario.decision, "reason": scenario.decision_reason}
    return DecisionForm(data, prefix=f"s{scenario.pk}", initial=initial)


def _decisions_context(
    request: HttpRequest,
    assessment: Assessment,
    *,
    bound: DecisionForm | None = None,
    bound_for: int | None = None,
    action_form: RiskActionForm | None = None,
) -> dict[str, Any]:
    today = timezone.localdate()
    register = decisions.actions_for(assessment, today=today)
    can_write = has_city_perm(request.user, assessment.city_id, "assessment.edit")
    rows, unrated = [], []
    for s in assessment.scenarios.filter(not_applicable=False):
        s.assessment = assessment
        # An unrated risk is only named, unless a decision on it was just refused: its form comes back.
        if s.score is None and bound_for != s.pk:
            unrated.append(str(s.get_attack_type_display()))
            continue
        rows.append(
            {
                "s": s,
                "band": _band(s.band),
                "rated": s.score is not None,
                "form": bound if bound is not None and bound_for == s.pk else _decision_form(s),
                "actions": [r for r in register if r.action.scenario_id == s.pk],
            }
        )
    return {
        "assessment": assessment,
        "space": assessment.space,
        "rows": rows,
        "unrated": unrated,
        "register": register,
        "totals": decisions.cost_totals(register),
        "gaps": decisions.submission_gaps(assessment) if assessment.editable else [],
        "can_decide": assessment.editable and can_write,
        "can_write": can_write,
        "action_form": action_form
        or RiskActionForm(assessment=assessment, initial={"status": ActionStatus.OPEN}),
        "status_choices": ActionStatus.choices,
        "today": today,
    }


@require_http_methods(["GET"])
@login_required
def decisions_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Each rated risk with its decision and its actions, the register with its costs."""
    assessment = _assessment(request, pk, "assessment.view")
    do_record_view(assessment, acting_user=request.user, request=request, detail={"decisions": True})
    return render(request, "assessments/decisions.html", _decisions_context(request, assessment))


def _to_decisions(assessment: Assessment, anchor: str = "") -> HttpResponse:
    url = reverse("assessments:decisions", args=[assessment.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


@require_POST
@login_required
def decide(request: HttpRequest, pk: int, scenario_id: int) -> HttpResponse:
    """Accept or treat one risk; the form comes back with what was typed when it is refused."""
    assessment = _assessment(request, pk, "assessment.edit")
    scenario = get_object_or_404(assessment.scenarios, pk=scenario_id)
    form = _decision_form(scenario, request.POST)
    if form.is_valid() and _run(
        request,
        lambda: decisions.do_decide_scenario(
            scenario,
            acting_user=request.user,
            request=request,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
        ),
        _("Decision recorded."),
    ):
        return _to_decisions(assessment, f"scenario-{scenario.pk}")
    context = _decisions_context(request, assessment, bound=form, bound_for=scenario.pk)
    return render(request, "assessments/decisions.html", context)


def _risk_action(assessment: Assessment, action_id: int) -> RiskAction:
    risk_action: RiskAction = get_object_or_404(
        RiskAction.objects.select_related("assessment", "scenario", "measure_type"),
        assessment=assessment,
        pk=action_id,
    )
    return risk_action


def _initial_scenario(request: HttpRequest, assessment: Assessment) -> int | None:
    """The risk named by `?scenario=` when it is one of the assessment's (the link beside a risk)."""
    raw = request.GET.get("scenario", "")
    if not raw.isdigit():
        return None
    found: int | None = assessment.scenarios.filter(pk=int(raw)).values_list("pk", flat=True).first()
    return found


@require_http_methods(["GET", "POST"])
@login_required
def action_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an action to the register (any status of the assessment: the register lives on)."""
    assessment = _assessment(request, pk, "assessment.edit")
    initial = {"status": ActionStatus.OPEN, "scenario": _initial_scenario(request, assessment)}
    form = RiskActionForm(request.POST or None, assessment=assessment, initial=initial)
    if request.method == "POST":
        if form.is_valid() and _run(
            request,
            lambda: decisions.do_add_risk_action(
                assessment,
                form.action_fields(),
                acting_user=request.user,
                status=form.cleaned_data["status"],
                request=request,
            ),
            _("Action added to the register."),
        ):
            return _to_decisions(assessment, "register")
    else:
        do_record_view(assessment, acting_user=request.user, request=request, detail={"action": "new"})
    return render(
        request, "assessments/action_form.html", {"assessment": assessment, "form": form, "risk_action": None}
    )


@require_http_methods(["GET", "POST"])
@login_required
def action_edit(request: HttpRequest, pk: int, action_id: int) -> HttpResponse:
    assessment = _assessment(request, pk, "assessment.edit")
    risk_action = _risk_action(assessment, action_id)
    form = RiskActionForm(
        request.POST or None, assessment=assessment, initial=RiskActionForm.initial_for(risk_action)
    )
    if request.method == "POST":
        if form.is_valid() and _run(
            request,
            lambda: decisions.do_update_risk_action(
                risk_action,
                form.action_fields(),
                acting_user=request.user,
                status=form.cleaned_data["status"],
                request=request,
            ),
            _("Action saved."),
        ):
            return _to_decisions(assessment, "register")
    else:
        do_record_view(
            assessment, acting_user=request.user, request=request, detail={"action": risk_action.pk}
        )
    return render(
        request,
        "assessments/action_form.html",
        {"assessment": assessment, "form": form, "risk_action": risk_action},
    )


@require_POST
@login_required
def action_status(request: HttpRequest, pk: int, action_id: int) -> HttpResponse:
    assessment = _assessment(request, pk, "assessment.edit")
    risk_action = _risk_action(assessment, action_id)
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: decisions.do_set_risk_action_status(
                risk_action, acting_user=request.user, status=form.cleaned_data["status"], request=request
            ),
            _("Status of the action changed."),
        )
    else:
        messages.error(request, _("Choose one of the statuses offered."))
    return _to_decisions(assessment, "register")


# --- the team ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def team(request: HttpRequest, pk: int) -> HttpResponse:
    """The assessment team: the municipality leads, with the police and others."""
    assessment = _assessment(request, pk, "assessment.view")
    can_write = has_city_perm(request.user, assessment.city_id, "assessment.edit")
    form = TeamMemberForm(request.POST or None)
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied(_("Your role in this city does not allow this."))
        if form.is_valid() and _run(
            request,
            lambda: decisions.do_add_team_member(
                assessment, acting_user=request.user, request=request, **form.cleaned_data
            ),
            _("Team member added."),
        ):
            return redirect("assessments:team", assessment.pk)
    else:
        do_record_view(assessment, acting_user=request.user, request=request, detail={"team": True})
    return render(
        request,
        "assessments/team.html",
        {
            "assessment": assessment,
            "members": list(assessment.team.all()),
            "gaps": decisions.team_gaps(assessment),
            "form": form,
            "can_edit": assessment.editable and can_write,
        },
    )


@require_POST
@login_required
def team_remove(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    assessment = _assessment(request, pk, "assessment.edit")
    member = get_object_or_404(assessment.team, pk=member_id)
    _run(
        request,
        lambda: decisions.do_remove_team_member(member, acting_user=request.user, request=request),
        _("Team member removed."),
    )
    return redirect("assessments:team", assessment.pk)
