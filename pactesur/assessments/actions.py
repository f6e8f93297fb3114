"""Every write to assessments: start, edit the steps, rate, submit, approve, return, reopen, remind, export.

Each `do_…` function runs in one transaction, writes its audit row and defers e-mail to on_commit.
The review rule — the person who submitted a version never approves it — lives here, not in views.
"""

from __future__ import annotations

import calendar
import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from pactesur.assessments import prefill, risk, scoring, triggers
from pactesur.assessments.library import ATTACK_ORDER, AttackType
from pactesur.assessments.models import (
    Assessment,
    AssessmentVersion,
    CoverageHours,
    ExistingMeasure,
    MeasureStatus,
    Mode,
    ReminderLog,
    Scenario,
    Status,
    VersionKind,
)
from pactesur.audit.actions import do_record_audit, do_record_export
from pactesur.audit.models import AuditAction
from pactesur.cities.errors import InvalidRequestError, NotAllowedError
from pactesur.cities.models import City, Membership
from pactesur.cities.records import stored_user
from pactesur.cities.roles import Role
from pactesur.measures.models import MeasureType
from pactesur.spaces.actions import do_update_space
from pactesur.spaces.naming import label_namesakes

logger = logging.getLogger(__name__)

CONTEXT_FIELDS = (
    "users_description",
    "peak_times",
    "usual_crowd",
    "peak_crowd",
    "obstacles_m2",
    "mode",
    "asset_value",
)
# Step 1's fields that belong to the space: step 1 writes them there (`do_update_space`).
SPACE_FIELDS = ("peak_times", "usual_crowd", "peak_crowd")


class AssessmentStateError(InvalidRequestError):
    """The assessment is not in a state that allows this step."""


class ReviewerIsAuthorError(NotAllowedError):
    """The person who submitted a version tried to approve it."""


def _user_name(user: Any) -> str:
    stored = stored_user(user)
    return stored.get_username() if stored is not None else ""


def _require_draft(assessment: Assessment) -> None:
    """Lock the row and check its status as stored, not as the caller's copy remembers it."""
    assessment.status = (
        Assessment.objects.select_for_update().values_list("status", flat=True).get(pk=assessment.pk)
    )
    if assessment.status != Status.DRAFT:
        raise AssessmentStateError(
            _("This assessment is %(status)s: it can only be changed as a draft.")
            % {"status": assessment.get_status_display().lower()}
        )


def _touch(assessment: Assessment, user: Any) -> None:
    assessment.updated_by = stored_user(user)
    assessment.save(update_fields=["updated_by", "updated_at"])
    note_editor(assessment, user)


def _audit_update(
    assessment: Assessment, acting_user: Any, request: HttpRequest | None, detail: dict[str, Any]
) -> None:
    """The audit row of a change to `assessment`: a step saved or a move in the review cycle."""
    do_record_audit(
        AuditAction.UPDATE, acting_user=acting_user, obj=assessment, request=request, detail=detail
    )


def _lock_in_status(assessment: Assessment, status: str, refusal: str) -> Assessment:
    """Lock the row and read it as stored; raise `refusal` unless it is in `status`."""
    locked: Assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status != status:
        raise AssessmentStateError(refusal)
    return locked


# --- start and refresh ---------------------------------------------------------------------------


_SUGGESTED = (
    "probability",
    "threat",
    "vulnerability",
    "consequence",
    "suggested_probability",
    "suggested_threat",
    "suggested_vulnerability",
    "suggested_consequence",
    "suggestion_parts",
    "suggestion_explanation",
    "override_reason",
)
# The ratings a suggestion pre-fills, each with its suggestion's column.
_RATED = (
    ("threat", "suggested_threat"),
    ("vulnerability", "suggested_vulnerability"),
    ("consequence", "suggested_consequence"),
)


def derive_probability(scenario: Scenario) -> None:
    """Method v2: in the 5×5 mode the probability is derived from threat and vulnerability (the
    published table), never rated on its own; in the FEMA mode it is not used."""
    if scenario.assessment.is_fema or scenario.not_applicable:
        if scenario.not_applicable:
            scenario.probability = None
        return
    if scenario.threat is not None and scenario.vulnerability is not None:
        scenario.probability = scoring.probability_from(scenario.threat, scenario.vulnerability)
    elif scenario.threat is not None or scenario.vulnerability is not None:
        scenario.probability = None


