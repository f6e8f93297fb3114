"""Decisions on each risk (accept or treat), the register of actions and the assessment team.

Martyn's Law s.7 asks for a record of the risks assessed, the measures decided and who decided them;
the EU checklist starts with a team (the municipality leads, with the police). A decision and the
team belong to the cycle: they are written on a draft, and the approved version keeps them. The
register of actions is a living document: its actions progress after approval, so it is written
whatever the assessment's status, by those who may edit assessments.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from pactesur.assessments import actions, scoring
from pactesur.assessments.models import (
    ActionStatus,
    Assessment,
    Decision,
    Organisation,
    RiskAction,
    Scenario,
    TeamMember,
)
from pactesur.audit.actions import do_record_audit
from pactesur.audit.models import AuditAction
from pactesur.cities.errors import InvalidRequestError
from pactesur.cities.models import City, has_city_perm
from pactesur.cities.records import stored_user
from pactesur.measures.models import MeasureType
from pactesur.spaces.naming import label_namesakes

# Bands whose risk may not go to review without a decision: the ones the review date shortens for.
DECISION_BANDS = (scoring.HIGH, scoring.VERY_HIGH)
OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
TITLE_MAX = RiskAction._meta.get_field("title").max_length or 300
OWNER_MAX = RiskAction._meta.get_field("owner").max_length or 150
NAME_MAX = TeamMember._meta.get_field("name").max_length or 150
ROLE_MAX = TeamMember._meta.get_field("role").max_length or 150


def _audit_assessment(
    assessment: Assessment, acting_user: Any, request: HttpRequest | None, detail: dict[str, Any]
) -> None:
    """The audit row of a decision or a change to the team: an update of the assessment."""
    do_record_audit(
        AuditAction.UPDATE, acting_user=acting_user, obj=assessment, request=request, detail=detail
    )


# --- decisions -----------------------------------------------------------------------------------


@transaction.atomic
def do_decide_scenario(
    scenario: Scenario,
    *,
    acting_user: Any,
    decision: str,
    reason: str,
    request: HttpRequest | None = None,
) -> Scenario:
    """Accept or treat the risk of one rated scenario, with the reason; records who decided and when.

    Decided on a draft, as part of the cycle: the version submitted and approved keeps it.
    """
    assessment = scenario.assessment
    actions._require_draft(assessment)
    # The rating as stored, not as the caller's copy remembers it.
    scenario.refresh_from_db()
    scenario.assessment = assessment
    if decision not in Decision.values:
        raise InvalidRequestError(_("Choose whether to accept the risk or to treat it."))
    if scenario.not_applicable or scenario.score is None:
        raise InvalidRequestError(
            _("Rate this scenario before deciding on its risk: a decision rests on a rated risk.")
        )
    reason = reason.strip()
    if not reason:
        raise InvalidRequestError(_("Say why you accept or treat this risk: the reason is kept on record."))
    before = {"decision": scenario.decision, "reason": scenario.decision_reason}
    scenario.decision = decision
    scenario.decision_reason = reason
    scenario.decided_by = stored_user(acting_user)
    scenario.decided_by_name = actions._user_name(acting_user)
    scenario.decided_at = timezone.now()
    scenario.save(
        update_fields=[
            "decision",
            "decision_reason",
            "decided_by",
            "decided_by_name",
            "decided_at",
            "updated_at",
        ]
    )
    actions._touch(assessment, acting_user)
    _audit_assessment(
        assessment,
        acting_user,
        request,
        {
            "step": "decision",
            "attack_type": scenario.attack_type,
            "score": scenario.score,
            "band": scenario.band,
            "before": before,
            "after": {"decision": decision, "reason": reason},
        },
    )
    return scenario


def drop_decision_if_band_changed(scenario: Scenario, band_before: str | None) -> bool:
    """Forget the decision of `scenario` (not saved) when its band is no longer the one it was taken
    on: accepting a medium risk says nothing about the very high one it became. Returns whether it did.

    For `actions.do_rate_scenario`, before it saves the new ratings.
    """
    if not scenario.decision or scenario.band == band_before:
        return False
    scenario.decision = ""
    scenario.decision_reason = ""
    scenario.decided_by = None
    scenario.decided_by_name = ""
    scenario.decided_at = None
    return True


def submission_gaps(assessment: Assessment) -> list[str]:
    """What the decisions lack before `assessment` can be submitted, in the active language.

    A high or very high risk needs a decision; a risk decided "treat" needs an action on it that is
    not cancelled (open, in progress or already done).
    """
    scenarios = [
        s
        for s in assessment.scenarios.prefetch_related("actions")
        if not s.not_applicable and s.score_in(assessment.mode, assessment.asset_value) is not None
    ]
    gaps = []
    undecided = [
        str(s.get_attack_type_display())
        for s in scenarios
        if not s.decision and s.band_in(assessment.mode, assessment.asset_value) in DECISION_BANDS
    ]
    if undecided:
        gaps.append(
            _("Decide whether to accept or treat these high risks: %(names)s.")
            % {"names": ", ".join(undecided)}
        )
    untreated = [
        str(s.get_attack_type_display())
        for s in scenarios
        if s.decision == Decision.TREAT
        and not any(a.status != ActionStatus.CANCELLED for a in s.actions.all())
    ]
    if untreated:
        gaps.append(
            _("Plan at least one action for each risk you decided to treat: %(names)s.")
            % {"names": ", ".join(untreated)}
        )
    return gaps


def scenario_decision(scenario: Scenario) -> dict[str, Any]:
    """The decision of a scenario as plain JSON, for the snapshot of a version."""
    return {
        "decision": scenario.decision,
        "decision_reason": scenario.decision_reason,
        "decided_by_name": scenario.decided_by_name,
        "decided_at": scenario.decided_at.isoformat() if scenario.decided_at else None,
    }


def register_snapshot(assessment: Assessment) -> dict[str, Any]:
    """The team and the action register as plain JSON, for the snapshot of a version."""
    return {
        "team": [
            {"name": m.name, "organisation": m.organisation, "role": m.role} for m in assessment.team.all()
        ],
        "actions": [
            {
                "title": a.title,
                "owner": a.owner,
                "due_on": a.due_on.isoformat(),
                "cost_eur": a.cost_eur,
                "status": a.status,
                "scenario": a.scenario.attack_type if a.scenario else None,
                "measure_type": a.measure_type.code if a.measure_type else None,
            }
            for a in assessment.actions.select_related("scenario", "measure_type")
        ],
    }


# --- the action register -------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionFields:
    """What a person writes about an action, checked by `_checked`."""

    title: str
    owner: str
    due_on: datetime.date
    cost_eur: int | None = None
    scenario: Scenario | None = None
    measure_type: MeasureType | None = None
    notes: str = ""


def _checked(assessment: Assessment, fields: ActionFields) -> ActionFields:
    """The fields with their blanks trimmed, or an error a person can act on."""
    title, owner = fields.title.strip(), fields.owner.strip()
    if not title:
        raise InvalidRequestError(_("Say what is to be done."))
    if len(title) > TITLE_MAX:
        raise InvalidRequestError(_("Keep the action under %(n)s characters.") % {"n": TITLE_MAX})
    if not owner:
        raise InvalidRequestError(_("Name the person or service responsible for the action."))
    if len(owner) > OWNER_MAX:
        raise InvalidRequestError(_("Keep the owner under %(n)s characters.") % {"n": OWNER_MAX})
    if not isinstance(fields.due_on, datetime.date):
        raise InvalidRequestError(_("Give the action a deadline."))
    if fields.cost_eur is not None and fields.cost_eur < 0:
        raise InvalidRequestError(_("The cost cannot be negative."))
    if fields.scenario is not None and fields.scenario.assessment_id != assessment.pk:
        raise InvalidRequestError(_("This risk belongs to another assessment."))
    if (
        fields.measure_type is not None
        and not MeasureType.objects.for_city(assessment.city_id).filter(pk=fields.measure_type.pk).exists()
    ):
        raise InvalidRequestError(_("This measure type belongs to another city."))
    return ActionFields(
        title=title,
        owner=owner,
        due_on=fields.due_on,
        cost_eur=fields.cost_eur,
        scenario=fields.scenario,
        measure_type=fields.measure_type,
        notes=fields.notes.strip(),
    )


def _set_status(risk_action: RiskAction, status: str) -> None:
    """Set the status (not saved); done records when, anything else forgets it."""
    if status not in ActionStatus.values:
        raise InvalidRequestError(_("Unknown action status."))
    if status == ActionStatus.DONE and risk_action.status != ActionStatus.DONE:
        risk_action.done_at = timezone.now()
    elif status != ActionStatus.DONE:
        risk_action.done_at = None
    risk_action.status = status


def _plain(risk_action: RiskAction) -> dict[str, Any]:
    """An action's fields as plain values, for the audit row."""
    return {
        "title": risk_action.title,
        "owner": risk_action.owner,
        "due_on": risk_action.due_on.isoformat(),
        "cost_eur": risk_action.cost_eur,
        "status": risk_action.status,
        "scenario": risk_action.scenario.attack_type if risk_action.scenario else None,
        "measure_type": risk_action.measure_type.code if risk_action.measure_type else None,
        "notes": risk_action.notes,
    }


