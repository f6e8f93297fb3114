"""Re-assessment when things change: the threat level, attacks, and the flags and tasks they raise.

A change that bears on a space's risk — the threat level, an incident at the space or an attack on a
comparable space, an edited outline or crowd, a new event, a measure removed, an approach analysis
whose figures changed — raises a `ReassessmentFlag` on the assessments it concerns, with a task
(`RiskAction`) to look at them again. Drafts are left alone: they are being worked on, read the
space's current figures and take the threat level's suggestion. A flag stays open until the next
approval of its assessment (`clear_flags_on_approval`) or until someone dismisses it with a reason.
One open flag per reason and assessment: a second change of the same kind updates its detail.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pactesur.assessments.library import AttackType
from pactesur.assessments.models import (
    ActionStatus,
    Assessment,
    FlagReason,
    ReassessmentFlag,
    RecordedAttack,
    RiskAction,
    Status,
    ThreatLevel,
)
from pactesur.audit.actions import do_record_audit
from pactesur.audit.models import AuditAction
from pactesur.cities.errors import InvalidRequestError
from pactesur.cities.models import City
from pactesur.cities.records import stored_user
from pactesur.spaces.models import Space, SpaceKind, kind_label

logger = logging.getLogger(__name__)

# The deadline of the task a flag creates: a month to look at the assessment again (assumption).
TASK_DAYS = 30
# Assessments a change is flagged on: drafts are being worked on and follow the space anyway.
FLAGGED_STATUSES = (Status.IN_REVIEW, Status.APPROVED)
# The approach analysis' figures that make its reading, and what a difference must exceed to count
# (a re-run of the same inputs gives the same figures; rounding keeps float noise out).
ANALYSIS_FIGURES = ("max_impact_speed_kmh", "max_kinetic_energy_kj", "entry_count", "unprotected_entry_count")
_FIGURE_DIGITS = {"max_impact_speed_kmh": 1, "max_kinetic_energy_kj": 0}


class FlagStateError(InvalidRequestError):
    """The flag was already cleared or dismissed."""


# --- reading -------------------------------------------------------------------------------------


def current_threat_level(city: City | int) -> ThreatLevel | None:
    """The city's threat level now: the latest recorded, or None before the first."""
    city_id = city if isinstance(city, int) else city.pk
    return ThreatLevel.objects.filter(city_id=city_id).order_by("-set_at", "-id").first()


@dataclass(frozen=True)
class FlagRow:
    """A flag as pages show it: what changed, in words, and its task."""

    flag: ReassessmentFlag
    reason: str
    what: str
    task: RiskAction | None


def _rows(flags: Iterable[ReassessmentFlag]) -> list[FlagRow]:
    return [FlagRow(f, str(f.get_reason_display()), flag_text(f), f.task) for f in flags]


def _open_flags() -> QuerySet[ReassessmentFlag]:
    return ReassessmentFlag.objects.filter(cleared_at__isnull=True).select_related(
        "assessment__space", "task"
    )


def open_flags_for(assessment: Assessment) -> list[FlagRow]:
    """The open flags of one assessment, newest first (for the assessment page)."""
    return _rows(_open_flags().filter(assessment=assessment).order_by("-raised_at", "-id"))


def open_flags_for_city(city: City) -> list[FlagRow]:
    """The open flags of a city's assessments, by space (for the dashboard and the flags page);
    those of archived spaces are kept but not listed."""
    return _rows(
        _open_flags()
        .filter(assessment__city=city, assessment__space__archived_at__isnull=True)
        .order_by("assessment__space__name", "assessment_id", "-raised_at", "-id")
    )


def _day(value: str | None) -> str:
    if not value:
        return "—"
    try:
        return formats.date_format(datetime.date.fromisoformat(value[:10]), "SHORT_DATE_FORMAT")
    except ValueError:
        return value


def _attack_words(item: dict[str, Any]) -> str:
    kind = str(AttackType(item["type"]).label) if item.get("type") in AttackType.values else ""
    return _("%(type)s on %(date)s at %(place)s") % {
        "type": kind or _("Attack"),
        "date": _day(item.get("date")),
        "place": item.get("place", "—"),
    }


_FIGURE_LABELS = {
    "usual_crowd": gettext_lazy("usual crowd"),
    "peak_crowd": gettext_lazy("peak crowd"),
    "peak_times": gettext_lazy("peak times"),
    "area_m2": gettext_lazy("area (m²)"),
    "max_impact_speed_kmh": gettext_lazy("highest impact speed (km/h)"),
    "max_kinetic_energy_kj": gettext_lazy("highest kinetic energy (kJ)"),
    "entry_count": gettext_lazy("entries"),
    "unprotected_entry_count": gettext_lazy("entries above 16 km/h"),
}


