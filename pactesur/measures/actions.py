"""Business actions of the measure catalogue: add and change a type, audited.

A shared type (no city) is added and changed by network experts, a city's own type by those with
`measure.edit` in that city; the views and the API check who, these actions check what: a rating
in a form the platform reads and only on kinds that stop vehicles, a cost range in order, scores
and effects in their scales.
"""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from PIL import Image, UnidentifiedImageError

from pactesur.assessments.library import ATTACK_ORDER
from pactesur.audit.actions import do_record_audit
from pactesur.audit.models import AuditAction
from pactesur.cities.models import City
from pactesur.cities.records import check_editable, stored_user
from pactesur.cities.stored_text import StoredText
from pactesur.measures import planning
from pactesur.measures.library import BARRIER_KINDS, INTEGRATION_CRITERIA, INTEGRATION_MAX
from pactesur.measures.models import (
    InstalledMeasure,
    InvestmentPlan,
    MeasureFeedback,
    MeasureType,
    PlanComputation,
    PlanStatus,
)
from pactesur.measures.ratings import RatingError, parse_rating

# A type's own fields, in the order its form shows them; integration and effects are dicts beside them.
TYPE_FIELDS = (
    "name",
    "family",
    "kind",
    "description",
    "rating",
    "element_width_m",
    "cost_min_eur",
    "cost_max_eur",
    "cost_unit",
    "maintenance_eur_per_year",
    "installation_days",
    "permanence",
    "costs_estimated",
    "assumption",
    "source",
)
EDITABLE_FIELDS = frozenset({*TYPE_FIELDS, "integration", "effects"})
_CODE_MAX = 60


def _checked_integration(raw: Any) -> dict[str, int]:
    if not isinstance(raw, dict):
        raise ValidationError({"integration": [_("Give a score from 0 to 5 per principle.")]})
    known = {key for key, _label in INTEGRATION_CRITERIA}
    scores: dict[str, int] = {}
    for key, value in raw.items():
        if value is None or value == "":
            continue
        if key not in known:
            raise ValidationError({"integration": [_("Unknown principle: %(key)s.") % {"key": key}]})
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= INTEGRATION_MAX:
            raise ValidationError({"integration": [_("Give a score from 0 to 5 per principle.")]})
        scores[key] = value
    return scores


def _checked_effects(raw: Any) -> dict[str, dict[str, float]]:
    message = _("An effect is the share of a rating the measure removes, from 0 to 1 (0 to 100 %).")
    if not isinstance(raw, dict):
        raise ValidationError({"effects": [message]})
    effects: dict[str, dict[str, float]] = {}
    for attack, shares in raw.items():
        if attack not in ATTACK_ORDER or not isinstance(shares, dict):
            raise ValidationError({"effects": [_("Unknown attack type: %(attack)s.") % {"attack": attack}]})
        kept: dict[str, float] = {}
        for part in ("probability", "consequence"):
            value = shares.get(part, 0.0)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ValidationError({"effects": [message]})
            if value:
                kept[part] = float(value)
        if kept:
            effects[attack] = {
                "probability": kept.get("probability", 0.0),
                "consequence": kept.get("consequence", 0.0),
            }
    return effects


def _check(measure: MeasureType) -> None:
    """Validate the fields; normalise the rating to its certificate form."""
    errors: dict[str, list[str]] = {}
    measure.name = measure.name.strip()
    if measure.rating.strip():
        try:
            measure.rating = parse_rating(measure.rating).text
        except RatingError as exc:
            errors["rating"] = [str(exc)]
        if measure.kind not in BARRIER_KINDS:
            errors.setdefault("rating", []).append(
                _(
                    "Only vehicle barriers (bollards, planters, rated furniture, blocks, gates, "
                    "temporary barriers) carry a rating."
                )
            )
    else:
        measure.rating = ""
    if (
        measure.cost_min_eur is not None
        and measure.cost_max_eur is not None
        and measure.cost_min_eur > measure.cost_max_eur
    ):
        errors["cost_max_eur"] = [_("The highest cost cannot be below the lowest.")]
    if measure.element_width_m is not None and measure.kind not in BARRIER_KINDS:
        errors.setdefault("element_width_m", []).append(_("Only barrier elements have a width to count."))
    try:
        measure.integration = _checked_integration(measure.integration)
        measure.effects = _checked_effects(measure.effects)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    measure.full_clean(exclude=["city", "created_by", "code"], validate_unique=False)


