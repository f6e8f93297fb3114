"""Every write to events: create, update, archive, restore, remove for good, export."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from pactesur.audit.actions import do_record_audit, do_record_export
from pactesur.audit.models import AuditAction
from pactesur.cities.csv_cells import csv_cell
from pactesur.cities.errors import InvalidRequestError, NotAllowedError
from pactesur.cities.models import City, has_city_perm
from pactesur.cities.records import check_editable, stored_user
from pactesur.cities.time_zones import city_zone
from pactesur.events.models import Event
from pactesur.spaces.actions import checked_removal
from pactesur.spaces.models import Space
from pactesur.spaces.removal import Removal, dependents_of, plan_removal

EDITABLE_FIELDS = (
    "space",
    "name",
    "starts_at",
    "ends_at",
    "expected_attendance",
    "organiser",
    "description",
    "temporary_measures",
    "public",
)
# Columns of the CSV export; the times' header names the city's time zone: `starts_at (Europe/Paris)`.
CSV_COLUMNS = (
    "id",
    "name",
    "space_id",
    "space",
    "starts_at",
    "ends_at",
    "expected_attendance",
    "organiser",
    "description",
    "temporary_measures",
    "public",
)
CSV_TIME_COLUMNS = frozenset({"starts_at", "ends_at"})


def _check(event: Event) -> None:
    """Validate fields, the dates, that the space is one of the event's city, and that neither the
    event nor its space is archived."""
    if event.space.city_id != event.city_id:
        raise ValidationError({"space": [_("The space belongs to another city.")]})
    if event.archived_at is not None:
        raise ValidationError(_("This event is archived: restore it before changing it."))
    if event.space.archived_at is not None:
        raise ValidationError(
            {"space": [_("This space is archived: restore it before changing its events.")]}
        )
    event.full_clean(exclude=["city", "space", "created_by", "updated_by"], validate_unique=False)


def do_create_event(
    city: City,
    *,
    acting_user: Any,
    space: Space,
    name: str,
    starts_at: datetime,
    ends_at: datetime,
    expected_attendance: int | None,
    organiser: str = "",
    description: str = "",
    temporary_measures: str = "",
    public: bool = False,
    request: HttpRequest | None = None,
) -> Event:
    """Create an event on a space of `city`. Raises ValidationError on bad input."""
    event = Event(
        city=city,
        space=space,
        name=name,
        starts_at=starts_at,
        ends_at=ends_at,
        expected_attendance=expected_attendance,
        organiser=organiser,
        description=description,
        temporary_measures=temporary_measures,
        public=public,
        created_by=stored_user(acting_user),
        updated_by=stored_user(acting_user),
    )
    _check(event)
    with transaction.atomic():
        event.save()
        do_record_audit(
            AuditAction.CREATE,
            acting_user=acting_user,
            obj=event,
            detail={"space": space.pk},
            request=request,
        )
    return event


def do_update_event(
    event: Event, *, acting_user: Any, request: HttpRequest | None = None, **changes: Any
) -> Event:
    """Change an event's fields (any of EDITABLE_FIELDS). Raises ValidationError on bad input."""
    check_editable(changes, EDITABLE_FIELDS, action="do_update_event")
    changed = [f for f, v in changes.items() if getattr(event, f) != v]
    if not changed:
        return event
    for field in changed:
        setattr(event, field, changes[field])
    _check(event)
    event.updated_by = stored_user(acting_user)
    with transaction.atomic():
        event.save()
        do_record_audit(
            AuditAction.UPDATE,
            acting_user=acting_user,
            obj=event,
            detail={"fields": changed},
            request=request,
        )
    return event


def _lock(event: Event) -> Event:
    locked: Event = Event.objects.select_for_update().select_related("space", "city").get(pk=event.pk)
    return locked