def _from_to(name: str, change: dict[str, Any]) -> str:
    def shown(value: Any) -> str:
        if value is None or value == "":
            return "—"
        return str(formats.localize(round(value) if isinstance(value, float) else value, use_l10n=True))

    return _("%(what)s from %(before)s to %(after)s") % {
        "what": str(_FIGURE_LABELS.get(name, name)),
        "before": shown(change.get("from")),
        "after": shown(change.get("to")),
    }


def _analysis_words(vehicles: dict[str, Any]) -> list[str]:
    parts = []
    for code, change in sorted(vehicles.items()):
        before, after = change.get("from") or {}, change.get("to") or {}
        if not before:
            parts.append(_("%(vehicle)s: a first analysis") % {"vehicle": code})
            continue
        moved = [
            _from_to(name, {"from": before.get(name), "to": after.get(name)})
            for name in ANALYSIS_FIGURES
            if before.get(name) != after.get(name)
        ]
        parts.append(f"{code}: {', '.join(moved)}")
    return parts


def flag_text(flag: ReassessmentFlag) -> str:
    """What changed, in the active language, from the flag's detail."""
    detail = flag.detail or {}
    parts: list[str] = []
    if flag.reason == FlagReason.THREAT_LEVEL:
        level = detail.get("level", {})
        parts.append(
            _("From level %(before)s to level %(after)s")
            % {"before": level.get("from"), "after": level.get("to")}
        )
        if detail.get("name"):
            parts.append(str(detail["name"]))
    elif flag.reason in (FlagReason.INCIDENT, FlagReason.COMPARABLE_ATTACK):
        parts.extend(_attack_words(a) for a in detail.get("attacks", []))
    elif flag.reason in (FlagReason.OUTLINE, FlagReason.CROWD):
        parts.extend(_from_to(name, change) for name, change in sorted(detail.get("figures", {}).items()))
    elif flag.reason == FlagReason.EVENT:
        parts.extend(
            _("%(name)s on %(date)s") % {"name": e.get("name", "—"), "date": _day(e.get("starts"))}
            for e in detail.get("events", [])
        )
    elif flag.reason == FlagReason.MEASURE_REMOVED:
        parts.extend(str(m.get("name", "—")) for m in detail.get("measures", []))
    elif flag.reason == FlagReason.STALE_ANALYSIS:
        parts.extend(_analysis_words(detail.get("vehicles", {})))
    return "; ".join(p for p in parts if p)


# --- raising, clearing, dismissing ---------------------------------------------------------------


def _merged(old: Any, new: Any) -> Any:
    """The detail of an open flag after a second change of the same kind: lists gather their items,
    a change {from, to} keeps where it started and takes where it is now."""
    if isinstance(old, dict) and isinstance(new, dict):
        if "from" in old and "to" in new:
            return {**new, "from": old["from"]}
        return {**old, **{key: _merged(old.get(key), value) for key, value in new.items()}}
    if isinstance(old, list) and isinstance(new, list):
        return old + [item for item in new if item not in old]
    return new


def _city_language(city: City) -> str:
    from pactesur.reports.content import city_language

    return city_language(city)


def _owner(assessment: Assessment) -> str:
    approver = assessment.approved_by
    if approver is not None:
        return (approver.get_full_name() or approver.get_username())[:150]
    return _("Security manager")


def _system_name(acting_user: Any) -> str:
    """The audit's name for a flag raised by the platform itself (an analysis computed by a worker)."""
    return "" if stored_user(acting_user) is not None else "re-assessment triggers"