def _new_code(name: str, city: City | None) -> str:
    """A unique code: the name's slug, after the city's slug for a city's own type."""
    base = slugify(name)[:40] or "measure"
    if city is not None:
        base = f"{city.slug[:15]}-{base}"
    code, n = base, 1
    while MeasureType.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"[:_CODE_MAX]
    return code


def do_create_measure_type(
    city: City | None, *, acting_user: Any, request: HttpRequest | None = None, **fields: Any
) -> MeasureType:
    """Add a type to `city`'s own types, or with `city` None to the shared catalogue. Raises
    ValidationError on bad input; the caller checks that `acting_user` may."""
    check_editable(fields, EDITABLE_FIELDS, action="do_create_measure_type")
    measure = MeasureType(city=city, created_by=stored_user(acting_user), **fields)
    if isinstance(measure.element_width_m, float):
        measure.element_width_m = Decimal(str(measure.element_width_m))
    _check(measure)
    with transaction.atomic():
        measure.code = _new_code(measure.name, city)
        last = MeasureType.objects.order_by("-order").values_list("order", flat=True).first() or 0
        measure.order = last + 1
        measure.save()
        do_record_audit(
            AuditAction.CREATE,
            acting_user=acting_user,
            city=city,
            obj=measure,
            detail={"catalogue": "city" if city is not None else "shared", "code": measure.code},
            request=request,
        )
    return measure


def do_update_measure_type(
    measure: MeasureType, *, acting_user: Any, request: HttpRequest | None = None, **changes: Any
) -> MeasureType:
    """Change a type's fields (any of EDITABLE_FIELDS). Raises ValidationError on bad input."""
    check_editable(changes, EDITABLE_FIELDS, action="do_update_measure_type")
    if isinstance(changes.get("element_width_m"), float):
        changes["element_width_m"] = Decimal(str(changes["element_width_m"]))
    changed = [f for f, v in changes.items() if getattr(measure, f) != v]
    if not changed:
        return measure
    before = {f: getattr(measure, f) for f in changed}
    for field in changed:
        setattr(measure, field, changes[field])
    try:
        _check(measure)
    except ValidationError:
        for field, value in before.items():
            setattr(measure, field, value)
        raise
    with transaction.atomic():
        measure.save()
        do_record_audit(
            AuditAction.UPDATE,
            acting_user=acting_user,
            city=measure.city,
            obj=measure,
            detail={"fields": sorted(changed), "catalogue": "city" if measure.city_id else "shared"},
            request=request,
        )
    return measure


# --- field experience ------------------------------------------------------------------------------

# An installation's fields, in the order its form shows them.
INSTALLATION_FIELDS = (
    "space",
    "measure_type",
    "quantity",
    "installed_on",
    "total_cost_eur",
    "supplier_kind",
    "rating",
    "certificate",
    "notes",
    "shared",
    "anonymised",
)
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def _check_installation(installed: InstalledMeasure) -> None:
    errors: dict[str, list[str]] = {}
    if installed.space.city_id != installed.city_id:
        errors["space"] = [_("The space belongs to another city.")]
    elif installed.space.archived_at is not None:
        errors["space"] = [_("This space is archived: restore it before recording measures at it.")]
    if installed.measure_type.city_id not in (None, installed.city_id):
        errors["measure_type"] = [_("This measure type belongs to another city.")]
    if installed.rating.strip():
        try:
            installed.rating = parse_rating(installed.rating).text
        except RatingError as exc:
            errors["rating"] = [str(exc)]
    else:
        installed.rating = ""
    if errors:
        raise ValidationError(errors)
    installed.full_clean(exclude=["city", "space", "measure_type", "created_by"], validate_unique=False)