def _apply_suggestions(assessment: Assessment, scenarios: Iterable[Scenario]) -> int:
    """Recompute the pre-filled values; a rating still equal to the old suggestion follows the new one.

    The FEMA mode's 1–10 ratings are not pre-filled (its scales are FEMA's). Saves the scenarios that
    changed and returns how many.
    """
    ctx = prefill.read_context(assessment)
    changed = 0
    for scenario in scenarios:
        scenario.assessment = assessment
        before = [getattr(scenario, name) for name in _SUGGESTED]
        s = prefill.suggestion_for(scenario.attack_type, scenario.facts or {}, ctx)
        suggested = {"threat": s.threat, "vulnerability": s.vulnerability, "consequence": s.consequence}
        # A scenario marked not applicable keeps no ratings: only its suggestion is brought up to date.
        if not scenario.not_applicable and not assessment.is_fema:
            for rating, column in _RATED:
                current = getattr(scenario, rating)
                if current is None or current == getattr(scenario, column):
                    setattr(scenario, rating, suggested[rating])
        for rating, column in _RATED:
            setattr(scenario, column, suggested[rating])
        scenario.suggested_probability = s.probability
        derive_probability(scenario)
        scenario.suggestion_parts = s.stored_parts
        scenario.suggestion_explanation = s.english
        if not scenario.overruled:
            scenario.override_reason = ""
        if before != [getattr(scenario, name) for name in _SUGGESTED]:
            scenario.save()
            changed += 1
    return changed


def note_editor(assessment: Assessment, user: Any) -> None:
    """Remember that `user` changed the current cycle: nobody who edited a cycle approves it."""
    stored = stored_user(user)
    if stored is None:
        return
    editors = list(assessment.editors or [])
    if stored.pk not in editors:
        editors.append(stored.pk)
        Assessment.objects.filter(pk=assessment.pk).update(editors=editors)
        assessment.editors = editors


@transaction.atomic
def do_start_assessment(space: Any, *, acting_user: Any, request: HttpRequest | None = None) -> Assessment:
    """Start the assessment of `space`: one scenario per attack type, pre-filled from the space's
    approach analysis and crowd figures (which the draft reads from the space)."""
    if space.archived_at is not None:
        raise AssessmentStateError(_("This space is archived: restore it before assessing it."))
    if Assessment.objects.filter(space=space).exists():
        raise AssessmentStateError(_("This space already has an assessment."))
    user = stored_user(acting_user)
    assessment = Assessment.objects.create(
        city_id=space.city_id,
        space=space,
        users_description=space.description,
        created_by=user,
        updated_by=user,
    )
    scenarios = [
        Scenario.objects.create(assessment=assessment, attack_type=code, order=i)
        for i, code in enumerate(ATTACK_ORDER)
    ]
    _apply_suggestions(assessment, scenarios)
    do_record_audit(
        AuditAction.CREATE,
        acting_user=acting_user,
        obj=assessment,
        request=request,
        detail={"space": space.pk},
    )
    return assessment


@transaction.atomic
def do_refresh_suggestions(
    assessment: Assessment, *, acting_user: Any, request: HttpRequest | None = None
) -> Assessment:
    """Re-read the approach analysis and the crowd figures and update the pre-filled values."""
    _require_draft(assessment)
    _apply_suggestions(assessment, assessment.scenarios.all())
    _touch(assessment, acting_user)
    _audit_update(assessment, acting_user, request, {"step": "refresh suggestions"})
    return assessment


# --- the steps -----------------------------------------------------------------------------------


