"""Permission matrix rows of the events app: every page and API call × every role."""

from __future__ import annotations

from typing import Any

from tests.matrix_support import MatrixRow, api_row
from tests.spaces.matrix import (
    CURRENT_EDIT,
    CURRENT_EDIT_POST,
    CURRENT_VIEW,
    EDITORS,
    MEMBERS,
    RECORD_EDIT,
    RECORD_EDIT_POST,
    RECORD_VIEW,
)


def _event(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    from tests.spaces.helpers import make_event, make_space

    space = make_space(city, None)
    return {"space": space, "event": make_event(space, None)}


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


ROWS: list[MatrixRow] = [
    MatrixRow("events list", "GET", lambda s: "/events/", CURRENT_VIEW),
    MatrixRow("events create form", "GET", lambda s: "/events/new/", CURRENT_EDIT),
    MatrixRow("events create", "POST", lambda s: "/events/new/", CURRENT_EDIT_POST, _own_space, _form),
    MatrixRow("events export csv", "GET", lambda s: "/events/export.csv", CURRENT_EDIT),
    MatrixRow("events detail", "GET", lambda s: f"/events/{s['event'].pk}/", RECORD_VIEW, _event),
    MatrixRow("events edit form", "GET", lambda s: f"/events/{s['event'].pk}/edit/", RECORD_EDIT, _event),
    MatrixRow(
        "events edit",
        "POST",
        lambda s: f"/events/{s['event'].pk}/edit/",
        RECORD_EDIT_POST,
        _event,
        _nice_fields,
    ),
    MatrixRow("events delete form", "GET", lambda s: f"/events/{s['event'].pk}/delete/", RECORD_EDIT, _event),
    MatrixRow(
        "events delete", "POST", lambda s: f"/events/{s['event'].pk}/delete/", RECORD_EDIT_POST, _event
    ),
    api_row(
        "api events list of a city", "GET", lambda s: f"/api/v1/events/?city={s['city'].pk}", MEMBERS, _event
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
    ),
    api_row(
        "api events update",
        "PATCH",
        lambda s: f"/api/v1/events/{s['event'].pk}",
        EDITORS,
        _event,
        data={"expected_attendance": 100000},
    ),
    api_row(
        "api events delete", "DELETE", lambda s: f"/api/v1/events/{s['event'].pk}", EDITORS, _event, ok=204
    ),
]