def do_record_installation(
    city: City, *, acting_user: Any, request: HttpRequest | None = None, **fields: Any
) -> InstalledMeasure:
    """Record a measure the city installed at one of its spaces, with its real cost. Raises
    ValidationError on bad input."""
    check_editable(fields, INSTALLATION_FIELDS, action="do_record_installation")
    installed = InstalledMeasure(city=city, created_by=stored_user(acting_user), **fields)
    _check_installation(installed)
    with transaction.atomic():
        installed.save()
        do_record_audit(
            AuditAction.CREATE,
            acting_user=acting_user,
            obj=installed,
            detail={
                "space": installed.space_id,
                "type": installed.measure_type.code,
                "shared": installed.shared,
            },
            request=request,
        )
    return installed


def do_update_installation(
    installed: InstalledMeasure, *, acting_user: Any, request: HttpRequest | None = None, **changes: Any
) -> InstalledMeasure:
    check_editable(changes, INSTALLATION_FIELDS, action="do_update_installation")
    changed = [f for f, v in changes.items() if getattr(installed, f) != v]
    if not changed:
        return installed
    for field in changed:
        setattr(installed, field, changes[field])
    _check_installation(installed)
    with transaction.atomic():
        installed.save()
        do_record_audit(
            AuditAction.UPDATE,
            acting_user=acting_user,
            obj=installed,
            detail={"fields": sorted(changed), "shared": installed.shared},
            request=request,
        )
    return installed


def checked_photo(photo: UploadedFile) -> UploadedFile:
    """The photo if it is a JPEG, PNG or WebP image of at most 5 MB that Pillow reads whole; else
    ValidationError. Its name becomes a random one with the format's extension (no name of the
    uploader's machine is kept)."""
    if photo.size is None or photo.size > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": [_("A photo may be 5 MB at most.")]})
    try:
        photo.seek(0)
        with Image.open(photo) as image:
            image_format = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            {"photo": [_("This file is not a photo PACTESUR can read (JPEG, PNG or WebP).")]}
        ) from exc
    if image_format not in PHOTO_FORMATS:
        raise ValidationError(
            {"photo": [_("This file is not a photo PACTESUR can read (JPEG, PNG or WebP).")]}
        )
    photo.seek(0)
    photo.name = f"{secrets.token_hex(12)}.{PHOTO_FORMATS[image_format]}"
    return photo


def do_add_feedback(
    installed: InstalledMeasure,
    *,
    acting_user: Any,
    kind: str,
    happened_on: datetime.date,
    text: str,
    acceptance: int | None = None,
    cost_eur: int | None = None,
    photo: UploadedFile | None = None,
    request: HttpRequest | None = None,
) -> MeasureFeedback:
    """Record what happened to an installed measure. Raises ValidationError on bad input; a refused
    photo stores nothing."""
    feedback = MeasureFeedback(
        installed=installed,
        kind=kind,
        happened_on=happened_on,
        text=text.strip(),
        acceptance=acceptance,
        cost_eur=cost_eur,
        created_by=stored_user(acting_user),
    )
    feedback.full_clean(exclude=["installed", "photo", "created_by"], validate_unique=False)
    if photo is not None:
        feedback.photo = checked_photo(photo)
    with transaction.atomic():
        feedback.save()
        do_record_audit(
            AuditAction.UPDATE,
            acting_user=acting_user,
            obj=installed,
            detail={"feedback": feedback.pk, "kind": kind, "photo": bool(feedback.photo)},
            request=request,
        )
    return feedback


# --- investment plans --------------------------------------------------------------------------------