def _audit_action(
    verb: str,
    risk_action: RiskAction,
    acting_user: Any,
    request: HttpRequest | None,
    detail: dict[str, Any],
) -> None:
    do_record_audit(
        verb,
        acting_user=acting_user,
        city=risk_action.assessment.city,
        obj=risk_action,
        request=request,
        detail={"assessment": risk_action.assessment_id, **detail},
    )


@transaction.atomic
def do_add_risk_action(
    assessment: Assessment,
    fields: ActionFields,
    *,
    acting_user: Any,
    status: str = ActionStatus.OPEN,
    request: HttpRequest | None = None,
) -> RiskAction:
    """Add an action to the register: what, who, by when, at what cost, for which risk."""
    checked = _checked(assessment, fields)
    risk_action = RiskAction(
        assessment=assessment,
        title=checked.title,
        owner=checked.owner,
        due_on=checked.due_on,
        cost_eur=checked.cost_eur,
        scenario=checked.scenario,
        measure_type=checked.measure_type,
        notes=checked.notes,
        created_by=stored_user(acting_user),
    )
    _set_status(risk_action, status)
    risk_action.save()
    _audit_action(AuditAction.CREATE, risk_action, acting_user, request, {"after": _plain(risk_action)})
    return risk_action


@transaction.atomic
def do_update_risk_action(
    risk_action: RiskAction,
    fields: ActionFields,
    *,
    acting_user: Any,
    status: str | None = None,
    request: HttpRequest | None = None,
) -> RiskAction:
    """Change an action of the register (and its status, when given)."""
    risk_action = RiskAction.objects.select_for_update().select_related("assessment").get(pk=risk_action.pk)
    checked = _checked(risk_action.assessment, fields)
    before = _plain(risk_action)
    risk_action.title = checked.title
    risk_action.owner = checked.owner
    risk_action.due_on = checked.due_on
    risk_action.cost_eur = checked.cost_eur
    risk_action.scenario = checked.scenario
    risk_action.measure_type = checked.measure_type
    risk_action.notes = checked.notes
    if status is not None:
        _set_status(risk_action, status)
    risk_action.save()
    after = _plain(risk_action)
    changed = sorted(k for k in after if after[k] != before[k])
    _audit_action(
        AuditAction.UPDATE,
        risk_action,
        acting_user,
        request,
        {"before": {k: before[k] for k in changed}, "after": {k: after[k] for k in changed}},
    )
    return risk_action


