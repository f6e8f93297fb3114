"""What archiving keeps and removing for good takes with it, found by Django's own deletion collector.

Archiving a space or an event keeps every record that depends on it; the audit row lists them. A
permanent removal (data protection) deletes the record and everything that cascades from it: the
same collector lists them for the confirmation page and the audit row, then deletes exactly those.
A dependent model may refuse the removal by defining `removal_blocker()`, returning why (an approved
assessment version does) or None; this module imports no app that depends on spaces.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models.deletion import Collector
from django.utils.translation import gettext as _

# Fields never needed to list or delete dependents, and heavy in analyses (results of megabytes).
_HEAVY_FIELDS = (models.JSONField, models.TextField)


@dataclass(frozen=True)
class RecordGroup:
    """The records of one model: its label (`assessments.assessmentversion`) and their ids."""

    type: str
    ids: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.ids)

    def as_detail(self) -> dict[str, Any]:
        return {"type": self.type, "count": self.count, "ids": list(self.ids)}


@dataclass(frozen=True)
class Removal:
    """Everything a permanent removal would delete (the record first) and why it may not, if it may not."""

    groups: tuple[RecordGroup, ...]
    blockers: tuple[str, ...]

    @property
    def allowed(self) -> bool:
        return not self.blockers

    @property
    def count(self) -> int:
        return sum(g.count for g in self.groups)

    def as_detail(self) -> list[dict[str, Any]]:
        return [g.as_detail() for g in self.groups]

    @property
    def digest(self) -> str:
        """A short hash of what is listed: the confirmation page sends it back, so that records added
        after the page was shown are never removed unseen."""
        text = json.dumps(self.as_detail(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


class _ListingCollector(Collector):
    """A collector that loads every record it would delete (no fast deletes), without heavy fields."""

    def can_fast_delete(self, objs: Any, from_field: Any = None) -> bool:
        return False

    def related_objects(self, related_model: Any, related_fields: Any, objs: Any) -> Any:
        queryset = super().related_objects(related_model, related_fields, objs)
        heavy = [f.name for f in related_model._meta.concrete_fields if isinstance(f, _HEAVY_FIELDS)]
        return queryset.defer(*heavy) if heavy else queryset


def _collect(obj: models.Model) -> tuple[_ListingCollector, tuple[str, ...]]:
    collector = _ListingCollector(using="default")
    try:
        collector.collect([obj])
    except (models.ProtectedError, models.RestrictedError) as exc:
        protected = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", None) or ()
        names = sorted({o._meta.label_lower for o in protected})
        return collector, (_("Protected records depend on it: %(types)s.") % {"types": ", ".join(names)},)
    return collector, ()


def _groups(collector: Collector, root: models.Model, *, include_root: bool) -> tuple[RecordGroup, ...]:
    found: dict[str, set[int]] = {}
    for model, instances in collector.data.items():
        ids = {int(i.pk) for i in instances}
        if model is type(root) and not include_root:
            ids.discard(int(root.pk))
        if ids:
            found.setdefault(model._meta.label_lower, set()).update(ids)
    root_type = root._meta.label_lower
    order = sorted(found, key=lambda label: (label != root_type, label))
    return tuple(RecordGroup(label, tuple(sorted(found[label]))) for label in order)


def _blockers(collector: Collector) -> tuple[str, ...]:
    reasons: list[str] = []
    for instances in collector.data.values():
        for instance in instances:
            check = getattr(instance, "removal_blocker", None)
            reason = check() if callable(check) else None
            if reason and str(reason) not in reasons:
                reasons.append(str(reason))
    return tuple(reasons)


def dependents_of(obj: models.Model) -> tuple[RecordGroup, ...]:
    """The records that depend on `obj` (what deleting it would take with it), `obj` itself left out."""
    collector, _protected = _collect(obj)
    return _groups(collector, obj, include_root=False)


def plan_removal(obj: models.Model) -> tuple[Removal, Collector]:
    """What removing `obj` for good deletes, and the collector that deletes exactly that."""
    collector, protected = _collect(obj)
    removal = Removal(_groups(collector, obj, include_root=True), protected + _blockers(collector))
    return removal, collector