@transaction.atomic
def do_update_assessment_context(
    assessment: Assessment, *, acting_user: Any, request: HttpRequest | None = None, **fields: Any
) -> Assessment:
    """Step 1 (space, users, peak times, crowd) and the scoring mode; pre-filled values follow.

    The crowd figures and peak times are the space's: they are written there, by the spaces' own
    action (its audit row included), so the space's page shows what the assessment says.
    """
    _require_draft(assessment)
    unknown = set(fields) - set(CONTEXT_FIELDS)
    if unknown:
        raise InvalidRequestError(f"unknown fields {sorted(unknown)}")
    if fields.get("mode", assessment.mode) == Mode.FEMA and not fields.get(
        "asset_value", assessment.asset_value
    ):
        raise InvalidRequestError(_("The FEMA mode needs the asset value of the space (1 to 10)."))
    changed = {k: v for k, v in fields.items() if getattr(assessment, k) != v}
    on_space = {k: v for k, v in changed.items() if k in SPACE_FIELDS}
    if on_space:
        try:
            do_update_space(assessment.space, acting_user=acting_user, request=request, **on_space)
        except ValidationError as exc:
            raise InvalidRequestError(" ".join(exc.messages)) from exc
    if fields.get("obstacles_m2") is not None and fields["obstacles_m2"] < 0:
        raise InvalidRequestError(_("The area taken by obstacles cannot be negative."))
    for key, value in changed.items():
        if key not in SPACE_FIELDS:
            setattr(assessment, key, value)
    assessment.save()
    if "mode" in changed:
        _rescale(assessment)
    if {"peak_crowd", "usual_crowd", "obstacles_m2", "mode"} & set(changed):
        _apply_suggestions(assessment, assessment.scenarios.all())
    _touch(assessment, acting_user)
    _audit_update(assessment, acting_user, request, {"step": "context", "fields": sorted(changed)})
    return assessment


def _rescale(assessment: Assessment) -> None:
    """The mode changed: threat and vulnerability move between the 1–5 and FEMA's 1–10 scales (×2, or
    ⌈x / 2⌉ back), so nothing rated is lost; the 5×5 probability is derived again."""
    for scenario in assessment.scenarios.all():
        scenario.assessment = assessment
        for name in ("threat", "vulnerability"):
            value = getattr(scenario, name)
            if value is None:
                continue
            setattr(
                scenario,
                name,
                min(scoring.FEMA_MAX, value * 2) if assessment.is_fema else scoring.fema_to_five(value),
            )
        scenario.probability = None
        derive_probability(scenario)
        scenario.save()


@transaction.atomic
def do_follow_space_figures(
    space: Any, *, acting_user: Any, request: HttpRequest | None = None
) -> Assessment | None:
    """The space's crowd figures or outline changed: its draft assessment's pre-filled values follow.

    A draft reads the space's figures, so only the suggestions computed from them change (and the
    ratings still equal to them). An assessment in review or approved keeps the figures it was
    submitted with and is left alone. Returns the assessment it changed, if any.
    """
    assessment: Assessment | None = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("space")
        .filter(space_id=space.pk)
        .first()
    )
    if assessment is None or assessment.status != Status.DRAFT:
        return None
    if not _apply_suggestions(assessment, assessment.scenarios.all()):
        return None
    _touch(assessment, acting_user)
    _audit_update(assessment, acting_user, request, {"step": "refresh suggestions", "space_changed": True})
    return assessment


@transaction.atomic
def do_add_measure(
    assessment: Assessment,
    *,
    acting_user: Any,
    measure_type: MeasureType,
    status: str = MeasureStatus.EXISTING,
    notes: str = "",
    coverage_pct: int = 100,
    coverage_note: str = "",
    hours: str = CoverageHours.ALWAYS,
    side_effects: str = "",
    request: HttpRequest | None = None,
) -> ExistingMeasure:
    """Step 2: record a measure at the space (existing) or one under consideration (planned), with
    what it covers (share of the entries or of the space, which ones, when) and its side effects.

    A measure type is recorded once per space: recording it again updates that row, so its effect
    can never be counted twice.
    """
    _require_draft(assessment)
    if status not in MeasureStatus.values:
        raise InvalidRequestError(_("Unknown measure status."))
    if hours not in CoverageHours.values:
        raise InvalidRequestError(_("Unknown coverage hours."))
    if not 1 <= int(coverage_pct) <= 100:
        raise InvalidRequestError(_("The share covered must be between 1 and 100 %."))
    if measure_type.city_id is not None and measure_type.city_id != assessment.city_id:
        raise InvalidRequestError(_("This measure type belongs to another city."))
    values = {
        "status": status,
        "notes": notes,
        "coverage_pct": int(coverage_pct),
        "coverage_note": coverage_note.strip(),
        "hours": hours,
        "side_effects": side_effects.strip(),
    }
    measure, created = ExistingMeasure.objects.select_for_update().get_or_create(
        assessment=assessment, measure_type=measure_type, defaults=values
    )
    before = {}
    if not created:
        before = {name: getattr(measure, name) for name in values}
        for name, value in values.items():
            setattr(measure, name, value)
        measure.save()
    _touch(assessment, acting_user)
    _audit_update(
        assessment,
        acting_user,
        request,
        {
            "step": "measures",
            ("added" if created else "updated"): measure_type.code,
            "status": status,
            "coverage_pct": measure.coverage_pct,
            "hours": hours,
            **({"before": before} if before else {}),
        },
    )
    return measure