@transaction.atomic
def do_set_risk_action_status(
    risk_action: RiskAction, *, acting_user: Any, status: str, request: HttpRequest | None = None
) -> RiskAction:
    """Move an action on: open, in progress, done (the day is recorded) or cancelled."""
    risk_action = RiskAction.objects.select_for_update().select_related("assessment").get(pk=risk_action.pk)
    before = risk_action.status
    _set_status(risk_action, status)
    risk_action.save(update_fields=["status", "done_at", "updated_at"])
    _audit_action(
        AuditAction.UPDATE,
        risk_action,
        acting_user,
        request,
        {"before": {"status": before}, "after": {"status": status}},
    )
    return risk_action


@dataclass(frozen=True)
class ActionRow:
    """An action as the register and the dashboard show it."""

    action: RiskAction
    overdue: bool

    @property
    def space(self) -> Any:
        return self.action.assessment.space


def is_overdue(risk_action: RiskAction, today: datetime.date) -> bool:
    """Still to do (open or in progress) and its deadline has passed."""
    return risk_action.is_open and risk_action.due_on < today


def actions_for(assessment: Assessment, *, today: datetime.date | None = None) -> list[ActionRow]:
    """The register of one assessment, by deadline."""
    today = today or timezone.localdate()
    return [
        ActionRow(a, is_overdue(a, today))
        for a in assessment.actions.select_related("scenario", "measure_type", "assessment__space")
    ]


