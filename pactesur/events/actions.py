"""Every write to events: create, update, delete, export."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from pactesur.audit.actions import do_record_audit
from pactesur.audit.models import AuditAction
from pactesur.cities.models import City
from pactesur.cities.records import check_editable, stored_user
from pactesur.events.models import Event
from pactesur.spaces.actions import csv_cell
from pactesur.spaces.models import Space

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


def _check(event: Event) -> None:
    """Validate fields, the dates and that the space is one of the event's city."""
    if event.space.city_id != event.city_id:
        raise ValidationError({"space": [_("The space belongs to another city.")]})
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


def do_delete_event(event: Event, *, acting_user: Any, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        do_record_audit(
            AuditAction.DELETE,
            acting_user=acting_user,
            obj=event,
            detail={"space": event.space_id},
            request=request,
        )
        event.delete()


def do_export_events(city: City, *, acting_user: Any, request: HttpRequest | None = None) -> str:
    """Return the city's events as CSV text, and audit the export."""
    events = list(Event.objects.filter(city=city).select_related("space").order_by("starts_at", "id"))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in events:
        writer.writerow(
            [
                csv_cell(v)
                for v in (
                    e.pk,
                    e.name,
                    e.space_id,
                    e.space.name,
                    e.starts_at.isoformat(),
                    e.ends_at.isoformat(),
                    e.expected_attendance,
                    e.organiser,
                    e.description,
                    e.temporary_measures,
                    e.public,
                )
            ]
        )
    do_record_audit(
        AuditAction.EXPORT,
        acting_user=acting_user,
        city=city,
        detail={"what": "events", "format": "csv", "count": len(events)},
        request=request,
    )
    return out.getvalue()