@transaction.atomic
def do_remove_measure(
    measure: ExistingMeasure, *, acting_user: Any, request: HttpRequest | None = None
) -> None:
    assessment = measure.assessment
    _require_draft(assessment)
    code = measure.measure_type.code
    measure.delete()
    _touch(assessment, acting_user)
    _audit_update(assessment, acting_user, request, {"step": "measures", "removed": code})


def _check_range(value: int | None, low: int, high: int, label: str) -> None:
    if value is not None and not low <= value <= high:
        raise InvalidRequestError(
            _("%(label)s must be between %(low)s and %(high)s.") % {"label": label, "low": low, "high": high}
        )


@transaction.atomic
def do_rate_scenario(
    scenario: Scenario,
    *,
    acting_user: Any,
    description: str = "",
    evidence: str = "",
    threat: int | None = None,
    vulnerability: int | None = None,
    consequence: int | None = None,
    override_reason: str = "",
    not_applicable: bool = False,
    not_applicable_reason: str = "",
    request: HttpRequest | None = None,
) -> Scenario:
    """Steps 3–4 for one attack type: threat, vulnerability and consequence rated apart.

    In the 5×5 mode each is 1–5 and the probability is derived (`derive_probability`); in the FEMA
    mode threat and vulnerability are 1–10 and the consequence is the space's asset value.
    Overruling a pre-filled value needs a reason. A scenario marked not applicable needs a reason
    too; its ratings are cleared, so it has no score and stays out of the risk profile.
    """
    assessment = scenario.assessment
    _require_draft(assessment)
    top = scoring.FEMA_MAX if assessment.is_fema else scoring.SCALE_MAX
    _check_range(threat, 1, top, _("Threat"))
    _check_range(vulnerability, 1, top, _("Vulnerability"))
    _check_range(consequence, 1, 5, _("Consequence"))
    na_reason = not_applicable_reason.strip()
    if not_applicable and not na_reason:
        raise InvalidRequestError(_("Say why this scenario is not applicable at this space."))
    if not_applicable:
        consequence = threat = vulnerability = None
    from pactesur.assessments import decisions  # it builds on this module

    band_before = scenario.band
    before = {
        "threat": scenario.threat,
        "vulnerability": scenario.vulnerability,
        "probability": scenario.probability,
        "consequence": scenario.consequence,
        "not_applicable": scenario.not_applicable,
    }
    scenario.description = description
    scenario.evidence = evidence
    scenario.threat = threat
    scenario.vulnerability = vulnerability
    scenario.consequence = consequence
    scenario.not_applicable = not_applicable
    scenario.not_applicable_reason = na_reason if not_applicable else ""
    if assessment.is_fema:
        scenario.probability = None
    derive_probability(scenario)
    reason = override_reason.strip()
    if scenario.overruled and not reason:
        raise InvalidRequestError(
            _("You changed a pre-filled rating: say why in “reason for overruling the suggestion”.")
        )
    scenario.override_reason = reason if scenario.overruled else ""
    # A decision taken on another band no longer holds.
    dropped = decisions.drop_decision_if_band_changed(scenario, band_before)
    scenario.save()
    _touch(assessment, acting_user)
    _audit_update(
        assessment,
        acting_user,
        request,
        {
            "step": "scenario",
            "attack_type": scenario.attack_type,
            "before": before,
            "after": {
                "threat": threat,
                "vulnerability": vulnerability,
                "probability": scenario.probability,
                "consequence": consequence,
                "not_applicable": not_applicable,
                "not_applicable_reason": scenario.not_applicable_reason,
            },
            "decision_dropped": dropped,
        },
    )
    return scenario