def do_archive_event(event: Event, *, acting_user: Any, request: HttpRequest | None = None) -> Event:
    """Archive an event: it leaves the lists and the export, nothing is deleted. Idempotent."""
    with transaction.atomic():
        locked = _lock(event)
        if locked.archived_at is None:
            locked.archived_at = timezone.now()
            locked.archived_by = stored_user(acting_user)
            locked.save(update_fields=["archived_at", "archived_by"])
            do_record_audit(
                AuditAction.ARCHIVE,
                acting_user=acting_user,
                obj=locked,
                detail={"space": locked.space_id, "kept": [g.as_detail() for g in dependents_of(locked)]},
                request=request,
            )
    event.archived_at, event.archived_by = locked.archived_at, locked.archived_by
    return event


def do_restore_event(event: Event, *, acting_user: Any, request: HttpRequest | None = None) -> Event:
    """Bring an archived event back into use; refused while its space is archived (restore that first)."""
    with transaction.atomic():
        locked = _lock(event)
        if locked.archived_at is not None:
            if locked.space.archived_at is not None:
                raise InvalidRequestError(_("The space of this event is archived: restore the space first."))
            archived_at = locked.archived_at
            locked.archived_at = None
            locked.archived_by = None
            locked.save(update_fields=["archived_at", "archived_by"])
            do_record_audit(
                AuditAction.RESTORE,
                acting_user=acting_user,
                obj=locked,
                detail={"space": locked.space_id, "archived_at": archived_at.isoformat()},
                request=request,
            )
    event.archived_at, event.archived_by = locked.archived_at, locked.archived_by
    return event


def event_removal(event: Event) -> Removal:
    """What removing `event` for good would delete (for the confirmation page)."""
    removal, _collector = plan_removal(event)
    return removal


def do_purge_event(
    event: Event,
    *,
    acting_user: Any,
    expected_digest: str | None = None,
    request: HttpRequest | None = None,
) -> Removal:
    """Remove an archived event for good (data protection; city administrators only, checked here too).

    The audit row is the tombstone: the event's type, id and name, its space, and every removed record.
    """
    if getattr(acting_user, "is_authenticated", False) and not has_city_perm(
        acting_user, event.city_id, "event.purge"
    ):
        raise NotAllowedError(_("Only a city administrator may remove an event for good."))
    with transaction.atomic():
        locked = _lock(event)
        removal, collector, archived_at = checked_removal(
            locked,
            expected_digest=expected_digest,
            not_archived=_("Archive the event before removing it for good."),
            blocked=_("This event cannot be removed for good: %(reasons)s"),
            changed=_(
                "The records that depend on this event changed since the page was shown: "
                "check the list again."
            ),
        )
        do_record_audit(
            AuditAction.PURGE,
            acting_user=acting_user,
            obj=locked,
            detail={
                "removed": removal.as_detail(),
                "space": locked.space_id,
                "archived_at": archived_at.isoformat(),
            },
            request=request,
        )
        collector.delete()
    return removal


def do_export_events(city: City, *, acting_user: Any, request: HttpRequest | None = None) -> str:
    """Return the city's events in use (archived ones and those of archived spaces left out) as CSV
    text, and audit the export.

    Times are the city's local time in ISO 8601 with their offset (`2026-12-05T10:00:00+01:00`), and
    the header of their columns names the zone: a spreadsheet shows the time people will be on the
    square, a program reads the exact instant."""
    zone = city_zone(city)
    events = list(
        Event.objects.filter(city=city).active().select_related("space").order_by("starts_at", "id")
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f"{c} ({zone.key})" if c in CSV_TIME_COLUMNS else c for c in CSV_COLUMNS])
    for e in events:
        writer.writerow(
            [
                csv_cell(v)
                for v in (
                    e.pk,
                    e.name,
                    e.space_id,
                    e.space.shown_name,
                    e.starts_at.astimezone(zone).isoformat(),
                    e.ends_at.astimezone(zone).isoformat(),
                    e.expected_attendance,
                    e.organiser,
                    e.description,
                    e.temporary_measures,
                    e.public,
                )
            ]
        )
    do_record_export(
        acting_user=acting_user, city=city, what="events", fmt="csv", rows=len(events), request=request
    )
    return out.getvalue()
