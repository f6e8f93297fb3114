"""Receivers of other apps' signals: a draft assessment follows its space's crowd figures, and changes
that bear on an assessment in review or approved flag it for re-assessment (`triggers`).

The flags are raised once the change is committed, outside its transaction: a failure to raise one
is logged and never undoes the person's change (an event saved, an outline edited).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from pactesur.assessments import triggers
from pactesur.assessments.actions import do_follow_space_figures
from pactesur.spaces.signals import space_figures_changed

logger = logging.getLogger(__name__)

# Names of the attributes a pre_save receiver leaves on the instance for its post_save one.
_WAS_APPROVED = "_reassessment_was_approved"
_FIGURES_BEFORE = "_reassessment_figures_before"


def _safely(call: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    try:
        call(*args, **kwargs)
    except Exception:
        logger.exception("could not raise a re-assessment flag (%s)", getattr(call, "__name__", call))


def _after_commit(call: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    transaction.on_commit(lambda: _safely(call, *args, **kwargs))


# --- spaces: crowd figures and outline -----------------------------------------------------------


def on_space_figures_changed(sender: Any, *, space: Any, acting_user: Any = None, **kwargs: Any) -> None:
    do_follow_space_figures(space, acting_user=acting_user)


def on_space_figures_flag(
    sender: Any, *, space: Any, acting_user: Any = None, fields: Any = (), **kwargs: Any
) -> None:
    """Sent after commit by `do_update_space` with the fields changed: "polygon" is an edited outline
    (`space_geometry_changed` also fires on creation and on restoring, which change no outline)."""
    changed = set(fields or ())
    if "polygon" in changed:
        _safely(triggers.do_flag_outline_change, space, acting_user=acting_user)
    if changed & {"usual_crowd", "peak_crowd"}:
        _safely(triggers.do_flag_crowd_change, space, changed, acting_user=acting_user)


# --- events: a new event at the space --------------------------------------------------------------


def on_event_saved(sender: Any, *, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    # The events app sends no signal of its own: a created Event row is the new event.
    if created and not raw:
        _after_commit(triggers.do_flag_new_event, instance)


# --- measures: an installed measure deleted, an approved barrier plan withdrawn or deleted ---------


def on_installed_measure_deleted(sender: Any, *, instance: Any, **kwargs: Any) -> None:
    what = {"kind": "installed_measure", "id": instance.pk, "name": str(instance.measure_type.display_name)}
    _after_commit(triggers.do_flag_measure_removed, instance.space_id, what)


def _plan_removed(plan: Any) -> None:
    what = {"kind": "barrier_plan", "id": plan.pk, "name": plan.name}
    _after_commit(triggers.do_flag_measure_removed, plan.space_id, what)


def on_barrier_plan_saving(sender: Any, *, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    from pactesur.measures.models import BarrierPlan, PlanStatus

    # Only a save that leaves the plan unapproved can withdraw an approval: read the stored status then.
    was = (
        not raw
        and instance.pk is not None
        and instance.status != PlanStatus.APPROVED
        and BarrierPlan.objects.filter(pk=instance.pk, status=PlanStatus.APPROVED).exists()
    )
    setattr(instance, _WAS_APPROVED, was)


def on_barrier_plan_saved(sender: Any, *, instance: Any, **kwargs: Any) -> None:
    if getattr(instance, _WAS_APPROVED, False):
        setattr(instance, _WAS_APPROVED, False)
        _plan_removed(instance)


def on_barrier_plan_deleted(sender: Any, *, instance: Any, **kwargs: Any) -> None:
    from pactesur.measures.models import PlanStatus

    if instance.status == PlanStatus.APPROVED:
        _plan_removed(instance)


# --- analysis: a computed approach analysis with other figures -------------------------------------


def _figures_before(row: Any) -> dict[str, Any] | None:
    """The figures the vehicle class of `row`'s space read before this save: the row's own when it is
    re-run in place, else the latest computed row of the class (None for the first)."""
    from pactesur.analysis.models import AnalysisStatus, ApproachAnalysis

    fields = ("computed_at", *triggers.ANALYSIS_FIGURES)
    if row.pk is not None:
        stored = ApproachAnalysis.objects.filter(pk=row.pk).values(*fields).first()
        if stored is not None and stored["computed_at"] is not None:
            return triggers.analysis_figures(stored)
    previous = (
        ApproachAnalysis.objects.filter(
            space_id=row.space_id,
            vehicle=row.vehicle,
            computed_at__isnull=False,
            status__in=[AnalysisStatus.SUCCEEDED, AnalysisStatus.STALE],
        )
        .exclude(pk=row.pk)
        .order_by("-computed_at", "-id")
        .values(*fields)
        .first()
    )
    return triggers.analysis_figures(previous) if previous is not None else None


def on_analysis_saving(sender: Any, *, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    from pactesur.analysis.models import AnalysisStatus

    if raw or instance.status != AnalysisStatus.SUCCEEDED:
        return
    setattr(instance, _FIGURES_BEFORE, (_figures_before(instance),))


def on_analysis_saved(sender: Any, *, instance: Any, **kwargs: Any) -> None:
    held = getattr(instance, _FIGURES_BEFORE, None)
    if held is None:
        return
    setattr(instance, _FIGURES_BEFORE, None)
    after = triggers.analysis_figures(instance)
    if held[0] != after:
        _after_commit(triggers.do_flag_analysis_change, instance.space_id, instance.vehicle, held[0], after)


def connect() -> None:
    from pactesur.analysis.models import ApproachAnalysis
    from pactesur.events.models import Event
    from pactesur.measures.models import BarrierPlan, InstalledMeasure

    space_figures_changed.connect(on_space_figures_changed, dispatch_uid="assessments-space-figures")
    space_figures_changed.connect(on_space_figures_flag, dispatch_uid="assessments-space-figures-flag")
    post_save.connect(on_event_saved, sender=Event, dispatch_uid="assessments-event-flag")
    post_delete.connect(
        on_installed_measure_deleted, sender=InstalledMeasure, dispatch_uid="assessments-installed-flag"
    )
    pre_save.connect(on_barrier_plan_saving, sender=BarrierPlan, dispatch_uid="assessments-plan-saving")
    post_save.connect(on_barrier_plan_saved, sender=BarrierPlan, dispatch_uid="assessments-plan-flag")
    post_delete.connect(on_barrier_plan_deleted, sender=BarrierPlan, dispatch_uid="assessments-plan-gone")
    pre_save.connect(on_analysis_saving, sender=ApproachAnalysis, dispatch_uid="assessments-analysis-saving")
    post_save.connect(on_analysis_saved, sender=ApproachAnalysis, dispatch_uid="assessments-analysis-flag")
