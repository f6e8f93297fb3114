"""Pages of assessments: dashboard, the assessment of a space step by step, review cycle, history, PDFs.

Every view fetches through `.for_user()` (404 outside the city, 403 for a role without the action),
validates with a form, calls an action, and records the view of restricted data in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pactesur.accounts.reauth import require_recent_auth
from pactesur.assessments import actions, decisions, facts, risk, scoring, triggers, vehicle
from pactesur.assessments.forms import (
    ApproveForm,
    ContextForm,
    FactsForm,
    MeasureForm,
    ReturnForm,
    ScenarioForm,
)
from pactesur.assessments.library import (
    ATTACK_HINTS,
    CONSEQUENCE_GUIDANCE,
    PROBABILITY_GUIDANCE,
    THREAT_GUIDANCE,
    VULNERABILITY_GUIDANCE,
    AttackType,
)
from pactesur.assessments.models import (
    BAND_LABELS,
    Assessment,
    AssessmentVersion,
    ExistingMeasure,
    MeasureStatus,
)
from pactesur.assessments.prefill import vehicle_reading
from pactesur.assessments.reports import BAND_COLOURS
from pactesur.audit.actions import do_record_audit, do_record_view
from pactesur.audit.models import AuditAction
from pactesur.cities.access import current_city_or_403, get_city_object_or_404
from pactesur.cities.errors import DomainError, NotAllowedError
from pactesur.cities.models import has_city_perm
from pactesur.spaces.models import Space
from pactesur.spaces.naming import by_shown_name, label_namesakes
from pactesur.streets.models import StreetNetwork


def _assessment(request: HttpRequest, pk: int, action: str) -> Assessment:
    assessment: Assessment = get_city_object_or_404(
        Assessment.objects.select_related("space", "city"), request.user, action, pk=pk
    )
    return assessment


def _run(request: HttpRequest, call: Callable[[], Any], success: str) -> bool:
    """Call an action; a domain error becomes a message (403 if the role or person is not allowed)."""
    try:
        call()
    except NotAllowedError as exc:
        raise PermissionDenied(str(exc)) from exc
    except DomainError as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, success)
    return True


def _act_and_return(
    request: HttpRequest,
    pk: int,
    permission: str,
    action: Callable[..., Any],
    success: str,
    **params: Any,
) -> HttpResponse:
    """A button of the assessment page: check `permission`, call `action`, go back to the assessment."""
    assessment = _assessment(request, pk, permission)
    _run(request, lambda: action(assessment, acting_user=request.user, request=request, **params), success)
    return redirect("assessments:detail", assessment.pk)


def _band(band: str | None) -> dict[str, str]:
    if not band:
        return {"code": "", "label": _("not rated"), "colour": "#adb5bd"}
    return {"code": band, "label": str(BAND_LABELS[band]), "colour": BAND_COLOURS[band]}


def _grid(counts: dict[tuple[int, int], int]) -> list[list[dict[str, Any]]]:
    grid = risk.matrix_grid(counts)
    for row in grid:
        for cell in row:
            cell["band_label"] = str(BAND_LABELS[cell["band"]])
    return grid


def _top_rows(assessment: Assessment) -> list[dict[str, Any]]:
    return [
        {"label": AttackType(t.attack_type).label, "score": t.score, "band": _band(t.band)}
        for t in scoring.top_risks(risk.profile(assessment))
    ]


# --- dashboard -----------------------------------------------------------------------------------


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Spaces ranked by their last approved risk, those not yet approved apart, the matrix, the map by
    band, overdue reviews, the network comparison of scores and of measure coverage."""
    city = current_city_or_403(request, "assessment.summary")
    today = timezone.localdate()
    assessments = risk.city_assessments(city)
    ranked = risk.ranking(assessments, today=today)
    pending = risk.not_yet_approved(assessments)
    assessed_ids = {a.space_id for a in assessments}
    unassessed = by_shown_name(
        Space.objects.for_user(request.user, "space.view", city=city).active().exclude(pk__in=assessed_ids)
    )
    label_namesakes([r.assessment.space for r in ranked] + [p.assessment.space for p in pending] + unassessed)
    features = []
    for r in ranked:
        band = _band(r.top.band if r.top else None)
        space = r.assessment.space
        features.append(
            {
                "type": "Feature",
                "geometry": space.display_polygon,
                "properties": {
                    "name": space.display_name,
                    "band": band["label"],
                    "colour": band["colour"],
                    "url": reverse("assessments:space", args=[space.pk]),
                },
            }
        )
    features.extend(
        {
            "type": "Feature",
            "geometry": space.display_polygon,
            "properties": {
                "name": space.display_name,
                "band": label,
                "colour": "#adb5bd",
                "url": reverse("assessments:space", args=[space.pk]),
            },
        }
        for space, label in [(p.assessment.space, _("not yet approved")) for p in pending]
        + [(space, _("not assessed")) for space in unassessed]
    )
    kind_labels = dict(Space._meta.get_field("kind").choices or [])
    kinds = sorted({r.assessment.space.kind for r in ranked})
    comparison = []
    for kind in kinds:
        # The scores and the measure coverage read the same approved profiles of the kind: once.
        profiles = risk.network_profiles(city, kind)
        comparison.append(
            {
                "kind": kind_labels.get(kind, kind),
                "rows": risk.network_comparison(city, kind, profiles=profiles),
                "coverage": risk.measure_coverage(city, kind, profiles=profiles),
            }
        )
    do_record_audit(
        AuditAction.VIEW,
        acting_user=request.user,
        city=city,
        request=request,
        detail={"what": "risk dashboard"},
    )
    can_view = has_city_perm(request.user, city, "assessment.view")
    # Only a city with an imported network has a base map; otherwise the map keeps a plain background.
    has_basemap = StreetNetwork.objects.filter(city=city, is_active=True).exists()
    basemap_url = reverse("streets:basemap", args=[city.pk]) if has_basemap else ""
    return render(
        request,
        "assessments/dashboard.html",
        {
            "city": city,
            "ranked": [
                {
                    "r": r,
                    "band": _band(r.top.band if r.top else None),
                    "tops": [AttackType(t.attack_type).label for t in r.top_risks],
                    "rated_pct": round(100 * r.rated_share),
                }
                for r in ranked
            ],
            "pending": pending,
            "unassessed": unassessed,
            "grid": _grid(risk.approved_cells(ranked)),
            "overdue": [r for r in ranked if r.overdue],
            "comparison": comparison,
            "min_spaces": scoring.MIN_SPACES,
            "min_cities": scoring.MIN_OTHER_CITIES,
            "map_data": {
                "basemapUrl": basemap_url,
                "spaces": {"type": "FeatureCollection", "features": features},
            },
            "can_view": can_view,
            "bands": [_band(b) for b in scoring.BANDS],
            # The city's open actions and re-assessment flags: restricted detail, for the full roles.
            **decisions.open_actions_context(request, city),
            "open_flags": triggers.open_flags_for_city(city) if can_view else None,
            "threat_level": triggers.current_threat_level(city),
        },
    )


