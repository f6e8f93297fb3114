"""Permission matrix rows of the events app: every page and API call, by method, × every role."""

from __future__ import annotations

from typing import Any

from tests.matrix_support import MatrixRow, api_row
from tests.spaces.matrix import (
    CURRENT_EDIT,
    CURRENT_EDIT_POST,
    CURRENT_VIEW,
    EDITORS,
    MEMBERS,
    NOT_SERVED,
    RECORD_EDIT,
    RECORD_EDIT_POST,
    RECORD_PURGE,
    RECORD_PURGE_POST,
    RECORD_VIEW,
)


def _event(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    from tests.spaces.helpers import make_event, make_space

    space = make_space(city, None)
    return {"space": space, "event": make_event(space, None)}


def _archived_event(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    from pactesur.events.actions import do_archive_event

    made = _event(city, other_city, user_by_role)
    do_archive_event(made["event"], acting_user=None)
    return made


def _purge_form(ctx: dict[str, Any]) -> dict[str, Any]:
    from pactesur.events.actions import event_removal

    return {"digest": event_removal(ctx["event"]).digest}


def _stored(ctx: dict[str, Any]) -> Any:
    from pactesur.events.models import Event

    return Event.objects.filter(pk=ctx["event"].pk).first()


def _archived(ctx: dict[str, Any]) -> bool:
    event = _stored(ctx)
    return event is not None and event.archived_at is not None


def _restored(ctx: dict[str, Any]) -> bool:
    event = _stored(ctx)
    return event is not None and event.archived_at is None


def _gone(ctx: dict[str, Any]) -> bool:
    return _stored(ctx) is None


def _created(ctx: dict[str, Any]) -> bool:
    from pactesur.events.models import Event

    return Event.objects.filter(name="Carnaval").exists()


def _rescheduled(ctx: dict[str, Any]) -> bool:
    """The edit form moves the event (made ten days from now) to February 2027."""
    return _stored(ctx).starts_at.date().isoformat() == "2027-02-13"


def _attendance_set(ctx: dict[str, Any]) -> bool:
    return _stored(ctx).expected_attendance == 100000


def _own_space(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    """A space in Nice and one in Liège: the form posts the acting user's own current city's space."""
    from tests.spaces.helpers import make_space

    return {
        "space": make_space(city, None),
        "liege_space": make_space(other_city, None, name="Saint-Lambert"),
    }


def _fields(space: Any) -> dict[str, Any]:
    return {
        "space": space.pk,
        "name": "Carnaval",
        "starts_at": "2027-02-13T14:00",
        "ends_at": "2027-02-13T18:00",
    }


def _form(ctx: dict[str, Any]) -> dict[str, Any]:
    user = ctx["user"]
    space = ctx["liege_space"] if user is not None and user.username == "other_city_admin" else ctx["space"]
    return _fields(space)


def _nice_fields(ctx: dict[str, Any]) -> dict[str, Any]:
    """The event on the space of Nice: what the edit form and the API create call post."""
    return _fields(ctx["space"])


def _url(suffix: str = "") -> Any:
    return lambda s: f"/events/{s['event'].pk}/{suffix}"


ROWS: list[MatrixRow] = [
    MatrixRow("events list", "GET", lambda s: "/events/", CURRENT_VIEW),
    MatrixRow("events list post", "POST", lambda s: "/events/", NOT_SERVED),
    MatrixRow("events archived list", "GET", lambda s: "/events/archived/", CURRENT_VIEW, _archived_event),
    MatrixRow("events archived list post", "POST", lambda s: "/events/archived/", NOT_SERVED),
    MatrixRow("events create form", "GET", lambda s: "/events/new/", CURRENT_EDIT),
    MatrixRow(
        "events create",
        "POST",
        lambda s: "/events/new/",
        CURRENT_EDIT_POST,
        _own_space,
        _form,
        effect=_created,
    ),
    MatrixRow("events export csv", "GET", lambda s: "/events/export.csv", CURRENT_EDIT),
    MatrixRow("events export csv post", "POST", lambda s: "/events/export.csv", NOT_SERVED),
    MatrixRow("events detail", "GET", _url(), RECORD_VIEW, _event),
    MatrixRow("events detail post", "POST", _url(), NOT_SERVED, _event),
    MatrixRow("events edit form", "GET", _url("edit/"), RECORD_EDIT, _event),
    MatrixRow(
        "events edit", "POST", _url("edit/"), RECORD_EDIT_POST, _event, _nice_fields, effect=_rescheduled
    ),
    MatrixRow("events archive form", "GET", _url("archive/"), RECORD_EDIT, _event),
    MatrixRow("events archive", "POST", _url("archive/"), RECORD_EDIT_POST, _event, effect=_archived),
    MatrixRow(
        "events restore", "POST", _url("restore/"), RECORD_EDIT_POST, _archived_event, effect=_restored
    ),
    MatrixRow("events purge form", "GET", _url("purge/"), RECORD_PURGE, _archived_event),
    MatrixRow(
        "events purge",
        "POST",
        _url("purge/"),
        RECORD_PURGE_POST,
        _archived_event,
        _purge_form,
        effect=_gone,
    ),
    api_row(
        "api events list of a city", "GET", lambda s: f"/api/v1/events/?city={s['city'].pk}", MEMBERS, _event
    ),
    api_row(
        "api events archived list of a city",
        "GET",
        lambda s: f"/api/v1/events/?city={s['city'].pk}&archived=true",
        MEMBERS,
        _archived_event,
    ),
    api_row("api events detail", "GET", lambda s: f"/api/v1/events/{s['event'].pk}", MEMBERS, _event),
    api_row(
        "api events create",
        "POST",
        lambda s: "/api/v1/events/",
        EDITORS,
        _own_space,
        ok=201,
        data=_nice_fields,
        effect=_created,
    ),
    api_row(
        "api events update",
        "PATCH",
        lambda s: f"/api/v1/events/{s['event'].pk}",
        EDITORS,
        _event,
        data={"expected_attendance": 100000},
        effect=_attendance_set,
    ),
    api_row(
        "api events archive",
        "DELETE",
        lambda s: f"/api/v1/events/{s['event'].pk}",
        EDITORS,
        _event,
        ok=204,
        effect=_archived,
    ),
    api_row(
        "api events restore",
        "POST",
        lambda s: f"/api/v1/events/{s['event'].pk}/restore",
        EDITORS,
        _archived_event,
        effect=_restored,
    ),
]