@transaction.atomic
def do_record_facts(
    scenario: Scenario,
    *,
    acting_user: Any,
    answers: dict[str, Any],
    request: HttpRequest | None = None,
) -> Scenario:
    """Facts before judgements: the answers to the scenario's observable questions. They feed the
    suggested ratings, which are brought up to date (a rating still equal to its suggestion follows)."""
    from pactesur.assessments import facts

    assessment = scenario.assessment
    _require_draft(assessment)
    cleaned = facts.clean_answers(scenario.attack_type, answers)
    kept = {k: v for k, v in (scenario.facts or {}).items() if k not in cleaned and k == "barrier_ratings"}
    before = dict(scenario.facts or {})
    scenario.facts = {**kept, **cleaned}
    scenario.save(update_fields=["facts", "updated_at"])
    _apply_suggestions(assessment, [scenario])
    _touch(assessment, acting_user)
    _audit_update(
        assessment,
        acting_user,
        request,
        {"step": "facts", "attack_type": scenario.attack_type, "before": before, "after": scenario.facts},
    )
    return scenario


# --- versions and the review cycle ---------------------------------------------------------------


def snapshot(assessment: Assessment) -> dict[str, Any]:
    """Everything an assessment says, as plain JSON: what a version stores and the diff compares."""
    from pactesur.assessments import decisions  # it builds on this module

    scenarios = {}
    for s in assessment.scenarios.all():
        scenarios[s.attack_type] = {
            "description": s.description,
            "evidence": s.evidence,
            "probability": s.probability,
            "consequence": s.consequence,
            "threat": s.threat,
            "vulnerability": s.vulnerability,
            "suggested_probability": s.suggested_probability,
            "suggested_threat": s.suggested_threat,
            "suggested_vulnerability": s.suggested_vulnerability,
            "suggested_consequence": s.suggested_consequence,
            "facts": s.facts or {},
            **decisions.scenario_decision(s),
            "override_reason": s.override_reason,
            "not_applicable": s.not_applicable,
            "not_applicable_reason": s.not_applicable_reason,
            "score": s.score_in(assessment.mode, assessment.asset_value),
        }
    return {
        "space": {"id": assessment.space_id, "name": assessment.space.shown_name},
        "context": {
            "users_description": assessment.users_description,
            "peak_times": assessment.peak_times,
            "usual_crowd": assessment.usual_crowd,
            "peak_crowd": assessment.peak_crowd,
            "area_m2": round(assessment.area_m2, 1),
            "mode": assessment.mode,
            "asset_value": assessment.asset_value,
            "obstacles_m2": assessment.obstacles_m2,
        },
        "measures": sorted(
            (
                {
                    "type": m.measure_type.code,
                    "status": m.status,
                    "notes": m.notes,
                    "coverage_pct": m.coverage_pct,
                    "coverage_note": m.coverage_note,
                    "hours": m.hours,
                    "side_effects": m.side_effects,
                }
                for m in assessment.measures.select_related("measure_type")
            ),
            key=lambda m: (m["type"], m["status"], m["notes"]),
        ),
        # The team and the action register as they stood (`decisions.register_snapshot`).
        **decisions.register_snapshot(assessment),
        "scenarios": scenarios,
        "review_due": assessment.review_due.isoformat() if assessment.review_due else None,
        "review_comment": assessment.review_comment,
    }


def _store_version(assessment: Assessment, kind: str, user: Any) -> AssessmentVersion:
    last = assessment.versions.order_by("-number").first()
    return AssessmentVersion.objects.create(
        assessment=assessment,
        number=(last.number + 1) if last else 1,
        kind=kind,
        cycle=assessment.cycle,
        snapshot=snapshot(assessment),
        created_by=stored_user(user),
        created_by_name=_user_name(user),
    )


def _profile_bands(assessment: Assessment) -> list[str]:
    return [
        band
        for s in assessment.scenarios.all()
        if (band := s.band_in(assessment.mode, assessment.asset_value)) is not None
    ]


def submission_refusal(assessment: Assessment) -> str | None:
    """Why `assessment` cannot be submitted yet, in the active language, or None when it can.

    Every scenario must be rated in the assessment's mode or marked not applicable with a reason,
    and at least one must be rated: an assessment of nothing is no assessment.
    """
    scenarios = list(assessment.scenarios.select_related("assessment"))
    open_names = [str(s.get_attack_type_display()) for s in scenarios if not s.settled]
    if open_names:
        return _(
            "Rate these scenarios or mark them not applicable with a reason before submitting: %(names)s."
        ) % {"names": ", ".join(open_names)}
    if not any(s.score is not None for s in scenarios):
        return _("Every scenario is marked not applicable: rate at least one before submitting.")
    from pactesur.assessments import decisions  # it builds on this module

    gaps = decisions.submission_gaps(assessment)
    if gaps:
        return " ".join(gaps)
    earlier = [
        str(s.get_attack_type_display())
        for s in scenarios
        if not assessment.is_fema and s.score is not None and not s.rated_apart
    ]
    if earlier:
        return _(
            "These scenarios were rated with the earlier method (a probability alone): rate their threat "
            "and vulnerability before submitting: %(names)s."
        ) % {"names": ", ".join(earlier)}
    return None


