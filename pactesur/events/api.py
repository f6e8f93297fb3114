"""API endpoints of events: /api/v1/events/ — the same permissions and messages as the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError

from pactesur.cities.models import City
from pactesur.cities.time_zones import city_zone
from pactesur.events.actions import do_archive_event, do_create_event, do_restore_event, do_update_event
from pactesur.events.models import Event
from pactesur.spaces.api import PEOPLE_MAX, NulFreeText, require, validation_error_422, visible_city_or_404
from pactesur.spaces.models import Space

router = Router(tags=["events"])


class EventOut(Schema):
    id: int
    city: int = Field(..., alias="city_id")
    space: int = Field(..., alias="space_id")
    name: str
    starts_at: datetime
    ends_at: datetime
    expected_attendance: int | None
    organiser: str
    description: str
    temporary_measures: str
    public: bool
    archived_at: datetime | None = Field(
        None, description="When the event was archived (DELETE); null while it is in use"
    )
    created_at: datetime
    updated_at: datetime


class EventIn(Schema):
    space: int
    name: NulFreeText = Field(..., min_length=1, max_length=200)
    starts_at: datetime = Field(..., description="ISO 8601; without an offset, the city's time zone")
    ends_at: datetime
    expected_attendance: int | None = Field(None, ge=0, le=PEOPLE_MAX)
    organiser: NulFreeText = Field("", max_length=200)
    description: NulFreeText = ""
    temporary_measures: NulFreeText = ""
    public: bool = False


class EventPatch(Schema):
    space: int | None = None
    name: NulFreeText | None = Field(None, min_length=1, max_length=200)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    expected_attendance: int | None = Field(None, ge=0, le=PEOPLE_MAX)
    organiser: NulFreeText | None = Field(None, max_length=200)
    description: NulFreeText | None = None
    temporary_measures: NulFreeText | None = None
    public: bool | None = None


def _aware(value: datetime, city: City) -> datetime:
    if timezone.is_aware(value):
        return value
    return timezone.make_aware(value, city_zone(city))


def _space_or_404(request: HttpRequest, space_id: int) -> Space:
    space: Space = get_object_or_404(
        Space.objects.for_user(request.user, "space.view").select_related("city"), pk=space_id
    )
    return space


def _event_or_404(request: HttpRequest, event_id: int, action: str | None = None) -> Event:
    event: Event = get_object_or_404(
        Event.objects.for_user(request.user, "event.view").select_related("city", "space"), pk=event_id
    )
    if action:
        require(request.user, event.city_id, action)
    return event


@router.get("/", response=list[EventOut], summary="List events")
def list_events(
    request: HttpRequest,
    city: int | None = None,
    space: int | None = None,
    upcoming: bool = False,
    archived: bool = False,
) -> Any:
    """The events in use of the caller's cities, or of one `city` or `space`; `upcoming` hides finished
    ones. Archived events and the events of archived spaces are left out, except with `space` (an
    archived space's events stay listed with it); `archived=true` lists the archived events instead."""
    visible = Event.objects.for_user(request.user, "event.view")
    if archived:
        events = visible.archived()
    elif space is not None:
        events = visible.filter(archived_at__isnull=True)
    else:
        events = visible.active()
    if city is not None:
        visible_city_or_404(request.user, city)
        events = events.filter(city_id=city)
    if space is not None:
        events = events.filter(space=_space_or_404(request, space))
    if upcoming:
        events = events.filter(ends_at__gte=timezone.now())
    return list(events.order_by("starts_at", "id"))


@router.get("/{int:event_id}", response=EventOut, summary="One event")
def get_event(request: HttpRequest, event_id: int) -> Any:
    return _event_or_404(request, event_id)


@router.post("/", response={201: EventOut}, summary="Create an event on a space")
def create_event(request: HttpRequest, payload: EventIn) -> Any:
    space = _space_or_404(request, payload.space)
    require(request.user, space.city_id, "event.edit")
    data = payload.dict(exclude={"space"})
    data["starts_at"] = _aware(data["starts_at"], space.city)
    data["ends_at"] = _aware(data["ends_at"], space.city)
    try:
        event = do_create_event(space.city, acting_user=request.user, space=space, request=request, **data)
    except ValidationError as exc:
        raise validation_error_422(exc) from exc
    return Status(201, event)


@router.patch("/{int:event_id}", response=EventOut, summary="Change an event")
def update_event(request: HttpRequest, event_id: int, payload: EventPatch) -> Any:
    event = _event_or_404(request, event_id, "event.edit")
    changes = payload.dict(exclude_unset=True)
    for required in ("space", "name", "starts_at", "ends_at", "public"):
        if required in changes and changes[required] is None:
            raise NinjaValidationError(
                [
                    {
                        "loc": ["body", "payload", required],
                        "msg": "This field cannot be null.",
                        "type": "value_error",
                    }
                ]
            )
    if "space" in changes:
        changes["space"] = _space_or_404(request, changes["space"])
    for when in ("starts_at", "ends_at"):
        if when in changes:
            changes[when] = _aware(changes[when], event.city)
    for text in ("organiser", "description", "temporary_measures"):
        if text in changes and changes[text] is None:
            changes[text] = ""
    try:
        return do_update_event(event, acting_user=request.user, request=request, **changes)
    except ValidationError as exc:
        raise validation_error_422(exc) from exc


@router.delete("/{int:event_id}", response={204: None}, summary="Archive an event (nothing is deleted)")
def archive_event(request: HttpRequest, event_id: int) -> Any:
    """Archive the event: it leaves the lists and the export, and nothing is deleted. It stays readable
    here (`archived_at` is set) and in `?archived=true` lists; `POST /events/{id}/restore` brings it
    back. Removing an event for good is an administrator's action on the pages only."""
    event = _event_or_404(request, event_id, "event.edit")
    do_archive_event(event, acting_user=request.user, request=request)
    return Status(204, None)


@router.post("/{int:event_id}/restore", response=EventOut, summary="Restore an archived event")
def restore_event(request: HttpRequest, event_id: int) -> Any:
    """Bring an archived event back into use (400 while its space is archived: restore the space first)."""
    event = _event_or_404(request, event_id, "event.edit")
    return do_restore_event(event, acting_user=request.user, request=request)