def flaggable(assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """The assessments a change is flagged on: in review or approved, of a space in use."""
    return assessments.filter(status__in=FLAGGED_STATUSES, space__archived_at__isnull=True)


@transaction.atomic
def do_raise_flag(
    assessment: Assessment,
    reason: str,
    detail: dict[str, Any],
    *,
    acting_user: Any,
    request: HttpRequest | None = None,
) -> ReassessmentFlag:
    """Flag `assessment` for re-assessment with a task; an open flag of the same reason takes the new
    detail instead (no second flag, no second task)."""
    locked: Assessment = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("city", "approved_by")
        .get(pk=assessment.pk)
    )
    flag = ReassessmentFlag.objects.filter(assessment=locked, reason=reason, cleared_at__isnull=True).first()
    if flag is not None:
        flag.detail = _merged(flag.detail, detail)
        flag.save(update_fields=["detail"])
        do_record_audit(
            AuditAction.UPDATE,
            acting_user=acting_user,
            city=locked.city,
            obj=flag,
            request=request,
            detail={"assessment": locked.pk, "reason": reason, "detail": flag.detail},
            username=_system_name(acting_user),
        )
        return flag
    # The task is a record of the city: written in its language, whoever or whatever raised it.
    with translation.override(_city_language(locked.city)):
        title = _("Re-assess: %(reason)s") % {"reason": FlagReason(reason).label}
        owner = _owner(locked)
    task = RiskAction.objects.create(
        assessment=locked,
        title=title[:300],
        owner=owner,
        due_on=timezone.localdate() + datetime.timedelta(days=TASK_DAYS),
        created_by=stored_user(acting_user),
    )
    flag = ReassessmentFlag.objects.create(
        assessment=locked, reason=reason, detail=detail, raised_by=stored_user(acting_user), task=task
    )
    do_record_audit(
        AuditAction.CREATE,
        acting_user=acting_user,
        city=locked.city,
        obj=flag,
        request=request,
        detail={"assessment": locked.pk, "reason": reason, "detail": detail, "task": task.pk},
        username=_system_name(acting_user),
    )
    return flag


def _close_task(task: RiskAction | None, status: str, now: datetime.datetime) -> None:
    if task is None or not task.is_open:
        return
    task.status = status
    task.done_at = now if status == ActionStatus.DONE else None
    task.save(update_fields=["status", "done_at", "updated_at"])


def clear_flags_on_approval(
    assessment: Assessment, *, acting_user: Any, request: HttpRequest | None = None
) -> int:
    """Clear every open flag of `assessment`, just approved, and mark their tasks done; returns how
    many. Called by `do_approve_assessment` inside its transaction (it writes the approval's audit
    row; this one names the flags cleared)."""
    flags = list(
        ReassessmentFlag.objects.select_for_update(of=("self",))
        .filter(assessment_id=assessment.pk, cleared_at__isnull=True)
        .select_related("task")
    )
    if not flags:
        return 0
    now = timezone.now()
    with translation.override(_city_language(assessment.city)):
        clearing = _("Re-assessed in cycle %(cycle)d") % {"cycle": assessment.cycle}
    for flag in flags:
        flag.cleared_at = now
        flag.cleared_by = stored_user(acting_user)
        flag.clearing = clearing
        flag.save(update_fields=["cleared_at", "cleared_by", "clearing"])
        _close_task(flag.task, ActionStatus.DONE, now)
    do_record_audit(
        AuditAction.UPDATE,
        acting_user=acting_user,
        city=assessment.city,
        obj=assessment,
        request=request,
        detail={"flags_cleared": [f.pk for f in flags], "cycle": assessment.cycle},
    )
    return len(flags)


@transaction.atomic
def do_dismiss_flag(
    flag: ReassessmentFlag, reason: str, *, acting_user: Any, request: HttpRequest | None = None
) -> ReassessmentFlag:
    """Close a flag without a new approval, saying why (the change does not bear on the risk); its
    task is cancelled."""
    why = reason.strip()
    if not why:
        raise InvalidRequestError(_("Say why this change needs no re-assessment."))
    locked: ReassessmentFlag = (
        ReassessmentFlag.objects.select_for_update(of=("self",))
        .select_related("assessment__city", "task")
        .get(pk=flag.pk)
    )
    if locked.cleared_at is not None:
        raise FlagStateError(_("This flag was already dealt with."))
    now = timezone.now()
    locked.cleared_at = now
    locked.cleared_by = stored_user(acting_user)
    locked.clearing = why
    locked.save(update_fields=["cleared_at", "cleared_by", "clearing"])
    _close_task(locked.task, ActionStatus.CANCELLED, now)
    do_record_audit(
        AuditAction.UPDATE,
        acting_user=acting_user,
        city=locked.assessment.city,
        obj=locked,
        request=request,
        detail={"dismissed": True, "assessment": locked.assessment_id, "reason": why},
    )
    return locked


# --- the threat level and attacks ----------------------------------------------------------------