@transaction.atomic
def do_submit_assessment(
    assessment: Assessment, *, acting_user: Any, request: HttpRequest | None = None
) -> AssessmentVersion:
    """Draft → in review; stores the submitted version. Every scenario rated or not applicable."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_draft(assessment)
    refusal = submission_refusal(assessment)
    if refusal is not None:
        raise AssessmentStateError(refusal)
    user = stored_user(acting_user)
    # From now on the assessment shows the figures it was submitted with, whatever the space says.
    assessment.record_figures()
    assessment.status = Status.IN_REVIEW
    assessment.submitted_by = user
    assessment.submitted_at = timezone.now()
    assessment.review_comment = ""
    assessment.save()
    version = _store_version(assessment, VersionKind.SUBMITTED, acting_user)
    _audit_update(assessment, acting_user, request, {"status": Status.IN_REVIEW, "version": version.number})
    return version


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_review_date(assessment: Assessment, *, today: datetime.date | None = None) -> datetime.date:
    """Next review: 12 months ahead, 6 if a scenario is high, 3 if one is very high."""
    today = today or timezone.localdate()
    return add_months(today, scoring.review_months(_profile_bands(assessment)))


@transaction.atomic
def do_approve_assessment(
    assessment: Assessment,
    *,
    acting_user: Any,
    review_due: datetime.date | None = None,
    comment: str = "",
    request: HttpRequest | None = None,
) -> AssessmentVersion:
    """In review → approved, by someone other than the person who submitted it."""
    assessment = _lock_in_status(
        assessment, Status.IN_REVIEW, _("Only an assessment in review can be approved.")
    )
    if assessment.submitted_by_id is not None and assessment.submitted_by_id == getattr(
        acting_user, "pk", None
    ):
        raise ReviewerIsAuthorError(
            _("You submitted this version: another security manager or administrator must review it.")
        )
    if getattr(acting_user, "pk", None) in (assessment.editors or []):
        raise ReviewerIsAuthorError(
            _(
                "You changed this assessment in this cycle: someone who did not edit it must review it "
                "(another security manager or administrator)."
            )
        )
    today = timezone.localdate()
    if review_due is not None and review_due <= today:
        raise InvalidRequestError(_("The next review date must be in the future."))
    latest = add_months(today, scoring.MAX_REVIEW_MONTHS)
    if review_due is not None and review_due > latest:
        raise InvalidRequestError(
            _("The next review must be at most %(months)s months ahead (by %(date)s).")
            % {"months": scoring.MAX_REVIEW_MONTHS, "date": formats.date_format(latest, "SHORT_DATE_FORMAT")}
        )
    assessment.status = Status.APPROVED
    assessment.approved_by = stored_user(acting_user)
    assessment.approved_at = timezone.now()
    assessment.review_due = review_due or default_review_date(assessment, today=today)
    assessment.review_comment = comment
    # What the ranking, the matrix and the network comparison read (`risk.approved_summary`).
    assessment.approved_profile = risk.approved_summary(assessment)
    assessment.save()
    # The changes that flagged it for re-assessment are dealt with by this approval.
    triggers.clear_flags_on_approval(assessment, acting_user=acting_user, request=request)
    version = _store_version(assessment, VersionKind.APPROVED, acting_user)
    _audit_update(
        assessment,
        acting_user,
        request,
        {
            "status": Status.APPROVED,
            "version": version.number,
            "review_due": assessment.review_due.isoformat(),
        },
    )
    return version


@transaction.atomic
def do_return_assessment(
    assessment: Assessment, *, acting_user: Any, comment: str = "", request: HttpRequest | None = None
) -> AssessmentVersion:
    """In review → draft, with the reviewer's comment (or the author withdrawing it)."""
    assessment = _lock_in_status(
        assessment, Status.IN_REVIEW, _("Only an assessment in review can be returned to draft.")
    )
    assessment.status = Status.DRAFT
    assessment.review_comment = comment
    assessment.save()
    version = _store_version(assessment, VersionKind.RETURNED, acting_user)
    _audit_update(assessment, acting_user, request, {"status": Status.DRAFT, "returned": True})
    return version