# Stored untranslated on a plan (`InvestmentPlan.computation_message`), translated when shown.
PLAN_QUEUED = gettext_noop("Waiting for a worker to compute it.")
PLAN_QUEUED_AGAIN = gettext_noop("Queued again: the worker computing it stopped.")
PLAN_FAILED = gettext_noop("The computation failed: %(reason)s")
PLAN_WORKER_LOST = gettext_noop(
    "The worker computing this plan stopped twice without finishing (killed or out of memory); "
    "solve the plan again."
)
# Longest reason a failed plan keeps of its exception's text (characters).
PLAN_REASON_MAX = 500


def do_create_plan(
    city: City,
    *,
    acting_user: Any,
    name: str,
    budget_eur: int,
    yearly_budgets: dict[int, int] | None = None,
    integration_floor: Decimal | None = None,
    min_protection_pct: int | None = None,
    measure_rules: dict[str, list[list[int]]] | None = None,
    request: HttpRequest | None = None,
) -> InvestmentPlan:
    """Keep a draft plan for these constraints, audited, and queue its computation: a worker solves
    it (`pactesur.measures.tasks.compute_plan`, `do_compute_plan`) once the transaction commits.

    `measure_rules` are catalogue types that exclude or need each other at a space
    ({"exclude": [[a, b], …], "need": [[a, b], …]}, type ids; `planning.TypeRules`).
    """
    yearly = {int(year): int(amount) for year, amount in (yearly_budgets or {}).items()}
    if budget_eur < 0 or any(amount < 0 for amount in yearly.values()):
        raise ValidationError({"budget_eur": [_("A budget cannot be negative.")]})
    rules = planning.TypeRules.from_json(measure_rules)
    usable = set(MeasureType.objects.for_city(city).values_list("pk", flat=True))
    if any(t not in usable for pair in (*rules.exclude, *rules.need) for t in pair):
        raise ValidationError(_("A measure type of these rules is not in this city’s catalogue."))
    with transaction.atomic():
        plan = InvestmentPlan.objects.create(
            city=city,
            name=name.strip(),
            budget_eur=budget_eur,
            yearly_budgets={str(y): a for y, a in sorted(yearly.items())},
            integration_floor=integration_floor,
            min_protection_pct=min_protection_pct,
            measure_rules=rules.as_json() if rules else {},
            computation=PlanComputation.QUEUED,
            computation_message=PLAN_QUEUED,
            created_by=stored_user(acting_user),
        )
        do_record_audit(
            AuditAction.CREATE,
            acting_user=acting_user,
            obj=plan,
            detail={
                "budget_eur": budget_eur,
                "computation": PlanComputation.QUEUED.value,
                "measure_rules": rules.as_json() if rules else {},
            },
            request=request,
        )
        plan_id = plan.pk
        transaction.on_commit(lambda: _enqueue_plan(plan_id))
    return plan


def _enqueue_plan(plan_id: int) -> None:
    from pactesur.measures.tasks import compute_plan

    result = compute_plan.enqueue(plan_id)
    InvestmentPlan.objects.filter(pk=plan_id).update(task_id=str(result.id)[:64])


def _save_plan_progress(plan_id: int, message: StoredText, share: float) -> None:
    InvestmentPlan.objects.filter(pk=plan_id, computation=PlanComputation.RUNNING).update(
        computation_message=message.msgid, computation_params=message.params, progress=share
    )


def _fail_plan(plan_id: int, message: StoredText) -> int:
    """Fail a plan still queued or being computed with `message`; return how many rows changed."""
    return InvestmentPlan.objects.filter(
        pk=plan_id, computation__in=(PlanComputation.QUEUED, PlanComputation.RUNNING)
    ).update(
        computation=PlanComputation.FAILED,
        computation_message=message.msgid,
        computation_params=message.params,
        computation_finished_at=timezone.now(),
    )


