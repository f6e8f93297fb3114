"""Business actions of barrier plans: create (from the engine's proposal or empty), change the drawn
elements, check with the engine, approve — each audited.

The views check who may act (planners, security managers and administrators design; security
managers and administrators approve); these actions check what: elements the engine can read,
catalogue types of the city and of a kind that fits the element, classes the engine knows, and an
approval only of a plan the engine accepts as it is now.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from pactesur.audit.actions import do_record_audit
from pactesur.audit.models import AuditAction
from pactesur.cities.records import stored_user
from pactesur.engine import plans as engine_plans
from pactesur.engine.errors import EngineError
from pactesur.engine.vehicles import VEHICLES_BY_CODE
from pactesur.measures import barriers
from pactesur.measures.models import BarrierPlan, MeasureType, PlanStatus
from pactesur.spaces.models import Space

MAX_ELEMENTS = 200


def _clean_vehicles(vehicles: Sequence[str]) -> list[str]:
    codes = [v for v in VEHICLES_BY_CODE if v in set(vehicles)]
    unknown = sorted(set(vehicles) - set(VEHICLES_BY_CODE))
    if unknown or not codes:
        raise ValidationError({"vehicles": [_("Choose at least one vehicle class of the list.")]})
    return codes


def _engine_failure(exc: Exception) -> ValidationError:
    if isinstance(exc, LookupError):
        return ValidationError(
            _("The city has no street network yet: import its OpenStreetMap extract first.")
        )
    if isinstance(exc, FileNotFoundError):
        return ValidationError(
            _("The street network's file is missing on the server; import the city's extract again.")
        )
    # The engine's own words stay in English inside a translated sentence.
    return ValidationError(_("The engine cannot analyse this space: %(reason)s") % {"reason": str(exc)})


def clean_elements(city_id: int, elements: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The elements as stored: readable by the engine, their catalogue types the city's and fitting.

    Raises ValidationError naming the element (1-based) and what is wrong.
    """
    if len(elements) > MAX_ELEMENTS:
        raise ValidationError(
            _("A plan holds at most %(n)d elements; split it by space or by street.") % {"n": MAX_ELEMENTS}
        )
    types = {t.pk: t for t in MeasureType.objects.for_city(city_id)}
    cleaned: list[dict[str, Any]] = []
    for number, element in enumerate(elements, start=1):
        try:
            read = engine_plans.element_from_json(barriers.engine_json(element))
        except engine_plans.PlanError as exc:
            raise ValidationError(
                _("Element %(n)d cannot be read: %(reason)s") % {"n": number, "reason": str(exc)}
            ) from exc
        # as the database gives it back (GeoJSON coordinates as lists, not tuples)
        stored = json.loads(json.dumps(read.as_json()))
        for key, opening in (("measure_type", False), ("opening_measure_type", True)):
            type_id = element.get(key)
            if not type_id:
                continue
            measure = types.get(int(type_id))
            if measure is None or measure.kind not in barriers.kinds_for(stored["kind"], opening=opening):
                raise ValidationError(
                    _("Element %(n)d: that catalogue type cannot be used for this element.") % {"n": number}
                )
            stored[key] = measure.pk
            if measure.rating:
                # the product's certificate, not a figure typed beside it, is what the engine judges
                stored["opening_rating" if opening else "rating"] = measure.rating
        cleaned.append(stored)
    return cleaned


def do_create_barrier_plan(
    space: Space,
    *,
    acting_user: Any,
    name: str,
    vehicles: Sequence[str],
    from_proposal: bool = True,
    request: HttpRequest | None = None,
) -> BarrierPlan:
    """A new draft plan for a space: the engine's proposed lines (each built of the cheapest fitting
    catalogue type) or no element yet; audited."""
    codes = _clean_vehicles(vehicles)
    proposal: dict[str, Any] = {}
    elements: list[dict[str, Any]] = []
    if from_proposal:
        try:
            proposal = barriers.run_proposal(space, codes)
        except (EngineError, LookupError, FileNotFoundError) as exc:
            raise _engine_failure(exc) from exc
        elements = barriers.proposal_elements(proposal, MeasureType.objects.for_city(space.city_id))
    with transaction.atomic():
        plan = BarrierPlan(
            city_id=space.city_id,
            space=space,
            name=name.strip() or space.shown_name,
            vehicles=codes,
            elements=elements,
            proposal=proposal,
            created_by=stored_user(acting_user),
        )
        plan.cost = barriers.plan_cost(elements, space.city_id)
        plan.full_clean(exclude=["space", "created_by", "approved_by", "city"])
        plan.save()
        do_record_audit(
            AuditAction.CREATE,
            acting_user=acting_user,
            obj=plan,
            detail={"space": space.pk, "elements": len(elements), "from_proposal": from_proposal},
            request=request,
        )
    return plan