@transaction.atomic
def do_set_threat_level(
    city: City,
    level: int,
    *,
    name: str = "",
    source: str = "",
    acting_user: Any,
    request: HttpRequest | None = None,
) -> ThreatLevel:
    """Record the city's threat level. A level other than the current one flags every assessment of
    the city in review or approved; the first level recorded flags none (nothing changed)."""
    if not 1 <= level <= 5:
        raise InvalidRequestError(_("The threat level is a number from 1 to 5."))
    City.objects.select_for_update().filter(pk=city.pk).first()  # one change of level at a time
    before = current_threat_level(city)
    recorded = ThreatLevel.objects.create(
        city=city, level=level, name=name.strip(), source=source.strip(), set_by=stored_user(acting_user)
    )
    do_record_audit(
        AuditAction.CREATE,
        acting_user=acting_user,
        obj=recorded,
        request=request,
        detail={"level": level, "before": before.level if before else None},
    )
    if before is not None and before.level != level:
        detail = {"level": {"from": before.level, "to": level}, "name": recorded.name}
        for assessment in flaggable(Assessment.objects.filter(city=city)):
            do_raise_flag(
                assessment, FlagReason.THREAT_LEVEL, detail, acting_user=acting_user, request=request
            )
    return recorded


def _reference_day(assessment: Assessment) -> datetime.date | None:
    """The day the assessment took its current form: approved, else submitted."""
    moment = assessment.approved_at if assessment.status == Status.APPROVED else assessment.submitted_at
    return timezone.localdate(moment) if moment else None


def _concerns(assessment: Assessment, happened_on: datetime.date) -> bool:
    """An attack concerns an assessment unless it happened before the assessment took its form (it
    could be taken into account then)."""
    day = _reference_day(assessment)
    return day is None or happened_on >= day


@transaction.atomic
def do_record_attack(
    city: City,
    *,
    attack_type: str,
    happened_on: datetime.date,
    place: str,
    space: Space | None = None,
    space_kind: str = "",
    description: str = "",
    source: str = "",
    acting_user: Any,
    request: HttpRequest | None = None,
) -> RecordedAttack:
    """Record an attack or incident. At one of the city's spaces: an INCIDENT flag on that space's
    assessment. At a space of a kind (that space's, or `space_kind` for one elsewhere): a
    COMPARABLE_ATTACK flag on the city's other assessments of spaces of that kind. Assessments
    approved (or submitted) after the attack took it into account and are not flagged."""
    if attack_type not in AttackType.values:
        raise InvalidRequestError(_("Unknown attack type."))
    if happened_on > timezone.localdate():
        raise InvalidRequestError(_("The date of an attack cannot be in the future."))
    if not place.strip():
        raise InvalidRequestError(_("Say where it happened."))
    if space is not None:
        if space.city_id != city.pk:
            raise InvalidRequestError(_("The space belongs to another city."))
        space_kind = space.kind
    if space_kind and space_kind not in SpaceKind.values:
        raise InvalidRequestError(_("Unknown kind of space."))
    attack = RecordedAttack.objects.create(
        city=city,
        attack_type=attack_type,
        space=space,
        space_kind=space_kind,
        happened_on=happened_on,
        place=place.strip(),
        description=description.strip(),
        source=source.strip(),
        created_by=stored_user(acting_user),
    )
    do_record_audit(
        AuditAction.CREATE,
        acting_user=acting_user,
        obj=attack,
        request=request,
        detail={"attack_type": attack_type, "space": space.pk if space else None, "space_kind": space_kind},
    )
    item = {
        "id": attack.pk,
        "type": attack_type,
        "date": happened_on.isoformat(),
        "place": attack.place,
    }
    assessments = flaggable(Assessment.objects.filter(city=city)).select_related("space")
    for assessment in assessments:
        if not _concerns(assessment, happened_on):
            continue
        if space is not None and assessment.space_id == space.pk:
            reason = FlagReason.INCIDENT
        elif space_kind and assessment.space.kind == space_kind:
            reason = FlagReason.COMPARABLE_ATTACK
        else:
            continue
        do_raise_flag(assessment, reason, {"attacks": [item]}, acting_user=acting_user, request=request)
    return attack


# --- changes elsewhere: what the receivers call --------------------------------------------------


def _flaggable_of_space(space_id: int) -> Assessment | None:
    found: Assessment | None = flaggable(Assessment.objects.filter(space_id=space_id)).first()
    return found


def do_flag_space(
    space_id: int,
    reason: str,
    detail: dict[str, Any],
    *,
    acting_user: Any = None,
    request: HttpRequest | None = None,
) -> ReassessmentFlag | None:
    """Flag the assessment of a space if it is in review or approved; None when there is none."""
    assessment = _flaggable_of_space(space_id)
    if assessment is None:
        return None
    return do_raise_flag(assessment, reason, detail, acting_user=acting_user, request=request)