@require_GET
@login_required
@require_recent_auth
def city_report(request: HttpRequest) -> HttpResponse:
    city = current_city_or_403(request, "assessment.view")
    pdf = actions.do_export_city_report(city, acting_user=request.user, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="risk-summary-{city.slug}.pdf"'
    return response


# --- a space's assessment ------------------------------------------------------------------------


@require_GET
@login_required
def space_assessment(request: HttpRequest, space_id: int) -> HttpResponse:
    """The entry point from a space: the full assessment (security, admin) or its summary (planner)."""
    space: Space = get_city_object_or_404(
        Space.objects.select_related("city"), request.user, "assessment.summary", pk=space_id
    )
    assessment = Assessment.objects.filter(space=space).first()
    full = has_city_perm(request.user, space.city_id, "assessment.view")
    if assessment is not None and full:
        return redirect("assessments:detail", assessment.pk)
    if assessment is not None:
        do_record_view(assessment, acting_user=request.user, request=request, detail={"summary": True})
    return render(
        request,
        "assessments/space.html",
        {
            "space": space,
            "assessment": assessment,
            "tops": _top_rows(assessment) if assessment else [],
            "band": _band(risk.top_band(assessment)) if assessment else None,
            "can_start": has_city_perm(request.user, space.city_id, "assessment.edit"),
        },
    )


@require_POST
@login_required
def start(request: HttpRequest, space_id: int) -> HttpResponse:
    space: Space = get_city_object_or_404(Space.objects.all(), request.user, "assessment.edit", pk=space_id)
    holder: dict[str, Assessment] = {}

    def call() -> None:
        holder["a"] = actions.do_start_assessment(space, acting_user=request.user, request=request)

    if _run(request, call, _("Assessment started: the ratings the platform could pre-fill are set.")):
        return redirect("assessments:detail", holder["a"].pk)
    return redirect("assessments:space", space.pk)


def _figure_label(name: str) -> str:
    """A space's figure (`CROWD_FIGURES`) in words, inside a sentence."""
    labels = {
        "usual_crowd": _("usual crowd"),
        "peak_crowd": _("peak crowd"),
        "peak_times": _("peak times"),
        "area_m2": _("area"),
    }
    return labels.get(name, name)


def _vehicle_facts(scenarios: list[Any]) -> dict[str, Any]:
    return next((s.facts or {} for s in scenarios if s.attack_type == AttackType.VEHICLE), {})


def _detail_context(request: HttpRequest, assessment: Assessment) -> dict[str, Any]:
    scenarios = list(assessment.scenarios.all())
    evidence, outside = vehicle_reading(assessment.space)
    return {
        "assessment": assessment,
        "space": assessment.space,
        "scenarios": [{"s": s, "band": _band(s.band)} for s in scenarios],
        "unrated": sum(1 for s in scenarios if not s.settled),
        "vehicle_rating": (rating := vehicle.vehicle_summary(assessment.space, _vehicle_facts(scenarios))),
        "vehicle_classes": [
            {"c": c, "rating": _rating_needed(c.required_rating, c.beyond_rating)}
            for c in (rating.classes if rating else ())
        ],
        "flags": triggers.open_flags_for(assessment),
        "open_actions": decisions.actions_for(assessment),
        "actions_linked": True,
        "team_gaps": decisions.team_gaps(assessment),
        "team": list(assessment.team.all()),
        "can_dismiss_flags": has_city_perm(request.user, assessment.city_id, "assessment.review"),
        "submit_refusal": actions.submission_refusal(assessment) if assessment.editable else None,
        "measures": risk.measure_rows(assessment),
        "tops": _top_rows(assessment),
        "band": _band(risk.top_band(assessment)),
        "grid": _grid(risk.matrix_cells([assessment])),
        "evidence": evidence,
        "outside": outside,
        "figures_changed": [_figure_label(name) for name in assessment.figures_changed_since_submitted()],
        "can_edit": assessment.editable
        and has_city_perm(request.user, assessment.city_id, "assessment.edit"),
        "can_submit": assessment.status == "draft"
        and has_city_perm(request.user, assessment.city_id, "assessment.edit"),
        "can_review": has_city_perm(request.user, assessment.city_id, "assessment.review")
        and assessment.status == "in_review",
        "is_author": assessment.submitted_by_id == request.user.pk,
        "can_reopen": assessment.status == "approved"
        and has_city_perm(request.user, assessment.city_id, "assessment.edit"),
        "approve_form": ApproveForm(),
        "return_form": ReturnForm(),
        "measure_form": MeasureForm(city_id=assessment.city_id),
        "today": timezone.localdate(),
    }


@require_GET
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk, "assessment.view")
    do_record_view(assessment, acting_user=request.user, request=request)
    return render(request, "assessments/detail.html", _detail_context(request, assessment))