def do_update_barrier_plan(
    plan: BarrierPlan,
    *,
    acting_user: Any,
    name: str,
    vehicles: Sequence[str],
    elements: Sequence[dict[str, Any]],
    request: HttpRequest | None = None,
) -> BarrierPlan:
    """Change a plan's name, classes and elements; a changed approved plan goes back to draft (its
    approval was for other elements), said in the audit trail."""
    codes = _clean_vehicles(vehicles)
    cleaned = clean_elements(plan.city_id, elements)
    with transaction.atomic():
        locked: BarrierPlan = BarrierPlan.objects.select_for_update().get(pk=plan.pk)
        changed = cleaned != locked.elements or codes != locked.vehicles
        withdrawn = changed and locked.status == PlanStatus.APPROVED
        locked.name = name.strip() or locked.name
        locked.vehicles = codes
        locked.elements = cleaned
        locked.cost = barriers.plan_cost(cleaned, locked.city_id)
        if withdrawn:
            locked.status = PlanStatus.DRAFT
            locked.approved_by = None
            locked.approved_at = None
        locked.full_clean(exclude=["space", "created_by", "approved_by", "city"])
        locked.save()
        do_record_audit(
            AuditAction.UPDATE,
            acting_user=acting_user,
            obj=locked,
            detail={"elements": len(cleaned), "changed": changed, "approval_withdrawn": withdrawn},
            request=request,
        )
    return locked


def do_check_barrier_plan(
    plan: BarrierPlan, *, acting_user: Any, request: HttpRequest | None = None
) -> BarrierPlan:
    """Run the engine on the space with the plan's elements and keep its judgement with the inputs it
    was made on; audited. Raises ValidationError when the engine cannot run (nothing is changed)."""
    inputs = barriers.current_inputs(plan)
    try:
        judgement = barriers.run_check(plan)
    except (EngineError, LookupError, FileNotFoundError) as exc:
        raise _engine_failure(exc) from exc
    with transaction.atomic():
        locked: BarrierPlan = BarrierPlan.objects.select_for_update().get(pk=plan.pk)
        if locked.elements != plan.elements or locked.vehicles != plan.vehicles:
            raise ValidationError(_("The plan was changed while it was checked: check it again."))
        locked.judgement = judgement
        locked.checked_inputs = inputs or {}
        locked.checked_at = timezone.now()
        locked.save(update_fields=["judgement", "checked_inputs", "checked_at", "updated_at"])
        do_record_audit(
            AuditAction.UPDATE,
            acting_user=acting_user,
            obj=locked,
            detail={
                "event": "checked",
                "accepted": bool(judgement.get("accepted")),
                "open_entries": len(judgement.get("reasons", [])),
            },
            request=request,
        )
    return locked


def do_approve_barrier_plan(
    plan: BarrierPlan, *, acting_user: Any, request: HttpRequest | None = None
) -> BarrierPlan:
    """Approve a plan the engine accepts as it is now (security managers and administrators; checked
    by the caller); audited."""
    with transaction.atomic():
        locked: BarrierPlan = BarrierPlan.objects.select_for_update().select_related("space").get(pk=plan.pk)
        if locked.status == PlanStatus.APPROVED:
            return locked
        if not barriers.is_accepted_now(locked):
            raise ValidationError(
                _(
                    "Only a plan the engine accepts can be approved: check it, and close every entry "
                    "it leaves open."
                )
            )
        locked.status = PlanStatus.APPROVED
        locked.approved_by = stored_user(acting_user)
        locked.approved_at = timezone.now()
        locked.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
        do_record_audit(
            AuditAction.UPDATE,
            acting_user=acting_user,
            obj=locked,
            detail={"event": "approved", "cost_max_eur": locked.cost.get("max_eur")},
            request=request,
        )
    return locked