def do_flag_outline_change(space: Space, *, acting_user: Any = None) -> ReassessmentFlag | None:
    """The outline of a space changed: its area against the one the assessment was submitted with."""
    assessment = _flaggable_of_space(space.pk)
    if assessment is None:
        return None
    figures = {"area_m2": {"from": round(assessment.submitted_area_m2), "to": round(space.area_m2)}}
    return do_raise_flag(assessment, FlagReason.OUTLINE, {"figures": figures}, acting_user=acting_user)


def do_flag_crowd_change(
    space: Space, fields: Iterable[str], *, acting_user: Any = None
) -> ReassessmentFlag | None:
    """The crowd figures of a space changed: those that now differ from the submitted ones."""
    assessment = _flaggable_of_space(space.pk)
    if assessment is None:
        return None
    names = [n for n in ("usual_crowd", "peak_crowd") if n in set(fields)]
    figures = {
        n: {"from": getattr(assessment, f"submitted_{n}"), "to": getattr(space, n)}
        for n in names
        if getattr(assessment, f"submitted_{n}") != getattr(space, n)
    }
    if not figures:
        return None  # back to the figures the assessment was made with
    return do_raise_flag(assessment, FlagReason.CROWD, {"figures": figures}, acting_user=acting_user)


def do_flag_new_event(event: Any) -> ReassessmentFlag | None:
    """An event was created at a space: flag its assessment unless the event is already over (a past
    event recorded for the record changes nothing ahead)."""
    if event.ends_at is not None and event.ends_at < timezone.now():
        return None
    item = {
        "id": event.pk,
        "name": event.name,
        "starts": timezone.localtime(event.starts_at).date().isoformat(),
        "attendance": event.expected_attendance,
    }
    return do_flag_space(event.space_id, FlagReason.EVENT, {"events": [item]}, acting_user=event.created_by)


def do_flag_measure_removed(
    space_id: int, what: dict[str, Any], *, acting_user: Any = None
) -> ReassessmentFlag | None:
    """A protective measure at the space went: an installed measure deleted, or an approved barrier
    plan withdrawn or deleted. `what` names it ({kind, id, name})."""
    return do_flag_space(space_id, FlagReason.MEASURE_REMOVED, {"measures": [what]}, acting_user=acting_user)


def analysis_figures(row: Any) -> dict[str, Any]:
    """The figures of an approach analysis row (or a dict of its values) that make its reading."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    figures = {}
    for name in ANALYSIS_FIGURES:
        value = get(name)
        digits = _FIGURE_DIGITS.get(name)
        figures[name] = round(float(value), digits) if digits is not None and value is not None else value
    return figures


def do_flag_analysis_change(
    space_id: int, vehicle: str, before: dict[str, Any] | None, after: dict[str, Any]
) -> ReassessmentFlag | None:
    """An approach analysis of the space was computed with other figures than the previous one of
    its vehicle class (or is the first): the vehicle scenario's evidence changed."""
    if before is not None and before == after:
        return None
    detail = {"vehicles": {vehicle: {"from": before, "to": after}}}
    return do_flag_space(space_id, FlagReason.STALE_ANALYSIS, detail)


def check_stale_analysis(assessment: Assessment) -> list[str]:
    """The vehicle classes whose current approach analysis, computed after the assessment's approval,
    reads other figures than the one it was approved with (the latest computed before); [] for an
    assessment not approved. Reads the kept history: an analysis re-run in place on the same inputs
    leaves no earlier row, which the receiver of its save catches instead."""
    from pactesur.analysis.models import AnalysisStatus, ApproachAnalysis

    if assessment.status != Status.APPROVED or assessment.approved_at is None:
        return []
    rows = (
        ApproachAnalysis.objects.filter(
            space_id=assessment.space_id,
            computed_at__isnull=False,
            status__in=[AnalysisStatus.SUCCEEDED, AnalysisStatus.STALE],
        )
        .order_by("-computed_at", "-id")
        .values("vehicle", "status", "computed_at", *ANALYSIS_FIGURES)
    )
    latest: dict[str, dict[str, Any]] = {}
    at_approval: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["computed_at"] > assessment.approved_at:
            if row["status"] == AnalysisStatus.SUCCEEDED:
                latest.setdefault(row["vehicle"], row)
        else:
            at_approval.setdefault(row["vehicle"], row)
    return sorted(
        vehicle
        for vehicle, row in latest.items()
        if vehicle not in at_approval or analysis_figures(row) != analysis_figures(at_approval[vehicle])
    )


def kind_choices() -> list[tuple[str, str]]:
    """The kinds of space, for the attack form."""
    return [(value, kind_label(value)) for value in SpaceKind.values]