def do_compute_plan(plan_id: int) -> InvestmentPlan | None:
    """Solve a queued plan and store its result (the job's body); None if it is gone or not queued.

    The row says how far the work has got at each step (its message and progress, saved at once:
    no transaction around the solve); once solved it is done, audited. A solve that raises fails
    the plan with its reason and is raised again for the worker's log.
    """
    claimed = InvestmentPlan.objects.filter(pk=plan_id, computation=PlanComputation.QUEUED).update(
        computation=PlanComputation.RUNNING,
        computation_started_at=timezone.now(),
        computation_message="",
        computation_params={},
        progress=0.0,
    )
    if not claimed:
        return None
    plan: InvestmentPlan = InvestmentPlan.objects.select_related("city").get(pk=plan_id)
    try:
        result = planning.solve(
            plan.city,
            budget_eur=float(plan.budget_eur),
            yearly_budgets={int(y): float(a) for y, a in plan.yearly_budgets.items()} or None,
            integration_floor=float(plan.integration_floor) if plan.integration_floor is not None else None,
            min_protection_pct=plan.min_protection_pct,
            rules=planning.TypeRules.from_json(plan.measure_rules),
            progress=lambda message, share: _save_plan_progress(plan_id, message, share),
        )
    except Exception as exc:
        reason = (" ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)).strip()
        _fail_plan(
            plan_id, StoredText(PLAN_FAILED, {"reason": reason[:PLAN_REASON_MAX] or type(exc).__name__})
        )
        raise
    with transaction.atomic():
        stored = InvestmentPlan.objects.filter(pk=plan_id, computation=PlanComputation.RUNNING).update(
            result=result,
            computation=PlanComputation.DONE,
            computation_message="",
            computation_params={},
            progress=1.0,
            computation_finished_at=timezone.now(),
        )
        if stored:
            do_record_audit(
                AuditAction.UPDATE,
                acting_user=None,
                obj=plan,
                detail={
                    "event": "computed",
                    "status": result["status"],
                    "chosen": len(result["chosen"]),
                    "solve_s": result["solve_s"],
                },
            )
    plan.refresh_from_db()
    return plan


def do_handle_lost_plan(plan_id: int, *, retried: bool) -> None:
    """The worker computing this plan was lost (`pactesur.jobs.sweeps`): queue it again for the
    retry, or fail it with a message."""
    if retried:
        InvestmentPlan.objects.filter(pk=plan_id, computation=PlanComputation.RUNNING).update(
            computation=PlanComputation.QUEUED,
            computation_message=PLAN_QUEUED_AGAIN,
            computation_params={},
            progress=0.0,
        )
        return
    _fail_plan(plan_id, StoredText(PLAN_WORKER_LOST))


def do_approve_plan(
    plan: InvestmentPlan, *, acting_user: Any, request: HttpRequest | None = None
) -> InvestmentPlan:
    """Approve a draft plan (security managers and administrators; checked by the caller). A plan
    not computed yet, or the solver could not make feasible, cannot be approved."""
    with transaction.atomic():
        locked: InvestmentPlan = InvestmentPlan.objects.select_for_update().get(pk=plan.pk)
        if locked.status == PlanStatus.APPROVED:
            return locked
        if locked.computation == PlanComputation.FAILED:
            raise ValidationError(_("This plan’s computation failed: solve it again in a new plan."))
        if locked.computation != PlanComputation.DONE:
            raise ValidationError(
                _("This plan is still being computed: approve it once its result is shown.")
            )
        if locked.result.get("status") not in ("optimal", "time_limit"):
            raise ValidationError(
                _("This plan has no feasible solution: change its constraints in a new plan.")
            )
        locked.status = PlanStatus.APPROVED
        locked.approved_by = stored_user(acting_user)
        locked.approved_at = timezone.now()
        locked.save(update_fields=["status", "approved_by", "approved_at"])
        do_record_audit(
            AuditAction.UPDATE,
            acting_user=acting_user,
            obj=locked,
            detail={"event": "approved", "budget_eur": locked.budget_eur},
            request=request,
        )
    return locked