def open_actions_for_city(city: City, today: datetime.date) -> list[ActionRow]:
    """The actions still to do at the city's spaces (archived ones aside), the earliest deadline first:
    what the dashboard lists, overdue ones marked."""
    rows = [
        ActionRow(a, is_overdue(a, today))
        for a in RiskAction.objects.filter(
            assessment__city=city,
            assessment__space__archived_at__isnull=True,
            status__in=OPEN_STATUSES,
        )
        .select_related("scenario", "measure_type", "assessment__space")
        .order_by("due_on", "id")
    ]
    label_namesakes([r.space for r in rows])
    return rows


@dataclass(frozen=True)
class CostLine:
    status: str
    label: str
    count: int
    cost_eur: int


@dataclass(frozen=True)
class CostTotals:
    """The register's cost by status, and the total of what is not cancelled."""

    lines: list[CostLine]
    committed_eur: int
    uncosted: int


def cost_totals(rows: Iterable[ActionRow | RiskAction]) -> CostTotals:
    """Count and cost (€) of the actions per status; `uncosted` counts the live ones without a cost."""
    found = [r.action if isinstance(r, ActionRow) else r for r in rows]
    lines = []
    for status, label in ActionStatus.choices:
        of_status = [a for a in found if a.status == status]
        lines.append(CostLine(status, str(label), len(of_status), sum(a.cost_eur or 0 for a in of_status)))
    live = [a for a in found if a.status != ActionStatus.CANCELLED]
    return CostTotals(
        lines=lines,
        committed_eur=sum(a.cost_eur or 0 for a in live),
        uncosted=sum(1 for a in live if a.cost_eur is None),
    )


def open_actions_context(
    request: HttpRequest, city: City, today: datetime.date | None = None
) -> dict[str, Any]:
    """What `_open_actions.html` needs on the risk dashboard: the city's open actions, and whether the
    reader may open the assessments (security, admin) or only read the list (planner)."""
    today = today or timezone.localdate()
    return {
        "open_actions": open_actions_for_city(city, today),
        "actions_linked": has_city_perm(request.user, city, "assessment.view"),
        "today": today,
    }


# --- the team ------------------------------------------------------------------------------------


@transaction.atomic
def do_add_team_member(
    assessment: Assessment,
    *,
    acting_user: Any,
    name: str,
    organisation: str,
    role: str = "",
    request: HttpRequest | None = None,
) -> TeamMember:
    """Add someone to the assessment team: name, organisation, role in the assessment."""
    actions._require_draft(assessment)
    name, role = name.strip(), role.strip()
    if not name:
        raise InvalidRequestError(_("Give the team member's name."))
    if len(name) > NAME_MAX or len(role) > ROLE_MAX:
        raise InvalidRequestError(_("Keep the name and the role under %(n)s characters.") % {"n": NAME_MAX})
    if organisation not in Organisation.values:
        raise InvalidRequestError(_("Choose the team member's organisation."))
    member = TeamMember.objects.create(assessment=assessment, name=name, organisation=organisation, role=role)
    actions._touch(assessment, acting_user)
    _audit_assessment(
        assessment,
        acting_user,
        request,
        {"step": "team", "added": {"name": name, "organisation": organisation, "role": role}},
    )
    return member


@transaction.atomic
def do_remove_team_member(
    member: TeamMember, *, acting_user: Any, request: HttpRequest | None = None
) -> None:
    assessment = member.assessment
    actions._require_draft(assessment)
    removed = {"name": member.name, "organisation": member.organisation, "role": member.role}
    member.delete()
    actions._touch(assessment, acting_user)
    _audit_assessment(assessment, acting_user, request, {"step": "team", "removed": removed})


def team_gaps(assessment: Assessment) -> list[str]:
    """Warnings (not blocking) when the team lacks the municipality or the police."""
    present = set(assessment.team.values_list("organisation", flat=True))
    warnings = []
    if Organisation.MUNICIPALITY not in present:
        warnings.append(
            _("Nobody from the municipality is on the team: the municipality leads the assessment.")
        )
    if Organisation.POLICE not in present:
        warnings.append(
            _("Nobody from the police is on the team: ask them to join, their advice underpins the threat.")
        )
    return warnings


__all__ = [
    "ActionFields",
    "ActionRow",
    "CostTotals",
    "actions_for",
    "cost_totals",
    "do_add_risk_action",
    "do_add_team_member",
    "do_decide_scenario",
    "do_remove_team_member",
    "do_set_risk_action_status",
    "do_update_risk_action",
    "drop_decision_if_band_changed",
    "open_actions_context",
    "open_actions_for_city",
    "register_snapshot",
    "scenario_decision",
    "submission_gaps",
    "team_gaps",
]