@require_http_methods(["GET", "POST"])
@login_required
def context(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 1: the space, its users and peak times, and the scoring mode."""
    assessment = _assessment(request, pk, "assessment.edit")
    form = ContextForm(
        request.POST or None, initial=ContextForm.initial_for(assessment), space=assessment.space
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _run(
            request,
            lambda: actions.do_update_assessment_context(
                assessment, acting_user=request.user, request=request, **data
            ),
            _("Step 1 saved."),
        ):
            return redirect("assessments:detail", assessment.pk)
    else:
        do_record_view(assessment, acting_user=request.user, request=request, detail={"step": "context"})
    return render(request, "assessments/context.html", {"assessment": assessment, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def measures(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2: measures at the space (existing) and under consideration (planned)."""
    assessment = _assessment(request, pk, "assessment.edit")
    form = MeasureForm(request.POST or None, city_id=assessment.city_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _run(
            request,
            lambda: actions.do_add_measure(
                assessment,
                acting_user=request.user,
                request=request,
                measure_type=data["measure_type"],
                status=data["status"],
                notes=data["notes"],
                coverage_pct=data["coverage_pct"],
                coverage_note=data["coverage_note"],
                hours=data["hours"],
                side_effects=data["side_effects"],
            ),
            _("Measure recorded."),
        ):
            return redirect("assessments:measures", assessment.pk)
    else:
        do_record_view(assessment, acting_user=request.user, request=request, detail={"step": "measures"})
    return render(
        request,
        "assessments/measures.html",
        {
            "assessment": assessment,
            "form": form,
            "measures": risk.measure_rows(assessment),
        },
    )


@require_POST
@login_required
def measure_delete(request: HttpRequest, pk: int, measure_id: int) -> HttpResponse:
    assessment = _assessment(request, pk, "assessment.edit")
    measure = get_object_or_404(ExistingMeasure, assessment=assessment, pk=measure_id)
    _run(
        request,
        lambda: actions.do_remove_measure(measure, acting_user=request.user, request=request),
        _("Measure removed."),
    )
    return redirect("assessments:measures", assessment.pk)


def _barrier_kind(kind: str) -> str:
    """A barrier kind in words, as the analysis pages name it."""
    try:
        from pactesur.analysis.wording import barrier_kind_label
    except ImportError:  # the analysis app is optional
        return kind
    return str(barrier_kind_label(kind))


def _rating_needed(required: str, beyond: bool) -> str:
    """The rating an approach needs, or that no test is that fast, as the analysis pages say it."""
    try:
        from pactesur.analysis.wording import rating_text
    except ImportError:  # the analysis app is optional
        return required
    return str(rating_text(required or None, beyond_rating=beyond))


def _probability_table() -> list[dict[str, Any]]:
    """The published table, threat 5 (top) to 1, each row the probability of each vulnerability 1 to 5."""
    return [
        {"threat": t, "cells": [scoring.PROBABILITY_TABLE[t][v] for v in range(1, 6)]}
        for t in range(5, 0, -1)
    ]


@require_http_methods(["GET", "POST"])
@login_required
def scenario(request: HttpRequest, pk: int, scenario_id: int) -> HttpResponse:
    """Steps 3 and 4 for one attack type: the facts first, then threat, vulnerability and consequence
    with the guidance for every level; the probability is derived."""
    assessment = _assessment(request, pk, "assessment.view")
    scenario = get_object_or_404(assessment.scenarios, pk=scenario_id)
    scenario.assessment = assessment
    can_edit = assessment.editable and has_city_perm(request.user, assessment.city_id, "assessment.edit")
    posting_facts = request.method == "POST" and "save-facts" in request.POST
    form = ScenarioForm(
        request.POST if request.method == "POST" and not posting_facts else None,
        scenario=scenario,
        initial=ScenarioForm.initial_for(scenario),
    )
    barriers: list[tuple[str, str]] = []
    if scenario.attack_type == AttackType.VEHICLE:
        # The existing barriers the analysis met, each once at its hardest hit: their ratings decide
        # whether they protect (an unrated one does not).
        barriers = [
            (
                b.key,
                _("%(kind)s at %(where)s, hit at %(speed).0f km/h, needs %(rating)s")
                % {
                    "kind": _barrier_kind(b.kind),
                    "where": b.key,
                    "speed": b.impact_speed_kmh,
                    "rating": b.required_rating or "—",
                },
            )
            for b in vehicle.barriers_to_rate(vehicle.vehicle_analysis(assessment.space))
        ]
    facts_form = FactsForm(
        request.POST if posting_facts else None,
        attack_type=scenario.attack_type,
        answers=scenario.facts,
        barriers=barriers,
    )
    if request.method == "POST":
        if not has_city_perm(request.user, assessment.city_id, "assessment.edit"):
            raise PermissionDenied(_("Your role in this city does not allow this."))
        if posting_facts:
            if facts_form.is_valid() and _run(
                request,
                lambda: actions.do_record_facts(
                    scenario, acting_user=request.user, request=request, answers=facts_form.answers()
                ),
                _("Facts saved; the suggestions follow them."),
            ):
                return redirect("assessments:scenario", assessment.pk, scenario.pk)
        elif form.is_valid():
            data = form.cleaned_data
            if _run(
                request,
                lambda: actions.do_rate_scenario(scenario, acting_user=request.user, request=request, **data),
                _("Scenario saved."),
            ):
                return redirect("assessments:detail", assessment.pk)
    else:
        do_record_view(
            assessment, acting_user=request.user, request=request, detail={"scenario": scenario.attack_type}
        )
    fact_rows = facts.evidence_rows(scenario.attack_type, scenario.facts or {})
    return render(
        request,
        "assessments/scenario.html",
        {
            "assessment": assessment,
            "scenario": scenario,
            "form": form,
            "can_edit": can_edit,
            "hint": ATTACK_HINTS.get(scenario.attack_type, ""),
            "threat_guidance": THREAT_GUIDANCE.items(),
            "vulnerability_guidance": VULNERABILITY_GUIDANCE.items(),
            "probability_guidance": PROBABILITY_GUIDANCE.items(),
            "consequence_guidance": CONSEQUENCE_GUIDANCE.items(),
            "probability_table": _probability_table(),
            "facts_form": facts_form,
            "fact_rows": fact_rows,
            "band": _band(scenario.band),
        },
    )


@require_POST
@login_required
def refresh(request: HttpRequest, pk: int) -> HttpResponse:
    return _act_and_return(
        request,
        pk,
        "assessment.edit",
        actions.do_refresh_suggestions,
        _("Suggestions updated from the approach analysis and the crowd figures."),
    )


@require_GET
@login_required
def what_if(request: HttpRequest, pk: int) -> HttpResponse:
    """Residual risk per scenario with the planned measures ticked in the form switched on, and for
    the vehicle scenario one of the space's barrier plans in place (through the re-run analysis)."""
    from pactesur.measures.library import BARRIER_KINDS
    from pactesur.measures.models import BarrierPlan

    assessment = _assessment(request, pk, "assessment.view")
    planned = [m for m in risk.measure_rows(assessment) if m.status == MeasureStatus.PLANNED]
    chosen = {int(v) for v in request.GET.getlist("measure") if v.isdigit()}
    plans = list(
        BarrierPlan.objects.for_user(request.user, "plan.view", city=assessment.city)
        .filter(space=assessment.space)
        .order_by("name", "id")
    )
    plan_id = request.GET.get("plan", "")
    plan = next((p for p in plans if str(p.pk) == plan_id), None)
    result = risk.whatif(assessment, chosen, plan=plan)
    do_record_view(
        assessment,
        acting_user=request.user,
        request=request,
        detail={"what_if": sorted(chosen), **({"plan": plan.pk} if plan else {})},
    )
    return render(
        request,
        "assessments/what_if.html",
        {
            "assessment": assessment,
            "planned": [
                {"m": m, "on": m.pk in chosen, "barrier": m.measure_type.kind in BARRIER_KINDS}
                for m in planned
            ],
            "plans": plans,
            "plan": plan,
            "plan_stale": result.plan_stale,
            "side_effects": [m for m in result.measures if m.side_effects.strip()],
            "rows": [
                {
                    "row": r,
                    "band": _band(r.band),
                    "residual_band": _band(r.residual.band if r.residual else None),
                }
                for r in result.rows
            ],
        },
    )


# --- the review cycle ----------------------------------------------------------------------------


@require_POST
@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act_and_return(
        request,
        pk,
        "assessment.edit",
        actions.do_submit_assessment,
        _("Submitted for review: another security manager or administrator must approve it."),
    )


@require_POST
@login_required
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk, "assessment.review")
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the review date."))
        return redirect("assessments:detail", assessment.pk)
    _run(
        request,
        lambda: actions.do_approve_assessment(
            assessment,
            acting_user=request.user,
            request=request,
            review_due=form.cleaned_data["review_due"],
            comment=form.cleaned_data["comment"],
        ),
        _("Assessment approved."),
    )
    return redirect("assessments:detail", assessment.pk)


@require_POST
@login_required
def return_to_draft(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReturnForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    return _act_and_return(
        request,
        pk,
        "assessment.review",
        actions.do_return_assessment,
        _("Returned to draft."),
        comment=comment,
    )


@require_POST
@login_required
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _act_and_return(
        request,
        pk,
        "assessment.edit",
        actions.do_reopen_assessment,
        _("A new cycle has started: the assessment is a draft again."),
    )


# --- history -------------------------------------------------------------------------------------


@require_GET
@login_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk, "assessment.view")
    versions = list(assessment.versions.order_by("-number"))
    do_record_view(assessment, acting_user=request.user, request=request, detail={"history": True})
    return render(request, "assessments/history.html", {"assessment": assessment, "versions": versions})


def _version(assessment: Assessment, number: int) -> AssessmentVersion:
    return get_object_or_404(AssessmentVersion, assessment=assessment, number=number)


@require_GET
@login_required
def version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    assessment = _assessment(request, pk, "assessment.view")
    v = _version(assessment, number)
    do_record_view(assessment, acting_user=request.user, request=request, detail={"version": number})
    scenarios = [
        {"label": AttackType(code).label, **data} for code, data in v.snapshot.get("scenarios", {}).items()
    ]
    return render(
        request,
        "assessments/version.html",
        {
            "assessment": assessment,
            "version": v,
            "scenarios": scenarios,
            "context": v.snapshot.get("context", {}),
            "measures": v.snapshot.get("measures", []),
            "team": v.snapshot.get("team", []),
        },
    )


@require_GET
@login_required
def diff(request: HttpRequest, pk: int) -> HttpResponse:
    """What changed between two versions (`?from=1&to=2`; default: the last two)."""
    assessment = _assessment(request, pk, "assessment.view")
    versions = list(assessment.versions.order_by("number"))
    if len(versions) < 2 and not (request.GET.get("from") and request.GET.get("to")):
        messages.info(request, _("There is only one version so far: nothing to compare."))
        return redirect("assessments:history", assessment.pk)
    try:
        a_num = int(request.GET.get("from") or versions[-2].number)
        b_num = int(request.GET.get("to") or versions[-1].number)
    except ValueError as exc:
        raise Http404 from exc
    a, b = _version(assessment, a_num), _version(assessment, b_num)
    labels = {code: str(label) for code, label in AttackType.choices}
    changes = [
        {"c": c, "item_label": labels.get(c.item, c.item)}
        for c in actions.diff_snapshots(a.snapshot, b.snapshot)
    ]
    do_record_view(assessment, acting_user=request.user, request=request, detail={"diff": [a_num, b_num]})
    return render(
        request,
        "assessments/diff.html",
        {
            "assessment": assessment,
            "a": a,
            "b": b,
            "changes": changes,
            "versions": versions,
        },
    )


@require_GET
@login_required
@require_recent_auth
def space_report(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk, "assessment.view")
    pdf = actions.do_export_space_report(assessment, acting_user=request.user, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="assessment-{assessment.space_id}.pdf"'
    return response