@transaction.atomic
def do_reopen_assessment(
    assessment: Assessment, *, acting_user: Any, request: HttpRequest | None = None
) -> Assessment:
    """Approved → draft for a new cycle; the approved versions stay in the history."""
    assessment = _lock_in_status(
        assessment, Status.APPROVED, _("Only an approved assessment starts a new cycle.")
    )
    assessment.status = Status.DRAFT
    assessment.cycle += 1
    assessment.submitted_by = None
    assessment.submitted_at = None
    # A new cycle has its own editors, and reads the space's figures as they are now.
    assessment.editors = []
    assessment.save()
    _apply_suggestions(assessment, assessment.scenarios.all())
    _audit_update(assessment, acting_user, request, {"status": Status.DRAFT, "cycle": assessment.cycle})
    return assessment


# --- diff ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    section: str  # "context", "measures", "scenario", "review"
    item: str  # field name, measure code or attack type
    field: str
    before: Any
    after: Any


_SCENARIO_DEFAULTS: dict[str, Any] = {
    "not_applicable": False,
    "not_applicable_reason": "",
    "facts": {},
    "decision": "",
    "decision_reason": "",
}
_MEASURE_FIELDS = ("notes", "coverage_pct", "coverage_note", "hours", "side_effects")
_MEASURE_DEFAULTS: dict[str, Any] = {
    "coverage_pct": 100,
    "coverage_note": "",
    "hours": CoverageHours.ALWAYS,
    "side_effects": "",
}


def diff_snapshots(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """What changed between two snapshots: context fields, measures, scenario fields and ratings."""
    changes: list[Change] = []
    for key in sorted(set(old.get("context", {})) | set(new.get("context", {}))):
        a, b = old.get("context", {}).get(key), new.get("context", {}).get(key)
        if a != b:
            changes.append(Change("context", key, key, a, b))
    a_measures = {(m["type"], m["status"]): m for m in old.get("measures", [])}
    b_measures = {(m["type"], m["status"]): m for m in new.get("measures", [])}
    for key in sorted(set(a_measures) | set(b_measures)):
        if key not in a_measures:
            changes.append(Change("measures", key[0], key[1], None, "added"))
        elif key not in b_measures:
            changes.append(Change("measures", key[0], key[1], "removed", None))
        else:
            # Versions stored before coverage was recorded lack its keys.
            for field in _MEASURE_FIELDS:
                default = _MEASURE_DEFAULTS.get(field)
                before, after = a_measures[key].get(field, default), b_measures[key].get(field, default)
                if before != after:
                    changes.append(Change("measures", key[0], field, before, after))
    old_sc, new_sc = old.get("scenarios", {}), new.get("scenarios", {})
    for attack in [a for a in ATTACK_ORDER if a in old_sc or a in new_sc]:
        a, b = old_sc.get(attack, {}), new_sc.get(attack, {})
        for field in (
            "threat",
            "vulnerability",
            "probability",
            "consequence",
            "score",
            "description",
            "evidence",
            "facts",
            "override_reason",
            "not_applicable",
            "not_applicable_reason",
            "decision",
            "decision_reason",
        ):
            # Versions stored before "not applicable" existed lack its keys: read them as "applicable".
            default = _SCENARIO_DEFAULTS.get(field)
            before, after = a.get(field, default), b.get(field, default)
            if before != after:
                changes.append(Change("scenario", attack, field, before, after))
    changes.extend(
        Change("review", key, key, old.get(key), new.get(key))
        for key in ("review_due", "review_comment")
        if old.get(key) != new.get(key)
    )
    return changes


# --- reminders -----------------------------------------------------------------------------------


def overdue_assessments(*, today: datetime.date) -> Any:
    """Assessments whose review date has passed: approved ones, and reopened ones not yet re-approved
    (those of archived spaces are kept but not reminded of)."""
    return (
        Assessment.objects.filter(review_due__lt=today, space__archived_at__isnull=True)
        .select_related("city", "space")
        .order_by("city", "review_due")
    )


@dataclass(frozen=True)
class ReminderResult:
    cities: int
    emails: int
    skipped: int


def do_send_assessment_reminders(*, today: datetime.date | None = None) -> ReminderResult:
    """E-mail each city's security managers and administrators the assessments overdue for review.

    One message per person per city per day: a city already reminded today is skipped, so running
    the command or the task twice a day sends nothing more.
    """
    today = today or timezone.localdate()
    by_city: dict[int, list[Assessment]] = {}
    for assessment in overdue_assessments(today=today):
        by_city.setdefault(assessment.city_id, []).append(assessment)
    sent = skipped = 0
    for city_id, assessments in by_city.items():
        try:
            with transaction.atomic():
                count = _remind_city(City.objects.get(pk=city_id), assessments, today)
        except IntegrityError:
            # Another run wrote today's log between our check and our insert: it sends the e-mails.
            count = None
        if count is None:
            skipped += 1
        else:
            sent += count
    return ReminderResult(len(by_city), sent, skipped)


def _short_date(day: datetime.date | None) -> str:
    """A date the reader's way (the active language's SHORT_DATE_FORMAT); "" for none."""
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day else ""


def _remind_city(city: City, assessments: list[Assessment], today: datetime.date) -> int | None:
    """E-mail one city's reviewers; None when the city was already reminded today."""
    if ReminderLog.objects.filter(city=city, sent_on=today).exists():
        return None
    members = (
        Membership.objects.filter(city=city, role__in=[Role.ADMIN, Role.SECURITY], user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    )
    users = {m.user.pk: m.user for m in members if m.user.email}
    label_namesakes([a.space for a in assessments])
    messages = []
    base = getattr(settings, "PACTESUR_BASE_URL", "")
    for user in users.values():
        with translation.override(getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE):
            lines = [
                _("Hello %(name)s,") % {"name": user.get_full_name() or user.get_username()},
                "",
                _("These vulnerability assessments of %(city)s are overdue for review:")
                % {"city": city.name},
                "",
            ]
            for a in assessments:
                url = base + reverse("assessments:detail", args=[a.pk])
                lines.append(
                    _("- %(space)s: review was due on %(date)s — %(url)s")
                    % {
                        "space": a.space.display_name,
                        "date": _short_date(a.review_due),
                        "url": url,
                    }
                )
            lines += [
                "",
                _("Open the assessment, start a new cycle and submit it for review."),
                "",
                "PACTESUR",
            ]
            subject = _("[PACTESUR] %(n)s assessments overdue for review in %(city)s") % {
                "n": len(assessments),
                "city": city.name,
            }
        messages.append((subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [user.email]))
    ReminderLog.objects.create(
        city=city, sent_on=today, recipients=len(messages), assessments=[a.pk for a in assessments]
    )
    do_record_audit(
        AuditAction.UPDATE,
        acting_user=None,
        city=city,
        username="reminders",
        detail={"reminder": True, "assessments": [a.pk for a in assessments], "recipients": len(messages)},
    )
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))
    return len(messages)


# --- exports -------------------------------------------------------------------------------------


def do_export_space_report(
    assessment: Assessment, *, acting_user: Any, request: HttpRequest | None = None
) -> bytes:
    """The space's PDF report, watermarked with who exports it and when; the export is audited."""
    from pactesur.assessments.reports import space_report_pdf

    pdf = space_report_pdf(assessment, exported_by=_user_name(acting_user), exported_at=timezone.now())
    do_record_export(
        acting_user=acting_user,
        city=assessment.city,
        what="assessment report",
        fmt="pdf",
        obj=assessment,
        request=request,
    )
    return pdf


def do_export_city_report(city: City, *, acting_user: Any, request: HttpRequest | None = None) -> bytes:
    from pactesur.assessments.reports import city_report_pdf

    pdf, count = city_report_pdf(city, exported_by=_user_name(acting_user), exported_at=timezone.now())
    do_record_export(
        acting_user=acting_user, city=city, what="city risk summary", fmt="pdf", rows=count, request=request
    )
    return pdf


__all__ = [
    "AssessmentStateError",
    "AttackType",
    "Change",
    "ReviewerIsAuthorError",
    "diff_snapshots",
    "do_add_measure",
    "do_approve_assessment",
    "do_export_city_report",
    "do_export_space_report",
    "do_follow_space_figures",
    "do_rate_scenario",
    "do_refresh_suggestions",
    "do_remove_measure",
    "do_reopen_assessment",
    "do_return_assessment",
    "do_send_assessment_reminders",
    "do_start_assessment",
    "do_submit_assessment",
    "do_update_assessment_context",
    "snapshot",
    "submission_refusal",
]
